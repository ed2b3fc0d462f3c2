//! The event loop: starts the pollers and the journal writer, then `select!`s over terminal
//! events, gate results, effect results, signals and a 1 Hz tick; draws only when the state
//! changed.

use super::action::{Action, Effect};
use super::db_call::db_call;
use super::state::State;
use super::theme::Theme;
use super::timeline::TIMELINE_LIMIT;
use super::{CockpitError, CockpitOptions, cohort, input, render, terminal, update};
use crate::config::Config;
use crate::journal::{Journal, Writer, WriterPace};
use crate::monitor::{Clock, Monitor};
use crate::source::Sources;
use crate::text::Redactor;
use crossterm::event::EventStream;
use futures::StreamExt;
use std::io::Write;
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

/// A journal call that takes longer than this is reported as failed (the UI never waits on it).
const JOURNAL_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn run(config: Config, options: CockpitOptions) -> Result<u8, CockpitError> {
    if config.gates.is_empty() {
        return Err(CockpitError::NoGates);
    }
    let sources = Sources::new(&config)?;
    let cohort_db = sources
        .postgres()
        .map(|pool| (pool.clone(), config.raw.defaults.timeout));
    let clock = options.clock.unwrap_or(Clock::System);
    let journal = sources.postgres().map(|pool| {
        Journal::new(
            pool.clone(),
            config.launch().name.0.clone(),
            options.operator.clone(),
        )
    });
    let mut state = State::new(
        &config,
        &options.operator,
        options.demo,
        options.keymap,
        Theme::from_env(),
        clock.now(),
    );
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    // Raw mode turns a keyboard Ctrl-C into a key; this is `kill -INT` from a supervisor.
    let mut sigint = signal(SignalKind::interrupt())?;

    let (results_tx, mut results) = mpsc::channel(256);
    let monitor = Monitor::spawn(sources, &config.gates, clock, None, results_tx);
    let (actions_tx, mut actions) = mpsc::unbounded_channel();
    let runner = EffectRunner {
        journal_writer: journal
            .clone()
            .map(|j| spawn_journal_writer(j, config.redactor.clone(), actions_tx.clone())),
        journal,
        cohort_db,
        cohort_settings: config.raw.cohort.clone(),
        redactor: config.redactor.clone(),
        actions: actions_tx,
        home: std::env::var_os("HOME").map(Into::into),
    };

    let mut session = terminal::enter()?;
    let size = session.terminal.size()?;
    let mut pending = vec![Action::Resize {
        width: size.width,
        height: size.height,
    }];
    pending.extend(options.cohort.map(Action::LoadCohort));
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);

    let code = 'run: loop {
        for action in pending.drain(..) {
            for effect in update(&mut state, action) {
                if runner.run(effect, &monitor) {
                    break 'run crate::exit::OK;
                }
            }
        }
        if state.dirty {
            // A terminal that went away (a closed tmux session) fails the write: leave through
            // the normal way out, so pollers stop and a rehearsal removes its throwaway data.
            if let Err(e) = session.terminal.draw(|frame| render(&state, frame)) {
                tracing::error!(error = %e, "cannot draw on the terminal; the cockpit stops");
                break 'run crate::exit::IO;
            }
            state.dirty = false;
        }
        let action = tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => input::action_for_event(&state, &event),
                // The terminal cannot be read: say so in the log and exit non-zero, never as a
                // normal quit.
                Some(Err(e)) => {
                    tracing::error!(error = %e, "cannot read the terminal; the cockpit stops");
                    break 'run crate::exit::IO;
                }
                // The terminal went away (SIGHUP's usual companion): nothing left to draw on.
                None => break 'run 128 + 1,
            },
            Some(result) = results.recv() => Some(Action::GateChecked(result)),
            Some(action) = actions.recv() => Some(action),
            _ = tick.tick() => Some(Action::Tick(clock.now())),
            _ = sigterm.recv() => break 'run 128 + 15,
            _ = sighup.recv() => break 'run 128 + 1,
            _ = sigint.recv() => break 'run 128 + 2,
        };
        pending.extend(action);
        // Take whatever else is already waiting, so a burst (every poller answering at start-up)
        // costs one frame, not one per result.
        while pending.len() < 64 {
            match results.try_recv() {
                Ok(result) => pending.push(Action::GateChecked(result)),
                Err(_) => break,
            }
        }
        while let Ok(action) = actions.try_recv() {
            pending.push(action);
        }
    };
    monitor.stop();
    drop(session);
    // Transitions still on their way to the journal get a short last chance; the terminal is
    // already back, so what is lost can be said.
    if let Some(writer) = runner.journal_writer {
        let note = match writer.close(JOURNAL_ON_EXIT).await {
            Some(0) => None,
            Some(n) => Some(format!(
                "gonogo: {n} transition(s) could not be recorded in the journal"
            )),
            None => Some(
                "gonogo: the last transitions may not be recorded in the journal (the database did not answer in time)".to_owned(),
            ),
        };
        if let Some(note) = note {
            tracing::warn!("{note}");
            // The terminal may be gone: a failed write is not worth a panic.
            let _ = writeln!(std::io::stderr(), "{note}");
        }
    }
    Ok(code)
}

/// How long quitting waits for the journal's last write.
const JOURNAL_ON_EXIT: Duration = Duration::from_secs(3);

struct EffectRunner {
    journal: Option<Journal>,
    journal_writer: Option<Writer>,
    /// The product database for the cohort's collision checks, and their statement timeout.
    cohort_db: Option<(sqlx::PgPool, Duration)>,
    cohort_settings: crate::cohort::CohortSettings,
    redactor: Redactor,
    actions: mpsc::UnboundedSender<Action>,
    /// `$HOME`, read once at start, for `:cohort ~/…`.
    home: Option<std::path::PathBuf>,
}

impl EffectRunner {
    /// Starts one effect; returns true when it is time to quit.
    fn run(&self, effect: Effect, monitor: &Monitor) -> bool {
        match effect {
            Effect::Quit => return true,
            Effect::Recheck(gate) => {
                monitor.recheck(&gate);
            }
            Effect::RecheckAll => monitor.recheck_all(),
            Effect::RecordTransitions(transitions) => {
                if let Some(writer) = &self.journal_writer {
                    writer.send(transitions);
                }
            }
            Effect::LoadTimeline => {
                let Some(journal) = self.journal.clone() else {
                    return false;
                };
                let (actions, redactor) = (self.actions.clone(), self.redactor.clone());
                tokio::spawn(async move {
                    let read = journal.recent(TIMELINE_LIMIT as i64);
                    let result = db_call(JOURNAL_TIMEOUT, &redactor, read).await;
                    let _ = actions.send(Action::TimelineLoaded(result));
                });
            }
            Effect::LoadCohort { load, path } => {
                let (actions, redactor) = (self.actions.clone(), self.redactor.clone());
                let (settings, db) = (self.cohort_settings.clone(), self.cohort_db.clone());
                let journal = self.journal.clone();
                let path = cohort::expand_home(&path, self.home.as_deref());
                tokio::spawn(async move {
                    let result =
                        cohort::load(path, settings, db, journal.as_ref(), &redactor).await;
                    let _ = actions.send(Action::CohortLoaded { load, result });
                });
            }
            Effect::RecordCohortOverride { cohort, reason } => {
                let (actions, redactor) = (self.actions.clone(), self.redactor.clone());
                let Some(journal) = self.journal.clone() else {
                    let _ = actions.send(Action::CohortOverridden {
                        sha256: cohort.0.scan.report.sha256.clone(),
                        result: Err("no database is configured for the journal".into()),
                    });
                    return false;
                };
                tokio::spawn(async move {
                    let action =
                        cohort::record_override(&journal, &cohort, &reason, &redactor).await;
                    let _ = actions.send(action);
                });
            }
            Effect::Bell => terminal::bell(),
            Effect::SetTitle(title) => terminal::set_title(&title),
        }
        false
    }
}

/// Journal writes run beside the cockpit: a flush takes at most `budget`, and what the journal
/// could not take is retried every `retry`, in order, before anything newer.
const JOURNAL_PACE: WriterPace = WriterPace {
    budget: JOURNAL_TIMEOUT,
    retry: Duration::from_secs(15),
};

/// One writer, so transitions reach the journal in the order they happened; each flush's
/// outcome comes back as an action.
fn spawn_journal_writer(
    journal: Journal,
    redactor: Redactor,
    actions: mpsc::UnboundedSender<Action>,
) -> Writer {
    Writer::spawn(journal, JOURNAL_PACE, move |outcome| {
        let outcome = outcome.map_err(|e| redactor.redact(&e.to_string()));
        actions.send(Action::JournalRecorded(outcome)).is_ok()
    })
}
