//! The cockpit without a terminal: the same state, update, effect runner, pollers and live
//! listener as [`super::run`], stepped by the caller. Two of these on one database are two
//! operators' cockpits, for tests and benchmarks; the event loop is this plus a terminal.

use super::action::Action;
use super::effects::{QUIT_DEADLINE, Runner, Setup};
use super::state::State;
use super::theme::Theme;
use super::{CockpitError, CockpitOptions, update};
use crate::clock::Clock;
use crate::config::Config;
use crate::gate::GateResult;
use crate::monitor::Monitor;
use crate::source::Sources;
use std::time::Duration;
use tokio::sync::mpsc;

pub struct Driver {
    pub state: State,
    pub clock: Clock,
    runner: Runner,
    monitor: Monitor,
    results: mpsc::Receiver<GateResult>,
    actions: mpsc::UnboundedReceiver<Action>,
    quit: bool,
}

impl Driver {
    /// Starts the pollers, the journal writer and the live listener, as the cockpit does,
    /// without a terminal (no bell, no window title).
    pub fn start(config: Config, options: CockpitOptions) -> Result<Driver, CockpitError> {
        Driver::start_with(config, options, false)
    }

    pub(super) fn start_with(
        config: Config,
        options: CockpitOptions,
        terminal: bool,
    ) -> Result<Driver, CockpitError> {
        if config.gates.is_empty() {
            return Err(CockpitError::NoGates);
        }
        let sources = Sources::new(&config)?;
        let cohort_db = sources
            .database()
            .map(|db| (db.clone(), config.raw.defaults.timeout));
        let clock = options.clock.unwrap_or(Clock::System);
        let journal = sources.journal(&config.launch().name.0, &options.operator);
        let database = sources.database().cloned();
        let dispatch = dispatch_setup(&config, &options, &database, &journal);
        let mut state = State::new(
            &config,
            &options.operator,
            options.demo,
            options.keymap,
            Theme::from_env(),
            clock.now(),
        );
        // The pane offers sending only when the runner can send: the same answer for both.
        let dispatch = match dispatch {
            Ok(dispatch) => dispatch,
            Err(why) => {
                state.panes.dispatch = super::panes::dispatch::DispatchPane::new(Err(why));
                None
            }
        };
        let metrics = metrics_listener(&config, &mut state);
        let (actions_tx, actions) = mpsc::unbounded_channel();
        let runner = Runner::start(
            Setup {
                journal,
                database,
                config: config.clone(),
                cohort_db,
                cohort_settings: config.raw.cohort.clone(),
                redactor: config.redactor.clone(),
                home: std::env::var_os("HOME").map(Into::into),
                terminal,
                dispatch,
                operator: options.operator.clone(),
                clock,
            },
            actions_tx,
            metrics,
        );
        let (results_tx, results) = mpsc::channel(256);
        let results_tx = runner.gate_results(results_tx);
        let monitor = Monitor::spawn(sources, &config.gates, clock, None, results_tx);
        Ok(Driver {
            state,
            clock,
            runner,
            monitor,
            results,
            actions,
            quit: false,
        })
    }

    /// Applies an action and starts the effects it asks for.
    pub fn dispatch(&mut self, action: Action) {
        for effect in update(&mut self.state, action) {
            if self.runner.run(effect, &self.monitor) {
                self.quit = true;
            }
        }
    }

    /// The operator asked to quit.
    pub fn quitting(&self) -> bool {
        self.quit
    }

    /// Waits up to `within` for the next news (a gate result, an effect's answer, a live
    /// signal), applies it and everything else already waiting; false when nothing came.
    pub async fn step(&mut self, within: Duration) -> bool {
        let first = tokio::select! {
            Some(result) = self.results.recv() => Action::GateChecked(result),
            Some(action) = self.actions.recv() => action,
            () = tokio::time::sleep(within) => return false,
        };
        self.dispatch(first);
        while let Ok(result) = self.results.try_recv() {
            self.dispatch(Action::GateChecked(result));
        }
        while let Ok(action) = self.actions.try_recv() {
            self.dispatch(action);
        }
        true
    }

    /// The 1 Hz clock's tick, now.
    pub fn tick(&mut self) {
        let now = self.clock.now();
        self.dispatch(Action::Tick(now));
    }

    /// Steps (and ticks once a second) until `done` holds or `within` runs out; whether it
    /// held.
    pub async fn run_until(&mut self, within: Duration, done: impl Fn(&State) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        let mut next_tick = tokio::time::Instant::now();
        while !done(&self.state) {
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return false;
            }
            if now >= next_tick {
                self.tick();
                next_tick = now + Duration::from_secs(1);
                continue;
            }
            self.step(next_tick.min(deadline) - now).await;
        }
        true
    }

    /// Stops the pollers and drains the runner; what was left undone.
    pub async fn stop(self) -> Vec<String> {
        self.monitor.stop();
        self.runner.drain(QUIT_DEADLINE).await
    }

    /// The runner and monitor, for the event loop that owns the terminal.
    pub(super) fn into_parts(
        self,
    ) -> (
        State,
        Clock,
        Runner,
        Monitor,
        mpsc::Receiver<GateResult>,
        mpsc::UnboundedReceiver<Action>,
    ) {
        (
            self.state,
            self.clock,
            self.runner,
            self.monitor,
            self.results,
            self.actions,
        )
    }
}

/// `[metrics] listen`, bound now; a port that cannot be had is said in the footer and the
/// cockpit runs without it.
fn metrics_listener(config: &Config, state: &mut State) -> Option<crate::metrics::Listener> {
    let addr = config.raw.metrics.as_ref()?.listen?;
    crate::metrics::Listener::bind(addr)
        .inspect_err(|e| {
            tracing::warn!("{e}");
            state.say(super::kit::Level::Warning, &format!("metrics: {e}"));
        })
        .ok()
}

/// The cockpit's dispatch, when the config has `[invites]` and a database.
fn dispatch_setup(
    config: &Config,
    options: &CockpitOptions,
    database: &Option<crate::db::Database>,
    journal: &Option<crate::journal::Journal>,
) -> Result<Option<super::effects::Dispatch>, String> {
    if config.raw.invites.is_none() {
        return Ok(None);
    }
    let (Some(database), Some(journal)) = (database.as_ref(), journal.clone()) else {
        return Err("the dispatch ledger lives in the database: add [postgres]".into());
    };
    let path = options
        .config_path
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from("gonogo.toml"));
    let setup = match crate::invite::Setup::new(config, &path) {
        Ok(setup) => setup,
        Err(e) => {
            tracing::warn!("dispatch disabled: {e}");
            let why = format!("dispatch cannot start: {e}");
            return Err(crate::text::Redactor::process().excerpt(&why, 300));
        }
    };
    let ledger =
        crate::invite::Ledger::new(database.state().clone(), config.launch().name.0.clone());
    Ok(Some(super::effects::Dispatch {
        setup,
        ledger,
        journal,
    }))
}
