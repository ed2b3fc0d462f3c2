//! [`Trigger`]: a transition that matters, typed. Each says what it is about (its subject, the
//! unit of grouping), how loud it is, and its title, message and details.
//!
//! The hook for the features to come: a dispatch run that pauses or finishes, a checklist item
//! that turns overdue, a frozen decision are new variants here, raised with
//! [`super::Engine::raise`], through a running service's [`super::Inlet::raise`] (the
//! [`crate::session::Session`] a watch or a cockpit runs: its journal lines go through
//! [`crate::session::alert_for`]); the match arms below make the compiler ask for their subject,
//! severity and words.

use super::Severity;
use crate::clock::rfc3339;
use crate::gate::Verdict;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

#[derive(Debug, Clone, PartialEq)]
pub enum Trigger {
    /// The verdict changed (`from` is `None` at a cockpit's first look).
    Verdict {
        from: Option<Verdict>,
        to: Verdict,
        /// Required gates red or unknown now, by id.
        why: Vec<String>,
    },
    /// A required gate turned red.
    GateRed {
        gate: String,
        title: String,
        value: Option<String>,
        error: Option<String>,
        since: DateTime<Utc>,
    },
    /// A required gate has been unknown for longer than three of its intervals.
    GateUnknown {
        gate: String,
        title: String,
        error: Option<String>,
        since: DateTime<Utc>,
        intervals: u32,
    },
    /// The journal stopped taking writes.
    JournalStopped { reason: String },
    /// The journal takes writes again.
    JournalBack { caught_up: usize },
    /// `gonogo alerts test`: one alert through the whole path.
    Test { severity: Severity, by: String },
    /// A send run paused (consecutive transport failures) or ended; `unknown` messages need
    /// an operator.
    Dispatch {
        /// The send run's id: with the phase, what names the change.
        run: String,
        batch: Option<String>,
        phase: String,
        sent: u64,
        failed: u64,
        unknown: u64,
        reason: Option<String>,
    },
    /// Checklist items turned overdue.
    ChecklistOverdue { items: Vec<String> },
    /// A decision was frozen; `hash` is its record's, the anchor kept outside the database.
    DecisionFrozen {
        number: i64,
        outcome: String,
        hash: String,
    },
}

impl Trigger {
    /// The unit of grouping: changes of one subject within `group_for` make one alert.
    pub fn subject(&self) -> String {
        match self {
            Trigger::Verdict { .. } => "verdict".to_owned(),
            Trigger::GateRed { gate, .. } | Trigger::GateUnknown { gate, .. } => {
                format!("gate:{gate}")
            }
            Trigger::JournalStopped { .. } | Trigger::JournalBack { .. } => "journal".to_owned(),
            Trigger::Test { .. } => "test".to_owned(),
            Trigger::Dispatch { batch, .. } => {
                format!("dispatch:{}", batch.as_deref().unwrap_or("all"))
            }
            Trigger::ChecklistOverdue { .. } => "checklist".to_owned(),
            Trigger::DecisionFrozen { .. } => "decision".to_owned(),
        }
    }

    pub fn severity(&self) -> Severity {
        match self {
            Trigger::Verdict { to, .. } => match to {
                Verdict::NoGo => Severity::Critical,
                Verdict::Unknown => Severity::Warning,
                Verdict::Go => Severity::Info,
            },
            Trigger::GateRed { .. } | Trigger::JournalStopped { .. } => Severity::Critical,
            Trigger::GateUnknown { .. } => Severity::Warning,
            Trigger::JournalBack { .. } => Severity::Info,
            Trigger::Test { severity, .. } => *severity,
            Trigger::Dispatch {
                phase,
                unknown,
                failed,
                ..
            } => match phase.as_str() {
                "paused" => Severity::Critical,
                _ if *unknown > 0 || *failed > 0 => Severity::Warning,
                _ => Severity::Info,
            },
            Trigger::ChecklistOverdue { .. } => Severity::Warning,
            Trigger::DecisionFrozen { outcome, .. } if outcome == "go" => Severity::Warning,
            Trigger::DecisionFrozen { .. } => Severity::Critical,
        }
    }

    /// The subject's state this trigger leaves it in (for the alert's `state`).
    pub fn state(&self) -> String {
        match self {
            Trigger::Verdict { to, .. } => verdict_text(*to).to_owned(),
            Trigger::GateRed { .. } => "fail".to_owned(),
            Trigger::GateUnknown { .. } => "unknown".to_owned(),
            Trigger::JournalStopped { .. } => "stopped".to_owned(),
            Trigger::JournalBack { .. } => "recording".to_owned(),
            Trigger::Test { .. } => "test".to_owned(),
            Trigger::Dispatch { phase, .. } => phase.clone(),
            Trigger::ChecklistOverdue { .. } => "overdue".to_owned(),
            Trigger::DecisionFrozen { outcome, .. } => outcome.clone(),
        }
    }

    pub fn title(&self, launch: &str) -> String {
        match self {
            Trigger::Verdict { from, to, .. } => match from {
                Some(from) if from == to => {
                    format!("{launch}: verdict back to {}", verdict_text(*to))
                }
                Some(from) => format!(
                    "{launch}: verdict {} → {}",
                    verdict_text(*from),
                    verdict_text(*to)
                ),
                None => format!("{launch}: verdict is {}", verdict_text(*to)),
            },
            Trigger::GateRed { title, .. } => format!("{launch}: {title} is red"),
            Trigger::GateUnknown { title, .. } => format!("{launch}: {title} is unknown"),
            Trigger::JournalStopped { .. } => format!("{launch}: the journal stopped recording"),
            Trigger::JournalBack { .. } => format!("{launch}: the journal records again"),
            Trigger::Test { .. } => format!("{launch}: test alert"),
            Trigger::Dispatch { batch, phase, .. } => {
                let batch = batch
                    .as_deref()
                    .map(|b| format!(" of batch {b}"))
                    .unwrap_or_default();
                match phase.as_str() {
                    "paused" => format!("{launch}: the invite send run{batch} paused"),
                    phase => format!("{launch}: the invite send run{batch} {phase}"),
                }
            }
            Trigger::ChecklistOverdue { items } => format!(
                "{launch}: {} overdue",
                crate::plural::count(items.len() as u64, "checklist item")
            ),
            Trigger::DecisionFrozen {
                number, outcome, ..
            } => format!(
                "{launch}: decision {number} frozen: {}",
                outcome.to_uppercase()
            ),
        }
    }

    pub fn message(&self) -> String {
        match self {
            Trigger::Verdict { to, why, .. } => match (to, why.is_empty()) {
                (Verdict::Go, _) => "Every required gate passes.".to_owned(),
                (Verdict::NoGo, false) => format!("Red required gates: {}.", why.join(", ")),
                (Verdict::Unknown, false) => {
                    format!("Required gates not known: {}.", why.join(", "))
                }
                (_, true) => "See the cockpit for the gates.".to_owned(),
            },
            Trigger::GateRed {
                gate, value, error, ..
            } => {
                let mut text = format!("Required gate `{gate}` fails its condition");
                if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
                    text.push_str(&format!(" (value {value})"));
                }
                if let Some(error) = error {
                    text.push_str(&format!(": {error}"));
                }
                text.push('.');
                text
            }
            Trigger::GateUnknown {
                gate,
                intervals,
                error,
                ..
            } => {
                let mut text = format!(
                    "Required gate `{gate}` has had no answer for more than {intervals} intervals"
                );
                if let Some(error) = error {
                    text.push_str(&format!(": {error}"));
                }
                text.push('.');
                text
            }
            Trigger::JournalStopped { reason } => {
                format!("The journal does not take writes: {reason}.")
            }
            Trigger::JournalBack { caught_up } => format!(
                "The journal takes writes again ({} caught up).",
                crate::plural::count(*caught_up as u64, "line")
            ),
            Trigger::Test { by, .. } => {
                format!("A test alert sent by {by} with `gonogo alerts test`: nothing is wrong.")
            }
            Trigger::Dispatch {
                sent,
                failed,
                unknown,
                reason,
                ..
            } => {
                let mut text = format!("{sent} sent, {failed} failed, {unknown} unknown");
                if let Some(reason) = reason {
                    text.push_str(&format!(" ({reason})"));
                }
                if *unknown > 0 {
                    text.push_str("; settle the unknown ones with `gonogo invites resolve`");
                }
                text.push('.');
                text
            }
            Trigger::ChecklistOverdue { items } => format!("Overdue: {}.", items.join("; ")),
            Trigger::DecisionFrozen {
                number,
                outcome,
                hash,
            } => format!(
                "Decision {number} is frozen with outcome {}: `gonogo decision show {number}`. \
                 Record hash {hash}: `gonogo decision verify --expect {hash}` checks the record \
                 is still in the chain.",
                outcome.to_uppercase()
            ),
        }
    }

    /// What the metadata says about this subject beyond the launch and the origin.
    pub fn details(&self) -> Map<String, Value> {
        let value = match self {
            Trigger::Verdict { from, to, why } => json!({
                "verdict": verdict_text(*to),
                "previous_verdict": from.map(verdict_text),
                "gates": why,
            }),
            Trigger::GateRed {
                gate,
                title,
                value,
                error,
                since,
            } => json!({
                "gate": gate, "gate_title": title, "state": "fail", "value": value,
                "error": error, "since": rfc3339(*since),
            }),
            Trigger::GateUnknown {
                gate,
                title,
                error,
                since,
                ..
            } => json!({
                "gate": gate, "gate_title": title, "state": "unknown", "error": error,
                "since": rfc3339(*since),
            }),
            Trigger::JournalStopped { reason } => {
                json!({"journal": "stopped", "reason": reason})
            }
            Trigger::JournalBack { caught_up } => {
                json!({"journal": "recording", "caught_up": caught_up})
            }
            Trigger::Test { by, .. } => json!({"test": true, "sent_by": by}),
            Trigger::Dispatch {
                batch,
                phase,
                sent,
                failed,
                unknown,
                reason,
                ..
            } => json!({
                "batch": batch, "phase": phase, "sent": sent, "failed": failed,
                "unknown": unknown, "reason": reason,
            }),
            Trigger::ChecklistOverdue { items } => json!({"overdue_items": items}),
            Trigger::DecisionFrozen {
                number,
                outcome,
                hash,
            } => {
                json!({"decision": number, "outcome": outcome, "hash": hash})
            }
        };
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }
}

pub(super) fn verdict_text(v: Verdict) -> &'static str {
    match v {
        Verdict::Go => "GO",
        Verdict::NoGo => "NO-GO",
        Verdict::Unknown => "UNKNOWN",
    }
}
