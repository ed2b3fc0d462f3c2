//! `/metrics` for Prometheus: a real `gonogo check --watch --metrics` on a config with a
//! PostgreSQL gate and a ledger, its scrape passed through `promtool check metrics` and scraped
//! by the real Prometheus, then queried back; the address rules of the flag and of `[metrics]`;
//! the cockpit serving it from `[metrics] listen`; and the Grafana dashboard's queries, each a
//! metric gonogo exports and each accepted by Prometheus.

mod support;

use gonogo::clock::Clock;
use serde_json::Value;
use sqlx::PgPool;
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::cli::Env;
use support::prometheus::Prometheus;

const DEADLINE: Duration = Duration::from_secs(30);

/// A running `gonogo check --watch`; its stdout lines arrive on a channel.
struct Watch {
    child: Child,
    out: support::lines::Lines,
}

impl Watch {
    fn start(env: &Env, args: &[&str]) -> Watch {
        let mut child = Command::new(env.bin())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", env.path())
            .env("GONOGO_LOG_DIR", env.logs())
            .current_dir(env.path())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = support::lines::Lines::of(&mut child);
        Watch { child, out }
    }

    fn expect(&mut self, needle: &str) -> String {
        self.out.expect(needle, DEADLINE)
    }

    /// The address `metrics: serving http://ADDR/metrics` names.
    fn metrics_addr(&mut self) -> SocketAddr {
        let line = self.expect("metrics: serving http://");
        let addr = line
            .trim_start_matches("metrics: serving http://")
            .trim_end_matches("/metrics");
        addr.parse().unwrap_or_else(|_| panic!("{line}"))
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A blocking GET on `addr`: (status, content type, body).
fn get(addr: SocketAddr, path: &str) -> Option<(u16, String, String)> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let content_type = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-type:")
                .map(|v| v.trim().to_owned())
        })
        .unwrap_or_default();
    Some((status, content_type, body.to_owned()))
}

/// Scrapes until the text has every line in `want` (each a prefix-free exact line).
fn scrape_until(addr: SocketAddr, want: &[String]) -> String {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let body = get(addr, "/metrics").map(|(_, _, b)| b).unwrap_or_default();
        if want.iter().all(|w| body.lines().any(|l| l == w)) {
            return body;
        }
        if Instant::now() > deadline {
            panic!("the scrape never had {want:#?}; last:\n{body}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `promtool check metrics` on `text`: it must pass with nothing to say (no lint warnings).
fn promtool_accepts(text: &str) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "`promtool` is not on PATH ({e}): apt-get install prometheus (scripts/test does)"
            )
        });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && said.trim().is_empty(),
        "promtool: {said}\n---\n{text}"
    );
}

/// An instant query on the real Prometheus; its `data.result`.
fn query(prom: &Prometheus, promql: &str) -> (u16, Value) {
    let url = format!(
        "{}/api/v1/query?{}",
        prom.url(),
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("query", promql)
            .finish()
    );
    let addr: SocketAddr = format!("127.0.0.1:{}", prom.port).parse().unwrap();
    let path = url.trim_start_matches(&format!("http://{addr}")).to_owned();
    let (status, _, body) = get(addr, &path).expect("prometheus answers");
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

fn query_until(prom: &Prometheus, promql: &str) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, v) = query(prom, promql);
        if let Some(r) = v["data"]["result"].as_array().filter(|r| !r.is_empty()) {
            return r.clone();
        }
        assert!(Instant::now() < deadline, "no samples for {promql}: {v}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

const LAUNCH_NAME: &str = r#"Beta "v2" \ wave"#;
const BATCH: &str = "wave \"1\"\nlate";

fn watch_config(url: &str) -> String {
    format!(
        r#"[launch]
name = "Beta \"v2\" \\ wave"
environment = "production"

[postgres]
url = "{url}"

[[gate]]
id = "testers"
title = "Testers \"signed\" up"
source = "postgres"
query = "SELECT 42"
pass = ">= 40"
every = "1s"

[[gate]]
id = "smoke"
title = "Smoke"
source = "command"
command = ["sh", "-c", "echo 3"]
pass = "== 7"
every = "1s"
"#
    )
}

async fn dispatch_rows(pool: &PgPool) {
    for (i, state) in ["sent", "sent", "failed", "prepared"].iter().enumerate() {
        sqlx::query(
            "INSERT INTO gonogo.dispatch (launch, batch, email, email_key, cohort, invite_id,
                 message_id, eml_path, eml_sha256, state)
             VALUES ($1, $2, $3, $3, 'creator', gen_random_uuid(), $4, 'x.eml', '0', $5)",
        )
        .bind(LAUNCH_NAME)
        .bind(BATCH)
        .bind(format!("p{i}@example.com"))
        .bind(format!("<m{i}@example.com>"))
        .bind(state)
        .execute(pool)
        .await
        .unwrap();
    }
}

fn base() -> String {
    r#"launch="Beta \"v2\" \\ wave",environment="production""#.to_owned()
}

#[sqlx::test(migrations = false)]
async fn a_watch_serves_metrics_promtool_accepts_and_prometheus_scrapes(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    dispatch_rows(&pool).await;
    let env = Env::new();
    std::fs::write(
        env.path().join("gonogo.toml"),
        watch_config(&support::db_url(&pool)),
    )
    .unwrap();
    let addr = tokio::task::spawn_blocking(move || {
        let mut watch = Watch::start(&env, &["check", "--watch", "--metrics", "127.0.0.1:0"]);
        let addr = watch.metrics_addr();
        assert!(addr.ip().is_loopback(), "{addr}");
        watch.expect("VERDICT: NO-GO");
        let b = base();
        let text = scrape_until(
            addr,
            &[
                format!(r#"gonogo_gate_state{{{b},gate="testers",state="pass"}} 1"#),
                format!(r#"gonogo_gate_state{{{b},gate="smoke",state="fail"}} 1"#),
                format!(r#"gonogo_verdict{{{b},verdict="NO-GO"}} 1"#),
                format!(r#"gonogo_gate_value{{{b},gate="testers"}} 42"#),
                format!(
                    r#"gonogo_dispatch_messages{{{b},batch="wave \"1\"\nlate",state="sent"}} 2"#
                ),
                format!(r#"gonogo_alert_deliveries_total{{{b},outcome="delivered"}} 0"#),
            ],
        );
        let (status, content_type, _) = get(addr, "/metrics").unwrap();
        assert_eq!(status, 200);
        assert!(
            content_type.starts_with("text/plain; version=0.0.4"),
            "{content_type}"
        );
        assert!(text.contains(r#"title="Testers \"signed\" up""#), "{text}");
        promtool_accepts(&text);

        // The real Prometheus scrapes it and answers with the labels as they were.
        let prom = Prometheus::start(Some(addr), "");
        let states = query_until(&prom, r#"gonogo_gate_state{gate="testers"} == 1"#);
        assert_eq!(states.len(), 1, "{states:?}");
        let m = &states[0]["metric"];
        assert_eq!(m["state"], "pass");
        assert_eq!(m["launch"], LAUNCH_NAME);
        assert_eq!(m["environment"], "production");
        let verdict = query_until(&prom, "gonogo_verdict == 1");
        assert_eq!(verdict.len(), 1, "{verdict:?}");
        assert_eq!(verdict[0]["metric"]["verdict"], "NO-GO");
        assert_eq!(verdict[0]["metric"]["launch"], LAUNCH_NAME);
        let sent = query_until(&prom, r#"gonogo_dispatch_messages{state="sent"}"#);
        assert_eq!(sent[0]["metric"]["batch"], BATCH);
        assert_eq!(sent[0]["value"][1], "2");
        let age = query_until(&prom, r#"gonogo_gate_reading_age_seconds{gate="smoke"}"#);
        let age: f64 = age[0]["value"][1].as_str().unwrap().parse().unwrap();
        assert!(
            (0.0..5.0).contains(&age),
            "a 1s gate's reading is fresh: {age}"
        );

        // Every query of the dashboard is PromQL the real Prometheus takes.
        for expr in dashboard_queries() {
            let promql = expr
                .replace("$launch", ".*")
                .replace("$environment", ".*")
                .replace("$__range", "1h");
            let (status, v) = query(&prom, &promql);
            assert_eq!(
                (status, &v["status"]),
                (200, &Value::from("success")),
                "{promql}: {v}"
            );
        }
        let verdict_panel = query_until(
            &prom,
            r#"gonogo_verdict{launch=~".*", environment=~".*"} == 1"#,
        );
        assert_eq!(verdict_panel[0]["metric"]["verdict"], "NO-GO");
        addr
    })
    .await
    .unwrap();
    // The watch is gone, and so is its endpoint.
    assert!(TcpStream::connect(addr).is_err(), "{addr} still answers");
}

#[test]
fn a_public_address_needs_the_flag_and_metrics_need_a_watch() {
    let env = Env::new();
    env.write_config(&support::cli::command_gate("ok", r#"["true"]"#, ""));
    let (code, _, err) = support::cli::run(&env, &["check", "--watch", "--metrics", "0.0.0.0:0"]);
    assert_eq!(code, Some(64), "{err}");
    assert!(
        err.contains("0.0.0.0:0") && err.contains("--metrics-public"),
        "{err}"
    );

    let (code, _, err) = support::cli::run(&env, &["check", "--metrics", "127.0.0.1:0"]);
    assert_eq!(code, Some(64), "{err}");
    assert!(err.contains("--watch"), "{err}");

    let (code, _, err) = support::cli::run(&env, &["check", "--watch", "--metrics", "localhost"]);
    assert_eq!(code, Some(64), "{err}");
    assert!(err.contains("127.0.0.1:9464"), "{err}");

    // A port someone else holds is said at once, before anything is watched.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().to_string();
    let (code, out, err) = support::cli::run(&env, &["check", "--watch", "--metrics", &port]);
    assert_eq!(code, Some(69), "{out}{err}");
    assert!(
        err.contains(&format!("cannot serve metrics on {port}")),
        "{err}"
    );
    assert!(!out.contains("watching"), "{out}");

    let mut watch = Watch::start(
        &env,
        &[
            "check",
            "--watch",
            "--metrics",
            "0.0.0.0:0",
            "--metrics-public",
        ],
    );
    let addr = watch.metrics_addr();
    assert!(addr.ip().is_unspecified(), "{addr}");
    let local: SocketAddr = format!("127.0.0.1:{}", addr.port()).parse().unwrap();
    scrape_until(
        local,
        &[
            r#"gonogo_gate_state{launch="Test launch",environment="staging",gate="ok",state="pass"} 1"#
                .to_owned(),
        ],
    );
}

#[test]
fn metrics_config_errors_name_the_key_and_its_line() {
    let env = Env::new();
    let gate = support::cli::command_gate("ok", r#"["true"]"#, "");
    env.write_config(&format!("\n[metrics]\nlisten = \"9464\"\n{gate}"));
    let (code, _, err) = support::cli::run(&env, &["config", "check"]);
    assert_eq!(code, Some(78), "{err}");
    assert!(
        err.contains(":5:") && err.contains("listen") && err.contains("127.0.0.1:9464"),
        "{err}"
    );

    env.write_config(&format!("\n[metrics]\n\nlisten = \"0.0.0.0:9464\"\n{gate}"));
    let (code, _, err) = support::cli::run(&env, &["config", "check"]);
    assert_eq!(code, Some(78), "{err}");
    assert!(
        err.contains(":6:") && err.contains("[metrics] listen"),
        "{err}"
    );
    assert!(err.contains("`public = true` in [metrics]"), "{err}");

    env.write_config(&format!(
        "\n[metrics]\nlisten = \"0.0.0.0:9464\"\npublic = true\n{gate}"
    ));
    let (code, out, err) = support::cli::run(&env, &["config", "check"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("listen = \"0.0.0.0:9464\""), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cockpit_serves_metrics_from_its_config() {
    use gonogo::tui::CockpitOptions;
    use gonogo::tui::driver::Driver;
    use gonogo::tui::keymap::Keymap;
    let port = support::free_port();
    let config = support::config(&format!(
        "[launch]\nname = \"Cockpit launch\"\n\n[metrics]\nlisten = \"127.0.0.1:{port}\"\n\n{}",
        support::cli::command_gate("smoke", r#"["sh", "-c", "exit 1"]"#, "every = \"1s\"")
    ));
    let mut cockpit =
        Driver::start(config, CockpitOptions::new("alice", Keymap::default())).unwrap();
    let failed = cockpit
        .run_until(DEADLINE, |s| {
            s.board
                .get("smoke")
                .is_some_and(|g| g.state == gonogo::gate::GateState::Fail)
        })
        .await;
    assert!(failed, "the cockpit saw the gate fail");
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let b = r#"launch="Cockpit launch",environment="staging""#;
    let want = [
        format!(r#"gonogo_gate_state{{{b},gate="smoke",state="fail"}} 1"#),
        format!(r#"gonogo_verdict{{{b},verdict="NO-GO"}} 1"#),
    ];
    let text = tokio::task::spawn_blocking(move || scrape_until(addr, &want))
        .await
        .unwrap();
    promtool_accepts(&text);
    let _ = cockpit.stop().await;
}

/// Every `expr` of the dashboard's panels and every variable's query.
fn dashboard_queries() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/grafana-dashboard.json");
    let dashboard: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut queries = Vec::new();
    for panel in dashboard["panels"].as_array().unwrap() {
        let targets = panel["targets"].as_array().unwrap();
        assert!(!targets.is_empty(), "{}", panel["title"]);
        for t in targets {
            queries.push(t["expr"].as_str().unwrap().to_owned());
        }
    }
    queries
}

#[test]
fn the_dashboard_reads_only_metrics_gonogo_exports() {
    let config = support::config("[launch]\nname = \"x\"\n");
    let exported: BTreeSet<String> = gonogo::metrics::Metrics::new(&config, Clock::System)
        .render()
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split(' ').next())
        .map(str::to_owned)
        .collect();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/grafana-dashboard.json");
    let dashboard: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut texts = dashboard_queries();
    for var in dashboard["templating"]["list"].as_array().unwrap() {
        texts.push(var["definition"].as_str().unwrap().to_owned());
    }
    let mut used = BTreeSet::new();
    for text in &texts {
        let mut rest = text.as_str();
        while let Some(i) = rest.find("gonogo_") {
            let name: String = rest[i..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            rest = &rest[i + name.len()..];
            used.insert(name);
        }
    }
    let unknown: Vec<&String> = used.difference(&exported).collect();
    assert!(
        unknown.is_empty(),
        "not exported: {unknown:?}; exported: {exported:?}"
    );
    for wanted in [
        "gonogo_verdict",
        "gonogo_gate_state",
        "gonogo_dispatch_messages",
        "gonogo_alert_deliveries_total",
    ] {
        assert!(used.contains(wanted), "the dashboard shows {wanted}");
    }
}
