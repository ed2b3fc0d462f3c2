//! The journal in `gonogo.journal`: gate transitions and operator actions, shared by every cockpit
//! connected to the same database. Each transition is recorded once, however many cockpits see it.

mod backlog;
mod writer;

pub use backlog::{BACKLOG_LIMIT, Backlog, FlushError};
pub use writer::{Writer, WriterPace};

use crate::gate::{GateState, Transition};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("journal: {0}")]
    Db(String),
    #[error("the journal does not exist yet; run `gonogo migrate`")]
    Missing,
}

/// A refused database is said at once rather than after a writer's whole budget.
const REACH_WITHIN: std::time::Duration = std::time::Duration::from_secs(2);

fn db(e: sqlx::Error) -> JournalError {
    match &e {
        sqlx::Error::Database(d) if d.code().as_deref() == Some("42P01") => JournalError::Missing,
        _ => JournalError::Db(e.to_string()),
    }
}

/// One journal line, as the timeline shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub actor: String,
    pub gate: Option<String>,
    pub from_state: Option<GateState>,
    pub to_state: Option<GateState>,
    pub value: Option<String>,
    pub message: String,
    pub data: serde_json::Value,
}

/// How far apart two cockpits' records of one change can be: one poll later, or a clock a
/// little ahead.
pub const SAME_CHANGE_WINDOW: chrono::TimeDelta = chrono::TimeDelta::minutes(2);

/// Where journal lines go: one launch, one operator.
#[derive(Debug, Clone)]
pub struct Journal {
    pool: PgPool,
    launch: String,
    actor: String,
}

impl Journal {
    pub fn new(pool: PgPool, launch: impl Into<String>, actor: impl Into<String>) -> Journal {
        Journal {
            pool,
            launch: launch.into(),
            actor: actor.into(),
        }
    }

    pub fn launch(&self) -> &str {
        &self.launch
    }

    async fn reachable(&self) -> Result<(), JournalError> {
        crate::db::reachable(&self.pool, REACH_WITHIN)
            .await
            .map_err(|e| JournalError::Db(e.to_string()))
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Records a gate transition at its time, unless the journal already has that state there:
    /// the line just before `t.at` is `to`, or the first one after it is `to` and within
    /// [`SAME_CHANGE_WINDOW`] (another cockpit recorded the same change, having polled a little
    /// later or with its clock a little ahead); a same-state line hours later is a later change. The `from` written is the state of
    /// the line before, so the history reads as one consistent sequence even when a cockpit
    /// replays transitions it kept while the database was away. Returns whether a line was added.
    pub async fn record_transition(&self, t: &Transition) -> Result<bool, JournalError> {
        self.reachable().await?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext('gonogo.gate:' || $1 || ':' || $2))")
            .bind(&self.launch)
            .bind(&t.gate)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let (before, after, after_at): (Option<String>, Option<String>, Option<DateTime<Utc>>) =
            sqlx::query_as(
                "WITH next AS (
                   SELECT to_state, at FROM gonogo.journal
                   WHERE launch = $1 AND kind = 'gate' AND gate = $2 AND at > $3
                   ORDER BY at, id LIMIT 1)
                 SELECT
                   (SELECT to_state FROM gonogo.journal
                    WHERE launch = $1 AND kind = 'gate' AND gate = $2 AND at <= $3
                    ORDER BY at DESC, id DESC LIMIT 1),
                   (SELECT to_state FROM next),
                   (SELECT at FROM next)",
            )
            .bind(&self.launch)
            .bind(&t.gate)
            .bind(t.at)
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        let to = Some(t.to.as_str());
        let seen_just_after =
            after.as_deref() == to && after_at.is_some_and(|at| at - t.at <= SAME_CHANGE_WINDOW);
        if before.as_deref() == to || seen_just_after {
            tx.rollback().await.map_err(db)?;
            return Ok(false);
        }
        let data =
            serde_json::json!({ "title": t.title, "required": t.required, "error": t.error });
        sqlx::query(
            "INSERT INTO gonogo.journal (at, launch, kind, actor, gate, from_state, to_state, value, message, data)
             VALUES ($1, $2, 'gate', $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(t.at)
        .bind(&self.launch)
        .bind(&self.actor)
        .bind(&t.gate)
        .bind(before)
        .bind(t.to.as_str())
        .bind(&t.value_text)
        .bind(t.error.as_deref().unwrap_or(""))
        .bind(data)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    /// Records an operator action (an override, a tick, a vote) with structured data.
    pub async fn record_event(
        &self,
        kind: &str,
        message: &str,
        data: serde_json::Value,
    ) -> Result<i64, JournalError> {
        self.reachable().await?;
        sqlx::query_scalar(
            "INSERT INTO gonogo.journal (at, launch, kind, actor, message, data)
             VALUES (now(), $1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&self.launch)
        .bind(kind)
        .bind(&self.actor)
        .bind(message)
        .bind(data)
        .fetch_one(&self.pool)
        .await
        .map_err(db)
    }

    /// The newest line of this launch of `kind` whose `data` has `key` equal to `value` (the
    /// last override of a cohort file, by its hash).
    pub async fn latest_with(
        &self,
        kind: &str,
        key: &str,
        value: &str,
    ) -> Result<Option<Entry>, JournalError> {
        let row: Option<JournalRow> = sqlx::query_as(
            "SELECT id, at, kind, actor, gate, from_state, to_state, value, message, data
             FROM gonogo.journal WHERE launch = $1 AND kind = $2 AND data->>$3 = $4
             ORDER BY at DESC, id DESC LIMIT 1",
        )
        .bind(&self.launch)
        .bind(kind)
        .bind(key)
        .bind(value)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        Ok(row.map(Entry::from))
    }

    /// The newest `limit` lines of this launch, newest first.
    pub async fn recent(&self, limit: i64) -> Result<Vec<Entry>, JournalError> {
        let rows: Vec<JournalRow> = sqlx::query_as(
            "SELECT id, at, kind, actor, gate, from_state, to_state, value, message, data
             FROM gonogo.journal WHERE launch = $1 ORDER BY at DESC, id DESC LIMIT $2",
        )
        .bind(&self.launch)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(rows.into_iter().map(Entry::from).collect())
    }
}

#[derive(sqlx::FromRow)]
struct JournalRow {
    id: i64,
    at: DateTime<Utc>,
    kind: String,
    actor: String,
    gate: Option<String>,
    from_state: Option<String>,
    to_state: Option<String>,
    value: Option<String>,
    message: String,
    data: serde_json::Value,
}

impl From<JournalRow> for Entry {
    fn from(r: JournalRow) -> Entry {
        // Text in the journal may have been written by any cockpit version: clean it on the
        // way out as well as on the way in.
        let clean = |s: String| crate::text::sanitize(&s);
        Entry {
            id: r.id,
            at: r.at,
            kind: clean(r.kind),
            actor: clean(r.actor),
            gate: r.gate.map(clean),
            from_state: r.from_state.as_deref().and_then(GateState::parse),
            to_state: r.to_state.as_deref().and_then(GateState::parse),
            value: r.value.map(clean),
            message: clean(r.message),
            data: r.data,
        }
    }
}
