//! `invites status` and the Dispatch pane's numbers: counts per batch, rate and time left,
//! failures and unknowns to review, who is sending, a pause still standing. Reading status first settles dead runs, so
//! a crashed sender's messages show as `unknown`, never as still `sending`.

use super::{
    BatchCounts, Counts, EndedRun, HistoryLine, LateAnswer, Ledger, LedgerRow, LiveRun,
    MessageState,
};
use crate::config::invites::Rate;
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
    /// The last run, when it paused and nothing has run since: why, until a run resumes.
    pub paused: Option<EndedRun>,
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

/// Seconds left for what is still to go: at the measured pace (never above the launch's
/// rate; the rate itself before anything was measured), and never before the last pending
/// retry is due.
pub fn time_left(batch: &BatchCounts, launch_rate: Rate) -> Option<f64> {
    let left = batch.counts.prepared + batch.counts.sending;
    if left == 0 {
        return None;
    }
    let measured = Some(batch.rate_per_s).filter(|r| *r > 0.0);
    let pace = match (measured, launch_rate.0) {
        (Some(measured), Some(limit)) => Some(measured.min(limit)),
        (measured, limit) => measured.or(limit),
    };
    let at_pace = pace.map(|p| left as f64 / p);
    match (at_pace, batch.retry_wait_s) {
        (Some(at_pace), Some(retry)) => Some(at_pace.max(retry)),
        (at_pace, retry) => at_pace.or(retry),
    }
}

/// The launch's rate: the oldest live sender's, else `configured`; with who set it when that
/// is not `configured`.
pub fn launch_rate(senders: &[LiveRun], configured: Rate) -> (Rate, Option<String>) {
    let first = senders
        .iter()
        .filter_map(|run| Some((run, Rate::parse(run.rate.as_deref()?).ok()?)))
        .min_by_key(|(run, _)| run.started_at);
    match first {
        Some((run, rate)) if rate.to_string() != configured.to_string() => (
            rate,
            Some(format!(
                "{}@{}",
                crate::text::sanitize(&run.operator),
                crate::text::sanitize(&run.host)
            )),
        ),
        _ => (configured, None),
    }
}

/// The last run if it paused and nothing has run since.
async fn pause_standing(ledger: &Ledger) -> Result<Option<EndedRun>, DbError> {
    Ok(ledger
        .last_ended_run()
        .await?
        .filter(|run| run.outcome == "paused"))
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
        paused: pause_standing(ledger).await?,
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
    /// The last run, when it paused and nothing has run since.
    pub paused: Option<EndedRun>,
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
        paused: pause_standing(ledger).await?,
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
        Ok(bytes) => super::message::preview(
            &bytes,
            super::message::PreviewOptions {
                wire_date: row.wire_date,
                ..super::message::PreviewOptions::default()
            },
        )
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

    fn batch(prepared: u64, sent: u64, rate_per_s: f64, retry_wait_s: Option<f64>) -> BatchCounts {
        BatchCounts {
            batch: "b".into(),
            total: prepared + sent,
            counts: Counts {
                prepared,
                sent,
                ..Counts::default()
            },
            rate_per_s,
            last_id: 1,
            retry_wait_s,
        }
    }

    #[test]
    fn time_left_takes_the_pace_the_rate_and_pending_retries() {
        let five = Rate(Some(5.0));
        // Measured pace, capped by the launch's rate.
        assert_eq!(time_left(&batch(10, 5, 2.0, None), five), Some(5.0));
        assert_eq!(time_left(&batch(10, 5, 50.0, None), five), Some(2.0));
        // Nothing measured yet: the rate.
        assert_eq!(time_left(&batch(10, 0, 0.0, None), five), Some(2.0));
        // A retry 24 s away: not before it.
        assert_eq!(time_left(&batch(1, 9, 3.0, Some(24.0)), five), Some(24.0));
        assert_eq!(
            time_left(&batch(1, 9, 0.0, Some(24.0)), Rate(None)),
            Some(24.0)
        );
        assert_eq!(time_left(&batch(3, 0, 0.0, None), Rate(None)), None);
        assert_eq!(time_left(&batch(0, 9, 3.0, None), five), None);
    }

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
