use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    tributary::telemetry::init();
    tributary::cli::run().await
}
