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
    let lines = journal.read(&filter).await?;
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
    let extra = super::call::sections(journal, config, &report).await;
    report.sections.extend(extra);
    Ok(report)
}
