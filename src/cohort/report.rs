//! The cohort report: status, counts, distribution per label and group, findings, and the JSON
//! shape `gonogo cohort validate --json` prints.

use super::finding::{Code, Finding, Severity};
use super::kept::FindingStore;
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
/// `{"status","rows","valid_rows","distribution","groups","findings","findings_omitted"}`; the
/// other fields are for people and the cockpit.
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
    /// The kept findings: at most
    /// [`FINDINGS_KEPT_PER_CODE`](crate::cohort::FINDINGS_KEPT_PER_CODE) per code, the first by line.
    /// Sorted by line (file-wide findings first), then code. [`Report::counts`] has them all.
    pub findings: Vec<Finding>,
    /// Per code, how many findings were counted but not kept (codes with none left out are
    /// absent). Status, counts and exit code include them.
    pub findings_omitted: BTreeMap<Code, u64>,
    #[serde(skip)]
    counts: BTreeMap<Code, u64>,
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

/// The findings of one code: how many there are, and the ones kept.
#[derive(Debug)]
pub struct CodeFindings<'a> {
    pub code: Code,
    pub total: u64,
    /// In line order; fewer than `total` when some were left out.
    pub kept: Vec<&'a Finding>,
}

impl CodeFindings<'_> {
    /// Findings of this code counted but not kept.
    pub fn omitted(&self) -> u64 {
        self.total.saturating_sub(self.kept.len() as u64)
    }
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
            findings_omitted: BTreeMap::new(),
            counts: BTreeMap::new(),
            thresholds,
            database: DatabaseChecks::Skipped("not run".into()),
            sha256: None,
            bytes: 0,
        }
    }

    /// Adds findings (the database checks' ones, say) and recomputes order and status.
    pub fn add_findings(&mut self, findings: impl IntoIterator<Item = Finding>) {
        let mut more = FindingStore::default();
        for finding in findings {
            more.push(finding);
        }
        self.add_store(more);
    }

    pub(crate) fn add_store(&mut self, more: FindingStore) {
        let mut store = FindingStore::resume(
            std::mem::take(&mut self.findings),
            std::mem::take(&mut self.counts),
        );
        store.merge(more);
        self.set_findings(store);
    }

    /// Takes the store's findings and counts, and settles omissions and status from them.
    pub(crate) fn set_findings(&mut self, store: FindingStore) {
        let (findings, counts) = store.finish();
        let mut omitted = counts.clone();
        for f in &findings {
            if let Some(n) = omitted.get_mut(&f.code) {
                *n = n.saturating_sub(1);
            }
        }
        omitted.retain(|_, n| *n > 0);
        self.findings = findings;
        self.findings_omitted = omitted;
        self.counts = counts;
        self.status = if self.hard_count() > 0 {
            Status::Blocked
        } else if self.counts.is_empty() {
            Status::Ok
        } else {
            Status::Warn
        };
    }

    /// Hard findings, kept or not.
    pub fn hard_count(&self) -> u64 {
        self.count_where(Severity::Hard)
    }

    /// Soft findings, kept or not.
    pub fn soft_count(&self) -> u64 {
        self.count_where(Severity::Soft)
    }

    fn count_where(&self, severity: Severity) -> u64 {
        self.counts
            .iter()
            .filter(|(code, _)| code.severity() == severity)
            .map(|(_, n)| n)
            .sum()
    }

    /// Number of findings per code (kept or not), in code order; codes without any are absent.
    pub fn counts(&self) -> &BTreeMap<Code, u64> {
        &self.counts
    }

    /// [`Report::counts`] as a JSON object keyed by code name: what the journal records with
    /// an override, and what an earlier override is compared with.
    pub fn counts_json(&self) -> serde_json::Value {
        self.counts
            .iter()
            .map(|(code, n)| (code.as_str().to_owned(), serde_json::Value::from(*n)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    }

    /// Findings grouped by code (hard codes first), each with its full count and its kept
    /// findings in line order.
    pub fn by_code(&self) -> Vec<CodeFindings<'_>> {
        let mut groups: BTreeMap<(Severity, Code), Vec<&Finding>> = BTreeMap::new();
        for f in &self.findings {
            groups.entry((f.severity, f.code)).or_default().push(f);
        }
        groups
            .into_iter()
            .map(|((_, code), kept)| CodeFindings {
                code,
                total: self.counts.get(&code).copied().unwrap_or(0),
                kept,
            })
            .collect()
    }

    /// The kept findings about the record starting at `line` (binary search: findings are
    /// sorted). A row past the kept ones of a code may have more: see
    /// [`crate::cohort::CohortRow::codes`] for a row's every code.
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
            .counts
            .iter()
            .map(|(code, n)| format!("{code}×{n}"))
            .collect();
        let mut line = format!(
            "{}: {}, {} valid, {} hard, {} soft {}",
            self.status,
            crate::plural::count(self.rows, "row"),
            self.valid_rows,
            self.hard_count(),
            self.soft_count(),
            crate::plural::noun(self.soft_count(), "finding", "findings")
        );
        if !counts.is_empty() {
            line.push_str(&format!(" ({})", counts.join(", ")));
        }
        line
    }

    /// The soft findings that depend on counts: rows, groups and labels against the thresholds.
    pub(crate) fn threshold_findings(&self) -> Vec<Finding> {
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
        for (group, min) in t.group_minimums() {
            let have = self.groups.get(&group).copied().unwrap_or(0);
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
                    "{}; the cohort needs at least {}",
                    crate::plural::count(labels, "distinct cohort label"),
                    t.min_labels
                ),
            ));
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_follows_the_worst_finding() {
        let mut r = Report::new(CohortSettings::default());
        r.add_findings([]);
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
                "findings_omitted",
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
    fn counts_json_names_every_code_with_its_full_count() {
        let mut r = Report::new(CohortSettings::default());
        r.add_findings([
            Finding::at(Code::DuplicateEmail, 3, None, "a"),
            Finding::at(Code::DuplicateEmail, 4, None, "b"),
            Finding::file(Code::TooFewRows, "c"),
        ]);
        assert_eq!(
            r.counts_json(),
            serde_json::json!({"duplicate_email": 2, "too_few_rows": 1})
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
