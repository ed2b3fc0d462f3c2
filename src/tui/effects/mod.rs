//! The effect runner: carries out the [`Effect`]s `update` returns, and keeps track of the work
//! it starts. Short tasks (a journal read, a cohort load, an override write) run in
//! [`tasks::Tasks`], a `JoinSet` with cancellation; long-lived services (the journal writer)
//! take work on a queue and report progress back as actions. At quit, [`Runner::drain`] gives
//! them all [`QUIT_DEADLINE`] and says what was left undone.
//!
//! A pane's jobs (`Effect::Pane`) are forwarded to the pane's own I/O (`panes/<name>/effects.rs`,
//! through [`super::panes::run`]). A new shared effect: a variant of [`Effect`], and its arm in
//! [`Runner::run`]: either a call on a service, or a task spawned with a name and what quitting
//! does with it ([`AtQuit`]), whose result comes back as an [`Action`].

pub use super::jobs::{AtQuit, Dispatch, JOURNAL_TIMEOUT, Setup, Tasks, quit_report};

use super::action::{Action, Effect};
use super::panes::cohort::expand_home;
use super::panes::timeline::Msg;
use super::terminal;
use crate::db::call::db_call;
use crate::gate::GateResult;
use crate::journal::{LiveSignal, WriterPace};
use crate::monitor::Monitor;
use crate::session::{Session, SessionSetup};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// How long quitting waits, at most, for the work still under way: the journal writer's last
/// flush and the writes in flight (reads are cancelled at once).
pub const QUIT_DEADLINE: Duration = Duration::from_secs(3);

/// Journal writes run beside the cockpit: a flush takes at most `budget`, and what the journal
/// could not take is retried every `retry`, in order, before anything newer.
const JOURNAL_PACE: WriterPace = WriterPace {
    budget: JOURNAL_TIMEOUT,
    retry: Duration::from_secs(15),
};

pub struct Runner {
    setup: Setup,
    /// Where every answer goes: to `update`, through the event loop.
    actions: mpsc::UnboundedSender<Action>,
    /// The journal writer and the alerts, as `check --watch` runs them.
    session: Session,
    /// The live listener (a long-lived task on its own connection) and what stops it.
    listener: Option<(tokio::task::JoinHandle<()>, CancellationToken)>,
    tasks: Tasks,
    /// Stops the long-lived run a pane started (this cockpit's send run), while one runs.
    long_run: Option<CancellationToken>,
}

impl Runner {
    /// Starts the long-lived services.
    pub fn start(
        setup: Setup,
        actions: mpsc::UnboundedSender<Action>,
        metrics: Option<crate::metrics::Listener>,
    ) -> Runner {
        let mut session = start_session(&setup, &actions);
        if let Some(listener) = metrics
            && let Err(e) = session.serve_metrics(listener, &setup.config.gates)
        {
            tracing::warn!("{e}");
        }
        let listener = setup.database.clone().map(|database| {
            let cancel = CancellationToken::new();
            let (signals_tx, mut signals) = mpsc::unbounded_channel::<LiveSignal>();
            let redactor = setup.redactor.clone();
            let listen = crate::db::listen::run(database, signals_tx, cancel.clone(), move |t| {
                redactor.redact(t)
            });
            let actions = actions.clone();
            let task = tokio::spawn(async move {
                let forward = async {
                    while let Some(signal) = signals.recv().await {
                        if actions.send(Action::Live(signal)).is_err() {
                            break;
                        }
                    }
                };
                tokio::join!(listen, forward);
            });
            (task, cancel)
        });
        Runner {
            setup,
            actions,
            session,
            listener,
            tasks: Tasks::default(),
            long_run: None,
        }
    }

    /// The sender the pollers answer on (through the session's metrics, when served).
    pub fn gate_results(&self, to: mpsc::Sender<GateResult>) -> mpsc::Sender<GateResult> {
        self.session.gate_results(to)
    }

    /// Starts one effect; returns true when it is time to quit.
    pub fn run(&mut self, effect: Effect, monitor: &Monitor) -> bool {
        let setup = &self.setup;
        let (actions, redactor) = (self.actions.clone(), setup.redactor.clone());
        match effect {
            Effect::Quit => return true,
            Effect::Recheck(gate) => {
                monitor.recheck(&gate);
            }
            Effect::RecheckAll => monitor.recheck_all(),
            Effect::RecordTransitions(transitions) => self.session.record(transitions),
            Effect::RecordEvent(event) => self.session.record_event(event),
            Effect::SaveObservation(gate) => self.session.save_observation(gate),
            Effect::BuildHandoff(out) => {
                let Some(journal) = setup.journal.clone() else {
                    return false;
                };
                let (config, clock) = (setup.config.clone(), setup.clock);
                let out_path = out.clone().map(|p| expand_home(&p, setup.home.as_deref()));
                self.tasks
                    .spawn("handoff report", AtQuit::Cancel, async move {
                        let now = clock.now();
                        let gather = crate::handoff::gather(&journal, &config, None, now);
                        let result = db_call(JOURNAL_TIMEOUT, &redactor, gather)
                            .await
                            .map(|report| crate::handoff::markdown(&report));
                        let result = match (result, &out_path) {
                            (Ok(text), Some(path)) => tokio::fs::write(path, &text)
                                .await
                                .map(|()| text)
                                .map_err(|e| format!("cannot write {}: {e}", path.display())),
                            (result, _) => result,
                        };
                        let _ = actions.send(Action::HandoffReady { out, result });
                    });
            }
            Effect::Pane(job) => {
                let (tasks, long_run) = (&mut self.tasks, &mut self.long_run);
                super::panes::run(job, setup, tasks, long_run, &self.actions);
            }
            Effect::Bell if setup.terminal => terminal::bell(),
            Effect::SetTitle(title) if setup.terminal => terminal::set_title(&title),
            Effect::Bell | Effect::SetTitle(_) => {}
            Effect::ObserveAlerts(view) => self.session.observe(view),
            Effect::RaiseAlert(trigger) => self.session.raise(trigger),
        }
        false
    }

    /// Quitting: the services and the tasks get `within` between them (run side by side);
    /// returns the lines to say on stderr about what was left undone.
    pub async fn drain(self, within: Duration) -> Vec<String> {
        let deadline = tokio::time::Instant::now() + within;
        // The send run first: it stops after the message in flight (which it records), so
        // nothing more goes out while the rest closes.
        if let Some(token) = &self.long_run {
            token.cancel();
        }
        let listener = async {
            if let Some((task, cancel)) = self.listener {
                cancel.cancel();
                // Stopping only closes a connection: it never holds up the quit.
                let _ = tokio::time::timeout(Duration::from_millis(500), task).await;
            }
        };
        // Alerts before the writer: their last lines go through it.
        let mut session = self.session;
        let (notes, ()) = tokio::join!(session.close_alerts(within / 3), listener);
        let within = deadline.saturating_duration_since(tokio::time::Instant::now());
        let writer = async {
            match session.close_journal(within).await {
                Some(0) => None,
                Some(n) => Some(format!(
                    "gonogo: {n} line(s) (transitions, notes) could not be recorded in the journal"
                )),
                None => Some(
                    "gonogo: the last lines may not be recorded in the journal (the database did not answer in time)"
                        .to_owned(),
                ),
            }
        };
        let (writer, left) = tokio::join!(writer, self.tasks.drain(within));
        notes
            .into_iter()
            .chain(writer)
            .chain(quit_report(&left))
            .collect()
    }
}

/// The session: the journal writer, each flush's outcome coming back as actions, and the alert
/// service when `[alerts]` has a webhook; a config it cannot use is said in the footer, never a
/// cockpit that does not start.
fn start_session(setup: &Setup, actions: &mpsc::UnboundedSender<Action>) -> Session {
    let session = SessionSetup {
        config: &setup.config,
        journal: setup.journal.clone(),
        database: setup.database.as_ref(),
        clock: setup.clock,
        pace: JOURNAL_PACE,
        role: if setup.terminal {
            "cockpit"
        } else {
            "cockpit, headless"
        },
        operator: &setup.operator,
        // The Checklist pane tells overdue items from its own view.
        watch_checklist: false,
        read_only: setup.config.launch().read_only,
    };
    let (redactor, flushes) = (setup.redactor.clone(), actions.clone());
    let flushed = move |outcome: Result<usize, crate::journal::FlushError>| {
        let waiting = outcome.as_ref().err().map_or(0, |e| e.kept());
        let outcome = outcome.map_err(|e| redactor.redact(&e.to_string()));
        flushes.send(Msg::JournalPending(waiting).into()).is_ok()
            && flushes.send(Msg::JournalRecorded(outcome).into()).is_ok()
    };
    let alerts = actions.clone();
    let news = move |news| {
        let _ = alerts.send(Action::AlertNews(news));
    };
    let (session, alerts_off) = Session::start(session, flushed, news);
    if let Some(why) = alerts_off {
        let _ = actions.send(Action::AlertNews(crate::alerts::AlertNews::Skipped {
            title: "alerts are off".to_owned(),
            why,
        }));
    }
    session
}
