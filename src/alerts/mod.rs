//! Alerts that page someone: the transitions that matter ([`Trigger`]) grouped into
//! [`Alert`]s by the [`Engine`], claimed once per launch through the database, delivered as a
//! signed webhook by the [`Service`] (its own task, a bounded queue in front) under a lease that
//! another process takes over when the holder stops renewing it, and journaled.
//! Shared by the cockpit and `gonogo check --watch`; `gonogo alerts test|list` use the same
//! parts.

mod delivery;
mod engine;
mod identity;
mod overdue;
mod payload;
mod queue;
mod service;
mod setup;
mod store;
pub mod trigger;
mod view;
mod webhook;

pub use engine::{BoardView, Context, Engine, GateView};
pub use identity::{alert_id, change_key};
pub use overdue::{OverdueItems, overdue_trigger};
pub use payload::{
    ALERT_ID_HEADER, SIGNATURE_HEADER, SIGNATURE_TOLERANCE_SECS, body, sign, signature_header,
    verify,
};
pub use service::{
    AlertNews, IN_FLIGHT, Inbox, Inlet, LEASE, QUEUE_LIMIT, Service, ServiceSetup, WAITING_LIMIT,
    inlet,
};
pub use setup::{Start, context, origin, start};
pub use store::{AlertRow, AlertStore, Claim, LOCK_WAIT};
pub use trigger::Trigger;
pub use webhook::{ATTEMPT_TIMEOUT, Delivery, DeliveryOutcome, GIVE_UP_AFTER, Webhook};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How loud an alert is; `[alerts] min_severity` drops the quieter ones.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    Default,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    #[default]
    Warning,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Info, Severity::Warning, Severity::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The body a webhook gets: the runbook's JSON, or a chat service's incoming-webhook shape.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `{"id", "severity", "title", "message", "metadata", …}`.
    #[default]
    Json,
    /// `{"text": "…"}`.
    Slack,
    /// `{"content": "…"}`.
    Discord,
}

/// One alert as it is claimed, sent and journaled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Names the change, not the sender ([`alert_id`]): the same in every process's copy, across
    /// retries and takeovers: `X-Gonogo-Alert-Id`.
    pub id: String,
    /// What it is about (`verdict`, `gate:testers`, `journal`); one alert per subject per
    /// grouping window.
    pub subject: String,
    pub severity: Severity,
    pub title: String,
    pub message: String,
    /// Launch, environment, gate, values, since when, who is on shift, where it came from.
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// When the first change of its group happened.
    pub raised_at: DateTime<Utc>,
    /// How many changes the group held (1 unless the subject flapped).
    pub changes: u32,
    /// Seen at a cockpit's first look rather than as a change: sent only if no alert of the
    /// same subject already says the same.
    #[serde(default)]
    pub first_sight: bool,
    /// The subject's state at the end of its group (`NO-GO`, `fail`, `stopped`).
    pub state: String,
}

/// An alert as the journal keeps it (`alert` lines): what was raised and whether it could be
/// coordinated through the database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertLine {
    pub id: String,
    pub subject: String,
    pub severity: Severity,
    pub title: String,
    pub message: String,
    #[serde(default)]
    pub state: String,
    #[serde(default = "one")]
    pub changes: u32,
    pub raised_at: DateTime<Utc>,
    /// Claimed in the database (false: the database was away, so other cockpits may send
    /// their own copy).
    #[serde(default)]
    pub coordinated: bool,
    /// `https://host/…` when a webhook takes it; `None`: the bell and the journal only.
    #[serde(default)]
    pub receiver: Option<String>,
}

fn one() -> u32 {
    1
}

impl AlertLine {
    pub fn of(alert: &Alert, coordinated: bool, receiver: Option<String>) -> AlertLine {
        AlertLine {
            id: alert.id.clone(),
            subject: alert.subject.clone(),
            severity: alert.severity,
            title: alert.title.clone(),
            message: alert.message.clone(),
            state: alert.state.clone(),
            changes: alert.changes,
            raised_at: alert.raised_at,
            coordinated,
            receiver,
        }
    }

    /// `[critical] Veza: verdict GO → NO-GO`.
    pub fn summary(&self) -> String {
        format!("[{}] {}", self.severity, self.title)
    }
}

impl Delivery {
    /// `delivered to https://host/… (HTTP 200, 2 attempts)`, `gave up: HTTP 404 …`.
    pub fn summary(&self) -> String {
        // Read back from the journal, so not necessarily ASCII: cut on a character boundary.
        let short: String = self.alert_id.chars().take(8).collect();
        let attempts = crate::plural::count(u64::from(self.attempts), "attempt");
        match self.outcome {
            DeliveryOutcome::Delivered => format!(
                "alert {short} delivered to {} (HTTP {}, {attempts})",
                self.receiver,
                self.status.unwrap_or_default()
            ),
            DeliveryOutcome::GaveUp | DeliveryOutcome::Failed => format!(
                "alert {short} not delivered to {} ({}, {attempts}): {}",
                self.receiver,
                self.outcome.as_str().replace('_', " "),
                self.reason
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Delivery, DeliveryOutcome};

    #[test]
    fn a_delivery_read_back_with_any_id_is_summarised_without_a_panic() {
        let delivery = Delivery {
            alert_id: "abcdefgé-not-ascii".into(),
            outcome: DeliveryOutcome::Delivered,
            attempts: 1,
            status: Some(200),
            answer: String::new(),
            reason: String::new(),
            receiver: "https://hooks.example.com/…".into(),
            took_ms: 3,
        };
        assert!(delivery.summary().starts_with("alert abcdefgé delivered"));
    }
}
