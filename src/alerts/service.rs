//! The alert service: a task of its own behind a bounded queue ([`Inlet`]), so neither gate
//! polling nor the cockpit ever waits on it. It runs the [`Engine`], and for each alert due:
//! asks who is on shift, claims it in the database (once per launch), journals it, and
//! delivers it on the webhook in a task of its own (a slow receiver holds up no other alert),
//! journaling the outcome. What happens is told through `report`.

use super::engine::{BoardView, Context, Engine};
use super::{Alert, AlertLine, Delivery, Trigger, Webhook};
use crate::db::DbError;
use crate::db::alert_store::{AlertStore, Claim};
use crate::journal::{EventSender, Journal, JournalEvent, PendingEvent};
use crate::monitor::Clock;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// Inputs waiting for the service at most; past this they are dropped (and said).
pub const QUEUE_LIMIT: usize = 256;
/// Deliveries under way at once; more wait their turn.
const IN_FLIGHT: usize = 4;
/// The most a claim or an on-shift read may take before the alert goes out uncoordinated.
const DB_BUDGET: Duration = Duration::from_secs(5);

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

type Report = Arc<dyn Fn(AlertNews) + Send + Sync>;

/// What every alert's task shares.
struct Shared {
    settings: crate::config::Alerts,
    origin: String,
    webhook: Option<Webhook>,
    store: Option<AlertStore>,
    journal: Option<Journal>,
    journal_events: Option<EventSender>,
    clock: Clock,
    report: Report,
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
        });
        let (stop, mut stopping) = tokio::sync::oneshot::channel::<Duration>();
        let Inbox(mut received, dropped) = inbox;
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut last: Option<BoardView> = None;
            let mut waiting: std::collections::VecDeque<Alert> = Default::default();
            let mut sending: JoinSet<()> = JoinSet::new();
            let within = loop {
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
                            (shared.report)(AlertNews::Dropped(lost));
                        }
                    }
                    Some(_) = sending.join_next(), if !sending.is_empty() => {}
                }
                waiting.extend(engine.due(shared.clock.now()));
                while sending.len() < IN_FLIGHT
                    && let Some(alert) = waiting.pop_front()
                {
                    sending.spawn(handle(shared.clone(), alert));
                }
            };
            // Closing: what is still grouped goes now; everything gets `within`.
            waiting.extend(engine.flush(shared.clock.now()));
            let deadline = tokio::time::Instant::now() + within;
            for alert in waiting {
                sending.spawn(handle(shared.clone(), alert));
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

/// One alert: who is on shift, the claim, the journal line, the delivery and its line.
async fn handle(shared: Arc<Shared>, mut alert: Alert) {
    // A database that refuses connections says so at once; the pool would wait for one.
    if let Some(journal) = &shared.journal
        && crate::db::reachable(journal.pool(), DB_BUDGET)
            .await
            .is_ok()
        && let Ok(Ok(Some(entry))) = tokio::time::timeout(DB_BUDGET, journal.on_shift()).await
    {
        alert.metadata.insert(
            "on_shift".into(),
            crate::text::sanitize(&entry.actor).into(),
        );
    }
    let coordinated = match &shared.store {
        None => false,
        Some(store) => {
            let claim = store.claim(&alert, &shared.origin, shared.settings.group_for);
            match tokio::time::timeout(DB_BUDGET, claim).await {
                Ok(Ok(Claim::Claimed)) => true,
                Ok(Ok(Claim::Elsewhere { by, .. })) => {
                    (shared.report)(AlertNews::Skipped {
                        title: alert.title.clone(),
                        why: format!("already raised by {}", crate::text::sanitize(&by)),
                    });
                    return;
                }
                Ok(Ok(Claim::AlreadySaid { .. })) => {
                    (shared.report)(AlertNews::Skipped {
                        title: alert.title.clone(),
                        why: "its latest alert already says so".to_owned(),
                    });
                    return;
                }
                // The database is away (or not migrated): the alert still goes, uncoordinated.
                Ok(Err(e)) => uncoordinated(&alert, &e),
                Err(_) => uncoordinated(
                    &alert,
                    &DbError::new(crate::db::DbErrorKind::Unavailable, "the claim timed out"),
                ),
            }
        }
    };
    alert
        .metadata
        .insert("coordinated".into(), coordinated.into());
    let receiver = shared.webhook.as_ref().map(|w| w.receiver().to_owned());
    let line = AlertLine::of(&alert, coordinated, receiver);
    journal(&shared, JournalEvent::Alert(line.clone()));
    (shared.report)(AlertNews::Raised(line));
    let Some(webhook) = &shared.webhook else {
        if let (Some(store), true) = (&shared.store, coordinated) {
            let _ = tokio::time::timeout(DB_BUDGET, store.no_webhook(&alert.id)).await;
        }
        return;
    };
    let delivery = webhook.deliver(&alert).await;
    if let (Some(store), true) = (&shared.store, coordinated) {
        let _ = tokio::time::timeout(DB_BUDGET, store.finish(&delivery)).await;
    }
    journal(&shared, JournalEvent::AlertDelivery(delivery.clone()));
    (shared.report)(AlertNews::Delivered(delivery));
}

fn uncoordinated(alert: &Alert, e: &DbError) -> bool {
    tracing::warn!(
        alert = %alert.id,
        reason = %crate::text::Redactor::process().redact(&e.to_string()),
        "alert not claimed in the database; sent without coordination"
    );
    false
}

fn journal(shared: &Shared, event: JournalEvent) {
    if let Some(events) = &shared.journal_events {
        events.send_event(PendingEvent::new(shared.clock.now(), event));
    }
}
