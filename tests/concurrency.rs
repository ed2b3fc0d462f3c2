//! One slow or hung source never delays the others: a pass runs every gate concurrently, each
//! within its own deadline, and a hung poller does not hold up another gate's results.

mod support;

use axum::Router;
use axum::routing::get;
use gonogo::monitor::{Clock, Monitor, run_once};
use std::time::{Duration, Instant};

async fn hanging_server() -> String {
    let router = Router::new().route("/ok", get(|| async { "ok" })).route(
        "/hang",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            "late"
        }),
    );
    format!("http://{}", support::serve(router).await)
}

fn gates(base: &str, hanging: usize) -> String {
    let mut text = support::LAUNCH.to_owned();
    for i in 0..hanging {
        text.push_str(&format!(
            "[[gate]]\nid = \"hang{i}\"\nsource = \"http\"\nurl = \"{base}/hang\"\npass = \"== 200\"\ntimeout = \"1s\"\nevery = \"1s\"\n\n"
        ));
    }
    text.push_str(&format!(
        "[[gate]]\nid = \"fast\"\nsource = \"http\"\nurl = \"{base}/ok\"\npass = \"== 200\"\ntimeout = \"5s\"\nevery = \"1s\"\n\n\
         [[gate]]\nid = \"cmd\"\nsource = \"command\"\ncommand = [\"sh\", \"-c\", \"sleep 3; echo 1\"]\npass = \"== 1\"\ntimeout = \"1s\"\n\n"
    ));
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pass_takes_the_longest_timeout_not_the_sum() {
    let base = hanging_server().await;
    let cfg = support::config(&gates(&base, 5));
    let sources = support::sources(&cfg);
    let started = Instant::now();
    let clock = Clock::System;
    let t0 = clock.now();
    let results = run_once(&sources, &cfg.gates, &clock).await;
    let took = started.elapsed();
    // Six gates time out after 1s each: one after another that would be 6s.
    assert!(took < Duration::from_millis(2500), "pass took {took:?}");
    assert_eq!(results.len(), 7);
    for r in &results {
        match r.gate.as_str() {
            "fast" => assert!(r.outcome.is_ok()),
            _ => assert!(
                r.outcome.as_ref().unwrap_err().contains("timed out"),
                "{}: {:?}",
                r.gate,
                r.outcome
            ),
        }
    }
    // The fast gate finished before the first of the others timed out (each after 1s).
    let fast = results.iter().find(|r| r.gate == "fast").unwrap();
    let first_timeout = results
        .iter()
        .filter(|r| r.gate != "fast")
        .map(|r| r.observed_at)
        .min()
        .unwrap();
    assert!(
        fast.observed_at < first_timeout,
        "fast gate finished {:?} after the start, the first timeout {:?}",
        (fast.observed_at - t0).to_std(),
        (first_timeout - t0).to_std()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_poller_does_not_hold_up_another_gate() {
    let base = hanging_server().await;
    let cfg = support::config(&gates(&base, 1));
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let monitor = Monitor::spawn(support::sources(&cfg), &cfg.gates, Clock::System, None, tx);
    let mut fast = 0;
    // By the time the hanging gates report their first timeout, the fast gate has reported.
    loop {
        let r = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("the monitor keeps reporting")
            .expect("the monitor is running");
        if r.gate == "fast" {
            fast += 1;
            continue;
        }
        assert!(
            r.outcome.as_ref().is_err_and(|e| e.contains("timed out")),
            "{} reported before its timeout: {:?}",
            r.gate,
            r.outcome
        );
        break;
    }
    assert!(fast >= 1, "the fast gate was held up");
    monitor.stop();
}
