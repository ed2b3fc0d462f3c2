//! The decision call's store: `gonogo.votes` (each role's latest vote per round) and
//! `gonogo.decisions` (insert-only, hash-chained records), each write with its journal line in
//! one transaction, under one advisory lock per launch so a vote and a freeze never interleave.

use super::{DecisionRecord, Vote, VoteChoice};
use crate::db::DbError;
use crate::journal::{JournalEvent, PendingEvent, WRITE_TIMEOUT, insert_event};
use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, Transaction};

/// A decision row as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDecision {
    pub number: u32,
    pub decided_at: DateTime<Utc>,
    pub decided_by: String,
    pub outcome: String,
    pub record: String,
    pub hash: String,
    pub prev_hash: Option<String>,
}

/// A `decision` journal line as read back: which record its freeze says it wrote, with what
/// hash and outcome (`None`: the line does not say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionLine {
    pub id: i64,
    pub number: Option<u32>,
    pub hash: Option<String>,
    pub outcome: Option<String>,
}

/// Why a freeze did not happen: the database, or the caller's own refusal.
#[derive(Debug)]
pub enum FreezeError<E> {
    Db(DbError),
    Refused(E),
}

impl<E> From<sqlx::Error> for FreezeError<E> {
    fn from(e: sqlx::Error) -> Self {
        FreezeError::Db(e.into())
    }
}

impl<E> From<DbError> for FreezeError<E> {
    fn from(e: DbError) -> Self {
        FreezeError::Db(e)
    }
}

#[derive(Debug, Clone)]
pub struct DecisionStore {
    pool: PgPool,
    launch: String,
    actor: String,
}

/// A `gonogo.votes` row.
#[derive(sqlx::FromRow)]
struct VoteRow {
    role: String,
    vote: String,
    by_operator: String,
    at: DateTime<Utc>,
    note: Option<String>,
}

impl VoteRow {
    /// `None` for a vote this version does not know.
    fn into_vote(self) -> Option<Vote> {
        Some(Vote {
            role: self.role,
            vote: VoteChoice::parse(&self.vote)?,
            by: self.by_operator,
            at: self.at,
            note: self.note,
        })
    }
}

/// A `gonogo.decisions` row.
#[derive(sqlx::FromRow)]
struct DecisionRow {
    number: i32,
    decided_at: DateTime<Utc>,
    decided_by: String,
    outcome: String,
    record: String,
    hash: String,
    prev_hash: Option<String>,
}

impl From<DecisionRow> for StoredDecision {
    fn from(r: DecisionRow) -> StoredDecision {
        StoredDecision {
            number: to_number(r.number),
            decided_at: r.decided_at,
            decided_by: r.decided_by,
            outcome: r.outcome,
            record: r.record,
            hash: r.hash,
            prev_hash: r.prev_hash,
        }
    }
}

/// A `decision` journal line: its id, and its data's number, hash and outcome.
#[derive(sqlx::FromRow)]
struct LineRow {
    id: i64,
    number: Option<String>,
    hash: Option<String>,
    outcome: Option<String>,
}

impl From<LineRow> for DecisionLine {
    fn from(r: LineRow) -> DecisionLine {
        DecisionLine {
            id: r.id,
            number: r.number.and_then(|n| n.parse().ok()),
            hash: r.hash,
            outcome: r.outcome,
        }
    }
}

const DECISION_COLUMNS: &str = "number, decided_at, decided_by, outcome, record, hash, prev_hash";

fn to_number(n: i32) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

impl DecisionStore {
    pub fn new(pool: PgPool, launch: impl Into<String>, actor: impl Into<String>) -> Self {
        DecisionStore {
            pool,
            launch: launch.into(),
            actor: actor.into(),
        }
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    pub fn launch(&self) -> &str {
        &self.launch
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    async fn lock(&self, tx: &mut Transaction<'static, Postgres>) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext('gonogo.call:' || $1))")
            .bind(&self.launch)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    async fn last(
        &self,
        executor: impl sqlx::PgExecutor<'_>,
    ) -> Result<Option<(u32, String)>, sqlx::Error> {
        let row: Option<(i32, String)> = sqlx::query_as(
            "SELECT number, hash FROM gonogo.decisions WHERE launch = $1
             ORDER BY number DESC LIMIT 1",
        )
        .bind(&self.launch)
        .fetch_optional(executor)
        .await?;
        Ok(row.map(|(n, h)| (to_number(n), h)))
    }

    async fn votes_in(
        &self,
        executor: impl sqlx::PgExecutor<'_>,
        round: u32,
    ) -> Result<Vec<Vote>, sqlx::Error> {
        let rows: Vec<VoteRow> = sqlx::query_as(
            "SELECT role, vote, by_operator, at, note FROM gonogo.votes
             WHERE launch = $1 AND round = $2 ORDER BY at, role",
        )
        .bind(&self.launch)
        .bind(i32::try_from(round).unwrap_or(i32::MAX))
        .fetch_all(executor)
        .await?;
        Ok(rows.into_iter().filter_map(VoteRow::into_vote).collect())
    }

    /// The round under way (the number the next decision will have) and its votes so far.
    pub async fn roll_call(&self) -> Result<(u32, Vec<Vote>), DbError> {
        let round = self.last(&self.pool).await?.map_or(1, |(n, _)| n + 1);
        let votes = self.votes_in(&self.pool, round).await?;
        Ok((round, votes))
    }

    /// Records a vote in the round under way (replacing the role's earlier one); returns the
    /// round.
    pub async fn cast(&self, vote: &Vote) -> Result<u32, DbError> {
        let mut tx = crate::db::writing(&self.pool, WRITE_TIMEOUT).await?;
        self.lock(&mut tx).await?;
        let round = self.last(&mut *tx).await?.map_or(1, |(n, _)| n + 1);
        sqlx::query(
            "INSERT INTO gonogo.votes (launch, round, role, vote, by_operator, at, note)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (launch, round, role) DO UPDATE SET vote = EXCLUDED.vote,
               by_operator = EXCLUDED.by_operator, at = EXCLUDED.at, note = EXCLUDED.note",
        )
        .bind(&self.launch)
        .bind(i32::try_from(round).unwrap_or(i32::MAX))
        .bind(&vote.role)
        .bind(vote.vote.as_str())
        .bind(&self.actor)
        .bind(vote.at)
        .bind(&vote.note)
        .execute(&mut *tx)
        .await?;
        let event = JournalEvent::Vote {
            round,
            role: vote.role.clone(),
            vote: vote.vote.as_str().to_owned(),
            note: vote.note.clone(),
        };
        insert_event(
            &mut *tx,
            &self.launch,
            &self.actor,
            &PendingEvent::new(vote.at, event),
        )
        .await?;
        tx.commit().await?;
        Ok(round)
    }

    /// Freezes the round under way: `seal` gets the decision's number, the round's votes and
    /// the previous record's hash and returns the record (or refuses); it is inserted with
    /// its journal line.
    pub async fn freeze<E>(
        &self,
        seal: impl FnOnce(u32, &[Vote], Option<String>) -> Result<DecisionRecord, E>,
    ) -> Result<DecisionRecord, FreezeError<E>> {
        let mut tx = crate::db::writing(&self.pool, WRITE_TIMEOUT).await?;
        self.lock(&mut tx).await?;
        let last = self.last(&mut *tx).await?;
        let number = last.as_ref().map_or(1, |(n, _)| n + 1);
        let votes = self.votes_in(&mut *tx, number).await?;
        let record = seal(number, &votes, last.map(|(_, h)| h)).map_err(FreezeError::Refused)?;
        let body = &record.body;
        sqlx::query(
            "INSERT INTO gonogo.decisions
               (launch, number, decided_at, decided_by, outcome, record, hash, prev_hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&self.launch)
        .bind(i32::try_from(number).unwrap_or(i32::MAX))
        .bind(body.decided_at)
        .bind(&body.decided_by)
        .bind(body.outcome.column())
        .bind(&record.canonical)
        .bind(&record.hash)
        .bind(&body.prev_hash)
        .execute(&mut *tx)
        .await?;
        let event = JournalEvent::Decision {
            number,
            outcome: body.outcome.column().to_owned(),
            hash: record.hash.clone(),
            gates_overridden: body.gates_overridden,
            reason: body.override_reason.clone(),
        };
        insert_event(
            &mut *tx,
            &self.launch,
            &self.actor,
            &PendingEvent::new(body.decided_at, event),
        )
        .await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Every record of this launch, oldest first.
    pub async fn decisions(&self) -> Result<Vec<StoredDecision>, DbError> {
        Ok(self.records_in(&self.pool).await?)
    }

    async fn records_in(
        &self,
        executor: impl sqlx::PgExecutor<'_>,
    ) -> Result<Vec<StoredDecision>, sqlx::Error> {
        let sql = format!(
            "SELECT {DECISION_COLUMNS} FROM gonogo.decisions WHERE launch = $1 ORDER BY number"
        );
        let rows: Vec<DecisionRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(&self.launch)
            .fetch_all(executor)
            .await?;
        Ok(rows.into_iter().map(StoredDecision::from).collect())
    }

    /// Every record and every `decision` journal line of this launch, read in one snapshot so
    /// a freeze committing meanwhile is seen whole (both) or not at all.
    pub async fn records_and_lines(
        &self,
    ) -> Result<(Vec<StoredDecision>, Vec<DecisionLine>), DbError> {
        let mut tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
        let records = self.records_in(&mut *tx).await?;
        let rows: Vec<LineRow> = sqlx::query_as(
            "SELECT id, data->>'number' AS number, data->>'hash' AS hash,
                    data->>'outcome' AS outcome FROM gonogo.journal
             WHERE launch = $1 AND kind = 'decision' ORDER BY id",
        )
        .bind(&self.launch)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((records, rows.into_iter().map(DecisionLine::from).collect()))
    }

    /// One record (`None`: the newest).
    pub async fn decision(&self, number: Option<u32>) -> Result<Option<StoredDecision>, DbError> {
        let sql = format!(
            "SELECT {DECISION_COLUMNS} FROM gonogo.decisions WHERE launch = $1
             AND ($2::int IS NULL OR number = $2) ORDER BY number DESC LIMIT 1"
        );
        let row: Option<DecisionRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(&self.launch)
            .bind(number.map(|n| i32::try_from(n).unwrap_or(i32::MAX)))
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(StoredDecision::from))
    }
}
