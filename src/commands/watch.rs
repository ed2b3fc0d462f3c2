//! The headless watch loop shared by `gonogo check --watch` and `gonogo demo --headless`: gate
//! results in, transitions and verdict changes printed, transitions journaled in order (kept and
//! retried while the database cannot take them), until a stop signal.

use super::check::{print_transition, rfc3339};
use crate::config::Config;
use crate::gate::{Board, GateResult, GateSpec, Transition, Verdict};
use crate::journal::{Backlog, FlushError, Journal};
use crate::monitor::{Clock, Monitor};
use crate::source::Sources;
use crate::text::Redactor;
use std::collections::HashSet;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{Interval, MissedTickBehavior};

/// Journal writes never hold up the next result longer than this.
const JOURNAL_BUDGET: Duration = Duration::from_secs(3);
/// How often a backlog is retried when no new transition comes to trigger it.
const JOURNAL_RETRY: Duration = Duration::from_secs(15);
/// The finest staleness check: a result older than three intervals turns unknown on time.
const REFRESH: Duration = Duration::from_secs(1);

/// What woke the loop up.
pub(crate) enum Step {
    Transitions(Vec<Transition>),
    /// Time to retry the journal backlog.
    Retry,
}

/// A board fed by a running [`Monitor`], printing as it changes.
pub(crate) struct Watch {
    board: Board,
    clock: Clock,
    results: mpsc::Receiver<GateResult>,
    _monitor: Monitor,
    refresh: Interval,
    retry: Interval,
    json: bool,
    journal: Option<Journal>,
    redactor: Redactor,
    backlog: Backlog,
    journal_trouble: Option<&'static str>,
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
        let (tx, results) = mpsc::channel(256);
        let monitor = Monitor::spawn(sources, gates, clock, every, tx);
        let fastest = every.or_else(|| gates.iter().map(|g| g.every).min());
        let mut refresh = tokio::time::interval(fastest.map_or(REFRESH, |f| f.min(REFRESH)));
        refresh.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut retry = tokio::time::interval(JOURNAL_RETRY);
        retry.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Watch {
            board: Board::new(gates, clock.now()),
            clock,
            results,
            _monitor: monitor,
            refresh,
            retry,
            json,
            journal,
            redactor: config.redactor.clone(),
            backlog: Backlog::default(),
            journal_trouble: None,
            unanswered: gates.iter().map(|g| g.id.clone()).collect(),
            last_verdict: None,
        }
    }

    /// Waits for a result, a staleness tick or a journal retry. Cancel-safe, so callers can
    /// `select!` it against their own events without losing a result.
    pub(crate) async fn next(&mut self) -> Step {
        tokio::select! {
            Some(result) = self.results.recv() => {
                self.unanswered.remove(&result.gate);
                Step::Transitions(self.board.apply(result).into_iter().collect())
            }
            _ = self.refresh.tick() => Step::Transitions(self.board.refresh(self.clock.now())),
            _ = self.retry.tick() => Step::Retry,
        }
    }

    /// Prints the step's transitions, journals them behind any backlog, and prints the verdict
    /// when it changed. The first verdict waits for every gate's first answer, so it is never
    /// premature.
    pub(crate) async fn report(&mut self, step: Step) {
        let transitions = match step {
            Step::Transitions(transitions) => transitions,
            Step::Retry => Vec::new(),
        };
        for t in &transitions {
            print_transition(t, self.json);
        }
        self.journal(transitions).await;
        let verdict = self.board.verdict();
        if self.unanswered.is_empty() && self.last_verdict != Some(verdict) {
            self.last_verdict = Some(verdict);
            let at = rfc3339(self.clock.now());
            if self.json {
                println!("{}", serde_json::json!({"verdict": verdict, "at": at}));
            } else {
                println!("{at} VERDICT: {verdict}");
            }
        }
    }

    /// A last attempt at the backlog before exiting; says what could not be recorded.
    pub(crate) async fn finish(mut self) -> Verdict {
        if !self.backlog.is_empty() {
            self.journal(Vec::new()).await;
            if !self.backlog.is_empty() {
                self.say(&format!(
                    "journal: {} transition(s) could not be recorded before exiting",
                    self.backlog.len()
                ));
            }
        }
        self.board.verdict()
    }

    async fn journal(&mut self, transitions: Vec<Transition>) {
        let Some(journal) = &self.journal else {
            return;
        };
        if transitions.is_empty() && self.backlog.is_empty() {
            return;
        }
        let dropped = self.backlog.push(transitions);
        if dropped > 0 {
            self.say(&format!(
                "journal: {dropped} oldest transition(s) given up on (backlog full)"
            ));
        }
        match self.backlog.flush(journal, JOURNAL_BUDGET).await {
            Ok(added) => {
                if self.journal_trouble.take().is_some() {
                    self.say(&format!(
                        "journal: recording again ({added} line(s) caught up)"
                    ));
                }
            }
            Err(e) => {
                let kind = match e {
                    FlushError::Missing { .. } => "missing",
                    FlushError::Failed { .. } => "failed",
                    FlushError::TimedOut { .. } => "slow",
                };
                // Said once per kind of trouble, not on every transition.
                if self.journal_trouble != Some(kind) {
                    self.journal_trouble = Some(kind);
                    let why = self.redactor.redact(&e.to_string());
                    self.say(&format!("journal: not recorded yet: {why}"));
                }
            }
        }
    }

    /// Operator notes: on stdout with the transitions, or on stderr when stdout is JSON lines.
    fn say(&self, note: &str) {
        if self.json {
            eprintln!("{note}");
        } else {
            println!("{note}");
        }
    }
}

/// Ctrl-C, SIGTERM or SIGHUP (a closed terminal or tmux window), listened to from creation on,
/// so a signal that lands while a step is reported is kept for the next `select!`.
pub(crate) struct StopSignals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
    hangup: tokio::signal::unix::Signal,
}

impl StopSignals {
    pub(crate) fn new() -> std::io::Result<StopSignals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(StopSignals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
            hangup: signal(SignalKind::hangup())?,
        })
    }

    pub(crate) async fn recv(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
            _ = self.hangup.recv() => {}
        }
    }
}
