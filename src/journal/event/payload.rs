//! The structured payloads some [`JournalEvent`](super::JournalEvent) variants carry: a gate's
//! change, a send run's phase and counts, and a cohort let through by hand.

use crate::gate::GateState;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateChange {
    pub gate: String,
    #[serde(default)]
    pub title: String,
    #[serde(default = "yes")]
    pub required: bool,
    /// `None` for a gate's first observation in the journal.
    #[serde(default)]
    pub from: Option<GateState>,
    pub to: GateState,
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
}

fn yes() -> bool {
    true
}

impl DispatchRunEvent {
    pub fn summary(&self) -> String {
        let batch = self
            .batch
            .as_deref()
            .map(|b| format!(" of batch {b}"))
            .unwrap_or_default();
        let counts = match (self.sent, self.failed, self.unknown) {
            (Some(s), Some(f), Some(u)) => format!(": {s} sent, {f} failed, {u} unknown"),
            _ => String::new(),
        };
        let why = self
            .reason
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        match self.phase.as_str() {
            "start" | "resume" => format!(
                "send run{batch} {}s via {} at {}",
                if self.phase == "start" {
                    "start"
                } else {
                    "resume"
                },
                self.transport,
                self.rate
            ),
            phase => format!("send run{batch} {phase}{counts}{why}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DispatchRunEvent {
    pub run: String,
    /// `start`, `resume`, `finished`, `paused` or `stopped`.
    pub phase: String,
    #[serde(default)]
    pub batch: Option<String>,
    /// The command or the SMTP URL, credentials redacted.
    pub transport: String,
    pub rate: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retried: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_senders: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortOverride {
    pub file: String,
    pub sha256: String,
    #[serde(default)]
    pub reason: Option<String>,
    /// Counts, findings and the rest of the report's summary, as that version wrote them.
    #[serde(flatten)]
    pub details: serde_json::Map<String, serde_json::Value>,
}
