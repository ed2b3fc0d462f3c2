//! The webhook URL (a token in its path and query) and the signing secret, planted in the
//! config, never found in any output channel: `config check`, `alerts test` (against a
//! receiver that echoes them back, and against a dead one), `alerts list [--json]`,
//! `timeline [--json]`, `handoff`, the log files, the journal and alerts tables, the cockpit's
//! screen and the config's Debug.

mod support;

use gonogo::tui::CockpitOptions;
use gonogo::tui::driver::Driver;
use gonogo::tui::keymap::Keymap;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sqlx::PgPool;
use std::time::Duration;
use support::cli::{Env, run};
use support::receiver::{Answer, Receiver, serve};

const PATH_TOKEN: &str = "T0PSECRETPATHTOKEN";
const QUERY_TOKEN: &str = "tk-QUERYSECRET9";
const SIGNING: &str = "sig-SECRET-VALUE-42";

fn planted(text: &str) -> Vec<&'static str> {
    [
        PATH_TOKEN,
        QUERY_TOKEN,
        SIGNING,
        "QUERYSECRET",
        "SECRET-VALUE",
    ]
    .into_iter()
    .filter(|s| text.contains(s))
    .collect()
}

fn config_text(db: &str, port: u16) -> String {
    format!(
        "[launch]\nname = \"Secret launch\"\n\n[postgres]\nurl = \"{db}\"\n\n[alerts]\n\
         webhook_url = \"http://127.0.0.1:{port}/services/{PATH_TOKEN}?token={QUERY_TOKEN}\"\n\
         signing_secret = \"{SIGNING}\"\nmin_severity = \"info\"\ngroup_for = \"0s\"\n\n\
         [[gate]]\nid = \"age\"\ntitle = \"Export age\"\nsource = \"file_age\"\n\
         path = \"/nonexistent/export.csv\"\npass = \"< 1h\"\nevery = \"300ms\"\n"
    )
}

/// Answers 404 with everything it got, secrets included (a receiver that leaks).
fn echo() -> Answer {
    Answer::Echo(
        404,
        format!("no hook /services/{PATH_TOKEN}?token={QUERY_TOKEN} (secret {SIGNING})"),
    )
}

#[sqlx::test(migrations = false)]
async fn secrets_never_reach_any_output_channel(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    let db = support::db_url(&pool);
    let receiver = Receiver::new(SIGNING, vec![echo(), echo(), echo(), echo()]);
    let port = serve(receiver.clone()).port();
    let env = Env::new();
    let path = env.path().join("gonogo.toml");
    std::fs::write(&path, config_text(&db, port)).unwrap();
    let config_arg = path.to_str().unwrap().to_owned();
    let mut outputs = Vec::new();
    let mut cli = |args: &[&str]| {
        let mut all = vec!["--config", config_arg.as_str()];
        all.extend_from_slice(args);
        let (code, out, err) = run(&env, &all);
        outputs.push((args.join(" "), format!("{out}\n{err}")));
        (code, out, err)
    };

    let (code, out, _) = cli(&["config", "check"]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out, err) = cli(&["alerts", "test", "--severity", "critical"]);
    assert_eq!(code, Some(69), "{out}{err}");
    assert!(
        out.contains("HTTP 404"),
        "the receiver's answer is printed: {out}"
    );
    assert!(
        out.contains("[redacted]"),
        "its echo of the secrets is redacted: {out}"
    );
    let (code, out, _) = cli(&["alerts", "list"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("gave up (HTTP 404, 1 attempt)"), "{out}");
    let (_, out, _) = cli(&["alerts", "list", "--json"]);
    assert!(out.contains("\"delivery\":\"gave_up\""), "{out}");
    cli(&["timeline"]);
    let (_, out, _) = cli(&["timeline", "--json"]);
    assert!(out.contains("\"kind\":\"alert_delivery\""), "{out}");
    let (_, out, _) = cli(&["handoff"]);
    assert!(out.contains("## Alerts"), "{out}");
    let (_, out, _) = cli(&["handoff", "--format", "json"]);
    assert!(
        out.contains("\"section\": \"alerts\"") || out.contains("\"section\":\"alerts\""),
        "{out}"
    );

    // A dead receiver: the error message names no secret either.
    let dead = env.path().join("dead.toml");
    std::fs::write(&dead, config_text(&db, support::free_port())).unwrap();
    let (code, out, err) = run(
        &env,
        &[
            "--config",
            dead.to_str().unwrap(),
            "alerts",
            "test",
            "--within",
            "2s",
        ],
    );
    outputs.push((
        "alerts test (dead receiver)".into(),
        format!("{out}\n{err}"),
    ));
    assert_ne!(code, Some(0));

    // The cockpit: its alert news on screen and its timeline.
    let config = gonogo::config::load_str(&config_text(&db, port), &path).unwrap();
    outputs.push(("config Debug".into(), format!("{config:?}")));
    let mut driver =
        Driver::start(config, CockpitOptions::new("alice", Keymap::default())).unwrap();
    let said = driver
        .run_until(Duration::from_secs(10), |s| {
            s.status
                .as_ref()
                .is_some_and(|st| st.text.contains("not delivered"))
        })
        .await;
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    terminal
        .draw(|frame| gonogo::tui::render(&driver.state, frame))
        .unwrap();
    let screen: String = terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(said, "status: {:?}", driver.state.status);
    outputs.push(("cockpit screen".into(), screen));
    let rows: Vec<String> = driver
        .state
        .panes
        .timeline
        .rows()
        .iter()
        .map(|r| r.full_text())
        .collect();
    outputs.push(("cockpit timeline".into(), rows.join("\n")));
    driver.stop().await;

    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT row_to_json(j)::text FROM gonogo.journal j
         UNION ALL SELECT row_to_json(a)::text FROM gonogo.alerts a",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(tables.iter().any(|t| t.contains("alert_delivery")));
    outputs.push(("journal and alerts tables".into(), tables.join("\n")));
    for entry in std::fs::read_dir(env.logs())
        .into_iter()
        .flatten()
        .flatten()
    {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        outputs.push((format!("log {}", entry.path().display()), text));
    }

    for (channel, text) in &outputs {
        assert!(
            planted(text).is_empty(),
            "{channel} shows {:?}:\n{text}",
            planted(text)
        );
    }
    // The receiver did get the real URL and a valid signature: the secrets were used.
    let seen = receiver.seen();
    assert!(seen.iter().all(|r| r.signature_ok), "{seen:?}");
    assert!(seen[0].path.contains(PATH_TOKEN));
}
