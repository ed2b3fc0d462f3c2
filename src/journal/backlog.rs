//! Lines waiting for the journal (gate transitions and operator events alike): kept in order
//! while the database cannot take them and written oldest first, so a database blip leaves no
//! hole in the shared timeline or the shift handoff. Used by the cockpit and by the headless
//! watch loops alike.

use super::{Journal, JournalError, PendingEvent};
use crate::gate::Transition;
use std::collections::VecDeque;
use std::time::Duration;

/// Lines kept while the journal cannot take them; beyond this the oldest go (and the log
/// says so), so a database down all day cannot fill memory.
pub const BACKLOG_LIMIT: usize = 10_000;

/// One line on its way to the journal.
#[derive(Debug, Clone, PartialEq)]
pub enum Pending {
    Transition(Transition),
    Event(PendingEvent),
}

impl From<Transition> for Pending {
    fn from(t: Transition) -> Pending {
        Pending::Transition(t)
    }
}

impl From<PendingEvent> for Pending {
    fn from(e: PendingEvent) -> Pending {
        Pending::Event(e)
    }
}

/// Why a flush stopped; the transitions not written are still queued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlushError {
    #[error("the journal does not exist yet; run `gonogo migrate` ({} kept)", lines(*.kept))]
    Missing { kept: usize },
    #[error("{reason} ({} kept, retrying)", lines(*.kept))]
    Failed { reason: String, kept: usize },
    #[error("the database did not answer in time ({} kept, retrying)", lines(*.kept))]
    TimedOut { kept: usize },
    /// Not a flush's failure: the backlog was full and its oldest lines were let go.
    #[error(
        "{} given up on (the oldest): {BACKLOG_LIMIT} were already waiting ({kept} kept, \
         retrying)",
        lines(*.dropped)
    )]
    GaveUp { dropped: usize, kept: usize },
}

fn lines(n: usize) -> String {
    crate::plural::count(n as u64, "line")
}

impl FlushError {
    /// How many lines are still waiting.
    pub fn kept(&self) -> usize {
        match self {
            FlushError::Missing { kept }
            | FlushError::Failed { kept, .. }
            | FlushError::TimedOut { kept }
            | FlushError::GaveUp { kept, .. } => *kept,
        }
    }
}

/// The queue in front of the journal's store.
#[derive(Debug)]
pub struct Backlog {
    queue: VecDeque<Pending>,
    limit: usize,
    dropped: u64,
}

impl Default for Backlog {
    fn default() -> Self {
        Backlog::with_limit(BACKLOG_LIMIT)
    }
}

impl Backlog {
    pub fn with_limit(limit: usize) -> Backlog {
        Backlog {
            queue: VecDeque::new(),
            limit: limit.max(1),
            dropped: 0,
        }
    }

    /// Queues lines behind the ones already waiting; returns how many of the oldest had to
    /// go to stay within the limit.
    pub fn push<P: Into<Pending>>(&mut self, lines: impl IntoIterator<Item = P>) -> usize {
        self.queue.extend(lines.into_iter().map(Into::into));
        let over = self.queue.len().saturating_sub(self.limit);
        if over > 0 {
            self.queue.drain(..over);
            self.dropped += over as u64;
            tracing::warn!(
                dropped = over,
                "journal backlog full: oldest lines not recorded"
            );
        }
        over
    }

    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Lines given up on since this backlog was created.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Writes the queue oldest first within `budget`; returns how many lines were added. On an
    /// error the line that failed and everything after it stay queued. Retrying is safe: the
    /// journal skips a transition whose state it already has and an event whose `uid` it has,
    /// so a line whose commit landed just as the budget ran out is not written twice.
    pub async fn flush(
        &mut self,
        journal: &Journal,
        budget: Duration,
    ) -> Result<usize, FlushError> {
        let queue = &mut self.queue;
        let write = async {
            let mut added = 0;
            while let Some(line) = queue.front() {
                let new = match line {
                    Pending::Transition(t) => journal.record_transition(t).await?,
                    Pending::Event(e) => journal.record(e).await?.is_some(),
                };
                if new {
                    added += 1;
                }
                queue.pop_front();
            }
            Ok::<usize, JournalError>(added)
        };
        let result = tokio::time::timeout(budget, write).await;
        let kept = self.queue.len();
        match result {
            Ok(Ok(added)) => Ok(added),
            Ok(Err(JournalError::Missing)) => Err(FlushError::Missing { kept }),
            Ok(Err(JournalError::Db(reason))) => Err(FlushError::Failed {
                reason: reason.to_string(),
                kept,
            }),
            Err(_) => Err(FlushError::TimedOut { kept }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::GateState;
    use chrono::Utc;

    fn transition(gate: &str, to: GateState) -> Transition {
        Transition {
            gate: gate.into(),
            title: gate.into(),
            required: true,
            at: Utc::now(),
            from: GateState::Unknown,
            to,
            value: None,
            value_text: String::new(),
            error: None,
        }
    }

    #[test]
    fn the_oldest_go_first_when_the_limit_is_reached() {
        let mut backlog = Backlog::with_limit(3);
        let gates = ["a", "b", "c", "d", "e"];
        assert_eq!(
            backlog.push(gates[..2].iter().map(|g| transition(g, GateState::Pass))),
            0
        );
        assert_eq!(
            backlog.push(gates[2..].iter().map(|g| transition(g, GateState::Fail))),
            2
        );
        let kept: Vec<&str> = backlog
            .queue
            .iter()
            .map(|line| match line {
                Pending::Transition(t) => t.gate.as_str(),
                Pending::Event(_) => "event",
            })
            .collect();
        assert_eq!(kept, ["c", "d", "e"]);
        assert_eq!(backlog.dropped(), 2);
    }
}
