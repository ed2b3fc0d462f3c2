//! The dispatch ledger's SQL: prepared rows (with their `beta_invites` insert), claims with
//! `FOR UPDATE SKIP LOCKED`, outcomes with their history, runs and heartbeats, the launch-wide
//! pace, and the counts `status` and the Dispatch pane show.
//!
//! Runs, leases, hand-over marks and late answers are in [`super::dispatch_runs`].
//!
//! Every state change is one statement (a CTE that updates the row and appends its history),
//! so each commits on its own: a claim is durable before the message is handed over.

use super::{DbError, classify};
use chrono::{DateTime, Utc};
use sqlx::{PgPool, Row};
use std::time::Duration;
use uuid::Uuid;

pub use super::dispatch_runs::{ClaimerAlive, LateAnswer, LiveRun, host_name};

/// A recipient about to be inserted: the invite and its ledger row, written together.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub batch: &'a str,
    pub email: &'a str,
    pub email_key: &'a str,
    pub name: Option<&'a str>,
    pub cohort: &'a str,
    pub line: u64,
    pub code: &'a str,
    pub expires_at: DateTime<Utc>,
    pub sent_by: Option<Uuid>,
    pub message_id: &'a str,
    pub eml_path: &'a str,
    pub eml_sha256: &'a str,
}

/// What an insert of one recipient came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inserted {
    Done,
    /// The code was taken: draw another and try again.
    CodeTaken,
    /// This batch already has this email (another prepare got there first).
    AlreadyInBatch,
}

/// A claimed message, ready to hand over.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub batch: String,
    pub email: String,
    pub message_id: String,
    pub eml_path: String,
    pub eml_sha256: String,
    pub attempts: i32,
}

/// One ledger row as status and the pane show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LedgerRow {
    pub id: i64,
    pub batch: String,
    pub email: String,
    pub cohort: String,
    pub state: String,
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
    pub fn add(&mut self, state: &str, n: u64) {
        match state {
            "prepared" => self.prepared += n,
            "sending" => self.sending += n,
            "sent" => self.sent += n,
            "failed" => self.failed += n,
            _ => self.unknown += n,
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

/// A history line of one message.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HistoryLine {
    pub at: DateTime<Utc>,
    pub state: String,
    pub detail: String,
}

/// The ledger of one launch.
#[derive(Debug, Clone)]
pub struct Ledger {
    pub(super) pool: PgPool,
    pub(super) launch: String,
}

impl Ledger {
    pub fn new(pool: PgPool, launch: impl Into<String>) -> Ledger {
        Ledger {
            pool,
            launch: launch.into(),
        }
    }

    pub fn launch(&self) -> &str {
        &self.launch
    }

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

    /// The invite and its ledger row in one statement (so one transaction): either both exist
    /// or neither does.
    pub async fn insert(&self, m: &NewMessage<'_>) -> Result<Inserted, DbError> {
        // Not waiting for the disk: an invite lost with a crashed server was never sent (a
        // claim, committed synchronously, flushes everything written before it), and a rerun
        // of prepare adds it again. 5,000 recipients would otherwise wait for 5,000 flushes.
        let mut tx = self.pool.begin().await?;
        sqlx::query("SET LOCAL synchronous_commit = off")
            .execute(&mut *tx)
            .await?;
        let result = sqlx::query(
            "WITH invite AS (
                 INSERT INTO public.beta_invites (code, email, cohort, expires_at, sent_by)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id)
             INSERT INTO gonogo.dispatch (launch, batch, email, email_key, name, cohort, line,
                 invite_id, message_id, eml_path, eml_sha256)
             SELECT $6, $7, $2, $8, $9, $3, $10, invite.id, $11, $12, $13 FROM invite",
        )
        .bind(m.code)
        .bind(m.email)
        .bind(m.cohort)
        .bind(m.expires_at)
        .bind(m.sent_by)
        .bind(&self.launch)
        .bind(m.batch)
        .bind(m.email_key)
        .bind(m.name)
        .bind(i64::try_from(m.line).unwrap_or(i64::MAX))
        .bind(m.message_id)
        .bind(m.eml_path)
        .bind(m.eml_sha256)
        .execute(&mut *tx)
        .await;
        let result = match result {
            Ok(done) => tx.commit().await.map(|()| done),
            Err(e) => Err(e),
        };
        match result {
            Ok(_) => Ok(Inserted::Done),
            Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some("23505") => {
                let constraint = db.constraint().unwrap_or_default().to_owned();
                if constraint.contains("code") {
                    Ok(Inserted::CodeTaken)
                } else if constraint.contains("email_key") || constraint.contains("batch") {
                    Ok(Inserted::AlreadyInBatch)
                } else {
                    Err(classify(&sqlx::Error::Database(db)))
                }
            }
            Err(e) => Err(classify(&e)),
        }
    }

    /// `users.id` of each email (lowercased) that has one, for `sent_by` written as an email.
    pub async fn user_ids(&self, emails: &[String]) -> Result<Vec<(String, Uuid)>, DbError> {
        let rows = sqlx::query(
            "SELECT lower(email) AS key, id FROM public.users WHERE lower(email) = ANY($1)",
        )
        .bind(emails)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("key")?, r.try_get("id")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| classify(&e))
    }

    /// Reserves the next hand-over slot of the launch; returns how long to wait for it.
    pub async fn reserve_slot(&self, gap: Duration) -> Result<Duration, DbError> {
        let micros = i64::try_from(gap.as_micros()).unwrap_or(i64::MAX);
        let wait: f64 = sqlx::query_scalar(
            "INSERT INTO gonogo.dispatch_pace AS p (launch, next_at)
             VALUES ($1, clock_timestamp() + make_interval(secs => $2::float8 / 1e6))
             ON CONFLICT (launch) DO UPDATE
                 SET next_at = GREATEST(p.next_at, clock_timestamp())
                               + make_interval(secs => $2::float8 / 1e6)
             RETURNING GREATEST(EXTRACT(EPOCH FROM (next_at - clock_timestamp()))::float8
                                - $2::float8 / 1e6, 0)",
        )
        .bind(&self.launch)
        .bind(micros as f64)
        .fetch_one(&self.pool)
        .await?;
        Ok(Duration::from_secs_f64(wait.clamp(0.0, 3600.0)))
    }

    /// Claims the next `count` messages due, committed before anything is handed over.
    pub async fn claim(
        &self,
        run: Uuid,
        batch: Option<&str>,
        count: i64,
    ) -> Result<Vec<Claimed>, DbError> {
        let rows = sqlx::query(
            "WITH next AS (
                 SELECT id FROM gonogo.dispatch
                 WHERE launch = $1 AND ($3::text IS NULL OR batch = $3) AND state = 'prepared'
                   AND (next_attempt_at IS NULL OR next_attempt_at <= now())
                 ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED),
             claimed AS (
                 UPDATE gonogo.dispatch d SET state = 'sending', run_id = $2,
                        attempts = attempts + 1, updated_at = now(), handing_at = NULL,
                        orphaned = false, claim_pg_start = pg_postmaster_start_time()
                 FROM next WHERE d.id = next.id
                 RETURNING d.id, d.batch, d.email, d.message_id, d.eml_path, d.eml_sha256,
                           d.attempts),
             history AS (
                 INSERT INTO gonogo.dispatch_history (dispatch_id, state, run_id)
                 SELECT id, 'sending', $2 FROM claimed)
             SELECT * FROM claimed ORDER BY id",
        )
        .bind(&self.launch)
        .bind(run)
        .bind(batch)
        .bind(count.max(1))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Claimed {
                    id: r.try_get("id")?,
                    batch: r.try_get("batch")?,
                    email: r.try_get("email")?,
                    message_id: r.try_get("message_id")?,
                    eml_path: r.try_get("eml_path")?,
                    eml_sha256: r.try_get("eml_sha256")?,
                    attempts: r.try_get("attempts")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(|e| classify(&e))
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

    /// Records the transport's answer. Only the run holding the row may settle it. With
    /// `mark_next`, the same statement writes the hand-over mark of the next message (see
    /// `mark_handing`), saving a round trip per message. Returns (settled, next marked).
    pub async fn settle(
        &self,
        id: i64,
        run: Uuid,
        answer: (&str, &str),
        retry_in: Option<Duration>,
        mark_next: Option<i64>,
    ) -> Result<(bool, bool), DbError> {
        let (state, reason) = answer;
        let retry_ms = retry_in.map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        // Not waiting for the disk here is safe: an answer lost with a crashed server leaves
        // the row `sending`, which turns `unknown`, never sent again; the claim, which must
        // survive, is committed synchronously. One statement (the setting made local to its
        // own transaction), so one round trip per answer.
        let (settled, marked): (i64, i64) = sqlx::query_as(
            "WITH async AS (SELECT set_config('synchronous_commit', 'off', true) AS v),
             settled AS (
                 UPDATE gonogo.dispatch SET state = $3, reason = NULLIF($4, ''),
                        updated_at = now(),
                        next_attempt_at = CASE WHEN $5::bigint IS NULL THEN NULL
                            ELSE now() + make_interval(secs => $5::float8 / 1000) END,
                        sent_at = CASE WHEN $3 = 'sent' THEN now() ELSE sent_at END,
                        handing_at = NULL, orphaned = false
                 WHERE id = $1 AND run_id = $2 AND state IN ('sending', 'unknown')
                   AND (SELECT v FROM async) IS NOT NULL
                 RETURNING id),
             history AS (
                 INSERT INTO gonogo.dispatch_history (dispatch_id, state, run_id, detail)
                 SELECT id, $3, $2, $4 FROM settled),
             marked AS (
                 UPDATE gonogo.dispatch SET handing_at = clock_timestamp()
                 WHERE id = $6 AND run_id = $2 AND state = 'sending'
                   AND (SELECT v FROM async) IS NOT NULL
                   AND EXISTS (SELECT 1 FROM gonogo.dispatch_run r
                               WHERE r.id = $2 AND r.ended_at IS NULL)
                 RETURNING id)
             SELECT (SELECT count(*) FROM settled), (SELECT count(*) FROM marked)",
        )
        .bind(id)
        .bind(run)
        .bind(state)
        .bind(reason)
        .bind(retry_ms)
        .bind(mark_next)
        .fetch_one(&self.pool)
        .await?;
        Ok((settled == 1, marked == 1))
    }

    /// `failed` → `prepared` for a retry; returns how many.
    pub async fn retry_failed(&self, batch: Option<&str>, why: &str) -> Result<u64, DbError> {
        self.move_rows("failed", "prepared", batch, None, why).await
    }

    /// Settles `unknown` messages by hand: `sent`, or back to `prepared` for a retry. Returns
    /// the emails that were settled.
    pub async fn resolve(
        &self,
        emails: &[String],
        to: &str,
        why: &str,
    ) -> Result<Vec<String>, DbError> {
        let rows: Vec<String> = sqlx::query_scalar(
            "WITH moved AS (
                 UPDATE gonogo.dispatch SET state = $3, reason = $4, updated_at = now(),
                        next_attempt_at = NULL, orphaned = false, handing_at = NULL,
                        sent_at = CASE WHEN $3 = 'sent' THEN now() ELSE sent_at END
                 WHERE launch = $1 AND email_key = ANY($2) AND state = 'unknown'
                 RETURNING id, email),
             history AS (
                 INSERT INTO gonogo.dispatch_history (dispatch_id, state, detail)
                 SELECT id, $3, $4 FROM moved)
             SELECT email FROM moved",
        )
        .bind(&self.launch)
        .bind(emails)
        .bind(to)
        .bind(why)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    async fn move_rows(
        &self,
        from: &str,
        to: &str,
        batch: Option<&str>,
        run: Option<Uuid>,
        why: &str,
    ) -> Result<u64, DbError> {
        let done = sqlx::query(
            "WITH moved AS (
                 UPDATE gonogo.dispatch SET state = $3, updated_at = now(), next_attempt_at = NULL
                 WHERE launch = $1 AND state = $2 AND ($4::text IS NULL OR batch = $4)
                 RETURNING id)
             INSERT INTO gonogo.dispatch_history (dispatch_id, state, run_id, detail)
             SELECT id, $3, $5, $6 FROM moved",
        )
        .bind(&self.launch)
        .bind(from)
        .bind(to)
        .bind(batch)
        .bind(run)
        .bind(why)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Counts per batch (sorted by batch), with each batch's rate over the last minute.
    pub async fn counts(&self) -> Result<Vec<BatchCounts>, DbError> {
        let rows = sqlx::query(
            "SELECT batch, state, count(*) AS n,
                    count(*) FILTER (WHERE sent_at >= now() - interval '60 seconds') AS recent
             FROM gonogo.dispatch WHERE launch = $1 GROUP BY batch, state ORDER BY batch",
        )
        .bind(&self.launch)
        .fetch_all(&self.pool)
        .await?;
        let mut batches: Vec<BatchCounts> = Vec::new();
        for row in rows {
            let batch: String = row.try_get("batch").map_err(|e| classify(&e))?;
            let state: String = row.try_get("state").map_err(|e| classify(&e))?;
            let n: i64 = row.try_get("n").map_err(|e| classify(&e))?;
            let recent: i64 = row.try_get("recent").map_err(|e| classify(&e))?;
            if batches.last().is_none_or(|b| b.batch != batch) {
                batches.push(BatchCounts {
                    batch: batch.clone(),
                    total: 0,
                    counts: Counts::default(),
                    rate_per_s: 0.0,
                });
            }
            if let Some(b) = batches.last_mut() {
                b.counts.add(&state, n.unsigned_abs());
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
    pub async fn in_state(&self, state: &str, limit: i64) -> Result<Vec<LedgerRow>, DbError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM gonogo.dispatch WHERE launch = $1 AND state = $2
             ORDER BY id LIMIT $3"
        )))
        .bind(&self.launch)
        .bind(state)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(ledger_row).collect()
    }

    /// One message by email (and batch, if given; else the newest batch that has it).
    pub async fn find(
        &self,
        email: Option<&str>,
        batch: Option<&str>,
    ) -> Result<Option<LedgerRow>, DbError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
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
        row.as_ref().map(ledger_row).transpose()
    }

    pub async fn by_id(&self, id: i64) -> Result<Option<LedgerRow>, DbError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM gonogo.dispatch WHERE launch = $1 AND id = $2"
        )))
        .bind(&self.launch)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(ledger_row).transpose()
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
        let rows = sqlx::query(
            "SELECT at, state, detail FROM gonogo.dispatch_history WHERE dispatch_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(HistoryLine {
                    at: r.try_get("at")?,
                    state: r.try_get("state")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| classify(&e))
    }

    async fn rows(
        &self,
        filter: &str,
        batch: Option<&str>,
        limit: i64,
    ) -> Result<Vec<LedgerRow>, DbError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM gonogo.dispatch WHERE launch = $1 AND {filter}"
        )))
        .bind(&self.launch)
        .bind(batch)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(ledger_row).collect()
    }
}

const COLUMNS: &str = "id, batch, email, cohort, state, message_id, attempts, reason, updated_at, \
                       next_attempt_at, eml_path";

fn ledger_row(r: &sqlx::postgres::PgRow) -> Result<LedgerRow, DbError> {
    let get = || -> Result<LedgerRow, sqlx::Error> {
        Ok(LedgerRow {
            id: r.try_get("id")?,
            batch: r.try_get("batch")?,
            email: r.try_get("email")?,
            cohort: r.try_get("cohort")?,
            state: r.try_get("state")?,
            message_id: r.try_get("message_id")?,
            attempts: r.try_get("attempts")?,
            reason: r.try_get("reason")?,
            updated_at: r.try_get("updated_at")?,
            next_attempt_at: r.try_get("next_attempt_at")?,
            eml_path: r.try_get("eml_path")?,
        })
    };
    get().map_err(|e| classify(&e))
}
