//! The headless watch loop shared by `gonogo check --watch` and `gonogo demo --headless`: gate
//! results in, transitions and verdict changes printed, until a stop signal. What becomes a
//! journal line or an alert is the [`Session`]'s, the one the cockpit runs too.

use super::check::print_transition;
use crate::clock::Clock;
use crate::clock::rfc3339;
use crate::config::Config;
use crate::gate::{Board, GateResult, GateSpec, Transition, Verdict};
use crate::journal::{FlushError, Journal, WriterPace};
use crate::metrics::{Listener, MetricsError};
use crate::monitor::Monitor;
use crate::session::{Session, SessionSetup};
use crate::source::Sources;
use crate::text::Redactor;
use std::collections::HashSet;
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
    session: Session,
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
        metrics: Option<Listener>,
    ) -> Result<Watch, MetricsError> {
        let clock = Clock::System;
        let database = sources.database().cloned();
        let fastest = every.or_else(|| gates.iter().map(|g| g.every).min());
        let mut refresh = tokio::time::interval(fastest.map_or(REFRESH, |f| f.min(REFRESH)));
        refresh.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let operator = journal.as_ref().map(|j| j.actor().to_owned());
        let setup = SessionSetup {
            config,
            journal,
            database: database.as_ref(),
            clock,
            pace: JOURNAL_PACE,
            role: "check --watch",
            operator: operator.as_deref().unwrap_or("watch"),
            watch_checklist: true,
            read_only: config.launch().read_only,
        };
        let mut notes = JournalNotes::new(config.redactor.clone(), json);
        let flushed = move |outcome| {
            notes.heard(outcome);
            true
        };
        let news = move |news: crate::alerts::AlertNews| {
            let (line, _) = news.line();
            say(json, &crate::text::sanitize(&line));
        };
        let (mut session, alerts_off) = Session::start(setup, flushed, news);
        if let Some(why) = alerts_off {
            say(json, &format!("alerts: off: {why}"));
        }
        if let Some(listener) = metrics {
            let addr = session.serve_metrics(listener, gates)?;
            say(json, &format!("metrics: serving http://{addr}/metrics"));
        }
        // Through the session, so the metrics see each result the board below takes.
        let (tx, results) = mpsc::channel(256);
        let monitor = Monitor::spawn(sources, gates, clock, every, session.gate_results(tx));
        Ok(Watch {
            board: Board::new(gates, clock.now()),
            clock,
            results,
            _monitor: monitor,
            refresh,
            json,
            session,
            unanswered: gates.iter().map(|g| g.id.clone()).collect(),
            last_verdict: None,
        })
    }

    /// Waits for a result or a staleness tick. Cancel-safe, so callers can `select!` it against
    /// their own events without losing a result.
    pub(crate) async fn next(&mut self) -> Step {
        tokio::select! {
            Some(result) = self.results.recv() => {
                let first = self.unanswered.remove(&result.gate);
                let gate = result.gate.clone();
                let step = Step(self.board.apply(result).into_iter().collect());
                self.session.answered(&self.board, &gate, first, &step.0);
                step
            }
            _ = self.refresh.tick() => Step(self.board.refresh(self.clock.now())),
        }
    }

    /// Prints the step's transitions, hands them to the session, and prints the verdict when
    /// it changed. The first verdict waits for every gate's first answer, so it is never
    /// premature.
    /// Returns false when stdout is gone.
    pub(crate) fn report(&mut self, Step(transitions): Step) -> bool {
        let mut written = true;
        for t in &transitions {
            written &= print_transition(t, self.json);
        }
        self.session.stepped(&self.board, transitions);
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

    /// Waits (briefly) for the alerts' and the journal's last attempts; says what could not be
    /// recorded.
    pub(crate) async fn finish(mut self) -> Verdict {
        let verdict = self.board.verdict();
        for note in self.session.close_alerts(ALERTS_AT_EXIT).await {
            say(self.json, &note);
        }
        let left = self
            .session
            .close_journal(JOURNAL_PACE.budget + Duration::from_secs(1))
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
