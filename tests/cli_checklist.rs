//! `gonogo checklist`, `checklist tick/untick`, `vote`, `decide` and `decision show/verify` as an
//! operator runs them, against a real PostgreSQL: exit codes, the JSON shapes, ambiguous items,
//! refusals that name what is wrong, and `gonogo init` writing a checklist that loads.

mod support;

use sqlx::PgPool;
use support::cli::{Env, run};

const LIST: &str = "# Call\n\n## T-72h\n\n### Database\n\n- [ ] Migration applied to staging\n- [ ] Migration applied to prod\n- [x] Backup fresh\n\n## D-day\n\n- [ ] Always green <!-- gate: green -->\n";

fn env(pool: &PgPool) -> Env {
    let env = Env::new();
    std::fs::write(env.path().join("list.md"), LIST).unwrap();
    env.write_config(&format!(
        "decision_at = \"2030-01-01T18:00:00Z\"\n[postgres]\nurl = \"{}\"\n[checklist]\npath = \"list.md\"\n{}",
        support::db_url(pool),
        support::cli::command_gate("green", "[\"true\"]", "")
    ));
    env
}

#[sqlx::test(migrations = false)]
async fn the_checklist_from_the_command_line(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    let env = env(&pool);
    let (code, out, err) = run(&env, &["checklist"]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(out.contains("T-72h › Database  1/3"), "{out}");
    assert!(
        out.contains("[✓]") && out.contains("verified by gate green"),
        "{out}"
    );
    assert!(out.contains("2/4 done"), "{out}");

    let (code, _, err) = run(&env, &["checklist", "tick", "Migration applied"]);
    assert_eq!(code, Some(64), "{err}");
    assert!(
        err.contains("matches 2 items") && err.contains("Migration applied to prod"),
        "{err}"
    );
    let (code, _, err) = run(&env, &["checklist", "tick", "always green"]);
    assert_eq!(code, Some(64));
    assert!(err.contains("verified by the gate `green`"), "{err}");
    let (code, out, err) = run(
        &env,
        &[
            "--operator",
            "alice",
            "checklist",
            "tick",
            "to staging",
            "--note",
            "count(*) = 0",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("ticked \"Migration applied to staging\""),
        "{out}"
    );
    let (code, _, err) = run(&env, &["checklist", "untick", "backup", "--reason", ""]);
    assert_eq!(code, Some(64), "{err}");

    let (code, out, _) = run(&env, &["checklist", "--json", "--open"]);
    assert_eq!(code, Some(2));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let sections = json["sections"].as_array().unwrap();
    assert_eq!(
        sections[0]["path"],
        serde_json::json!(["T-72h", "Database"])
    );
    assert_eq!(
        (sections[0]["done"].as_u64(), sections[0]["total"].as_u64()),
        (Some(2), Some(3))
    );
    let items = sections[0]["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "only the open item: {items:?}");
    assert_eq!(items[0]["state"], "open");
    for key in [
        "id", "text", "state", "by", "at", "note", "due", "gate", "role",
    ] {
        assert!(items[0].get(key).is_some(), "{key}");
    }
    let (_, out, _) = run(&env, &["checklist", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let done = &json["sections"][0]["items"][0];
    assert_eq!(
        (
            done["state"].as_str(),
            done["by"].as_str(),
            done["note"].as_str()
        ),
        (Some("done"), Some("alice"), Some("count(*) = 0"))
    );

    let (code, _, _) = run(&env, &["checklist", "tick", "to prod"]);
    assert_eq!(code, Some(0));
    let (code, out, _) = run(&env, &["checklist"]);
    assert_eq!(code, Some(0), "every item done: exit 0\n{out}");
}

#[sqlx::test(migrations = false)]
async fn votes_and_decisions_from_the_command_line(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    let env = env(&pool);
    let (code, _, err) = run(&env, &["vote", "go", "--role", "janitor"]);
    assert_eq!(code, Some(64));
    assert!(
        err.contains("tech lead, product lead, on-call engineer"),
        "{err}"
    );
    let (code, _, err) = run(&env, &["vote", "no-go", "--role", "tech lead"]);
    assert_eq!(code, Some(64));
    assert!(err.contains("needs a note"), "{err}");
    let (code, out, _) = run(
        &env,
        &["--operator", "alice", "vote", "go", "--role", "tech lead"],
    );
    assert_eq!(code, Some(0));
    assert!(
        out.contains("waiting for: product lead, on-call engineer"),
        "{out}"
    );
    let (code, _, err) = run(&env, &["decide"]);
    assert_eq!(code, Some(64));
    assert!(
        err.contains("waiting for product lead, on-call engineer"),
        "{err}"
    );
    run(&env, &["vote", "go", "--role", "product lead"]);
    run(
        &env,
        &[
            "vote",
            "no-go",
            "--role",
            "on-call engineer",
            "--note",
            "replica lag",
        ],
    );
    let (code, out, err) = run(&env, &["--operator", "olivia", "decide", "--json"]);
    assert_eq!(code, Some(1), "a NO-GO: exit 1\n{err}");
    let record: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(record["number"], 1);
    assert_eq!(record["outcome"], "NO-GO");
    assert_eq!(record["decided_by"], "olivia");
    assert_eq!(record["gates"][0]["state"], "pass");
    assert_eq!(record["checklist"]["total"], 4);
    assert_eq!(record["prev_hash"], serde_json::Value::Null);
    assert_eq!(record["hash"].as_str().map(str::len), Some(64));

    let (code, out, _) = run(&env, &["decision", "show", "1"]);
    assert_eq!(code, Some(0));
    assert!(
        out.starts_with("### Decision 1 — Test launch: NO-GO"),
        "{out}"
    );
    let (code, out, _) = run(&env, &["decision", "show", "--format", "json"]);
    assert_eq!(code, Some(0));
    let shown: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(shown, record);
    let (code, _, _) = run(&env, &["decision", "show", "7"]);
    assert_eq!(code, Some(64));
    let (code, out, _) = run(&env, &["decision", "verify"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("1 decision record verified"), "{out}");

    sqlx::query("ALTER TABLE gonogo.decisions DISABLE TRIGGER decisions_insert_only")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE gonogo.decisions SET record = replace(record, 'replica lag', 'all fine')")
        .execute(&pool)
        .await
        .unwrap();
    let (code, _, err) = run(&env, &["decision", "verify"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("decision record 1 does not match"), "{err}");
}

#[test]
fn init_writes_a_checklist_that_loads() {
    let env = Env::new();
    let (code, out, err) = run(&env, &["init"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("SOFT_LAUNCH_BETA_2026_CHECKLIST.md"), "{out}");
    let config = gonogo::config::load(Some(&env.path().join("gonogo.toml")));
    // The starter config needs its environment variables; its checklist parses against its gates.
    let gates = [
        "testers",
        "sentry_p1",
        "status_page",
        "synthetic",
        "k6_nightly",
        "high_issues",
    ];
    let list = gonogo::checklist::load(
        &env.path().join("SOFT_LAUNCH_BETA_2026_CHECKLIST.md"),
        &gates,
    )
    .unwrap();
    assert_eq!(list.items.len(), 39);
    drop(config);
    let (_, out, _) = run(&env, &["init", "--force"]);
    assert!(out.contains("wrote"), "{out}");
    std::fs::write(
        env.path().join("SOFT_LAUNCH_BETA_2026_CHECKLIST.md"),
        "mine",
    )
    .unwrap();
    std::fs::remove_file(env.path().join("gonogo.toml")).unwrap();
    let (_, out, _) = run(&env, &["init"]);
    assert!(out.contains("kept the existing"), "{out}");
}

#[test]
fn a_missing_checklist_is_named() {
    let env = Env::new();
    env.write_config(&format!(
        "[checklist]\npath = \"nowhere.md\"\n{}",
        support::cli::command_gate("green", "[\"true\"]", "")
    ));
    let (code, _, err) = run(&env, &["checklist"]);
    assert_eq!(code, Some(74), "{err}");
    assert!(
        err.contains("nowhere.md") && err.contains("does not exist"),
        "{err}"
    );
}
