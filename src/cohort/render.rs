//! The plain-text cohort report for the terminal: summary, distribution against the thresholds,
//! findings grouped by code with their lines (capped per code, and saying what the report did
//! not keep). Every cell is sanitized.

use super::cell::as_written;
use super::kept::FINDINGS_KEPT_PER_CODE;
use super::report::{Report, Status};
use super::validate::group_of;
use crate::text::sanitize_short;
use std::fmt::Write;

/// Lines listed per finding code before "… and N more" (`--json` has every kept one).
pub const LINES_PER_CODE: usize = 20;
/// Labels listed in the distribution before the rest is summed up.
const LABELS_SHOWN: usize = 40;

/// Renders the report; `file` is the name the operator gave.
pub fn render_text(report: &Report, file: &str) -> String {
    let mut out = String::new();
    let t = &report.thresholds;
    let _ = writeln!(
        out,
        "cohort {}: {}, {} valid, {} hard and {} soft {}",
        sanitize_short(file, 120),
        crate::plural::count(report.rows, "row"),
        report.valid_rows,
        report.hard_count(),
        report.soft_count(),
        crate::plural::noun(report.soft_count(), "finding", "findings")
    );
    if let Some(sha) = &report.sha256 {
        let _ = writeln!(out, "sha256 {sha} ({} bytes)", report.bytes);
    }
    let _ = writeln!(out, "{}", report.database.describe());
    if report.rows > 0 {
        out.push('\n');
        distribution(&mut out, report, t.min_rows, t.min_labels);
    }
    if !report.findings.is_empty() {
        out.push('\n');
        let _ = writeln!(out, "Findings");
        for group in report.by_code() {
            let code = group.code;
            let _ = writeln!(
                out,
                "  {code} ({}) ×{}",
                code.severity().as_str(),
                group.total
            );
            for f in group.kept.iter().take(LINES_PER_CODE) {
                let place = f
                    .line
                    .map(|l| format!("line {l}"))
                    .unwrap_or_else(|| "file".into());
                let email = f
                    .email
                    .as_deref()
                    .map(|e| format!(" {} —", as_written(e, 80)))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "    {place}:{email} {}",
                    sanitize_short(&f.message, 160)
                );
            }
            let listed = group.kept.len().min(LINES_PER_CODE) as u64;
            let omitted = group.omitted();
            if omitted > 0 {
                let _ = writeln!(
                    out,
                    "    … and {} more; {omitted} not kept: only the first \
                     {FINDINGS_KEPT_PER_CODE} by line are listed, in --json too",
                    group.total - listed
                );
            } else if group.total > listed {
                let _ = writeln!(out, "    … and {} more (see --json)", group.total - listed);
            }
        }
    }
    out.push('\n');
    let verdict = match report.status {
        Status::Ok => "OK: the cohort is clean".to_owned(),
        Status::Warn => {
            "WARN: soft findings only; fix them, or override with --force (journaled)".to_owned()
        }
        Status::Blocked => {
            "BLOCKED: hard findings; fix the file (--force cannot unblock it)".to_owned()
        }
    };
    let _ = writeln!(out, "STATUS: {verdict}");
    out
}

fn distribution(out: &mut String, report: &Report, min_rows: u64, min_labels: u64) {
    let mark = |have: u64, min: Option<u64>| match min {
        Some(min) if have < min => format!("≥{min}  LOW"),
        Some(min) => format!("≥{min}  ok"),
        None => String::new(),
    };
    let minimums = report.thresholds.group_minimums();
    let mut groups: Vec<(String, u64)> =
        report.groups.iter().map(|(g, n)| (g.clone(), *n)).collect();
    for group in minimums.keys() {
        if !report.groups.contains_key(group) {
            groups.push((group.clone(), 0));
        }
    }
    groups.sort();
    let width = groups
        .iter()
        .map(|(g, _)| g.chars().count())
        .chain(report.distribution.keys().map(|l| l.chars().count() + 2))
        .max()
        .unwrap_or(8)
        .clamp(16, 48);
    let labels = report.distribution.len() as u64;
    let _ = writeln!(out, "Distribution (valid rows)");
    let _ = writeln!(
        out,
        "  {:<width$}  {:>7}  {}",
        "all rows",
        report.valid_rows,
        mark(report.valid_rows, Some(min_rows))
    );
    let _ = writeln!(
        out,
        "  {:<width$}  {:>7}  {}",
        "distinct labels",
        labels,
        mark(labels, Some(min_labels))
    );
    let _ = writeln!(out, "  {:<width$}  {:>7}  min", "group", "rows");
    for (group, n) in &groups {
        let min = minimums.get(group).copied();
        let row = format!(
            "  {:<width$}  {:>7}  {}",
            sanitize_short(group, width),
            n,
            mark(*n, min)
        );
        let _ = writeln!(out, "{}", row.trim_end());
        let mut shown = 0;
        for (label, count) in report
            .distribution
            .iter()
            .filter(|(l, _)| group_of(l).as_ref() == group.as_str())
        {
            shown += 1;
            if shown > LABELS_SHOWN {
                continue;
            }
            let _ = writeln!(
                out,
                "    {:<w$}  {:>7}",
                sanitize_short(label, width - 2),
                count,
                w = width - 2
            );
        }
        if shown > LABELS_SHOWN {
            let _ = writeln!(out, "    … and {} more labels", shown - LABELS_SHOWN);
        }
    }
}
