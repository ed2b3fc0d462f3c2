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

mod tasks;

pub use super::panes::dispatch::effects::Dispatch;

pub use tasks::{AtQuit, Tasks, quit_report};

use super::action::{Action, Effect};
use super::panes::cohort::expand_home;
use super::panes::timeline::Msg;
use super::terminal;
use crate::config::Config;
use crate::db::Database;
use crate::db::call::db_call;
use crate::gate::GateResult;
use crate::journal::{Journal, LiveSignal, WriterPace};
use crate::monitor::Monitor;
use crate::session::{Session, SessionSetup};
use crate::text::Redactor;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// How long quitting waits, at most, for the work still under way: the journal writer's last
/// flush and the writes in flight (reads are cancelled at once).
pub const QUIT_DEADLINE: Duration = Duration::from_secs(3);

/// A journal call that takes longer than this is reported as failed (the UI never waits on it).
pub(crate) const JOURNAL_TIMEOUT: Duration = Duration::from_secs(10);

/// Journal writes run beside the cockpit: a flush takes at most `budget`, and what the journal
/// could not take is retried every `retry`, in order, before anything newer.
const JOURNAL_PACE: WriterPace = WriterPace {
    budget: JOURNAL_TIMEOUT,
    retry: Duration::from_secs(15),
};

/// What the runner needs from the outside world, read once at start.
pub struct Setup {
    pub journal: Option<Journal>,
    /// The database, for the live listener's own connection.
    pub database: Option<Database>,
    /// The config as loaded, for the handoff report.
    pub config: Config,
    /// The product database for the cohort's collision checks, and their statement timeout.
    pub cohort_db: Option<(Database, Duration)>,
    pub cohort_settings: crate::cohort::CohortSettings,
    pub redactor: Redactor,
    pub actions: mpsc::UnboundedSender<Action>,
    /// `$HOME`, for `:cohort ~/…`.
    pub home: Option<PathBuf>,
    /// A terminal to ring and title (not for a headless driver).
    pub terminal: bool,
    /// `[invites]`, the ledger and the journal, when the config has them.
    pub dispatch: Option<Dispatch>,
    /// Who is at the keyboard and the cockpit's clock, for the alerts it raises.
    pub operator: String,
    pub clock: crate::clock::Clock,
    /// `[metrics] listen`, bound: the session serves `/metrics` on it.
    pub metrics: Option<crate::metrics::Listener>,
}

pub struct Runner {
    setup: Setup,
    /// The journal writer and the alerts, as `check --watch` runs them.
    session: Session,
    /// The live listener (a long-lived task on its own connection) and what stops it.
    listener: Option<(tokio::task::JoinHandle<()>, CancellationToken)>,
    tasks: Tasks,
    /// Stops the long-lived run a pane started (this cockpit's send run), while one runs.
    long_run: Option<CancellationToken>,
}

/// What a pane's job may use ([`super::panes::PaneKind::run`]): the runner's setup (its
/// services, its clock), its tasks, and the long-lived run a pane starts, which pausing and
/// quitting stop (quitting first, before the rest closes).
pub struct Jobs<'a> {
    pub setup: &'a Setup,
    pub tasks: &'a mut Tasks,
    pub long_run: &'a mut Option<CancellationToken>,
}

impl Runner {
    /// Starts the long-lived services.
    pub fn start(mut setup: Setup) -> Runner {
        let mut session = start_session(&setup);
        if let Some(listener) = setup.metrics.take()
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
            let actions = setup.actions.clone();
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
        let (actions, redactor) = (setup.actions.clone(), setup.redactor.clone());
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
                let mut jobs = Jobs {
                    setup,
                    tasks: &mut self.tasks,
                    long_run: &mut self.long_run,
                };
                super::panes::run(job, &mut jobs);
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
fn start_session(setup: &Setup) -> Session {
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
    };
    let (redactor, actions) = (setup.redactor.clone(), setup.actions.clone());
    let flushed = move |outcome: Result<usize, crate::journal::FlushError>| {
        let waiting = outcome.as_ref().err().map_or(0, |e| e.kept());
        let outcome = outcome.map_err(|e| redactor.redact(&e.to_string()));
        actions.send(Msg::JournalPending(waiting).into()).is_ok()
            && actions.send(Msg::JournalRecorded(outcome).into()).is_ok()
    };
    let actions = setup.actions.clone();
    let news = move |news| {
        let _ = actions.send(Action::AlertNews(news));
    };
    let (session, alerts_off) = Session::start(session, flushed, news);
    if let Some(why) = alerts_off {
        let _ = setup
            .actions
            .send(Action::AlertNews(crate::alerts::AlertNews::Skipped {
                title: "alerts are off".to_owned(),
                why,
            }));
    }
    session
}
