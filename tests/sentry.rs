//! The Sentry source against a local server following Sentry's documented issue-list API:
//! exact counts across `Link` pages and via `X-Hits`, rate limits, 5xx, hangs, auth, secrets.

mod support;

use gonogo::gate::{GateState, Value};
use std::time::{Duration, Instant, SystemTime};
use support::sentry::{FakeSentry, Scripted};
use support::{check, config, error_of, state_of, value_of};

const TOKEN: &str = "sntrys_eyJpYXQiOjE3ODgzNTc5MDB9_Zm9vYmFyc2VjcmV0dG9rZW4";

#[tokio::test]
async fn counts_exactly_across_link_pages() {
    let sentry = FakeSentry::start(1234).await;
    let cfg = config(&sentry.config_text(TOKEN, "10s"));
    let result = check(&cfg, "p1").await;
    assert_eq!(value_of(&result), Value::Number(1234.0));
    assert_eq!(state_of(&cfg, result), GateState::Fail);
    let requests = sentry.requests();
    assert_eq!(requests.len(), 13, "1,234 issues are 13 pages of 100");
    let cursors: Vec<Option<&str>> = requests.iter().map(|r| r.param("cursor")).collect();
    assert_eq!(cursors[0], None);
    assert_eq!(cursors[1], Some("0:100:0"));
    assert_eq!(cursors[12], Some("0:1200:0"));
    for r in &requests {
        assert_eq!(r.path, "/api/0/organizations/acme/issues/");
        assert_eq!(
            r.param("query"),
            Some("is:unresolved issue.priority:high"),
            "the query is always sent explicitly, on every page"
        );
        assert_eq!(r.param("environment"), Some("production"));
        assert_eq!(
            r.authorization.as_deref(),
            Some(format!("Bearer {TOKEN}").as_str())
        );
    }
}

#[tokio::test]
async fn zero_issues_passes_and_still_sends_the_query() {
    let sentry = FakeSentry::start(0).await;
    let cfg = config(&sentry.config_text(TOKEN, "5s"));
    let result = check(&cfg, "p1").await;
    assert_eq!(value_of(&result), Value::Number(0.0));
    assert_eq!(state_of(&cfg, result), GateState::Pass);
    let requests = sentry.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].param("query"),
        Some("is:unresolved issue.priority:high")
    );
}

#[tokio::test]
async fn uncapped_x_hits_is_used_without_paging() {
    let sentry = FakeSentry::start(1500).await;
    sentry.set_hits(1500, None);
    let cfg = config(&sentry.config_text(TOKEN, "5s"));
    let result = check(&cfg, "p1").await;
    assert_eq!(value_of(&result), Value::Number(1500.0));
    assert_eq!(sentry.requests().len(), 1, "X-Hits is exact: no paging");
}

#[tokio::test]
async fn capped_x_hits_falls_back_to_following_pages() {
    let sentry = FakeSentry::start(1234).await;
    sentry.set_hits(1000, Some(1000));
    let cfg = config(&sentry.config_text(TOKEN, "10s"));
    let result = check(&cfg, "p1").await;
    assert_eq!(value_of(&result), Value::Number(1234.0));
    assert_eq!(sentry.requests().len(), 13);
}

#[tokio::test(start_paused = true)]
async fn retry_after_seconds_is_honoured() {
    let sentry = FakeSentry::start(3).await;
    sentry.script([Scripted::status(
        429,
        &[("retry-after", "1")],
        r#"{"detail":"You are attempting to use this endpoint too frequently. Limit is 10 requests in 1 seconds"}"#,
    )]);
    let cfg = config(&sentry.config_text(TOKEN, "5s"));
    let result = check(&cfg, "p1").await;
    assert_eq!(value_of(&result), Value::Number(3.0));
    let r = sentry.requests();
    assert_eq!(r.len(), 2);
    let waited = r[1].tokio_at - r[0].tokio_at;
    assert!(
        waited >= Duration::from_millis(950),
        "waited only {waited:?} after Retry-After: 1"
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_http_date_is_honoured() {
    let sentry = FakeSentry::start(2).await;
    let at = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    sentry.script([Scripted::status(
        429,
        &[("retry-after", &at)],
        r#""slow down""#,
    )]);
    let cfg = config(&sentry.config_text(TOKEN, "6s"));
    let result = check(&cfg, "p1").await;
    assert_eq!(value_of(&result), Value::Number(2.0));
    let r = sentry.requests();
    assert_eq!(r.len(), 2);
    // The date has one-second resolution: at least one second, never the full backoff ladder.
    let waited = r[1].tokio_at - r[0].tokio_at;
    assert!(waited >= Duration::from_millis(900), "waited {waited:?}");
    assert!(waited <= Duration::from_millis(3100), "waited {waited:?}");
}

#[tokio::test(start_paused = true)]
async fn sentry_rate_limit_reset_is_honoured_without_retry_after() {
    let sentry = FakeSentry::start(5).await;
    let reset = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 2;
    sentry.script([Scripted::status(
        429,
        &[
            ("x-sentry-rate-limit-reset", &reset.to_string()),
            ("x-sentry-rate-limit-remaining", "0"),
        ],
        r#"{"detail":"You are attempting to use this endpoint too frequently. Limit is 10 requests in 1 seconds"}"#,
    )]);
    let cfg = config(&sentry.config_text(TOKEN, "6s"));
    let result = check(&cfg, "p1").await;
    assert_eq!(value_of(&result), Value::Number(5.0));
    let r = sentry.requests();
    assert_eq!(r.len(), 2);
    let waited = r[1].tokio_at - r[0].tokio_at;
    assert!(
        waited >= Duration::from_millis(900),
        "the reset epoch was ignored: waited {waited:?}"
    );
}

/// Paused time (the server runs in the same runtime): giving up at once shows as no time at all
/// on tokio's clock, waiting as the 3s deadline or the 120s asked for.
#[tokio::test(start_paused = true)]
async fn retry_after_past_the_deadline_gives_up_at_once_as_unknown() {
    let sentry = FakeSentry::start(5).await;
    sentry.script([Scripted::status(
        429,
        &[("retry-after", "120")],
        r#""slow down""#,
    )]);
    let cfg = config(&sentry.config_text(TOKEN, "3s"));
    let started = tokio::time::Instant::now();
    let result = check(&cfg, "p1").await;
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "it waited anyway: {:?}",
        started.elapsed()
    );
    let e = error_of(&result);
    assert!(e.contains("429") && e.contains("deadline"), "{e}");
    assert_eq!(state_of(&cfg, result), GateState::Unknown);
}

#[tokio::test]
async fn server_errors_are_retried_then_succeed() {
    let sentry = FakeSentry::start(7).await;
    sentry.script([
        Scripted::status(502, &[], "<html>Bad Gateway</html>"),
        Scripted::status(503, &[], "<html>upstream connect error</html>"),
    ]);
    let cfg = config(&sentry.config_text(TOKEN, "5s"));
    let result = check(&cfg, "p1").await;
    assert_eq!(value_of(&result), Value::Number(7.0));
    assert_eq!(sentry.requests().len(), 3);
}

#[tokio::test]
async fn persistent_server_errors_end_unknown() {
    let sentry = FakeSentry::start(7).await;
    sentry.script((0..10).map(|_| Scripted::status(500, &[], r#"{"detail":"Internal Error"}"#)));
    let cfg = config(&sentry.config_text(TOKEN, "5s"));
    let result = check(&cfg, "p1").await;
    let e = error_of(&result);
    assert!(e.contains("HTTP 500") && e.contains("4 attempts"), "{e}");
    assert_eq!(sentry.requests().len(), 4, "max_attempts of the policy");
    assert_eq!(state_of(&cfg, result), GateState::Unknown);
}

/// Paused time: the hang is a timer in the same runtime, so tokio's clock says exactly when the
/// gate's deadline cut it, whatever the machine's load.
#[tokio::test(start_paused = true)]
async fn a_hang_ends_unknown_within_the_gate_timeout() {
    let sentry = FakeSentry::start(1).await;
    sentry.script([Scripted::Hang(Duration::from_secs(60))]);
    let cfg = config(&sentry.config_text(TOKEN, "1s"));
    let started = tokio::time::Instant::now();
    let result = check(&cfg, "p1").await;
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(900), "ended early: {took:?}");
    assert!(
        took < Duration::from_millis(1500),
        "took {took:?}, timeout 1s"
    );
    let e = error_of(&result);
    assert!(e.contains("timed out"), "{e}");
    assert_eq!(state_of(&cfg, result), GateState::Unknown);
}

/// Paused time, as above.
#[tokio::test(start_paused = true)]
async fn a_hang_on_a_later_page_still_respects_the_deadline() {
    let sentry = FakeSentry::start(250).await;
    // The first page answers, the second hangs: the deadline covers the whole count.
    let link = format!(
        "<{}/api/0/organizations/acme/issues/?cursor=0:100:0>; rel=\"next\"; results=\"true\"; cursor=\"0:100:0\"",
        sentry.url()
    );
    sentry.script([Scripted::status(200, &[("link", &link)], "[]")]);
    let cfg = config(&sentry.config_text(TOKEN, "1s"));
    sentry.script([Scripted::Hang(Duration::from_secs(60))]);
    let started = tokio::time::Instant::now();
    let result = check(&cfg, "p1").await;
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_millis(1500),
        "took {took:?}, deadline 1s"
    );
    assert_eq!(state_of(&cfg, result), GateState::Unknown);
}

#[tokio::test]
async fn unauthorized_token_is_unknown_and_never_echoed() {
    let sentry = FakeSentry::start(1).await;
    sentry.script([Scripted::status(
        401,
        &[],
        &format!(r#"{{"detail":"Invalid token header. {TOKEN}"}}"#),
    )]);
    let cfg = config(&sentry.config_text(TOKEN, "5s"));
    let result = check(&cfg, "p1").await;
    let e = error_of(&result);
    assert!(e.contains("401") && e.contains("event:read"), "{e}");
    assert!(!e.contains(TOKEN), "token leaked: {e}");
    assert!(!e.contains("Zm9vYmFyc2VjcmV0dG9rZW4"), "token leaked: {e}");
    assert_eq!(sentry.requests().len(), 1, "401 is not retried");
}

#[tokio::test]
async fn no_error_string_carries_the_token() {
    // Connection refused, hang, 5xx, 429 and a body echoing the token: none may leak it.
    let sentry = FakeSentry::start(1).await;
    sentry.script([
        Scripted::status(503, &[], &format!("upstream said Bearer {TOKEN}")),
        Scripted::status(503, &[], &format!("upstream said Bearer {TOKEN}")),
        Scripted::status(503, &[], &format!("upstream said Bearer {TOKEN}")),
        Scripted::status(503, &[], &format!("upstream said Bearer {TOKEN}")),
    ]);
    let cfg = config(&sentry.config_text(TOKEN, "3s"));
    let e = error_of(&check(&cfg, "p1").await);
    assert!(!e.contains(TOKEN), "{e}");

    let closed = format!("http://127.0.0.1:{}", support::free_port());
    let text = sentry
        .config_text(TOKEN, "2s")
        .replace(&sentry.url(), &closed);
    let cfg = config(&text);
    let e = error_of(&check(&cfg, "p1").await);
    assert!(!e.contains(TOKEN), "{e}");
    assert!(e.contains("connect") || e.contains("timed out"), "{e}");
}

#[tokio::test]
async fn project_slug_goes_into_the_search() {
    let sentry = FakeSentry::start(0).await;
    let text = sentry.config_text(TOKEN, "5s").replace(
        "environment = \"production\"\n",
        "project = \"checkout-api\"\n",
    );
    let cfg = config(&text);
    check(&cfg, "p1").await;
    let r = &sentry.requests()[0];
    assert_eq!(
        r.param("query"),
        Some("is:unresolved issue.priority:high project:checkout-api")
    );
    assert_eq!(r.param("environment"), None);
}

/// Long server-given waits, honoured under paused time (the server runs in the same runtime
/// and never sleeps): the test takes milliseconds, tokio's clock shows the wait.
#[tokio::test(start_paused = true)]
async fn long_retry_after_and_reset_are_honoured_under_paused_time() {
    let sentry = FakeSentry::start(4).await;
    let reset = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 20;
    sentry.script([
        Scripted::status(429, &[("retry-after", "30")], r#""slow down""#),
        Scripted::status(
            429,
            &[("x-sentry-rate-limit-reset", &reset.to_string())],
            r#"{"detail":"You are attempting to use this endpoint too frequently. Limit is 10 requests in 1 seconds"}"#,
        ),
    ]);
    let cfg = config(&sentry.config_text(TOKEN, "2m"));
    // The default policy: server-given waits up to 30s are honoured as they are.
    let sources = gonogo::source::Sources::new(&cfg).unwrap();
    let real = Instant::now();
    let result = support::check_with(&sources, &cfg, "p1").await;
    assert_eq!(value_of(&result), Value::Number(4.0));
    let r = sentry.requests();
    assert_eq!(r.len(), 3);
    let first_wait = r[1].tokio_at - r[0].tokio_at;
    let second_wait = r[2].tokio_at - r[1].tokio_at;
    assert_eq!(first_wait.as_secs(), 30, "Retry-After: 30 → {first_wait:?}");
    assert!(
        (18..=21).contains(&second_wait.as_secs()),
        "reset in ~20s → {second_wait:?}"
    );
    assert!(real.elapsed() < Duration::from_secs(5), "no real sleeping");
}

#[tokio::test(start_paused = true)]
async fn server_errors_back_off_with_growing_jittered_waits_under_paused_time() {
    let sentry = FakeSentry::start(1).await;
    sentry.script((0..3).map(|_| Scripted::status(503, &[], "upstream connect error")));
    let cfg = config(&sentry.config_text(TOKEN, "1m"));
    let sources = gonogo::source::Sources::new(&cfg).unwrap().with_policy(
        gonogo::source::policy::RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(30),
        },
    );
    let result = support::check_with(&sources, &cfg, "p1").await;
    assert_eq!(value_of(&result), Value::Number(1.0));
    let r = sentry.requests();
    assert_eq!(r.len(), 4);
    let waits: Vec<Duration> = r
        .windows(2)
        .map(|w| w[1].tokio_at - w[0].tokio_at)
        .collect();
    // Full jitter between half and all of base * 2^(n-1): 1–2s, 2–4s, 4–8s.
    for (i, wait) in waits.iter().enumerate() {
        let cap = Duration::from_secs(2 << i);
        assert!(
            *wait >= cap / 2 && *wait <= cap + Duration::from_millis(5),
            "wait {i}: {wait:?} outside {:?}..{cap:?}",
            cap / 2
        );
    }
}
