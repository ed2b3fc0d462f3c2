//! The post-launch report (`gonogo report`): the verdict over the day with the decision marked,
//! each gate's time in each state, invitations sent and redeemed per hour, the decision record,
//! the alerts and the operator notes, as Markdown ([`markdown`]) linking SVG charts
//! ([`charts`]). Built on the handoff report's reads, plus the ledger's hourly counts.

mod chart;
mod gather;
mod markdown;
mod text;

pub use chart::{Chart, Charts, charts};
pub use gather::gather;
pub use markdown::markdown;
pub use text::Clean;

use crate::decision::DecisionHead;
use crate::gate::Verdict;
use crate::handoff::{AlertReportLine, GateRow, HandoffReport, Section};
use crate::invite::{HourCount, Redemptions};
use chrono::{DateTime, Utc};

/// How far back a report looks without `--since`: the launch day.
pub const DEFAULT_PERIOD: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// Everything the report shows.
#[derive(Debug, Clone)]
pub struct LaunchReport {
    /// The journal's view of the period (verdict path, gates, alerts, notes, the decision).
    pub handoff: HandoffReport,
    /// Messages sent per hour, or why the ledger could not be read.
    pub sent: Result<Vec<HourCount>, String>,
    /// Redemptions per hour and cohort, or why there are none to show.
    pub redemptions: Redemptions,
    /// The ledger's recipients, for the masker: their local parts are hidden wherever they
    /// stand, `@` or not.
    pub known: Vec<String>,
}

/// A stretch of the period under one verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stretch {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub verdict: Verdict,
}

/// An operator's note of the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteLine {
    pub at: DateTime<Utc>,
    pub by: String,
    pub text: String,
}

impl LaunchReport {
    pub fn since(&self) -> DateTime<Utc> {
        self.handoff.period.since
    }

    pub fn until(&self) -> DateTime<Utc> {
        self.handoff.period.until
    }

    /// True when no gate was read in the period, before it, or by any cockpit since.
    pub fn no_readings(&self) -> bool {
        let transitions = self.handoff.sections.iter().any(|s| match s {
            Section::Transitions { lines } => !lines.is_empty(),
            Section::Verdict(v) => v.at_start.is_some(),
            _ => false,
        });
        !transitions && self.gates().iter().all(|g| g.observed_at.is_none())
    }

    pub fn gates(&self) -> &[GateRow] {
        self.handoff
            .sections
            .iter()
            .find_map(|s| match s {
                Section::Gates { gates } => Some(gates.as_slice()),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// The verdict through the period, stretch by stretch (unknown before anything was
    /// recorded).
    pub fn stretches(&self) -> Vec<Stretch> {
        let (since, until) = (self.since(), self.until());
        let Some(v) = self.handoff.sections.iter().find_map(|s| match s {
            Section::Verdict(v) => Some(v),
            _ => None,
        }) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut from = since;
        let mut verdict = v.at_start.unwrap_or(Verdict::Unknown);
        for change in &v.changes {
            let at = change.at.clamp(since, until);
            if at > from {
                out.push(Stretch {
                    from,
                    to: at,
                    verdict,
                });
            }
            from = at;
            verdict = change.to;
        }
        if until > from {
            out.push(Stretch {
                from,
                to: until,
                verdict,
            });
        }
        out
    }

    /// The newest frozen decision, if any was frozen.
    pub fn decision(&self) -> Option<&DecisionHead> {
        self.handoff.sections.iter().find_map(|s| match s {
            Section::RollCall(c) => c.last.as_ref(),
            _ => None,
        })
    }

    pub fn alerts(&self) -> &[AlertReportLine] {
        self.handoff
            .sections
            .iter()
            .find_map(|s| match s {
                Section::Alerts { alerts } => Some(alerts.as_slice()),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// The operator notes of the period, oldest first.
    pub fn notes(&self) -> Vec<NoteLine> {
        self.handoff
            .sections
            .iter()
            .filter_map(|s| match s {
                Section::Actions { lines } => Some(lines),
                _ => None,
            })
            .flatten()
            .filter(|a| a.kind == "note")
            .map(|a| NoteLine {
                at: a.at,
                by: a.actor.clone(),
                text: a.text.clone(),
            })
            .collect()
    }
}
