//! Builds a [`HandoffReport`] from what the journal and the observations table hold. Pure: the
//! caller reads the database, this only computes, so the report is the same wherever it is
//! written and can be tested with a fixed clock.

use super::{
    ActionLine, AlertReportLine, Attention, AttentionWhy, GateRow, HandoffReport, Period, Section,
    Shift, TransitionLine, VerdictChange, VerdictSection,
};
use crate::gate::{GateSpec, GateState, Verdict};
use crate::journal::{Entry, JournalEvent, ObservedGate, display};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Everything a report is made of.
#[derive(Debug, Clone)]
pub struct HandoffInputs<'a> {
    pub launch: String,
    pub environment: String,
    pub decision_at: Option<DateTime<Utc>>,
    pub gates: &'a [GateSpec],
    pub written_by: String,
    pub now: DateTime<Utc>,
    pub period: Period,
    /// Each gate's last journal line at or before the period's start.
    pub before: Vec<Entry>,
    /// Every line of the period, ordered by `at`, then `id`.
    pub lines: Vec<Entry>,
    pub observations: Vec<ObservedGate>,
    /// The newest shift take-over, if any.
    pub on_shift: Option<Entry>,
}

/// A gate's state through the period: where it started and each recorded change.
struct Track {
    start: Option<GateState>,
    changes: Vec<(DateTime<Utc>, GateState)>,
}

pub fn build(inputs: HandoffInputs<'_>) -> HandoffReport {
    let since = inputs.period.since;
    let now = inputs.now;
    let mut tracks: BTreeMap<&str, Track> = inputs
        .gates
        .iter()
        .map(|g| {
            let start = inputs
                .before
                .iter()
                .find(|e| e.gate.as_deref() == Some(g.id.as_str()))
                .and_then(|e| e.to_state);
            (
                g.id.as_str(),
                Track {
                    start,
                    changes: Vec::new(),
                },
            )
        })
        .collect();
    let mut transitions = Vec::new();
    let mut actions = Vec::new();
    let mut alerts = Vec::new();
    for entry in &inputs.lines {
        match &entry.event {
            Some(JournalEvent::Gate(g)) => {
                if let Some(track) = tracks.get_mut(g.gate.as_str()) {
                    track.changes.push((entry.at, g.to));
                }
                transitions.push(TransitionLine {
                    at: entry.at,
                    gate: g.gate.clone(),
                    from: g.from,
                    to: g.to,
                    value: g.value.clone().filter(|v| !v.is_empty()),
                    actor: entry.actor.clone(),
                    error: g.error.clone().filter(|e| !e.is_empty()),
                });
            }
            // The rehearsal's narration is not an operator's action.
            Some(JournalEvent::Demo { .. }) => {}
            Some(JournalEvent::Alert(a)) => alerts.push(AlertReportLine {
                at: entry.at,
                id: a.id.clone(),
                severity: a.severity,
                title: a.title.clone(),
                actor: entry.actor.clone(),
                coordinated: a.coordinated,
                delivery: None,
                attempts: 0,
                status: None,
                reason: String::new(),
            }),
            Some(JournalEvent::AlertDelivery(d)) => {
                if let Some(line) = alerts.iter_mut().rev().find(|l| l.id == d.alert_id) {
                    line.delivery = Some(d.outcome);
                    line.attempts = d.attempts;
                    line.status = d.status;
                    line.reason = d.reason.clone();
                }
            }
            _ => actions.push(ActionLine {
                at: entry.at,
                actor: entry.actor.clone(),
                kind: entry.kind.clone(),
                text: display::describe(entry),
            }),
        }
    }

    let rows: Vec<GateRow> = inputs
        .gates
        .iter()
        .map(|spec| gate_row(spec, &tracks, &inputs.observations, since, now))
        .collect();
    let verdict = verdict_section(inputs.gates, &tracks, &rows);
    let attention = attention(&rows);
    let on_shift = inputs.on_shift.as_ref().map(|e| Shift {
        operator: e.actor.clone(),
        since: e.at,
    });
    HandoffReport {
        launch: inputs.launch,
        environment: inputs.environment,
        written_by: inputs.written_by,
        written_at: now,
        decision_at: inputs.decision_at,
        period: inputs.period,
        on_shift,
        sections: [
            Section::Verdict(verdict),
            Section::Attention { items: attention },
            Section::Gates { gates: rows },
            Section::Transitions { lines: transitions },
            Section::Actions { lines: actions },
        ]
        .into_iter()
        // A period without alerts (or a launch without a webhook) has no alerts section.
        .chain((!alerts.is_empty()).then_some(Section::Alerts { alerts }))
        .collect(),
    }
}

fn gate_row(
    spec: &GateSpec,
    tracks: &BTreeMap<&str, Track>,
    observations: &[ObservedGate],
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> GateRow {
    let track = tracks.get(spec.id.as_str());
    let observed = observations.iter().find(|o| o.gate == spec.id);
    let stale_after = chrono::TimeDelta::from_std(spec.every * 3).unwrap_or(chrono::TimeDelta::MAX);
    let stale = observed.is_none_or(|o| now - o.observed_at > stale_after);
    let recorded = track.and_then(|t| t.changes.last().map(|c| c.1).or(t.start));
    let (state, value, state_since, error) = match observed {
        Some(o) if !stale => (o.state, o.value.clone(), o.since, o.error.clone()),
        Some(o) => (
            GateState::Unknown,
            o.value.clone(),
            Some(o.observed_at),
            Some(format!(
                "last observed {} by {}, as {}",
                crate::clock::rfc3339(o.observed_at),
                o.observer,
                o.state
            )),
        ),
        None => (
            GateState::Unknown,
            None,
            None,
            Some(match recorded {
                Some(last) => {
                    format!("not observed by any cockpit or watch; last recorded as {last}")
                }
                None => "never observed".to_owned(),
            }),
        ),
    };
    let (mut red, mut unknown, mut pass, mut pending) = (0, 0, 0, 0);
    if let Some(track) = track {
        // The state through the period: unknown until something was recorded.
        let mut at = since;
        let mut current = track.start.unwrap_or(GateState::Unknown);
        let mut add = |state: GateState, from: DateTime<Utc>, to: DateTime<Utc>| {
            let secs = (to - from).num_seconds().max(0);
            match state {
                GateState::Fail => red += secs,
                GateState::Unknown => unknown += secs,
                GateState::Pass => pass += secs,
                GateState::Pending => pending += secs,
            }
        };
        for (when, next) in &track.changes {
            let when = (*when).clamp(since, now);
            add(current, at, when);
            at = when;
            current = *next;
        }
        add(current, at, now);
    }
    GateRow {
        id: spec.id.clone(),
        title: crate::text::sanitize(&spec.title),
        required: spec.required,
        state,
        value,
        since: state_since,
        observed_at: observed.map(|o| o.observed_at),
        observer: observed.map(|o| o.observer.clone()),
        stale,
        error,
        red_seconds: red,
        unknown_seconds: unknown,
        pass_seconds: pass,
        pending_seconds: pending,
    }
}

/// The verdict now (from the rows: stale counts as unknown) and how it moved through the
/// period, replaying the recorded transitions of the required gates.
fn verdict_section(
    specs: &[GateSpec],
    tracks: &BTreeMap<&str, Track>,
    rows: &[GateRow],
) -> VerdictSection {
    let now = Verdict::over(rows.iter().map(|r| (r.required, r.state)));
    let required: Vec<&GateSpec> = specs.iter().filter(|s| s.required).collect();
    let mut states: BTreeMap<&str, GateState> = required
        .iter()
        .map(|s| {
            let start = tracks.get(s.id.as_str()).and_then(|t| t.start);
            (s.id.as_str(), start.unwrap_or(GateState::Unknown))
        })
        .collect();
    let anything_before = required
        .iter()
        .any(|s| tracks.get(s.id.as_str()).is_some_and(|t| t.start.is_some()));
    let over =
        |states: &BTreeMap<&str, GateState>| Verdict::over(states.values().map(|s| (true, *s)));
    let at_start = anything_before.then(|| over(&states));
    let mut events: Vec<(DateTime<Utc>, &str, GateState)> = required
        .iter()
        .filter_map(|s| tracks.get(s.id.as_str()).map(|t| (s.id.as_str(), t)))
        .flat_map(|(id, t)| t.changes.iter().map(move |(at, to)| (*at, id, *to)))
        .collect();
    events.sort_by_key(|(at, id, _)| (*at, *id));
    let mut changes = Vec::new();
    let mut current = over(&states);
    for (at, id, to) in events {
        states.insert(id, to);
        let next = over(&states);
        if next != current {
            changes.push(VerdictChange {
                at,
                from: current,
                to: next,
            });
            current = next;
        }
    }
    VerdictSection {
        now,
        at_start,
        changes,
    }
}

fn attention(rows: &[GateRow]) -> Vec<Attention> {
    let mut items: Vec<Attention> = rows
        .iter()
        .filter_map(|r| {
            let why = match (r.state, r.stale) {
                (GateState::Fail, _) => AttentionWhy::Red,
                (_, true) => AttentionWhy::Stale,
                (GateState::Unknown, false) => AttentionWhy::Unknown,
                _ => return None,
            };
            Some(Attention {
                gate: r.id.clone(),
                title: r.title.clone(),
                required: r.required,
                why,
            })
        })
        .collect();
    // Required gates first, red before unknown before stale.
    items.sort_by_key(|a| (!a.required, a.why.clone() as u8));
    items
}
