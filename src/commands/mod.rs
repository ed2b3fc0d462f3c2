//! The headless commands. Each returns an exit code or a [`Failure`] that says what went wrong
//! and which code it means; only this module prints errors.

mod check;
mod cohort;
mod config_cmd;
mod confirm;
mod demo;
mod docs;
mod handoff;
mod journal_cmd;
mod migrate;
mod tui;
mod watch;

use crate::cli::{Cli, Command};
use crate::config::{ConfigError, Loaded};
use crate::exit;

/// A command that could not do its job: the message for the operator and the exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn new(code: u8, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
        }
    }
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::new(exit::USAGE, message)
    }
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Failure {
        Failure::new(exit::CONFIG, e.to_string())
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::new(exit::SOFTWARE, e.to_string())
    }
}

impl From<crate::source::SetupError> for Failure {
    fn from(e: crate::source::SetupError) -> Failure {
        Failure::new(exit::CONFIG, e.to_string())
    }
}

pub type Outcome = Result<u8, Failure>;

/// Runs the command the operator asked for and returns the process exit code.
pub async fn run(cli: Cli, log_note: Option<String>) -> u8 {
    watch::note_hangup_disposition();
    if let Some(note) = &log_note {
        tracing::warn!("{note}");
    }
    let result = match &cli.command {
        None => tui::run(&cli, None).await,
        Some(Command::Tui(args)) => tui::run(&cli, args.cohort.clone()).await,
        Some(Command::Check(args)) => check::run(&cli, args).await,
        Some(Command::Init(args)) => config_cmd::init(args),
        Some(Command::Config(_)) => config_cmd::check(&cli),
        Some(Command::Migrate) => migrate::run(&cli).await,
        Some(Command::Demo(args)) => demo::run(&cli, args).await,
        Some(Command::Cohort(command)) => cohort::run(&cli, command).await,
        Some(Command::Completions(args)) => docs::completions(args),
        Some(Command::Man) => docs::man(),
        Some(Command::Note(args)) => journal_cmd::note(&cli, args).await,
        Some(Command::Timeline(args)) => journal_cmd::timeline(&cli, args).await,
        Some(Command::Handoff(args)) => handoff::run(&cli, args).await,
    };
    match result {
        Ok(code) => code,
        Err(failure) => {
            // Paths, env values and driver messages end up in failures: none may carry a
            // control character to the terminal.
            eprintln!("error: {}", crate::text::sanitize_lines(&failure.message));
            failure.code
        }
    }
}

/// Loads the config named on the command line (or found by the lookup order).
pub fn load_config(cli: &Cli) -> Result<Loaded, Failure> {
    crate::config::load(cli.config.as_deref()).map_err(Failure::from)
}
