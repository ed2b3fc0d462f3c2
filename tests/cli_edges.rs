//! The command line's rough edges, as a newcomer meets them: no GO without a required check,
//! `init DIR`, `--interval` without `--watch`, the operator's name from the system, completions
//! and the man page, plurals, and `config check` warnings.

mod support;

use support::cli::{Env, command_gate, run};

#[test]
fn a_pass_with_no_required_gate_is_never_go() {
    let env = Env::new();
    env.write_config(&format!(
        "{}{}",
        command_gate("ok", r#"["true"]"#, ""),
        command_gate("info", r#"["true"]"#, "required = false")
    ));
    let (code, out, err) = run(&env, &["check", "--gate", "info"]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(!out.contains("VERDICT: GO"), "{out}");
    assert!(out.contains("nothing required was checked"), "{out}");
    assert!(out.trim_end().ends_with("VERDICT: UNKNOWN"), "{out}");
    let (code, out, _) = run(&env, &["check", "--gate", "info", "--json"]);
    assert_eq!(code, Some(2), "{out}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["verdict"], "UNKNOWN");
    assert!(doc["note"].as_str().unwrap().contains("nothing required"));
    // A required gate among them decides as before.
    let (code, out, _) = run(&env, &["check"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.trim_end().ends_with("VERDICT: GO"), "{out}");
}

#[test]
fn check_and_config_check_agree_about_a_config_without_gates() {
    let env = Env::new();
    env.write_config("");
    let (code, out, err) = run(&env, &["check"]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        out.contains("nothing required was checked: the config defines no [[gate]]"),
        "{out}"
    );
    assert!(out.trim_end().ends_with("VERDICT: UNKNOWN"), "{out}");
    let (code, out, err) = run(&env, &["config", "check"]);
    assert_eq!(code, Some(0), "valid, with a warning: {out}{err}");
    assert!(out.contains("is valid: 0 gates"), "{out}");
    assert!(
        err.contains("warning: no required gate: the config defines no [[gate]]")
            && err.contains("UNKNOWN (exit 2)"),
        "{err}"
    );
}

#[test]
fn config_check_warns_when_the_decision_call_is_past() {
    let env = Env::new();
    let path = env.path().join("past.toml");
    std::fs::write(
        &path,
        format!(
            "[launch]\nname = \"x\"\ndecision_at = \"2020-01-01T18:00:00Z\"\n{}",
            command_gate("ok", r#"["true"]"#, "")
        ),
    )
    .unwrap();
    let (code, out, err) = run(
        &env,
        &["config", "check", "--config", path.to_str().unwrap()],
    );
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("is valid: 1 gate\n"), "singular: {out}");
    assert!(
        err.contains("decision_at 2020-01-01T18:00:00Z is in the past"),
        "{err}"
    );
    // A future call has nothing to warn about.
    std::fs::write(
        &path,
        format!(
            "[launch]\nname = \"x\"\ndecision_at = \"2999-01-01T18:00:00Z\"\n{}",
            command_gate("ok", r#"["true"]"#, "")
        ),
    )
    .unwrap();
    let (_, _, err) = run(
        &env,
        &["config", "check", "--config", path.to_str().unwrap()],
    );
    assert!(!err.contains("warning"), "{err}");
}

#[test]
fn init_into_a_directory_writes_gonogo_toml_there() {
    let env = Env::new();
    let dir = env.path().join("ops");
    std::fs::create_dir(&dir).unwrap();
    let (code, out, err) = run(&env, &["init", "ops"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let written = std::fs::read_to_string(dir.join("gonogo.toml")).unwrap();
    assert!(written.contains("[[gate]]"));
    assert!(out.contains("ops/gonogo.toml"), "{out}");
    // The same never-clobber rule holds inside a directory.
    let (code, _, err) = run(&env, &["init", "ops"]);
    assert_eq!(code, Some(78), "{err}");
    assert!(err.contains("--force"), "{err}");
}

#[test]
fn interval_without_watch_is_a_usage_error_and_zero_has_our_message() {
    let env = Env::new();
    env.write_config(&command_gate("ok", r#"["true"]"#, ""));
    let (code, out, err) = run(&env, &["check", "--interval", "5"]);
    assert_eq!(code, Some(64), "{out}{err}");
    assert!(err.contains("--interval sets the pace of --watch"), "{err}");
    assert!(out.is_empty(), "no pass ran: {out}");
    let (code, _, err) = run(&env, &["check", "--watch", "--interval", "0"]);
    assert_eq!(code, Some(64), "{err}");
    assert!(err.contains("at least 1 second"), "{err}");
    assert!(!err.contains("1.."), "no clap range dump: {err}");
    // CHECK_INTERVAL in the environment does not break a single pass.
    let out = env
        .cmd()
        .arg("check")
        .env("CHECK_INTERVAL", "5")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = env
        .cmd()
        .args(["check", "--watch"])
        .env("CHECK_INTERVAL", "0")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("CHECK_INTERVAL: the interval must"));
}

#[test]
fn completions_for_every_shell_and_a_man_page() {
    let env = Env::new();
    for (shell, marker) in [
        ("bash", "_gonogo()"),
        ("zsh", "#compdef gonogo"),
        ("fish", "complete -c gonogo"),
        ("elvish", "edit:completion:arg-completer[gonogo]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let (code, out, err) = run(&env, &["completions", shell]);
        assert_eq!(code, Some(0), "{shell}: {err}");
        assert!(out.contains(marker), "{shell}: {out}");
        assert!(out.contains("cohort"), "{shell} completes subcommands");
    }
    let (code, _, _) = run(&env, &["completions", "tcsh"]);
    assert_eq!(code, Some(64));
    let (code, out, err) = run(&env, &["man"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.starts_with(".ie") || out.contains(".TH gonogo"),
        "{out}"
    );
    assert!(out.contains("completions"), "{out}");
}

#[test]
fn a_refused_database_is_said_at_once_naming_host_and_port() {
    let env = Env::new();
    let port = support::free_port();
    env.write_config(&format!(
        "[postgres]\nurl = \"postgres://gonogo@127.0.0.1:{port}/veza\"\n\n[[gate]]\nid = \"testers\"\nsource = \"postgres\"\nquery = \"SELECT 1\"\npass = \">= 1\"\ntimeout = \"8s\"\n"
    ));
    let started = std::time::Instant::now();
    let (code, out, err) = run(&env, &["check", "--no-journal"]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        out.contains(&format!("connection refused by 127.0.0.1:{port}")),
        "{out}"
    );
    assert!(!out.contains("timed out"), "{out}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(4),
        "not after the 8s timeout"
    );
}

#[test]
fn http_gate_errors_name_the_host() {
    let env = Env::new();
    let port = support::free_port();
    env.write_config(&format!(
        "[[gate]]\nid = \"status\"\nsource = \"http\"\nurl = \"http://user:s3cret-pw@127.0.0.1:{port}/health\"\npass = \"== 200\"\ntimeout = \"2s\"\n"
    ));
    let (code, out, err) = run(&env, &["check", "--json"]);
    assert_eq!(code, Some(2), "{out}{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let error = doc["gates"][0]["error"].as_str().unwrap();
    assert!(error.starts_with(&format!("127.0.0.1:{port}: ")), "{error}");
    assert!(!out.contains("s3cret-pw"), "{out}");
}

#[test]
fn a_refused_journal_is_said_at_once_too() {
    let env = Env::new();
    let port = support::free_port();
    env.write_config(&format!(
        "[postgres]\nurl = \"postgres://gonogo@127.0.0.1:{port}/veza\"\n\n{}",
        command_gate("ok", r#"["true"]"#, "")
    ));
    let started = std::time::Instant::now();
    let (code, out, err) = run(&env, &["check"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains(&format!(
            "journal: not recorded (connection refused by 127.0.0.1:{port}: nothing listens there"
        )),
        "{out}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "not after the 3s budget"
    );
}

/// One database failure, one exit code, whichever command meets it: 69 when the database cannot
/// be reached (README, "Exit codes").
#[test]
fn an_unreachable_database_is_69_for_invites_as_for_every_command() {
    let env = Env::new();
    let port = support::free_port();
    env.write_config(&format!(
        "[postgres]\nurl = \"postgres://gonogo@127.0.0.1:{port}/veza\"\n\n{}",
        command_gate("ok", r#"["true"]"#, "")
    ));
    for args in [
        &["invites", "status"][..],
        &[
            "invites",
            "resolve",
            "ana@example.org",
            "--as",
            "sent",
            "--reason",
            "seen",
        ],
        &["timeline"],
        &["alerts", "list"],
    ] {
        let (code, out, err) = run(&env, args);
        assert_eq!(code, Some(69), "{args:?}: {out}{err}");
    }
}

/// A database that answers but fails the call is 70 for `invites` as for `alerts` (`invites`
/// used to say 69, as if it could not be reached).
#[sqlx::test(migrations = false)]
async fn a_failing_database_call_is_70_for_invites_as_for_alerts(pool: sqlx::PgPool) {
    let env = Env::new();
    env.write_config(&format!(
        "[postgres]\nurl = \"{}\"\n\n[invites]\nfrom = \"beta@veza.fr\"\nsignup_url = \"https://veza.fr/signup\"\n\n{}",
        support::db_url(&pool),
        command_gate("ok", r#"["true"]"#, "")
    ));
    assert_eq!(run(&env, &["migrate"]).0, Some(0));
    sqlx::query("DROP TABLE gonogo.dispatch_run CASCADE")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("DROP TABLE gonogo.alerts CASCADE")
        .execute(&pool)
        .await
        .unwrap();
    for args in [&["invites", "status"][..], &["alerts", "list"]] {
        let (code, out, err) = run(&env, args);
        assert_eq!(code, Some(70), "{args:?}: {out}{err}");
    }
}
