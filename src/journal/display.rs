//! Journal lines as text and JSON for the headless commands (`timeline`, `handoff`): one
//! shape for every consumer, with unknown kinds shown raw instead of failing.

use super::{Entry, JournalEvent};
use crate::clock::rfc3339;

/// What a line says, in a few words: `pass → fail (2)`, the note's text, the override's file.
pub fn describe(entry: &Entry) -> String {
    match &entry.event {
        Some(JournalEvent::Gate(g)) => {
            let from = match g.from {
                Some(from) => format!("{from} → "),
                None => "first observed ".to_owned(),
            };
            let value = g
                .value
                .as_deref()
                .filter(|v| !v.is_empty())
                .map(|v| format!(" ({v})"))
                .unwrap_or_default();
            let error = g
                .error
                .as_deref()
                .filter(|e| !e.is_empty())
                .map(|e| format!(": {e}"))
                .unwrap_or_default();
            format!("{}: {from}{}{value}{error}", g.gate, g.to)
        }
        Some(JournalEvent::CohortOverride(o)) => {
            let reason = o
                .reason
                .as_deref()
                .map(|r| format!(", reason: {r}"))
                .unwrap_or_default();
            let short: String = o.sha256.chars().take(12).collect();
            format!("cohort {} (sha256 {short}) let through{reason}", o.file)
        }
        Some(JournalEvent::Note { text }) => text.clone(),
        Some(event @ JournalEvent::ShiftTakeover { .. }) => event.summary(&entry.actor),
        Some(JournalEvent::Demo { says, .. }) => says.clone(),
        Some(event) => event.summary(&entry.actor),
        None => entry.raw_text(),
    }
}

/// One line of `gonogo timeline`: time, kind, actor, what happened.
pub fn line(entry: &Entry) -> String {
    format!(
        "{}  {:<15} {:<12} {}",
        rfc3339(entry.at),
        entry.kind,
        entry.actor,
        describe(entry)
    )
}

/// One line as JSON: `id`, `at`, `recorded_at`, `actor`, `kind` and the event's own fields;
/// a line this version does not know keeps its `message` and `data` and says `"raw": true`.
pub fn json(entry: &Entry) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    object.insert("id".into(), entry.id.into());
    object.insert("at".into(), rfc3339(entry.at).into());
    object.insert("recorded_at".into(), rfc3339(entry.recorded_at).into());
    object.insert("actor".into(), entry.actor.clone().into());
    match &entry.event {
        Some(event) => {
            if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(event) {
                object.extend(fields);
            }
        }
        None => {
            object.insert("kind".into(), entry.kind.clone().into());
            object.insert("message".into(), entry.message.clone().into());
            object.insert("data".into(), clean_json(&entry.data));
            object.insert("raw".into(), true.into());
        }
    }
    serde_json::Value::Object(object)
}

/// A JSON value with every string (keys included) cleaned of control characters.
fn clean_json(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(crate::text::sanitize(s)),
        Value::Array(items) => Value::Array(items.iter().map(clean_json).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (crate::text::sanitize(k), clean_json(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}
