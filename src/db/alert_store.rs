//! The alerts store: every statement on `gonogo.alerts`. A claim makes an alert this
//! process's to send, once per launch: under a per-subject advisory lock it looks for the same
//! subject raised within the window by another cockpit or watch, then inserts with
//! `ON CONFLICT (id) DO NOTHING`. Deliveries write their latest outcome on the row.

use super::{DbError, writing};
use crate::alerts::{Alert, Delivery};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use std::time::Duration;

/// A statement of the store that takes longer than this fails.
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(5);
/// Two processes' windows for one change open up to a poll interval apart (plus clock skew):
/// alerts of one subject closer than this are one alert, whatever `group_for` is.
pub const SAME_ALERT_WINDOW: Duration = Duration::from_secs(60);

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

    /// Claims `alert` for `by` (its origin); `group_for` widens the window two processes'
    /// alerts of one subject count as one.
    pub async fn claim(
        &self,
        alert: &Alert,
        by: &str,
        group_for: Duration,
    ) -> Result<Claim, DbError> {
        let window = group_for.max(SAME_ALERT_WINDOW);
        let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
        let mut tx = writing(&self.pool, STATEMENT_TIMEOUT).await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext('gonogo.alert:' || $1 || ':' || $2))")
            .bind(&self.launch)
            .bind(&alert.subject)
            .execute(&mut *tx)
            .await?;
        let near: Option<(String, String)> = sqlx::query_as(
            "SELECT id, claimed_by FROM gonogo.alerts
             WHERE launch = $1 AND subject = $2 AND claimed_by <> $3
               AND raised_at BETWEEN $4 - make_interval(secs => $5::float8 / 1000)
                                 AND $4 + make_interval(secs => $5::float8 / 1000)
             ORDER BY raised_at LIMIT 1",
        )
        .bind(&self.launch)
        .bind(&alert.subject)
        .bind(by)
        .bind(alert.raised_at)
        .bind(window_ms)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((id, by)) = near {
            tx.rollback().await?;
            return Ok(Claim::Elsewhere { id, by });
        }
        if alert.first_sight {
            let latest: Option<(String, String)> = sqlx::query_as(
                "SELECT id, state FROM gonogo.alerts WHERE launch = $1 AND subject = $2
                 ORDER BY raised_at DESC LIMIT 1",
            )
            .bind(&self.launch)
            .bind(&alert.subject)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((id, state)) = latest
                && state == alert.state
            {
                tx.rollback().await?;
                return Ok(Claim::AlreadySaid { id });
            }
        }
        let inserted: Option<String> = sqlx::query_scalar(
            "INSERT INTO gonogo.alerts
               (id, launch, subject, severity, title, message, state, changes, metadata,
                raised_at, claimed_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
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
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(match inserted {
            Some(_) => Claim::Claimed,
            None => Claim::Elsewhere {
                id: alert.id.clone(),
                by: by.to_owned(),
            },
        })
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
                    claimed_by, delivery, attempts, http_status, answer, delivered_at
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
