//! The core session `check --watch` (with `demo --headless`) and the cockpit both run: one
//! journal writer for transitions, observations and operator events; the alert service and its
//! inlet; the journal followed for the lines any process writes that call for an alert (the
//! rule is [`alert_for`]); and, for a client without a checklist view of its own, the checklist
//! watched for items turning overdue. Clients hand it what they saw and hear back through the
//! two callbacks they start it with; what becomes a journal line or an alert is decided here,
//! so a watch and a cockpit raise the same alerts for the same news. With metrics served, the
//! session also keeps what a scrape shows ([`crate::metrics`]): the gates' results it taps, the
//! deliveries it hears of, the dispatch counts it reads.

mod follow;
mod overdue;

pub use follow::alert_for;

use crate::alerts::{AlertNews, BoardView, Inlet, Service, Trigger};
use crate::clock::Clock;
use crate::config::Config;
use crate::db::Database;
use crate::gate::{Board, GateResult, GateSpec, Transition};
use crate::journal::{FlushError, Journal, ObservedGate, PendingEvent, Writer, WriterPace};
use crate::metrics::{Listener, Metrics, MetricsError, Server};
use crate::text::Redactor;
use follow::Follower;
use overdue::OverdueWatch;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::mpsc;

/// How often the session reads the journal for lines that call for an alert.
const JOURNAL_FOLLOW_EVERY: Duration = Duration::from_secs(2);

/// What a session starts from.
pub struct SessionSetup<'a> {
    pub config: &'a Config,
    /// The shared journal, when the config has a database.
    pub journal: Option<Journal>,
    /// The database the alert store coordinates claims in.
    pub database: Option<&'a Database>,
    pub clock: Clock,
    /// How the journal writer paces itself.
    pub pace: WriterPace,
    /// Where alerts come from: `check --watch`, `cockpit`, `cockpit, headless`.
    pub role: &'a str,
    pub operator: &'a str,
    /// Whether the session reads the checklist for items turning overdue itself; the cockpit's
    /// Checklist pane tells them from its own view (and raises them through [`Session::raise`]).
    pub watch_checklist: bool,
    /// A viewer (`tui --read-only`): no journal writer and no alert service, so nothing of this
    /// session is written; the launch's writable clients journal and alert for it.
    pub read_only: bool,
}

/// A running session. Close it with [`Session::close_alerts`], then [`Session::close_journal`].
pub struct Session {
    journal: Option<Writer>,
    alerts: Option<Alerts>,
    overdue: Option<OverdueWatch>,
    clock: Clock,
    metrics: Metrics,
    /// The ledger the dispatch counts are read from, and the redactor for its errors.
    ledger: Option<(crate::invite::Ledger, Redactor)>,
    /// The `/metrics` endpoint, while it is served.
    server: Option<Server>,
}

/// The alert service (with a webhook configured), its inlet, and the journal's follower.
struct Alerts {
    service: Service,
    inlet: Inlet,
    follower: Option<Follower>,
}

impl Session {
    /// Starts the journal writer and the alert service. `flushed` hears each journal flush's
    /// outcome (returning false stops the writer: nobody listens); `news` hears what the alert
    /// service did. Alerts a config asks for but cannot have are off, and the second value says
    /// why (redacted).
    pub fn start(
        setup: SessionSetup<'_>,
        mut flushed: impl FnMut(Result<usize, FlushError>) -> bool + Send + 'static,
        news: impl Fn(AlertNews) + Send + Sync + 'static,
    ) -> (Session, Option<String>) {
        let config = setup.config;
        let metrics = Metrics::new(config, setup.clock);
        let counted = metrics.clone();
        let news = move |heard: AlertNews| {
            counted.heard(&heard);
            news(heard)
        };
        // Made first, so the writer's flushes reach the service that needs the writer.
        let (inlet, inbox) = crate::alerts::inlet();
        let written = setup.journal.clone().filter(|_| !setup.read_only);
        let writer = written.map(|journal| {
            let (alerts, redactor) = (inlet.clone(), config.redactor.clone());
            Writer::spawn(journal, setup.pace, move |outcome| {
                alerts.journal(outcome.clone().map_err(|e| redactor.redact(&e.to_string())));
                flushed(outcome)
            })
        });
        let start = crate::alerts::Start {
            config,
            database: setup.database,
            journal: setup.journal.clone(),
            journal_events: writer.as_ref().map(Writer::event_sender),
            clock: setup.clock,
            role: setup.role,
            operator: setup.operator,
        };
        let service = match setup.read_only {
            true => Ok(None),
            false => crate::alerts::start(start, inbox, news),
        };
        let (alerts, off) = match service {
            Ok(service) => {
                let alerts = service.map(|service| Alerts {
                    service,
                    follower: setup
                        .journal
                        .clone()
                        .map(|j| follow::follow(j, inlet.clone(), JOURNAL_FOLLOW_EVERY)),
                    inlet,
                });
                (alerts, None)
            }
            Err(why) => (None, Some(config.redactor.redact(&why))),
        };
        let overdue = match (&alerts, &setup.journal) {
            (Some(_), Some(journal)) if setup.watch_checklist => {
                OverdueWatch::start(config, journal, setup.pace.budget)
            }
            _ => None,
        };
        let ledger = setup.journal.as_ref().map(|j| {
            let ledger = crate::invite::Ledger::new(j.pool().clone(), j.launch());
            (ledger, config.redactor.clone())
        });
        let session = Session {
            journal: writer,
            alerts,
            overdue,
            clock: setup.clock,
            metrics,
            ledger,
            server: None,
        };
        (session, off)
    }

    /// Serves `/metrics` on `listener` for `gates` (the ones this client watches), with the
    /// dispatch counts read every [`crate::metrics::DISPATCH_EVERY`] when there is a journal.
    /// The gates' results reach the metrics through [`Session::gate_results`].
    pub fn serve_metrics(
        &mut self,
        listener: Listener,
        gates: &[GateSpec],
    ) -> Result<SocketAddr, MetricsError> {
        self.metrics.watch(gates);
        let reads = self
            .ledger
            .clone()
            .map(|(ledger, redactor)| self.metrics.read_dispatch(ledger, redactor));
        let server = Server::start(listener, self.metrics.clone(), reads)?;
        let addr = server.addr();
        self.server = Some(server);
        Ok(addr)
    }

    /// The sender the pollers answer on: `to` itself, or, with metrics served, one that shows
    /// each result to the metrics' board on its way to `to`.
    pub fn gate_results(&self, to: mpsc::Sender<GateResult>) -> mpsc::Sender<GateResult> {
        match self.server {
            Some(_) => self.metrics.tap(to),
            None => to,
        }
    }

    /// Transitions for the journal, in the order they happened; never waits.
    pub fn record(&self, transitions: Vec<Transition>) {
        if let Some(writer) = &self.journal {
            writer.send(transitions);
        }
    }

    /// An operator's event (a note, a take-over), behind every line already handed over.
    pub fn record_event(&self, event: PendingEvent) {
        if let Some(writer) = &self.journal {
            writer.send_event(event);
        }
    }

    /// A gate's latest observation, kept for handoff reports written anywhere.
    pub fn save_observation(&self, gate: ObservedGate) {
        if let Some(writer) = &self.journal {
            writer.observed(gate);
        }
    }

    /// A look at the board for the alert engine.
    pub fn observe(&self, view: BoardView) {
        if let Some(alerts) = &self.alerts {
            alerts.inlet.observe(view);
        }
    }

    /// Something the board does not show that calls for an alert.
    pub fn raise(&self, trigger: Trigger) {
        if let Some(alerts) = &self.alerts {
            alerts.inlet.raise(trigger);
        }
    }

    /// A gate's answer, applied to `board` with these `transitions`: its observation kept, by
    /// the journal's actor; the alert engine's first look at the gate when its `first` answer
    /// changed nothing (the transitions themselves are the next [`Session::stepped`]'s).
    pub fn answered(&self, board: &Board, gate: &str, first: bool, transitions: &[Transition]) {
        if first && transitions.is_empty() {
            self.observe(BoardView::of(board));
        }
        if let (Some(writer), Some(status)) = (&self.journal, board.get(gate)) {
            writer.observed_by(status);
        }
    }

    /// A step of the board (an answer or the staleness clock): the alert engine's look when
    /// it changed, the checklist's items looked at, the transitions recorded.
    pub fn stepped(&mut self, board: &Board, transitions: Vec<Transition>) {
        if !transitions.is_empty() {
            self.observe(BoardView::of(board));
        }
        self.look_at_checklist(board);
        self.record(transitions);
    }

    /// Raises the alert for checklist items that turned overdue, when this session watches
    /// the checklist.
    fn look_at_checklist(&mut self, board: &Board) {
        let now = self.clock.now();
        if let Some(trigger) = self.overdue.as_mut().and_then(|o| o.look(board, now)) {
            self.raise(trigger);
        }
    }

    /// Closing, alerts first (their last lines go through the journal writer): sends what is
    /// still grouped, waits up to `within` for the deliveries under way, and returns what was
    /// left undone.
    pub async fn close_alerts(&mut self, within: Duration) -> Vec<String> {
        self.overdue = None;
        let Some(Alerts {
            service, follower, ..
        }) = self.alerts.take()
        else {
            return Vec::new();
        };
        drop(follower);
        service.close(within).await
    }

    /// Closes the journal writer and waits (at most `within`) for its last attempt: how many
    /// lines could not be recorded (none without a journal), `None` when it did not finish.
    pub async fn close_journal(self, within: Duration) -> Option<usize> {
        match self.journal {
            Some(writer) => writer.close(within).await,
            None => Some(0),
        }
    }
}
