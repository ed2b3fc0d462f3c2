//! What the ledger is read for: the rows `status` and the Dispatch pane list, counts per
//! batch and state, one message with its history, late answers, and what the sender asks
//! before it claims (what is due, how long until the next, who already has an invite).

use super::{HistoryState, Ledger, MessageState};
use crate::db::DbError;
use chrono::{DateTime, Utc};
use std::time::Duration;
use uuid::Uuid;

/// One ledger row as status and the pane show it.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct LedgerRow {
    pub id: i64,
    pub batch: String,
    pub email: String,
    pub cohort: String,
    pub state: MessageState,
    pub message_id: String,
    pub attempts: i32,
    pub reason: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub eml_path: String,
}

/// Counts per state of one batch.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub prepared: u64,
    pub sending: u64,
    pub sent: u64,
    pub failed: u64,
    pub unknown: u64,
}

impl Counts {
    pub fn total(&self) -> u64 {
        self.prepared + self.sending + self.sent + self.failed + self.unknown
    }
    pub fn add(&mut self, state: MessageState, n: u64) {
        match state {
            MessageState::Prepared => self.prepared += n,
            MessageState::Sending => self.sending += n,
            MessageState::Sent => self.sent += n,
            MessageState::Failed => self.failed += n,
            MessageState::Unknown => self.unknown += n,
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct BatchCounts {
    pub batch: String,
    pub total: u64,
    pub counts: Counts,
    /// Messages sent in the last minute, per second.
    pub rate_per_s: f64,
}

/// One batch's count of messages in one state, and how many of them were sent in the last
/// minute.
#[derive(sqlx::FromRow)]
struct CountRow {
    batch: String,
    state: MessageState,
    n: i64,
    recent: i64,
}

/// A history line of one message.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct HistoryLine {
    pub at: DateTime<Utc>,
    pub state: HistoryState,
    pub detail: String,
}

/// A late answer: what a run that had lost its claim found out, recorded on the message.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct LateAnswer {
    pub email: String,
    pub batch: String,
    /// The message's state now.
    pub state: MessageState,
    pub at: DateTime<Utc>,
    pub detail: String,
}

const COLUMNS: &str = "id, batch, email, cohort, state, message_id, attempts, reason, updated_at, \
                       next_attempt_at, eml_path";

impl Ledger {
    /// Emails (lowercased) this batch already has.
    pub async fn emails_in_batch(&self, batch: &str) -> Result<Vec<String>, DbError> {
        let rows = sqlx::query_scalar(
            "SELECT email_key FROM gonogo.dispatch WHERE launch = $1 AND batch = $2",
        )
        .bind(&self.launch)
        .bind(batch)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// `users.id` of each email (lowercased) that has one, for `sent_by` written as an email.
    pub async fn user_ids(&self, emails: &[String]) -> Result<Vec<(String, Uuid)>, DbError> {
        let rows = sqlx::query_as(
            "SELECT lower(email) AS key, id FROM public.users WHERE lower(email) = ANY($1)",
        )
        .bind(emails)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// What `--dry-run` would claim, without claiming it.
    pub async fn due(&self, batch: Option<&str>, limit: i64) -> Result<Vec<LedgerRow>, DbError> {
        self.rows(
            "state = 'prepared' AND (next_attempt_at IS NULL OR next_attempt_at <= now())
             AND ($2::text IS NULL OR batch = $2) ORDER BY id LIMIT $3",
            batch,
            limit,
        )
        .await
    }

    /// How long until the next `prepared` message is due, if any is left: zero for one that
    /// became due since the last claim looked (or was skipped as locked by another sender's
    /// claim), so a retry falling due in between is not taken for "nothing left".
    pub async fn waiting(&self, batch: Option<&str>) -> Result<Option<Duration>, DbError> {
        let secs: Option<f64> = sqlx::query_scalar(
            // No GREATEST here: it skips NULLs, and NULL is "nothing waiting".
            "SELECT EXTRACT(EPOCH FROM (min(COALESCE(next_attempt_at, now())) - now()))::float8
             FROM gonogo.dispatch WHERE launch = $1 AND state = 'prepared'
               AND ($2::text IS NULL OR batch = $2)",
        )
        .bind(&self.launch)
        .bind(batch)
        .fetch_one(&self.pool)
        .await?;
        Ok(secs.map(|s| Duration::from_secs_f64(s.clamp(0.0, 3600.0) + 0.05)))
    }

    /// Counts per batch (sorted by batch), with each batch's rate over the last minute.
    pub async fn counts(&self) -> Result<Vec<BatchCounts>, DbError> {
        let rows: Vec<CountRow> = sqlx::query_as(
            "SELECT batch, state, count(*) AS n,
                    count(*) FILTER (WHERE sent_at >= now() - interval '60 seconds') AS recent
             FROM gonogo.dispatch WHERE launch = $1 GROUP BY batch, state ORDER BY batch",
        )
        .bind(&self.launch)
        .fetch_all(&self.pool)
        .await?;
        let mut batches: Vec<BatchCounts> = Vec::new();
        for CountRow {
            batch,
            state,
            n,
            recent,
        } in rows
        {
            if batches.last().is_none_or(|b| b.batch != batch) {
                batches.push(BatchCounts {
                    batch: batch.clone(),
                    total: 0,
                    counts: Counts::default(),
                    rate_per_s: 0.0,
                });
            }
            if let Some(b) = batches.last_mut() {
                b.counts.add(state, n.unsigned_abs());
                b.total += n.unsigned_abs();
                b.rate_per_s += recent.max(0) as f64 / 60.0;
            }
        }
        Ok(batches)
    }

    /// Rows of one batch (or all), newest change first.
    pub async fn recent(&self, batch: Option<&str>, limit: i64) -> Result<Vec<LedgerRow>, DbError> {
        self.rows(
            "($2::text IS NULL OR batch = $2) ORDER BY updated_at DESC, id DESC LIMIT $3",
            batch,
            limit,
        )
        .await
    }

    /// Rows in one state (failures and unknowns to review), oldest first.
    pub async fn in_state(
        &self,
        state: MessageState,
        limit: i64,
    ) -> Result<Vec<LedgerRow>, DbError> {
        let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM gonogo.dispatch WHERE launch = $1 AND state = $2
             ORDER BY id LIMIT $3"
        )))
        .bind(&self.launch)
        .bind(state)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// One message by email (and batch, if given; else the newest batch that has it).
    pub async fn find(
        &self,
        email: Option<&str>,
        batch: Option<&str>,
    ) -> Result<Option<LedgerRow>, DbError> {
        let row = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM gonogo.dispatch WHERE launch = $1
               AND ($2::text IS NULL OR email_key = lower($2))
               AND ($3::text IS NULL OR batch = $3)
             ORDER BY created_at DESC, id LIMIT 1"
        )))
        .bind(&self.launch)
        .bind(email)
        .bind(batch)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row)
    }

    pub async fn by_id(&self, id: i64) -> Result<Option<LedgerRow>, DbError> {
        let row = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM gonogo.dispatch WHERE launch = $1 AND id = $2"
        )))
        .bind(&self.launch)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row)
    }

    /// The invite code of a message (for hiding it on a shared screen).
    pub async fn code_of(&self, id: i64) -> Result<Option<String>, DbError> {
        let code = sqlx::query_scalar(
            "SELECT i.code::text FROM gonogo.dispatch d JOIN public.beta_invites i ON i.id = d.invite_id
             WHERE d.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(code)
    }

    pub async fn history(&self, id: i64) -> Result<Vec<HistoryLine>, DbError> {
        let lines = sqlx::query_as(
            "SELECT at, state, detail FROM gonogo.dispatch_history WHERE dispatch_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(lines)
    }

    /// Late answers recorded on this launch's messages, newest first.
    pub async fn late_answers(&self, limit: i64) -> Result<Vec<LateAnswer>, DbError> {
        let late = sqlx::query_as(
            "SELECT d.email, d.batch, d.state, h.at, h.detail FROM gonogo.dispatch_history h
             JOIN gonogo.dispatch d ON d.id = h.dispatch_id
             WHERE d.launch = $1 AND h.state = 'late' ORDER BY h.id DESC LIMIT $2",
        )
        .bind(&self.launch)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(late)
    }

    async fn rows(
        &self,
        filter: &str,
        batch: Option<&str>,
        limit: i64,
    ) -> Result<Vec<LedgerRow>, DbError> {
        let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM gonogo.dispatch WHERE launch = $1 AND {filter}"
        )))
        .bind(&self.launch)
        .bind(batch)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }
}
