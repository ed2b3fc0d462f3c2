//! The Postgres source on a real server (`#[sqlx::test]`, one database per test): value types,
//! the one-row-one-column rule, read-only enforcement, the statement timeout, several statements.

mod support;

use gonogo::gate::{GateState, Value};
use sqlx::PgPool;
use std::time::{Duration, Instant};
use support::{check, config, error_of, state_of, value_of};

async fn setup(pool: &PgPool) {
    gonogo::db::migrate(pool).await.expect("migrate");
    sqlx::query(
        "INSERT INTO beta_invites (code, email, cohort, used_at)
         SELECT 'CODE' || g, 'user' || g || '@example.com', 'creator-fr',
                CASE WHEN g <= 3 THEN now() END
         FROM generate_series(1, 5) AS g",
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("CREATE SEQUENCE gate_seq")
        .execute(pool)
        .await
        .unwrap();
}

fn pg_config(pool: &PgPool, gates: &[(&str, &str, &str)]) -> gonogo::config::Config {
    let mut text = format!(
        "{}[postgres]\nurl = \"{}\"\n\n",
        support::LAUNCH,
        support::db_url(pool)
    );
    for (id, query, pass) in gates {
        text.push_str(&format!(
            "[[gate]]\nid = \"{id}\"\nsource = \"postgres\"\nquery = \"\"\"{query}\"\"\"\npass = \"{pass}\"\ntimeout = \"2s\"\n\n"
        ));
    }
    config(&text)
}

async fn snapshot(pool: &PgPool) -> (i64, i64, i64) {
    let invites: i64 = sqlx::query_scalar("SELECT count(*) FROM beta_invites")
        .fetch_one(pool)
        .await
        .unwrap();
    let used: i64 =
        sqlx::query_scalar("SELECT count(*) FROM beta_invites WHERE used_at IS NOT NULL")
            .fetch_one(pool)
            .await
            .unwrap();
    let seq: i64 = sqlx::query_scalar("SELECT last_value FROM gate_seq")
        .fetch_one(pool)
        .await
        .unwrap();
    (invites, used, seq)
}

#[sqlx::test(migrations = false)]
async fn bigint_numeric_and_text_values(pool: PgPool) {
    setup(&pool).await;
    let cfg = pg_config(
        &pool,
        &[
            (
                "count",
                "SELECT count(*) FROM beta_invites WHERE used_at IS NOT NULL",
                ">= 3",
            ),
            ("ratio", "SELECT round(3::numeric / 4, 2)", ">= 0.5"),
            ("text", "SELECT 'ready'::text", "== 'ready'"),
            ("semicolon", "SELECT 1;", "== 1"),
        ],
    );
    let r = check(&cfg, "count").await;
    assert_eq!(value_of(&r), Value::Number(3.0));
    assert_eq!(state_of(&cfg, r), GateState::Pass);
    assert_eq!(value_of(&check(&cfg, "ratio").await), Value::Number(0.75));
    let r = check(&cfg, "text").await;
    assert_eq!(value_of(&r), Value::Text("ready".into()));
    assert_eq!(state_of(&cfg, r), GateState::Pass);
    assert_eq!(
        value_of(&check(&cfg, "semicolon").await),
        Value::Number(1.0)
    );
}

#[sqlx::test(migrations = false)]
async fn intervals_compare_as_durations(pool: PgPool) {
    setup(&pool).await;
    let cfg = pg_config(
        &pool,
        &[
            ("age", "SELECT now() - (now() - interval '2 hours')", "< 3h"),
            ("old", "SELECT interval '1 day 2 hours'", "< 3h"),
            ("month", "SELECT interval '1 month'", "== 720h"),
            ("negative", "SELECT interval '-90 seconds'", "< 0s"),
        ],
    );
    let r = check(&cfg, "age").await;
    assert_eq!(value_of(&r), Value::Number(7200.0));
    assert_eq!(state_of(&cfg, r), GateState::Pass);
    let r = check(&cfg, "old").await;
    assert_eq!(value_of(&r), Value::Number(93_600.0));
    assert_eq!(state_of(&cfg, r), GateState::Fail);
    assert_eq!(state_of(&cfg, check(&cfg, "month").await), GateState::Pass);
    assert_eq!(
        value_of(&check(&cfg, "negative").await),
        Value::Number(-90.0)
    );
}

#[sqlx::test(migrations = false)]
async fn wrong_shapes_and_null_are_unknown_with_a_reason(pool: PgPool) {
    setup(&pool).await;
    let cfg = pg_config(
        &pool,
        &[
            ("zero", "SELECT 1 WHERE false", "== 1"),
            (
                "two_rows",
                "SELECT * FROM (VALUES (1), (2)) AS t(n)",
                "== 1",
            ),
            ("two_cols", "SELECT 1 AS a, 2 AS b", "== 1"),
            (
                "null",
                "SELECT max(used_at) FROM beta_invites WHERE false",
                "== 1",
            ),
        ],
    );
    for (id, reason) in [
        ("zero", "no rows"),
        ("two_rows", "more than one row"),
        ("two_cols", "2 columns"),
        ("null", "NULL"),
    ] {
        let r = check(&cfg, id).await;
        let e = error_of(&r);
        assert!(e.contains(reason), "{id}: {e}");
        assert_eq!(state_of(&cfg, r), GateState::Unknown, "{id}");
    }
}

#[sqlx::test(migrations = false)]
async fn queries_that_write_fail_and_change_nothing(pool: PgPool) {
    setup(&pool).await;
    let before = snapshot(&pool).await;
    let cfg = pg_config(
        &pool,
        &[
            (
                "insert",
                "INSERT INTO beta_invites (code, email, cohort) VALUES ('X', 'x@example.com', 'c') RETURNING 1",
                "== 1",
            ),
            (
                "update",
                "UPDATE beta_invites SET used_at = now() RETURNING 1",
                "== 1",
            ),
            (
                "cte",
                "WITH gone AS (DELETE FROM beta_invites RETURNING 1) SELECT count(*) FROM gone",
                "== 0",
            ),
            ("nextval", "SELECT nextval('gate_seq')", "== 1"),
            (
                "lock",
                "SELECT count(*) FROM beta_invites FOR UPDATE",
                "== 1",
            ),
        ],
    );
    for id in ["insert", "update", "cte", "nextval", "lock"] {
        let r = check(&cfg, id).await;
        let e = error_of(&r);
        assert!(e.starts_with("postgres:"), "{id}: {e}");
        assert_eq!(state_of(&cfg, r), GateState::Unknown, "{id}");
    }
    assert_eq!(snapshot(&pool).await, before, "a gate changed data");
}

#[sqlx::test(migrations = false)]
async fn several_statements_are_refused(pool: PgPool) {
    setup(&pool).await;
    let before = snapshot(&pool).await;
    let cfg = pg_config(
        &pool,
        &[
            ("two", "SELECT 1; SELECT 2", "== 1"),
            (
                "sneaky",
                "SELECT 1) AS x; DELETE FROM beta_invites; SELECT * FROM (SELECT 1",
                "== 1",
            ),
            (
                "commit",
                "SELECT 1) AS x; COMMIT; DELETE FROM beta_invites; SELECT * FROM (SELECT 1",
                "== 1",
            ),
        ],
    );
    for id in ["two", "sneaky", "commit"] {
        let r = check(&cfg, id).await;
        assert_eq!(state_of(&cfg, r), GateState::Unknown, "{id}");
    }
    assert_eq!(snapshot(&pool).await, before);
}

#[sqlx::test(migrations = false)]
async fn slow_query_ends_unknown_within_about_the_timeout(pool: PgPool) {
    setup(&pool).await;
    let cfg = pg_config(&pool, &[("slow", "SELECT 1 FROM pg_sleep(30)", "== 1")]);
    let started = Instant::now();
    let r = check(&cfg, "slow").await;
    let took = started.elapsed();
    // Real Postgres, so real time: well short of the query's 30 s, with room for a busy machine.
    assert!(
        took < Duration::from_secs(8),
        "took {took:?} with a 2s timeout"
    );
    let e = error_of(&r);
    assert!(e.contains("timeout") || e.contains("timed out"), "{e}");
    assert_eq!(state_of(&cfg, r), GateState::Unknown);
    // The server-side statement was cancelled too: nothing is left running, long before the
    // 30 s the query would take by itself.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let running: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND state = 'active' AND pid <> pg_backend_pid()",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        if running == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the slow query is still running on the server"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[sqlx::test(migrations = false)]
async fn database_down_is_unknown_and_hides_the_password(pool: PgPool) {
    let _ = pool;
    let port = support::free_port();
    let text = format!(
        "{}[postgres]\nurl = \"postgres://gonogo:S3cr3t-Pa55@127.0.0.1:{port}/x\"\n\n\
         [[gate]]\nid = \"down\"\nsource = \"postgres\"\nquery = \"SELECT 1\"\npass = \"== 1\"\ntimeout = \"2s\"\n",
        support::LAUNCH
    );
    let cfg = config(&text);
    let r = check(&cfg, "down").await;
    let e = error_of(&r);
    assert!(!e.contains("S3cr3t-Pa55"), "{e}");
    assert_eq!(state_of(&cfg, r), GateState::Unknown);
}
