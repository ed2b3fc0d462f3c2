//! Alert fault drills on real parts (PostgreSQL, loopback webhook receivers, a real
//! `check --watch` process, a real cockpit in tmux): a watch or a cockpit killed with SIGKILL
//! while it holds an alert, the alert then delivered by another cockpit under the same id; a change after an alert that said otherwise, its
//! sender gone; two cockpits racing on a held per-subject lock; the watch raising what journal
//! lines written by another process call for, and a checklist item turning overdue.

mod support;
#[path = "support/tmux.rs"]
mod tmux;

use gonogo::alerts::LEASE;
use gonogo::alerts::{AlertRow, AlertStore, Claim, LOCK_WAIT};
use gonogo::journal::{Journal, JournalEvent};
use gonogo::tui::driver::Driver;
use sqlx::PgPool;
use std::time::Duration;
use support::alert_drill::*;
use support::alert_takeover::*;
use support::receiver::{Answer, Receiver, serve};
use tmux::{Tmux, alive, gonogo_pid};

/// Waits until the watch has had its first look (its follower reads from there on).
async fn until_watching(env: &support::cli::Env) {
    let printed = || std::fs::read_to_string(env.path().join("watch.out")).unwrap_or_default();
    assert!(
        run_until(&mut [], Duration::from_secs(20), || printed()
            .contains("VERDICT"))
        .await,
        "the watch never said its verdict: {}",
        printed()
    );
}

/// A `check --watch` holding an alert whose delivery hangs is ended by `stop`; a cockpit started
/// afterwards delivers the alert, once, under the same id. How long that took after the end.
async fn watch_ended_while_delivering(pool: &PgPool, stop: fn(&mut Stopped)) -> Duration {
    gonogo::db::migrate(pool).await.unwrap();
    // The first holder's delivery hangs, so the watch ends while it holds the claim.
    let receiver = Receiver::new(SECRET, vec![Answer::Hang(Duration::from_secs(120))]);
    let port = serve(receiver.clone()).port();
    let text = always_go(&support::db_url(pool), port);
    let env = support::cli::Env::new();
    let mut watch = spawn_watch(&env, &text);
    until_watching(&env).await;
    let dispatcher = Journal::new(pool.clone(), LAUNCH, "dispatcher");
    dispatcher.record_now(paused_run("run-1")).await.unwrap();

    let held = until_rows(pool, &mut [], Duration::from_secs(20), |rows| {
        rows.len() == 1 && rows[0].delivery.is_none() && receiver.seen().len() == 1
    })
    .await;
    assert!(held[0].claimed_by.contains("check --watch"), "{held:?}");
    let id = held[0].id.clone();
    stop(&mut watch);
    taken_over_and_delivered(pool, &receiver, &text, &id).await
}

#[sqlx::test(migrations = false)]
async fn a_watch_killed_while_it_holds_an_alert_leaves_it_to_a_cockpit_sending_the_same_id(
    pool: PgPool,
) {
    // SIGKILL: nothing let go; the cockpit waits for the lease to run out.
    let took = watch_ended_while_delivering(&pool, Stopped::kill).await;
    eprintln!("killed holder: taken over and delivered {took:?} after the kill (lease {LEASE:?})");
    assert!(
        took < LEASE + Duration::from_secs(12),
        "taken over {took:?} after the kill (lease {LEASE:?})"
    );
}

#[sqlx::test(migrations = false)]
async fn a_cockpit_killed_while_it_holds_an_alert_leaves_it_to_another_process_sending_the_same_id(
    pool: PgPool,
) {
    gonogo::db::migrate(&pool).await.unwrap();
    let receiver = Receiver::new(SECRET, vec![Answer::Hang(Duration::from_secs(120))]);
    let port = serve(receiver.clone()).port();
    let text = always_go(&support::db_url(&pool), port);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gonogo.toml");
    std::fs::write(&config, &text).unwrap();
    let pid_file = dir.path().join("pid");
    // Killed with the tmux server however the test ends.
    let tmux = Tmux::start("alert-drill", 120, 40);
    tmux.type_line(&format!(
        "clear; sh -c 'echo $$ > {}; exec env HOME={} GONOGO_LOG_DIR={} {} tui --config {} --operator alice'",
        pid_file.display(),
        dir.path().display(),
        dir.path().join("logs").display(),
        env!("CARGO_BIN_EXE_gonogo"),
        config.display()
    ));
    let pid = gonogo_pid(&pid_file);
    // Its timeline holds the gate's first look: lines from now on are news it raises.
    tmux.wait_for("the cockpit", |s| s.contains(LAUNCH));
    tmux.keys(&["2"]);
    tmux.wait_for("the first look on the timeline", |s| s.contains("first: "));
    let dispatcher = Journal::new(pool.clone(), LAUNCH, "dispatcher");
    dispatcher.record_now(paused_run("run-1")).await.unwrap();

    let held = until_rows(&pool, &mut [], Duration::from_secs(20), |rows| {
        rows.len() == 1 && rows[0].delivery.is_none() && receiver.seen().len() == 1
    })
    .await;
    let by_it = format!("(cockpit, pid {pid})");
    assert!(held[0].claimed_by.contains(&by_it), "{held:?}");
    assert!(
        held[0].holder.as_deref().unwrap_or("").contains(&by_it),
        "{held:?}"
    );
    let id = held[0].id.clone();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    let until = std::time::Instant::now() + Duration::from_secs(10);
    while alive(pid) {
        assert!(
            std::time::Instant::now() < until,
            "gonogo {pid} outlived SIGKILL"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let took = taken_over_and_delivered(&pool, &receiver, &text, &id).await;
    eprintln!("killed cockpit: taken over and delivered {took:?} after the kill (lease {LEASE:?})");
    assert!(
        took < LEASE + Duration::from_secs(12),
        "taken over {took:?} after the kill (lease {LEASE:?})"
    );
    drop(tmux);
}

#[sqlx::test(migrations = false)]
async fn a_watch_stopped_mid_delivery_lets_its_alert_go_to_a_cockpit_at_once(pool: PgPool) {
    // SIGTERM: the watch gives up on the delivery as it exits and lets the lease go.
    let took = watch_ended_while_delivering(&pool, Stopped::stop).await;
    eprintln!("stopped holder: taken over and delivered {took:?} after it exited");
    assert!(
        took < Duration::from_secs(8),
        "{took:?}: the lease was let go, nobody had to wait for it to run out"
    );
}

#[sqlx::test(migrations = false)]
async fn a_change_after_an_alert_that_said_otherwise_is_a_new_alert_though_its_sender_quit(
    pool: PgPool,
) {
    let (receiver, text) = flip_launch(&pool, "0s", "info").await;
    let mut alice = cockpit(&text, "alice");
    until_first_look(&mut [&mut alice], "flip").await;
    flip(&pool, 0).await;
    let delivered = |rows: &[AlertRow]| {
        rows.iter()
            .filter(|r| r.delivery.as_deref() == Some("delivered"))
            .count()
    };
    until_rows(&pool, &mut [&mut alice], Duration::from_secs(15), |rows| {
        delivered(rows) == 2
    })
    .await;
    alice.stop().await;

    // Seconds later, well inside the old one-minute window, from another cockpit.
    let mut bruno = cockpit(&text, "bruno");
    until_first_look(&mut [&mut bruno], "flip").await;
    flip(&pool, 1).await;
    let after = until_rows(&pool, &mut [&mut bruno], Duration::from_secs(15), |rows| {
        delivered(rows) == 3
    })
    .await;
    let back = after
        .iter()
        .find(|r| r.title == "Alert launch: verdict NO-GO → GO")
        .unwrap_or_else(|| panic!("{after:#?}"));
    assert!(back.claimed_by.contains("bruno"), "{back:?}");
    let verdicts: Vec<_> = receiver
        .seen()
        .into_iter()
        .filter(|r| r.body["subject"] == "verdict")
        .map(|r| r.body["title"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        verdicts,
        [
            "Alert launch: verdict GO → NO-GO",
            "Alert launch: verdict NO-GO → GO"
        ],
        "bruno's first look at NO-GO was already said; its change is new"
    );
    bruno.stop().await;
}

/// Holds the per-subject locks of the flip gate and the verdict on a connection of its own.
async fn hold_subject_locks(pool: &PgPool) -> sqlx::pool::PoolConnection<sqlx::Postgres> {
    let mut holder = pool.acquire().await.unwrap();
    for subject in ["gate:flip", "verdict"] {
        sqlx::query("SELECT pg_advisory_lock(hashtext('gonogo.alert:' || $1 || ':' || $2))")
            .bind(LAUNCH)
            .bind(subject)
            .execute(&mut *holder)
            .await
            .unwrap();
    }
    holder
}

/// Two cockpits past their first look, the subject locks held, and then the gate turning red.
async fn racing_on_held_locks(
    pool: &PgPool,
    text: &str,
) -> (Driver, Driver, sqlx::pool::PoolConnection<sqlx::Postgres>) {
    let mut alice = cockpit(text, "alice");
    let mut bruno = cockpit(text, "bruno");
    until_first_look(&mut [&mut alice, &mut bruno], "flip").await;
    let holder = hold_subject_locks(pool).await;
    flip(pool, 0).await;
    (alice, bruno, holder)
}

async fn release_subject_locks(mut holder: sqlx::pool::PoolConnection<sqlx::Postgres>) {
    sqlx::query("SELECT pg_advisory_unlock_all()")
        .execute(&mut *holder)
        .await
        .unwrap();
}

#[sqlx::test(migrations = false)]
async fn two_cockpits_racing_on_a_briefly_held_subject_lock_wait_for_it_and_send_once(
    pool: PgPool,
) {
    let (receiver, text) = flip_launch(&pool, "0s", "warning").await;
    let (mut alice, mut bruno, holder) = racing_on_held_locks(&pool, &text).await;
    // Both wait for the locks (well inside the wait), so they decide in turn.
    until_lock_waiters(&pool, &mut [&mut alice, &mut bruno], 2, LOCK_WAIT / 2).await;
    assert!(receiver.seen().is_empty(), "{:?}", receiver.seen());
    release_subject_locks(holder).await;
    let done = until_rows(
        &pool,
        &mut [&mut alice, &mut bruno],
        Duration::from_secs(15),
        |rows| rows.len() == 2 && rows.iter().all(|r| r.delivery.is_some()),
    )
    .await;
    let counts = by_id(&receiver);
    assert_eq!(counts.len(), 2, "gate red and verdict NO-GO: {counts:?}");
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
    assert!(done.iter().all(|r| counts.contains_key(&r.id)), "{done:?}");
    for request in receiver.seen() {
        assert_eq!(request.body["metadata"]["coordinated"], true);
    }
    alice.stop().await;
    bruno.stop().await;
}

#[sqlx::test(migrations = false)]
async fn a_subject_lock_held_past_the_wait_sends_copies_under_one_derived_id_uncoordinated(
    pool: PgPool,
) {
    let (receiver, text) = flip_launch(&pool, "0s", "critical").await;
    let (mut alice, mut bruno, holder) = racing_on_held_locks(&pool, &text).await;
    // Two alerts (gate red, verdict NO-GO), one copy from each cockpit.
    until_received(
        &mut [&mut alice, &mut bruno],
        &receiver,
        4,
        LOCK_WAIT + Duration::from_secs(15),
    )
    .await;
    release_subject_locks(holder).await;
    let counts = by_id(&receiver);
    assert_eq!(counts.len(), 2, "{counts:?}");
    assert!(counts.values().all(|n| *n == 2), "a copy each: {counts:?}");
    let mut origins = std::collections::BTreeSet::new();
    for request in receiver.seen() {
        assert_eq!(
            request.body["metadata"]["coordinated"], false,
            "{request:?}"
        );
        origins.insert(request.body["metadata"]["origin"].to_string());
    }
    assert_eq!(origins.len(), 2, "one copy from each cockpit: {origins:?}");
    assert!(rows(&pool).await.is_empty(), "nothing was claimed");
    alice.stop().await;
    bruno.stop().await;
}

#[sqlx::test(migrations = false)]
async fn check_watch_raises_a_paused_run_and_a_frozen_decision_written_by_another_process(
    pool: PgPool,
) {
    gonogo::db::migrate(&pool).await.unwrap();
    let receiver = Receiver::new(SECRET, vec![]);
    let port = serve(receiver.clone()).port();
    let text = always_go(&support::db_url(&pool), port);
    let env = support::cli::Env::new();
    let mut watch = spawn_watch(&env, &text);
    until_watching(&env).await;
    let other = Journal::new(pool.clone(), LAUNCH, "dana");
    other.record_now(paused_run("run-7")).await.unwrap();
    other
        .record_now(JournalEvent::Decision {
            number: 1,
            outcome: "no-go".into(),
            hash: "h".into(),
            gates_overridden: false,
            reason: None,
        })
        .await
        .unwrap();
    let done = until_rows(&pool, &mut [], Duration::from_secs(20), |rows| {
        rows.len() == 2 && rows.iter().all(|r| r.delivery.is_some())
    })
    .await;
    for row in &done {
        assert!(row.claimed_by.contains("check --watch"), "{row:?}");
        assert_eq!(row.delivery.as_deref(), Some("delivered"));
    }
    let mut titles: Vec<String> = receiver
        .seen()
        .iter()
        .map(|r| r.body["title"].as_str().unwrap_or_default().to_owned())
        .collect();
    titles.sort();
    assert_eq!(
        titles,
        [
            "Alert launch: decision 1 frozen: NO-GO",
            "Alert launch: the invite send run of batch wave-1 paused"
        ]
    );
    watch.stop();
}

#[sqlx::test(migrations = false)]
async fn check_watch_raises_a_checklist_item_turning_overdue_as_the_cockpit_does(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    let receiver = Receiver::new(SECRET, vec![]);
    let port = serve(receiver.clone()).port();
    let env = support::cli::Env::new();
    // Due after the watch's first look, so it turns overdue while the watch looks.
    let due = (chrono::Utc::now() + chrono::TimeDelta::seconds(10))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let list = format!(
        "# Call\n\n## D-day\n\n- [ ] Status page updated <!-- due: {due} -->\n\
         - [ ] Rollback rehearsed <!-- due: 2099-01-01T00:00:00Z -->\n"
    );
    std::fs::write(env.path().join("list.md"), list).unwrap();
    let text = format!(
        "{}\n[checklist]\npath = \"list.md\"\n",
        always_go(&support::db_url(&pool), port)
    );
    let mut watch = spawn_watch(&env, &text);
    let done = until_rows(&pool, &mut [], Duration::from_secs(30), |rows| {
        rows.iter().any(|r| r.delivery.is_some())
    })
    .await;
    assert_eq!(done.len(), 1, "{done:#?}");
    assert!(done[0].claimed_by.contains("check --watch"), "{done:?}");
    let seen = receiver.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    let body = &seen[0].body;
    assert_eq!(body["title"], "Alert launch: 1 checklist item overdue");
    assert_eq!(
        body["metadata"]["overdue_items"],
        serde_json::json!(["Status page updated"])
    );
    watch.stop();
}

/// An alert of the verdict as one process raises it.
fn verdict_alert(
    id: &str,
    state: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> gonogo::alerts::Alert {
    gonogo::alerts::Alert {
        id: id.into(),
        subject: "verdict".into(),
        severity: gonogo::alerts::Severity::Critical,
        title: format!("verdict {state}"),
        message: String::new(),
        metadata: Default::default(),
        raised_at: at,
        changes: 1,
        first_sight: false,
        state: state.into(),
    }
}

#[sqlx::test(migrations = false)]
async fn a_change_repeating_within_its_minute_after_one_that_said_otherwise_gets_a_new_id(
    pool: PgPool,
) {
    gonogo::db::migrate(&pool).await.unwrap();
    let store = AlertStore::new(pool.clone(), LAUNCH);
    let t0 = chrono::Utc::now();
    let claim = |mut alert: gonogo::alerts::Alert, by: &'static str| {
        let store = store.clone();
        async move {
            let claim = store
                .claim(&mut alert, by, Duration::ZERO, LEASE)
                .await
                .unwrap();
            (claim, alert.id)
        }
    };
    let (first, _) = claim(verdict_alert("no-go-1", "NO-GO", t0), "alice").await;
    assert_eq!(first, Claim::Claimed);
    let back = t0 + chrono::TimeDelta::seconds(5);
    assert_eq!(
        claim(verdict_alert("go-1", "GO", back), "alice").await.0,
        Claim::Claimed
    );
    // NO-GO again in the same minute: the same derived id as the first, yet a new change.
    let again = t0 + chrono::TimeDelta::seconds(10);
    let (claimed, id) = claim(verdict_alert("no-go-1", "NO-GO", again), "alice").await;
    assert_eq!(claimed, Claim::Claimed);
    assert_ne!(id, "no-go-1");
    // Another process seeing that change is told it is raised, whichever id it came with.
    let (elsewhere, _) = claim(verdict_alert("no-go-1", "NO-GO", again), "bruno").await;
    assert!(
        matches!(elsewhere, Claim::Elsewhere { id: ref e, .. } if *e == id),
        "{elsewhere:?}"
    );
    // That alert's delivery fails for good: nobody heard it, so the change is raised again.
    let lost = gonogo::alerts::Delivery {
        alert_id: id.clone(),
        outcome: gonogo::alerts::DeliveryOutcome::Failed,
        attempts: 9,
        status: Some(503),
        answer: String::new(),
        reason: "retries ran out".into(),
        receiver: "http://127.0.0.1/…".into(),
        took_ms: 1,
    };
    store.finish(&lost).await.unwrap();
    let (raised, _) = claim(verdict_alert("no-go-1", "NO-GO", again), "carla").await;
    assert_eq!(raised, Claim::Claimed);
    assert_eq!(rows(&pool).await.len(), 4);
}
