//! The headless commands. Each returns an exit code or a [`Failure`] that says what went wrong
//! and which code it means; only this module prints errors.

#[macro_use]
mod output;

mod alerts;
mod check;
mod checklist;
mod cohort;
mod config_cmd;
mod confirm;
mod decision;
mod demo;
mod docs;
mod handoff;
mod invites;
mod journal_cmd;
mod migrate;
mod report;
mod tui;
mod watch;

use crate::cli::{Cli, Command, ConfigCommand};
use crate::config::{Config, ConfigError, Loaded};
use crate::exit;
use crate::text::Redactor;
use std::io::Write;
use std::path::Path;

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

    /// A database call that failed: exit 69 when the database could not be reached, 70 when
    /// it was reached and the call failed ([`exit::database`]); the message redacted. Every
    /// command reports its database errors through here, so one failure means one code.
    pub fn db(redactor: &Redactor, e: &impl DbFailure) -> Failure {
        Failure::new(
            exit::database(e.unreachable()),
            redactor.redact(&e.to_string()),
        )
    }
}

/// A database error as [`Failure::db`] reads it.
pub trait DbFailure: std::fmt::Display {
    /// The database could not be reached (refused, gone, no connection in time).
    fn unreachable(&self) -> bool;
}

impl DbFailure for crate::db::DbError {
    fn unreachable(&self) -> bool {
        self.is_unavailable()
    }
}

impl DbFailure for crate::journal::JournalError {
    fn unreachable(&self) -> bool {
        self.is_unavailable()
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
        None => tui::run(&cli, None, false).await,
        Some(Command::Tui(args)) => tui::run(&cli, args.cohort.clone(), args.read_only).await,
        Some(Command::Check(args)) => check::run(&cli, args).await,
        Some(Command::Init(args)) => config_cmd::init(args),
        Some(Command::Config(ConfigCommand::Check)) => config_cmd::check(&cli),
        Some(Command::Config(ConfigCommand::Schema(args))) => config_cmd::schema(args),
        Some(Command::Migrate) => migrate::run(&cli).await,
        Some(Command::Demo(args)) => demo::run(&cli, args).await,
        Some(Command::Cohort(command)) => cohort::run(&cli, command).await,
        Some(Command::Completions(args)) => docs::completions(args),
        Some(Command::Man) => docs::man(),
        Some(Command::Invites(command)) => invites::run(&cli, command).await,
        Some(Command::Note(args)) => journal_cmd::note(&cli, args).await,
        Some(Command::Timeline(args)) => journal_cmd::timeline(&cli, args).await,
        Some(Command::Handoff(args)) => handoff::run(&cli, args).await,
        Some(Command::Report(args)) => report::run(&cli, args).await,
        Some(Command::Checklist(args)) => checklist::run(&cli, args).await,
        Some(Command::Vote(args)) => decision::vote(&cli, args).await,
        Some(Command::Decide(args)) => decision::decide(&cli, args).await,
        Some(Command::Decision(command)) => decision::run(&cli, command).await,
        Some(Command::Alerts(command)) => alerts::run(&cli, command).await,
    };
    match result {
        Ok(code) => code,
        Err(failure) => {
            // Paths, env values and driver messages end up in failures: none may carry a
            // control character to the terminal.
            // The process-wide redactor knows every secret a loaded config holds.
            let message = crate::text::Redactor::process().redact_multiline(&failure.message);
            let _ = writeln!(std::io::stderr(), "error: {message}");
            failure.code
        }
    }
}

/// Loads the config named on the command line (or found by the lookup order), its `[keys]`
/// included: a config `config check` accepts is one every command accepts.
pub fn load_config(cli: &Cli) -> Result<Loaded, Failure> {
    let loaded = crate::config::load(cli.config.as_deref()).map_err(Failure::from)?;
    keymap(&loaded.config, &loaded.path)?;
    Ok(loaded)
}

/// The cockpit's keymap from the config's `[keys]`; an error names the entry's file:line:column.
pub fn keymap(config: &Config, path: &Path) -> Result<crate::tui::Keymap, Failure> {
    use crate::tui::keymap::KeymapError;
    crate::tui::Keymap::with_overrides(&config.raw.keys).map_err(|e| {
        let action = match &e {
            KeymapError::UnknownAction { name, .. } | KeymapError::BadKey { name, .. } => {
                name.as_str()
            }
            KeymapError::Conflict { first, second, .. } => {
                if config.raw.keys.contains_key(second) {
                    second.as_str()
                } else {
                    first.as_str()
                }
            }
        };
        let at = config
            .key_position(action)
            .map(|(line, column)| format!(":{line}:{column}"))
            .unwrap_or_default();
        let message = crate::text::sanitize_short(&e.to_string(), 400);
        Failure::new(exit::CONFIG, format!("{}{at}: {message}", path.display()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{DbError, DbErrorKind};
    use crate::journal::JournalError;

    #[test]
    fn a_database_failure_has_one_code_whatever_reports_it() {
        let redactor = Redactor::default();
        redactor.add("s3cret");
        let gone = DbError::new(DbErrorKind::Unavailable, "cannot connect with s3cret");
        let lost = DbError::new(DbErrorKind::ConnectionLost, "connection reset");
        let refused = DbError::new(DbErrorKind::Refused, "permission denied");
        let timeout = DbError::new(DbErrorKind::StatementTimeout, "statement timeout");
        for e in [&gone, &lost] {
            assert_eq!(Failure::db(&redactor, e).code, exit::UNAVAILABLE);
            let journal = JournalError::Db(e.clone());
            assert_eq!(Failure::db(&redactor, &journal).code, exit::UNAVAILABLE);
        }
        for e in [&refused, &timeout] {
            assert_eq!(Failure::db(&redactor, e).code, exit::SOFTWARE);
            let journal = JournalError::Db(e.clone());
            assert_eq!(Failure::db(&redactor, &journal).code, exit::SOFTWARE);
        }
        assert_eq!(
            Failure::db(&redactor, &JournalError::Missing).code,
            exit::SOFTWARE
        );
        assert!(!Failure::db(&redactor, &gone).message.contains("s3cret"));
        assert_eq!(
            (exit::database(true), exit::database(false)),
            (exit::UNAVAILABLE, exit::SOFTWARE)
        );
    }
}
