//! One pass of `gonogo check` (`monitor::run_once`) over 200 gates of every source kind on
//! loopback — HTTP against a local server, a Sentry-like server, a real Postgres (`DATABASE_URL`),
//! a real Prometheus, commands and file ages — with one gate hanging until its 2s timeout.
//! It shows the pass takes about the longest timeout, not the sum of the gates' latencies.
//!
//! Run: `DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench check_pass`
//! (`GONOGO_BENCH_PROMETHEUS=0` leaves the Prometheus gates out.)

#[path = "../tests/support/mod.rs"]
mod support;

use axum::Router;
use axum::routing::get;
use gonogo::gate::GateSpec;
use gonogo::monitor::{Clock, run_once};
use gonogo::source::Sources;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

const PASSES: usize = 7;
const HANG_TIMEOUT: &str = "2s";

fn main() {
    let database_url = support::database_url();
    let with_prometheus = std::env::var("GONOGO_BENCH_PROMETHEUS").map_or(true, |v| v != "0");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");

    let http = support::serve_in_thread(
        Router::new()
            .route("/health", get(|| async { "ok" }))
            .route(
                "/api/v2/status.json",
                get(|| async {
                    r#"{"status":{"indicator":"none","description":"All Systems Operational"}}"#
                }),
            )
            .route(
                "/hang",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    "too late"
                }),
            ),
    );
    let sentry = support::sentry::FakeSentry::start_in_thread(150);
    let prometheus = with_prometheus.then(support::prometheus::shared);
    let files = tempfile::tempdir().expect("temp dir");

    let mut text = format!(
        "{}[postgres]\nurl = \"{database_url}\"\n\n[sentry]\nurl = \"{}\"\norg = \"acme\"\ntoken = \"bench-token\"\n\n",
        support::LAUNCH,
        sentry.url()
    );
    if let Some((_, prom)) = prometheus {
        writeln!(text, "[prometheus]\nurl = \"{}\"\n", prom.url()).unwrap();
    }
    let mut kinds: Vec<&str> = Vec::new();
    let mut gate = |text: &mut String, kind: &'static str, body: String| {
        let id = kinds.len();
        kinds.push(kind);
        writeln!(
            text,
            "[[gate]]\nid = \"g{id:03}\"\nsource = \"{kind}\"\n{body}timeout = \"10s\"\n"
        )
        .unwrap();
    };
    for i in 0..60 {
        let body = if i % 2 == 0 {
            format!("url = \"http://{http}/health\"\npass = \"== 200\"\n")
        } else {
            format!(
                "url = \"http://{http}/api/v2/status.json\"\njson = \"/status/indicator\"\npass = \"== 'none'\"\n"
            )
        };
        gate(&mut text, "http", body);
    }
    for _ in 0..30 {
        gate(
            &mut text,
            "sentry",
            "query = \"is:unresolved issue.priority:high\"\npass = \"< 1000\"\n".into(),
        );
    }
    for _ in 0..40 {
        gate(
            &mut text,
            "postgres",
            "query = \"SELECT count(*) FROM pg_catalog.pg_class\"\npass = \"> 0\"\n".into(),
        );
    }
    for i in 0..30 {
        let body = if i % 2 == 0 {
            "command = [\"true\"]\npass = \"== 0\"\n".to_owned()
        } else {
            "command = [\"sh\", \"-c\", \"echo 5\"]\npass = \"== 5\"\n".to_owned()
        };
        gate(&mut text, "command", body);
    }
    let prom_gates = if prometheus.is_some() { 10 } else { 0 };
    for i in 0..prom_gates {
        let query = if i % 2 == 0 {
            r#"min(probe_success{job="synthetic-journey"})"#
        } else {
            "time() - max(k6_nightly_last_success_timestamp_seconds)"
        };
        gate(
            &mut text,
            "prometheus",
            format!("query = '{query}'\npass = \"< 30h\"\n"),
        );
    }
    let file_gates = 199 - (60 + 30 + 40 + 30 + prom_gates);
    for i in 0..file_gates {
        let path = files.path().join(format!("report-{i}.json"));
        std::fs::write(&path, "{}").expect("write a file");
        gate(
            &mut text,
            "file_age",
            format!("path = \"{}\"\npass = \"< 1h\"\n", path.display()),
        );
    }
    // The hanging gate, with its own (shorter) timeout.
    text.push_str(&format!(
        "[[gate]]\nid = \"hang\"\nsource = \"http\"\nurl = \"http://{http}/hang\"\npass = \"== 200\"\ntimeout = \"{HANG_TIMEOUT}\"\n"
    ));
    kinds.push("http (hanging)");

    let config = support::config(&text);
    assert_eq!(config.gates.len(), 200);
    let _guard = runtime.enter();
    let sources = support::sources(&config);
    let clock = Clock::System;

    // Warm-up: connections, the pool, the page cache.
    verify(&runtime.block_on(run_once(&sources, &config.gates, &clock)));

    let mut passes = Vec::with_capacity(PASSES);
    for _ in 0..PASSES {
        let started = Instant::now();
        let results = runtime.block_on(run_once(&sources, &config.gates, &clock));
        passes.push(started.elapsed());
        verify(&results);
    }
    passes.sort();
    let median = passes[PASSES / 2];

    let concurrent = runtime.block_on(latencies_concurrent(&sources, &config.gates, &clock));
    let sequential = runtime.block_on(latencies_sequential(&sources, &config.gates, &clock));
    let sum_concurrent: Duration = concurrent.iter().sum();
    let sum_sequential: Duration = sequential.iter().sum();
    let slowest_other = concurrent[..199].iter().max().copied().unwrap_or_default();

    println!("check_pass: 200 gates on loopback ({})", mix(&kinds));
    let row = |label: &str, value: String| println!("  {label:<36} {value}");
    row("hanging gate timeout:", HANG_TIMEOUT.to_owned());
    row(
        &format!("one pass (run_once), {PASSES} passes:"),
        format!(
            "median {:.3}s, min {:.3}s, max {:.3}s",
            median.as_secs_f64(),
            passes[0].as_secs_f64(),
            passes[PASSES - 1].as_secs_f64()
        ),
    );
    row(
        "sum of the gates' latencies:",
        format!(
            "{:.3}s one after another ({:.3}s without the hanging gate)",
            sum_sequential.as_secs_f64(),
            sum_sequential.saturating_sub(sequential[199]).as_secs_f64()
        ),
    );
    row(
        "sum of latencies within one pass:",
        format!(
            "{:.3}s (slowest non-hanging gate {:.3}s)",
            sum_concurrent.as_secs_f64(),
            slowest_other.as_secs_f64()
        ),
    );
    row(
        "median pass / hanging timeout:",
        format!("{:.2}", median.as_secs_f64() / 2.0),
    );
}

/// Every gate answered except the hanging one, which timed out.
fn verify(results: &[gonogo::gate::GateResult]) {
    for r in results {
        match (&r.outcome, r.gate.as_str()) {
            (Err(e), "hang") => assert!(e.contains("timed out"), "hang: {e}"),
            (Ok(_), "hang") => panic!("the hanging gate answered"),
            (Err(e), id) => panic!("gate {id} could not be checked: {e}"),
            (Ok(_), _) => {}
        }
    }
}

async fn latencies_concurrent(
    sources: &Sources,
    gates: &[GateSpec],
    clock: &Clock,
) -> Vec<Duration> {
    futures::future::join_all(gates.iter().map(|g| async move {
        let started = Instant::now();
        sources.check(g, clock).await;
        started.elapsed()
    }))
    .await
}

async fn latencies_sequential(
    sources: &Sources,
    gates: &[GateSpec],
    clock: &Clock,
) -> Vec<Duration> {
    let mut out = Vec::with_capacity(gates.len());
    for g in gates {
        let started = Instant::now();
        sources.check(g, clock).await;
        out.push(started.elapsed());
    }
    out
}

fn mix(kinds: &[&str]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for k in kinds {
        match counts.iter_mut().find(|(name, _)| name == k) {
            Some((_, n)) => *n += 1,
            None => counts.push((k, 1)),
        }
    }
    counts
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect::<Vec<_>>()
        .join(", ")
}
