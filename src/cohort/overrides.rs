//! Overriding a soft-only cohort: the rules (soft findings only, a reason always) and the journal
//! line that records who let which file through, with its absolute path, hash and findings. The
//! CLI and the cockpit both go through [`apply_override`].

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
    #[error("an override needs a reason: say why the soft findings are acceptable")]
    NoReason,
    #[error(transparent)]
    Journal(#[from] JournalError),
}

/// An override on the record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AppliedOverride {
    /// Who let the file through (the journal's actor).
    pub by: String,
    /// The journal line that records it.
    pub journal_entry: i64,
    /// The file's absolute path, as recorded.
    pub path: String,
    pub sha256: String,
    pub reason: String,
}

/// The reason rule: an override always says why, in the operator's words (blank is no reason).
pub fn override_reason(typed: Option<&str>) -> Result<String, OverrideError> {
    match typed.map(str::trim) {
        Some(reason) if !reason.is_empty() => Ok(crate::text::sanitize_short(reason, 500)),
        _ => Err(OverrideError::NoReason),
    }
}

/// The path to record for `file`: absolute (symlinks resolved when the file is still there), so
/// the journal says which file even when read from another directory or machine.
fn absolute_path(file: &str) -> String {
    let path = std::path::Path::new(file);
    let absolute = std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf());
    crate::text::sanitize_short(&absolute.to_string_lossy(), 400)
}

/// [`apply_override`], returning the journal line id only.
pub async fn record_override(
    journal: &Journal,
    report: &Report,
    file: &str,
    reason: Option<&str>,
) -> Result<i64, OverrideError> {
    Ok(apply_override(journal, report, file, reason)
        .await?
        .journal_entry)
}

/// Lets a soft-only report through on the record: checks the rules, then writes one journal
/// line. `file` is how the operator named the file; `reason` their words, required.
pub async fn apply_override(
    journal: &Journal,
    report: &Report,
    file: &str,
    reason: Option<&str>,
) -> Result<AppliedOverride, OverrideError> {
    if !report.can_override() {
        return Err(OverrideError::NotOverridable(report.status));
    }
    let sha256 = report.sha256.as_deref().ok_or(OverrideError::NoHash)?;
    let reason = override_reason(reason)?;
    let path = absolute_path(file);
    let named = crate::text::sanitize_short(file, 200);
    let data = serde_json::json!({
        "operator": journal.actor(),
        "file": path,
        "named": named,
        "sha256": sha256,
        "bytes": report.bytes,
        "rows": report.rows,
        "valid_rows": report.valid_rows,
        "counts": report.counts_json(),
        "findings": report.findings.iter().take(JOURNALED_FINDINGS).collect::<Vec<_>>(),
        "findings_total": report.counts().values().sum::<u64>(),
        "findings_omitted": report.findings_omitted,
        "database_checks": report.database.describe(),
        "reason": reason,
    });
    let message = format!(
        "cohort {path} (sha256 {}) let through with {}",
        &sha256[..12.min(sha256.len())],
        report.summary_line()
    );
    let journal_entry = journal.record_event(OVERRIDE_KIND, &message, data).await?;
    Ok(AppliedOverride {
        by: journal.actor().to_owned(),
        journal_entry,
        path,
        sha256: sha256.to_owned(),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_required_and_blank_is_none() {
        assert!(matches!(
            override_reason(None),
            Err(OverrideError::NoReason)
        ));
        assert!(matches!(
            override_reason(Some(" \t ")),
            Err(OverrideError::NoReason)
        ));
        assert_eq!(
            override_reason(Some("  bob asked twice ")).unwrap(),
            "bob asked twice"
        );
    }

    #[test]
    fn the_recorded_path_is_absolute() {
        let path = absolute_path("cohort.csv");
        assert!(std::path::Path::new(&path).is_absolute(), "{path}");
        assert!(path.ends_with("cohort.csv"), "{path}");
    }
}
