//! The cohort report: status, counts, distribution per label and group, findings, and the JSON
//! shape `gonogo cohort validate --json` prints.

use super::finding::{Code, Finding, Severity};
use super::settings::CohortSettings;
use serde::Serialize;
use std::collections::BTreeMap;

/// The overall answer: may invites go out from this file?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// No findings.
    Ok,
    /// Soft findings only: an operator may override them, on the record.
    Warn,
    /// At least one hard finding: nothing unblocks it but a fixed file.
    Blocked,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Blocked => "blocked",
        }
    }

    /// 0 clean, 1 blocked, 2 soft findings only.
    pub fn exit_code(self) -> u8 {
        match self {
            Status::Ok => crate::exit::OK,
            Status::Blocked => crate::exit::NO_GO,
            Status::Warn => crate::exit::UNKNOWN,
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether the collision checks against the product database ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseChecks {
    /// Not run; the reason says why (`--offline`, no `[postgres]`, not run yet).
    Skipped(String),
    /// Ran against this many distinct valid emails.
    Ran { emails: usize },
}

impl DatabaseChecks {
    pub fn describe(&self) -> String {
        match self {
            DatabaseChecks::Skipped(why) => format!("database checks skipped ({why})"),
            DatabaseChecks::Ran { emails } => {
                format!("database checks ran ({emails} distinct emails checked)")
            }
        }
    }
}

/// Everything known about one cohort file. Serializes to exactly
/// `{"status","rows","valid_rows","distribution","groups","findings"}`; the other fields are
/// for people and the cockpit.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub status: Status,
    /// Data records read (the header and blank lines excluded).
    pub rows: u64,
    /// Records without any hard finding: the ones that would be invited.
    pub valid_rows: u64,
    /// Valid rows per cohort label, as written in the file (trimmed).
    pub distribution: BTreeMap<String, u64>,
    /// Valid rows per group (the label's part before the first `-`, lowercased).
    pub groups: BTreeMap<String, u64>,
    /// Sorted by line (file-wide findings first), then code.
    pub findings: Vec<Finding>,
    /// The thresholds the distribution was checked against.
    #[serde(skip)]
    pub thresholds: CohortSettings,
    #[serde(skip)]
    pub database: DatabaseChecks,
    /// SHA-256 of the file, hex; `None` when reading stopped before the end (a blocked file).
    #[serde(skip)]
    pub sha256: Option<String>,
    #[serde(skip)]
    pub bytes: u64,
}

impl Report {
    pub(crate) fn new(thresholds: CohortSettings) -> Report {
        Report {
            status: Status::Ok,
            rows: 0,
            valid_rows: 0,
            distribution: BTreeMap::new(),
            groups: BTreeMap::new(),
            findings: Vec::new(),
            thresholds,
            database: DatabaseChecks::Skipped("not run".into()),
            sha256: None,
            bytes: 0,
        }
    }

    /// Adds findings (the database checks' ones, say) and recomputes order and status.
    pub fn add_findings(&mut self, findings: impl IntoIterator<Item = Finding>) {
        self.findings.extend(findings);
        self.settle();
    }

    pub(crate) fn settle(&mut self) {
        self.findings.sort_by_key(|f| (f.line.unwrap_or(0), f.code));
        self.status = if self.findings.iter().any(Finding::is_hard) {
            Status::Blocked
        } else if self.findings.is_empty() {
            Status::Ok
        } else {
            Status::Warn
        };
    }

    pub fn hard_count(&self) -> usize {
        self.findings.iter().filter(|f| f.is_hard()).count()
    }

    pub fn soft_count(&self) -> usize {
        self.findings.len() - self.hard_count()
    }

    /// Number of findings per code, in code order.
    pub fn counts(&self) -> BTreeMap<Code, usize> {
        let mut counts = BTreeMap::new();
        for f in &self.findings {
            *counts.entry(f.code).or_insert(0) += 1;
        }
        counts
    }

    /// Findings grouped by code (hard codes first), each group in line order.
    pub fn by_code(&self) -> Vec<(Code, Vec<&Finding>)> {
        let mut groups: BTreeMap<(Severity, Code), Vec<&Finding>> = BTreeMap::new();
        for f in &self.findings {
            groups.entry((f.severity, f.code)).or_default().push(f);
        }
        groups.into_iter().map(|((_, c), v)| (c, v)).collect()
    }

    /// The findings about the record starting at `line` (binary search: findings are sorted).
    pub fn findings_at(&self, line: u64) -> &[Finding] {
        let from = self
            .findings
            .partition_point(|f| f.line.unwrap_or(0) < line);
        let to = self
            .findings
            .partition_point(|f| f.line.unwrap_or(0) <= line);
        &self.findings[from..to]
    }

    /// Only soft findings: an override may let this file through.
    pub fn can_override(&self) -> bool {
        self.status == Status::Warn
    }

    /// One line for logs and the journal: `warn: 120 rows, 118 valid, 2 soft (too_few_rows×1 …)`.
    pub fn summary_line(&self) -> String {
        let counts: Vec<String> = self
            .counts()
            .iter()
            .map(|(code, n)| format!("{code}×{n}"))
            .collect();
        let mut line = format!(
            "{}: {} rows, {} valid, {} hard, {} soft finding(s)",
            self.status,
            self.rows,
            self.valid_rows,
            self.hard_count(),
            self.soft_count()
        );
        if !counts.is_empty() {
            line.push_str(&format!(" ({})", counts.join(", ")));
        }
        line
    }

    /// The soft findings that depend on counts: rows, groups and labels against the thresholds.
    pub(crate) fn check_thresholds(&mut self) {
        let t = &self.thresholds;
        let mut found = Vec::new();
        if self.valid_rows < t.min_rows {
            found.push(Finding::file(
                Code::TooFewRows,
                &format!(
                    "{} valid rows; the cohort needs at least {}",
                    self.valid_rows, t.min_rows
                ),
            ));
        }
        for (group, &min) in &t.groups {
            let have = self.groups.get(&group.to_lowercase()).copied().unwrap_or(0);
            if have < min {
                found.push(Finding::file(
                    Code::TooFewInGroup,
                    &format!("group `{group}` has {have} valid rows; it needs at least {min}"),
                ));
            }
        }
        let labels = self.distribution.len() as u64;
        if labels < t.min_labels {
            found.push(Finding::file(
                Code::TooFewLabels,
                &format!(
                    "{labels} distinct cohort label(s); the cohort needs at least {}",
                    t.min_labels
                ),
            ));
        }
        self.findings.extend(found);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_follows_the_worst_finding() {
        let mut r = Report::new(CohortSettings::default());
        r.settle();
        assert_eq!(r.status, Status::Ok);
        r.add_findings([Finding::file(Code::TooFewRows, "x")]);
        assert_eq!(r.status, Status::Warn);
        assert!(r.can_override());
        r.add_findings([Finding::at(Code::RaggedRow, 4, None, "x")]);
        assert_eq!(r.status, Status::Blocked);
        assert_eq!(r.status.exit_code(), 1);
        assert!(!r.can_override());
    }

    #[test]
    fn json_has_exactly_the_documented_keys() {
        let mut r = Report::new(CohortSettings::default());
        r.add_findings([Finding::at(Code::DuplicateEmail, 3, Some("a@x.io"), "dup")]);
        let v = serde_json::to_value(&r).unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "distribution",
                "findings",
                "groups",
                "rows",
                "status",
                "valid_rows"
            ]
        );
        assert_eq!(
            v["findings"][0],
            serde_json::json!({"code": "duplicate_email", "severity": "hard", "line": 3,
                               "email": "a@x.io", "message": "dup"})
        );
    }

    #[test]
    fn findings_at_a_line() {
        let mut r = Report::new(CohortSettings::default());
        r.add_findings([
            Finding::at(Code::MissingCohort, 5, None, "a"),
            Finding::file(Code::TooFewRows, "b"),
            Finding::at(Code::MalformedEmail, 5, None, "c"),
            Finding::at(Code::RaggedRow, 2, None, "d"),
        ]);
        let at5: Vec<Code> = r.findings_at(5).iter().map(|f| f.code).collect();
        assert_eq!(at5, [Code::MalformedEmail, Code::MissingCohort]);
        assert!(r.findings_at(3).is_empty());
        assert_eq!(r.findings_at(0)[0].code, Code::TooFewRows);
    }
}
