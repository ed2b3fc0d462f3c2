//! Database checks: cohort emails that are already users of the product (`existing_user`) or
//! hold a pending, unexpired invite (`already_invited`). Both queries run once, in one READ ONLY
//! transaction with a statement timeout; their rows stream past and are lowercased here, in
//! Rust, exactly as the cohort's emails were ([`super::fold_case`]), so the comparison never
//! depends on the product database's collation (`lower()` under `C` folds ASCII only).

use super::finding::{Code, Finding};
use super::kept::FindingStore;
use super::report::{DatabaseChecks, Report};
use super::seen::SeenEmails;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use sqlx::PgPool;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum CollisionError {
    #[error("[cohort] existing_users_query failed: {0}")]
    Users(String),
    #[error("checking pending invites failed: {0}")]
    Invites(String),
    #[error("database: {0}")]
    Db(String),
}

/// How long both checks may take in all, given the per-statement timeout: the statement
/// timeout is the server's, per statement, so a stalled connection or a slow stream of a large
/// users table needs a deadline of the caller's own. The CLI and the cockpit use this one.
pub fn checks_deadline(statement_timeout: Duration) -> Duration {
    statement_timeout * 4 + Duration::from_secs(10)
}

/// Runs both checks and adds their findings to the report (each on the email's first line).
pub async fn check_database(
    pool: &PgPool,
    report: &mut Report,
    emails: &SeenEmails,
    timeout: Duration,
) -> Result<(), CollisionError> {
    check_database_with(pool, report, emails, timeout, |_| {}).await
}

/// [`check_database`], showing `on_finding` every finding, kept by the report or not (the
/// report keeps the first of each code only). The report changes only if both checks succeed.
pub async fn check_database_with(
    pool: &PgPool,
    report: &mut Report,
    emails: &SeenEmails,
    timeout: Duration,
    mut on_finding: impl FnMut(&Finding),
) -> Result<(), CollisionError> {
    let mut found = FindingStore::default();
    let query = &report.thresholds.existing_users_query;
    find_with(pool, query, emails, timeout, |finding| {
        on_finding(&finding);
        found.push(finding);
    })
    .await?;
    report.database = DatabaseChecks::Ran {
        emails: emails.len(),
    };
    report.add_store(found);
    Ok(())
}

/// The collision findings for these emails, collected (all of them: one per code and matching
/// email; [`check_database`] keeps only the first of each code).
pub async fn find(
    pool: &PgPool,
    users_query: &str,
    emails: &SeenEmails,
    timeout: Duration,
) -> Result<Vec<Finding>, CollisionError> {
    let mut findings = Vec::new();
    find_with(pool, users_query, emails, timeout, |f| findings.push(f)).await?;
    Ok(findings)
}

/// The collision findings for these emails, handed to `sink` one by one, at most one per code
/// and email, in no particular order.
pub async fn find_with(
    pool: &PgPool,
    users_query: &str,
    emails: &SeenEmails,
    timeout: Duration,
    mut sink: impl FnMut(Finding),
) -> Result<(), CollisionError> {
    let users_sql = users_query.trim().trim_end_matches(';').trim();
    // The operator's SQL, first column only, as text (it may be citext or varchar).
    let users_sql =
        format!("SELECT gonogo_users.email::text FROM ({users_sql}\n) AS gonogo_users(email)");
    let mut tx = crate::db::read_only(pool, timeout)
        .await
        .map_err(|e| CollisionError::Db(e.to_string()))?;

    let mut folded = String::new();
    let mut users_found: HashSet<u64> = HashSet::new();
    {
        let mut users =
            sqlx::query_scalar::<_, Option<String>>(sqlx::AssertSqlSafe(users_sql)).fetch(&mut *tx);
        while let Some(email) = users
            .try_next()
            .await
            .map_err(|e| CollisionError::Users(message(&e, USERS_MISSING)))?
        {
            let Some(email) = email else { continue };
            let Some(line) = lookup(emails, &email, &mut folded) else {
                continue;
            };
            if users_found.insert(line) {
                sink(Finding::at(
                    Code::ExistingUser,
                    line,
                    Some(&folded),
                    "already a user of the product",
                ));
            }
        }
    }

    // Several pending invites of one person (in any case) make one finding: the latest expiry.
    let mut invited: HashMap<u64, (String, DateTime<Utc>)> = HashMap::new();
    {
        let mut invites = sqlx::query_as::<_, (String, DateTime<Utc>)>(
            "SELECT email::text, max(expires_at) FROM public.beta_invites
             WHERE used_at IS NULL AND expires_at > now()
             GROUP BY 1",
        )
        .fetch(&mut *tx);
        while let Some((email, expires)) = invites
            .try_next()
            .await
            .map_err(|e| CollisionError::Invites(message(&e, INVITES_MISSING)))?
        {
            let Some(line) = lookup(emails, &email, &mut folded) else {
                continue;
            };
            let entry = invited
                .entry(line)
                .or_insert_with(|| (folded.clone(), expires));
            entry.1 = entry.1.max(expires);
        }
    }
    let _ = tx.rollback().await;
    for (line, (email, expires)) in invited {
        sink(Finding::at(
            Code::AlreadyInvited,
            line,
            Some(&email),
            &format!(
                "has a pending invite (expires {})",
                expires.format("%Y-%m-%d %H:%M UTC")
            ),
        ));
    }
    Ok(())
}

/// The cohort line of a database email, if the cohort has it; `folded` is left holding the
/// email lowercased (one buffer for every row of the stream).
fn lookup(emails: &SeenEmails, email: &str, folded: &mut String) -> Option<u64> {
    folded.clear();
    super::seen::push_folded(folded, email);
    emails.line_of_folded(folded)
}

/// What to do about a missing table: the users table is the product's, `beta_invites` is
/// created by `gonogo migrate` when the product has not.
const USERS_MISSING: &str = "the product's users table is missing: check [cohort] \
     existing_users_query and the database the config names";
const INVITES_MISSING: &str = "run `gonogo migrate`, which creates beta_invites";

fn message(e: &sqlx::Error, missing_hint: &str) -> String {
    let e = crate::db::classify(e);
    match e.kind {
        crate::db::DbErrorKind::StatementTimeout => {
            "statement timeout: the query took longer than [defaults] timeout".into()
        }
        crate::db::DbErrorKind::MissingTable => format!("{} ({missing_hint})", e.message),
        _ => e.message,
    }
}
