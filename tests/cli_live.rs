//! `gonogo note`, `timeline` and `handoff` as processes: exit codes for every bad input and
//! fault, JSON shapes, `--follow` across a killed listener, and the shift take-over.

mod support;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};
use support::cli::{Env, run};

fn pg_env(pool: &sqlx::PgPool) -> Env {
    let env = Env::new();
    env.write_config(&format!(
        "decision_at = \"2099-11-24T18:00:00Z\"\n\n[postgres]\nurl = \"{}\"\n\n[[gate]]\nid = \"sql\"\ntitle = \"SQL gate\"\nsource = \"postgres\"\nquery = \"SELECT 1\"\npass = \"== 1\"\n",
        support::db_url(pool),
    ));
    env
}

#[test]
fn without_postgres_the_journal_commands_say_what_to_configure() {
    let env = Env::new();
    env.write_config(
        "[[gate]]\nid = \"a\"\nsource = \"file_age\"\npath = \"x\"\npass = \"< 1h\"\n",
    );
    for args in [&["note", "hello"][..], &["timeline"], &["handoff"]] {
        let (code, _, err) = run(&env, args);
        assert_eq!(code, Some(78), "{args:?}: {err}");
        assert!(err.contains("[postgres]"), "{err}");
    }
}

#[test]
fn an_unreachable_database_is_69_with_the_password_redacted() {
    let env = Env::new();
    let port = support::free_port();
    env.write_config(&format!(
        "[postgres]\nurl = \"postgres://gonogo:s3cretPassw0rd@127.0.0.1:{port}/x\"\n\n[[gate]]\nid = \"a\"\nsource = \"file_age\"\npath = \"x\"\npass = \"< 1h\"\n"
    ));
    for args in [&["note", "hello"][..], &["timeline"], &["handoff"]] {
        let (code, out, err) = run(&env, args);
        assert_eq!(code, Some(69), "{args:?}: {err}");
        assert!(!format!("{out}{err}").contains("s3cretPassw0rd"), "{err}");
        assert!(err.contains("unavailable"), "{err}");
    }
}

#[sqlx::test(migrations = false)]
async fn bad_input_is_refused_and_nothing_is_written(pool: sqlx::PgPool) {
    let env = pg_env(&pool);
    assert_eq!(run(&env, &["migrate"]).0, Some(0));
    let long = "x".repeat(2_001);
    let (code, _, err) = run(&env, &["note", &long]);
    assert_eq!(code, Some(64), "{err}");
    assert!(
        err.contains("2001 characters") && err.contains("2000"),
        "{err}"
    );
    let (code, _, err) = run(&env, &["note", "\u{1b}\u{7}  "]);
    assert_eq!(code, Some(64), "{err}");
    for args in [
        &["timeline", "--since", "yesterday"][..],
        &["handoff", "--since", "3 parsecs"],
    ] {
        let (code, _, err) = run(&env, args);
        assert_eq!(code, Some(64), "{args:?}: {err}");
        assert!(err.contains(&format!("`{}`", args[2])), "{err}");
    }
    let lines: i64 = sqlx::query_scalar("SELECT count(*) FROM gonogo.journal")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(lines, 0);
}

#[sqlx::test(migrations = false)]
async fn notes_are_cleaned_and_the_timeline_prints_them_as_text_and_json(pool: sqlx::PgPool) {
    let env = pg_env(&pool);
    assert_eq!(run(&env, &["migrate"]).0, Some(0));
    let (code, out, err) = run(
        &env,
        &[
            "--operator",
            "alice",
            "note",
            "db",
            "failover\u{1b}[31m",
            "ok",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("note recorded"), "{out}");
    let (code, out, _) = run(&env, &["timeline"]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("note") && out.contains("alice") && out.contains("db failover[31m ok"),
        "{out}"
    );
    assert!(!out.contains('\u{1b}'));
    let (code, out, _) = run(
        &env,
        &["timeline", "--json", "--kind", "note", "--since", "1h"],
    );
    assert_eq!(code, Some(0));
    let line: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(line["kind"], "note");
    assert_eq!(line["text"], "db failover[31m ok");
    assert_eq!(line["actor"], "alice");
    assert!(line["id"].is_i64() && line["at"].is_string() && line["recorded_at"].is_string());
    // A line written by a newer gonogo is shown raw, never a crash.
    sqlx::query(
        "INSERT INTO gonogo.journal (at, launch, kind, actor, message, data)
         VALUES (now(), 'Test launch', 'dispatch_run', 'bot', 'run started', '{\"batch\": 3}')",
    )
    .execute(&pool)
    .await
    .unwrap();
    let (code, out, _) = run(&env, &["timeline", "--json"]);
    assert_eq!(code, Some(0));
    let raw: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(raw["raw"], true);
    assert_eq!(raw["kind"], "dispatch_run");
    assert_eq!(raw["data"]["batch"], 3);
    let (_, text, _) = run(&env, &["timeline", "--kind", "dispatch_run"]);
    assert!(text.contains("run started"), "{text}");
}

#[sqlx::test(migrations = false)]
async fn handoff_reports_since_the_take_over_and_records_the_next_one(pool: sqlx::PgPool) {
    let env = pg_env(&pool);
    assert_eq!(run(&env, &["migrate"]).0, Some(0));
    assert_eq!(
        run(&env, &["--operator", "alice", "handoff", "--take-over"]).0,
        Some(0)
    );
    run(
        &env,
        &["--operator", "alice", "note", "watching the error budget"],
    );
    let (code, out, err) = run(&env, &["--operator", "bruno", "handoff", "--take-over"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.starts_with("# Shift handoff: Test launch"), "{out}");
    assert!(out.contains("Written by **bruno**"), "{out}");
    assert!(out.contains("alice took over the shift"), "{out}");
    assert!(out.contains("watching the error budget"), "{out}");
    assert!(
        out.contains("## Needs attention now") && out.contains("**sql**"),
        "{out}"
    );
    assert!(out.contains("decision call in"), "{out}");
    assert!(
        err.contains("bruno takes over the shift from alice"),
        "{err}"
    );
    let file = env.path().join("handoff.json");
    let (code, _, _) = run(
        &env,
        &[
            "handoff",
            "--format",
            "json",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(0));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(report["on_shift"]["operator"], "bruno");
    assert_eq!(report["period"]["basis"]["kind"], "take_over");
    let sections: Vec<&str> = report["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["section"].as_str().unwrap())
        .collect();
    assert_eq!(
        sections,
        ["verdict", "attention", "gates", "transitions", "actions"]
    );
    assert_eq!(
        report["sections"][0]["now"], "UNKNOWN",
        "nothing observed the gate"
    );
}

#[sqlx::test(migrations = false)]
async fn follow_streams_every_line_once_across_a_killed_listener(pool: sqlx::PgPool) {
    let env = pg_env(&pool);
    assert_eq!(run(&env, &["migrate"]).0, Some(0));
    let journal = gonogo::journal::Journal::new(pool.clone(), "Test launch", "writer");
    let note = |n: usize| gonogo::journal::JournalEvent::Note {
        text: format!("line {n}"),
    };
    journal.record_now(note(0)).await.unwrap();
    let mut follow = std::process::Command::new(env.bin())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", env.path())
        .current_dir(env.path())
        .args(["timeline", "--follow", "--json", "--kind", "note"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = follow.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let _ = tx.send(line);
        }
    });
    let listening = || async {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let n: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'gonogo listener' AND datname = current_database()",
            )
            .fetch_one(&pool)
            .await
            .unwrap();
            if n == 1 {
                return;
            }
            assert!(Instant::now() < deadline, "the listener never connected");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    listening().await;
    for n in 1..=20 {
        journal.record_now(note(n)).await.unwrap();
        if n == 10 {
            sqlx::query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'gonogo listener' AND datname = current_database()",
            )
            .execute(&pool)
            .await
            .unwrap();
        }
    }
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(15);
    while got.len() < 21 && Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            let value: serde_json::Value = serde_json::from_str(&line).unwrap();
            got.push(value["text"].as_str().unwrap().to_owned());
        }
    }
    // A little longer: nothing more may come (no line twice).
    while let Ok(line) = rx.recv_timeout(Duration::from_millis(1_500)) {
        got.push(line);
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(follow.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let status = follow.wait().unwrap();
    let want: Vec<String> = (0..=20).map(|n| format!("line {n}")).collect();
    assert_eq!(got, want);
    assert_eq!(status.code(), Some(0));
    let mut err = String::new();
    std::io::Read::read_to_string(&mut follow.stderr.take().unwrap(), &mut err).unwrap();
    assert!(err.contains("live updates paused"), "{err}");
}
