//! The Gates pane's state: the selection and the filter, with the gates it lets through kept
//! until the filter changes (the board's gates are fixed at start; their results do not change
//! what a filter on id and title lets through).

pub mod render;
pub mod update;

use crate::gate::{Board, GateStatus};
use crate::tui::derived::Filtered;
use crate::tui::keymap::Command;

/// What the footer offers in this pane.
pub const FOOTER: &[(Command, &str)] = crate::tui::panes::GATE_LIST_FOOTER;

#[derive(Debug, Clone)]
pub struct GatesPane {
    /// Index into the visible gates.
    pub selected: usize,
    /// The filter (id or title, case-insensitive) and the board indices it lets through.
    rows: Filtered<String>,
}

fn matches(filter: &str, gate: &GateStatus) -> bool {
    let needle = filter.to_lowercase();
    needle.is_empty()
        || gate.id.to_lowercase().contains(&needle)
        || gate.title.to_lowercase().contains(&needle)
}

impl GatesPane {
    pub fn new(board: &Board) -> GatesPane {
        let mut rows = Filtered::new(String::new());
        rows.recompute(board.gates(), |filter, gate| matches(filter, gate));
        GatesPane { selected: 0, rows }
    }

    pub fn filter(&self) -> &str {
        self.rows.filter()
    }

    /// Puts a filter in force; the gates are filtered again only when it differs.
    pub fn set_filter(&mut self, filter: &str, board: &Board) {
        if self.rows.set_filter(filter.to_owned()) {
            self.rows
                .recompute(board.gates(), |filter, gate| matches(filter, gate));
        }
    }

    /// Gates matching the filter, in config order.
    pub fn visible<'b>(&self, board: &'b Board) -> Vec<&'b GateStatus> {
        let gates = board.gates();
        self.rows
            .indices()
            .iter()
            .filter_map(|&i| gates.get(i))
            .collect()
    }

    pub fn visible_len(&self) -> usize {
        self.rows.len()
    }

    pub fn selected_gate<'b>(&self, board: &'b Board) -> Option<&'b GateStatus> {
        let index = *self.rows.indices().get(self.selected)?;
        board.gates().get(index)
    }

    /// How often the gates were filtered (the cache tests watch it).
    pub fn recomputations(&self) -> u64 {
        self.rows.recomputations()
    }
}
