//! Reads what the post-launch report needs: the handoff report of the period (one set of
//! journal, observation, alert and decision reads for both reports) and the ledger's hourly
//! counts. A ledger that cannot be read becomes a line in the report, never a failed report.

use super::{DEFAULT_PERIOD, LaunchReport};
use crate::config::Config;
use crate::invite::{Ledger, Redemptions};
use crate::journal::{Journal, JournalError};
use chrono::{DateTime, Utc};

/// The report of `[since, now)` (default: the last [`DEFAULT_PERIOD`]).
pub async fn gather(
    journal: &Journal,
    config: &Config,
    since: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<LaunchReport, JournalError> {
    let since = since.unwrap_or(now - DEFAULT_PERIOD).min(now);
    let handoff = crate::handoff::gather(journal, config, Some(since), now).await?;
    let ledger = Ledger::new(journal.pool().clone(), journal.launch());
    let why = |e: crate::db::DbError| config.redactor.redact(&e.to_string());
    let sent = ledger.sent_per_hour(since, now).await.map_err(why);
    let redemptions = match ledger.redemptions_per_hour(since, now).await {
        Ok(r) => r,
        Err(e) => Redemptions::Unavailable {
            why: format!("the redemptions could not be read: {}", why(e)),
        },
    };
    let mut known = Vec::new();
    for batch in handoff.sections.iter().filter_map(|s| match s {
        crate::handoff::Section::Dispatch(d) => Some(&d.batches),
        _ => None,
    }) {
        for b in batch {
            known.extend(ledger.emails_in_batch(&b.batch).await.unwrap_or_default());
        }
    }
    Ok(LaunchReport {
        handoff,
        sent,
        redemptions,
        known,
    })
}
