//! `gonogo cohort validate FILE`: the cohort report (or JSON), database checks unless
//! `--offline`, and `--force` for soft-only files, recorded in the journal.
//!
//! `--force` and the journal: an override nobody can trace is what the journal exists to
//! prevent, so with a soft-only file `--force` needs somewhere to record it. With `[postgres]`
//! configured it writes a `cohort_override` line (even with `--offline`, which only skips the
//! collision checks); if that write fails the override does not happen (exit 2). With no
//! database configured it is refused: exit 78 (a config without `[postgres]`), or, with
//! `--offline` on a laptop, exit 2 with the soft findings standing — a stray `FORCE=1` must never
//! let a file through unrecorded. An override also needs a reason (`--reason` or
//! `$FORCE_REASON`) and, in production, the launch name typed (`--confirm`, or a prompt on a
//! terminal); without them it is refused before anything is written (exit 64).

use super::{Failure, Outcome};
use crate::cli::{Cli, CohortCommand, CohortValidateArgs};
use crate::cohort::{self, AppliedOverride, CohortError, DatabaseChecks, Report, Status};
use crate::config::{Config, ConfigError};
use crate::exit;
use crate::journal::Journal;
use sqlx::PgPool;
use std::time::Duration;

/// Journal writes and connection attempts never hang the command longer than this.
const DB_BUDGET: Duration = Duration::from_secs(10);

pub async fn run(cli: &Cli, command: &CohortCommand) -> Outcome {
    match command {
        CohortCommand::Validate(args) => validate(cli, args).await,
    }
}

/// With `--json`, a failure is a JSON document too (on stdout, the message also on stderr), so a
/// script reading the output always gets one.
async fn validate(cli: &Cli, args: &CohortValidateArgs) -> Outcome {
    let outcome = validate_or_fail(cli, args).await;
    match outcome {
        Err(failure) if args.json => {
            let message = crate::text::Redactor::process().redact_multiline(&failure.message);
            super::output::print_error_json(failure.code, &message);
            errln!("error: {message}");
            Ok(failure.code)
        }
        other => other,
    }
}

async fn validate_or_fail(cli: &Cli, args: &CohortValidateArgs) -> Outcome {
    let config = optional_config(cli)?;
    let settings = config
        .as_ref()
        .map(|c| c.raw.cohort.clone())
        .unwrap_or_default();
    let pool = match config.as_ref().and_then(|c| c.raw.postgres.as_ref()) {
        Some(pg) => Some(
            crate::db::pool(&pg.url, DB_BUDGET)
                .map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?,
        ),
        None => None,
    };
    let path = args.file.clone();
    let scan = tokio::task::spawn_blocking(move || {
        let file = cohort::open(&path)?;
        cohort::validate(file, &settings)
    })
    .await
    .map_err(|e| Failure::new(exit::SOFTWARE, format!("the validator stopped: {e}")))?
    .map_err(|e| match e {
        CohortError::TooManyRows { .. } => Failure::new(exit::NO_GO, format!("blocked: {e}")),
        other => Failure::new(exit::IO, other.to_string()),
    })?;
    let mut report = scan.report;
    let emails = scan.emails;
    match (&pool, &config) {
        _ if args.offline => report.database = DatabaseChecks::Skipped("--offline".into()),
        (Some(pool), Some(config)) => {
            let timeout = config.raw.defaults.timeout;
            let deadline = cohort::checks_deadline(timeout);
            let checked =
                tokio::time::timeout(deadline, cohort::check_database(pool, &mut report, &emails, timeout))
                    .await
                    .map_err(|_| {
                        Failure::new(
                            exit::UNAVAILABLE,
                            format!(
                                "database checks did not finish within {}; rerun with --offline to skip them",
                                humantime::format_duration(deadline)
                            ),
                        )
                    })?;
            checked.map_err(|e| {
                Failure::new(
                    exit::UNAVAILABLE,
                    format!(
                        "database checks failed: {}; rerun with --offline to skip them",
                        config.redactor.redact(&e.to_string())
                    ),
                )
            })?;
        }
        (_, None) => {
            report.database = DatabaseChecks::Skipped("no config file, so no database".into())
        }
        (None, Some(_)) => {
            report.database = DatabaseChecks::Skipped("no [postgres] in the config".into())
        }
    }
    // Freeing a million small strings takes a tenth of a large run; the process is about to
    // exit, so let a thread do it while the report prints.
    std::thread::spawn(move || drop(emails));
    let file = args.file.display().to_string();
    if !args.json {
        out!("{}", cohort::render_text(&report, &file));
    }
    let (code, applied) = match (args.force, report.status) {
        (false, status) => (status.exit_code(), None),
        (true, Status::Ok) => {
            errln!("--force: nothing to override, the cohort is clean");
            (exit::OK, None)
        }
        (true, Status::Blocked) => {
            errln!(
                "--force does not unblock hard findings (this file has {}): fix the file and \
                 validate again",
                crate::plural::count(report.hard_count() as u64, "hard finding")
            );
            (exit::NO_GO, None)
        }
        (true, Status::Warn) => force(cli, args, config.as_ref(), pool, &report, &file).await?,
    };
    if args.json {
        let mut doc = serde_json::to_value(&report)
            .map_err(|e| Failure::new(exit::SOFTWARE, format!("cannot render JSON: {e}")))?;
        doc["override"] = serde_json::to_value(&applied).unwrap_or_default();
        super::output::print_json(&doc)?;
        if let DatabaseChecks::Skipped(_) = report.database {
            errln!("note: {}", report.database.describe());
        }
    } else if let Some(applied) = &applied {
        outln!(
            "OVERRIDE APPLIED: soft findings accepted by {}; journal entry {} records {} (sha256 {})",
            applied.by,
            applied.journal_entry,
            applied.path,
            applied.sha256
        );
    }
    Ok(code)
}

/// `--force` on a soft-only report: the reason, somewhere to record it, the production
/// confirmation, then the journal line. Returns the exit code and the override, if applied.
async fn force(
    cli: &Cli,
    args: &CohortValidateArgs,
    config: Option<&Config>,
    pool: Option<PgPool>,
    report: &Report,
    file: &str,
) -> Result<(u8, Option<AppliedOverride>), Failure> {
    let reason = cohort::override_reason(args.reason.as_deref()).map_err(|e| {
        Failure::usage(format!(
            "--force NOT applied: {e} (--reason TEXT or $FORCE_REASON); it goes to the journal"
        ))
    })?;
    let (Some(config), Some(pool)) = (config, pool) else {
        if args.offline {
            errln!(
                "--force NOT applied: no database is configured, so nothing could record the \
                 override; the soft findings stand (exit 2). Validate with [postgres] configured \
                 to override them on the record."
            );
            return Ok((exit::UNKNOWN, None));
        }
        return Err(Failure::new(
            exit::CONFIG,
            "--force must be recorded in the journal, and no database is configured: add \
             [postgres] to the config (and run `gonogo migrate`), then validate again",
        ));
    };
    super::confirm::confirm(config.launch(), "the cohort override", &args.confirm)?;
    let journal = Journal::new(pool, config.launch().name.0.clone(), cli.operator());
    let write = cohort::apply_override(&journal, report, file, Some(&reason));
    match crate::db::call::db_call(DB_BUDGET, &config.redactor, write).await {
        Ok(applied) => Ok((exit::OK, Some(applied))),
        Err(why) => {
            errln!("override NOT recorded, so not applied: {why}");
            Ok((report.status.exit_code(), None))
        }
    }
}

/// The config if there is one. Without `--config` or `$GONOGO_CONFIG`, a missing file is fine:
/// an operator may check a CSV on a laptop with the default thresholds.
fn optional_config(cli: &Cli) -> Result<Option<Config>, Failure> {
    match crate::config::load(cli.config.as_deref()) {
        Ok(loaded) => Ok(Some(loaded.config)),
        Err(ConfigError::NotFound { .. }) => Ok(None),
        Err(e) => Err(Failure::from(e)),
    }
}
