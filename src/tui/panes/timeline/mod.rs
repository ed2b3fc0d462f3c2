//! The Timeline pane's state: gate transitions and operator actions, from the shared journal
//! or, without one, from this cockpit's own transitions; and the selection, which stays on the
//! newest row until the operator picks another, then stays on that entry (not its index) as rows
//! arrive. The rows shown are borrowed from the source in force, never rebuilt per frame.

pub mod render;
pub mod update;

use crate::gate::{GateState, Transition};
use crate::journal::Entry;
use crate::tui::keymap::Command;
use chrono::{DateTime, Utc};

/// What the footer offers in this pane (`Enter` opens the row's gate, `r` re-checks it).
pub const FOOTER: &[(Command, &str)] = crate::tui::panes::GATE_LIST_FOOTER;

/// How many journal lines the timeline reads, and how many local transitions it keeps.
pub const TIMELINE_LIMIT: usize = 200;

/// Which entry a row is, whatever its position: the journal line's id, or the number this
/// cockpit gave its own transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryId {
    Journal(i64),
    Local(u64),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    pub id: EntryId,
    pub at: DateTime<Utc>,
    pub gate: Option<String>,
    /// The gate's title, or the kind of event.
    pub subject: String,
    pub from: Option<GateState>,
    pub to: Option<GateState>,
    pub value: String,
    pub actor: String,
    /// The error behind a transition, or an action's message.
    pub message: String,
}

impl TimelineEntry {
    pub fn from_transition(t: &Transition, actor: &str, id: u64) -> TimelineEntry {
        TimelineEntry {
            id: EntryId::Local(id),
            at: t.at,
            gate: Some(t.gate.clone()),
            subject: crate::text::sanitize(&t.title),
            from: Some(t.from),
            to: Some(t.to),
            value: t.value_text.clone(),
            actor: actor.to_owned(),
            message: t.error.clone().unwrap_or_default(),
        }
    }

    pub fn from_journal(e: &Entry, title_of: impl Fn(&str) -> Option<String>) -> TimelineEntry {
        let subject = match &e.gate {
            Some(gate) => title_of(gate).unwrap_or_else(|| gate.clone()),
            None => e.kind.clone(),
        };
        TimelineEntry {
            id: EntryId::Journal(e.id),
            at: e.at,
            gate: e.gate.clone(),
            subject,
            from: e.from_state,
            to: e.to_state,
            value: e.value.clone().unwrap_or_default(),
            actor: e.actor.clone(),
            message: e.message.clone(),
        }
    }
}

/// Where the timeline's rows come from right now.
#[derive(Debug, Clone, PartialEq)]
pub enum TimelineSource {
    /// No `[postgres]` in the config: this cockpit's transitions only.
    LocalOnly,
    /// The journal has not answered yet.
    Connecting,
    /// The shared journal, as last read.
    Journal { read_at: DateTime<Utc> },
    /// The journal failed; this cockpit's transitions are shown meanwhile.
    Unavailable { reason: String },
}

#[derive(Debug, Clone)]
pub struct Timeline {
    pub source: TimelineSource,
    /// The journal's rows, newest first.
    pub journal: Vec<TimelineEntry>,
    /// This cockpit's own transitions, newest first.
    pub local: Vec<TimelineEntry>,
    /// Index into [`Timeline::rows`]; kept on the same entry when rows arrive or change.
    pub selected: usize,
    /// The operator picked an entry below the top: it stays selected as newer rows arrive.
    /// Otherwise the selection stays on the newest row.
    picked: bool,
    /// The number the next local transition gets.
    next_local: u64,
    /// A journal read is under way.
    pub loading: bool,
    pub last_request: Option<DateTime<Utc>>,
}

impl Timeline {
    pub fn new(shared: bool) -> Timeline {
        Timeline {
            source: if shared {
                TimelineSource::Connecting
            } else {
                TimelineSource::LocalOnly
            },
            journal: Vec::new(),
            local: Vec::new(),
            selected: 0,
            picked: false,
            next_local: 0,
            loading: false,
            last_request: None,
        }
    }

    pub fn is_shared(&self) -> bool {
        self.source != TimelineSource::LocalOnly
    }

    /// The rows on screen, newest first.
    pub fn rows(&self) -> &[TimelineEntry] {
        match self.source {
            TimelineSource::Journal { .. } => &self.journal,
            _ => &self.local,
        }
    }

    /// The operator selects a row (keys, mouse): from now on it follows its entry. Selecting
    /// the top row means "the newest" again, so newer rows keep arriving in view.
    pub fn select(&mut self, index: usize) {
        self.selected = index.min(self.rows().len().saturating_sub(1));
        self.picked = self.selected != 0;
    }

    /// This cockpit's transition, newest first.
    pub fn push_transition(&mut self, t: &Transition, actor: &str) {
        let id = self.next_local;
        self.next_local += 1;
        self.keeping_selection(|timeline| {
            let entry = TimelineEntry::from_transition(t, actor, id);
            // At most TIMELINE_LIMIT rows: shifting them is cheaper than rebuilding a list
            // of references on every frame.
            timeline.local.insert(0, entry);
            timeline.local.truncate(TIMELINE_LIMIT);
        });
    }

    /// A fresh read of the journal, newest first.
    pub fn journal_read(&mut self, entries: Vec<TimelineEntry>, read_at: DateTime<Utc>) {
        self.keeping_selection(|timeline| {
            timeline.journal = entries;
            timeline.source = TimelineSource::Journal { read_at };
        });
    }

    /// The journal failed: this cockpit's transitions are shown meanwhile.
    pub fn journal_failed(&mut self, reason: String) {
        self.keeping_selection(|timeline| {
            timeline.source = TimelineSource::Unavailable { reason };
        });
    }

    /// Changes the rows, then puts a picked selection back on the entry it was on; if that
    /// entry is gone, on the same position (within the rows left).
    fn keeping_selection(&mut self, change: impl FnOnce(&mut Timeline)) {
        let anchor = self
            .picked
            .then(|| self.rows().get(self.selected).map(|e| e.id))
            .flatten();
        change(self);
        let rows = self.rows();
        self.selected = anchor
            .and_then(|id| rows.iter().position(|e| e.id == id))
            .unwrap_or(self.selected)
            .min(rows.len().saturating_sub(1));
    }
}
