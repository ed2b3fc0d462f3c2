//! `invites status` and the Dispatch pane's numbers: counts per batch, rate and time left,
//! failures and unknowns to review, who is sending. Reading status first settles dead runs, so
//! a crashed sender's messages show as `unknown`, never as still `sending`.

use super::{
    BatchCounts, Counts, HistoryLine, LateAnswer, Ledger, LedgerRow, LiveRun, MessageState,
};
use crate::db::DbError;
use chrono::{DateTime, Utc};

/// Rows of each review list shown at most (the counts are exact).
pub const LISTED: i64 = 200;

#[derive(Debug, Clone, serde::Serialize)]
pub struct StatusReport {
    pub batches: Vec<BatchCounts>,
    /// Rows of `--batch`, newest change first (empty without `--batch`).
    pub messages: Vec<LedgerRow>,
    pub failed: Vec<LedgerRow>,
    pub unknown: Vec<LedgerRow>,
    pub senders: Vec<LiveRun>,
    /// Answers of runs that had lost their claim (a possible duplicate among them).
    pub late: Vec<LateAnswer>,
}

impl StatusReport {
    /// 0 everything sent, 1 some failed, 2 some still pending or unknown (or nothing prepared).
    pub fn exit_code(&self) -> u8 {
        let total: Counts = self.batches.iter().map(|b| &b.counts).sum();
        if total.failed > 0 {
            crate::exit::NO_GO
        } else if total.total() == 0 || total.sent < total.total() {
            crate::exit::UNKNOWN
        } else {
            crate::exit::OK
        }
    }
}

/// Counts across batches, state by state.
impl<'a> std::iter::Sum<&'a Counts> for Counts {
    fn sum<I: Iterator<Item = &'a Counts>>(counts: I) -> Counts {
        counts.fold(Counts::default(), |mut total, c| {
            total.prepared += c.prepared;
            total.sending += c.sending;
            total.sent += c.sent;
            total.failed += c.failed;
            total.unknown += c.unknown;
            total
        })
    }
}

/// Seconds left at `rate` per second for what is still to go.
pub fn time_left(batch: &BatchCounts, rate_per_s: f64) -> Option<f64> {
    let left = batch.counts.prepared + batch.counts.sending;
    (left > 0 && rate_per_s > 0.0).then(|| left as f64 / rate_per_s)
}

pub async fn read(ledger: &Ledger, batch: Option<&str>) -> Result<StatusReport, DbError> {
    ledger.settle_dead_runs().await?;
    let mut batches = ledger.counts().await?;
    if let Some(batch) = batch {
        batches.retain(|b| b.batch == batch);
    }
    let messages = match batch {
        Some(b) => ledger.recent(Some(b), 10_000).await?,
        None => Vec::new(),
    };
    let keep = |rows: Vec<LedgerRow>| -> Vec<LedgerRow> {
        rows.into_iter()
            .filter(|r| batch.is_none_or(|b| r.batch == b))
            .collect()
    };
    Ok(StatusReport {
        failed: keep(ledger.in_state(MessageState::Failed, LISTED).await?),
        unknown: keep(ledger.in_state(MessageState::Unknown, LISTED).await?),
        senders: ledger.live_runs(None).await?,
        late: ledger
            .late_answers(LISTED)
            .await?
            .into_iter()
            .filter(|l| batch.is_none_or(|b| l.batch == b))
            .collect(),
        batches,
        messages,
    })
}

/// What the Dispatch pane shows of the ledger, read in one go.
#[derive(Debug, Clone, Default)]
pub struct LedgerView {
    pub batches: Vec<BatchCounts>,
    /// The newest changes first.
    pub log: Vec<LedgerRow>,
    pub senders: Vec<LiveRun>,
    pub read_at: Option<DateTime<Utc>>,
}

/// One message opened in the pane: its stored headers and text part, its code (so a shared
/// screen can hide it) and its history.
#[derive(Debug, Clone)]
pub struct MessageDetail {
    pub row: LedgerRow,
    pub preview: String,
    pub code: Option<String>,
    pub history: Vec<HistoryLine>,
}

pub async fn view(ledger: &Ledger, log_rows: i64) -> Result<LedgerView, DbError> {
    ledger.settle_dead_runs().await?;
    Ok(LedgerView {
        batches: ledger.counts().await?,
        log: ledger.recent(None, log_rows).await?,
        senders: ledger.live_runs(None).await?,
        read_at: Some(Utc::now()),
    })
}

/// One message with its stored `.eml` (found from any working directory, see
/// [`super::Setup::eml_file`]), its code and its history.
pub async fn message(
    ledger: &Ledger,
    setup: &super::Setup,
    id: i64,
) -> Result<MessageDetail, String> {
    let row = ledger
        .by_id(id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("message {id} is not in the ledger"))?;
    let preview = match tokio::fs::read(setup.eml_file(&row.batch, &row.eml_path)).await {
        Ok(bytes) => super::message::preview(&bytes, false)
            .unwrap_or_else(|| "(the stored .eml cannot be parsed)".into()),
        Err(e) => format!(
            "(cannot read {}: {e})",
            crate::text::sanitize(&row.eml_path)
        ),
    };
    let code = ledger.code_of(id).await.map_err(|e| e.to_string())?;
    let history = ledger.history(id).await.map_err(|e| e.to_string())?;
    Ok(MessageDetail {
        row,
        preview,
        code,
        history,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_state_by_state() {
        let a = Counts {
            prepared: 1,
            sending: 2,
            sent: 3,
            failed: 4,
            unknown: 5,
        };
        let b = Counts {
            sent: 10,
            ..Counts::default()
        };
        let total: Counts = [a.clone(), b].iter().sum();
        assert_eq!(
            total,
            Counts {
                sent: 13,
                ..a.clone()
            }
        );
        assert_eq!(
            std::iter::empty::<&Counts>().sum::<Counts>(),
            Counts::default()
        );
    }
}
