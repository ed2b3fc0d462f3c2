//! Overriding a soft-only cohort: the journal line that records who let which file through,
//! with its hash and findings. Hard findings are never overridable.

use super::report::Report;
use crate::journal::{Journal, JournalError};

/// The journal `kind` of a cohort override.
pub const OVERRIDE_KIND: &str = "cohort_override";

/// At most this many findings are copied into the journal line; `counts` counts them all.
const JOURNALED_FINDINGS: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum OverrideError {
    #[error("a {0} cohort cannot be overridden: only soft findings can be (fix the file)")]
    NotOverridable(super::report::Status),
    #[error("the file was not read to the end, so it has no hash to record")]
    NoHash,
    #[error(transparent)]
    Journal(#[from] JournalError),
}

/// Records the override; returns the journal line id. `file` is how the operator named the file,
/// `reason` their words (the cockpit asks for one; the command line has none).
pub async fn record_override(
    journal: &Journal,
    report: &Report,
    file: &str,
    reason: Option<&str>,
) -> Result<i64, OverrideError> {
    if !report.can_override() {
        return Err(OverrideError::NotOverridable(report.status));
    }
    let sha256 = report.sha256.as_deref().ok_or(OverrideError::NoHash)?;
    let file = crate::text::sanitize_short(file, 200);
    let data = serde_json::json!({
        "operator": journal.actor(),
        "file": file,
        "sha256": sha256,
        "bytes": report.bytes,
        "rows": report.rows,
        "valid_rows": report.valid_rows,
        "counts": report.counts_json(),
        "findings": report.findings.iter().take(JOURNALED_FINDINGS).collect::<Vec<_>>(),
        "findings_total": report.counts().values().sum::<u64>(),
        "findings_omitted": report.findings_omitted,
        "database_checks": report.database.describe(),
        "reason": reason.map(|r| crate::text::sanitize_short(r, 500)),
    });
    let message = format!(
        "cohort {file} (sha256 {}) let through with {}",
        &sha256[..12.min(sha256.len())],
        report.summary_line()
    );
    Ok(journal.record_event(OVERRIDE_KIND, &message, data).await?)
}
