//! HTTP sources through the real `Sources::check`: status pages, health endpoints
//! (checked-and-bad vs could-not-tell), redirects, and the shared retry policy (deadline,
//! connect-error retries, Retry-After, 429).

mod support;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use futures::StreamExt;
use gonogo::gate::{GateState, Value};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::{check, config, error_of, state_of, value_of};

fn http_gate(id: &str, url: &str, extra: &str, pass: &str) -> String {
    format!(
        "[[gate]]\nid = \"{id}\"\nsource = \"http\"\nurl = \"{url}\"\n{extra}pass = \"{pass}\"\ntimeout = \"3s\"\n\n"
    )
}

async fn status_server(hits: Arc<AtomicUsize>) -> String {
    let counted = hits.clone();
    let router = Router::new()
        .route(
            "/none/api/v2/status.json",
            get(|| async {
                r#"{"page":{"id":"x","name":"Veza"},"status":{"indicator":"none","description":"All Systems Operational"}}"#
            }),
        )
        .route(
            "/major/api/v2/status.json",
            get(|| async {
                r#"{"page":{"id":"x"},"status":{"indicator":"major","description":"Partial System Outage"}}"#
            }),
        )
        .route(
            "/health",
            get(move || {
                counted.fetch_add(1, Ordering::SeqCst);
                async { (StatusCode::SERVICE_UNAVAILABLE, "down for maintenance") }
            }),
        )
        .route(
            "/actuator/health",
            get(|| async {
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [("content-type", "application/vnd.spring-boot.actuator.v3+json")],
                    r#"{"status":"DOWN","components":{"db":{"status":"DOWN"}}}"#,
                )
                    .into_response()
            }),
        )
        .route("/html", get(|| async { "<html>maintenance</html>" }))
        .route("/ok", get(|| async { "fine" }))
        .route("/moved", get(|| async { Redirect::temporary("/none/api/v2/status.json") }));
    format!("http://{}", support::serve(router).await)
}

#[tokio::test]
async fn status_page_indicator_none_passes_and_major_fails() {
    let base = status_server(Arc::default()).await;
    let text = format!(
        "{}{}{}",
        support::LAUNCH,
        http_gate(
            "ok",
            &format!("{base}/none/api/v2/status.json"),
            "json = \"/status/indicator\"\n",
            "== 'none'"
        ),
        http_gate(
            "bad",
            &format!("{base}/major/api/v2/status.json"),
            "json = \"/status/indicator\"\n",
            "== 'none'"
        ),
    );
    let cfg = config(&text);
    let ok = check(&cfg, "ok").await;
    assert_eq!(value_of(&ok), Value::Text("none".into()));
    assert_eq!(state_of(&cfg, ok), GateState::Pass);
    let bad = check(&cfg, "bad").await;
    assert_eq!(value_of(&bad), Value::Text("major".into()));
    assert_eq!(
        state_of(&cfg, bad),
        GateState::Fail,
        "checked and bad is fail"
    );
}

#[tokio::test]
async fn health_503_without_json_is_fail_with_the_status_after_retries() {
    let hits = Arc::new(AtomicUsize::new(0));
    let base = status_server(hits.clone()).await;
    let text = format!(
        "{}{}",
        support::LAUNCH,
        http_gate("health", &format!("{base}/health"), "", "== 200")
    );
    let cfg = config(&text);
    let result = check(&cfg, "health").await;
    assert_eq!(value_of(&result), Value::Number(503.0));
    assert_eq!(
        hits.load(Ordering::SeqCst),
        4,
        "5xx is retried up to max_attempts"
    );
    let detail = result.outcome.as_ref().unwrap().detail.clone().unwrap();
    assert!(detail.contains("HTTP 503"), "{detail}");
    assert_eq!(state_of(&cfg, result), GateState::Fail);
}

#[tokio::test]
async fn spring_boot_503_down_with_json_reads_the_body() {
    let base = status_server(Arc::default()).await;
    let text = format!(
        "{}{}",
        support::LAUNCH,
        http_gate(
            "app",
            &format!("{base}/actuator/health"),
            "json = \"/status\"\n",
            "== 'UP'"
        )
    );
    let cfg = config(&text);
    let result = check(&cfg, "app").await;
    assert_eq!(value_of(&result), Value::Text("DOWN".into()));
    assert_eq!(state_of(&cfg, result), GateState::Fail);
}

#[tokio::test]
async fn body_that_is_not_json_is_unknown() {
    let base = status_server(Arc::default()).await;
    let text = format!(
        "{}{}",
        support::LAUNCH,
        http_gate(
            "html",
            &format!("{base}/html"),
            "json = \"/status\"\n",
            "== 'UP'"
        )
    );
    let cfg = config(&text);
    let result = check(&cfg, "html").await;
    let e = error_of(&result);
    assert!(e.contains("not JSON") && e.contains("maintenance"), "{e}");
    assert_eq!(state_of(&cfg, result), GateState::Unknown);
}

#[tokio::test]
async fn redirects_are_followed() {
    let base = status_server(Arc::default()).await;
    let text = format!(
        "{}{}",
        support::LAUNCH,
        http_gate(
            "moved",
            &format!("{base}/moved"),
            "json = \"/status/indicator\"\n",
            "== 'none'"
        )
    );
    let cfg = config(&text);
    let result = check(&cfg, "moved").await;
    assert_eq!(value_of(&result), Value::Text("none".into()));
}

#[tokio::test]
async fn plain_status_code_passes() {
    let base = status_server(Arc::default()).await;
    let text = format!(
        "{}{}",
        support::LAUNCH,
        http_gate("ok", &format!("{base}/ok"), "", "== 200")
    );
    let cfg = config(&text);
    let result = check(&cfg, "ok").await;
    assert_eq!(value_of(&result), Value::Number(200.0));
    assert_eq!(state_of(&cfg, result), GateState::Pass);
}

#[tokio::test]
async fn connection_refused_is_unknown() {
    let url = format!("http://127.0.0.1:{}/health", support::free_port());
    let text = format!(
        "{}{}",
        support::LAUNCH,
        http_gate("gone", &url, "", "== 200")
    );
    let cfg = config(&text);
    let result = check(&cfg, "gone").await;
    assert!(
        error_of(&result).contains("connect"),
        "{}",
        error_of(&result)
    );
    assert_eq!(state_of(&cfg, result), GateState::Unknown);
}

fn sources_with(cfg: &gonogo::config::Config, base_ms: u64) -> gonogo::source::Sources {
    gonogo::source::Sources::new(cfg)
        .unwrap()
        .with_policy(gonogo::source::policy::RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(base_ms),
            max_delay: Duration::from_secs(60),
        })
}

/// Under paused time (the server runs in the same runtime and never sleeps), tokio's clock shows
/// any wait exactly: a backoff slept, even one cut to the deadline, would show as a second or more.
#[tokio::test(start_paused = true)]
async fn backoff_never_sleeps_past_the_deadline() {
    let hits = Arc::new(AtomicUsize::new(0));
    let base = status_server(hits.clone()).await;
    let text = format!(
        "{}{}",
        support::LAUNCH,
        http_gate("health", &format!("{base}/health"), "", "== 200").replace("3s", "1s")
    );
    let cfg = config(&text);
    // The first backoff (2.5–5s) would pass the 1s deadline: no second attempt, no sleep.
    let sources = sources_with(&cfg, 5000);
    let started = tokio::time::Instant::now();
    let result = support::check_with(&sources, &cfg, "health").await;
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "waited {:?} of the 1s deadline",
        started.elapsed()
    );
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    assert_eq!(value_of(&result), Value::Number(503.0));
    let detail = result.outcome.as_ref().unwrap().detail.clone().unwrap();
    assert!(detail.contains("no time left to retry"), "{detail}");
}

#[tokio::test]
async fn connect_errors_are_retried_until_the_server_is_up() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let text = format!(
        "{}{}",
        support::LAUNCH,
        http_gate("late", &format!("http://{addr}/ok"), "", "== 200")
    );
    let cfg = config(&text);
    let sources = sources_with(&cfg, 150);
    // The server comes up shortly after the first attempt was refused.
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(30)).await;
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let router = Router::new().route("/ok", get(|| async { "fine" }));
        axum::serve(listener, router).await.unwrap();
    });
    let result = support::check_with(&sources, &cfg, "late").await;
    assert_eq!(value_of(&result), Value::Number(200.0));
    let detail = result.outcome.as_ref().unwrap().detail.clone().unwrap();
    assert!(
        detail.contains("after 2 attempts") || detail.contains("after 3 attempts"),
        "{detail}"
    );
}

#[tokio::test]
async fn retry_after_on_a_status_page_is_honoured() {
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let router = Router::new().route(
        "/api/v2/status.json",
        get(move || {
            let n = counted.fetch_add(1, Ordering::SeqCst);
            async move {
                if n == 0 {
                    (
                        StatusCode::TOO_MANY_REQUESTS,
                        [("retry-after", "1")],
                        "slow down",
                    )
                        .into_response()
                } else {
                    r#"{"status":{"indicator":"none"}}"#.into_response()
                }
            }
        }),
    );
    let base = format!("http://{}", support::serve(router).await);
    let text = format!(
        "{}{}",
        support::LAUNCH,
        http_gate(
            "sp",
            &format!("{base}/api/v2/status.json"),
            "json = \"/status/indicator\"\n",
            "== 'none'"
        )
    );
    let cfg = config(&text);
    let started = Instant::now();
    let result = check(&cfg, "sp").await;
    assert!(started.elapsed() >= Duration::from_millis(950));
    assert_eq!(value_of(&result), Value::Text("none".into()));
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn text_value_against_a_numeric_condition_is_unknown() {
    let base = status_server(Arc::default()).await;
    let text = format!(
        "{}{}",
        support::LAUNCH,
        http_gate(
            "num",
            &format!("{base}/major/api/v2/status.json"),
            "json = \"/status/indicator\"\n",
            "== 0"
        )
    );
    let cfg = config(&text);
    let result = check(&cfg, "num").await;
    assert_eq!(value_of(&result), Value::Text("major".into()));
    let mut board = gonogo::gate::Board::new(&cfg.gates, chrono::Utc::now());
    board.apply(result);
    let g = board.get("num").unwrap();
    assert_eq!(g.state, GateState::Unknown);
    assert!(g.error.is_some(), "the reason is kept");
}

/// Paused time, as for the backoff above: giving up at once shows as no time at all.
#[tokio::test(start_paused = true)]
async fn rate_limited_health_check_is_unknown_not_red() {
    let router = Router::new().route(
        "/health",
        get(|| async {
            (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", "120")],
                "slow down",
            )
        }),
    );
    let base = format!("http://{}", support::serve(router).await);
    let text = format!(
        "{}{}",
        support::LAUNCH,
        http_gate("h", &format!("{base}/health"), "", "== 200")
    );
    let cfg = config(&text);
    let started = tokio::time::Instant::now();
    let result = check(&cfg, "h").await;
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "Retry-After 120 is past the 3s deadline: waited {:?}",
        started.elapsed()
    );
    let e = error_of(&result);
    assert!(e.contains("429") && e.contains("deadline"), "{e}");
    assert_eq!(state_of(&cfg, result), GateState::Unknown);
}

/// Paused time: the only thing that can end the check is the deadline, and tokio's clock says
/// exactly when it did.
#[tokio::test(start_paused = true)]
async fn a_body_that_never_ends_is_cut_at_the_deadline() {
    let router = Router::new().route(
        "/status.json",
        get(|| async {
            let stream = futures::stream::once(async {
                Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"{\"status\":"))
            })
            .chain(futures::stream::pending());
            axum::body::Body::from_stream(stream)
        }),
    );
    let base = format!("http://{}", support::serve(router).await);
    let text = format!(
        "{}{}",
        support::LAUNCH,
        http_gate(
            "slow",
            &format!("{base}/status.json"),
            "json = \"/status\"\n",
            "== 'UP'"
        )
        .replace("3s", "1s")
    );
    let cfg = config(&text);
    let started = tokio::time::Instant::now();
    let result = check(&cfg, "slow").await;
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_millis(1500),
        "took {took:?}, deadline 1s"
    );
    assert_eq!(state_of(&cfg, result), GateState::Unknown);
}
