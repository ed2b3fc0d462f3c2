//! Dispatch against hostile data and servers, through the CLI and a real SMTP server: a server
//! echoing the AUTH exchange (PLAIN and LOGIN, accepting or refusing), a secret on the send
//! command's command line, a send from another directory than prepare's, recipient names that
//! hold template syntax or run past any header, and IDN domains spelled two ways.

mod support;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sqlx::PgPool;
use std::time::Duration;
use support::dispatch::Rig;
use support::smtp::SmtpServer;

const WAIT: Duration = Duration::from_secs(30);
const USER: &str = "mailer@veza.fr";
const PASSWORD: &str = "Pa55-w0rd_Secret-Välue";

/// Every form the credential travels in: PLAIN's blob, LOGIN's password, the password itself.
fn credential_forms() -> Vec<String> {
    let plain = STANDARD.encode(format!("\0{USER}\0{PASSWORD}"));
    let login = STANDARD.encode(PASSWORD);
    vec![
        plain.clone(),
        plain.trim_end_matches('=').to_owned(),
        login.clone(),
        login.trim_end_matches('=').to_owned(),
        PASSWORD.to_owned(),
    ]
}

/// Every stored trace of a run: ledger reasons, history, journal, the log files.
async fn stored_text(rig: &Rig) -> String {
    let mut text = String::new();
    for row in rig.ledger().await {
        text.push_str(&row.reason.unwrap_or_default());
        text.push('\n');
    }
    let history: Vec<String> =
        sqlx::query_scalar("SELECT coalesce(detail, '') FROM gonogo.dispatch_history")
            .fetch_all(&rig.pool)
            .await
            .unwrap();
    text.push_str(&history.join("\n"));
    for (kind, data) in rig.journal().await {
        text.push_str(&format!("{kind} {data}\n"));
    }
    let runs: Vec<String> =
        sqlx::query_scalar("SELECT row_to_json(r)::text FROM gonogo.dispatch_run r")
            .fetch_all(&rig.pool)
            .await
            .unwrap_or_default();
    text.push_str(&runs.join("\n"));
    for log in std::fs::read_dir(rig.path().join("logs"))
        .into_iter()
        .flatten()
        .flatten()
    {
        text.push_str(&std::fs::read_to_string(log.path()).unwrap_or_default());
    }
    text
}

#[sqlx::test(migrations = false)]
async fn an_echoed_auth_plain_accepted_is_never_shown(pool: PgPool) {
    echoed_auth(&pool, "PLAIN LOGIN", "accept").await;
}

#[sqlx::test(migrations = false)]
async fn an_echoed_auth_plain_refused_is_never_shown(pool: PgPool) {
    echoed_auth(&pool, "PLAIN LOGIN", "refuse").await;
}

#[sqlx::test(migrations = false)]
async fn an_echoed_auth_login_accepted_is_never_shown(pool: PgPool) {
    echoed_auth(&pool, "LOGIN", "accept").await;
}

#[sqlx::test(migrations = false)]
async fn an_echoed_auth_login_refused_is_never_shown(pool: PgPool) {
    echoed_auth(&pool, "LOGIN", "refuse").await;
}

/// A server offering `mechanisms` that quotes the credential back, accepting or refusing it:
/// nothing in any output or store shows any form of it.
async fn echoed_auth(db: &PgPool, mechanisms: &str, mode: &str) {
    {
        let server =
            SmtpServer::start_with(&[], &["--echo-auth", mode, "--auth-mechanisms", mechanisms]);
        let rig = Rig::new(db).await;
        rig.configure(
            &format!(
                "smtp_url = \"smtp://{}:${{SMTP_PASSWORD}}@127.0.0.1:{}?tls=none\"",
                USER.replace('@', "%40"),
                server.port()
            ),
            "rate = \"off\"",
            "",
        );
        let file = rig.clean_cohort("s.csv", 3);
        let mut outputs = String::new();
        let prepared = rig.run_with_password(
            PASSWORD,
            &mut outputs,
            &["invites", "prepare", file.to_str().unwrap(), "--json"],
        );
        assert_eq!(prepared, Some(0), "{outputs}");
        rig.run_with_password(
            PASSWORD,
            &mut outputs,
            &["invites", "test-send", "me@example.org"],
        );
        rig.run_with_password(PASSWORD, &mut outputs, &["invites", "send", "--yes"]);
        rig.run_with_password(
            PASSWORD,
            &mut outputs,
            &["invites", "send", "--yes", "--retry-failed"],
        );
        rig.run_with_password(PASSWORD, &mut outputs, &["invites", "status", "--json"]);
        rig.run_with_password(PASSWORD, &mut outputs, &["timeline", "--json"]);
        rig.run_with_password(PASSWORD, &mut outputs, &["config", "check"]);
        // The server did echo the credential, in the mechanism asked for.
        let auths: Vec<_> = server
            .replies()
            .into_iter()
            .filter(|r| r.stage == "auth")
            .collect();
        assert!(
            !auths.is_empty(),
            "{mechanisms} {mode}: no AUTH reached the server"
        );
        let first = mechanisms.split(' ').next().unwrap();
        assert!(
            auths.iter().all(|r| r.rule.as_deref() == Some(first)),
            "{auths:?}"
        );
        let states = rig.states().await;
        if mode == "accept" {
            server.wait_for(4, WAIT);
            assert_eq!(
                states.get("sent"),
                Some(&3),
                "{mechanisms}: {states:?}\n{outputs}"
            );
        } else {
            assert_eq!(states.get("sent"), None, "{states:?}");
            assert!(
                outputs.contains("535"),
                "{mechanisms}: the refusal is reported\n{outputs}"
            );
        }
        let stored = stored_text(&rig).await;
        for form in credential_forms() {
            assert!(
                !outputs.contains(&form),
                "{mechanisms} {mode}: `{form}` shown:\n{outputs}"
            );
            assert!(
                !stored.contains(&form),
                "{mechanisms} {mode}: `{form}` stored:\n{stored}"
            );
        }
    }
}

#[sqlx::test(migrations = false)]
async fn a_secret_on_the_send_command_line_is_warned_about_and_never_shown(pool: PgPool) {
    let server = SmtpServer::start(&[]);
    let rig = Rig::new(&pool).await;
    let msmtp = server.msmtp_cmd();
    rig.configure(&format!("send_cmd = \"{msmtp}\""), "rate = \"off\"", "");
    let file = rig.clean_cohort("s.csv", 1);
    rig.prepare(&file, "s");
    for (transport, env_cmd, warned) in [
        (
            format!("send_cmd = \"{msmtp} --password=hunter2-secret\""),
            None,
            true,
        ),
        (
            format!("send_cmd = \"{msmtp} --passwd hunter2-secret\""),
            None,
            true,
        ),
        (
            String::new(),
            Some(format!("{msmtp} --password=hunter2-secret")),
            true,
        ),
        (
            format!("send_cmd = \"{msmtp} --passwordeval='printenv SMTP_PASSWORD'\""),
            None,
            false,
        ),
        (format!("send_cmd = \"{msmtp}\""), None, false),
    ] {
        rig.configure(&transport, "rate = \"off\"", "");
        let run = |args: &[&str]| {
            let mut cmd = rig.command();
            if let Some(env_cmd) = &env_cmd {
                cmd.env("SEND_CMD", env_cmd);
            }
            let out = cmd.args(args).output().unwrap();
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).into_owned()
                    + &String::from_utf8_lossy(&out.stderr),
            )
        };
        let (code, checked) = run(&["config", "check"]);
        assert_eq!(code, Some(0), "{checked}");
        assert_eq!(
            checked.contains("passes a secret on its command line")
                && checked.contains("passwordeval"),
            warned,
            "{transport} {env_cmd:?}:\n{checked}"
        );
        let (_, planned) = run(&["invites", "send", "--dry-run"]);
        assert!(
            planned.contains("msmtp"),
            "the plan names the command: {planned}"
        );
        for text in [checked, planned] {
            assert!(
                !text.contains("hunter2"),
                "{transport} {env_cmd:?}:\n{text}"
            );
        }
    }
}

#[sqlx::test(migrations = false)]
async fn a_batch_prepared_in_one_directory_is_sent_from_any_other(pool: PgPool) {
    let server = SmtpServer::start(&[]);
    let rig = Rig::new(&pool).await;
    rig.configure(&Rig::smtp(&server.url()), "rate = \"off\"", "");
    rig.clean_cohort("s.csv", 4);
    // Prepared with the config named relative to the launch directory.
    let out = rig
        .command_without_config()
        .args([
            "--config",
            "gonogo.toml",
            "invites",
            "prepare",
            "s.csv",
            "--batch",
            "b",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let rows = rig.ledger().await;
    assert_eq!(rows.len(), 4);
    for row in &rows {
        let path = std::path::Path::new(&row.eml_path);
        assert!(path.is_absolute(), "{}", row.eml_path);
        assert_eq!(path, std::fs::canonicalize(path).unwrap());
    }
    // A row written by an older prepare, relative to the directory it ran in.
    let relative = format!("out/b/{}", rows[0].eml_path.rsplit('/').next().unwrap());
    sqlx::query("UPDATE gonogo.dispatch SET eml_path = $1 WHERE id = $2")
        .bind(&relative)
        .bind(rows[0].id)
        .execute(&pool)
        .await
        .unwrap();
    // The cockpit's message detail reads it from this process's directory, not the launch's.
    let loaded = gonogo::config::load(Some(&rig.config_path())).unwrap();
    let setup = gonogo::invite::Setup::new(&loaded.config, &loaded.path).unwrap();
    let ledger = gonogo::invite::Ledger::new(pool.clone(), setup.launch.clone());
    for row in &rows {
        let detail = gonogo::invite::status::message(&ledger, &setup, row.id)
            .await
            .unwrap();
        assert!(detail.preview.contains("Subject:"), "{}", detail.preview);
    }
    let elsewhere = tempfile::tempdir().unwrap();
    for args in [
        &["invites", "preview"][..],
        &["invites", "send", "--yes"][..],
    ] {
        let out = rig
            .command()
            .current_dir(elsewhere.path())
            .args(args)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    server.wait_for(4, WAIT);
    assert_eq!(rig.states().await.get("sent"), Some(&4));
}

#[sqlx::test(migrations = false)]
async fn names_are_data_however_they_look_and_never_make_a_long_header(pool: PgPool) {
    let server = SmtpServer::start(&[]);
    let rig = Rig::new(&pool).await;
    rig.configure(&Rig::smtp(&server.url()), "rate = \"off\"", "");
    let long_ascii = "Ana ".repeat(400);
    let long_unicode = "Zoë Ångström ".repeat(300);
    let names = [
        "{{ code }}".to_owned(),
        "{% if x %}Ana".to_owned(),
        "}}{{ Bob {#".to_owned(),
        long_ascii.clone(),
        long_unicode.clone(),
        "x".repeat(5_000),
    ];
    let rows: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, name)| format!("u{i}@example.org,creator-fr,\"{name}\","))
        .collect();
    let file = rig.cohort("n.csv", &rows);
    let (code, out, _) = rig.run(&[
        "cohort",
        "validate",
        file.to_str().unwrap(),
        "--offline",
        "--json",
    ]);
    assert_eq!(code, Some(2), "long names are soft: {out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let long: Vec<u64> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "long_name")
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(long, [5, 6, 7], "{out}");
    let (code, out, err) = rig.run(&["invites", "prepare", file.to_str().unwrap()]);
    assert_eq!(code, Some(1), "a soft finding needs --force: {out}{err}");
    assert!(out.contains("long_name"), "{out}{err}");
    let (code, out, err) = rig.run(&[
        "invites",
        "prepare",
        file.to_str().unwrap(),
        "--force",
        "--reason",
        "long names cut",
    ]);
    assert_eq!(code, Some(0), "{out}{err}");
    for row in rig.ledger().await {
        let eml = std::fs::read(&row.eml_path).unwrap();
        let text = String::from_utf8_lossy(&eml);
        let head = text.split("\r\n\r\n").next().unwrap();
        for line in head.split("\r\n") {
            assert!(line.len() <= 998, "{}: {} octets", row.email, line.len());
            if line.contains("=?utf-8?") {
                assert!(line.len() <= 78, "{}: {line}", row.email);
            }
        }
    }
    let (code, out, err) = rig.run(&["invites", "send", "--yes"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let got = server.wait_for(6, WAIT);
    for (i, name) in names.iter().enumerate() {
        let message = got
            .iter()
            .find(|m| m.to == [format!("u{i}@example.org")])
            .unwrap();
        let parsed = mail_parser::MessageParser::default()
            .parse(&message.raw)
            .unwrap();
        let shown = parsed
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.name())
            .unwrap_or_default();
        let expected: String = name.trim().chars().take(200).collect();
        assert_eq!(shown.trim(), expected.trim(), "u{i}");
        let text = message.text.clone().unwrap_or_default();
        if i < 3 {
            assert!(text.contains(name.as_str()), "u{i}: {text}");
        }
    }
}

#[test]
fn an_idn_domain_and_its_punycode_are_one_mailbox() {
    let env = support::cli::Env::new();
    env.write_config(
        "[cohort]\nmin_rows = 1\nmin_labels = 1\n[cohort.groups]\n\n[[gate]]\nid = \"g\"\nsource = \"command\"\ncommand = [\"true\"]\npass = \"== 0\"\n",
    );
    let rows = [
        "ana@bücher.example,creator-fr",
        "ana@xn--bcher-kva.example,creator-fr",
        "ANA@BÜCHER.EXAMPLE,creator-fr",
        "bo@ÉCOLE.example,creator-fr",
        "bo@xn--cole-9oa.example,creator-fr",
        "ana@bucher.example,creator-fr",
    ];
    let path = env.path().join("idn.csv");
    std::fs::write(&path, format!("email,cohort\n{}\n", rows.join("\n"))).unwrap();
    let (code, out, err) = support::cli::run(
        &env,
        &[
            "cohort",
            "validate",
            path.to_str().unwrap(),
            "--offline",
            "--json",
        ],
    );
    let report: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|_| panic!("{out}{err}"));
    let duplicates: Vec<u64> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "duplicate_email")
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(duplicates, [3, 4, 6], "{out}");
    assert_eq!(code, Some(1), "{out}");
}
