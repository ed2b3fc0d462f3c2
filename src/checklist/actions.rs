//! Ticking and unticking an item, for the CLI and the cockpit alike: finding the item the
//! operator means (short id or a unique piece of its text), refusing a gate-bound one, checking
//! the note or reason, and writing through the store.

use super::ChecklistStore;
use super::{Checklist, Item, Tick};
use crate::db::DbError;
use crate::journal::{NoteError, clean_note};
use chrono::{DateTime, SubsecRound, Utc};

/// How an item query matched.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved<'a> {
    One(&'a Item),
    None,
    /// Several items match: each as `id  text (line N)`.
    Many(Vec<&'a Item>),
}

/// The item `query` names: its short id (or a prefix of at least 4 characters), else the items
/// whose text contains it (case and spacing aside).
pub fn resolve<'a>(checklist: &'a Checklist, query: &str) -> Resolved<'a> {
    let query = query.trim();
    if query.is_empty() {
        return Resolved::None;
    }
    if let Some(item) = checklist.items.iter().find(|i| i.id == query) {
        return Resolved::One(item);
    }
    let lower = query.to_lowercase();
    if lower.len() >= 4 && lower.chars().all(|c| c.is_ascii_hexdigit()) {
        let by_id: Vec<&Item> = checklist
            .items
            .iter()
            .filter(|i| i.id.starts_with(&lower))
            .collect();
        if by_id.len() == 1 {
            return Resolved::One(by_id[0]);
        }
    }
    let wanted = super::normalise(query);
    let found: Vec<&Item> = checklist
        .items
        .iter()
        .filter(|i| super::normalise(&i.text).contains(&wanted))
        .collect();
    match found.len() {
        0 => Resolved::None,
        1 => Resolved::One(found[0]),
        _ => Resolved::Many(found),
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum ActionError {
    #[error(
        "no checklist item matches `{0}` (use its id from `gonogo checklist`, or a piece of its text)"
    )]
    NotFound(String),
    #[error("`{query}` matches {} items; say which by id:\n{}", .candidates.len(), .candidates.join("\n"))]
    Ambiguous {
        query: String,
        candidates: Vec<String>,
    },
    #[error(
        "\"{text}\" is verified by the gate `{gate}`, never ticked by hand: the gate decides it"
    )]
    GateBound { text: String, gate: String },
    #[error("unticking needs a reason (--reason TEXT)")]
    ReasonRequired,
    #[error("\"{0}\" is not ticked")]
    NotTicked(String),
    #[error("note: {0}")]
    Note(NoteError),
    #[error("{0}")]
    Db(DbError),
}

impl ActionError {
    pub fn exit_code(&self) -> u8 {
        match self {
            ActionError::Db(e) => crate::exit::database(e.is_unavailable()),
            _ => crate::exit::USAGE,
        }
    }
}

/// The one item `query` names, or why not.
pub fn find<'a>(checklist: &'a Checklist, query: &str) -> Result<&'a Item, ActionError> {
    match resolve(checklist, query) {
        Resolved::One(item) => Ok(item),
        Resolved::None => Err(ActionError::NotFound(crate::text::sanitize_short(
            query, 60,
        ))),
        Resolved::Many(items) => Err(ActionError::Ambiguous {
            query: crate::text::sanitize_short(query, 60),
            candidates: items
                .iter()
                .map(|i| format!("  {}  {} (line {})", i.id, i.text, i.line))
                .collect(),
        }),
    }
}

/// Ticks `item` with an optional note.
pub async fn tick(
    store: &ChecklistStore,
    item: &Item,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Tick, ActionError> {
    if let Some(gate) = &item.gate {
        return Err(ActionError::GateBound {
            text: item.text.clone(),
            gate: gate.clone(),
        });
    }
    let note = match note.map(clean_note) {
        None | Some(Err(NoteError::Empty)) => None,
        Some(Ok(note)) => Some(note),
        Some(Err(e)) => return Err(ActionError::Note(e)),
    };
    store
        .set(item, true, note.as_deref(), now.trunc_subsecs(6))
        .await
        .map_err(ActionError::Db)
}

/// Unticks `item` (ticked by hand or `[x]` in the file), with the reason required.
pub async fn untick(
    store: &ChecklistStore,
    item: &Item,
    current: Option<&Tick>,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Tick, ActionError> {
    if let Some(gate) = &item.gate {
        return Err(ActionError::GateBound {
            text: item.text.clone(),
            gate: gate.clone(),
        });
    }
    let reason = match clean_note(reason) {
        Ok(reason) => reason,
        Err(NoteError::Empty) => return Err(ActionError::ReasonRequired),
        Err(e) => return Err(ActionError::Note(e)),
    };
    let ticked = current.map_or(item.done_in_file, |t| t.ticked);
    if !ticked {
        return Err(ActionError::NotTicked(item.text.clone()));
    }
    store
        .set(item, false, Some(&reason), now.trunc_subsecs(6))
        .await
        .map_err(ActionError::Db)
}
