//! `report.md`: the post-launch report as Markdown that reads as a pull-request comment or a
//! wiki page: headings, tables, the charts linked by relative path, no raw HTML. Every text
//! read back from the database goes through [`Clean`]; a chart left out says why.

use super::{Charts, Clean, LaunchReport};
use crate::gate::Verdict;
use crate::handoff::span;
use crate::invite::Redemptions;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::fmt::Write;

fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn clock(at: DateTime<Utc>) -> String {
    at.format("%H:%M").to_string()
}

fn image(out: &mut String, chart: Option<&super::Chart>) {
    if let Some(c) = chart {
        let _ = writeln!(out, "![{}]({})\n", c.alt, c.file);
    }
}

pub fn markdown(report: &LaunchReport, charts: &Charts, clean: &Clean) -> String {
    let h = &report.handoff;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Launch report: {} ({})\n",
        clean.md(&h.launch),
        clean.md(&h.environment)
    );
    let _ = writeln!(
        out,
        "Period: {} to {} · written by **{}** at {}\n",
        time(report.since()),
        time(report.until()),
        clean.md(&h.written_by),
        time(h.written_at)
    );
    decision(&mut out, report, clean);
    verdict(&mut out, report, charts);
    gates(&mut out, report, charts, clean);
    dispatch(&mut out, report, charts);
    redemptions(&mut out, report, charts, clean);
    alerts(&mut out, report, clean);
    notes(&mut out, report, clean);
    out
}

fn decision(out: &mut String, report: &LaunchReport, clean: &Clean) {
    out.push_str("## Decision\n\n");
    let Some(d) = report.decision() else {
        out.push_str("No decision has been frozen for this launch.\n\n");
        return;
    };
    let over = if d.gates_overridden {
        " against the gates (overridden)"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "**Decision {}: {}**, frozen {} by {}{over}.\n",
        d.number,
        d.outcome,
        time(d.decided_at),
        clean.md(&d.decided_by)
    );
    if !(report.since()..=report.until()).contains(&d.decided_at) {
        out.push_str("It was frozen outside this report's period, so the verdict chart does not mark it.\n\n");
    }
    if !d.votes.is_empty() {
        out.push_str("| Role | Vote | By | At | Note |\n|---|---|---|---|---|\n");
        for v in &d.votes {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                clean.md(&v.role),
                v.vote.shout(),
                clean.md(&v.by),
                time(v.at),
                clean.md(v.note.as_deref().unwrap_or("")),
            );
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "Record hash: `{}` (`gonogo decision verify --expect HASH` checks the chain still holds it).\n",
        crate::text::sanitize_short(&d.hash, 80).replace('`', "")
    );
}

fn verdict(out: &mut String, report: &LaunchReport, charts: &Charts) {
    out.push_str("## Verdict over the period\n\n");
    if report.no_readings() {
        out.push_str(
            "No gate reading is on record for this period: the launch has no verdict to show, \
             and no verdict or gate chart is drawn.\n\n",
        );
        return;
    }
    image(out, charts.verdict.as_ref());
    let stretches = report.stretches();
    let mut by: BTreeMap<&str, i64> = BTreeMap::new();
    for s in &stretches {
        *by.entry(s.verdict.as_str()).or_default() += (s.to - s.from).num_seconds();
    }
    out.push_str("| Verdict | Time |\n|---|---:|\n");
    for v in [Verdict::Go, Verdict::NoGo, Verdict::Unknown] {
        let secs = by.get(v.as_str()).copied().unwrap_or(0);
        let _ = writeln!(out, "| {v} | {} |", span(secs));
    }
    out.push('\n');
    let changes: Vec<_> = stretches.windows(2).collect();
    if changes.is_empty() {
        out.push_str("It did not change in the period.\n\n");
    } else {
        let _ = writeln!(out, "It changed {} times:\n", changes.len());
        for pair in changes {
            let _ = writeln!(
                out,
                "- {} {} → {}",
                clock(pair[1].from),
                pair[0].verdict,
                pair[1].verdict
            );
        }
        out.push('\n');
    }
}

fn gates(out: &mut String, report: &LaunchReport, charts: &Charts, clean: &Clean) {
    if report.no_readings() || report.gates().is_empty() {
        return;
    }
    out.push_str("## Gates: time in each state\n\n");
    image(out, charts.gates.as_ref());
    out.push_str("| Gate | Required | ✅ pass | 🔴 fail | 🟡 pending | ⚪ unknown |\n");
    out.push_str("|---|---|---:|---:|---:|---:|\n");
    for g in report.gates() {
        let name = if g.title.is_empty() || g.title == g.id {
            format!("**{}**", clean.md(&g.id))
        } else {
            format!("**{}** {}", clean.md(&g.id), clean.md(&g.title))
        };
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {} |",
            if g.required { "yes" } else { "no" },
            span(g.pass_seconds),
            span(g.red_seconds),
            span(g.pending_seconds),
            span(g.unknown_seconds),
        );
    }
    out.push('\n');
}

fn dispatch(out: &mut String, report: &LaunchReport, charts: &Charts) {
    out.push_str("## Dispatch\n\n");
    match &report.sent {
        Err(why) => {
            let _ = writeln!(
                out,
                "The dispatch ledger could not be read ({why}): no dispatch chart is drawn.\n"
            );
        }
        Ok(hours) if hours.is_empty() => {
            out.push_str("No invitation was sent in the period.\n\n");
        }
        Ok(hours) => {
            image(out, charts.dispatch.as_ref());
            let total: i64 = hours.iter().map(|h| h.n).sum();
            let busiest = hours
                .iter()
                .max_by_key(|h| (h.n, std::cmp::Reverse(h.hour)));
            let _ = write!(out, "{total} sent in the period");
            if let Some(b) = busiest {
                let _ = write!(
                    out,
                    "; the busiest hour was {} UTC ({})",
                    clock(b.hour),
                    b.n
                );
            }
            out.push_str(".\n\n");
        }
    }
}

fn redemptions(out: &mut String, report: &LaunchReport, charts: &Charts, clean: &Clean) {
    out.push_str("## Redemptions\n\n");
    let hours = match &report.redemptions {
        Redemptions::Unavailable { why } => {
            let _ = writeln!(
                out,
                "Redemption data is not available ({}): no redemption chart is drawn.\n",
                clean.md(why)
            );
            return;
        }
        Redemptions::Hours { hours } if hours.is_empty() => {
            out.push_str(
                "No invitation of this launch was redeemed in the period (`beta_invites.used_at`): \
                 no redemption chart is drawn.\n\n",
            );
            return;
        }
        Redemptions::Hours { hours } => hours,
    };
    image(out, charts.redemptions.as_ref());
    let mut by: BTreeMap<&str, i64> = BTreeMap::new();
    for h in hours {
        *by.entry(h.cohort.as_str()).or_default() += h.n;
    }
    out.push_str("| Cohort | Redeemed |\n|---|---:|\n");
    for (cohort, n) in &by {
        let _ = writeln!(out, "| {} | {n} |", clean.md(cohort));
    }
    let _ = writeln!(out, "| **all** | **{}** |\n", by.values().sum::<i64>());
}

fn alerts(out: &mut String, report: &LaunchReport, clean: &Clean) {
    let alerts = report.alerts();
    let _ = writeln!(out, "## Alerts ({})\n", alerts.len());
    if alerts.is_empty() {
        out.push_str("None in the period.\n\n");
        return;
    }
    out.push_str("| At | Severity | Alert | Raised by | Delivery |\n|---|---|---|---|---|\n");
    for a in alerts {
        let delivery = crate::handoff::delivery(a, &clean.md(&a.reason));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {delivery} |",
            clock(a.at),
            a.severity,
            clean.md(&a.title),
            clean.md(&a.actor),
        );
    }
    out.push('\n');
}

fn notes(out: &mut String, report: &LaunchReport, clean: &Clean) {
    let notes = report.notes();
    let _ = writeln!(out, "## Operator notes ({})\n", notes.len());
    if notes.is_empty() {
        out.push_str("None in the period.\n");
        return;
    }
    out.push_str("| At | By | Note |\n|---|---|---|\n");
    for n in &notes {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            clock(n.at),
            clean.md(&n.by),
            clean.md(&n.text)
        );
    }
}
