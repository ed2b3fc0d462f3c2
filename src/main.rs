//! The `gonogo` binary: parse the command line, start logging, run one command, exit with its code.

use clap::Parser;
use gonogo::cli::Cli;
use gonogo::exit;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = match e.kind() {
                clap::error::ErrorKind::DisplayHelp
                | clap::error::ErrorKind::DisplayVersion
                | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => exit::OK,
                _ => exit::USAGE,
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let logging = gonogo::logging::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // File checks run on the blocking pool; with tokio's 10 s keep-alive, a gate polled
        // every 10 s would start and end a thread per check in an idle cockpit.
        .thread_keep_alive(std::time::Duration::from_secs(300))
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::SOFTWARE);
        }
    };
    let log_note = logging.as_ref().err().cloned();
    let code = runtime.block_on(gonogo::commands::run(cli, log_note));
    // Pollers and servers may still hold sockets; do not wait for them on the way out.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    drop(logging);
    ExitCode::from(code)
}
