//! The journal in `gonogo.journal`: gate transitions and operator actions, typed as
//! [`JournalEvent`]s, shared by every cockpit connected to the same database. Each line is
//! recorded once, however many cockpits see it or retry it. This module owns the events, their
//! SQL ([`Journal`], in `store`), the ordered backlog in front of the store, and the writer
//! task.

mod backlog;
pub mod display;
mod event;
mod store;
mod writer;

pub use crate::db::listen::LiveSignal;
pub use backlog::{BACKLOG_LIMIT, Backlog, FlushError, Pending};
pub use event::{
    CohortOverride, DispatchRunEvent, GateChange, GateColumns, JournalEvent, NOTE_LIMIT, NoteError,
    clean_note,
};
pub(crate) use store::insert_event;
pub use store::{
    Journal, JournalFilter, ObservedGate, READ_LIMIT, SAME_CHANGE_WINDOW, WRITE_TIMEOUT,
};
pub use writer::{EventSender, Writer, WriterPace};

use crate::db::DbError;
use crate::gate::GateState;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, thiserror::Error)]
pub enum JournalError {
    #[error("journal: {0}")]
    Db(DbError),
    #[error("the journal does not exist yet; run `gonogo migrate`")]
    Missing,
}

impl JournalError {
    /// The database could not be reached (as opposed to refusing a statement).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, JournalError::Db(e) if e.is_unavailable())
    }
}

/// One journal line as read back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub id: i64,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// When the database took it (later than `at` for a line kept while it was away).
    pub recorded_at: DateTime<Utc>,
    pub kind: String,
    pub actor: String,
    pub gate: Option<String>,
    pub from_state: Option<GateState>,
    pub to_state: Option<GateState>,
    pub value: Option<String>,
    pub message: String,
    pub data: serde_json::Value,
    /// The line, typed; `None` when this version does not know its kind or shape (a newer
    /// gonogo wrote it): it is shown as raw text.
    #[serde(skip)]
    pub event: Option<JournalEvent>,
}

impl Entry {
    /// A line as the store would read it back after writing `event` (for lines shown before
    /// they are read back, and for tests).
    pub fn from_event(id: i64, at: DateTime<Utc>, actor: &str, event: JournalEvent) -> Entry {
        let (gate, from_state, to_state, value) = match &event {
            JournalEvent::Gate(g) => (Some(g.gate.clone()), g.from, Some(g.to), g.value.clone()),
            _ => (None, None, None, None),
        };
        Entry {
            id,
            at,
            recorded_at: at,
            kind: event.kind().to_owned(),
            actor: actor.to_owned(),
            gate,
            from_state,
            to_state,
            value,
            message: event.summary(actor),
            data: event.data(),
            event: Some(event),
        }
    }

    /// The line as one plain sentence of text, for a line that has no typed event.
    pub fn raw_text(&self) -> String {
        let data = crate::text::sanitize_short(&self.data.to_string(), 300);
        if self.message.is_empty() {
            format!("{}: {data}", self.kind)
        } else {
            format!("{}: {} {data}", self.kind, self.message)
        }
    }
}

/// An event waiting to be written, with the id that makes its write idempotent.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingEvent {
    pub uid: Uuid,
    pub at: DateTime<Utc>,
    pub event: JournalEvent,
}

impl PendingEvent {
    pub fn new(at: DateTime<Utc>, event: JournalEvent) -> PendingEvent {
        PendingEvent {
            uid: Uuid::new_v4(),
            at,
            event,
        }
    }

    pub fn now(event: JournalEvent) -> PendingEvent {
        PendingEvent::new(Utc::now(), event)
    }
}

/// An event's text cleaned of control characters, however it was written.
pub(crate) fn sanitize_event(event: JournalEvent) -> JournalEvent {
    let clean = crate::text::sanitize_owned;
    let opt = |s: Option<String>| s.map(clean);
    match event {
        JournalEvent::Gate(mut g) => {
            g.gate = clean(g.gate);
            g.title = clean(g.title);
            g.value = opt(g.value);
            g.error = opt(g.error);
            JournalEvent::Gate(g)
        }
        JournalEvent::CohortOverride(mut o) => {
            o.file = clean(o.file);
            o.sha256 = clean(o.sha256);
            o.reason = opt(o.reason);
            JournalEvent::CohortOverride(o)
        }
        JournalEvent::Note { text } => JournalEvent::Note { text: clean(text) },
        JournalEvent::ShiftTakeover { from, from_since } => JournalEvent::ShiftTakeover {
            from: opt(from),
            from_since,
        },
        JournalEvent::Demo {
            says,
            story_offset_secs,
        } => JournalEvent::Demo {
            says: clean(says),
            story_offset_secs,
        },
        // The rest (checklist, votes, decisions, dispatch, alerts) hold plain text only.
        other => sanitize_fields(other),
    }
}

/// Every string of an event cleaned, through its JSON form: one rule for the kinds whose
/// fields are all plain text.
fn sanitize_fields(event: JournalEvent) -> JournalEvent {
    fn clean(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(s) => *s = crate::text::sanitize(s),
            serde_json::Value::Array(items) => items.iter_mut().for_each(clean),
            serde_json::Value::Object(map) => map.values_mut().for_each(clean),
            _ => {}
        }
    }
    let Ok(mut value) = serde_json::to_value(&event) else {
        return event;
    };
    clean(&mut value);
    serde_json::from_value(value).unwrap_or(event)
}
