//! Database checks against a real Postgres: existing users and pending invites, compared
//! case-insensitively (non-ASCII too, whatever the collation); expired and used invites do not
//! count; the users query runs once, read-only and under a statement timeout.

mod support;

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
    support::database::users(pool, &["BOB@example.COM", "zed@example.com"]).await;
    gonogo::db::migrate(pool).await.unwrap();
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
    support::database::users(&pool, &[]).await;
    let err = users_check_error(&pool).await;
    assert!(err.contains("gonogo migrate"), "{err}");
}

/// The collision checks' error with the default users query.
async fn users_check_error(pool: &PgPool) -> String {
    let scan = cohort::validate(COHORT.as_bytes(), &settings()).unwrap();
    cohort::find_collisions(
        pool,
        "SELECT email FROM users",
        &scan.emails,
        Duration::from_secs(5),
    )
    .await
    .unwrap_err()
    .to_string()
}

#[sqlx::test(migrations = false)]
async fn without_a_users_table_the_error_does_not_say_to_migrate(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    let err = users_check_error(&pool).await;
    assert!(
        !err.contains("gonogo migrate"),
        "migrate makes no users table: {err}"
    );
    assert!(
        err.contains("users table is missing") && err.contains("existing_users_query"),
        "{err}"
    );
}

/// Postgres `lower()` under the C collation folds ASCII only: `ÉLODIE` stays `ÉLODIE`. The
/// comparison must not depend on the product database's collation.
#[sqlx::test(migrations = false)]
async fn non_ascii_case_pairs_match_under_the_c_collation(pool: PgPool) {
    support::database::users(&pool, &[]).await;
    sqlx::query("ALTER TABLE users ALTER COLUMN email TYPE varchar(320) COLLATE \"C\"")
        .execute(&pool)
        .await
        .unwrap();
    gonogo::db::migrate(&pool).await.unwrap();
    sqlx::query("ALTER TABLE beta_invites ALTER COLUMN email TYPE varchar(320) COLLATE \"C\"")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO users (email) VALUES ('ÉLODIE@x.fr'), ('ÉLODIE@X.FR')")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO beta_invites (code, email, cohort, expires_at) VALUES
         ('C1', 'JOSÉ@X.FR', 'listener-jazz', now() + interval '3 days'),
         ('C2', 'JOSÉ@x.fr', 'listener-jazz', now() + interval '9 days')",
    )
    .execute(&pool)
    .await
    .unwrap();
    let (lowered,): (String,) = sqlx::query_as("SELECT lower(email) FROM users LIMIT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        lowered, "Élodie@x.fr",
        "the column must show the C collation's lower()"
    );
    let csv = "email,cohort\nélodie@x.fr,creator-a\nJosé@x.fr,listener-jazz\nana@x.fr,press-b\n";
    let scan = cohort::validate(csv.as_bytes(), &settings()).unwrap();
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
            (Code::ExistingUser, Some(2), Some("élodie@x.fr")),
            (Code::AlreadyInvited, Some(3), Some("josé@x.fr")),
        ]
    );
    let expires = chrono::Utc::now() + chrono::Duration::days(9);
    assert!(
        report.findings[1]
            .message
            .contains(&expires.format("%Y-%m-%d").to_string()),
        "the latest of the two invites: {}",
        report.findings[1].message
    );
}

/// The operator's users query is arbitrary SQL over a table that may be large: it runs once per
/// check, however many cohort emails there are. The probe counts its runs in a transaction-local
/// setting (allowed read-only) and divides by zero on a second run.
#[sqlx::test(migrations = false)]
async fn the_users_query_runs_once_for_a_large_cohort(pool: PgPool) {
    setup(&pool).await;
    support::database::add_users(&pool, &["Person11999@Example.com"]).await;
    let mut csv = String::from("email,cohort\n");
    for i in 0..12_000 {
        csv.push_str(&format!("person{i}@example.com,creator-a\n"));
    }
    let scan = cohort::validate(csv.as_bytes(), &settings()).unwrap();
    let once = "SELECT u.email FROM users u, \
        (SELECT set_config('gonogo_probe.runs', \
            (coalesce(nullif(current_setting('gonogo_probe.runs', true), ''), '0')::int + 1)::text, \
            true)) AS probe(runs) \
        WHERE 1 / (2 - probe.runs::int) = 1";
    let findings = cohort::find_collisions(&pool, once, &scan.emails, Duration::from_secs(5))
        .await
        .unwrap();
    let users: Vec<(Option<u64>, Option<&str>)> = findings
        .iter()
        .filter(|f| f.code == Code::ExistingUser)
        .map(|f| (f.line, f.email.as_deref()))
        .collect();
    assert_eq!(users, [(Some(12_001), Some("person11999@example.com"))]);
}
