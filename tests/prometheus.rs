//! The Prometheus source against a real Prometheus (Debian's `prometheus`) started on loopback,
//! scraping a local exporter: vectors, scalars, no data, NaN, several series, bad PromQL, a path
//! prefix, and a sustained `for` gate through the monitor.

mod support;

use gonogo::gate::{Board, GateState, Value};
use gonogo::monitor::{Clock, Monitor};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use support::prometheus::{Prometheus, shared};
use support::{check, config, error_of, state_of, value_of};

fn prom_config(url: &str, gates: &str) -> gonogo::config::Config {
    config(&format!(
        "{}[prometheus]\nurl = \"{url}\"\n\n{gates}",
        support::LAUNCH
    ))
}

fn gate(id: &str, query: &str, pass: &str) -> String {
    format!(
        "[[gate]]\nid = \"{id}\"\nsource = \"prometheus\"\nquery = '{query}'\npass = \"{pass}\"\ntimeout = \"5s\"\n\n"
    )
}

#[tokio::test]
async fn one_sample_vector_gives_its_value() {
    let (_, prom) = shared();
    let cfg = prom_config(
        &prom.url(),
        &gate(
            "syn",
            r#"min(probe_success{job="synthetic-journey"})"#,
            "== 1",
        ),
    );
    let result = check(&cfg, "syn").await;
    assert_eq!(value_of(&result), Value::Number(1.0));
    assert_eq!(state_of(&cfg, result), GateState::Pass);
}

#[tokio::test]
async fn honoured_job_label_is_kept_and_shown() {
    let (_, prom) = shared();
    let cfg = prom_config(
        &prom.url(),
        &gate("syn", r#"probe_success{job="synthetic-journey"}"#, "== 1"),
    );
    let result = check(&cfg, "syn").await;
    let detail = result.outcome.as_ref().unwrap().detail.clone().unwrap();
    assert!(detail.contains("job=synthetic-journey"), "{detail}");
}

#[tokio::test]
async fn durations_from_time_arithmetic_compare_as_seconds() {
    let (_, prom) = shared();
    let cfg = prom_config(
        &prom.url(),
        &gate(
            "k6",
            "time() - max(k6_nightly_last_success_timestamp_seconds)",
            "< 30h",
        ),
    );
    let result = check(&cfg, "k6").await;
    let age = value_of(&result).as_number().unwrap();
    assert!((3.0 * 3600.0..3.0 * 3600.0 + 120.0).contains(&age), "{age}");
    assert_eq!(state_of(&cfg, result), GateState::Pass);
}

#[tokio::test]
async fn empty_vector_is_unknown_no_data() {
    let (_, prom) = shared();
    let cfg = prom_config(
        &prom.url(),
        &gate("none", r#"probe_success{job="does-not-exist"}"#, "== 1"),
    );
    let result = check(&cfg, "none").await;
    assert!(error_of(&result).contains("no data"));
    assert_eq!(state_of(&cfg, result), GateState::Unknown);
}

#[tokio::test]
async fn nan_is_unknown() {
    let (_, prom) = shared();
    let cfg = prom_config(&prom.url(), &gate("nan", "0/0", "== 1"));
    let result = check(&cfg, "nan").await;
    assert!(error_of(&result).contains("NaN"));
    assert_eq!(state_of(&cfg, result), GateState::Unknown);
}

#[tokio::test]
async fn two_series_are_unknown() {
    let (_, prom) = shared();
    let cfg = prom_config(&prom.url(), &gate("two", "gonogo_replica_up", "== 1"));
    let result = check(&cfg, "two").await;
    assert!(error_of(&result).contains("2 series"));
    assert_eq!(state_of(&cfg, result), GateState::Unknown);
}

#[tokio::test]
async fn scalar_gives_its_value() {
    let (_, prom) = shared();
    let cfg = prom_config(
        &prom.url(),
        &gate("sc", "scalar(sum(gonogo_replica_up)) + 41", "== 42"),
    );
    let result = check(&cfg, "sc").await;
    assert_eq!(value_of(&result), Value::Number(42.0));
    assert_eq!(state_of(&cfg, result), GateState::Pass);
}

#[tokio::test]
async fn bad_promql_is_unknown_with_bad_data() {
    let (_, prom) = shared();
    let cfg = prom_config(&prom.url(), &gate("bad", "sum(rate(", "== 1"));
    let started = Instant::now();
    let result = check(&cfg, "bad").await;
    let e = error_of(&result);
    assert!(e.contains("bad_data"), "{e}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "a 400 is not retried"
    );
    assert_eq!(state_of(&cfg, result), GateState::Unknown);
}

#[tokio::test]
async fn prometheus_down_is_unknown() {
    let url = format!("http://127.0.0.1:{}", support::free_port());
    let cfg = prom_config(&url, &gate("down", "vector(1)", "== 1"));
    let result = check(&cfg, "down").await;
    assert!(error_of(&result).contains("prometheus"));
    assert_eq!(state_of(&cfg, result), GateState::Unknown);
}

#[tokio::test]
async fn path_prefix_in_the_url_is_kept() {
    let prom = Prometheus::start(None, "/prometheus");
    let cfg = prom_config(&prom.url(), &gate("pre", "vector(7)", "== 7"));
    let result = check(&cfg, "pre").await;
    assert_eq!(value_of(&result), Value::Number(7.0));
    // Without the prefix the same server answers 404: the prefix really is in use.
    let bare = prom_config(
        &format!("http://127.0.0.1:{}", prom.port),
        &gate("pre", "vector(7)", "== 7"),
    );
    let result = check(&bare, "pre").await;
    assert_eq!(state_of(&bare, result), GateState::Unknown);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sustained_gate_goes_pending_then_fail_through_the_monitor() {
    let (exporter, prom) = shared();
    let text = format!(
        "{}[prometheus]\nurl = \"{}\"\n\n[[gate]]\nid = \"flap\"\nsource = \"prometheus\"\n\
         query = \"max(gonogo_flap)\"\npass = \"== 1\"\nevery = \"1s\"\ntimeout = \"3s\"\nfor = \"4s\"\n",
        support::LAUNCH,
        prom.url()
    );
    let cfg = config(&text);
    let clock = Clock::System;
    let mut board = Board::new(&cfg.gates, clock.now());
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    exporter.flap.store(0, Ordering::SeqCst);
    // Wait until Prometheus has scraped the failing value before the monitor starts.
    let started = Instant::now();
    loop {
        let r = check(&cfg, "flap").await;
        if r.outcome.as_ref().ok().map(|o| o.value.clone()) == Some(Value::Number(0.0)) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "scrape never saw 0"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let monitor = Monitor::spawn(support::sources(&cfg), &cfg.gates, clock, None, tx);
    let mut seen = Vec::new();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        let Ok(Some(result)) = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await else {
            panic!("the monitor stopped sending results");
        };
        if let Some(t) = board.apply(result) {
            seen.push((t.to, started.elapsed()));
        }
        if board.get("flap").unwrap().state == GateState::Fail {
            break;
        }
    }
    monitor.stop();
    exporter.flap.store(1, Ordering::SeqCst);
    let states: Vec<GateState> = seen.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        states,
        vec![GateState::Pending, GateState::Fail],
        "{seen:?}"
    );
    let failed_after = seen[1].1 - seen[0].1;
    assert!(
        failed_after >= Duration::from_millis(3900),
        "red after {failed_after:?}, `for` is 4s"
    );
}
