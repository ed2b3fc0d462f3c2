//! [`JournalEvent`]: what one journal line says, typed. Stored as its `kind` column plus a JSON
//! `data` object (and, for gate lines, the indexed gate/state columns); read back into the same
//! type, or kept as raw text when a newer gonogo wrote something this one does not know.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

mod columns;
mod note;
mod payload;

pub use columns::GateColumns;
use columns::gate_from_columns;
pub use note::{NOTE_LIMIT, NoteError, clean_note};
pub use payload::{CohortOverride, DispatchRunEvent, GateChange};

/// One journal line's content. Serialized with its `kind` as the tag:
/// `{"kind": "note", "text": "…"}`. The dispatch and checklist lines join as new variants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JournalEvent {
    /// A gate changed state.
    Gate(GateChange),
    /// Soft cohort findings let through by an operator, with the file's hash.
    CohortOverride(CohortOverride),
    /// An operator's free-text note.
    Note { text: String },
    /// An operator took over the shift (`from` is whoever was on shift before, if anyone).
    ShiftTakeover {
        #[serde(default)]
        from: Option<String>,
        #[serde(default)]
        from_since: Option<DateTime<Utc>>,
    },
    /// `invites prepare` wrote a batch.
    InvitesPrepared {
        batch: String,
        file: String,
        sha256: String,
        prepared: u64,
        skipped: u64,
        failed: u64,
    },
    /// A send run started, resumed, paused, stopped or finished (`phase`).
    DispatchRun(DispatchRunEvent),
    /// A test message sent to the operator, nothing written to `beta_invites`.
    TestSend {
        to: String,
        outcome: String,
        detail: String,
    },
    /// `unknown` messages settled by hand (`as`: `sent` or `retry`).
    DispatchResolve {
        emails: Vec<String>,
        #[serde(rename = "as")]
        settled_as: String,
        reason: String,
    },
    /// The rehearsal's narration.
    Demo {
        says: String,
        #[serde(default)]
        story_offset_secs: Option<u64>,
    },
    /// A checklist item ticked by hand (`item` is its short id).
    ChecklistTick {
        item: String,
        section: Vec<String>,
        text: String,
        #[serde(default)]
        note: Option<String>,
    },
    /// A tick taken back, with the reason.
    ChecklistUntick {
        item: String,
        section: Vec<String>,
        text: String,
        reason: String,
    },
    /// A role's GO/NO-GO vote in the roll call of decision `round`.
    Vote {
        round: u32,
        role: String,
        vote: String,
        #[serde(default)]
        note: Option<String>,
    },
    /// A decision frozen: its record's number, outcome and hash.
    Decision {
        number: u32,
        outcome: String,
        hash: String,
        #[serde(default)]
        gates_overridden: bool,
        #[serde(default)]
        reason: Option<String>,
    },
    /// An alert this cockpit or watch raised and sends (once per launch).
    Alert(crate::alerts::AlertLine),
    /// What became of an alert's webhook delivery.
    AlertDelivery(crate::alerts::Delivery),
}

impl JournalEvent {
    /// The `kind` column's value.
    pub fn kind(&self) -> &'static str {
        match self {
            JournalEvent::Gate(_) => "gate",
            JournalEvent::CohortOverride(_) => "cohort_override",
            JournalEvent::Note { .. } => "note",
            JournalEvent::ShiftTakeover { .. } => "shift_takeover",
            JournalEvent::InvitesPrepared { .. } => "invites_prepared",
            JournalEvent::DispatchRun(_) => "dispatch_run",
            JournalEvent::TestSend { .. } => "test_send",
            JournalEvent::DispatchResolve { .. } => "dispatch_resolve",
            JournalEvent::Demo { .. } => "demo",
            JournalEvent::ChecklistTick { .. } => "checklist_tick",
            JournalEvent::ChecklistUntick { .. } => "checklist_untick",
            JournalEvent::Vote { .. } => "vote",
            JournalEvent::Decision { .. } => "decision",
            JournalEvent::Alert(_) => "alert",
            JournalEvent::AlertDelivery(_) => "alert_delivery",
        }
    }

    /// Every kind this version knows (for `--kind` and the README).
    pub const KINDS: [&'static str; 15] = [
        "gate",
        "cohort_override",
        "note",
        "shift_takeover",
        "invites_prepared",
        "dispatch_run",
        "test_send",
        "dispatch_resolve",
        "demo",
        "checklist_tick",
        "checklist_untick",
        "vote",
        "decision",
        "alert",
        "alert_delivery",
    ];

    /// A one-line summary, written to the `message` column so any reader (an older gonogo,
    /// `psql`) has something to show.
    pub fn summary(&self, actor: &str) -> String {
        match self {
            JournalEvent::Gate(g) => g.error.clone().unwrap_or_default(),
            JournalEvent::CohortOverride(o) => {
                let short: String = o.sha256.chars().take(12).collect();
                format!("cohort {} (sha256 {short}) let through", o.file)
            }
            JournalEvent::Note { text } => text.clone(),
            JournalEvent::ShiftTakeover { from, .. } => match from {
                Some(from) if from != actor => format!("{actor} takes over the shift from {from}"),
                _ => format!("{actor} takes over the shift"),
            },
            JournalEvent::InvitesPrepared {
                batch,
                prepared,
                skipped,
                failed,
                ..
            } => format!(
                "batch {batch} prepared: {prepared} new, {skipped} already there, {failed} failed"
            ),
            JournalEvent::DispatchRun(r) => r.summary(),
            JournalEvent::TestSend { to, outcome, .. } => {
                format!("test invitation to {to}: {outcome}")
            }
            JournalEvent::DispatchResolve {
                emails, settled_as, ..
            } => format!(
                "{} settled by hand as {settled_as}",
                crate::plural::count(emails.len() as u64, "unknown message")
            ),
            JournalEvent::Demo { says, .. } => says.clone(),
            JournalEvent::ChecklistTick { text, note, .. } => match note {
                Some(note) => format!("ticked \"{text}\": {note}"),
                None => format!("ticked \"{text}\""),
            },
            JournalEvent::ChecklistUntick { text, reason, .. } => {
                format!("unticked \"{text}\": {reason}")
            }
            JournalEvent::Vote {
                round,
                role,
                vote,
                note,
                ..
            } => {
                let vote = vote.to_uppercase();
                match note {
                    Some(note) => format!("{role} votes {vote} (call {round}): {note}"),
                    None => format!("{role} votes {vote} (call {round})"),
                }
            }
            JournalEvent::Decision {
                number,
                outcome,
                gates_overridden,
                ..
            } => {
                let outcome = outcome.to_uppercase();
                let over = if *gates_overridden {
                    ", gates overridden"
                } else {
                    ""
                };
                format!("decision {number} frozen: {outcome}{over}")
            }
            JournalEvent::Alert(a) => a.summary(),
            JournalEvent::AlertDelivery(d) => d.summary(),
        }
    }

    /// The `data` column: the event's fields without its tag (gate lines keep their indexed
    /// fields in columns of their own as well).
    pub fn data(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let Some(object) = value.as_object_mut() {
            object.remove("kind");
        }
        value
    }

    /// Reads a line back: its kind and data (gate columns merged in). `None` when the line is
    /// of a kind or shape this version does not know; the caller shows it raw.
    pub fn from_parts(
        kind: &str,
        data: &serde_json::Value,
        columns: GateColumns<'_>,
    ) -> Option<Self> {
        if kind == "gate" {
            return gate_from_columns(data, columns);
        }
        let mut object = match data {
            serde_json::Value::Object(map) => map.clone(),
            serde_json::Value::Null => serde_json::Map::new(),
            _ => return None,
        };
        if kind == "demo" && !object.contains_key("says") {
            object.insert("says".into(), columns.message.into());
        }
        object.insert("kind".into(), kind.into());
        serde_json::from_value(serde_json::Value::Object(object)).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::GateState;

    #[test]
    fn every_kind_round_trips_through_its_columns() {
        let events = [
            JournalEvent::Note {
                text: "db failover rehearsed".into(),
            },
            JournalEvent::ShiftTakeover {
                from: Some("alice".into()),
                from_since: None,
            },
            JournalEvent::Demo {
                says: "testers trickle in".into(),
                story_offset_secs: Some(30),
            },
            JournalEvent::ChecklistTick {
                item: "3fa2c1d0".into(),
                section: vec!["T-72h".into(), "Database".into()],
                text: "Backup fresh".into(),
                note: Some("pgbackrest info ok".into()),
            },
            JournalEvent::ChecklistUntick {
                item: "3fa2c1d0".into(),
                section: vec![],
                text: "Backup fresh".into(),
                reason: "wrong stanza".into(),
            },
            JournalEvent::Vote {
                round: 1,
                role: "tech lead".into(),
                vote: "no-go".into(),
                note: Some("db lag".into()),
            },
            JournalEvent::Decision {
                number: 1,
                outcome: "go".into(),
                hash: "ab".repeat(32),
                gates_overridden: false,
                reason: None,
            },
            JournalEvent::CohortOverride(CohortOverride {
                file: "cohort.csv".into(),
                sha256: "ab".repeat(32),
                reason: Some("press list is small".into()),
                details: serde_json::Map::from_iter([("rows".to_owned(), 12.into())]),
            }),
        ];
        for event in events {
            let back =
                JournalEvent::from_parts(event.kind(), &event.data(), GateColumns::default());
            assert_eq!(back.as_ref(), Some(&event), "{}", event.kind());
            assert!(JournalEvent::KINDS.contains(&event.kind()));
        }
    }

    #[test]
    fn gate_lines_read_their_columns() {
        let data = serde_json::json!({"title": "Testers", "required": true, "error": null});
        let columns = GateColumns {
            gate: Some("testers"),
            from: None,
            to: Some("fail"),
            value: Some("12"),
            message: "",
        };
        let Some(JournalEvent::Gate(g)) = JournalEvent::from_parts("gate", &data, columns) else {
            panic!("not a gate line");
        };
        assert_eq!(
            (g.gate.as_str(), g.from, g.to),
            ("testers", None, GateState::Fail)
        );
        assert_eq!(g.value.as_deref(), Some("12"));
    }

    #[test]
    fn unknown_kinds_and_shapes_are_not_guessed() {
        let none = GateColumns::default();
        assert_eq!(
            JournalEvent::from_parts("dispatch_run", &serde_json::json!({}), none),
            None
        );
        assert_eq!(
            JournalEvent::from_parts("note", &serde_json::json!({"text": 5}), none),
            None
        );
        assert_eq!(
            JournalEvent::from_parts("note", &serde_json::json!([1]), none),
            None
        );
    }
}
