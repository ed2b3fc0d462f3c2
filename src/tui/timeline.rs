//! Timeline rows: gate transitions and operator actions, from the shared journal or, without
//! one, from this cockpit's own transitions.

use crate::gate::{GateState, Transition};
use crate::journal::Entry;
use chrono::{DateTime, Utc};
use std::collections::VecDeque;

/// How many journal lines the timeline reads, and how many local transitions it keeps.
pub const TIMELINE_LIMIT: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
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
    pub fn from_transition(t: &Transition, actor: &str) -> TimelineEntry {
        TimelineEntry {
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
    pub local: VecDeque<TimelineEntry>,
    pub selected: usize,
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
            local: VecDeque::new(),
            selected: 0,
            loading: false,
            last_request: None,
        }
    }

    pub fn is_shared(&self) -> bool {
        self.source != TimelineSource::LocalOnly
    }

    /// The rows on screen, newest first.
    pub fn rows(&self) -> Vec<&TimelineEntry> {
        match self.source {
            TimelineSource::Journal { .. } => self.journal.iter().collect(),
            _ => self.local.iter().collect(),
        }
    }

    pub fn push_local(&mut self, entry: TimelineEntry) {
        self.local.push_front(entry);
        self.local.truncate(TIMELINE_LIMIT);
    }
}
