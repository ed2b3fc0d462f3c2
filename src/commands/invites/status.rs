//! `gonogo invites status [--batch B] [--json] [--watch]`: counts per batch and state, rate and
//! time left, failures and unknowns to settle, who is sending, late answers.

use super::open;
use crate::cli::{Cli, InvitesStatusArgs};
use crate::commands::{Failure, Outcome};
use crate::exit;
use crate::invite::{self, status};
use std::time::Duration;

pub(super) async fn run(cli: &Cli, args: &InvitesStatusArgs) -> Outcome {
    let opened = open(cli).await?;
    loop {
        let report = status::read(&opened.ledger, args.batch.as_deref())
            .await
            .map_err(|e| Failure::db(&opened.config.redactor, &e))?;
        let code = report.exit_code();
        if args.json {
            let doc = status_json(&report);
            outln!("{}", crate::text::to_json_pretty(&doc).unwrap_or_default());
        } else {
            out!("{}", status_text(&report));
        }
        if !args.watch || code != exit::UNKNOWN || report.batches.is_empty() {
            return Ok(code);
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

fn status_json(report: &status::StatusReport) -> serde_json::Value {
    let message = |r: &invite::LedgerRow| {
        serde_json::json!({
            "batch": r.batch, "email": r.email, "state": r.state, "message_id": r.message_id,
            "attempts": r.attempts, "reason": r.reason, "updated_at": r.updated_at,
        })
    };
    serde_json::json!({
        "batches": report.batches.iter().map(|b| serde_json::json!({
            "batch": b.batch, "total": b.total, "counts": b.counts, "rate_per_s": b.rate_per_s,
            "seconds_left": status::time_left(b, b.rate_per_s),
        })).collect::<Vec<_>>(),
        "messages": report.messages.iter().map(message).collect::<Vec<_>>(),
        "failed": report.failed.iter().map(message).collect::<Vec<_>>(),
        "unknown": report.unknown.iter().map(message).collect::<Vec<_>>(),
        "senders": report.senders,
        "late": report.late,
    })
}

fn status_text(report: &status::StatusReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    if report.batches.is_empty() {
        out.push_str("no batch prepared yet: run `gonogo invites prepare COHORT.csv`\n");
    }
    for b in &report.batches {
        let c = &b.counts;
        let left = status::time_left(b, b.rate_per_s)
            .map(|s| {
                format!(
                    ", about {} left",
                    humantime::format_duration(Duration::from_secs(s as u64))
                )
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "batch {}: {} sent, {} failed, {} unknown, {} pending, {} sending of {} ({:.1}/s{left})",
            b.batch, c.sent, c.failed, c.unknown, c.prepared, c.sending, b.total, b.rate_per_s
        );
    }
    for run in &report.senders {
        let _ = writeln!(
            out,
            "sending now: {}@{} since {}{}",
            crate::text::sanitize(&run.operator),
            crate::text::sanitize(&run.host),
            crate::clock::rfc3339(run.started_at),
            run.stalled_for
                .map(|s| format!(
                    " (stalled: pid {}, no heartbeat for {s:.0}s; not declared dead while its process is alive on this machine or its lease and margin run)",
                    run.pid
                ))
                .unwrap_or_default()
        );
    }
    if !report.late.is_empty() {
        let _ = writeln!(out, "late answers (runs declared dead):");
        for l in &report.late {
            let _ = writeln!(
                out,
                "  {}  {}  {}  now {}: {}",
                crate::clock::rfc3339(l.at),
                crate::text::sanitize(&l.email),
                l.batch,
                l.state,
                crate::text::sanitize(&l.detail)
            );
        }
    }
    for (title, rows) in [
        ("failed", &report.failed),
        (
            "unknown (settle with `gonogo invites resolve`)",
            &report.unknown,
        ),
    ] {
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{title}:");
        for r in rows {
            let _ = writeln!(
                out,
                "  {}  {}  {}",
                crate::text::sanitize(&r.email),
                r.batch,
                crate::text::sanitize(r.reason.as_deref().unwrap_or(""))
            );
        }
    }
    if !report.messages.is_empty() {
        let _ = writeln!(out, "messages:");
        for r in &report.messages {
            let _ = writeln!(
                out,
                "  {}  {:<8} {}  {}",
                crate::clock::rfc3339(r.updated_at),
                r.state,
                crate::text::sanitize(&r.email),
                crate::text::sanitize(r.reason.as_deref().unwrap_or(""))
            );
        }
    }
    out
}
