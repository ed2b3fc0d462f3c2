//! The shift handoff report: what the next operator needs, built from the journal and the gates'
//! latest observations into one model ([`HandoffReport`]) that renders as Markdown or JSON.
//! The report is a list of [`Section`]s so the dispatch and checklist parts join as sections.

mod build;
pub mod call;
mod gather;
mod markdown;

pub use build::{HandoffInputs, build};
pub use gather::gather;
pub use markdown::{delivery, markdown, span};

use crate::gate::{GateState, Verdict};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// How long a report looks back when no shift take-over is on record.
pub const DEFAULT_PERIOD: chrono::TimeDelta = chrono::TimeDelta::hours(8);

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HandoffReport {
    pub launch: String,
    pub environment: String,
    pub written_by: String,
    pub written_at: DateTime<Utc>,
    pub decision_at: Option<DateTime<Utc>>,
    pub period: Period,
    /// Who is on shift, as the newest take-over says.
    pub on_shift: Option<Shift>,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Period {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// Why it starts there.
    pub basis: PeriodBasis,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PeriodBasis {
    /// `--since` as given.
    Asked,
    /// The last shift take-over.
    TakeOver { by: String },
    /// No take-over on record: the last [`DEFAULT_PERIOD`].
    Default,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shift {
    pub operator: String,
    pub since: DateTime<Utc>,
}

/// One part of the report. New parts (dispatch, checklist) are new variants, rendered in
/// [`markdown`] and serialized with their `section` tag.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "section", rename_all = "snake_case")]
pub enum Section {
    Verdict(VerdictSection),
    Attention {
        items: Vec<Attention>,
    },
    Gates {
        gates: Vec<GateRow>,
    },
    Transitions {
        lines: Vec<TransitionLine>,
    },
    Actions {
        lines: Vec<ActionLine>,
    },
    /// Invite dispatch: per batch its counts, the failures, the unknowns still to settle.
    Dispatch(DispatchSection),
    Checklist(call::ChecklistSection),
    RollCall(call::CallSection),
    /// The alerts raised in the period and what became of their webhook deliveries.
    Alerts {
        alerts: Vec<AlertReportLine>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DispatchSection {
    pub batches: Vec<DispatchBatch>,
    pub failed: Vec<DispatchMessage>,
    pub unknown: Vec<DispatchMessage>,
    /// Who is sending now.
    pub senders: Vec<String>,
    /// The ledger could not be read: the section says so instead of showing nothing.
    pub unread: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DispatchBatch {
    pub batch: String,
    pub total: u64,
    pub sent: u64,
    pub pending: u64,
    pub failed: u64,
    pub unknown: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DispatchMessage {
    pub batch: String,
    pub email: String,
    pub reason: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertReportLine {
    pub at: DateTime<Utc>,
    pub id: String,
    pub severity: crate::alerts::Severity,
    pub title: String,
    /// Who raised it (the cockpit or watch's operator).
    pub actor: String,
    pub coordinated: bool,
    /// `delivered`, `gave_up`, `failed`; `None`: no outcome recorded (no webhook, or still
    /// being sent when the report was written).
    pub delivery: Option<crate::alerts::DeliveryOutcome>,
    pub attempts: u32,
    pub status: Option<u16>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerdictSection {
    pub now: Verdict,
    /// As the journal had it when the period began (`None`: nothing was recorded before).
    pub at_start: Option<Verdict>,
    pub changes: Vec<VerdictChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerdictChange {
    pub at: DateTime<Utc>,
    pub from: Verdict,
    pub to: Verdict,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateRow {
    pub id: String,
    pub title: String,
    pub required: bool,
    /// Unknown when stale or never observed.
    pub state: GateState,
    pub value: Option<String>,
    /// In this state since (as observed or recorded).
    pub since: Option<DateTime<Utc>>,
    /// The last observation by any cockpit or watch, and by whom.
    pub observed_at: Option<DateTime<Utc>>,
    pub observer: Option<String>,
    /// The last observation is older than three intervals (or there is none).
    pub stale: bool,
    pub error: Option<String>,
    /// Seconds spent red / unknown within the period, from the journal.
    pub red_seconds: i64,
    pub unknown_seconds: i64,
    /// Seconds spent green / pending within the period (the post-launch report's bars).
    pub pass_seconds: i64,
    pub pending_seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attention {
    pub gate: String,
    pub title: String,
    pub required: bool,
    pub why: AttentionWhy,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttentionWhy {
    Red,
    Unknown,
    Stale,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransitionLine {
    pub at: DateTime<Utc>,
    pub gate: String,
    pub from: Option<GateState>,
    pub to: GateState,
    pub value: Option<String>,
    pub actor: String,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionLine {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: String,
    pub text: String,
}

impl HandoffReport {
    pub fn verdict(&self) -> Option<Verdict> {
        self.sections.iter().find_map(|s| match s {
            Section::Verdict(v) => Some(v.now),
            _ => None,
        })
    }
}
