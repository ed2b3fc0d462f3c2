//! Database checks against a real Postgres: existing users and pending invites, compared
//! case-insensitively; expired and used invites do not count; the users query runs read-only
//! and under a statement timeout.

use gonogo::cohort::{self, Code, CohortSettings, DatabaseChecks, Status};
use sqlx::PgPool;
use std::time::Duration;

const COHORT: &str = "email,cohort\n\
ana@example.com,creator-vinyl\n\
Bob@Example.com,creator-vinyl\n\
carla@example.com,listener-jazz\n\
dan@example.com,listener-jazz\n\
eve@example.com,press-pitchfork\n\
fay@example.com,press-pitchfork\n";

async fn setup(pool: &PgPool) {
    sqlx::query(
        "CREATE TABLE users (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), email text NOT NULL)",
    )
    .execute(pool)
    .await
    .unwrap();
    gonogo::db::migrate(pool).await.unwrap();
    sqlx::query("INSERT INTO users (email) VALUES ('BOB@example.COM'), ('zed@example.com')")
        .execute(pool)
        .await
        .unwrap();
    // carla: pending; dan: expired; eve: used; fay: pending but in upper case.
    sqlx::query(
        "INSERT INTO beta_invites (code, email, cohort, used_at, expires_at) VALUES
         ('C1', 'carla@example.com', 'listener-jazz', NULL, now() + interval '10 days'),
         ('C2', 'dan@example.com', 'listener-jazz', NULL, now() - interval '1 day'),
         ('C3', 'eve@example.com', 'press-pitchfork', now() - interval '2 days', now() + interval '10 days'),
         ('C4', 'FAY@EXAMPLE.COM', 'press-pitchfork', NULL, now() + interval '3 days')",
    )
    .execute(pool)
    .await
    .unwrap();
}

fn settings() -> CohortSettings {
    CohortSettings {
        min_rows: 1,
        groups: Default::default(),
        min_labels: 1,
        ..CohortSettings::default()
    }
}

#[sqlx::test(migrations = false)]
async fn existing_users_and_pending_invites_are_soft_findings(pool: PgPool) {
    setup(&pool).await;
    let scan = cohort::validate(COHORT.as_bytes(), &settings()).unwrap();
    assert_eq!(scan.report.status, Status::Ok);
    let mut report = scan.report;
    cohort::check_database(&pool, &mut report, &scan.emails, Duration::from_secs(5))
        .await
        .unwrap();
    let found: Vec<(Code, Option<u64>, Option<&str>)> = report
        .findings
        .iter()
        .map(|f| (f.code, f.line, f.email.as_deref()))
        .collect();
    assert_eq!(
        found,
        [
            (Code::ExistingUser, Some(3), Some("bob@example.com")),
            (Code::AlreadyInvited, Some(4), Some("carla@example.com")),
            (Code::AlreadyInvited, Some(7), Some("fay@example.com")),
        ]
    );
    assert_eq!(report.status, Status::Warn);
    assert_eq!(report.database, DatabaseChecks::Ran { emails: 6 });
    assert!(report.findings[1].message.contains("pending invite"));
}

#[sqlx::test(migrations = false)]
async fn the_users_query_is_configurable(pool: PgPool) {
    setup(&pool).await;
    sqlx::query("CREATE TABLE accounts (login text)")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO accounts VALUES ('Ana@Example.com')")
        .execute(&pool)
        .await
        .unwrap();
    let scan = cohort::validate(COHORT.as_bytes(), &settings()).unwrap();
    let findings = cohort::find_collisions(
        &pool,
        "SELECT login FROM accounts;",
        &scan.emails,
        Duration::from_secs(5),
    )
    .await
    .unwrap();
    let users: Vec<&str> = findings
        .iter()
        .filter(|f| f.code == Code::ExistingUser)
        .filter_map(|f| f.email.as_deref())
        .collect();
    assert_eq!(users, ["ana@example.com"]);
}

#[sqlx::test(migrations = false)]
async fn the_users_query_runs_read_only(pool: PgPool) {
    setup(&pool).await;
    sqlx::query("CREATE SEQUENCE cohort_probe")
        .execute(&pool)
        .await
        .unwrap();
    let scan = cohort::validate(COHORT.as_bytes(), &settings()).unwrap();
    let err = cohort::find_collisions(
        &pool,
        "SELECT email || nextval('cohort_probe') FROM users",
        &scan.emails,
        Duration::from_secs(5),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("read-only"), "{err}");
    let value: Option<i64> =
        sqlx::query_scalar("SELECT last_value FROM cohort_probe WHERE is_called")
            .fetch_optional(&pool)
            .await
            .unwrap();
    assert_eq!(value, None, "the sequence must not have advanced");
}

#[sqlx::test(migrations = false)]
async fn the_users_query_has_a_statement_timeout(pool: PgPool) {
    setup(&pool).await;
    let scan = cohort::validate(COHORT.as_bytes(), &settings()).unwrap();
    let started = std::time::Instant::now();
    let err = cohort::find_collisions(
        &pool,
        "SELECT email FROM users WHERE pg_sleep(3) IS NOT NULL",
        &scan.emails,
        Duration::from_millis(300),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("statement timeout"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[sqlx::test(migrations = false)]
async fn without_beta_invites_the_error_says_to_migrate(pool: PgPool) {
    sqlx::query("CREATE TABLE users (email text)")
        .execute(&pool)
        .await
        .unwrap();
    let scan = cohort::validate(COHORT.as_bytes(), &settings()).unwrap();
    let err = cohort::find_collisions(
        &pool,
        "SELECT email FROM users",
        &scan.emails,
        Duration::from_secs(5),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("gonogo migrate"), "{err}");
}
