//! The rule "journal line → alert", and the journal followed for it: lines any process writes
//! (a send run that paused or ended, a frozen decision) are read every few seconds and each one
//! the rule calls for is raised. `check --watch` and the cockpit both follow the journal this
//! way, so they raise the same alerts for the same lines; every process that reads a line
//! raises it under the same id, and the database lets one delivery through. Lines recorded
//! before the follower started are history, not news.

use crate::alerts::{Inlet, Trigger};
use crate::journal::{Entry, Journal, JournalEvent};
use std::time::Duration;

/// Lines read at most per look; more wait for the next one.
const PAGE: i64 = 500;
/// The most one look at the journal may take.
const LOOK_BUDGET: Duration = Duration::from_secs(5);

/// The alert a journal line calls for, if any: a send run that paused or ended (an operator's
/// own stop only when messages are left in doubt), a frozen decision.
pub fn alert_for(event: &JournalEvent) -> Option<Trigger> {
    match event {
        JournalEvent::DispatchRun(run)
            if matches!(run.phase.as_str(), "paused" | "finished" | "stopped") =>
        {
            let unknown = run.unknown.unwrap_or(0);
            // An operator's own stop with nothing in doubt needs nobody woken.
            if run.phase == "stopped" && unknown == 0 {
                return None;
            }
            Some(Trigger::Dispatch {
                run: run.run.clone(),
                batch: run.batch.clone(),
                phase: run.phase.clone(),
                sent: run.sent.unwrap_or(0),
                failed: run.failed.unwrap_or(0),
                unknown,
                reason: run.reason.clone(),
            })
        }
        JournalEvent::Decision {
            number,
            outcome,
            hash,
            ..
        } => Some(Trigger::DecisionFrozen {
            number: i64::from(*number),
            outcome: outcome.clone(),
            hash: crate::text::sanitize_short(hash, 80),
        }),
        _ => None,
    }
}

/// A task following the journal; stops when dropped.
pub(super) struct Follower(tokio::task::JoinHandle<()>);

impl Drop for Follower {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Follows `journal` every `every`, raising on `inlet` what [`alert_for`] calls for.
pub(super) fn follow(journal: Journal, inlet: Inlet, every: Duration) -> Follower {
    Follower(tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // Wall time, not the session's clock: it is compared with the database's own stamps.
        let started = chrono::Utc::now();
        let mut after: Option<i64> = None;
        loop {
            tick.tick().await;
            let Some(last) = after else {
                // Where the journal stands when the follower first reaches it; what was
                // recorded since the follower started is news even so.
                if let Ok(Ok(recent)) =
                    tokio::time::timeout(LOOK_BUDGET, journal.recent(PAGE)).await
                {
                    after = Some(recent.iter().map(|e| e.id).max().unwrap_or(0));
                    let mut news: Vec<_> =
                        recent.iter().filter(|e| e.recorded_at >= started).collect();
                    news.sort_by_key(|e| e.id);
                    raise_from(&inlet, news);
                }
                continue;
            };
            let Ok(Ok(entries)) =
                tokio::time::timeout(LOOK_BUDGET, journal.after(last, PAGE)).await
            else {
                continue;
            };
            after = entries.iter().map(|e| e.id).max().or(after);
            raise_from(&inlet, entries.iter());
        }
    }))
}

fn raise_from<'a>(inlet: &Inlet, entries: impl IntoIterator<Item = &'a Entry>) {
    for trigger in entries
        .into_iter()
        .filter_map(|e| e.event.as_ref().and_then(alert_for))
    {
        inlet.raise(trigger);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::Severity;
    use crate::journal::DispatchRunEvent;

    fn run(phase: &str, unknown: u64) -> JournalEvent {
        JournalEvent::DispatchRun(DispatchRunEvent {
            run: "r".into(),
            phase: phase.into(),
            batch: Some("wave-1".into()),
            transport: "SMTP".into(),
            rate: "5/s".into(),
            reason: Some("5 hand-overs in a row failed".into()),
            sent: Some(10),
            failed: Some(0),
            unknown: Some(unknown),
            retried: Some(0),
            other_senders: None,
        })
    }

    #[test]
    fn dispatch_and_decision_lines_alert() {
        let paused = alert_for(&run("paused", 0)).unwrap();
        assert_eq!(paused.severity(), Severity::Critical);
        assert_eq!(paused.subject(), "dispatch:wave-1");
        assert!(
            paused.title("L").contains("paused"),
            "{}",
            paused.title("L")
        );
        let finished = alert_for(&run("finished", 2)).unwrap();
        assert_eq!(finished.severity(), Severity::Warning);
        assert!(finished.message().contains("invites resolve"));
        assert_eq!(
            alert_for(&run("finished", 0)).unwrap().severity(),
            Severity::Info
        );
        assert!(alert_for(&run("stopped", 0)).is_none());
        assert!(alert_for(&run("start", 0)).is_none());
        let decision = JournalEvent::Decision {
            number: 2,
            outcome: "no-go".into(),
            hash: "h".into(),
            gates_overridden: false,
            reason: None,
        };
        let frozen = alert_for(&decision).unwrap();
        assert_eq!(frozen.severity(), Severity::Critical);
        assert!(frozen.title("L").contains("decision 2 frozen: NO-GO"));
        assert!(
            frozen.message().contains("--expect h"),
            "{}",
            frozen.message()
        );
        assert_eq!(frozen.details()["hash"], "h");
        assert!(alert_for(&JournalEvent::Note { text: "x".into() }).is_none());
    }
}
