//! The one-screen summary of a rehearsed day, read back from the journal, so the headless
//! printer and the cockpit (once it closes) tell the same story: how the verdict moved, what
//! each gate did, and what the operators did.

use crate::gate::{GateSpec, GateState, Verdict};
use crate::journal::Entry;
use crate::plural::count;
use std::collections::HashMap;
use std::fmt::Write;

/// How much of the day was played, for the summary's first line.
pub struct Played {
    pub beats: usize,
    pub of_beats: usize,
    pub story_minutes: u64,
    pub speed: f64,
}

/// The summary; `entries` are the launch's journal lines, oldest first.
pub fn summarize(launch: &str, gates: &[GateSpec], entries: &[Entry], played: &Played) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "── the day in summary: {} ──",
        crate::text::sanitize(launch)
    );
    let _ = writeln!(
        out,
        "{} of {} beats of a {}-minute launch day, played {}x faster",
        played.beats,
        played.of_beats,
        played.story_minutes,
        crate::gate::format_number(played.speed)
    );
    let (verdicts, changes, last) = replay(gates, entries);
    let _ = writeln!(
        out,
        "verdict: {}",
        match verdicts.as_slice() {
            [] => "never decided (not every gate answered)".to_owned(),
            [only] => format!("{only} all day"),
            all => all
                .iter()
                .map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join(" → "),
        }
    );
    let width = gates
        .iter()
        .map(|g| g.title.chars().count())
        .max()
        .unwrap_or(0);
    for gate in gates {
        let (state, value) = last
            .get(gate.id.as_str())
            .cloned()
            .unwrap_or((GateState::Unknown, None));
        let changed = changes.get(gate.id.as_str()).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "  {} {:<width$}  {:>10}  ends {}{}",
            state.symbol(),
            crate::text::sanitize(&gate.title),
            count(changed, "change"),
            state,
            value
                .map(|v| format!(" ({})", crate::text::sanitize_short(&v, 40)))
                .unwrap_or_default(),
        );
    }
    let transitions: u64 = changes.values().sum();
    let of_kind = |wanted: &dyn Fn(&str) -> bool| {
        entries.iter().filter(|e| wanted(e.kind.as_str())).count() as u64
    };
    let paged = entries
        .iter()
        .filter(|e| e.kind == STORY_KIND && e.actor == super::sim::pager::PAGER_ACTOR)
        .count() as u64;
    let beats = of_kind(&|kind| kind == STORY_KIND) - paged;
    let is_alert = |kind: &str| kind == "alert" || kind == "alert_delivery";
    let actions = of_kind(&|kind| kind != GATE_KIND && kind != STORY_KIND && !is_alert(kind));
    let ticks = of_kind(&|kind| kind == "checklist_tick");
    let votes = of_kind(&|kind| kind == "vote");
    let decided = entries.iter().rev().find_map(|e| match &e.event {
        Some(crate::journal::JournalEvent::Decision {
            number, outcome, ..
        }) => Some(format!(
            "decision {number} frozen: {}",
            outcome.to_uppercase()
        )),
        _ => None,
    });
    if ticks + votes > 0 || decided.is_some() {
        let _ = writeln!(
            out,
            "decision call: {} by the operators, {} cast; {}",
            count(ticks, "checklist tick"),
            count(votes, "vote"),
            decided.unwrap_or_else(|| {
                "not frozen (vote with v and freeze with D in the Checklist pane)".to_owned()
            })
        );
    }
    let _ = writeln!(
        out,
        "journal: {}, {} and {} recorded",
        count(transitions, "gate transition"),
        count(beats, "story beat"),
        count(actions, "operator action"),
    );
    let alerts = of_kind(&|kind| kind == "alert");
    if alerts > 0 || paged > 0 {
        let _ = writeln!(
            out,
            "alerts: {} raised, {} taken by the rehearsal's pager",
            count(alerts, "alert"),
            crate::plural::count_as(paged, "delivery", "deliveries"),
        );
    }
    out
}

const GATE_KIND: &str = "gate";
/// The journal kind of the story's narration ([`super::scenario`]).
pub(crate) const STORY_KIND: &str = "demo";

type Replayed<'a> = (
    Vec<Verdict>,
    HashMap<&'a str, u64>,
    HashMap<&'a str, (GateState, Option<String>)>,
);

/// Replays the gate transitions: the verdict each time it changed (from the first moment every
/// gate had answered), how many times each gate changed, and where each ended.
fn replay<'a>(gates: &'a [GateSpec], entries: &[Entry]) -> Replayed<'a> {
    let mut states: HashMap<&str, (GateState, Option<String>)> = HashMap::new();
    let mut changes: HashMap<&str, u64> = HashMap::new();
    let mut verdicts: Vec<Verdict> = Vec::new();
    for entry in entries.iter().filter(|e| e.kind == GATE_KIND) {
        let (Some(id), Some(to)) = (entry.gate.as_deref(), entry.to_state) else {
            continue;
        };
        let Some(gate) = gates.iter().find(|g| g.id == id) else {
            continue;
        };
        *changes.entry(gate.id.as_str()).or_default() += 1;
        states.insert(gate.id.as_str(), (to, entry.value.clone()));
        if states.len() < gates.len() {
            continue;
        }
        let verdict = Verdict::over(gates.iter().map(|g| {
            (
                g.required,
                states
                    .get(g.id.as_str())
                    .map_or(GateState::Unknown, |s| s.0),
            )
        }));
        if verdicts.last() != Some(&verdict) {
            verdicts.push(verdict);
        }
    }
    (verdicts, changes, states)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn gates() -> Vec<GateSpec> {
        let text = "[launch]\nname = \"x\"\n[[gate]]\nid = \"a\"\ntitle = \"Gate A\"\nsource = \"command\"\ncommand = [\"true\"]\npass = \"== 0\"\n[[gate]]\nid = \"b\"\ntitle = \"Gate B\"\nsource = \"command\"\ncommand = [\"true\"]\npass = \"== 0\"\n";
        crate::config::load_str(text, std::path::Path::new("t.toml"))
            .unwrap()
            .gates
    }

    fn entry(id: i64, gate: &str, to: GateState, value: &str) -> Entry {
        Entry {
            id,
            at: Utc::now(),
            recorded_at: Utc::now(),
            kind: GATE_KIND.into(),
            actor: "ops".into(),
            gate: Some(gate.into()),
            from_state: None,
            to_state: Some(to),
            value: Some(value.into()),
            message: String::new(),
            data: serde_json::Value::Null,
            event: None,
        }
    }

    #[test]
    fn the_verdict_path_gate_changes_and_actions_are_told() {
        let mut override_line = entry(5, "a", GateState::Pass, "");
        override_line.kind = "cohort_override".into();
        override_line.gate = None;
        let entries = [
            entry(1, "a", GateState::Fail, "44"),
            entry(2, "b", GateState::Pass, "0"),
            entry(3, "a", GateState::Pass, "50"),
            entry(4, "b", GateState::Fail, "1"),
            override_line,
        ];
        let played = Played {
            beats: 3,
            of_beats: 3,
            story_minutes: 24,
            speed: 7.0,
        };
        let text = summarize("Demo", &gates(), &entries, &played);
        assert!(text.contains("verdict: NO-GO → GO → NO-GO\n"), "{text}");
        assert!(
            text.contains("✅ Gate A   2 changes  ends pass (50)"),
            "{text}"
        );
        assert!(
            text.contains("🔴 Gate B   2 changes  ends fail (1)"),
            "{text}"
        );
        assert!(
            text.contains(
                "journal: 4 gate transitions, 0 story beats and 1 operator action recorded"
            ),
            "{text}"
        );
        assert!(text.lines().count() <= 24, "one screen: {text}");
    }
}
