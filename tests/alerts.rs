//! Alerts with real parts: a loopback receiver that checks signatures and answers 500, hangs,
//! 429 and 404; two cockpits' event loops and a `check --watch` process on one PostgreSQL
//! sending one delivery per alert; a flapping gate making one grouped alert.

mod support;

use gonogo::alerts::{DeliveryOutcome, Engine, Severity, Trigger, Webhook, context};
use gonogo::journal::{Journal, JournalFilter};
use gonogo::tui::driver::Driver;
use sqlx::PgPool;
use std::time::Duration;
use support::alert_drill::*;
use support::receiver::{Answer, Receiver, serve};

fn test_alert(config: &gonogo::config::Config) -> gonogo::alerts::Alert {
    let mut engine = Engine::new(
        context(config, "test", "alice"),
        Duration::ZERO,
        Severity::Info,
    );
    let now = chrono::Utc::now();
    engine.raise(
        Trigger::Test {
            severity: Severity::Critical,
            by: "alice".into(),
        },
        now,
    );
    engine.flush(now).pop().unwrap()
}

fn webhook(config: &gonogo::config::Config) -> Webhook {
    Webhook::from_config(&config.raw.alerts, &config.redactor)
        .unwrap()
        .unwrap()
        .with_timing(
            Duration::from_millis(50),
            Duration::from_secs(20),
            Duration::from_millis(700),
        )
}

#[tokio::test]
async fn a_delivery_is_signed_retried_past_a_500_and_a_timeout_and_keeps_its_id() {
    let receiver = Receiver::new(
        SECRET,
        vec![
            Answer::Status(500, "boom"),
            Answer::Hang(Duration::from_secs(3)),
            Answer::Status(200, "thanks"),
        ],
    );
    let port = serve(receiver.clone()).port();
    let config = support::config(&format!(
        "{}{}{GATE}",
        support::LAUNCH,
        alerts_section(port, "")
    ));
    let alert = test_alert(&config);
    let delivery = webhook(&config).deliver(&alert).await;
    assert_eq!(delivery.outcome, DeliveryOutcome::Delivered, "{delivery:?}");
    assert_eq!((delivery.attempts, delivery.status), (3, Some(200)));
    assert_eq!(delivery.answer, "thanks");
    let seen = receiver.seen();
    assert_eq!(seen.len(), 3);
    for request in &seen {
        assert!(request.signature_ok, "{request:?}");
        assert_eq!(request.alert_id.as_deref(), Some(alert.id.as_str()));
        assert_eq!(request.body["id"], alert.id.as_str());
        assert_eq!(request.body["severity"], "critical");
    }
    // A receiver with another secret refuses it: the check can fail.
    let body = serde_json::to_vec(&seen[0].body).unwrap();
    let header = gonogo::alerts::signature_header(SECRET.as_bytes(), 1, &body);
    assert!(!support::receiver::verify(b"other", &header, &body));
}

#[tokio::test]
async fn a_permanent_4xx_is_given_up_at_once_and_retry_after_is_honoured() {
    let receiver = Receiver::new(SECRET, vec![Answer::Status(404, "no such hook")]);
    let port = serve(receiver.clone()).port();
    let config = support::config(&format!(
        "{}{}{GATE}",
        support::LAUNCH,
        alerts_section(port, "")
    ));
    let delivery = webhook(&config).deliver(&test_alert(&config)).await;
    assert_eq!(delivery.outcome, DeliveryOutcome::GaveUp);
    assert_eq!((delivery.attempts, delivery.status), (1, Some(404)));
    assert!(
        delivery.reason.contains("not retried"),
        "{}",
        delivery.reason
    );
    assert_eq!(receiver.seen().len(), 1);

    receiver.script(vec![Answer::RetryAfter(429, 1)]);
    let started = tokio::time::Instant::now();
    let delivery = webhook(&config).deliver(&test_alert(&config)).await;
    assert_eq!(delivery.outcome, DeliveryOutcome::Delivered);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was not waited for"
    );
    let seen = receiver.seen();
    assert!(seen[2].at - seen[1].at >= Duration::from_millis(950));
}

#[tokio::test]
async fn a_dead_receiver_is_given_up_on_at_the_deadline_and_said() {
    let port = support::free_port();
    let config = support::config(&format!(
        "{}{}{GATE}",
        support::LAUNCH,
        alerts_section(port, "")
    ));
    let hook = Webhook::from_config(&config.raw.alerts, &config.redactor)
        .unwrap()
        .unwrap()
        .with_timing(
            Duration::from_millis(50),
            Duration::from_secs(2),
            Duration::from_millis(500),
        );
    let delivery = hook.deliver(&test_alert(&config)).await;
    assert_eq!(delivery.outcome, DeliveryOutcome::Failed);
    assert!(delivery.attempts > 1, "{delivery:?}");
    assert!(
        delivery.reason.contains("gave up after"),
        "{}",
        delivery.reason
    );
    assert!(!delivery.reason.contains("T0K3N"), "{}", delivery.reason);
}

// --- several cockpits and a watch on one database ---------------------------------------

#[sqlx::test(migrations = false)]
async fn two_cockpits_and_a_watch_on_one_database_send_each_alert_once(pool: PgPool) {
    let (receiver, text) = flip_launch(&pool, "1s", "info").await;

    let env = support::cli::Env::new();
    let mut watch = spawn_watch(&env, &text);

    let mut alice = cockpit(&text, "alice");
    let mut bruno = cockpit(&text, "bruno");
    until_first_look(&mut [&mut alice, &mut bruno], "flip").await;
    run_until_quiet(
        &mut [&mut alice, &mut bruno],
        &receiver,
        Duration::from_secs(2),
        Duration::from_secs(15),
    )
    .await;
    assert!(receiver.seen().is_empty(), "a GO start pages nobody");

    flip(&pool, 0).await;
    until_received(
        &mut [&mut alice, &mut bruno],
        &receiver,
        2,
        Duration::from_secs(15),
    )
    .await;
    flip(&pool, 1).await;
    until_received(
        &mut [&mut alice, &mut bruno],
        &receiver,
        3,
        Duration::from_secs(15),
    )
    .await;
    // Time for any duplicate to arrive: the receiver quiet, nothing in flight.
    run_until_quiet(
        &mut [&mut alice, &mut bruno],
        &receiver,
        Duration::from_secs(3),
        Duration::from_secs(20),
    )
    .await;

    let counts = by_id(&receiver);
    assert_eq!(
        counts.len(),
        3,
        "gate red, verdict NO-GO, verdict back to GO: {counts:?}"
    );
    assert!(
        counts.values().all(|n| *n == 1),
        "one delivery per alert: {counts:?}"
    );
    let titles: Vec<String> = receiver
        .seen()
        .iter()
        .map(|r| r.body["title"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        titles.iter().any(|t| t == "Alert launch: Flip gate is red"),
        "{titles:?}"
    );
    assert!(
        titles
            .iter()
            .any(|t| t == "Alert launch: verdict GO → NO-GO"),
        "{titles:?}"
    );
    assert!(
        titles
            .iter()
            .any(|t| t == "Alert launch: verdict NO-GO → GO"),
        "{titles:?}"
    );

    // Each alert and its delivery are journaled once, and the cockpits' timelines show them.
    let journal = Journal::new(pool.clone(), "Alert launch", "test");
    let kinds = |kind: &str| JournalFilter {
        kind: Some(kind.into()),
        ..JournalFilter::default()
    };
    let until = tokio::time::Instant::now() + Duration::from_secs(10);
    let shown = |d: &Driver| {
        d.state
            .panes
            .timeline
            .rows()
            .iter()
            .filter(|r| r.kind == "alert_delivery")
            .count()
    };
    loop {
        let written = journal.read(&kinds("alert_delivery")).await.unwrap().len();
        if written >= 3 && shown(&alice) >= 3 && shown(&bruno) >= 3 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < until,
            "{written} deliveries journaled"
        );
        run_for(&mut [&mut alice, &mut bruno], Duration::from_millis(100)).await;
    }
    assert_eq!(journal.read(&kinds("alert")).await.unwrap().len(), 3);
    let deliveries = journal.read(&kinds("alert_delivery")).await.unwrap();
    assert_eq!(deliveries.len(), 3);
    for driver in [&alice, &bruno] {
        let shown = driver
            .state
            .panes
            .timeline
            .rows()
            .iter()
            .filter(|r| r.kind == "alert_delivery")
            .count();
        assert_eq!(shown, 3, "timeline of {}", driver.state.operator);
    }
    let rows = gonogo::alerts::AlertStore::new(pool.clone(), "Alert launch")
        .list(None)
        .await
        .unwrap();
    assert_eq!(rows.len(), 3);
    assert!(
        rows.iter()
            .all(|r| r.delivery.as_deref() == Some("delivered"))
    );

    watch.stop();
    let printed = std::fs::read_to_string(env.path().join("watch.out")).unwrap();
    assert!(
        printed.contains("alert"),
        "the watch says what it did: {printed}"
    );
    alice.stop().await;
    bruno.stop().await;
    assert_eq!(by_id(&receiver).len(), 3, "quitting sent nothing more");
}

#[sqlx::test(migrations = false)]
async fn a_flapping_gate_makes_one_grouped_alert_saying_how_often_it_changed(pool: PgPool) {
    let (receiver, text) = flip_launch(&pool, "6s", "warning").await;
    let mut alice = cockpit(&text, "alice");
    until_first_look(&mut [&mut alice], "flip").await;
    for v in [0, 1, 0, 1] {
        flip(&pool, v).await;
        let state = if v == 1 {
            gonogo::gate::GateState::Pass
        } else {
            gonogo::gate::GateState::Fail
        };
        until_gate(&mut [&mut alice], "flip", Duration::from_secs(10), |g| {
            g.state == state
        })
        .await;
    }
    until_received(&mut [&mut alice], &receiver, 2, Duration::from_secs(10)).await;
    run_until_quiet(
        &mut [&mut alice],
        &receiver,
        Duration::from_secs(2),
        Duration::from_secs(15),
    )
    .await;
    let seen = receiver.seen();
    let gate: Vec<_> = seen
        .iter()
        .filter(|r| r.body["subject"] == "gate:flip")
        .collect();
    assert_eq!(gate.len(), 1, "{seen:?}");
    let body = &gate[0].body;
    assert_eq!(body["changes"], 4, "{body}");
    assert_eq!(body["severity"], "critical");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("changed 4 times within 6s; now pass"),
        "{message}"
    );
    assert_eq!(
        seen.len(),
        2,
        "the gate and the verdict, one alert each: {seen:?}"
    );
    alice.stop().await;
}

#[tokio::test]
async fn a_journal_that_stops_taking_writes_pages_someone_without_the_database() {
    let receiver = Receiver::new(SECRET, vec![]);
    let mut alice = away_cockpit(&receiver);
    // The journal says it failed once a flush has used its budget (10 s).
    until_received(&mut [&mut alice], &receiver, 1, Duration::from_secs(25)).await;
    let seen = receiver.seen();
    let journal: Vec<_> = seen
        .iter()
        .filter(|r| r.body["subject"] == "journal")
        .collect();
    assert_eq!(journal.len(), 1, "{seen:?}");
    let body = &journal[0].body;
    assert_eq!(body["severity"], "critical");
    assert_eq!(body["title"], "Away launch: the journal stopped recording");
    assert_eq!(body["metadata"]["coordinated"], false, "{body}");
    assert!(journal[0].signature_ok);
    alice.stop().await;
}

#[tokio::test]
async fn a_hanging_receiver_holds_up_neither_the_gates_nor_quitting() {
    let receiver = Receiver::new(SECRET, vec![Answer::Hang(Duration::from_secs(60))]);
    let mut alice = away_cockpit(&receiver);
    until_received(&mut [&mut alice], &receiver, 1, Duration::from_secs(25)).await;
    assert_eq!(
        receiver.seen().len(),
        1,
        "the delivery is under way, hanging"
    );
    let observed = |d: &Driver| d.state.board.get("a").and_then(|g| g.observed_at);
    let before = observed(&alice).unwrap();
    until_gate(&mut [&mut alice], "a", Duration::from_secs(10), |g| {
        g.observed_at
            .is_some_and(|at| at - before >= chrono::TimeDelta::milliseconds(1_200))
    })
    .await;
    let after = observed(&alice).unwrap();
    assert!(
        after - before >= chrono::TimeDelta::milliseconds(1_200),
        "the gate kept being polled while the receiver hung: {before} → {after}"
    );
    let quitting = tokio::time::Instant::now();
    let left = alice.stop().await;
    assert!(
        quitting.elapsed() < Duration::from_secs(8),
        "{:?}",
        quitting.elapsed()
    );
    assert!(
        left.iter().any(|l| l.contains("1 alert still being")),
        "{left:?}"
    );
}
