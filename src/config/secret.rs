//! The master secret: given, or generated on first start and kept in
//! the data directory, readable by its owner only.

use std::path::Path;

use base64::Engine;

use super::{ConfigError, bad};

pub(super) fn decode_secret(text: &str) -> Option<Vec<u8>> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .ok()?;
    (bytes.len() >= 64).then_some(bytes)
}

pub(super) fn load_or_create_secret(path: &Path) -> Result<Vec<u8>, ConfigError> {
    if let Ok(text) = std::fs::read_to_string(path) {
        return decode_secret(&text).ok_or_else(|| {
            bad(
                "TRIBUTARY_SECRET_KEY",
                format!(
                    "{} is damaged: delete it to generate a new key (this signs everyone out)",
                    path.display()
                ),
            )
        });
    }
    let mut secret = vec![0u8; 64];
    getrandom::fill(&mut secret).map_err(|e| bad("TRIBUTARY_SECRET_KEY", e.to_string()))?;
    let encoded = base64::engine::general_purpose::STANDARD.encode(&secret);
    write_private_file(path, &encoded).map_err(|e| {
        bad(
            "TRIBUTARY_DATA_DIR",
            format!("cannot write {}: {e}", path.display()),
        )
    })?;
    Ok(secret)
}

#[cfg(unix)]
fn write_private_file(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private_file(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}
