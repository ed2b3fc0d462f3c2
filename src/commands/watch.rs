//! The headless watch loop shared by `gonogo check --watch` and `gonogo demo --headless`: gate
//! results in, transitions and verdict changes printed, transitions journaled in order (kept and
//! retried while the database cannot take them), until a stop signal.

use super::check::print_transition;
use crate::checklist::Tick;
use crate::clock::Clock;
use crate::clock::rfc3339;
use crate::config::Config;
use crate::db::checklist_store::ChecklistStore;
use crate::gate::{Board, GateResult, GateSpec, GateState, Transition, Verdict};
use crate::journal::{FlushError, Journal, Writer, WriterPace};
use crate::monitor::Monitor;
use crate::source::Sources;
use crate::text::Redactor;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{Interval, MissedTickBehavior};

/// The journal is written beside the watch, never in its way: a flush takes at most `budget`,
/// and what the journal could not take is retried every `retry` until it can.
const JOURNAL_PACE: WriterPace = WriterPace {
    budget: Duration::from_secs(3),
    retry: Duration::from_secs(15),
};
/// How long exiting waits for alerts still grouped or being delivered.
const ALERTS_AT_EXIT: Duration = Duration::from_secs(3);
/// How often the watch reads the journal for lines that call for an alert.
const JOURNAL_FOLLOW_EVERY: Duration = Duration::from_secs(2);
/// How often the watch reads the checklist's ticks (for items turning overdue).
const TICKS_EVERY: Duration = Duration::from_secs(5);
/// The finest staleness check: a result older than three intervals turns unknown on time.
const REFRESH: Duration = Duration::from_secs(1);

/// What woke the loop up: the transitions it brought (often none).
pub(crate) struct Step(Vec<Transition>);

/// A board fed by a running [`Monitor`], printing as it changes.
pub(crate) struct Watch {
    board: Board,
    clock: Clock,
    results: mpsc::Receiver<GateResult>,
    _monitor: Monitor,
    refresh: Interval,
    json: bool,
    journal: Option<Writer>,
    /// The alert service (with a webhook configured) and its inlet.
    alerts: Option<(
        crate::alerts::Service,
        crate::alerts::Inlet,
        Option<tokio::task::JoinHandle<()>>,
    )>,
    /// Checklist items turning overdue (with alerts, a checklist and a journal).
    overdue: Option<OverdueWatch>,
    unanswered: HashSet<String>,
    last_verdict: Option<Verdict>,
}

impl Watch {
    /// Starts polling `gates` (every gate's own interval, or `every` for all of them).
    pub(crate) fn start(
        config: &Config,
        gates: &[GateSpec],
        sources: Sources,
        journal: Option<Journal>,
        every: Option<Duration>,
        json: bool,
    ) -> Watch {
        let clock = Clock::System;
        let database = sources.database().cloned();
        let (tx, results) = mpsc::channel(256);
        let monitor = Monitor::spawn(sources, gates, clock, every, tx);
        let fastest = every.or_else(|| gates.iter().map(|g| g.every).min());
        let mut refresh = tokio::time::interval(fastest.map_or(REFRESH, |f| f.min(REFRESH)));
        refresh.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let (inlet, inbox) = crate::alerts::inlet();
        let operator = journal.as_ref().map(|j| j.actor().to_owned());
        let follows = journal.clone();
        let ticks_from = journal.clone();
        let reader = journal.clone();
        let journal = journal.map(|journal| {
            let mut notes = JournalNotes::new(config.redactor.clone(), json);
            let (alerts, redactor) = (inlet.clone(), config.redactor.clone());
            Writer::spawn(journal, JOURNAL_PACE, move |outcome| {
                alerts.journal(outcome.clone().map_err(|e| redactor.redact(&e.to_string())));
                notes.heard(outcome);
                true
            })
        });
        let start = crate::alerts::Start {
            config,
            database: database.as_ref(),
            journal: reader,
            journal_events: journal.as_ref().map(Writer::event_sender),
            clock,
            role: "check --watch",
            operator: operator.as_deref().unwrap_or("watch"),
        };
        let alerts = match crate::alerts::start(start, inbox, move |news| {
            let (line, _) = news.line();
            say(json, &crate::text::sanitize(&line));
        }) {
            Ok(service) => service.map(|s| {
                // Lines other processes write (a send run pausing, a frozen decision) raise
                // the alerts a cockpit raises, by the same rule.
                let follower = follows
                    .map(|j| crate::alerts::follow_journal(j, inlet.clone(), JOURNAL_FOLLOW_EVERY));
                (s, inlet, follower)
            }),
            Err(why) => {
                say(
                    json,
                    &format!("alerts: off: {}", config.redactor.redact(&why)),
                );
                None
            }
        };
        let overdue = ticks_from
            .filter(|_| alerts.is_some())
            .and_then(|j| OverdueWatch::start(config, &j));
        Watch {
            overdue,
            board: Board::new(gates, clock.now()),
            clock,
            results,
            _monitor: monitor,
            refresh,
            json,
            journal,
            alerts,
            unanswered: gates.iter().map(|g| g.id.clone()).collect(),
            last_verdict: None,
        }
    }

    /// Waits for a result or a staleness tick. Cancel-safe, so callers can `select!` it against
    /// their own events without losing a result.
    pub(crate) async fn next(&mut self) -> Step {
        tokio::select! {
            Some(result) = self.results.recv() => {
                let first = self.unanswered.remove(&result.gate);
                let gate = result.gate.clone();
                let step = Step(self.board.apply(result).into_iter().collect());
                // A first answer that changes nothing is still the alert engine's first look.
                if let Some((_, inlet, _)) = &self.alerts
                    && first
                    && step.0.is_empty()
                {
                    inlet.observe(crate::alerts::BoardView::of(&self.board));
                }
                if let (Some(writer), Some(status)) = (&self.journal, self.board.get(&gate)) {
                    writer.observed_by(status);
                }
                step
            }
            _ = self.refresh.tick() => Step(self.board.refresh(self.clock.now())),
        }
    }

    /// Prints the step's transitions, hands them to the journal's writer, and prints the
    /// verdict when it changed. The first verdict waits for every gate's first answer, so it is
    /// never premature.
    /// Returns false when stdout is gone.
    pub(crate) fn report(&mut self, Step(transitions): Step) -> bool {
        let mut written = true;
        for t in &transitions {
            written &= print_transition(t, self.json);
        }
        if let Some((_, inlet, _)) = &self.alerts
            && !transitions.is_empty()
        {
            inlet.observe(crate::alerts::BoardView::of(&self.board));
        }
        if let (Some((_, inlet, _)), Some(overdue)) = (&self.alerts, &mut self.overdue)
            && let Some(trigger) = overdue.look(&self.board, self.clock.now())
        {
            inlet.raise(trigger);
        }
        if let Some(writer) = &self.journal {
            writer.send(transitions);
        }
        let verdict = self.board.verdict();
        if self.unanswered.is_empty() && self.last_verdict != Some(verdict) {
            self.last_verdict = Some(verdict);
            let at = rfc3339(self.clock.now());
            written &= if self.json {
                let line = serde_json::json!({"verdict": verdict, "at": at});
                outln!("{}", crate::text::to_json_line(&line).unwrap_or_default())
            } else {
                outln!("{at} VERDICT: {verdict}")
            };
        }
        written
    }

    /// Waits (briefly) for the journal's last attempt; says what could not be recorded.
    pub(crate) async fn finish(self) -> Verdict {
        let verdict = self.board.verdict();
        // Alerts first: their last lines go through the journal writer, closed after them.
        if let Some((service, _, follower)) = self.alerts {
            if let Some(follower) = follower {
                follower.abort();
            }
            for note in service.close(ALERTS_AT_EXIT).await {
                say(self.json, &note);
            }
        }
        let Some(writer) = self.journal else {
            return verdict;
        };
        let left = writer
            .close(JOURNAL_PACE.budget + Duration::from_secs(1))
            .await;
        let note = match left {
            Some(0) => return verdict,
            Some(n) => format!(
                "journal: {} could not be recorded before exiting",
                crate::plural::count(n as u64, "transition")
            ),
            None => "journal: the last transitions may not be recorded (the database did not \
                     answer in time)"
                .to_owned(),
        };
        say(self.json, &note);
        verdict
    }
}

/// Checklist items turning overdue, for the alerts as the cockpit raises them: the ticks read
/// from the database beside the watch, the view laid over the watch's own board at each step.
struct OverdueWatch {
    checklist: crate::checklist::Checklist,
    decision_at: Option<chrono::DateTime<chrono::Utc>>,
    ticks: Arc<Mutex<Option<Vec<Tick>>>>,
    reader: tokio::task::JoinHandle<()>,
    items: crate::alerts::OverdueItems,
}

impl OverdueWatch {
    /// `None` without a checklist the config names (and can be read).
    fn start(config: &Config, journal: &Journal) -> Option<OverdueWatch> {
        let checklist = crate::checklist::load_configured(config).ok()?;
        let store = ChecklistStore::new(journal.pool().clone(), journal.launch(), journal.actor());
        let ticks = Arc::new(Mutex::new(None));
        let read = ticks.clone();
        let reader = tokio::spawn(async move {
            let mut every = tokio::time::interval(TICKS_EVERY);
            every.set_missed_tick_behavior(MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                if let Ok(Ok(now)) = tokio::time::timeout(JOURNAL_PACE.budget, store.ticks()).await
                    && let Ok(mut ticks) = read.lock()
                {
                    *ticks = Some(now);
                }
            }
        });
        Some(OverdueWatch {
            checklist,
            decision_at: config.launch().decision_at,
            ticks,
            reader,
            items: Default::default(),
        })
    }

    /// The alert when an item turned overdue; nothing until the ticks were read once (an
    /// item ticked in the database is not overdue because the database was slow).
    fn look(
        &mut self,
        board: &Board,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<crate::alerts::Trigger> {
        let ticks = self.ticks.lock().ok()?.clone()?;
        let state = |gate: &str| board.get(gate).map_or(GateState::Unknown, |g| g.state);
        let view = crate::checklist::view(&self.checklist, &ticks, state, self.decision_at, now);
        self.items.look(&view)
    }
}

impl Drop for OverdueWatch {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// What the operator hears about the journal: trouble once per kind, not on every flush, and
/// when it is recording again.
struct JournalNotes {
    redactor: Redactor,
    json: bool,
    trouble: Option<&'static str>,
}

impl JournalNotes {
    fn new(redactor: Redactor, json: bool) -> JournalNotes {
        JournalNotes {
            redactor,
            json,
            trouble: None,
        }
    }

    fn heard(&mut self, outcome: Result<usize, FlushError>) {
        match outcome {
            Ok(added) => {
                if self.trouble.take().is_some() {
                    say(
                        self.json,
                        &format!(
                            "journal: recording again ({} caught up)",
                            crate::plural::count(added as u64, "line")
                        ),
                    );
                }
            }
            // Lost transitions are said every time.
            Err(e @ FlushError::GaveUp { .. }) => {
                say(
                    self.json,
                    &format!("journal: {}", self.redactor.redact(&e.to_string())),
                );
            }
            Err(e) => {
                let kind = match e {
                    FlushError::Missing { .. } => "missing",
                    FlushError::Failed { .. } => "failed",
                    FlushError::TimedOut { .. } | FlushError::GaveUp { .. } => "slow",
                };
                if self.trouble != Some(kind) {
                    self.trouble = Some(kind);
                    let why = self.redactor.redact(&e.to_string());
                    say(self.json, &format!("journal: not recorded yet: {why}"));
                }
            }
        }
    }
}

/// Operator notes: on stdout with the transitions, or on stderr when stdout is JSON lines.
fn say(json: bool, note: &str) {
    if json {
        errln!("{note}");
    } else {
        outln!("{note}");
    }
}

/// Whether SIGHUP was ignored when gonogo started, as `nohup` leaves it.
static HANGUP_IGNORED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

/// Reads SIGHUP's disposition before anything installs a handler for it (listening replaces
/// `nohup`'s "ignore"). Called once, first thing.
pub(crate) fn note_hangup_disposition() {
    HANGUP_IGNORED.get_or_init(hangup_ignored);
}

fn hangup_ignored() -> bool {
    use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
    let ignore = SigAction::new(SigHandler::SigIgn, SaFlags::empty(), SigSet::empty());
    // SAFETY: installs SIG_IGN and at once puts back what was there; no handler of ours runs in
    // between, and nothing else in gonogo has touched SIGHUP yet.
    let Ok(previous) = (unsafe { sigaction(Signal::SIGHUP, &ignore) }) else {
        return false;
    };
    // SAFETY: as above; `previous` is the disposition the process started with.
    let _ = unsafe { sigaction(Signal::SIGHUP, &previous) };
    matches!(previous.handler(), SigHandler::SigIgn)
}

/// Ctrl-C, SIGTERM or SIGHUP (a closed terminal or tmux window), listened to from creation on,
/// so a signal that lands while a step is reported is kept for the next `select!`. Under
/// `nohup` a hangup is ignored, as the operator asked.
pub(crate) struct StopSignals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
    hangup: Option<tokio::signal::unix::Signal>,
}

impl StopSignals {
    pub(crate) fn new() -> std::io::Result<StopSignals> {
        use tokio::signal::unix::{SignalKind, signal};
        let hangup = match HANGUP_IGNORED.get().copied().unwrap_or(false) {
            true => None,
            false => Some(signal(SignalKind::hangup())?),
        };
        Ok(StopSignals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
            hangup,
        })
    }

    pub(crate) async fn recv(&mut self) {
        self.received().await;
    }

    /// Waits for a stop signal; the exit code it means (128 + the signal's number).
    pub(crate) async fn received(&mut self) -> u8 {
        let hangup = async {
            match &mut self.hangup {
                Some(hangup) => hangup.recv().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = self.interrupt.recv() => 128 + 2,
            _ = self.terminate.recv() => 128 + 15,
            _ = hangup => 128 + 1,
        }
    }
}
