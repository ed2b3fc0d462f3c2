//! Driving a run's claims: pace, claim, mark, hand over, record, and when to stop or pause;
//! and the answer of a run whose claim was taken from it.

use super::heartbeat::lease_in_hand;
use super::record::{again, record};
use super::schedule::{claim_ahead, next_retry, retry_delay};
use super::{PAUSE_AFTER, RunEnd, RunProgress, SendError, SendOptions};
use crate::invite::Setup;
use crate::invite::lease::Lease;
use crate::invite::ledger::{Claimed, Ledger};
use crate::invite::transport::{Outcome, Transport};
use crate::journal::{DispatchRunEvent, Journal, JournalEvent};
use lettre::address::Address;
use sha2::Digest;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// What a run works with while it drives its claims.
pub(super) struct Driver<'a> {
    pub(super) setup: &'a Setup,
    pub(super) ledger: &'a Ledger,
    pub(super) journal: &'a Journal,
    pub(super) options: &'a SendOptions,
    pub(super) from: &'a Address,
    pub(super) run: Uuid,
    pub(super) lease: &'a Lease,
    pub(super) progress: &'a mpsc::UnboundedSender<RunProgress>,
    pub(super) cancel: &'a CancellationToken,
}

pub(super) async fn drive(
    d: &Driver<'_>,
    transport: &mut Transport,
    end: &mut RunEnd,
    handed: &mut std::collections::HashSet<i64>,
) -> Result<(), SendError> {
    let (ledger, options, run, cancel) = (d.ledger, d.options, d.run, d.cancel);
    let mut failures_in_a_row = 0u32;
    let mut claimed_ahead: std::collections::VecDeque<Claimed> = std::collections::VecDeque::new();
    // The next claim whose hand-over mark went with the last answer.
    let mut premarked: Option<i64> = None;
    loop {
        if cancel.is_cancelled() {
            end.outcome = "stopped";
            end.reason = "stopped by the operator".into();
            return Ok(());
        }
        // The limit counts messages, not attempts: a retry of one already handed over is not
        // another message.
        if options
            .limit
            .is_some_and(|limit| handed.len() as u64 >= limit)
        {
            end.reason = format!("--limit {} reached", handed.len());
            return Ok(());
        }
        if let Some(gap) = options.rate.interval() {
            let wait = again(|| ledger.reserve_slot(gap)).await?;
            if !wait.is_zero() {
                tokio::select! {
                    () = cancel.cancelled() => continue,
                    () = tokio::time::sleep(wait) => {}
                }
            }
        }
        if claimed_ahead.is_empty() {
            let left = options
                .limit
                .map_or(u64::MAX, |l| l.saturating_sub(handed.len() as u64));
            let count = claim_ahead(options.rate).min(left.min(64)) as i64;
            claimed_ahead
                .extend(again(|| ledger.claim(run, options.batch.as_deref(), count)).await?);
        }
        let Some(claimed) = claimed_ahead.pop_front() else {
            match next_retry(ledger, options).await? {
                Some(wait) if options.wait_for_retries => {
                    let _ = d.progress.send(RunProgress::Waiting {
                        for_secs: wait.as_secs(),
                    });
                    tokio::select! {
                        () = cancel.cancelled() => {}
                        () = tokio::time::sleep(wait) => {}
                    }
                    continue;
                }
                Some(_) => end.reason = "retries are due later".into(),
                None => end.reason = "nothing left to send".into(),
            }
            return Ok(());
        };
        // No hand-over starts without the lease's margin: a run whose heartbeats do not get
        // through waits for one (or learns it was declared dead, and stops).
        if !lease_in_hand(d.lease, cancel).await {
            claimed_ahead.push_front(claimed);
            continue;
        }
        // The mark is what tells a claim handed over from one never handed over, should the
        // run die now; a claim no longer this run's is never handed over.
        if premarked.take() != Some(claimed.id)
            && !again(|| ledger.mark_handing(claimed.id, run)).await?
        {
            d.lease.revoke();
            end.outcome = "stopped";
            end.reason = "declared dead after a silence; its claims were taken back".into();
            return Ok(());
        }
        handed.insert(claimed.id);
        let outcome = hand_over(d.setup, transport, d.from, &claimed).await;
        let retry_in = match &outcome {
            Outcome::Temporary(_) | Outcome::NotHanded(_) => Some(retry_delay(
                d.setup.settings.retry,
                u32::try_from(claimed.attempts).unwrap_or(1),
            )),
            _ => None,
        };
        // Marking the next claim now leaves this run's dying with at most that one in doubt
        // (this answer is settled by the same statement).
        let next = claimed_ahead
            .front()
            .map(|c| c.id)
            .filter(|_| d.lease.check().is_ok());
        let (settled, marked) = record(ledger, &claimed, run, &outcome, retry_in, next).await?;
        if marked {
            premarked = next;
        }
        if !settled {
            late_answer(d, &claimed, &outcome).await;
            d.lease.revoke();
            end.outcome = "stopped";
            end.reason = "declared dead after a silence; its late answer is recorded".into();
            return Ok(());
        }
        match &outcome {
            Outcome::Accepted(_) => end.sent += 1,
            Outcome::Temporary(_) => end.retried += 1,
            Outcome::Permanent(_) => end.failed += 1,
            Outcome::InDoubt(_) => end.unknown += 1,
            Outcome::NotHanded(_) => end.not_handed += 1,
        }
        let _ = d.progress.send(RunProgress::Message {
            email: claimed.email.clone(),
            batch: claimed.batch.clone(),
            state: outcome.state().as_str(),
            detail: outcome.detail().to_owned(),
        });
        failures_in_a_row = match outcome {
            Outcome::Accepted(_) => 0,
            _ => failures_in_a_row + 1,
        };
        if failures_in_a_row >= PAUSE_AFTER {
            end.outcome = "paused";
            end.reason = format!(
                "{PAUSE_AFTER} hand-overs in a row failed (last: {}); check the transport, then resume",
                outcome.detail()
            );
            return Ok(());
        }
    }
}

/// The answer of a run whose claim was taken from it: kept on the message and in the journal,
/// never dropped ("delivered by a run declared dead: possible duplicate").
async fn late_answer(d: &Driver<'_>, claimed: &Claimed, outcome: &Outcome) {
    let delivered = matches!(outcome, Outcome::Accepted(_));
    let what = if delivered {
        "delivered by a run declared dead: possible duplicate".to_owned()
    } else {
        format!(
            "late answer of a run declared dead (it would have been {})",
            outcome.state()
        )
    };
    let detail = format!("{what}: {}", outcome.detail());
    tracing::warn!("dispatch: {detail}");
    if let Err(e) = d
        .ledger
        .record_late(claimed.id, d.run, delivered, &detail)
        .await
    {
        tracing::warn!("the late answer could not be kept on the message: {e}");
    }
    let event = JournalEvent::DispatchRun(DispatchRunEvent {
        run: d.run.to_string(),
        phase: "late_answer".into(),
        batch: Some(claimed.batch.clone()),
        transport: String::new(),
        rate: d.options.rate.to_string(),
        reason: Some(format!(
            "{} ({}): {detail}",
            crate::text::sanitize_short(&claimed.email, 200),
            claimed.message_id
        )),
        sent: None,
        failed: None,
        unknown: None,
        retried: None,
        other_senders: None,
    });
    if let Err(e) = d.journal.record_now(event).await {
        tracing::warn!("the late answer was not journaled: {e}");
    }
}

/// Reads the stored bytes (refusing a file changed since prepare) and hands them over.
async fn hand_over(
    setup: &Setup,
    transport: &mut Transport,
    from: &Address,
    claimed: &Claimed,
) -> Outcome {
    let bytes = match tokio::fs::read(setup.eml_file(&claimed.batch, &claimed.eml_path)).await {
        Ok(bytes) => bytes,
        Err(e) => {
            return Outcome::Permanent(format!(
                "cannot read {}: {e}",
                crate::text::sanitize_short(&claimed.eml_path, 200)
            ));
        }
    };
    if hex::encode(sha2::Sha256::digest(&bytes)) != claimed.eml_sha256 {
        return Outcome::Permanent(
            "the .eml changed after prepare (its SHA-256 differs); prepare a new batch".into(),
        );
    }
    transport
        .send(from, &claimed.email, &bytes, setup.settings.send_timeout)
        .await
}
