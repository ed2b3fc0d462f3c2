//! `gonogo migrate` on real databases: idempotent, with or without a `users` table, never
//! touching a product-made `beta_invites`, and the seed's columns, defaults and indexes on a
//! fresh database. Plus the journal shared by two cockpits.

mod support;

use gonogo::gate::{GateState, Transition};
use gonogo::journal::Journal;
use sqlx::PgPool;

/// name, data type, nullable, default, max length: one row of information_schema.columns.
type Column = (String, String, String, Option<String>, Option<i32>);
type ColumnRef<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, Option<i32>);

async fn fk_exists(pool: &PgPool) -> bool {
    sqlx::query_scalar::<_, i64>(
        "SELECT count(*) FROM pg_constraint
         WHERE conrelid = 'public.beta_invites'::regclass AND contype = 'f'",
    )
    .fetch_one(pool)
    .await
    .unwrap()
        == 1
}

#[sqlx::test(migrations = false)]
async fn migrate_is_idempotent(pool: PgPool) {
    let all = gonogo::db::migrator().migrations.len();
    assert_eq!(gonogo::db::migrate(&pool).await.unwrap(), all);
    assert_eq!(gonogo::db::migrate(&pool).await.unwrap(), 0);
    assert_eq!(gonogo::db::migrate(&pool).await.unwrap(), 0);
    assert!(gonogo::db::has_journal(&pool).await.unwrap());
    // Bookkeeping lives in schema gonogo, not in the product's public schema.
    let public_tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(public_tables, vec!["beta_invites".to_string()]);
}

#[sqlx::test(migrations = false)]
async fn without_users_table_there_is_no_foreign_key(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    assert!(!fk_exists(&pool).await);
    sqlx::query("INSERT INTO beta_invites (code, email, cohort, sent_by) VALUES ('A', 'a@example.com', 'c', gen_random_uuid())")
        .execute(&pool)
        .await
        .unwrap();
}

#[sqlx::test(migrations = false)]
async fn with_users_table_sent_by_references_it(pool: PgPool) {
    support::database::users(&pool, &[]).await;
    gonogo::db::migrate(&pool).await.unwrap();
    assert!(fk_exists(&pool).await);
    let bad = sqlx::query("INSERT INTO beta_invites (code, email, cohort, sent_by) VALUES ('A', 'a@example.com', 'c', gen_random_uuid())")
        .execute(&pool)
        .await;
    assert!(bad.is_err(), "sent_by must reference an existing user");
}

#[sqlx::test(migrations = false)]
async fn users_with_a_non_uuid_id_gets_no_foreign_key(pool: PgPool) {
    sqlx::query("CREATE TABLE users (id bigint PRIMARY KEY)")
        .execute(&pool)
        .await
        .unwrap();
    gonogo::db::migrate(&pool).await.unwrap();
    assert!(!fk_exists(&pool).await);
}

#[sqlx::test(migrations = false)]
async fn product_beta_invites_is_left_untouched(pool: PgPool) {
    support::database::product_beta_invites(&pool).await;
    sqlx::query("ALTER TABLE beta_invites ADD COLUMN referral_source text DEFAULT 'organic'")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("COMMENT ON TABLE beta_invites IS 'owned by the product team'")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO beta_invites (code, email, cohort) VALUES ('KEEP', 'k@example.com', 'press-fr')")
        .execute(&pool)
        .await
        .unwrap();
    gonogo::db::migrate(&pool).await.unwrap();
    gonogo::db::migrate(&pool).await.unwrap();
    let comment: Option<String> =
        sqlx::query_scalar("SELECT obj_description('public.beta_invites'::regclass, 'pg_class')")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(comment.as_deref(), Some("owned by the product team"));
    let extra: Option<String> = sqlx::query_scalar(
        "SELECT column_default FROM information_schema.columns
         WHERE table_name = 'beta_invites' AND column_name = 'referral_source'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(extra.as_deref(), Some("'organic'::text"));
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM beta_invites WHERE code = 'KEEP'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(rows, 1);
    // gonogo's own indexes were not added to the product's table either.
    let indexes: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_indexes WHERE tablename = 'beta_invites' AND indexname LIKE 'idx_beta_invites_%'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(indexes, 0);
}

#[sqlx::test(migrations = false)]
async fn fresh_database_gets_the_seed_schema(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    let columns: Vec<Column> = sqlx::query_as(
        "SELECT column_name::text, data_type::text, is_nullable::text, column_default::text,
                character_maximum_length::int
         FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name = 'beta_invites' ORDER BY ordinal_position",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let expected: Vec<ColumnRef> = vec![
        ("id", "uuid", "NO", Some("gen_random_uuid()"), None),
        ("code", "character varying", "NO", None, Some(32)),
        ("email", "character varying", "NO", None, Some(320)),
        ("cohort", "character varying", "NO", None, Some(64)),
        ("used_at", "timestamp with time zone", "YES", None, None),
        (
            "expires_at",
            "timestamp with time zone",
            "NO",
            Some("(now() + '30 days'::interval)"),
            None,
        ),
        ("sent_by", "uuid", "YES", None, None),
        (
            "created_at",
            "timestamp with time zone",
            "NO",
            Some("now()"),
            None,
        ),
    ];
    let got: Vec<ColumnRef> = columns
        .iter()
        .map(|(a, b, c, d, e)| (a.as_str(), b.as_str(), c.as_str(), d.as_deref(), *e))
        .collect();
    assert_eq!(got, expected);
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT indexname::text, indexdef FROM pg_indexes WHERE tablename = 'beta_invites' ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let names: Vec<&str> = indexes.iter().map(|(n, _)| n.as_str()).collect();
    for wanted in [
        "idx_beta_invites_code",
        "idx_beta_invites_cohort",
        "idx_beta_invites_pending_expiry",
    ] {
        assert!(names.contains(&wanted), "{wanted} missing from {names:?}");
    }
    let pending = &indexes
        .iter()
        .find(|(n, _)| n == "idx_beta_invites_pending_expiry")
        .unwrap()
        .1;
    assert!(
        pending.contains("(expires_at)") && pending.contains("used_at IS NULL"),
        "{pending}"
    );
    let code = &indexes
        .iter()
        .find(|(n, _)| n == "idx_beta_invites_code")
        .unwrap()
        .1;
    assert!(code.starts_with("CREATE UNIQUE INDEX"), "{code}");
    let comment: Option<String> =
        sqlx::query_scalar("SELECT obj_description('public.beta_invites'::regclass, 'pg_class')")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        comment.as_deref(),
        Some("Soft-launch beta invitation tracking.")
    );
}

fn transition(to: GateState) -> Transition {
    Transition {
        gate: "testers".into(),
        title: "Testers signed up".into(),
        required: true,
        at: chrono::Utc::now(),
        from: GateState::Unknown,
        to,
        value: None,
        value_text: "42".into(),
        error: None,
    }
}

async fn gate_rows(pool: &PgPool) -> Vec<(Option<String>, String, String)> {
    sqlx::query_as(
        "SELECT from_state, to_state, actor FROM gonogo.journal WHERE kind = 'gate' ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrations = false)]
async fn two_cockpits_record_one_transition_once(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    for round in 0..10 {
        let alice = Journal::new(pool.clone(), format!("launch {round}"), "alice");
        let bob = Journal::new(pool.clone(), format!("launch {round}"), "bob");
        let t = transition(GateState::Fail);
        let (a, b) = tokio::join!(alice.record_transition(&t), bob.record_transition(&t));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert!(
            a ^ b,
            "round {round}: exactly one cockpit records it ({a}, {b})"
        );
    }
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM gonogo.journal WHERE kind = 'gate'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(rows, 10);
}

#[sqlx::test(migrations = false)]
async fn journal_history_reads_as_one_sequence(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    let alice = Journal::new(pool.clone(), "launch", "alice");
    let bob = Journal::new(pool.clone(), "launch", "bob");
    assert!(
        alice
            .record_transition(&transition(GateState::Pass))
            .await
            .unwrap()
    );
    assert!(
        !bob.record_transition(&transition(GateState::Pass))
            .await
            .unwrap()
    );
    assert!(
        bob.record_transition(&transition(GateState::Fail))
            .await
            .unwrap()
    );
    assert_eq!(
        gate_rows(&pool).await,
        vec![
            (None, "pass".into(), "alice".into()),
            (Some("pass".into()), "fail".into(), "bob".into()),
        ]
    );
    let recent = alice.recent(10).await.unwrap();
    assert_eq!(recent.len(), 2);
    assert_eq!(recent[0].to_state, Some(GateState::Fail));
}

#[sqlx::test(migrations = false)]
async fn journal_before_migrate_says_so(pool: PgPool) {
    let j = Journal::new(pool.clone(), "launch", "alice");
    let e = j
        .record_transition(&transition(GateState::Pass))
        .await
        .unwrap_err();
    assert!(matches!(e, gonogo::journal::JournalError::Missing), "{e}");
    assert!(!gonogo::db::has_journal(&pool).await.unwrap());
}
