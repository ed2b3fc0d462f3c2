//! What changes a message in the ledger: its insert (with its invite), the claim, the
//! hand-over mark, the transport's answer or a late one, claims given back, retries and
//! settlements by hand, and the launch-wide pace the claims keep to.

use super::{Ledger, MessageState};
use crate::db::{DbError, classify};
use chrono::{DateTime, Utc};
use std::time::Duration;
use uuid::Uuid;

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
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    pub batch: String,
    pub email: String,
    pub message_id: String,
    pub eml_path: String,
    pub eml_sha256: String,
    pub attempts: i32,
}

impl Ledger {
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
        let claimed = sqlx::query_as(
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
        Ok(claimed)
    }

    /// The hand-over mark, written just before the message goes (without waiting for the
    /// disk: a crash that loses it also changes `pg_postmaster_start_time()`, which makes the
    /// whole claim in doubt). False when the claim is no longer this run's (it was declared
    /// dead, and the message put back or taken by another run): it must not be handed over.
    pub async fn mark_handing(&self, id: i64, run: Uuid) -> Result<bool, DbError> {
        let done = sqlx::query(
            "WITH async AS (SELECT set_config('synchronous_commit', 'off', true) AS v)
             UPDATE gonogo.dispatch SET handing_at = clock_timestamp()
             WHERE id = $1 AND run_id = $2 AND state = 'sending'
               AND (SELECT v FROM async) IS NOT NULL
               AND EXISTS (SELECT 1 FROM gonogo.dispatch_run r
                           WHERE r.id = $2 AND r.ended_at IS NULL)",
        )
        .bind(id)
        .bind(run)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records the transport's answer. Only the run holding the row may settle it. With
    /// `mark_next`, the same statement writes the hand-over mark of the next message (see
    /// `mark_handing`), saving a round trip per message. Returns (settled, next marked).
    pub async fn settle(
        &self,
        id: i64,
        run: Uuid,
        answer: (MessageState, &str),
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

    /// What a run found out after its claim was taken from it, kept on the message (history
    /// state `late`). A delivery to a message put back but not yet claimed again settles it
    /// `sent` (so it is not sent a second time); otherwise the row is left as it is and the
    /// line says a duplicate is possible. Returns the message's email.
    pub async fn record_late(
        &self,
        id: i64,
        run: Uuid,
        delivered: bool,
        detail: &str,
    ) -> Result<Option<String>, DbError> {
        let email: Option<String> = sqlx::query_scalar(
            "WITH row AS (SELECT id, email, state FROM gonogo.dispatch WHERE id = $1),
             settled AS (
                 UPDATE gonogo.dispatch SET state = 'sent', sent_at = now(), updated_at = now(),
                        reason = 'delivered by a run declared dead, after it was put back'
                 WHERE id = $1 AND $3 AND state = 'prepared'
                 RETURNING id),
             history AS (
                 INSERT INTO gonogo.dispatch_history (dispatch_id, state, run_id, detail)
                 SELECT id, 'late', $2, $4 || CASE WHEN EXISTS (SELECT 1 FROM settled)
                     THEN ' (it had been put back to be sent: now sent, not sent again)'
                     ELSE '' END FROM row)
             SELECT email FROM row",
        )
        .bind(id)
        .bind(run)
        .bind(delivered)
        .bind(detail)
        .fetch_optional(&self.pool)
        .await?;
        Ok(email)
    }

    /// Claims of `run` it never received (the connection was lost with the answer) go back to
    /// `prepared`; `handed` (what the run handed over) never does, whatever its row says.
    pub async fn release_unhanded(&self, run: Uuid, handed: &[i64]) -> Result<u64, DbError> {
        let done = sqlx::query(
            "WITH released AS (
                 UPDATE gonogo.dispatch SET state = 'prepared', updated_at = now(),
                        attempts = greatest(attempts - 1, 0)
                 WHERE launch = $1 AND run_id = $2 AND state = 'sending'
                   AND NOT (id = ANY($3))
                 RETURNING id)
             INSERT INTO gonogo.dispatch_history (dispatch_id, state, run_id, detail)
             SELECT id, 'prepared', $2, 'claimed, but the answer to the claim was lost: never handed over'
             FROM released",
        )
        .bind(&self.launch)
        .bind(run)
        .bind(handed)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// `failed` → `prepared` for a retry; returns how many.
    pub async fn retry_failed(&self, batch: Option<&str>, why: &str) -> Result<u64, DbError> {
        self.move_rows(
            MessageState::Failed,
            MessageState::Prepared,
            batch,
            None,
            why,
        )
        .await
    }

    /// Settles `unknown` messages by hand: `sent`, or back to `prepared` for a retry. Returns
    /// the emails that were settled.
    pub async fn resolve(
        &self,
        emails: &[String],
        to: MessageState,
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
        from: MessageState,
        to: MessageState,
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
}
