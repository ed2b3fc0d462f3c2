//! The findings a report keeps: the exact count of every code, and at most
//! [`FINDINGS_KEPT_PER_CODE`] findings of each code, the first by line. A file where every one
//! of two million rows is a duplicate costs a count, not gigabytes of findings.

use super::finding::{Code, Finding};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};

/// Findings stored per code; the rest of a code is counted only. Enough to fix a file by (the
/// same mistake a thousand times is one mistake), small enough to hold fourteen times over.
pub const FINDINGS_KEPT_PER_CODE: usize = 1_000;

/// Counts every finding pushed and keeps the first [`FINDINGS_KEPT_PER_CODE`] of each code by
/// line (file-wide findings first; among equal lines, the first pushed). Findings may arrive in
/// any order: the database checks' do.
#[derive(Debug, Default)]
pub(crate) struct FindingStore {
    counts: BTreeMap<Code, u64>,
    kept: BTreeMap<Code, BinaryHeap<Ranked>>,
    pushed: u64,
}

impl FindingStore {
    /// A store holding what a report already has: its kept findings and their full counts.
    pub(crate) fn resume(findings: Vec<Finding>, counts: BTreeMap<Code, u64>) -> FindingStore {
        let mut store = FindingStore {
            counts,
            ..FindingStore::default()
        };
        for finding in findings {
            store.keep(finding);
        }
        store
    }

    pub(crate) fn push(&mut self, finding: Finding) {
        *self.counts.entry(finding.code).or_insert(0) += 1;
        self.keep(finding);
    }

    /// Adds another store's counts and kept findings.
    pub(crate) fn merge(&mut self, other: FindingStore) {
        for (&code, &n) in &other.counts {
            *self.counts.entry(code).or_insert(0) += n;
        }
        for finding in other.into_sorted() {
            self.keep(finding);
        }
    }

    fn keep(&mut self, finding: Finding) {
        let ranked = Ranked {
            line: finding.line.unwrap_or(0),
            order: self.pushed,
            finding,
        };
        self.pushed += 1;
        let heap = self.kept.entry(ranked.finding.code).or_default();
        if heap.len() < FINDINGS_KEPT_PER_CODE {
            heap.push(ranked);
        } else if heap.peek().is_some_and(|last| ranked < *last) {
            heap.pop();
            heap.push(ranked);
        }
    }

    /// The kept findings sorted by line then code, and the count of every code.
    pub(crate) fn finish(self) -> (Vec<Finding>, BTreeMap<Code, u64>) {
        let counts = self.counts.clone();
        (self.into_sorted(), counts)
    }

    fn into_sorted(self) -> Vec<Finding> {
        let mut all: Vec<Ranked> = self
            .kept
            .into_values()
            .flat_map(BinaryHeap::into_vec)
            .collect();
        all.sort_unstable_by_key(|r| (r.line, r.finding.code, r.order));
        all.into_iter().map(|r| r.finding).collect()
    }
}

/// A finding in a code's max-heap: the top is the one to drop first (last line, last pushed).
#[derive(Debug)]
struct Ranked {
    line: u64,
    order: u64,
    finding: Finding,
}

impl Ranked {
    fn key(&self) -> (u64, u64) {
        (self.line, self.order)
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Ranked) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Ranked) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Ranked) -> Ordering {
        self.key().cmp(&other.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(code: Code, line: u64) -> Finding {
        Finding::at(code, line, None, "x")
    }

    fn lines(findings: &[Finding], code: Code) -> Vec<Option<u64>> {
        findings
            .iter()
            .filter(|f| f.code == code)
            .map(|f| f.line)
            .collect()
    }

    #[test]
    fn keeps_the_first_by_line_whatever_the_order() {
        let mut store = FindingStore::default();
        let n = FINDINGS_KEPT_PER_CODE as u64;
        for line in (0..3 * n).rev() {
            store.push(at(Code::ExistingUser, line + 2));
        }
        store.push(Finding::file(Code::BadEncoding, "stopped"));
        for line in 2..n + 10 {
            store.push(at(Code::BadEncoding, line));
        }
        let (findings, counts) = store.finish();
        assert_eq!(counts[&Code::ExistingUser], 3 * n);
        assert_eq!(counts[&Code::BadEncoding], n + 9);
        let users = lines(&findings, Code::ExistingUser);
        assert_eq!(users, (2..n + 2).map(Some).collect::<Vec<_>>());
        // The file-wide finding sorts first, so it is kept though it came last but one.
        let encoding = lines(&findings, Code::BadEncoding);
        assert_eq!(encoding.len(), FINDINGS_KEPT_PER_CODE);
        assert_eq!(encoding[0], None);
        assert_eq!(encoding[1..], (2..n + 1).map(Some).collect::<Vec<_>>());
    }

    #[test]
    fn equal_lines_keep_the_first_pushed() {
        let mut store = FindingStore::default();
        for i in 0..FINDINGS_KEPT_PER_CODE + 5 {
            store.push(Finding::at(Code::MalformedEmail, 7, None, &i.to_string()));
        }
        let (findings, _) = store.finish();
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages.first(), Some(&"0"));
        assert_eq!(messages.last(), Some(&"999"));
    }

    #[test]
    fn resume_and_merge_add_counts_and_keep_the_cap() {
        let mut first = FindingStore::default();
        for line in 0..600 {
            first.push(at(Code::DuplicateEmail, 1000 + line));
        }
        let (findings, counts) = first.finish();
        let mut store = FindingStore::resume(findings, counts);
        let mut more = FindingStore::default();
        for line in 0..600 {
            more.push(at(Code::DuplicateEmail, line + 2));
        }
        store.merge(more);
        let (findings, counts) = store.finish();
        assert_eq!(counts[&Code::DuplicateEmail], 1200);
        assert_eq!(findings.len(), FINDINGS_KEPT_PER_CODE);
        assert_eq!(findings[0].line, Some(2));
        assert_eq!(findings.last().and_then(|f| f.line), Some(1000 + 399));
    }
}
