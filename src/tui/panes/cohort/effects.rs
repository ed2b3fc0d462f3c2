//! The Cohort pane's effects: loading a file (validation in a blocking task, database checks,
//! an earlier override of the same file in the journal) and journaling an override. Each
//! answers with the pane's message, whatever happens.

use super::Action;
use super::{Job, Loaded, Msg, Override, ROWS_KEPT, SharedCohort};
use crate::cohort::{self, CohortSettings, DatabaseChecks};
use crate::db::Database;
use crate::db::call::db_call;
use crate::journal::Journal;
use crate::tui::jobs::{AtQuit, Jobs};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// How long a journal read or write for the pane may take.
const JOURNAL_CALL: Duration = Duration::from_secs(10);

/// `~/x` is the operator's home, as in their shell. The event loop reads `$HOME` once at start,
/// so `update` never looks at the environment.
pub fn expand_home(path: &Path, home: Option<&Path>) -> PathBuf {
    match (path.strip_prefix("~"), home) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => path.to_owned(),
    }
}

/// The load effect: validate in a blocking task, then the database checks when a pool is
/// given, and a look in the journal for an override of the same file. Never fails outright:
/// the answer is the cohort or why not, for [`Msg::CohortLoaded`].
pub async fn load(
    path: PathBuf,
    settings: CohortSettings,
    database: Option<(Database, Duration)>,
    journal: Option<&Journal>,
    redactor: &crate::text::Redactor,
) -> Result<Loaded, String> {
    let task = tokio::task::spawn_blocking(move || cohort::load_path(&path, &settings, ROWS_KEPT));
    let mut loaded = match task.await {
        Ok(Ok(loaded)) => loaded,
        Ok(Err(e)) => return Err(crate::text::sanitize(&e.to_string())),
        Err(e) => return Err(format!("the validator stopped: {e}")),
    };
    let mut database_error = None;
    match database {
        None => {
            loaded.scan.report.database =
                DatabaseChecks::Skipped("no [postgres] in the config".into())
        }
        Some((pool, timeout)) => {
            let report = &mut loaded.scan.report;
            let emails = &loaded.scan.emails;
            let rows = &loaded.rows;
            // Marked on the listed rows only once both checks succeed. The report keeps the
            // first findings of each code; the rows learn every one of theirs.
            let mut marks: Vec<(usize, cohort::Code)> = Vec::new();
            let checks = cohort::check_database_with(pool.gates(), report, emails, timeout, |f| {
                if let Some(line) = f.line
                    && let Ok(at) = rows.binary_search_by_key(&line, |r| r.line)
                {
                    marks.push((at, f.code));
                }
            });
            let limit = cohort::checks_deadline(timeout);
            let result = db_call(limit, redactor, checks).await;
            if result.is_ok() {
                for (at, code) in marks {
                    if let Some(row) = loaded.rows.get_mut(at) {
                        row.add_code(code);
                    }
                }
            }
            if let Err(why) = result {
                report.database = DatabaseChecks::Skipped(format!("failed: {why}"));
                database_error = Some(why);
            }
        }
    }
    let overridden = match (journal, &loaded.scan.report.sha256) {
        (Some(journal), Some(sha256)) => {
            previous_override(journal, &loaded.scan.report, sha256, redactor).await
        }
        _ => Override::None,
    };
    Ok(Loaded {
        cohort: SharedCohort(Arc::new(loaded)),
        database_error,
        overridden,
    })
}

/// An override of the file with this hash already in the journal (another cockpit's, an
/// earlier shift's, or `cohort validate --force`). A journal that does not answer is no override.
async fn previous_override(
    journal: &Journal,
    report: &cohort::Report,
    sha256: &str,
    redactor: &crate::text::Redactor,
) -> Override {
    let lookup = journal.latest_with(cohort::OVERRIDE_KIND, "sha256", sha256);
    match db_call(JOURNAL_CALL, redactor, lookup).await {
        Ok(Some(entry)) if entry.data["counts"] != report.counts_json() => Override::Outdated {
            by: crate::text::sanitize_short(&entry.actor, 60),
            entry: entry.id,
        },
        Ok(Some(entry)) => Override::Recorded {
            by: crate::text::sanitize_short(&entry.actor, 60),
            reason: entry.data["reason"]
                .as_str()
                .map(|r| crate::text::sanitize_short(r, 500))
                .unwrap_or_else(|| "(no reason given)".into()),
            entry: entry.id,
        },
        Ok(None) => Override::None,
        Err(why) => {
            tracing::warn!("cohort: the journal could not be searched for an override: {why}");
            Override::None
        }
    }
}

/// The override effect: one `cohort_override` journal line with the operator's reason.
pub async fn record_override(
    journal: &Journal,
    cohort: &SharedCohort,
    reason: &str,
    redactor: &crate::text::Redactor,
) -> Action {
    let report = &cohort.0.scan.report;
    let write = cohort::record_override(journal, report, &cohort.0.path, Some(reason));
    let result = db_call(JOURNAL_CALL, redactor, write).await;
    Msg::CohortOverridden {
        sha256: report.sha256.clone(),
        result,
    }
    .into()
}

/// Runs the pane's jobs beside the cockpit.
pub fn run(job: Job, jobs: &mut Jobs<Msg>) {
    let setup = jobs.setup;
    let (actions, redactor) = (jobs.actions.clone(), setup.redactor.clone());
    match job {
        Job::LoadCohort { load: id, path } => {
            let (settings, db) = (setup.cohort_settings.clone(), setup.cohort_db.clone());
            let journal = setup.journal.clone();
            let path = expand_home(&path, setup.home.as_deref());
            jobs.tasks.spawn("cohort load", AtQuit::Cancel, async move {
                let result = load(path, settings, db, journal.as_ref(), &redactor).await;
                let _ = actions.send(Msg::CohortLoaded { load: id, result }.into());
            });
        }
        Job::RecordCohortOverride { cohort, reason } => {
            let Some(journal) = setup.journal.clone() else {
                let answer = Msg::CohortOverridden {
                    sha256: cohort.0.scan.report.sha256.clone(),
                    result: Err("no database is configured for the journal".into()),
                };
                let _ = actions.send(answer.into());
                return;
            };
            jobs.tasks
                .spawn("cohort override", AtQuit::Finish, async move {
                    let action = record_override(&journal, &cohort, &reason, &redactor).await;
                    let _ = actions.send(action);
                });
        }
    }
}
