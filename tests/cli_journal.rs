//! `gonogo check` and `gonogo migrate` as processes with a database: journal rows, the "not
//! recorded" note, and secrets kept out of output and the log file.

mod support;

use std::path::PathBuf;
use support::cli::{Env, command_gate, run};

#[test]
fn log_file_appears_without_secrets() {
    let env = Env::new();
    let token = "ghp_CliLogTestTokenValue0987654321";
    let port = support::free_port();
    env.write_config(&format!(
        "[[gate]]\nid = \"gh\"\nsource = \"http\"\nurl = \"http://127.0.0.1:{port}/search?access_token=${{GH_TOKEN}}\"\n\
         headers = {{ Authorization = \"Bearer ${{GH_TOKEN}}\" }}\njson = \"/total_count\"\npass = \"== 0\"\ntimeout = \"2s\"\n"
    ));
    let out = env
        .cmd()
        .env("GH_TOKEN", token)
        .env("RUST_LOG", "debug")
        .args(["check"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(!stdout.contains(token), "{stdout}");
    let files: Vec<PathBuf> = std::fs::read_dir(env.logs())
        .expect("log dir created")
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("gonogo") && name.ends_with("log"),
        "{name}"
    );
    let log = std::fs::read_to_string(&files[0]).unwrap();
    assert!(log.contains("gate could not be checked"), "{log}");
    assert!(
        log.contains("retrying HTTP request"),
        "RUST_LOG=debug is honoured: {log}"
    );
    assert!(!log.contains(token), "token in the log:\n{log}");
}

fn pg_env(pool: &sqlx::PgPool) -> Env {
    let env = Env::new();
    env.write_config(&format!(
        "[postgres]\nurl = \"{}\"\n\n[[gate]]\nid = \"sql\"\ntitle = \"SQL gate\"\nsource = \"postgres\"\nquery = \"SELECT 1\"\npass = \"== 1\"\n\n{}",
        support::db_url(pool),
        command_gate("bad", r#"["false"]"#, "")
    ));
    env
}

#[sqlx::test(migrations = false)]
async fn check_records_transitions_in_the_journal(pool: sqlx::PgPool) {
    let env = pg_env(&pool);
    let (code, out, err) = run(&env, &["migrate"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let all = gonogo::db::migrator().migrations.len();
    assert!(out.contains(&format!("applied {all} migrations")), "{out}");
    let (code, out, _) = run(&env, &["migrate"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("up to date"), "{out}");
    let (code, out, _) = run(&env, &["check", "--operator", "alice"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(!out.contains("journal: not recorded"), "{out}");
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT gate, to_state, actor, launch FROM gonogo.journal WHERE kind = 'gate' ORDER BY gate",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![
            (
                "bad".into(),
                "fail".into(),
                "alice".into(),
                "Test launch".into()
            ),
            (
                "sql".into(),
                "pass".into(),
                "alice".into(),
                "Test launch".into()
            ),
        ]
    );
    // A second pass with the same states adds nothing.
    run(&env, &["check", "--operator", "bob"]);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM gonogo.journal")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 2);
    // --no-journal writes nothing.
    sqlx::query("DELETE FROM gonogo.journal")
        .execute(&pool)
        .await
        .unwrap();
    run(&env, &["check", "--no-journal"]);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM gonogo.journal")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[sqlx::test(migrations = false)]
async fn check_without_migrations_says_the_journal_was_not_recorded(pool: sqlx::PgPool) {
    let env = pg_env(&pool);
    let (code, out, _) = run(&env, &["check"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("journal: not recorded (run `gonogo migrate`"),
        "{out}"
    );
    assert!(out.trim_end().ends_with("VERDICT: NO-GO"), "{out}");
    // --json stays one parseable object even then.
    let (_, out, _) = run(&env, &["check", "--json"]);
    serde_json::from_str::<serde_json::Value>(&out).expect("one JSON object");
}

#[test]
fn database_down_or_malformed_never_shows_its_password() {
    let env = Env::new();
    let password = "Db-Pa55w0rd-cli-7d2a";
    let port = support::free_port();
    let gate = "[[gate]]\nid = \"sql\"\nsource = \"postgres\"\nquery = \"SELECT 1\"\npass = \"== 1\"\ntimeout = \"2s\"\n";
    env.write_config(&format!("[postgres]\nurl = \"${{PG_URL}}\"\n\n{gate}"));
    let down = format!("postgres://gonogo:{password}@127.0.0.1:{port}/veza");
    for args in [vec!["check"], vec!["check", "--json"], vec!["migrate"]] {
        let out = env.cmd().env("PG_URL", &down).args(&args).output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let expected = if args[0] == "migrate" { 69 } else { 2 };
        assert_eq!(out.status.code(), Some(expected), "{args:?}: {text}");
        assert!(
            !text.contains(password),
            "{args:?} leaked the password: {text}"
        );
        if args[0] == "migrate" {
            assert!(text.contains("[redacted]@127.0.0.1"), "{text}");
        }
    }
    let malformed = format!("postgres://gonogo:{password}@127.0.0.1:notaport/veza");
    let out = env
        .cmd()
        .env("PG_URL", &malformed)
        .arg("check")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "{stderr}");
    assert!(!stderr.contains(password), "{stderr}");
    let log = std::fs::read_dir(env.logs())
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect::<String>();
    assert!(!log.contains(password), "{log}");
}

#[test]
fn debug_logging_never_writes_a_token_from_a_url_or_header() {
    use axum::response::Redirect;
    let router = axum::Router::new()
        .route(
            "/search",
            axum::routing::get(|| async { Redirect::temporary("/found") }),
        )
        .route(
            "/found",
            axum::routing::get(|| async { r#"{"total_count":0}"# }),
        );
    let addr = support::serve_in_thread(router);
    let env = Env::new();
    let token = "ghp_DebugLogTokenValue1122334455";
    env.write_config(&format!(
        "[[gate]]\nid = \"gh\"\nsource = \"http\"\nurl = \"http://{addr}/search?q=x&access_token=${{GH_TOKEN}}\"\n\
         headers = {{ Authorization = \"Bearer ${{GH_TOKEN}}\" }}\njson = \"/total_count\"\npass = \"== 0\"\n"
    ));
    for level in ["debug", "trace"] {
        let out = env
            .cmd()
            .env("GH_TOKEN", token)
            .env("RUST_LOG", level)
            .arg("check")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let log = std::fs::read_dir(env.logs())
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect::<String>();
    assert!(!log.is_empty());
    assert!(!log.contains(token), "token in the debug log:\n{log}");
}
