//! The journal's store: every statement that reads or writes `gonogo.journal` and
//! `gonogo.gate_state`; the stores that write a line beside their own row (ticks, votes,
//! decisions) do so through [`insert_event`]. Lines are written idempotently (a client-made `uid`, or a gate's state
//! check), so a write retried after a lost answer never appears twice.

use super::{Entry, GateColumns, JournalError, JournalEvent, PendingEvent};
use crate::db::{DbError, DbErrorKind};
use crate::gate::{GateState, Transition};
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use std::time::Duration;
use uuid::Uuid;

/// How far apart two cockpits' records of one change can be: one poll later, or a clock a
/// little ahead.
pub const SAME_CHANGE_WINDOW: chrono::TimeDelta = chrono::TimeDelta::minutes(2);

/// The most lines one read returns; reports and `--follow` page through with [`Journal::after`].
pub const READ_LIMIT: i64 = 1_000_000;

/// A statement of gonogo's own that takes longer than this fails (and is retried by the writer).
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

const COLUMNS: &str =
    "id, at, recorded_at, kind, actor, gate, from_state, to_state, value, message, data";
const REPORT_COLUMNS: &str = "id, at, recorded_at, kind, actor, gate, from_state, to_state, value, \
     message, CASE WHEN kind = 'gate' THEN 'null'::jsonb ELSE data END AS data";

fn db(e: sqlx::Error) -> JournalError {
    JournalError::from(DbError::from(e))
}

impl From<DbError> for JournalError {
    fn from(e: DbError) -> JournalError {
        if e.kind == DbErrorKind::MissingTable {
            JournalError::Missing
        } else {
            JournalError::Db(e)
        }
    }
}

/// Inserts an event line through `executor`: the pool, or the transaction of a store that
/// writes its own table and the journal line together (a checklist tick, a vote).
pub(crate) async fn insert_event<'e>(
    executor: impl sqlx::PgExecutor<'e>,
    launch: &str,
    actor: &str,
    pending: &PendingEvent,
) -> Result<Option<i64>, sqlx::Error> {
    let event = &pending.event;
    sqlx::query_scalar(
        "INSERT INTO gonogo.journal (uid, at, launch, kind, actor, message, data)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (uid) DO NOTHING RETURNING id",
    )
    .bind(pending.uid)
    .bind(pending.at)
    .bind(launch)
    .bind(event.kind())
    .bind(actor)
    .bind(event.summary(actor))
    .bind(event.data())
    .fetch_optional(executor)
    .await
}

/// Which lines a read wants. Everything is optional; lines come ordered by `at`, then `id`.
#[derive(Debug, Clone, Default)]
pub struct JournalFilter {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub gate: Option<String>,
    pub kind: Option<String>,
}

/// A gate as some cockpit or watch last observed it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ObservedGate {
    pub gate: String,
    pub state: GateState,
    pub value: Option<String>,
    pub error: Option<String>,
    /// When it entered this state, as the observer saw it.
    pub since: Option<DateTime<Utc>>,
    pub observed_at: DateTime<Utc>,
    pub observer: String,
}

impl ObservedGate {
    /// A gate as the board shows it now, observed by `observer`; `None` before its first check.
    pub fn from_status(gate: &crate::gate::GateStatus, observer: &str) -> Option<ObservedGate> {
        Some(ObservedGate {
            gate: gate.id.clone(),
            state: gate.state,
            value: gate.value.as_ref().map(|_| gate.value_text()),
            error: gate.error.clone(),
            since: Some(gate.since),
            observed_at: gate.observed_at?,
            observer: observer.to_owned(),
        })
    }
}

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

    /// The pool it writes through, for the stores that write beside it (ticks, votes, the
    /// dispatch ledger, alerts).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Records a gate transition at its time, unless the journal already has that state there:
    /// the line just before `t.at` is `to`, or the first one after it is `to` and within
    /// [`SAME_CHANGE_WINDOW`] (another cockpit recorded the same change, having polled a little
    /// later or with its clock a little ahead); a same-state line hours later is a later change.
    /// The `from` written is the state of the line before (none: a first observation), so the
    /// history reads as one consistent sequence even when a cockpit replays transitions it kept
    /// while the database was away. Returns whether a line was added.
    pub async fn record_transition(&self, t: &Transition) -> Result<bool, JournalError> {
        let mut tx = crate::db::writing(&self.pool, WRITE_TIMEOUT).await?;
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

    /// Records an event at its time, once: a retry of the same `uid` adds nothing. Returns the
    /// new line's id, or `None` when the line was already there.
    pub async fn record(&self, pending: &PendingEvent) -> Result<Option<i64>, JournalError> {
        insert_event(&self.pool, &self.launch, &self.actor, pending)
            .await
            .map_err(db)
    }

    /// Records an event that happens now; returns its line id.
    pub async fn record_now(&self, event: JournalEvent) -> Result<i64, JournalError> {
        let pending = PendingEvent::now(event);
        match self.record(&pending).await? {
            Some(id) => Ok(id),
            None => Err(JournalError::Db(DbError::new(
                DbErrorKind::UniqueViolation,
                "a journal line with this id already exists",
            ))),
        }
    }

    /// Records a line of any kind with structured data (kinds from a newer gonogo, tests).
    pub async fn record_event(
        &self,
        kind: &str,
        message: &str,
        data: serde_json::Value,
    ) -> Result<i64, JournalError> {
        sqlx::query_scalar(
            "INSERT INTO gonogo.journal (uid, at, launch, kind, actor, message, data)
             VALUES ($1, now(), $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(Uuid::new_v4())
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
        let sql = format!(
            "SELECT {COLUMNS} FROM gonogo.journal WHERE launch = $1 AND kind = $2 AND data->>$3 = $4
             ORDER BY at DESC, id DESC LIMIT 1"
        );
        let row: Option<JournalRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
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
        let sql = format!(
            "SELECT {COLUMNS} FROM gonogo.journal WHERE launch = $1 ORDER BY at DESC, id DESC LIMIT $2"
        );
        let rows: Vec<JournalRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(&self.launch)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        Ok(rows.into_iter().map(Entry::from).collect())
    }

    /// Lines written after line `id` (by id, so a replayed line placed in the past still
    /// arrives), oldest id first, at most `limit`.
    pub async fn after(&self, id: i64, limit: i64) -> Result<Vec<Entry>, JournalError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM gonogo.journal WHERE launch = $1 AND id > $2 ORDER BY id LIMIT $3"
        );
        let rows: Vec<JournalRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(&self.launch)
            .bind(id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        Ok(rows.into_iter().map(Entry::from).collect())
    }

    /// The lines a filter selects, ordered by `at`, then `id`.
    pub async fn read(&self, filter: &JournalFilter) -> Result<Vec<Entry>, JournalError> {
        self.read_columns(filter, COLUMNS).await
    }

    /// [`Journal::read`] for a report: gate lines come from their columns alone (their `data`,
    /// a title and a required flag the config also has, is not read), which halves the
    /// decoding of a long journal, where most lines are gate lines.
    pub async fn read_for_report(
        &self,
        filter: &JournalFilter,
    ) -> Result<Vec<Entry>, JournalError> {
        self.read_columns(filter, REPORT_COLUMNS).await
    }

    async fn read_columns(
        &self,
        filter: &JournalFilter,
        columns: &str,
    ) -> Result<Vec<Entry>, JournalError> {
        let sql = format!(
            "SELECT {columns} FROM gonogo.journal
             WHERE launch = $1
               AND ($2::timestamptz IS NULL OR at >= $2)
               AND ($3::timestamptz IS NULL OR at < $3)
               AND ($4::text IS NULL OR gate = $4)
               AND ($5::text IS NULL OR kind = $5)
             ORDER BY at, id LIMIT $6"
        );
        let rows: Vec<JournalRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(&self.launch)
            .bind(filter.since)
            .bind(filter.until)
            .bind(filter.gate.as_deref())
            .bind(filter.kind.as_deref())
            .bind(READ_LIMIT)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        Ok(rows.into_iter().map(Entry::from).collect())
    }

    /// Each gate's last recorded line at or before `at` (its state when a period began).
    pub async fn gate_states_at(&self, at: DateTime<Utc>) -> Result<Vec<Entry>, JournalError> {
        let sql = format!(
            "SELECT DISTINCT ON (gate) {COLUMNS} FROM gonogo.journal
             WHERE launch = $1 AND kind = 'gate' AND at <= $2
             ORDER BY gate, at DESC, id DESC"
        );
        let rows: Vec<JournalRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(&self.launch)
            .bind(at)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        Ok(rows.into_iter().map(Entry::from).collect())
    }

    /// The newest shift take-over of this launch: who is on shift, since when.
    pub async fn on_shift(&self) -> Result<Option<Entry>, JournalError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM gonogo.journal WHERE launch = $1 AND kind = 'shift_takeover'
             ORDER BY at DESC, id DESC LIMIT 1"
        );
        let row: Option<JournalRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(&self.launch)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        Ok(row.map(Entry::from))
    }

    /// Saves what this observer last saw of each gate (one row per gate, newest wins), so a
    /// handoff written anywhere shows current values and how fresh they are.
    pub async fn save_observations(&self, gates: &[ObservedGate]) -> Result<(), JournalError> {
        if gates.is_empty() {
            return Ok(());
        }
        let mut tx = crate::db::writing(&self.pool, WRITE_TIMEOUT).await?;
        for g in gates {
            sqlx::query(
                "INSERT INTO gonogo.gate_state (launch, gate, state, value, error, since, observed_at, observer)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (launch, gate) DO UPDATE SET
                   state = EXCLUDED.state, value = EXCLUDED.value, error = EXCLUDED.error,
                   since = EXCLUDED.since, observed_at = EXCLUDED.observed_at,
                   observer = EXCLUDED.observer
                 WHERE gonogo.gate_state.observed_at <= EXCLUDED.observed_at",
            )
            .bind(&self.launch)
            .bind(&g.gate)
            .bind(g.state.as_str())
            .bind(&g.value)
            .bind(&g.error)
            .bind(g.since)
            .bind(g.observed_at)
            .bind(&g.observer)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    /// Every gate of this launch as last observed by anyone.
    pub async fn observations(&self) -> Result<Vec<ObservedGate>, JournalError> {
        let rows: Vec<ObservationRow> = sqlx::query_as(
            "SELECT gate, state, value, error, since, observed_at, observer
             FROM gonogo.gate_state WHERE launch = $1 ORDER BY gate",
        )
        .bind(&self.launch)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(rows.into_iter().map(ObservedGate::from).collect())
    }
}

/// A `gonogo.gate_state` row.
#[derive(sqlx::FromRow)]
struct ObservationRow {
    gate: String,
    state: String,
    value: Option<String>,
    error: Option<String>,
    since: Option<DateTime<Utc>>,
    observed_at: DateTime<Utc>,
    observer: String,
}

impl From<ObservationRow> for ObservedGate {
    fn from(r: ObservationRow) -> ObservedGate {
        let clean = crate::text::sanitize_owned;
        ObservedGate {
            gate: clean(r.gate),
            state: GateState::parse(&r.state).unwrap_or(GateState::Unknown),
            value: r.value.map(clean),
            error: r.error.map(clean),
            since: r.since,
            observed_at: r.observed_at,
            observer: clean(r.observer),
        }
    }
}

#[derive(sqlx::FromRow)]
struct JournalRow {
    id: i64,
    at: DateTime<Utc>,
    recorded_at: DateTime<Utc>,
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
        let event = JournalEvent::from_parts(
            &r.kind,
            &r.data,
            GateColumns {
                gate: r.gate.as_deref(),
                from: r.from_state.as_deref(),
                to: r.to_state.as_deref(),
                value: r.value.as_deref(),
                message: &r.message,
            },
        );
        // Text in the journal may have been written by any cockpit version: clean it on the
        // way out as well as on the way in.
        let clean = crate::text::sanitize_owned;
        Entry {
            id: r.id,
            at: r.at,
            recorded_at: r.recorded_at,
            kind: clean(r.kind),
            actor: clean(r.actor),
            gate: r.gate.map(clean),
            from_state: r.from_state.as_deref().and_then(GateState::parse),
            to_state: r.to_state.as_deref().and_then(GateState::parse),
            value: r.value.map(clean),
            message: clean(r.message),
            data: r.data,
            event: event.map(super::sanitize_event),
        }
    }
}
