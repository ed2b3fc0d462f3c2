//! The journal followed for alerts, for a process that does not hear it live (`check --watch`):
//! lines other processes write are read every few seconds and each one the rule "journal line →
//! alert" ([`super::trigger::from_journal`]) calls for is raised, as the cockpit raises the lines
//! it hears. Lines recorded before the follower started are history, not news.

use super::Inlet;
use super::trigger::from_journal;
use crate::journal::{Entry, Journal};
use std::time::Duration;

/// Lines read at most per look; more wait for the next one.
const PAGE: i64 = 500;
/// The most one look at the journal may take.
const LOOK_BUDGET: Duration = Duration::from_secs(5);

/// Follows `journal` every `every` until the task is dropped or aborted, raising on `inlet`.
pub fn follow_journal(
    journal: Journal,
    inlet: Inlet,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
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
    })
}

fn raise_from<'a>(inlet: &Inlet, entries: impl IntoIterator<Item = &'a Entry>) {
    for trigger in entries
        .into_iter()
        .filter_map(|e| e.event.as_ref().and_then(from_journal))
    {
        inlet.raise(trigger);
    }
}
