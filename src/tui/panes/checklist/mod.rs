//! The Checklist pane's state: the checklist file, the decision call's shared state (ticks,
//! roll call, newest decision) and the rows derived from them, recomputed when the data, the
//! open-items filter, the gates or the minute change, never per frame; plus which items have
//! already rung the overdue bell.

pub mod render;
pub mod update;

use crate::checklist::{Checklist, ChecklistView, ItemState, ItemView};
use crate::config::DecisionSettings;
use crate::decision::{CallState, RollCall};
use crate::gate::{Board, GateState};
use crate::tui::keymap::Command;
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::sync::Arc;

/// What the footer offers in this pane.
pub const FOOTER: &[(Command, &str)] = &[
    (Command::Help, "help"),
    (Command::Tick, "tick"),
    (Command::Untick, "untick"),
    (Command::OpenItems, "open only"),
    (Command::Vote, "vote"),
    (Command::Decide, "freeze"),
    (Command::Open, "gate"),
    (Command::ScreenShare, "share"),
    (Command::Quit, "quit"),
];

/// How often the shared state is read again when no live news comes (the listener being down).
pub const REFRESH_EVERY: chrono::TimeDelta = chrono::TimeDelta::seconds(30);

/// Where the checklist file stands.
#[derive(Debug, Clone)]
pub enum FileState {
    /// No `[checklist]` in the config.
    NotConfigured,
    Loading,
    Loaded(Arc<Checklist>),
    /// Missing, not UTF-8, a bad binding: the message names the file and line.
    Failed(String),
}

/// One row of the list: a section's header or an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Section(usize),
    Item { section: usize, item: usize },
}

#[derive(Debug, Clone)]
pub struct ChecklistPane {
    pub file: FileState,
    /// `None` until first read (or without a database).
    pub call: Option<CallState>,
    pub call_error: Option<String>,
    pub view: Option<ChecklistView>,
    pub rows: Vec<Row>,
    pub selected: usize,
    pub only_open: bool,
    pub settings: DecisionSettings,
    pub decision_at: Option<DateTime<Utc>>,
    /// There is a database: ticks and votes are shared.
    pub shared: bool,
    pub bell: bool,
    /// Keys of the items that were overdue at the last recompute (each rings once).
    overdue: HashSet<String>,
    /// The overdue set has been seeded (items overdue at start do not ring).
    seeded: bool,
    pub last_read: Option<DateTime<Utc>>,
    /// A read of the shared state is under way.
    pub reading: bool,
    /// The file has been asked for (once at start; `:checklist reload` asks again).
    pub file_asked: bool,
    /// How often the rows were derived (tests watch it).
    pub recomputations: u64,
}

impl ChecklistPane {
    pub fn new(
        configured: bool,
        settings: DecisionSettings,
        decision_at: Option<DateTime<Utc>>,
        shared: bool,
        bell: bool,
    ) -> ChecklistPane {
        ChecklistPane {
            file: if configured {
                FileState::Loading
            } else {
                FileState::NotConfigured
            },
            call: None,
            call_error: None,
            view: None,
            rows: Vec::new(),
            selected: 0,
            only_open: false,
            settings,
            decision_at,
            shared,
            bell,
            overdue: HashSet::new(),
            seeded: false,
            last_read: None,
            reading: false,
            file_asked: false,
            recomputations: 0,
        }
    }

    pub fn checklist(&self) -> Option<&Arc<Checklist>> {
        match &self.file {
            FileState::Loaded(c) => Some(c),
            _ => None,
        }
    }

    /// The roll call of the round under way.
    pub fn roll_call(&self) -> RollCall {
        let (round, votes) = match &self.call {
            Some(call) => (call.round, call.votes.as_slice()),
            None => (1, &[][..]),
        };
        RollCall::new(&self.settings, round, votes)
    }

    /// Derives the view and rows again; returns whether an item has newly turned overdue.
    pub fn recompute(&mut self, board: &Board, now: DateTime<Utc>) -> bool {
        let Some(checklist) = self.checklist().cloned() else {
            self.view = None;
            self.rows.clear();
            return false;
        };
        self.recomputations += 1;
        let ticks = self
            .call
            .as_ref()
            .map(|c| c.ticks.as_slice())
            .unwrap_or(&[]);
        let state = |gate: &str| board.get(gate).map_or(GateState::Unknown, |g| g.state);
        let view = crate::checklist::view(&checklist, ticks, state, self.decision_at, now);
        let overdue: HashSet<String> = view
            .items()
            .filter(|i| i.state == ItemState::Overdue)
            .map(|i| i.key.clone())
            .collect();
        let turned = self.seeded && overdue.iter().any(|k| !self.overdue.contains(k));
        self.overdue = overdue;
        self.seeded = true;
        let mut rows = Vec::new();
        for (s, section) in view.sections.iter().enumerate() {
            let items: Vec<usize> = section
                .items
                .iter()
                .enumerate()
                .filter(|(_, i)| !self.only_open || !i.state.is_done())
                .map(|(i, _)| i)
                .collect();
            if self.only_open && items.is_empty() {
                continue;
            }
            rows.push(Row::Section(s));
            rows.extend(items.into_iter().map(|item| Row::Item { section: s, item }));
        }
        self.rows = rows;
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        self.view = Some(view);
        turned
    }

    /// The item on the selected row.
    pub fn selected_item(&self) -> Option<&ItemView> {
        match self.rows.get(self.selected)? {
            Row::Item { section, item } => {
                self.view.as_ref()?.sections.get(*section)?.items.get(*item)
            }
            Row::Section(_) => None,
        }
    }

    pub fn tick_of(&self, key: &str) -> Option<&crate::checklist::Tick> {
        self.call.as_ref()?.ticks.iter().find(|t| t.item_key == key)
    }
}
