//! Decision records that cannot be forged or removed unnoticed: `gonogo decision verify`
//! (the real binary, a real PostgreSQL) against rows tampered with as the database's owner
//! would, triggers disabled where needed — the newest record deleted, a forged record with a
//! recomputed hash, another launch's record copied, a journal line removed, doubled or
//! rewritten — and the anchor kept outside the database (`--expect HASH`): passed, ended at,
//! or unknown.

mod support;

use gonogo::config::DecisionSettings;
use gonogo::decision::DecisionStore;
use gonogo::decision::{self, DecisionRecord, Evidence, Freeze, Outcome, RecordBody, VoteChoice};
use gonogo::gate::Verdict;
use sqlx::PgPool;
use support::cli::{Env, run};

/// The launch `support::LAUNCH` names in the config.
const LAUNCH: &str = "Test launch";

fn env(pool: &PgPool) -> Env {
    let env = Env::new();
    env.write_config(&format!(
        "[postgres]\nurl = \"{}\"\n{}",
        support::db_url(pool),
        support::cli::command_gate("green", "[\"true\"]", "")
    ));
    env
}

/// Freezes `count` NO-GO decisions for `launch` through the same use case `gonogo decide`
/// runs; returns their hashes, oldest first.
async fn freeze(pool: &PgPool, launch: &str, count: usize) -> Vec<String> {
    let settings = DecisionSettings::default();
    let store = DecisionStore::new(pool.clone(), launch, "alice");
    let mut hashes = Vec::new();
    for _ in 0..count {
        for role in &settings.roles {
            decision::vote(
                &store,
                &settings,
                role,
                VoteChoice::NoGo,
                Some("replica lag"),
                chrono::Utc::now(),
            )
            .await
            .unwrap();
        }
        let freeze = Freeze {
            settings: &settings,
            launch,
            now: chrono::Utc::now(),
            override_gates: None,
        };
        let evidence = Evidence {
            verdict: Verdict::NoGo,
            gates: vec![],
            checklist: None,
        };
        let record = decision::decide(&store, freeze, evidence).await.unwrap();
        hashes.push(record.hash);
    }
    hashes
}

async fn sql(pool: &PgPool, statement: &str) {
    sqlx::query(sqlx::AssertSqlSafe(statement.to_owned()))
        .execute(pool)
        .await
        .unwrap();
}

async fn disable_triggers(pool: &PgPool) {
    sql(
        pool,
        "ALTER TABLE gonogo.decisions DISABLE TRIGGER decisions_insert_only",
    )
    .await;
}

/// Runs `decision verify` and expects it to fail (exit 1); returns what it said.
fn refused(env: &Env, args: &[&str]) -> String {
    let (code, out, err) = run(env, &[&["decision", "verify"][..], args].concat());
    assert_eq!(code, Some(1), "{args:?} must fail\n{out}{err}");
    err
}

fn verified(env: &Env, args: &[&str]) -> String {
    let (code, out, err) = run(env, &[&["decision", "verify"][..], args].concat());
    assert_eq!(code, Some(0), "{args:?} must pass\n{out}{err}");
    out
}

/// Forges a GO as decision `number`, from record `from`'s text, chained after `prev` with its
/// hash recomputed, and inserts it (its columns read from its text) as a forger with SQL
/// access would. Returns the forged hash.
async fn forge(pool: &PgPool, from: i32, number: u32, prev: &str) -> String {
    let text: String =
        sqlx::query_scalar("SELECT record FROM gonogo.decisions WHERE launch = $1 AND number = $2")
            .bind(LAUNCH)
            .bind(from)
            .fetch_one(pool)
            .await
            .unwrap();
    let mut body: RecordBody = serde_json::from_str(&text).unwrap();
    body.number = number;
    body.outcome = Outcome::Go;
    body.prev_hash = Some(prev.to_owned());
    let forged = DecisionRecord::seal(body);
    sqlx::query(
        "INSERT INTO gonogo.decisions
           (launch, number, decided_at, decided_by, outcome, record, hash, prev_hash)
         SELECT r->>'launch', (r->>'number')::int, (r->>'decided_at')::timestamptz,
                r->>'decided_by', lower(r->>'outcome'), $1, $2, r->>'prev_hash'
         FROM (SELECT $1::json AS r) AS forged",
    )
    .bind(&forged.canonical)
    .bind(&forged.hash)
    .execute(pool)
    .await
    .unwrap();
    forged.hash
}

#[sqlx::test(migrations = false)]
async fn the_freeze_prints_its_hash_and_verify_checks_the_chain_against_it(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    let env = env(&pool);
    for role in ["tech lead", "product lead", "on-call engineer"] {
        let (code, _, err) = run(&env, &["vote", "go", "--role", role]);
        assert_eq!(code, Some(0), "{err}");
    }
    let (code, out, err) = run(&env, &["decide", "--json"]);
    assert_eq!(code, Some(0), "a GO: exit 0\n{out}{err}");
    let record: serde_json::Value = serde_json::from_str(&out).unwrap();
    let first = record["hash"].as_str().unwrap().to_owned();
    assert!(
        err.contains(&format!("gonogo decision verify --expect {first}")),
        "the freeze names its anchor: {err}"
    );
    let (code, shown, _) = run(&env, &["decision", "show"]);
    assert_eq!(code, Some(0));
    assert!(
        shown.contains(&format!("Record hash: `{first}`")),
        "{shown}"
    );

    let out = verified(&env, &["--expect", &first.to_uppercase()]);
    assert!(
        out.contains("1 decision record verified") && out.contains("the chain ends at"),
        "{out}"
    );
    let later = freeze(&pool, LAUNCH, 2).await;
    let out = verified(&env, &["--expect", &first]);
    assert!(
        out.contains(&format!(
            "the chain passes {first} (decision 1); 2 records came after it"
        )),
        "a hash in the middle of the chain passes: {out}"
    );
    assert!(
        out.contains(&format!("newest: decision 3, hash {}", later[1])),
        "{out}"
    );

    let unknown = "ab".repeat(32);
    let err = refused(&env, &["--expect", &unknown]);
    assert!(
        err.contains(&format!("the chain does not pass {unknown}")),
        "{err}"
    );
    let (code, _, err) = run(&env, &["decision", "verify", "--expect", "b614b9fd"]);
    assert_eq!(code, Some(64), "a cut hash is no anchor: {err}");
    assert!(err.contains("64 hexadecimal characters"), "{err}");
}

#[sqlx::test(migrations = false)]
async fn deleting_the_newest_record_is_caught_by_its_journal_line_and_by_the_anchor(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    let env = env(&pool);
    let hashes = freeze(&pool, LAUNCH, 3).await;
    verified(&env, &["--expect", &hashes[2]]);
    disable_triggers(&pool).await;
    sql(&pool, "DELETE FROM gonogo.decisions WHERE number = 3").await;
    let err = refused(&env, &[]);
    assert!(
        err.contains("decision record 3 is missing: journal line")
            && err.contains(&hashes[2])
            && err.contains("it was deleted"),
        "{err}"
    );

    // Remove its journal line too: the table and the journal agree again, only the anchor
    // kept outside the database still knows.
    sql(
        &pool,
        "DELETE FROM gonogo.journal WHERE kind = 'decision' AND data->>'number' = '3'",
    )
    .await;
    let out = verified(&env, &[]);
    assert!(out.contains("2 decision records verified"), "{out}");
    let err = refused(&env, &["--expect", &hashes[2]]);
    assert!(
        err.contains(&format!("the chain does not pass {}", hashes[2])),
        "{err}"
    );
    verified(&env, &["--expect", &hashes[1]]);

    // Everything gone: every journal line is a record missing.
    sql(&pool, "DELETE FROM gonogo.decisions").await;
    let err = refused(&env, &[]);
    assert!(err.contains("decision record 1 is missing"), "{err}");
}

#[sqlx::test(migrations = false)]
async fn a_forged_record_with_a_recomputed_hash_is_caught(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    let env = env(&pool);
    let hashes = freeze(&pool, LAUNCH, 2).await;

    // Appended: a GO that was never frozen, chained and hashed correctly, but no freeze wrote
    // its journal line.
    forge(&pool, 2, 3, &hashes[1]).await;
    let err = refused(&env, &[]);
    assert!(
        err.contains("decision record 3 does not match: it has no journal line"),
        "{err}"
    );
    // The anchor alone cannot see a record appended after it; the journal can.
    let err = refused(&env, &["--expect", &hashes[1]]);
    assert!(err.contains("decision record 3"), "{err}");

    // Replaced: record 2 rewritten as a GO, its hash recomputed; its journal line still
    // holds the hash it was frozen with.
    disable_triggers(&pool).await;
    sql(&pool, "DELETE FROM gonogo.decisions WHERE number >= 2").await;
    let forged = forge(&pool, 1, 2, &hashes[0]).await;
    let err = refused(&env, &[]);
    assert!(
        err.contains("decision record 2 does not match")
            && err.contains(&format!(
                "its hash {forged} differs from the hash {}",
                hashes[1]
            )),
        "{err}"
    );
    let err = refused(&env, &["--expect", &hashes[1]]);
    assert!(err.contains("decision record 2"), "{err}");
}

#[sqlx::test(migrations = false)]
async fn a_record_copied_from_another_launch_is_caught(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    let env = env(&pool);
    let other = freeze(&pool, "Other launch", 1).await;
    // Its row and its journal line both copied under this launch's name: the chain and the
    // journal agree, the hashed text does not.
    sql(
        &pool,
        "INSERT INTO gonogo.decisions
           (launch, number, decided_at, decided_by, outcome, record, hash, prev_hash)
         SELECT 'Test launch', number, decided_at, decided_by, outcome, record, hash, prev_hash
         FROM gonogo.decisions WHERE launch = 'Other launch'",
    )
    .await;
    sql(
        &pool,
        "INSERT INTO gonogo.journal (at, launch, kind, actor, message, data)
         SELECT at, 'Test launch', kind, actor, message, data
         FROM gonogo.journal WHERE launch = 'Other launch' AND kind = 'decision'",
    )
    .await;
    let err = refused(&env, &["--expect", &other[0]]);
    assert!(
        err.contains("decision record 1 does not match")
            && err.contains("names the launch `Other launch`"),
        "{err}"
    );
    // The other launch's own chain is untouched.
    let config = env.path().join("gonogo.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace(LAUNCH, "Other launch")).unwrap();
    verified(&env, &["--expect", &other[0]]);
}

#[sqlx::test(migrations = false)]
async fn a_removed_doubled_or_rewritten_journal_line_is_caught(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    let env = env(&pool);
    freeze(&pool, LAUNCH, 2).await;
    verified(&env, &[]);
    // The timeline and the alerts read the line: a NO-GO told as a GO there is caught.
    sql(
        &pool,
        "UPDATE gonogo.journal SET data = jsonb_set(data, '{outcome}', '\"go\"')
         WHERE kind = 'decision' AND data->>'number' = '1'",
    )
    .await;
    let err = refused(&env, &[]);
    assert!(
        err.contains("decision record 1 does not match")
            && err.contains("says the outcome was GO, the record says NO-GO"),
        "{err}"
    );
    sql(
        &pool,
        "UPDATE gonogo.journal SET data = jsonb_set(data, '{outcome}', '\"no-go\"')
         WHERE kind = 'decision' AND data->>'number' = '1'",
    )
    .await;
    verified(&env, &[]);
    sql(
        &pool,
        "INSERT INTO gonogo.journal (at, launch, kind, actor, message, data)
         SELECT at, launch, kind, actor, message, data
         FROM gonogo.journal WHERE kind = 'decision' AND data->>'number' = '2'",
    )
    .await;
    let err = refused(&env, &[]);
    assert!(
        err.contains("decision record 2 does not match: journal lines"),
        "{err}"
    );
    sql(
        &pool,
        "DELETE FROM gonogo.journal WHERE kind = 'decision' AND data->>'number' = '2'",
    )
    .await;
    sql(
        &pool,
        "DELETE FROM gonogo.journal WHERE kind = 'decision' AND data->>'number' = '1'",
    )
    .await;
    let err = refused(&env, &[]);
    assert!(
        err.contains("decision record 1 does not match: it has no journal line"),
        "{err}"
    );
}
