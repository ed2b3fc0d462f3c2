//! The Cohort pane's effects: loading a file (validation in a blocking task, database checks,
//! an earlier override of the same file in the journal) and journaling an override. Each
//! answers with an [`Action`], whatever happens.

use super::{Loaded, Override, ROWS_KEPT, SharedCohort};
use crate::cohort::{self, CohortSettings, DatabaseChecks};
use crate::journal::Journal;
use crate::tui::action::Action;
use sqlx::PgPool;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The load effect: validate in a blocking task, then the database checks when a pool is
/// given, and a look in the journal for an override of the same file. Never fails outright:
/// the answer is an action either way.
pub async fn load(
    path: PathBuf,
    settings: CohortSettings,
    database: Option<(PgPool, Duration)>,
    journal: Option<&Journal>,
    redactor: &crate::text::Redactor,
) -> Action {
    let task = tokio::task::spawn_blocking(move || cohort::load_path(&path, &settings, ROWS_KEPT));
    let mut loaded = match task.await {
        Ok(Ok(loaded)) => loaded,
        Ok(Err(e)) => return Action::CohortLoaded(Err(crate::text::sanitize(&e.to_string()))),
        Err(e) => return Action::CohortLoaded(Err(format!("the validator stopped: {e}"))),
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
            let checks = cohort::check_database_with(&pool, report, emails, timeout, |f| {
                if let Some(line) = f.line
                    && let Ok(at) = rows.binary_search_by_key(&line, |r| r.line)
                {
                    marks.push((at, f.code));
                }
            });
            let result = tokio::time::timeout(timeout + Duration::from_secs(5), checks).await;
            let failure = match result {
                Ok(Ok(())) => {
                    for (at, code) in marks {
                        if let Some(row) = loaded.rows.get_mut(at) {
                            row.add_code(code);
                        }
                    }
                    None
                }
                Ok(Err(e)) => Some(crate::text::sanitize(&redactor.redact(&e.to_string()))),
                Err(_) => Some("the database did not answer in time".to_owned()),
            };
            if let Some(why) = failure {
                report.database = DatabaseChecks::Skipped(format!("failed: {why}"));
                database_error = Some(why);
            }
        }
    }
    let overridden = match (journal, &loaded.scan.report.sha256) {
        (Some(journal), Some(sha256)) => {
            previous_override(journal, &loaded.scan.report, sha256).await
        }
        _ => Override::None,
    };
    Action::CohortLoaded(Ok(Loaded {
        cohort: SharedCohort(Arc::new(loaded)),
        database_error,
        overridden,
    }))
}

/// An override of the file with this hash already in the journal (another cockpit's, an
/// earlier shift's, or `cohort validate --force`). A journal that does not answer is no override.
async fn previous_override(journal: &Journal, report: &cohort::Report, sha256: &str) -> Override {
    let lookup = journal.latest_with(cohort::OVERRIDE_KIND, "sha256", sha256);
    match tokio::time::timeout(Duration::from_secs(10), lookup).await {
        Ok(Ok(Some(entry))) if entry.data["counts"] != report.counts_json() => Override::Outdated {
            by: crate::text::sanitize_short(&entry.actor, 60),
            entry: entry.id,
        },
        Ok(Ok(Some(entry))) => Override::Recorded {
            by: crate::text::sanitize_short(&entry.actor, 60),
            reason: entry.data["reason"]
                .as_str()
                .map(|r| crate::text::sanitize_short(r, 500))
                .unwrap_or_else(|| "(no reason given)".into()),
            entry: entry.id,
        },
        Ok(Ok(None)) => Override::None,
        Ok(Err(e)) => {
            tracing::warn!("cohort: the journal could not be searched for an override: {e}");
            Override::None
        }
        Err(_) => Override::None,
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
    let result = match tokio::time::timeout(Duration::from_secs(10), write).await {
        Ok(Ok(id)) => Ok(id),
        Ok(Err(e)) => Err(crate::text::sanitize(&redactor.redact(&e.to_string()))),
        Err(_) => Err("the database did not answer in time".to_owned()),
    };
    Action::CohortOverridden {
        sha256: report.sha256.clone(),
        result,
    }
}
