//! The checklist as everyone sees it: the file's items with the shared ticks laid over them,
//! gate-bound items verified by their gate, deadlines turned overdue, and ticks whose item
//! left the file listed as removed. Pure: the caller brings the ticks, gate states and time.

use super::{Checklist, Item};
use crate::gate::GateState;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A tick as the database holds it (the latest change of one item).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tick {
    pub item_key: String,
    pub item_id: String,
    pub section: Vec<String>,
    pub text: String,
    /// False: unticked (with the reason as its note).
    pub ticked: bool,
    pub by: String,
    pub at: DateTime<Utc>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    Open,
    Done,
    Verified,
    Overdue,
}

impl ItemState {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Open => "open",
            ItemState::Done => "done",
            ItemState::Verified => "verified",
            ItemState::Overdue => "overdue",
        }
    }

    pub fn is_done(self) -> bool {
        matches!(self, ItemState::Done | ItemState::Verified)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemView {
    pub id: String,
    pub text: String,
    pub state: ItemState,
    /// Who ticked it (`the file` for an `[x]` in the file, the gate's id when verified).
    pub by: Option<String>,
    pub at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub due: Option<DateTime<Utc>>,
    pub gate: Option<String>,
    pub role: Option<String>,
    /// The gate's state now, for a gate-bound item.
    pub gate_state: Option<GateState>,
    pub line: usize,
    pub depth: usize,
    #[serde(skip)]
    pub key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionView {
    pub path: Vec<String>,
    pub done: usize,
    pub total: usize,
    pub items: Vec<ItemView>,
}

/// A ticked item that is no longer in the file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Removed {
    pub id: String,
    pub section: Vec<String>,
    pub text: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChecklistView {
    pub sections: Vec<SectionView>,
    pub removed: Vec<Removed>,
    pub done: usize,
    pub total: usize,
}

impl ChecklistView {
    pub fn items(&self) -> impl Iterator<Item = &ItemView> {
        self.sections.iter().flat_map(|s| s.items.iter())
    }

    pub fn all_done(&self) -> bool {
        self.done == self.total
    }
}

/// Lays `ticks` and the gates' states over `checklist` at `now`.
pub fn view(
    checklist: &Checklist,
    ticks: &[Tick],
    gate_state: impl Fn(&str) -> GateState,
    decision_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> ChecklistView {
    let by_key: std::collections::HashMap<&str, &Tick> =
        ticks.iter().map(|t| (t.item_key.as_str(), t)).collect();
    let mut sections: Vec<SectionView> = checklist
        .sections
        .iter()
        .map(|path| SectionView {
            path: path.clone(),
            done: 0,
            total: 0,
            items: Vec::new(),
        })
        .collect();
    for item in &checklist.items {
        let shown = item_view(
            item,
            by_key.get(item.key.as_str()).copied(),
            &gate_state,
            decision_at,
            now,
        );
        if let Some(section) = sections.iter_mut().find(|s| s.path == item.section) {
            section.total += 1;
            section.done += usize::from(shown.state.is_done());
            section.items.push(shown);
        }
    }
    let removed = ticks
        .iter()
        .filter(|t| t.ticked && checklist.item_by_key(&t.item_key).is_none())
        .map(|t| Removed {
            id: t.item_id.clone(),
            section: t.section.clone(),
            text: t.text.clone(),
            by: t.by.clone(),
            at: t.at,
        })
        .collect();
    let (done, total) = sections
        .iter()
        .fold((0, 0), |(d, t), s| (d + s.done, t + s.total));
    ChecklistView {
        sections,
        removed,
        done,
        total,
    }
}

fn item_view(
    item: &Item,
    tick: Option<&Tick>,
    gate_state: &impl Fn(&str) -> GateState,
    decision_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> ItemView {
    let due = item.due.and_then(|d| d.resolve(decision_at));
    let mut shown = ItemView {
        id: item.id.clone(),
        text: item.text.clone(),
        state: ItemState::Open,
        by: None,
        at: None,
        note: None,
        due,
        gate: item.gate.clone(),
        role: item.role.clone(),
        gate_state: None,
        line: item.line,
        depth: item.depth,
        key: item.key.clone(),
    };
    let done = if let Some(gate) = &item.gate {
        // A gate decides: never a hand's tick, never the file's `[x]`.
        let state = gate_state(gate);
        shown.gate_state = Some(state);
        if state == GateState::Pass {
            shown.state = ItemState::Verified;
            shown.by = Some(gate.clone());
        }
        state == GateState::Pass
    } else if let Some(tick) = tick {
        if tick.ticked {
            shown.state = ItemState::Done;
        }
        shown.by = Some(tick.by.clone());
        shown.at = Some(tick.at);
        shown.note = tick.note.clone();
        tick.ticked
    } else if item.done_in_file {
        shown.state = ItemState::Done;
        shown.by = Some("the file".to_owned());
        true
    } else {
        false
    };
    if !done && due.is_some_and(|d| d <= now) {
        shown.state = ItemState::Overdue;
    }
    shown
}
