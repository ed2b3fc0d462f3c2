//! The dispatch ledger's runs: their rows and heartbeats (the lease each renews), who is
//! declared dead and when (lease plus margin, never a process alive on this machine), what a
//! dead run's claims become (the hand-over mark and the server's start time decide), and who
//! could still hand a message over (for `resolve --as retry`).

use super::Ledger;
use crate::db::DbError;
use crate::invite::lease::LeaseTerms;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A run not ended: heartbeating, or stalled (no heartbeat within its lease).
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct LiveRun {
    pub id: Uuid,
    pub operator: String,
    pub host: String,
    pub batch: Option<String>,
    pub started_at: DateTime<Utc>,
    pub pid: i32,
    /// Seconds since its last heartbeat, when that is longer than its lease.
    pub stalled_for: Option<f64>,
}

/// Why a message may not be put back to be sent yet: the run that claimed it could still hand
/// it over.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClaimerAlive {
    pub email: String,
    pub run: Uuid,
    pub host: String,
    pub pid: i32,
    pub why: String,
}

/// A claimed `unknown` row and its run.
#[derive(sqlx::FromRow)]
struct ClaimRow {
    email: String,
    run: Uuid,
    host: String,
    pid: i32,
    process_key: Option<String>,
    /// The run did not end by itself (it is running, or was declared dead).
    not_self_ended: bool,
    /// Its lease plus margin is still running.
    lease_live: bool,
}

/// A run not ended, as the check for its process reads it.
#[derive(sqlx::FromRow)]
struct RunProcess {
    id: Uuid,
    host: String,
    pid: i32,
    process_key: Option<String>,
}

impl Ledger {
    /// Starts a run: its row, and (first) the rows of dead runs turned `unknown`.
    pub async fn start_run(
        &self,
        run: Uuid,
        batch: Option<&str>,
        operator: &str,
        host: &str,
        terms: LeaseTerms,
    ) -> Result<u64, DbError> {
        let settled = self.settle_dead_runs().await?;
        sqlx::query(
            "INSERT INTO gonogo.dispatch_run (id, launch, batch, operator, host, pid, lease_ms,
                 margin_ms, process_key)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(run)
        .bind(&self.launch)
        .bind(batch)
        .bind(operator)
        .bind(host)
        .bind(i32::try_from(std::process::id()).unwrap_or(0))
        .bind(terms.lease_ms())
        .bind(terms.margin_ms())
        .bind(crate::process::key(std::process::id()))
        .execute(&self.pool)
        .await?;
        Ok(settled)
    }

    /// Runs whose lease and margin have passed since their last heartbeat (or, on this host,
    /// whose process is gone) are ended as `died`; a run whose process is alive here is never
    /// declared dead (it shows as stalled). Of what a dead run held, a claim without a
    /// hand-over mark, on a server that has not restarted since the claim, was provably never
    /// handed over and goes back to `prepared`; the rest becomes `unknown`: it may have gone
    /// out. Returns how many turned `unknown`.
    pub async fn settle_dead_runs(&self) -> Result<u64, DbError> {
        let live: Vec<RunProcess> = sqlx::query_as(
            "SELECT id, host, pid, process_key FROM gonogo.dispatch_run
             WHERE launch = $1 AND ended_at IS NULL",
        )
        .bind(&self.launch)
        .fetch_all(&self.pool)
        .await?;
        let here = host_name();
        let (mut gone, mut alive) = (Vec::new(), Vec::new());
        for run in &live {
            if run.host != here || run.pid <= 0 {
                continue;
            }
            if crate::process::alive(run.pid, run.process_key.as_deref()) {
                alive.push(run.id);
            } else {
                gone.push(run.id);
            }
        }
        let unknown: i64 = sqlx::query_scalar(
            "WITH dead AS (
                 UPDATE gonogo.dispatch_run SET ended_at = now(), outcome = 'died',
                        reason = CASE WHEN id = ANY($2) THEN 'its process is gone'
                                 ELSE 'no heartbeat within its lease and margin' END
                 WHERE launch = $1 AND ended_at IS NULL AND NOT (id = ANY($3))
                   AND (id = ANY($2)
                        OR heartbeat_at + make_interval(secs => (lease_ms + margin_ms) / 1000.0)
                           < now())
                 RETURNING id),
             lost AS (
                 UPDATE gonogo.dispatch d SET
                        state = CASE WHEN d.handing_at IS NULL
                                      AND d.claim_pg_start = pg_postmaster_start_time()
                                 THEN 'prepared' ELSE 'unknown' END,
                        attempts = CASE WHEN d.handing_at IS NULL
                                         AND d.claim_pg_start = pg_postmaster_start_time()
                                   THEN greatest(d.attempts - 1, 0) ELSE d.attempts END,
                        orphaned = NOT (d.handing_at IS NULL
                                        AND d.claim_pg_start = pg_postmaster_start_time()),
                        updated_at = now(), next_attempt_at = NULL,
                        reason = CASE WHEN d.handing_at IS NULL
                                       AND d.claim_pg_start = pg_postmaster_start_time()
                                 THEN NULL
                                 ELSE 'the run handing it over stopped before recording an answer'
                                 END
                 WHERE d.state = 'sending'
                   AND (d.run_id IN (SELECT id FROM dead)
                        OR d.run_id IN (SELECT id FROM gonogo.dispatch_run r
                                        WHERE r.launch = $1 AND r.ended_at IS NOT NULL))
                 RETURNING d.id, d.run_id, d.state),
             history AS (
                 INSERT INTO gonogo.dispatch_history (dispatch_id, state, run_id, detail)
                 SELECT id, state, run_id, CASE WHEN state = 'prepared'
                     THEN 'claimed by a run that stopped, never handed over (no hand-over mark, and the database has not restarted since the claim)'
                     ELSE 'the run stopped before recording an answer' END
                 FROM lost)
             SELECT count(*) FILTER (WHERE state = 'unknown') FROM lost",
        )
        .bind(&self.launch)
        .bind(&gone)
        .bind(&alive)
        .fetch_one(&self.pool)
        .await?;
        Ok(unknown.unsigned_abs())
    }

    /// Says the run is alive; false when it has been ended (declared dead by another process
    /// after a silence): its claims are no longer its own, so it must stop.
    pub async fn heartbeat(&self, run: Uuid) -> Result<bool, DbError> {
        let done = sqlx::query(
            "UPDATE gonogo.dispatch_run SET heartbeat_at = now() WHERE id = $1 AND ended_at IS NULL",
        )
        .bind(run)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn end_run(&self, run: Uuid, outcome: &str, reason: &str) -> Result<(), DbError> {
        sqlx::query(
            "UPDATE gonogo.dispatch_run SET ended_at = now(), outcome = $2, reason = $3
             WHERE id = $1 AND ended_at IS NULL",
        )
        .bind(run)
        .bind(outcome)
        .bind(reason)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Other runs of this launch not ended: heartbeating, or stalled past their lease.
    pub async fn live_runs(&self, except: Option<Uuid>) -> Result<Vec<LiveRun>, DbError> {
        let runs = sqlx::query_as(
            "SELECT id, operator, host, batch, started_at, pid,
                    CASE WHEN heartbeat_at + make_interval(secs => lease_ms / 1000.0) < now()
                         THEN EXTRACT(EPOCH FROM now() - heartbeat_at)::float8 END AS stalled_for
             FROM gonogo.dispatch_run
             WHERE launch = $1 AND ended_at IS NULL AND ($2::uuid IS NULL OR id <> $2)
             ORDER BY started_at",
        )
        .bind(&self.launch)
        .bind(except)
        .fetch_all(&self.pool)
        .await?;
        Ok(runs)
    }

    /// Whether the last run of this launch that ended was paused (the next one resumes it).
    pub async fn last_run_paused(&self) -> Result<bool, DbError> {
        let outcome: Option<Option<String>> = sqlx::query_scalar(
            "SELECT outcome FROM gonogo.dispatch_run WHERE launch = $1 AND ended_at IS NOT NULL
             ORDER BY ended_at DESC LIMIT 1",
        )
        .bind(&self.launch)
        .fetch_optional(&self.pool)
        .await?;
        Ok(outcome.flatten().as_deref() == Some("paused"))
    }

    /// Of these `unknown` messages (by email key), those whose claiming run could still hand
    /// them over: its process alive on this machine, or its lease not yet past by its margin.
    /// A message the run itself settled `unknown` (its own answer) is not held.
    pub async fn claimers_alive(&self, emails: &[String]) -> Result<Vec<ClaimerAlive>, DbError> {
        let rows: Vec<ClaimRow> = sqlx::query_as(
            "SELECT d.email, r.id AS run, r.host, r.pid, r.process_key,
                    r.ended_at IS NULL OR r.outcome = 'died' AS not_self_ended,
                    r.heartbeat_at + make_interval(secs => (r.lease_ms + r.margin_ms) / 1000.0)
                        >= now() AS lease_live
             FROM gonogo.dispatch d JOIN gonogo.dispatch_run r ON r.id = d.run_id
             WHERE d.launch = $1 AND d.email_key = ANY($2) AND d.state = 'unknown'
               AND d.orphaned",
        )
        .bind(&self.launch)
        .bind(emails)
        .fetch_all(&self.pool)
        .await?;
        let here = host_name();
        Ok(rows
            .into_iter()
            .filter(|row| row.not_self_ended)
            .filter_map(|row| {
                let ClaimRow {
                    email,
                    run,
                    host,
                    pid,
                    process_key,
                    lease_live,
                    ..
                } = row;
                let alive = host == here
                    && pid > 0
                    && crate::process::alive(pid, process_key.as_deref());
                let why = if alive {
                    format!("its run's process (pid {pid}) is still alive on this machine, maybe stopped or stalled: it could still hand it over")
                } else if lease_live {
                    format!("its run (on {host}, pid {pid}) may still hold its lease: it could still hand it over")
                } else {
                    return None;
                };
                Some(ClaimerAlive {
                    email,
                    run,
                    host,
                    pid,
                    why,
                })
            })
            .collect())
    }
}

/// This machine's name, as runs record it: `GONOGO_DISPATCH_HOST` if set (the drills use it to
/// play a sender on another machine, whose process cannot be seen from here).
pub fn host_name() -> String {
    if let Some(host) = std::env::var("GONOGO_DISPATCH_HOST")
        .ok()
        .filter(|h| !h.trim().is_empty())
    {
        return host;
    }
    crate::process::host_name()
}
