//! `gonogo invites send`: the plan (messages, transport with credentials redacted, rate,
//! estimated time), the confirmation (the count typed on a terminal, `--yes` without one, the
//! launch name in production), `--dry-run`, then the run with a line per message. Ctrl-C or
//! SIGTERM finishes the message in flight, records it and stops.

use super::open;
use crate::cli::{Cli, InvitesSendArgs};
use crate::commands::{Failure, Outcome};
use crate::config::invites::Rate;
use crate::exit;
use crate::invite::{RunProgress, SendOptions, send, status};
use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// The longest a stop waits for the message in flight before giving up on it (it then turns
/// `unknown` when the run is seen dead, and is never sent twice).
const STOP_WAIT: Duration = Duration::from_secs(90);

pub(super) async fn run(cli: &Cli, args: &InvitesSendArgs) -> Outcome {
    let opened = open(cli).await?;
    let config = &opened.config;
    let rate = match &args.rate {
        Some(text) => Rate::parse(text).map_err(|e| Failure::usage(format!("--rate: {e}")))?,
        None => opened.setup.settings.rate,
    };
    if let Some(batch) = &args.batch {
        crate::invite::check_batch_name(batch).map_err(Failure::usage)?;
    }
    // Checked before anything is claimed: the command exists, the URL parses, the template is
    // there.
    let transport = opened
        .setup
        .transport()
        .map_err(|e| Failure::new(exit::CONFIG, config.redactor.redact(&e.to_string())))?;
    opened
        .setup
        .template()
        .map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    let report = status::read(&opened.ledger, args.batch.as_deref())
        .await
        .map_err(|e| Failure::db(&config.redactor, &e))?;
    let total: crate::invite::Counts = report.batches.iter().map(|b| &b.counts).sum();
    let queued = total.prepared + if args.retry_failed { total.failed } else { 0 };
    let planned = args.limit.map_or(queued, |l| l.min(queued));
    let eta = rate
        .0
        .map(|r| {
            humantime::format_duration(Duration::from_secs((planned as f64 / r) as u64)).to_string()
        })
        .unwrap_or_else(|| "as fast as the transport takes them".into());
    outln!(
        "plan: {planned} message(s){} via {} at {rate}; about {eta}",
        args.batch
            .as_deref()
            .map(|b| format!(" of batch {b}"))
            .unwrap_or_default(),
        transport.describe(),
    );
    for run in &report.senders {
        match run.stalled_for {
            None => {
                outln!(
                    "note: {}@{} is sending since {}; this run joins it and shares the rate",
                    crate::text::sanitize(&run.operator),
                    crate::text::sanitize(&run.host),
                    crate::clock::rfc3339(run.started_at)
                );
            }
            Some(silent) => {
                outln!(
                    "note: {}@{}'s run (pid {}) is stalled: no heartbeat for {silent:.0}s; its claims stay its own until it is seen dead (on its own machine: until its process is gone)",
                    crate::text::sanitize(&run.operator),
                    crate::text::sanitize(&run.host),
                    run.pid
                );
            }
        }
    }
    if report.batches.iter().any(|b| b.counts.unknown > 0) {
        outln!(
            "note: some messages are unknown and are never resent by a run: settle them with `gonogo invites resolve`"
        );
    }
    if args.dry_run {
        let due = opened
            .ledger
            .due(
                args.batch.as_deref(),
                i64::try_from(planned).unwrap_or(i64::MAX),
            )
            .await
            .map_err(|e| Failure::db(&config.redactor, &e))?;
        for row in &due {
            outln!(
                "would send: {}  {}  {}",
                row.batch,
                crate::text::sanitize(&row.email),
                row.message_id
            );
        }
        outln!(
            "dry run: {} message(s) would go now; nothing was sent",
            due.len()
        );
        return Ok(exit::OK);
    }
    if planned == 0 {
        outln!("nothing to send");
        return Ok(status::read(&opened.ledger, args.batch.as_deref())
            .await
            .map_or(exit::UNKNOWN, |r| r.exit_code()));
    }
    confirm(args, planned)?;
    crate::commands::confirm::confirm(config.launch(), "sending invitations", &args.confirm)?;
    if args.retry_failed {
        let moved = opened
            .ledger
            .retry_failed(
                args.batch.as_deref(),
                &format!("retry asked by {}", cli.operator()),
            )
            .await
            .map_err(|e| Failure::db(&config.redactor, &e))?;
        outln!("{moved} failed message(s) put back to be sent");
    }
    let options = SendOptions {
        batch: args.batch.clone(),
        limit: args.limit,
        rate,
        operator: cli.operator(),
        wait_for_retries: true,
    };
    let cancel = CancellationToken::new();
    let signals = tokio::spawn(stop_on_signal(cancel.clone()));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let printer = tokio::spawn(async move {
        while let Some(p) = rx.recv().await {
            print_progress(&p);
        }
    });
    let run = send::run(
        &opened.setup,
        &opened.ledger,
        &opened.journal,
        &options,
        tx,
        cancel.clone(),
    );
    let result = tokio::select! {
        result = run => result,
        () = async { cancel.cancelled().await; tokio::time::sleep(STOP_WAIT).await } => {
            signals.abort();
            return Err(Failure::new(exit::UNKNOWN, "stopped: the message in flight did not finish in time; it will show as unknown"));
        }
    };
    signals.abort();
    let _ = printer.await;
    let end = result.map_err(|e| {
        let code = match &e {
            send::SendError::Database(db) => exit::database(db.is_unavailable()),
            // The mail transport could not be reached or refused the run.
            send::SendError::Transport(_) => exit::UNAVAILABLE,
        };
        Failure::new(code, config.redactor.redact(&e.to_string()))
    })?;
    outln!(
        "run {}: {} sent, {} failed, {} unknown, {} to retry{}",
        end.outcome,
        end.sent,
        end.failed,
        end.unknown,
        end.retried + end.not_handed,
        if end.reason.is_empty() {
            String::new()
        } else {
            format!(" ({})", config.redactor.redact(&end.reason))
        }
    );
    let after = status::read(&opened.ledger, args.batch.as_deref())
        .await
        .map_err(|e| Failure::db(&config.redactor, &e))?;
    Ok(after.exit_code())
}

fn print_progress(p: &RunProgress) {
    match p {
        RunProgress::Started {
            settled, others, ..
        } => {
            if *settled > 0 {
                outln!(
                    "{settled} message(s) of a run that died turned unknown (never resent by themselves)"
                );
            }
            if !others.is_empty() {
                outln!("sharing the work with {} other sender(s)", others.len());
            }
        }
        RunProgress::Message {
            email,
            state,
            detail,
            ..
        } => {
            outln!(
                "{:<8} {}  {}",
                state,
                crate::text::sanitize(email),
                crate::text::Redactor::process().redact(detail)
            );
        }
        RunProgress::Waiting { for_secs } => {
            outln!("waiting {for_secs}s for the next retry");
        }
    }
}

/// On a terminal the operator types the number of messages; without one, `--yes` is needed.
fn confirm(args: &InvitesSendArgs, planned: u64) -> Result<(), Failure> {
    if args.yes {
        return Ok(());
    }
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(Failure::usage(format!(
            "not a terminal: pass --yes to send {planned} message(s) (nothing was sent)"
        )));
    }
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "type {planned} to send {planned} message(s): ");
    let _ = err.flush();
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(n) if n > 0 && line.trim() == planned.to_string() => Ok(()),
        _ => Err(Failure::usage("not confirmed: nothing was sent")),
    }
}

async fn stop_on_signal(cancel: CancellationToken) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    errln!("stopping: finishing the message in flight…");
    cancel.cancel();
}
