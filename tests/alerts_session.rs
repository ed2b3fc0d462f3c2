//! One session, two clients: a send run pausing and a decision frozen, written to the journal
//! by another process, alert through a headless cockpit as through `check --watch` (the rule
//! "journal line → alert" is the core session's), and with both running, once per alert id.

mod support;

use gonogo::journal::{Journal, JournalEvent};
use gonogo::tui::driver::Driver;
use sqlx::PgPool;
use std::collections::BTreeSet;
use std::time::Duration;
use support::alert_drill::*;
use support::alert_takeover::*;
use support::receiver::{Receiver, serve};

const PAUSED: &str = "Alert launch: the invite send run of batch wave-1 paused";
const FROZEN: &str = "Alert launch: decision 1 frozen: NO-GO";

/// What another process writes: a send run pausing, then a decision frozen NO-GO.
async fn written_elsewhere(pool: &PgPool) {
    let other = Journal::new(pool.clone(), LAUNCH, "dana");
    other.record_now(paused_run("run-7")).await.unwrap();
    let frozen = JournalEvent::Decision {
        number: 1,
        outcome: "no-go".into(),
        hash: "h".into(),
        gates_overridden: false,
        reason: None,
    };
    other.record_now(frozen).await.unwrap();
}

/// The titles the receiver got, sorted.
fn titles(receiver: &Receiver) -> Vec<String> {
    let mut titles: Vec<String> = receiver
        .seen()
        .iter()
        .map(|r| r.body["title"].as_str().unwrap_or_default().to_owned())
        .collect();
    titles.sort();
    titles
}

/// A migrated launch alerting a fresh receiver; the receiver and the config text.
async fn launch(pool: &PgPool) -> (std::sync::Arc<Receiver>, String) {
    gonogo::db::migrate(pool).await.unwrap();
    let receiver = Receiver::new(SECRET, vec![]);
    let port = serve(receiver.clone()).port();
    (receiver, always_go(&support::db_url(pool), port))
}

/// Steps the cockpit until it has seen its gate once (its session runs from its start on).
async fn started(cockpit: &mut Driver) {
    let looked = cockpit
        .run_until(Duration::from_secs(20), |s| {
            s.board.gates().iter().all(|g| g.observed_at.is_some())
        })
        .await;
    assert!(looked, "the cockpit never saw its gate");
}

#[sqlx::test(migrations = false)]
async fn a_headless_cockpit_raises_a_paused_run_and_a_frozen_decision_written_elsewhere(
    pool: PgPool,
) {
    let (receiver, text) = launch(&pool).await;
    let mut cockpit = cockpit(&text, "alice");
    started(&mut cockpit).await;
    written_elsewhere(&pool).await;
    let done = until_rows(
        &pool,
        &mut [&mut cockpit],
        Duration::from_secs(20),
        |rows| rows.len() == 2 && rows.iter().all(|r| r.delivery.is_some()),
    )
    .await;
    for row in &done {
        assert!(row.claimed_by.contains("cockpit, headless"), "{row:?}");
        assert_eq!(row.delivery.as_deref(), Some("delivered"));
    }
    assert_eq!(titles(&receiver), [FROZEN, PAUSED]);
    cockpit.stop().await;
}

#[sqlx::test(migrations = false)]
async fn a_watch_and_a_cockpit_on_one_journal_raise_each_line_once_between_them(pool: PgPool) {
    let (receiver, text) = launch(&pool).await;
    let env = support::cli::Env::new();
    let mut watch = spawn_watch(&env, &text);
    let mut cockpit = cockpit(&text, "alice");
    started(&mut cockpit).await;
    let printed = || std::fs::read_to_string(env.path().join("watch.out")).unwrap_or_default();
    let watching = run_until(&mut [&mut cockpit], Duration::from_secs(20), || {
        printed().contains("VERDICT")
    })
    .await;
    assert!(watching, "the watch never said its verdict: {}", printed());
    written_elsewhere(&pool).await;

    until_rows(
        &pool,
        &mut [&mut cockpit],
        Duration::from_secs(20),
        |rows| rows.len() == 2 && rows.iter().all(|r| r.delivery.is_some()),
    )
    .await;
    // Both followers have read both lines by the time the watch has said them.
    let said = run_until(&mut [&mut cockpit], Duration::from_secs(10), || {
        let out = printed();
        out.contains(PAUSED) && out.contains(FROZEN)
    })
    .await;
    assert!(said, "the watch raised both lines too: {}", printed());
    // Time for a second copy, if either process sent one: the receiver quiet.
    run_until_quiet(
        &mut [&mut cockpit],
        &receiver,
        Duration::from_secs(3),
        Duration::from_secs(20),
    )
    .await;
    let ids: BTreeSet<String> = receiver
        .seen()
        .iter()
        .map(|r| r.alert_id.clone().unwrap_or_default())
        .collect();
    assert_eq!(ids.len(), 2, "{:?}", receiver.seen());
    assert_eq!(titles(&receiver), [FROZEN, PAUSED], "once per alert id");
    for row in rows(&pool).await {
        assert_eq!(row.delivery.as_deref(), Some("delivered"), "{row:?}");
        assert_eq!(row.holders, 1, "one holder, no takeover: {row:?}");
    }
    cockpit.stop().await;
    watch.stop();
}
