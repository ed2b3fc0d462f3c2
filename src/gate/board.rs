//! The board: every gate's current status, fed check results in any order, aged by the clock.
//! It turns results into states (condition, `for`, staleness), keeps a short history for
//! sparklines and detail views, and reports transitions for the journal.

use crate::gate::sustain::{Raw, Sustain};
use crate::gate::{Condition, GateResult, GateSpec, GateState, Value, Verdict};
use chrono::{DateTime, Utc};
use std::collections::VecDeque;
use std::time::Duration;

/// How many past results each gate keeps.
pub const HISTORY: usize = 60;
/// A result older than this many intervals is stale: the gate turns unknown.
pub const STALE_AFTER_INTERVALS: u32 = 3;

#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub state: GateState,
    pub value: Option<Value>,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct GateStatus {
    pub id: String,
    pub title: String,
    pub required: bool,
    pub condition: Condition,
    pub every: Duration,
    pub state: GateState,
    pub value: Option<Value>,
    pub detail: Option<String>,
    pub error: Option<String>,
    /// When the last result was observed; `None` until the first check finishes.
    pub observed_at: Option<DateTime<Utc>>,
    /// When the gate entered its current state.
    pub since: DateTime<Utc>,
    pub history: VecDeque<HistoryEntry>,
    sustain: Sustain,
}

impl GateStatus {
    /// The value as shown to people: durations humanised when the condition is a duration.
    pub fn value_text(&self) -> String {
        match &self.value {
            None => "—".into(),
            Some(v) => format_value(&self.condition, v),
        }
    }

    /// Numbers of recent results, oldest first, for a sparkline.
    pub fn recent_numbers(&self) -> Vec<f64> {
        self.history
            .iter()
            .filter_map(|h| h.value.as_ref().and_then(Value::as_number))
            .filter(|n| n.is_finite())
            .collect()
    }

    pub fn is_stale(&self, now: DateTime<Utc>) -> bool {
        match self.observed_at {
            None => false,
            Some(at) => {
                (now - at).to_std().unwrap_or_default()
                    > self.every.saturating_mul(STALE_AFTER_INTERVALS)
            }
        }
    }

    /// When the current run of failing checks began, while one is running.
    pub fn failing_since(&self) -> Option<DateTime<Utc>> {
        self.sustain.failing_since()
    }
}

pub fn format_value(condition: &Condition, value: &Value) -> String {
    match value.as_number() {
        Some(n) if condition.is_duration() => crate::gate::format_duration_secs(n),
        Some(n) if matches!(value, Value::Number(_)) => crate::gate::format_number(n),
        _ => value.display_quoted(),
    }
}

/// A gate changed state.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub gate: String,
    pub title: String,
    pub required: bool,
    pub at: DateTime<Utc>,
    pub from: GateState,
    pub to: GateState,
    pub value: Option<Value>,
    /// The value as shown (humanised), for the journal and the timeline.
    pub value_text: String,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Board {
    gates: Vec<GateStatus>,
}

impl Board {
    pub fn new(specs: &[GateSpec], now: DateTime<Utc>) -> Board {
        let gates = specs
            .iter()
            .map(|s| GateStatus {
                id: s.id.clone(),
                title: s.title.clone(),
                required: s.required,
                condition: s.condition.clone(),
                every: s.every,
                state: GateState::Unknown,
                value: None,
                detail: None,
                error: Some("not checked yet".into()),
                observed_at: None,
                since: now,
                history: VecDeque::with_capacity(HISTORY),
                sustain: Sustain::new(s.sustain),
            })
            .collect();
        Board { gates }
    }

    pub fn gates(&self) -> &[GateStatus] {
        &self.gates
    }

    pub fn get(&self, id: &str) -> Option<&GateStatus> {
        self.gates.iter().find(|g| g.id == id)
    }

    pub fn verdict(&self) -> Verdict {
        Verdict::over(self.gates.iter().map(|g| (g.required, g.state)))
    }

    /// Required gates currently red.
    pub fn red_count(&self) -> usize {
        self.gates
            .iter()
            .filter(|g| g.required && g.state == GateState::Fail)
            .count()
    }

    /// Applies one result. Results older than the gate's latest are ignored (a slow check
    /// finishing after a newer one must not roll the screen back).
    pub fn apply(&mut self, result: GateResult) -> Option<Transition> {
        let gate = self.gates.iter_mut().find(|g| g.id == result.gate)?;
        if gate
            .observed_at
            .is_some_and(|prev| result.observed_at < prev)
        {
            return None;
        }
        let at = result.observed_at;
        let (raw, value, detail, error) = match result.outcome {
            Ok(obs) => match gate.condition.evaluate(&obs.value) {
                Ok(true) => (Raw::Pass, Some(obs.value), obs.detail, None),
                Ok(false) => (Raw::Fail, Some(obs.value), obs.detail, None),
                Err(why) => (Raw::Unknown, Some(obs.value), obs.detail, Some(why)),
            },
            Err(why) => (Raw::Unknown, None, None, Some(why)),
        };
        let state = gate.sustain.step(raw, at);
        if gate.history.len() == HISTORY {
            gate.history.pop_front();
        }
        gate.history.push_back(HistoryEntry {
            at,
            state,
            value: value.clone(),
            error: error.clone(),
        });
        let first = gate.observed_at.is_none();
        gate.value = value;
        gate.detail = detail;
        gate.error = error;
        gate.observed_at = Some(at);
        // A result observed just before a staleness refresh can arrive just after it: its
        // change is stamped no earlier than the state it ends, so a gate's transitions never go
        // back in time (the journal places a transition by its time).
        let changed_at = at.max(gate.since);
        match set_state(gate, state, changed_at) {
            // A gate's first result is always reported, even when it stays unknown, so the
            // journal learns every gate's state when a cockpit or a cron check starts.
            None if first => Some(transition(gate, GateState::Unknown, changed_at)),
            other => other,
        }
    }

    /// Ages the board: a gate whose last result is older than three intervals turns unknown.
    pub fn refresh(&mut self, now: DateTime<Utc>) -> Vec<Transition> {
        let mut transitions = Vec::new();
        for gate in &mut self.gates {
            if gate.state != GateState::Unknown && gate.is_stale(now) {
                let age = gate
                    .observed_at
                    .map(|at| crate::gate::format_duration_secs((now - at).num_seconds() as f64))
                    .unwrap_or_default();
                gate.error = Some(format!(
                    "stale: last result {age} ago (checked every {})",
                    humantime::format_duration(gate.every)
                ));
                transitions.extend(set_state(gate, GateState::Unknown, now));
            }
        }
        transitions
    }
}

fn set_state(gate: &mut GateStatus, state: GateState, at: DateTime<Utc>) -> Option<Transition> {
    if gate.state == state {
        return None;
    }
    let from = gate.state;
    gate.state = state;
    gate.since = at;
    Some(transition(gate, from, at))
}

fn transition(gate: &GateStatus, from: GateState, at: DateTime<Utc>) -> Transition {
    Transition {
        gate: gate.id.clone(),
        title: gate.title.clone(),
        required: gate.required,
        at,
        from,
        to: gate.state,
        value: gate.value.clone(),
        value_text: gate.value_text(),
        error: gate.error.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::{Observation, SourceSpec};
    use chrono::TimeZone;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0).unwrap()
    }

    fn spec(id: &str, pass: &str, sustain: Option<u64>) -> GateSpec {
        GateSpec {
            id: id.into(),
            title: id.to_uppercase(),
            required: true,
            condition: Condition::parse(pass).unwrap(),
            every: Duration::from_secs(30),
            timeout: Duration::from_secs(5),
            sustain: sustain.map(Duration::from_secs),
            source: SourceSpec::FileAge { path: "/x".into() },
        }
    }

    fn ok(gate: &str, at: i64, v: f64) -> GateResult {
        GateResult {
            gate: gate.into(),
            observed_at: t(at),
            outcome: Ok(Observation {
                value: Value::Number(v),
                detail: None,
            }),
        }
    }

    #[test]
    fn starts_unknown_and_reports_transitions() {
        let mut b = Board::new(&[spec("a", ">= 50", None), spec("b", "== 0", None)], t(0));
        assert_eq!(b.verdict(), Verdict::Unknown);
        let tr = b.apply(ok("a", 1, 60.0)).unwrap();
        assert_eq!((tr.from, tr.to), (GateState::Unknown, GateState::Pass));
        assert_eq!(
            b.apply(ok("a", 31, 61.0)),
            None,
            "same state is no transition"
        );
        b.apply(ok("b", 2, 3.0));
        assert_eq!(b.verdict(), Verdict::NoGo);
        assert_eq!(b.red_count(), 1);
        b.apply(ok("b", 32, 0.0));
        assert_eq!(b.verdict(), Verdict::Go);
        assert_eq!(b.get("a").unwrap().since, t(1));
    }

    #[test]
    fn errors_make_the_gate_unknown_and_keep_the_reason() {
        let mut b = Board::new(&[spec("a", ">= 50", None)], t(0));
        b.apply(ok("a", 1, 60.0));
        let tr = b
            .apply(GateResult {
                gate: "a".into(),
                observed_at: t(31),
                outcome: Err("connection refused".into()),
            })
            .unwrap();
        assert_eq!(tr.to, GateState::Unknown);
        let g = b.get("a").unwrap();
        assert_eq!(g.error.as_deref(), Some("connection refused"));
        assert_eq!(g.value, None);
    }

    #[test]
    fn a_first_result_is_reported_even_when_still_unknown() {
        let mut b = Board::new(&[spec("a", ">= 50", None)], t(0));
        let failed = |at| GateResult {
            gate: "a".into(),
            observed_at: t(at),
            outcome: Err("connection refused".into()),
        };
        let tr = b.apply(failed(1)).unwrap();
        assert_eq!((tr.from, tr.to), (GateState::Unknown, GateState::Unknown));
        assert_eq!(b.apply(failed(31)), None, "later unchanged results are not");
    }

    #[test]
    fn sustained_gate_goes_pending_then_red() {
        let mut b = Board::new(&[spec("syn", "== 1", Some(300))], t(0));
        assert_eq!(b.apply(ok("syn", 0, 0.0)).unwrap().to, GateState::Pending);
        assert_eq!(b.verdict(), Verdict::Go, "pending counts as pass");
        assert_eq!(b.apply(ok("syn", 150, 0.0)), None);
        assert_eq!(b.apply(ok("syn", 300, 0.0)).unwrap().to, GateState::Fail);
        assert_eq!(b.verdict(), Verdict::NoGo);
    }

    #[test]
    fn stale_results_turn_unknown_and_late_results_are_ignored() {
        let mut b = Board::new(&[spec("a", ">= 50", None)], t(0));
        b.apply(ok("a", 100, 60.0));
        assert!(
            b.refresh(t(190)).is_empty(),
            "90s old is not stale at 30s interval"
        );
        let tr = b.refresh(t(191));
        assert_eq!(tr.len(), 1);
        assert_eq!(b.get("a").unwrap().state, GateState::Unknown);
        assert!(
            b.get("a")
                .unwrap()
                .error
                .as_deref()
                .unwrap()
                .starts_with("stale")
        );
        assert_eq!(b.apply(ok("a", 50, 10.0)), None, "older result ignored");
        assert_eq!(b.get("a").unwrap().value, Some(Value::Number(60.0)));
        assert_eq!(b.apply(ok("a", 200, 61.0)).unwrap().to, GateState::Pass);
    }

    #[test]
    fn a_recovery_observed_before_a_staleness_refresh_is_stamped_after_it() {
        let mut b = Board::new(&[spec("a", ">= 50", None)], t(0));
        b.apply(ok("a", 1, 60.0));
        let stale = b.refresh(t(93));
        assert_eq!(stale[0].at, t(93));
        let recovered = b.apply(ok("a", 92, 61.0)).unwrap();
        assert_eq!(recovered.to, GateState::Pass);
        assert_eq!(recovered.at, t(93), "not before the unknown it ends");
        assert_eq!(b.get("a").unwrap().observed_at, Some(t(92)));
    }

    #[test]
    fn history_is_bounded_and_feeds_sparklines() {
        let mut b = Board::new(&[spec("a", ">= 50", None)], t(0));
        for i in 0..(HISTORY as i64 + 10) {
            b.apply(ok("a", i * 30, i as f64));
        }
        let g = b.get("a").unwrap();
        assert_eq!(g.history.len(), HISTORY);
        assert_eq!(g.recent_numbers().first(), Some(&10.0));
    }

    #[test]
    fn durations_are_humanised() {
        let mut b = Board::new(&[spec("k6", "< 30h", None)], t(0));
        b.apply(ok("k6", 1, 97_920.0));
        assert_eq!(b.get("k6").unwrap().value_text(), "27h 12m");
    }
}
