//! The handoff report as Markdown that reads well pasted into a chat message or a pull request.

use super::{AttentionWhy, GateRow, HandoffReport, PeriodBasis, Section, VerdictSection};
use crate::gate::GateState;
use chrono::{DateTime, Utc};
use std::fmt::Write;

fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn clock(at: DateTime<Utc>) -> String {
    at.format("%H:%M UTC").to_string()
}

/// `3h 55m`, `2d 4h`, `45s`: the largest two units.
pub fn span(seconds: i64) -> String {
    let s = seconds.unsigned_abs();
    let (d, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{sec}s"),
        (0, 0, _) => format!("{m}m"),
        (0, _, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

/// Text in a table cell: no pipe or line break can bend the table.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

pub fn markdown(report: &HandoffReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Shift handoff: {} ({})\n",
        report.launch, report.environment
    );
    let _ = write!(
        out,
        "Written by **{}** at {}",
        report.written_by,
        time(report.written_at)
    );
    match report.decision_at {
        Some(at) if at > report.written_at => {
            let _ = write!(
                out,
                " · decision call in {} ({})",
                span((at - report.written_at).num_seconds()),
                time(at)
            );
        }
        Some(at) => {
            let _ = write!(
                out,
                " · decision call was {} ago ({})",
                span((report.written_at - at).num_seconds()),
                time(at)
            );
        }
        None => {}
    }
    out.push_str("  \n");
    let basis = match &report.period.basis {
        PeriodBasis::Asked => String::new(),
        PeriodBasis::TakeOver { by } => format!(" ({by} took over the shift)"),
        PeriodBasis::Default => " (no shift take-over on record: the last 8 hours)".to_owned(),
    };
    let _ = write!(out, "Period: since {}{basis}", time(report.period.since));
    match &report.on_shift {
        Some(shift) => {
            let _ = writeln!(
                out,
                " · on shift: **{}** since {}",
                shift.operator,
                time(shift.since)
            );
        }
        None => out.push_str(" · on shift: nobody has taken over yet\n"),
    }
    for section in &report.sections {
        out.push('\n');
        match section {
            Section::Verdict(v) => verdict(&mut out, v),
            Section::Attention { items } => {
                out.push_str("## Needs attention now\n\n");
                if items.is_empty() {
                    out.push_str("Nothing: every gate is observed and passing.\n");
                }
                for item in items {
                    let (mark, why) = match item.why {
                        AttentionWhy::Red => ("🔴", "red"),
                        AttentionWhy::Unknown => ("⚪", "unknown"),
                        AttentionWhy::Stale => ("⚪", "stale: no recent observation"),
                    };
                    let required = if item.required {
                        ""
                    } else {
                        " (informational)"
                    };
                    let _ = writeln!(
                        out,
                        "- {mark} {}: {why}{required}",
                        named(&item.gate, &item.title)
                    );
                }
            }
            Section::Gates { gates } => gates_table(&mut out, gates),
            Section::Transitions { lines } => {
                let _ = writeln!(out, "## Transitions ({})\n", lines.len());
                if lines.is_empty() {
                    out.push_str("None in this period.\n");
                }
                for t in newest(&mut out, lines, "transitions") {
                    let from = t
                        .from
                        .map_or("first observed as".to_owned(), |f| format!("{f} →"));
                    let value = t
                        .value
                        .as_deref()
                        .map(|v| format!(" ({v})"))
                        .unwrap_or_default();
                    let error = t
                        .error
                        .as_deref()
                        .map(|e| format!(": {e}"))
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "- {} **{}** {from} {}{value}{error} — {}",
                        clock(t.at),
                        t.gate,
                        t.to,
                        t.actor
                    );
                }
            }
            Section::Alerts { alerts } => alerts_list(&mut out, alerts),
            Section::Actions { lines } => {
                let _ = writeln!(out, "## Operator actions ({})\n", lines.len());
                if lines.is_empty() {
                    out.push_str("None in this period.\n");
                }
                for a in newest(&mut out, lines, "operator actions") {
                    let _ = writeln!(
                        out,
                        "- {} **{}** {}: {}",
                        clock(a.at),
                        a.actor,
                        a.kind.replace('_', " "),
                        a.text
                    );
                }
            }
            Section::Dispatch(d) => dispatch(&mut out, d),
            Section::Checklist(c) => super::call::checklist_markdown(&mut out, c),
            Section::RollCall(c) => super::call::call_markdown(&mut out, c),
        }
    }
    out
}

/// Lines a Markdown list shows at most: a report is read, and a chat message or a PR has room
/// for this many; `--format json` and `gonogo timeline` have every line.
pub const LISTED: usize = 300;

/// The newest [`LISTED`] of `lines`, in order, after a line that says how many earlier ones
/// are left out.
fn newest<'a, T>(out: &mut String, lines: &'a [T], what: &str) -> &'a [T] {
    let skipped = lines.len().saturating_sub(LISTED);
    if skipped > 0 {
        let _ = writeln!(
            out,
            "_{skipped} earlier {what} are not listed here: `--format json` or `gonogo timeline` has every one._\n"
        );
    }
    &lines[skipped..]
}

fn dispatch(out: &mut String, d: &super::DispatchSection) {
    out.push_str("## Invite dispatch\n\n");
    if let Some(why) = &d.unread {
        let _ = writeln!(
            out,
            "**The dispatch ledger could not be read** ({why}): check `gonogo invites status`."
        );
        return;
    }
    if d.batches.is_empty() {
        out.push_str("No batch prepared yet.\n");
        return;
    }
    out.push_str(
        "| Batch | Sent | Pending | Failed | Unknown | Total |\n|---|---:|---:|---:|---:|---:|\n",
    );
    for b in &d.batches {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            b.batch, b.sent, b.pending, b.failed, b.unknown, b.total
        );
    }
    if !d.senders.is_empty() {
        let _ = writeln!(out, "\nSending now: {}.", d.senders.join(", "));
    }
    for (title, rows) in [
        (
            "Unknown: settle each with `gonogo invites resolve EMAIL --as sent|retry --reason …`",
            &d.unknown,
        ),
        ("Failed", &d.failed),
    ] {
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title} ({}):\n", rows.len());
        for m in rows {
            let _ = writeln!(
                out,
                "- {} {} ({}): {}",
                clock(m.at),
                m.email,
                m.batch,
                m.reason
            );
        }
    }
}

/// What became of an alert's delivery, in words (`reason` as the caller cleaned it).
pub fn delivery(a: &super::AlertReportLine, reason: &str) -> String {
    match a.delivery {
        None => "no delivery recorded".to_owned(),
        Some(crate::alerts::DeliveryOutcome::Delivered) => format!(
            "delivered (HTTP {}, {})",
            a.status.unwrap_or_default(),
            crate::plural::count(u64::from(a.attempts), "attempt")
        ),
        Some(outcome) => format!(
            "**not delivered** ({}): {reason}",
            outcome.as_str().replace('_', " ")
        ),
    }
}

fn alerts_list(out: &mut String, alerts: &[super::AlertReportLine]) {
    let _ = writeln!(out, "## Alerts ({})\n", alerts.len());
    if alerts.is_empty() {
        out.push_str("None in this period.\n");
    }
    for a in alerts {
        let outcome = delivery(a, &a.reason);
        let coordinated = if a.coordinated {
            ""
        } else {
            " (not coordinated: the database was away)"
        };
        let _ = writeln!(
            out,
            "- {} **{}** {} — {outcome} · raised by {}{coordinated}",
            clock(a.at),
            a.severity,
            a.title,
            a.actor
        );
    }
}

fn verdict(out: &mut String, v: &VerdictSection) {
    let _ = writeln!(out, "## Verdict: {}\n", v.now);
    let start = match v.at_start {
        Some(start) => format!("It was {start} when the period began"),
        None => "Nothing was recorded before the period".to_owned(),
    };
    match v.changes.len() {
        0 => {
            let _ = writeln!(out, "{start}; it did not change in the period.");
        }
        n => {
            let plural = if n == 1 { "" } else { "s" };
            let _ = writeln!(out, "{start}; it changed {n} time{plural}:\n");
            for c in &v.changes {
                let _ = writeln!(out, "- {} {} → {}", clock(c.at), c.from, c.to);
            }
        }
    }
}

/// `**id** title`, or `**id**` alone when the config gave the gate no title of its own.
fn named(id: &str, title: &str) -> String {
    if title.is_empty() || title == id {
        format!("**{id}**")
    } else {
        format!("**{id}** {title}")
    }
}

fn gates_table(out: &mut String, gates: &[GateRow]) {
    out.push_str("## Gates\n\n");
    out.push_str("| | gate | value | since | red | unknown | last observed |\n");
    out.push_str("|---|---|---|---|---|---|---|\n");
    for g in gates {
        let mark = if g.stale {
            GateState::Unknown.symbol()
        } else {
            g.state.symbol()
        };
        let name = named(&cell(&g.id), &cell(&g.title));
        let name = if g.required {
            name
        } else {
            format!("{name} (informational)")
        };
        let observed = match (&g.observed_at, &g.observer) {
            (Some(at), Some(by)) => format!(
                "{} by {}{}",
                clock(*at),
                cell(by),
                if g.stale { " (stale)" } else { "" }
            ),
            _ => "never".to_owned(),
        };
        let _ = writeln!(
            out,
            "| {mark} | {name} | {} | {} | {} | {} | {observed} |",
            g.value.as_deref().map(cell).unwrap_or_else(|| "—".into()),
            g.since.map(clock).unwrap_or_else(|| "—".into()),
            span(g.red_seconds),
            span(g.unknown_seconds),
        );
    }
    let notes: Vec<&GateRow> = gates.iter().filter(|g| g.error.is_some()).collect();
    if !notes.is_empty() {
        out.push('\n');
        for g in notes {
            let _ = writeln!(
                out,
                "- **{}**: {}",
                g.id,
                g.error.as_deref().unwrap_or_default()
            );
        }
    }
}

#[cfg(test)]
mod list_tests {
    use super::{LISTED, named, newest};

    #[test]
    fn a_gate_without_a_title_of_its_own_is_named_once() {
        assert_eq!(named("smoke", "smoke"), "**smoke**");
        assert_eq!(named("smoke", ""), "**smoke**");
        assert_eq!(named("smoke", "Smoke test"), "**smoke** Smoke test");
    }

    #[test]
    fn long_lists_keep_their_newest_lines_and_say_how_many_are_left_out() {
        let lines: Vec<usize> = (0..LISTED + 42).collect();
        let mut out = String::new();
        let shown = newest(&mut out, &lines, "transitions");
        assert_eq!(shown.len(), LISTED);
        assert_eq!(shown.first(), Some(&42));
        assert!(
            out.contains("42 earlier transitions are not listed"),
            "{out}"
        );
        let mut out = String::new();
        assert_eq!(newest(&mut out, &lines[..10], "transitions").len(), 10);
        assert!(out.is_empty());
    }
}
