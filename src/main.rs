use std::process::ExitCode;

/// The click path allocates a few short strings per request on the HTTP
/// workers and frees them on the writer's thread; mimalloc's per-thread
/// heaps make that cheaper than glibc's arenas (bench/clicks.sh).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    tributary::telemetry::init();
    tributary::cli::run().await
}
