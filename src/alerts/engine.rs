//! The alert engine: compares each look at the board with the previous one, turns the changes
//! that matter into [`Trigger`]s, and groups them per subject: the first trigger of a subject
//! opens a window of `group_for`, every change of that subject inside it is counted, and when
//! the window closes one [`Alert`] goes out saying how many times it changed. Pure and
//! synchronous (times come in as arguments), so the cockpit, the watch and tests drive it alike.

use super::identity::{alert_id, change_key};
use super::trigger::verdict_text;
pub use super::view::{BoardView, GateView};
use super::{Alert, Severity, Trigger};
use crate::clock::rfc3339;
use crate::gate::{GateState, Verdict};
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// A required gate unknown for longer than this many of its intervals raises a warning.
pub const UNKNOWN_INTERVALS: u32 = 3;

/// Who raises the alerts: the launch, its environment, and the cockpit or watch (and its
/// operator) it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    pub launch: String,
    pub environment: String,
    /// `alice@laptop (cockpit, pid 4242)`: tells the claims of two processes apart.
    pub origin: String,
}

#[derive(Debug, Clone)]
struct Group {
    opened: DateTime<Utc>,
    /// The change that opened it: what its id names.
    change: String,
    first_sight: bool,
    worst: Severity,
    latest: Trigger,
    changes: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JournalHealth {
    Unknown,
    Recording,
    Stopped,
}

pub struct Engine {
    context: Context,
    group_for: TimeDelta,
    min_severity: Severity,
    last: Option<BoardView>,
    baseline: bool,
    unknown_raised: BTreeSet<String>,
    journal: JournalHealth,
    groups: BTreeMap<String, Group>,
}

impl Engine {
    pub fn new(context: Context, group_for: Duration, min_severity: Severity) -> Engine {
        Engine {
            context,
            group_for: TimeDelta::from_std(group_for).unwrap_or(TimeDelta::MAX),
            min_severity,
            last: None,
            baseline: false,
            unknown_raised: BTreeSet::new(),
            journal: JournalHealth::Unknown,
            groups: BTreeMap::new(),
        }
    }

    pub fn context(&self) -> &Context {
        &self.context
    }

    /// Raises a trigger at `at`: it opens its subject's window, or joins the open one.
    pub fn raise(&mut self, trigger: Trigger, at: DateTime<Utc>) {
        self.raise_as(trigger, at, false);
    }

    fn raise_as(&mut self, trigger: Trigger, at: DateTime<Utc>, first_sight: bool) {
        let severity = trigger.severity();
        match self.groups.get_mut(&trigger.subject()) {
            Some(group) => {
                group.changes += 1;
                group.worst = group.worst.max(severity);
                group.latest = trigger;
            }
            None => {
                self.groups.insert(
                    trigger.subject(),
                    Group {
                        opened: at,
                        change: change_key(&trigger, at),
                        first_sight,
                        worst: severity,
                        latest: trigger,
                        changes: 1,
                    },
                );
            }
        }
    }

    /// A change that is not a trigger by itself (a red gate turning green) counts in its
    /// subject's open window, if any.
    fn count(&mut self, subject: &str) {
        if let Some(group) = self.groups.get_mut(subject) {
            group.changes += 1;
        }
    }

    /// A look at the board: the gates and the verdict compared with the previous look.
    pub fn observe(&mut self, view: BoardView, at: DateTime<Utc>) {
        let previous = self.last.take();
        for gate in &view.gates {
            let before = previous
                .as_ref()
                .and_then(|p| p.gates.iter().find(|g| g.id == gate.id));
            let subject = format!("gate:{}", gate.id);
            if let Some(before) = before
                && before.state != gate.state
            {
                // A first answer is a first look, not a change.
                if gate.required && gate.state == GateState::Fail && before.answered {
                    self.raise(
                        Trigger::GateRed {
                            gate: gate.id.clone(),
                            title: gate.title.clone(),
                            value: Some(gate.value.clone()).filter(|v| !v.is_empty()),
                            error: gate.error.clone(),
                            since: gate.since,
                        },
                        at,
                    );
                } else {
                    self.count(&subject);
                }
            }
            if gate.state != GateState::Unknown {
                self.unknown_raised.remove(&gate.id);
                continue;
            }
            let limit =
                TimeDelta::from_std(gate.every * UNKNOWN_INTERVALS).unwrap_or(TimeDelta::MAX);
            if gate.required
                && at - gate.since > limit
                && self.unknown_raised.insert(gate.id.clone())
            {
                self.raise(
                    Trigger::GateUnknown {
                        gate: gate.id.clone(),
                        title: gate.title.clone(),
                        error: gate.error.clone(),
                        since: gate.since,
                        intervals: UNKNOWN_INTERVALS,
                    },
                    at,
                );
            }
        }
        let why = view.why();
        if !self.baseline {
            // The first verdict waits for every gate's first answer, as the watch's does.
            if view.gates.iter().all(|g| g.answered) {
                self.baseline = true;
                if view.verdict != Verdict::Go {
                    let trigger = Trigger::Verdict {
                        from: None,
                        to: view.verdict,
                        why,
                    };
                    self.raise_as(trigger, at, true);
                }
            }
        } else if let Some(before) = previous.as_ref().map(|p| p.verdict)
            && before != view.verdict
        {
            let from = self
                .groups
                .get("verdict")
                .and_then(|g| match &g.latest {
                    Trigger::Verdict { from, .. } => Some(*from),
                    _ => None,
                })
                .unwrap_or(Some(before));
            self.raise(
                Trigger::Verdict {
                    from,
                    to: view.verdict,
                    why,
                },
                at,
            );
        }
        self.last = Some(view);
    }

    /// A journal flush's outcome: stopping and coming back are triggers.
    pub fn journal(&mut self, outcome: Result<usize, String>, at: DateTime<Utc>) {
        match (outcome, self.journal) {
            (Ok(caught_up), JournalHealth::Stopped) => {
                self.journal = JournalHealth::Recording;
                self.raise(Trigger::JournalBack { caught_up }, at);
            }
            (Ok(_), _) => self.journal = JournalHealth::Recording,
            (Err(reason), JournalHealth::Unknown | JournalHealth::Recording) => {
                self.journal = JournalHealth::Stopped;
                self.raise(Trigger::JournalStopped { reason }, at);
            }
            (Err(_), JournalHealth::Stopped) => {}
        }
    }

    /// The alerts whose window has closed by `now`, loud enough to send.
    pub fn due(&mut self, now: DateTime<Utc>) -> Vec<Alert> {
        self.close(now, false)
    }

    /// Every alert of a window still open, now (the cockpit or watch is closing).
    pub fn flush(&mut self, now: DateTime<Utc>) -> Vec<Alert> {
        self.close(now, true)
    }

    fn close(&mut self, now: DateTime<Utc>, all: bool) -> Vec<Alert> {
        let closed: Vec<String> = self
            .groups
            .iter()
            .filter(|(_, g)| all || g.opened + self.group_for <= now)
            .map(|(subject, _)| subject.clone())
            .collect();
        let mut alerts = Vec::new();
        for subject in closed {
            let Some(group) = self.groups.remove(&subject) else {
                continue;
            };
            if group.worst >= self.min_severity {
                alerts.push(self.alert(&subject, group, now));
            }
        }
        alerts
    }

    /// When the next window closes, for a caller that sleeps until then.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        self.groups
            .values()
            .map(|g| g.opened + self.group_for)
            .min()
    }

    fn alert(&self, subject: &str, group: Group, now: DateTime<Utc>) -> Alert {
        let launch = &self.context.launch;
        let trigger = &group.latest;
        let now_state = self.state_now(subject).unwrap_or_else(|| trigger.state());
        let mut title = trigger.title(launch);
        let mut message = trigger.message();
        if group.changes > 1 {
            let window = humantime::format_duration(self.group_for.to_std().unwrap_or_default());
            title.push_str(&format!(" (changed {} times)", group.changes));
            message.push_str(&format!(
                " It changed {} times within {window}; now {now_state}.",
                group.changes
            ));
        }
        let mut metadata = serde_json::Map::new();
        metadata.insert("launch".into(), launch.clone().into());
        metadata.insert(
            "environment".into(),
            self.context.environment.clone().into(),
        );
        metadata.insert("subject".into(), subject.into());
        metadata.extend(trigger.details());
        metadata.insert("changes".into(), group.changes.into());
        metadata.insert("now".into(), now_state.clone().into());
        metadata.insert("raised_at".into(), rfc3339(group.opened).into());
        metadata.insert("sent_at".into(), rfc3339(now).into());
        metadata.insert("origin".into(), self.context.origin.clone().into());
        metadata.insert("on_shift".into(), Value::Null);
        Alert {
            id: alert_id(launch, subject, &group.change),
            subject: subject.to_owned(),
            severity: group.worst,
            title,
            message,
            metadata,
            raised_at: group.opened,
            changes: group.changes,
            first_sight: group.first_sight,
            state: now_state,
        }
    }

    /// The subject's state on the latest look (a gate's, the verdict), when the engine knows it.
    fn state_now(&self, subject: &str) -> Option<String> {
        let last = self.last.as_ref()?;
        if subject == "verdict" {
            return Some(verdict_text(last.verdict).to_owned());
        }
        let gate = subject.strip_prefix("gate:")?;
        let found = last.gates.iter().find(|g| g.id == gate)?;
        Some(found.state.as_str().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(state: GateState, since: DateTime<Utc>) -> GateView {
        GateView {
            id: "testers".into(),
            title: "Testers".into(),
            required: true,
            state,
            since,
            every: Duration::from_secs(10),
            value: "12".into(),
            error: None,
            answered: true,
        }
    }

    fn view(state: GateState, since: DateTime<Utc>) -> BoardView {
        let verdict = Verdict::over([(true, state)]);
        BoardView {
            verdict,
            gates: vec![gate(state, since)],
        }
    }

    fn new_engine(min: Severity) -> Engine {
        let context = Context {
            launch: "Veza".into(),
            environment: "staging".into(),
            origin: "alice@host (test)".into(),
        };
        Engine::new(context, Duration::from_secs(120), min)
    }

    #[test]
    fn a_flapping_gate_makes_one_alert_per_window_with_its_count() {
        let t0 = DateTime::parse_from_rfc3339("2026-12-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let s = |secs| t0 + TimeDelta::seconds(secs);
        let mut engine = new_engine(Severity::Warning);
        engine.observe(view(GateState::Pass, t0), t0);
        for (i, state) in [
            GateState::Fail,
            GateState::Pass,
            GateState::Fail,
            GateState::Pass,
        ]
        .into_iter()
        .enumerate()
        {
            let at = s(10 * (i as i64 + 1));
            engine.observe(view(state, at), at);
        }
        assert!(engine.due(s(119)).is_empty(), "the window is still open");
        let alerts = engine.due(s(130));
        let subjects: Vec<&str> = alerts.iter().map(|a| a.subject.as_str()).collect();
        assert_eq!(subjects, ["gate:testers", "verdict"]);
        let gate = &alerts[0];
        assert_eq!((gate.changes, gate.severity), (4, Severity::Critical));
        assert!(
            gate.message.contains("changed 4 times within 2m; now pass"),
            "{}",
            gate.message
        );
        assert_eq!(alerts[1].changes, 4);
        assert!(engine.due(s(400)).is_empty());
    }

    #[test]
    fn quiet_alerts_are_dropped_and_first_looks_only_speak_when_not_go() {
        let t0 = Utc::now();
        let mut engine = new_engine(Severity::Warning);
        engine.observe(view(GateState::Pass, t0), t0);
        engine.observe(view(GateState::Fail, t0), t0);
        engine.observe(view(GateState::Pass, t0), t0);
        let alerts = engine.due(t0 + TimeDelta::minutes(3));
        assert_eq!(alerts.len(), 2, "{alerts:?}");
        let mut engine = new_engine(Severity::Critical);
        engine.observe(view(GateState::Unknown, t0), t0);
        let later = t0 + TimeDelta::seconds(31);
        engine.observe(view(GateState::Unknown, t0), later);
        assert!(
            engine.due(later + TimeDelta::minutes(3)).is_empty(),
            "warnings are below critical"
        );
        let mut engine = new_engine(Severity::Info);
        engine.observe(view(GateState::Pass, t0), t0);
        assert!(engine.due(t0 + TimeDelta::hours(1)).is_empty());
        let mut engine = new_engine(Severity::Warning);
        engine.observe(view(GateState::Pass, t0), t0);
        let stale = t0 + TimeDelta::seconds(60);
        engine.observe(view(GateState::Unknown, t0 + TimeDelta::seconds(20)), stale);
        engine.observe(view(GateState::Unknown, t0 + TimeDelta::seconds(20)), stale);
        let unknown: Vec<Alert> = engine
            .due(stale + TimeDelta::minutes(3))
            .into_iter()
            .filter(|a| a.subject == "gate:testers")
            .collect();
        assert_eq!(unknown.len(), 1, "one warning, once: {unknown:?}");
        assert_eq!(unknown[0].severity, Severity::Warning);
        assert!(unknown[0].message.contains("more than 3 intervals"));
    }

    #[test]
    fn a_gate_first_answering_unknown_then_red_is_a_red_alert() {
        let t0 = Utc::now();
        let mut engine = new_engine(Severity::Warning);
        let mut unanswered = view(GateState::Unknown, t0);
        unanswered.gates[0].answered = false;
        engine.observe(unanswered, t0);
        engine.observe(view(GateState::Unknown, t0), t0);
        let t1 = t0 + TimeDelta::seconds(5);
        engine.observe(view(GateState::Fail, t1), t1);
        let alerts = engine.due(t1 + TimeDelta::minutes(3));
        let subjects: Vec<&str> = alerts.iter().map(|a| a.subject.as_str()).collect();
        assert_eq!(subjects, ["gate:testers", "verdict"], "{alerts:?}");
        assert_eq!(alerts[1].title, "Veza: verdict is NO-GO (changed 2 times)");
    }

    #[test]
    fn the_journal_stopping_and_coming_back_is_one_group() {
        let t0 = Utc::now();
        let mut engine = new_engine(Severity::Warning);
        engine.journal(Ok(3), t0);
        engine.journal(Err("refused".into()), t0);
        engine.journal(Err("refused".into()), t0);
        engine.journal(Ok(3), t0 + TimeDelta::seconds(5));
        let alerts = engine.due(t0 + TimeDelta::minutes(2));
        assert_eq!(alerts.len(), 1);
        assert_eq!(alerts[0].changes, 2);
        assert_eq!(alerts[0].severity, Severity::Critical);
        assert_eq!(alerts[0].state, "recording");
    }
}
