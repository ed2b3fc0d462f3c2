//! The journal's writer task: lines (transitions, notes, take-overs, overrides) are handed over
//! without waiting, written in order by one task, and kept and retried while the database
//! cannot take them, so a slow or absent database never holds up the screen or the watch
//! output. Gate observations ride along, newest per gate only, saved at most once a pace.

use super::{Backlog, FlushError, Journal, ObservedGate, Pending, PendingEvent};
use crate::gate::Transition;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

/// How the writer paces itself.
#[derive(Debug, Clone, Copy)]
pub struct WriterPace {
    /// The most one flush may take.
    pub budget: Duration,
    /// How often a backlog is retried when no new transition comes to trigger it.
    pub retry: Duration,
}

/// The handle to a running writer.
pub struct Writer {
    queue: mpsc::UnboundedSender<Message>,
    task: JoinHandle<usize>,
    observer: String,
}

enum Message {
    Lines(Vec<Pending>),
    Observed(ObservedGate),
}

/// Events handed to a [`Writer`] from elsewhere, behind every line already waiting.
#[derive(Clone)]
pub struct EventSender(mpsc::WeakUnboundedSender<Message>);

impl EventSender {
    /// False when the writer has been closed (the event is not recorded).
    pub fn send_event(&self, event: PendingEvent) -> bool {
        self.0.upgrade().is_some_and(|queue| {
            queue
                .send(Message::Lines(vec![Pending::Event(event)]))
                .is_ok()
        })
    }
}

/// How often the latest gate observations are saved for handoff reports.
pub const OBSERVATION_SAVE_EVERY: Duration = Duration::from_secs(15);

impl Writer {
    /// Starts the task. `report` hears the outcome of every flush; returning `false` stops the
    /// writer (its listener is gone).
    pub fn spawn(
        journal: Journal,
        pace: WriterPace,
        mut report: impl FnMut(Result<usize, FlushError>) -> bool + Send + 'static,
    ) -> Writer {
        let observer = journal.actor().to_owned();
        let (queue, mut received) = mpsc::unbounded_channel::<Message>();
        let task = tokio::spawn(async move {
            let mut backlog = Backlog::default();
            let mut observed = std::collections::BTreeMap::<String, ObservedGate>::new();
            let mut retry = tokio::time::interval(pace.retry);
            retry.set_missed_tick_behavior(MissedTickBehavior::Delay);
            let mut save = tokio::time::interval(OBSERVATION_SAVE_EVERY);
            save.set_missed_tick_behavior(MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    next = received.recv() => match next {
                        Some(Message::Observed(gate)) => {
                            observed.insert(gate.gate.clone(), gate);
                            continue;
                        }
                        Some(Message::Lines(mut lines)) => {
                            // Everything already handed over joins this flush, so a flush
                            // that succeeds has written all of it.
                            while let Ok(next) = received.try_recv() {
                                match next {
                                    Message::Lines(more) => lines.extend(more),
                                    Message::Observed(gate) => {
                                        observed.insert(gate.gate.clone(), gate);
                                    }
                                }
                            }
                            let dropped = backlog.push(lines);
                            if dropped > 0 {
                                let kept = backlog.len();
                                if !report(Err(FlushError::GaveUp { dropped, kept })) {
                                    break;
                                }
                            }
                        }
                        None => break,
                    },
                    _ = retry.tick(), if !backlog.is_empty() => {}
                    _ = save.tick(), if !observed.is_empty() => {
                        let gates: Vec<ObservedGate> = observed.values().cloned().collect();
                        let saving = journal.save_observations(&gates);
                        // Observations are a convenience for reports: one that cannot be saved
                        // is replaced by the next, never queued.
                        if let Ok(Ok(())) = tokio::time::timeout(pace.budget, saving).await {
                            observed.clear();
                        }
                        if backlog.is_empty() {
                            continue;
                        }
                    }
                }
                let outcome = backlog.flush(&journal, pace.budget).await;
                if !report(outcome) {
                    break;
                }
            }
            // Closing: whatever was handed over gets one last attempt.
            while let Ok(message) = received.try_recv() {
                if let Message::Lines(lines) = message {
                    backlog.push(lines);
                }
            }
            if !backlog.is_empty() {
                report(backlog.flush(&journal, pace.budget).await);
            }
            backlog.len()
        });
        Writer {
            queue,
            task,
            observer,
        }
    }

    /// Hands transitions over; never waits.
    pub fn send(&self, transitions: Vec<Transition>) {
        if !transitions.is_empty() {
            // A writer that stopped has said why through `report`.
            let _ = self.queue.send(Message::Lines(
                transitions.into_iter().map(Pending::from).collect(),
            ));
        }
    }

    /// Hands an event over (a note, a take-over), behind every line already waiting. Once the
    /// writer reports a flush that succeeded, every line handed over before it is written.
    pub fn send_event(&self, event: PendingEvent) {
        let _ = self.queue.send(Message::Lines(vec![Pending::Event(event)]));
    }

    /// A handle that hands events to this writer from another task (the alert service). It
    /// does not keep the writer open: once the writer is closed, what it sends is refused.
    pub fn event_sender(&self) -> EventSender {
        EventSender(self.queue.downgrade())
    }

    /// The latest observation of a gate, saved within [`OBSERVATION_SAVE_EVERY`].
    pub fn observed(&self, gate: ObservedGate) {
        let _ = self.queue.send(Message::Observed(gate));
    }

    /// [`Writer::observed`] for a gate as the board shows it, observed by this journal's actor.
    pub fn observed_by(&self, status: &crate::gate::GateStatus) {
        if let Some(gate) = ObservedGate::from_status(status, &self.observer) {
            self.observed(gate);
        }
    }

    /// Closes the queue and waits (at most `wait`) for the last attempt; returns how many
    /// transitions could not be recorded, all of them if the writer did not finish in time.
    pub async fn close(self, wait: Duration) -> Option<usize> {
        let Writer { queue, task, .. } = self;
        drop(queue);
        match tokio::time::timeout(wait, task).await {
            Ok(Ok(left)) => Some(left),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::GateState;
    use crate::journal::BACKLOG_LIMIT;

    fn transition(n: usize) -> Transition {
        Transition {
            gate: format!("g{n}"),
            title: "g".into(),
            required: true,
            at: chrono::Utc::now(),
            from: GateState::Unknown,
            to: GateState::Pass,
            value: None,
            value_text: String::new(),
            error: None,
        }
    }

    #[tokio::test]
    async fn transitions_let_go_are_reported_and_the_rest_kept() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let pool = sqlx::postgres::PgPoolOptions::new()
            .acquire_timeout(Duration::from_millis(200))
            .connect_lazy(&format!("postgres://gonogo@127.0.0.1:{port}/x"))
            .unwrap();
        let journal = Journal::new(pool, "launch", "alice");
        let (tx, mut heard) = mpsc::unbounded_channel();
        let pace = WriterPace {
            budget: Duration::from_secs(1),
            retry: Duration::from_secs(60),
        };
        let writer = Writer::spawn(journal, pace, move |outcome| tx.send(outcome).is_ok());
        writer.send((0..BACKLOG_LIMIT + 3).map(transition).collect());
        let first = heard.recv().await.unwrap();
        assert_eq!(
            first,
            Err(FlushError::GaveUp {
                dropped: 3,
                kept: BACKLOG_LIMIT
            })
        );
        assert!(
            first
                .unwrap_err()
                .to_string()
                .contains("3 lines given up on (the oldest)"),
        );
        let flushed = heard.recv().await.unwrap();
        assert!(
            matches!(flushed, Err(FlushError::Failed { kept, .. } | FlushError::TimedOut { kept }) if kept == BACKLOG_LIMIT),
            "{flushed:?}"
        );
        assert_eq!(
            writer.close(Duration::from_secs(5)).await,
            Some(BACKLOG_LIMIT)
        );
    }
}
