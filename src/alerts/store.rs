//! The alerts store: every statement on `gonogo.alerts`. A claim makes an alert this
//! process's to send, once per launch, as a lease: under a per-subject advisory lock (waited
//! for at most [`LOCK_WAIT`]) it compares the alert with the subject's latest one, then inserts
//! with `ON CONFLICT (id) DO NOTHING`. The holder renews its lease while it delivers; an
//! undelivered alert whose lease ran out is taken over by another process ([`AlertStore::take_over`]).
//! Deliveries write their latest outcome on the row.

use super::{Alert, Delivery, Severity};
use crate::db::{DbError, writing};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use std::time::Duration;

/// A statement of the store that takes longer than this fails.
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a claim waits for the subject's lock before the alert goes out uncoordinated.
pub const LOCK_WAIT: Duration = Duration::from_secs(4);
/// Two processes' windows for one change open up to a poll interval apart (plus clock skew):
/// another process's alert of one subject saying the same state closer than this is the same
/// change, whatever `group_for` is.
pub const SAME_ALERT_WINDOW: Duration = Duration::from_secs(60);
/// How many times a claim re-keys a repeated change at most (each try passes over one id).
const REKEY_TRIES: usize = 8;
/// How many processes may hold one alert in turn before a failing delivery is left failed.
pub const MAX_HOLDERS: i32 = 3;

/// What a claim found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This process sends it.
    Claimed,
    /// Another cockpit or watch raised the same subject within the window (its id, its origin).
    Elsewhere { id: String, by: String },
    /// A first look that says what the subject's latest alert already said.
    AlreadySaid { id: String },
}

/// A subject's latest alert, as a claim compares with it.
#[derive(sqlx::FromRow)]
struct LatestRow {
    id: String,
    state: String,
    raised_at: DateTime<Utc>,
    claimed_by: String,
}

/// An alert row as a process taking it over rebuilds it.
#[derive(sqlx::FromRow)]
struct HeldRow {
    id: String,
    subject: String,
    severity: String,
    title: String,
    message: String,
    state: String,
    changes: i32,
    metadata: serde_json::Value,
    raised_at: DateTime<Utc>,
    first_sight: bool,
}

impl HeldRow {
    fn into_alert(self) -> Alert {
        Alert {
            id: self.id,
            subject: self.subject,
            severity: Severity::parse(&self.severity).unwrap_or_default(),
            title: self.title,
            message: self.message,
            metadata: match self.metadata {
                serde_json::Value::Object(map) => map,
                _ => serde_json::Map::new(),
            },
            raised_at: self.raised_at,
            changes: u32::try_from(self.changes).unwrap_or(1),
            first_sight: self.first_sight,
            state: self.state,
        }
    }
}

/// One alert as `gonogo alerts list` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct AlertRow {
    pub id: String,
    pub subject: String,
    pub severity: String,
    pub title: String,
    pub message: String,
    pub state: String,
    pub changes: i32,
    pub raised_at: DateTime<Utc>,
    pub claimed_at: DateTime<Utc>,
    pub claimed_by: String,
    /// Who holds (or last held) it: another process than `claimed_by` after a takeover.
    pub holder: Option<String>,
    pub holders: i32,
    /// `delivered`, `gave_up`, `failed`, `none` (no webhook), or `None` while it is being sent.
    pub delivery: Option<String>,
    pub attempts: i32,
    pub http_status: Option<i32>,
    pub answer: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct AlertStore {
    pool: PgPool,
    launch: String,
}

impl AlertStore {
    pub fn new(pool: PgPool, launch: impl Into<String>) -> AlertStore {
        AlertStore {
            pool,
            launch: launch.into(),
        }
    }

    /// Claims `alert` for `by` (its origin) as a lease of `lease` (re-keying it when its change
    /// repeats one whose alert is not the subject's latest). Another process's alert of
    /// the subject saying the same state within `group_for` (at least [`SAME_ALERT_WINDOW`]) is
    /// the same change; one that said otherwise, or longer ago, does not hold a new change back.
    pub async fn claim(
        &self,
        alert: &mut Alert,
        by: &str,
        group_for: Duration,
        lease: Duration,
    ) -> Result<Claim, DbError> {
        let window = chrono::TimeDelta::from_std(group_for.max(SAME_ALERT_WINDOW))
            .unwrap_or(chrono::TimeDelta::MAX);
        let mut tx = writing(&self.pool, STATEMENT_TIMEOUT).await?;
        let wait_ms = LOCK_WAIT.as_millis().to_string();
        sqlx::query("SELECT set_config('lock_timeout', $1, true)")
            .bind(wait_ms)
            .execute(&mut *tx)
            .await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext('gonogo.alert:' || $1 || ':' || $2))")
            .bind(&self.launch)
            .bind(&alert.subject)
            .execute(&mut *tx)
            .await?;
        // An alert whose delivery failed for good said nothing to anyone: not compared with.
        let latest: Option<LatestRow> = sqlx::query_as(
            "SELECT id, state, raised_at, claimed_by FROM gonogo.alerts
             WHERE launch = $1 AND subject = $2 AND delivery IS DISTINCT FROM 'failed'
             ORDER BY raised_at DESC, claimed_at DESC LIMIT 1",
        )
        .bind(&self.launch)
        .bind(&alert.subject)
        .fetch_optional(&mut *tx)
        .await?;
        let latest_id = latest.as_ref().map(|l| l.id.clone());
        if let Some(LatestRow {
            id,
            state,
            raised_at,
            claimed_by,
        }) = latest
            && state == alert.state
        {
            let same_change = claimed_by != by && (raised_at - alert.raised_at).abs() <= window;
            if alert.first_sight && id != alert.id {
                tx.rollback().await?;
                return Ok(Claim::AlreadySaid { id });
            }
            if same_change || id == alert.id {
                tx.rollback().await?;
                return Ok(Claim::Elsewhere { id, by: claimed_by });
            }
        }
        // The same change again within its minute, after an alert that said otherwise (a
        // verdict back and forth): a new change, named after that alert, which every process
        // re-keying under this lock does alike.
        // (An id taken by an alert whose delivery failed for good is passed over the same way.)
        if let Some(latest_id) = latest_id.filter(|l| *l != alert.id) {
            for _ in 0..REKEY_TRIES {
                let taken: bool =
                    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM gonogo.alerts WHERE id = $1)")
                        .bind(&alert.id)
                        .fetch_one(&mut *tx)
                        .await?;
                if !taken {
                    break;
                }
                let change = format!("{} after {latest_id}", alert.id);
                alert.id = super::alert_id(&self.launch, &alert.subject, &change);
            }
        }
        let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
        let inserted: Option<String> = sqlx::query_scalar(
            "INSERT INTO gonogo.alerts
               (id, launch, subject, severity, title, message, state, changes, metadata,
                raised_at, claimed_by, holder, first_sight, lease_until)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12,
                     now() + make_interval(secs => $13::float8 / 1000))
             ON CONFLICT (id) DO NOTHING RETURNING id",
        )
        .bind(&alert.id)
        .bind(&self.launch)
        .bind(&alert.subject)
        .bind(alert.severity.as_str())
        .bind(&alert.title)
        .bind(&alert.message)
        .bind(&alert.state)
        .bind(i32::try_from(alert.changes).unwrap_or(i32::MAX))
        .bind(serde_json::Value::Object(alert.metadata.clone()))
        .bind(alert.raised_at)
        .bind(by)
        .bind(alert.first_sight)
        .bind(lease_ms)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(match inserted {
            Some(_) => Claim::Claimed,
            None => Claim::Elsewhere {
                id: alert.id.clone(),
                by: "another cockpit or watch".to_owned(),
            },
        })
    }

    /// Extends `by`'s lease on an alert it is delivering; false when it no longer holds it
    /// (another process took it over after the lease ran out).
    pub async fn renew(&self, id: &str, by: &str, lease: Duration) -> Result<bool, DbError> {
        let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
        let renewed = sqlx::query(
            "UPDATE gonogo.alerts SET lease_until = now() + make_interval(secs => $4::float8 / 1000)
             WHERE launch = $1 AND id = $2 AND holder = $3 AND delivery IS NULL",
        )
        .bind(&self.launch)
        .bind(id)
        .bind(by)
        .bind(lease_ms)
        .execute(&self.pool)
        .await?;
        Ok(renewed.rows_affected() == 1)
    }

    /// Lets go of an alert `by` holds and did not deliver (it quits, or its delivery failed):
    /// another process may take it over at once. False when it was not handed on (not held by
    /// `by`, or [`MAX_HOLDERS`] have had it).
    pub async fn release(&self, id: &str, by: &str) -> Result<bool, DbError> {
        let released = sqlx::query(
            "UPDATE gonogo.alerts SET lease_until = now() - interval '1 millisecond'
             WHERE launch = $1 AND id = $2 AND holder = $3 AND delivery IS NULL
               AND holders < $4",
        )
        .bind(&self.launch)
        .bind(id)
        .bind(by)
        .bind(MAX_HOLDERS)
        .execute(&self.pool)
        .await?;
        Ok(released.rows_affected() == 1)
    }

    /// Takes over the oldest undelivered alert whose lease ran out (held by another process),
    /// as a lease of `lease` for `by`; it is delivered with the id it was claimed with.
    pub async fn take_over(&self, by: &str, lease: Duration) -> Result<Option<Alert>, DbError> {
        let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
        let row: Option<HeldRow> = sqlx::query_as(
            "UPDATE gonogo.alerts SET holder = $2, holders = holders + 1,
                    lease_until = now() + make_interval(secs => $3::float8 / 1000)
             WHERE id = (SELECT id FROM gonogo.alerts
                         WHERE launch = $1 AND delivery IS NULL AND lease_until < now()
                           AND holder IS DISTINCT FROM $2 AND holders < $4
                         ORDER BY raised_at LIMIT 1 FOR UPDATE SKIP LOCKED)
             RETURNING id, subject, severity, title, message, state, changes, metadata,
                       raised_at, first_sight",
        )
        .bind(&self.launch)
        .bind(by)
        .bind(lease_ms)
        .bind(MAX_HOLDERS)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(HeldRow::into_alert))
    }

    /// Writes a delivery's outcome on its alert's row.
    pub async fn finish(&self, delivery: &Delivery) -> Result<(), DbError> {
        sqlx::query(
            "UPDATE gonogo.alerts SET delivery = $3, attempts = $4, http_status = $5,
                    answer = $6, delivered_at = now()
             WHERE launch = $1 AND id = $2",
        )
        .bind(&self.launch)
        .bind(&delivery.alert_id)
        .bind(delivery.outcome.as_str())
        .bind(i32::try_from(delivery.attempts).unwrap_or(i32::MAX))
        .bind(delivery.status.map(i32::from))
        .bind(&delivery.answer)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Marks an alert that had no webhook to go to (the bell and the journal only).
    pub async fn no_webhook(&self, id: &str) -> Result<(), DbError> {
        sqlx::query("UPDATE gonogo.alerts SET delivery = 'none' WHERE launch = $1 AND id = $2")
            .bind(&self.launch)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// This launch's alerts claimed since `since` (all without it), oldest first.
    pub async fn list(&self, since: Option<DateTime<Utc>>) -> Result<Vec<AlertRow>, DbError> {
        let rows = sqlx::query_as(
            "SELECT id, subject, severity, title, message, state, changes, raised_at, claimed_at,
                    claimed_by, holder, holders, delivery, attempts, http_status, answer, delivered_at
             FROM gonogo.alerts
             WHERE launch = $1 AND ($2::timestamptz IS NULL OR claimed_at >= $2)
             ORDER BY claimed_at, id",
        )
        .bind(&self.launch)
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }
}
