//! The alert service: a task of its own behind a bounded queue ([`Inlet`]), so neither gate
//! polling nor the cockpit ever waits on it. It runs the [`Engine`], and hands each alert due to
//! [`super::delivery`] in a task of its own (a slow receiver holds up no other alert), at most
//! [`IN_FLIGHT`] at once with at most [`WAITING_LIMIT`] waiting behind them (past that the
//! quietest, oldest is dropped and journaled). Every few seconds it takes over an undelivered
//! alert whose holder stopped renewing its lease. What happens is told through `report`.

use super::AlertStore;
use super::delivery::{DB_BUDGET, Shared, handle, journal};
use super::engine::{BoardView, Context, Engine};
use super::queue::{Job, Waiting};
use super::{Alert, AlertLine, Delivery, Trigger, Webhook};
use crate::clock::Clock;
use crate::journal::{EventSender, Journal, JournalEvent};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// Inputs waiting for the service at most; past this they are dropped (and said).
pub const QUEUE_LIMIT: usize = 256;
/// Deliveries under way at once; more wait their turn.
pub const IN_FLIGHT: usize = 32;
/// Alerts waiting for a delivery slot at most; past this the quietest, oldest is dropped.
pub const WAITING_LIMIT: usize = 64;
/// How long a claim holds an alert without renewal: a holder renews every third of it while
/// it delivers; past it another process takes the alert over.
pub const LEASE: Duration = Duration::from_secs(15);
/// How often the service looks for alerts whose lease ran out.
const SWEEP_EVERY: Duration = Duration::from_secs(5);

/// What the service tells its owner (the cockpit's footer, the watch's output).
#[derive(Debug, Clone, PartialEq)]
pub enum AlertNews {
    /// This process raised the alert and sends it.
    Raised(AlertLine),
    /// Another cockpit or watch has it, or it says what was already said.
    Skipped {
        title: String,
        why: String,
    },
    Delivered(Delivery),
    /// Inputs dropped because the queue was full.
    Dropped(usize),
    /// An alert dropped because too many were waiting (the quietest, oldest); journaled.
    DroppedAlert {
        id: String,
        title: String,
    },
}

enum Input {
    Board(BoardView),
    Journal(Result<usize, String>),
    Raise(Trigger),
}

/// Hands inputs to the service without waiting. Cheap to clone (the journal writer's callback
/// holds one).
#[derive(Clone)]
pub struct Inlet {
    queue: mpsc::Sender<Input>,
    dropped: Arc<AtomicUsize>,
}

impl Inlet {
    fn send(&self, input: Input) {
        if self.queue.try_send(input).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A look at the board (after a transition).
    pub fn observe(&self, view: BoardView) {
        self.send(Input::Board(view));
    }

    /// A journal flush's outcome (redacted error text).
    pub fn journal(&self, outcome: Result<usize, String>) {
        self.send(Input::Journal(outcome));
    }

    /// Any other trigger: the hook dispatch and checklist events use.
    pub fn raise(&self, trigger: Trigger) {
        self.send(Input::Raise(trigger));
    }
}

/// The receiving end of an [`Inlet`], for [`Service::spawn`].
pub struct Inbox(mpsc::Receiver<Input>, Arc<AtomicUsize>);

/// A connected inlet and inbox: made first, so the journal writer can hold the inlet before
/// the service (which needs the writer) starts.
pub fn inlet() -> (Inlet, Inbox) {
    let (queue, received) = mpsc::channel(QUEUE_LIMIT);
    let dropped = Arc::new(AtomicUsize::new(0));
    (
        Inlet {
            queue,
            dropped: dropped.clone(),
        },
        Inbox(received, dropped),
    )
}

/// What the service works with.
pub struct ServiceSetup {
    pub settings: crate::config::Alerts,
    pub context: Context,
    pub webhook: Option<Webhook>,
    pub store: Option<AlertStore>,
    /// For who is on shift.
    pub journal: Option<Journal>,
    /// Where `alert` and `alert_delivery` lines go.
    pub journal_events: Option<EventSender>,
    pub clock: Clock,
}

/// The running service.
pub struct Service {
    task: tokio::task::JoinHandle<Vec<String>>,
    stop: tokio::sync::oneshot::Sender<Duration>,
}

impl Service {
    pub fn spawn(
        setup: ServiceSetup,
        inbox: Inbox,
        report: impl Fn(AlertNews) + Send + Sync + 'static,
    ) -> Service {
        let ServiceSetup {
            settings,
            context,
            webhook,
            store,
            journal,
            journal_events,
            clock,
        } = setup;
        let mut engine = Engine::new(context.clone(), settings.group_for, settings.min_severity);
        let shared = Arc::new(Shared {
            settings,
            origin: context.origin,
            webhook,
            store,
            journal,
            journal_events,
            clock,
            report: Arc::new(report),
            held: Default::default(),
        });
        let (stop, mut stopping) = tokio::sync::oneshot::channel::<Duration>();
        let Inbox(mut received, dropped) = inbox;
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut sweep = tokio::time::interval(SWEEP_EVERY);
            sweep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut last: Option<BoardView> = None;
            let mut waiting = Waiting::new(WAITING_LIMIT);
            let mut sending: JoinSet<()> = JoinSet::new();
            let mut sweeping: JoinSet<Option<Alert>> = JoinSet::new();
            let within = loop {
                let mut due = Vec::new();
                tokio::select! {
                    within = &mut stopping => break within.unwrap_or(Duration::ZERO),
                    input = received.recv() => {
                        let now = shared.clock.now();
                        match input {
                            None => break Duration::ZERO,
                            Some(Input::Board(view)) => {
                                last = Some(view.clone());
                                engine.observe(view, now);
                            }
                            Some(Input::Journal(outcome)) => engine.journal(outcome, now),
                            Some(Input::Raise(trigger)) => engine.raise(trigger, now),
                        }
                    }
                    _ = tick.tick() => {
                        // Time passing is news too: a gate unknown for too long.
                        if let Some(view) = &last {
                            engine.observe(view.clone(), shared.clock.now());
                        }
                        let lost = dropped.swap(0, Ordering::Relaxed);
                        if lost > 0 {
                            let text = format!(
                                "alerts: {} dropped, the alert queue was full",
                                crate::plural::count(lost as u64, "input")
                            );
                            super::delivery::journal(&shared, JournalEvent::Note { text });
                            (shared.report)(AlertNews::Dropped(lost));
                        }
                    }
                    _ = sweep.tick(), if sweeping.is_empty() && waiting.len() < WAITING_LIMIT => {
                        if let Some(store) = shared.store.clone() {
                            let by = shared.origin.clone();
                            sweeping.spawn(async move {
                                let taken = store.take_over(&by, LEASE);
                                tokio::time::timeout(DB_BUDGET, taken).await.ok()?.ok()?
                            });
                        }
                    }
                    Some(taken) = sweeping.join_next(), if !sweeping.is_empty() => {
                        if let Ok(Some(alert)) = taken {
                            due.push(Job { alert, held: true });
                            // One taken over may be one of many: look again at once.
                            sweep.reset_immediately();
                        }
                    }
                    Some(_) = sending.join_next(), if !sending.is_empty() => {}
                }
                let fresh = engine.due(shared.clock.now());
                due.extend(fresh.into_iter().map(|alert| Job { alert, held: false }));
                for job in due {
                    if let Some(lost) = waiting.push(job) {
                        drop_alert(&shared, lost);
                    }
                }
                while sending.len() < IN_FLIGHT
                    && let Some(job) = waiting.pop()
                {
                    sending.spawn(handle(shared.clone(), job));
                }
            };
            sweeping.abort_all();
            // Closing: what is still grouped goes now; everything gets `within`.
            let deadline = tokio::time::Instant::now() + within;
            let closing = engine.flush(shared.clock.now());
            let jobs = waiting
                .drain()
                .chain(closing.into_iter().map(|alert| Job { alert, held: false }));
            for job in jobs.collect::<Vec<_>>() {
                sending.spawn(handle(shared.clone(), job));
            }
            let wait_all = async { while sending.join_next().await.is_some() {} };
            let mut left = Vec::new();
            if tokio::time::timeout_at(deadline, wait_all).await.is_err() {
                let n = sending.len();
                sending.abort_all();
                left.push(format!(
                    "gonogo: {} still being claimed or delivered when gonogo stopped",
                    crate::plural::count(n as u64, "alert")
                ));
                // What this process held goes to another cockpit or watch at once.
                release_all(&shared).await;
            }
            left
        });
        Service { task, stop }
    }

    /// Sends what is still grouped, waits up to `within` for the deliveries under way, and
    /// returns what was left undone.
    pub async fn close(self, within: Duration) -> Vec<String> {
        let _ = self.stop.send(within);
        match tokio::time::timeout(within + Duration::from_secs(1), self.task).await {
            Ok(Ok(left)) => left,
            _ => vec!["gonogo: the alert service did not stop in time".to_owned()],
        }
    }
}

/// An alert that did not fit in the queue: said and journaled, never silent; a held one is
/// let go for another process.
fn drop_alert(shared: &Arc<Shared>, job: Job) {
    let Job { alert, held } = job;
    let short: String = alert.id.chars().take(8).collect();
    let text = format!(
        "alert {short} not sent: the alert queue was full ({}, {})",
        alert.severity, alert.title
    );
    journal(shared, JournalEvent::Note { text });
    (shared.report)(AlertNews::DroppedAlert {
        id: alert.id.clone(),
        title: alert.title.clone(),
    });
    if let (true, Some(store)) = (held, shared.store.clone()) {
        let by = shared.origin.clone();
        tokio::spawn(async move {
            let _ = tokio::time::timeout(DB_BUDGET, store.release(&alert.id, &by)).await;
        });
    }
}

async fn release_all(shared: &Shared) {
    let Some(store) = &shared.store else {
        return;
    };
    let releases = shared
        .held()
        .into_iter()
        .map(|id| async move { store.release(&id, &shared.origin).await });
    let all = futures::future::join_all(releases);
    let _ = tokio::time::timeout(Duration::from_secs(1), all).await;
}
