//! Database checks: cohort emails that are already users of the product (`existing_user`) or
//! hold a pending, unexpired invite (`already_invited`). Both queries run in one READ ONLY
//! transaction with a statement timeout; emails compare lowercased.

use super::finding::{Code, Finding};
use super::report::{DatabaseChecks, Report};
use super::seen::SeenEmails;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use std::time::Duration;

/// Emails sent to the database per query.
const BATCH: usize = 5_000;

#[derive(Debug, thiserror::Error)]
pub enum CollisionError {
    #[error("[cohort] existing_users_query failed: {0}")]
    Users(String),
    #[error("checking pending invites failed: {0}")]
    Invites(String),
    #[error("database: {0}")]
    Db(String),
}

/// Runs both checks and adds their findings to the report (each on the email's first line).
pub async fn check_database(
    pool: &PgPool,
    report: &mut Report,
    emails: &SeenEmails,
    timeout: Duration,
) -> Result<(), CollisionError> {
    let findings = find(
        pool,
        &report.thresholds.existing_users_query,
        emails,
        timeout,
    )
    .await?;
    report.database = DatabaseChecks::Ran {
        emails: emails.len(),
    };
    report.add_findings(findings);
    Ok(())
}

/// The collision findings for these emails.
pub async fn find(
    pool: &PgPool,
    users_query: &str,
    emails: &SeenEmails,
    timeout: Duration,
) -> Result<Vec<Finding>, CollisionError> {
    let all: Vec<&str> = emails.iter().map(|(e, _)| e).collect();
    let users_sql = users_query.trim().trim_end_matches(';').trim();
    let users_sql = format!(
        "SELECT DISTINCT e FROM unnest($1::text[]) AS e
         WHERE e IN (SELECT lower(gonogo_users.email::text) FROM ({users_sql}
         ) AS gonogo_users(email))"
    );
    let mut tx = pool.begin().await.map_err(|e| db(&e))?;
    sqlx::query("SET TRANSACTION READ ONLY")
        .execute(&mut *tx)
        .await
        .map_err(|e| db(&e))?;
    let ms = timeout.as_millis().clamp(1, i32::MAX as u128);
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SET LOCAL statement_timeout = {ms}"
    )))
    .execute(&mut *tx)
    .await
    .map_err(|e| db(&e))?;
    let mut findings = Vec::new();
    for batch in all.chunks(BATCH) {
        let users: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(users_sql.clone()))
            .bind(batch)
            .fetch_all(&mut *tx)
            .await
            .map_err(|e| CollisionError::Users(message(&e)))?;
        for email in users {
            findings.push(Finding::new(
                Code::ExistingUser,
                emails.line_of(&email),
                Some(&email),
                "already a user of the product",
            ));
        }
        let invites: Vec<(String, DateTime<Utc>)> = sqlx::query_as(
            "SELECT lower(email), max(expires_at) FROM public.beta_invites
             WHERE used_at IS NULL AND expires_at > now() AND lower(email) = ANY($1::text[])
             GROUP BY 1",
        )
        .bind(batch)
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| CollisionError::Invites(message(&e)))?;
        for (email, expires) in invites {
            findings.push(Finding::new(
                Code::AlreadyInvited,
                emails.line_of(&email),
                Some(&email),
                &format!(
                    "has a pending invite (expires {})",
                    expires.format("%Y-%m-%d %H:%M UTC")
                ),
            ));
        }
    }
    let _ = tx.rollback().await;
    Ok(findings)
}

fn db(e: &sqlx::Error) -> CollisionError {
    CollisionError::Db(message(e))
}

fn message(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(d) => match d.code().as_deref() {
            Some("57014") => {
                "statement timeout: the query took longer than [defaults] timeout".into()
            }
            Some("25006") => format!("{} (cohort checks run read-only)", d.message()),
            Some("42P01") => format!("{} (run `gonogo migrate`, or fix the query)", d.message()),
            _ => d.message().to_owned(),
        },
        sqlx::Error::PoolTimedOut => "cannot connect to the database (timed out)".into(),
        other => other.to_string(),
    }
}
