//! Gate lines read back from their indexed columns ([`GateColumns`]) and `data` object.

use super::{GateChange, JournalEvent};
use crate::gate::GateState;

/// A gate line read straight from its columns and data, without a round trip through JSON:
/// most of a long journal is gate lines, and a report reads them all.
pub(super) fn gate_from_columns(
    data: &serde_json::Value,
    columns: GateColumns<'_>,
) -> Option<JournalEvent> {
    let object = match data {
        serde_json::Value::Object(map) => Some(map),
        serde_json::Value::Null => None,
        _ => return None,
    };
    let field = |key: &str| object.and_then(|o| o.get(key));
    let text = |key: &str| match field(key) {
        None | Some(serde_json::Value::Null) => Some(None),
        Some(serde_json::Value::String(s)) => Some(Some(s.clone())),
        Some(_) => None,
    };
    let from = match columns.from {
        Some(state) => Some(GateState::parse(state)?),
        None => None,
    };
    let error = match text("error")? {
        Some(error) => Some(error),
        None if !columns.message.is_empty() => Some(columns.message.to_owned()),
        None => None,
    };
    Some(JournalEvent::Gate(GateChange {
        gate: columns.gate?.to_owned(),
        title: text("title")?.unwrap_or_default(),
        required: match field("required") {
            None | Some(serde_json::Value::Null) => true,
            Some(serde_json::Value::Bool(b)) => *b,
            Some(_) => return None,
        },
        from,
        to: GateState::parse(columns.to?)?,
        value: columns.value.map(str::to_owned),
        error,
    }))
}

/// A gate line's indexed columns, as stored.
#[derive(Debug, Clone, Copy, Default)]
pub struct GateColumns<'a> {
    pub gate: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub value: Option<&'a str>,
    pub message: &'a str,
}
