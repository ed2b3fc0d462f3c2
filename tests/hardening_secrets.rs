//! No secret in any output: secrets of several lengths and encodings planted in the config, a
//! hostile server echoing every header and the query back in its errors, and every channel
//! grepped — stdout, stderr, `--json`, the log file at `RUST_LOG=debug`, the journal rows and a
//! rendered cockpit frame — for every form of every secret.

mod support;
mod tui_support;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::get;
use base64::Engine;
use gonogo::clock::Clock;
use gonogo::tui::keymap::Keymap;
use gonogo::tui::state::State;
use gonogo::tui::theme::Theme;
use gonogo::tui::{Action, update};
use support::cli::Env;

const SENTRY_TOKEN: &str = "sn7";
const PROM_USER: &str = "grafuser";
const PROM_PASSWORD: &str = "p/w@d-Zr8Q";
const PROM_PASSWORD_IN_URL: &str = "p%2Fw%40d-Zr8Q";
const PROM_KEY: &str = "K3y-Hdr-9f";
const HTTP_TOKEN: &str = "Tk-Long-0123456789abcdefghijklmnopqrstuvwxyz-ZYXWVUTSRQPONM";
const QUERY_TOKEN: &str = "qT0k en";
const PG_PASSWORD: &str = "PgS3cret!x";
/// Interpolated into a gate's SQL: the database library logs the statement at debug.
const ENV_TOKEN: &str = "EnvQ-T0k3n-77";

/// Every form a planted secret may take on the way back.
fn forms() -> Vec<String> {
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{PROM_USER}:{PROM_PASSWORD}"));
    vec![
        SENTRY_TOKEN.into(),
        PROM_PASSWORD.into(),
        PROM_PASSWORD_IN_URL.into(),
        basic.clone(),
        basic[..12].to_owned(),
        PROM_KEY.into(),
        HTTP_TOKEN.into(),
        // A secret cut at an excerpt's edge must not leave its first part.
        HTTP_TOKEN[..14].to_owned(),
        QUERY_TOKEN.into(),
        "qT0k%20en".into(),
        "qT0k+en".into(),
        PG_PASSWORD.into(),
        "PgS3cret%21x".into(),
        ENV_TOKEN.into(),
    ]
}

fn assert_clean(channel: &str, text: &str) {
    for form in forms() {
        assert!(
            !text.contains(&form),
            "{channel} holds secret form {form:?}:\n{text}"
        );
    }
}

/// A server that quotes back every header and the query string it was sent, in error answers
/// shaped like Sentry's, Prometheus's and a plain health endpoint's.
fn hostile_server() -> std::net::SocketAddr {
    fn echo(headers: &HeaderMap, uri: &Uri) -> String {
        let mut all: Vec<String> = headers
            .iter()
            .map(|(k, v)| format!("{k}={}", String::from_utf8_lossy(v.as_bytes())))
            .collect();
        all.sort();
        format!("you sent {} to {uri}", all.join(" "))
    }
    let router = Router::new()
        .route(
            "/api/0/organizations/acme/issues/",
            get(|headers: HeaderMap, uri: Uri| async move {
                let detail = serde_json::json!({ "detail": echo(&headers, &uri) });
                (StatusCode::UNAUTHORIZED, detail.to_string())
            }),
        )
        .route(
            "/prom/api/v1/query",
            get(|headers: HeaderMap, uri: Uri| async move {
                let body = serde_json::json!({
                    "status": "error", "errorType": "bad_data", "error": echo(&headers, &uri),
                });
                (StatusCode::BAD_REQUEST, body.to_string())
            }),
        )
        .route(
            "/health",
            get(|headers: HeaderMap, uri: Uri| async move {
                // Padding puts the secrets around the excerpt's cut.
                let body = format!("{}{}", "x".repeat(120), echo(&headers, &uri));
                (StatusCode::INTERNAL_SERVER_ERROR, body)
            }),
        )
        .route(
            "/status.json",
            get(|headers: HeaderMap, uri: Uri| async move {
                serde_json::json!({ "status": echo(&headers, &uri) }).to_string()
            }),
        );
    support::serve_in_thread(router)
}

fn config_text(addr: std::net::SocketAddr, db_url: &str) -> String {
    let mut pg = url::Url::parse(db_url).unwrap();
    pg.set_password(Some(PG_PASSWORD)).unwrap();
    format!(
        r#"[postgres]
url = "{pg}"

[sentry]
url = "http://{addr}"
org = "acme"
token = "{SENTRY_TOKEN}"

[prometheus]
url = "http://{PROM_USER}:{PROM_PASSWORD_IN_URL}@{addr}/prom"
headers = {{ X-Api-Key = "{PROM_KEY}" }}

[[gate]]
id = "pg_secret"
source = "postgres"
query = "SELECT length('${{GATE_API_TOKEN}}') - 13"
pass = "== 0"

[[gate]]
id = "p1"
source = "sentry"
query = "is:unresolved"
pass = "== 0"
timeout = "3s"

[[gate]]
id = "prom"
source = "prometheus"
query = "up"
pass = "== 1"
timeout = "3s"

[[gate]]
id = "health"
source = "http"
url = "http://{addr}/health?access_token=qT0k%20en"
headers = {{ X-Auth-Token = "{HTTP_TOKEN}" }}
json = "/status"
pass = "== 'ok'"
timeout = "3s"

[[gate]]
id = "echoed_value"
source = "http"
url = "http://{addr}/status.json"
headers = {{ X-Auth-Token = "{HTTP_TOKEN}" }}
json = "/status"
pass = "== 'ok'"
timeout = "3s"
"#
    )
}

#[sqlx::test(migrations = false)]
async fn no_planted_secret_reaches_any_output(pool: sqlx::PgPool) {
    let addr = hostile_server();
    let env = Env::new();
    let text = config_text(addr, &support::db_url(&pool));
    env.write_config(&text);
    let run = |args: &[&str]| {
        let out = env
            .cmd()
            .env("RUST_LOG", "debug")
            .env("GATE_API_TOKEN", ENV_TOKEN)
            .args(args)
            .output()
            .unwrap();
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (out, err) = run(&["migrate"]);
    assert!(err.is_empty() || !err.contains("error"), "{out}{err}");
    let (out, err) = run(&["check"]);
    assert!(out.contains("VERDICT"), "{out}{err}");
    assert!(
        out.contains("[redacted]"),
        "the echo reached the output: {out}"
    );
    assert_clean("check stdout", &out);
    assert_clean("check stderr", &err);
    let (json, err) = run(&["check", "--json", "--no-journal"]);
    let _: serde_json::Value = serde_json::from_str(&json).expect("one JSON document");
    assert_clean("check --json", &json);
    assert_clean("check --json stderr", &err);
    let (out, err) = run(&["config", "check"]);
    assert_clean("config check", &out);
    assert_clean("config check stderr", &err);

    let mut log = String::new();
    for file in std::fs::read_dir(env.logs()).expect("log dir") {
        log.push_str(&std::fs::read_to_string(file.unwrap().path()).unwrap());
    }
    assert!(log.contains("DEBUG"), "RUST_LOG=debug took effect: {log}");
    assert!(
        log.contains("SELECT length('[redacted]')"),
        "the statement log is there, redacted: {log}"
    );
    assert_clean("log file", &log);

    let rows: Vec<String> = sqlx::query_scalar("SELECT row_to_json(j)::text FROM gonogo.journal j")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(!rows.is_empty(), "the check journaled its transitions");
    assert_clean("journal rows", &rows.join("\n"));

    // The cockpit's frame, fed the same hostile answers through the same sources.
    // SAFETY: no other test in this binary reads or writes this variable.
    unsafe { std::env::set_var("GATE_API_TOKEN", ENV_TOKEN) };
    let config = support::config(&format!("{}{text}", support::LAUNCH));
    for gate in &config.gates {
        assert_clean("the detail view's source line", &gate.source.describe());
    }
    let sources = support::sources(&config);
    let now = chrono::Utc::now();
    let mut state = State::new(
        &config,
        "olivia",
        false,
        Keymap::default(),
        Theme::plain(),
        now,
    );
    for gate in &config.gates {
        let result = sources.check(gate, &Clock::System).await;
        update(&mut state, Action::GateChecked(result));
    }
    let frame = tui_support::draw(&mut state, 200, 50);
    assert!(frame.contains("[redacted]"), "{frame}");
    assert_clean("cockpit frame", &frame);
}

/// A URL that does not parse is never shown, not even in part, by `config check` or `check`,
/// and both refuse it the same way.
#[test]
fn unparsable_urls_are_refused_alike_and_never_shown() {
    for url in [
        "http://admin:Unp4rs3d-pw@[::1:8080/x",
        "http://admin:Unp4rs3d-pw@host:99999/x",
        "http://admin:Unp4rs3d-pw@/x",
    ] {
        let env = Env::new();
        env.write_config(&format!(
            "[[gate]]\nid = \"h\"\nsource = \"http\"\nurl = \"{url}\"\npass = \"== 200\"\n"
        ));
        let (code_config, out_c, err_c) = support::cli::run(&env, &["config", "check"]);
        let (code_check, out, err) = support::cli::run(&env, &["check"]);
        assert_eq!(code_config, Some(78), "{url}: {out_c}{err_c}");
        assert_eq!(code_check, code_config, "{url}: {out}{err}");
        for text in [&out_c, &err_c, &out, &err] {
            assert!(!text.contains("Unp4rs3d"), "{url}: {text}");
            assert!(!text.contains("admin"), "{url}: {text}");
        }
        assert!(err_c.contains("[redacted URL] ("), "{url}: {err_c}");
    }
}
