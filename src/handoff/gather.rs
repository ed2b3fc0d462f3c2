//! Reads what a report needs from the journal store and builds it: the one use case behind
//! `gonogo handoff` and the cockpit's `:handoff`.

use super::{DEFAULT_PERIOD, HandoffInputs, HandoffReport, Period, PeriodBasis, build};
use crate::config::Config;
use crate::journal::{Journal, JournalError, JournalFilter};
use chrono::{DateTime, Utc};

/// The report for the period since `since` (or since the last take-over, or the last 8 hours).
pub async fn gather(
    journal: &Journal,
    config: &Config,
    since: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<HandoffReport, JournalError> {
    let on_shift = journal.on_shift().await?;
    let period = match (since, &on_shift) {
        (Some(since), _) => Period {
            since,
            until: now,
            basis: PeriodBasis::Asked,
        },
        (None, Some(takeover)) if takeover.at <= now => Period {
            since: takeover.at,
            until: now,
            basis: PeriodBasis::TakeOver {
                by: takeover.actor.clone(),
            },
        },
        _ => Period {
            since: now - DEFAULT_PERIOD,
            until: now,
            basis: PeriodBasis::Default,
        },
    };
    let before = journal.gate_states_at(period.since).await?;
    let filter = JournalFilter {
        since: Some(period.since),
        until: Some(now),
        ..JournalFilter::default()
    };
    let lines = journal.read_for_report(&filter).await?;
    let observations = journal.observations().await?;
    let launch = config.launch();
    let mut report = build(HandoffInputs {
        launch: crate::text::sanitize(&launch.name.0),
        environment: crate::text::sanitize(launch.environment.as_str()),
        decision_at: launch.decision_at,
        gates: &config.gates,
        written_by: journal.actor().to_owned(),
        now,
        period,
        before,
        lines,
        observations,
        on_shift,
    });
    if config.raw.invites.is_some() {
        report
            .sections
            .push(super::Section::Dispatch(dispatch(journal).await));
    }
    let extra = super::call::sections(journal, config, &report).await;
    report.sections.extend(extra);
    Ok(report)
}

/// The ledger's state now: counts per batch, and the messages that need an operator.
async fn dispatch(journal: &Journal) -> super::DispatchSection {
    let ledger = crate::invite::Ledger::new(journal.pool().clone(), journal.launch());
    let status = match crate::invite::status::read(&ledger, None).await {
        Ok(status) => status,
        Err(e) => {
            return super::DispatchSection {
                batches: Vec::new(),
                failed: Vec::new(),
                unknown: Vec::new(),
                senders: Vec::new(),
                unread: Some(crate::text::Redactor::process().redact(&e.to_string())),
            };
        }
    };
    let message = |r: &crate::invite::LedgerRow| super::DispatchMessage {
        batch: crate::text::sanitize(&r.batch),
        email: crate::text::sanitize(&r.email),
        reason: crate::text::sanitize(r.reason.as_deref().unwrap_or_default()),
        at: r.updated_at,
    };
    super::DispatchSection {
        batches: status
            .batches
            .iter()
            .map(|b| super::DispatchBatch {
                batch: crate::text::sanitize(&b.batch),
                total: b.total,
                sent: b.counts.sent,
                pending: b.counts.prepared + b.counts.sending,
                failed: b.counts.failed,
                unknown: b.counts.unknown,
            })
            .collect(),
        failed: status.failed.iter().map(message).collect(),
        unknown: status.unknown.iter().map(message).collect(),
        senders: status
            .senders
            .iter()
            .map(|r| crate::text::sanitize(&format!("{}@{}", r.operator, r.host)))
            .collect(),
        unread: None,
    }
}
