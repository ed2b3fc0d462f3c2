//! Two `send::run` tasks of the core (what two cockpits run) started together on one launch,
//! to the rehearsal's in-process SMTP server: each message handed over once, both runs doing
//! work, the second told who else is sending, and the configured rate the launch's total.

mod support;

use gonogo::config::invites::Rate;
use gonogo::invite::{Ledger, RunProgress, SendOptions, Setup, send};
use gonogo::journal::Journal;
use sqlx::PgPool;
use std::collections::HashSet;
use support::dispatch::Rig;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const MESSAGES: usize = 600;
const RATE: f64 = 100.0;

#[sqlx::test(migrations = false)]
async fn two_runs_of_the_core_share_the_launch(pool: PgPool) {
    let demo = gonogo::demo::smtp::start(gonogo::demo::smtp::DemoSmtpScript::new())
        .await
        .expect("demo SMTP server");
    let rig = Rig::new(&pool).await;
    rig.configure(&Rig::smtp(&demo.url()), &format!("rate = \"{RATE}/s\""), "");
    let file = rig.clean_cohort("runs.csv", MESSAGES);
    let (code, out, err) = rig
        .run_async(&[
            "invites",
            "prepare",
            file.to_str().unwrap(),
            "--batch",
            "runs",
        ])
        .await;
    assert_eq!(code, Some(0), "{out}{err}");

    let text = std::fs::read_to_string(rig.config_path()).unwrap();
    let config = gonogo::config::load_str(&text, &rig.config_path()).expect("config");
    let setup = Setup::new(&config, &rig.config_path()).expect("setup");
    let ledger = Ledger::new(pool.clone(), setup.launch.clone());
    let journal = Journal::new(pool.clone(), setup.launch.clone(), "tester");
    let options = SendOptions {
        batch: Some("runs".into()),
        limit: None,
        rate: Rate(Some(RATE)),
        operator: "tester".into(),
        wait_for_retries: true,
    };
    let (tx_a, mut rx_a) = mpsc::unbounded_channel();
    let (tx_b, mut rx_b) = mpsc::unbounded_channel();
    let first = send::run(
        &setup,
        &ledger,
        &journal,
        &options,
        tx_a,
        CancellationToken::new(),
    );
    let second = async {
        // Started once the first has its run row, so the first is already heartbeating.
        let started = rx_a.recv().await;
        assert!(
            matches!(started, Some(RunProgress::Started { .. })),
            "{started:?}"
        );
        send::run(
            &setup,
            &ledger,
            &journal,
            &options,
            tx_b,
            CancellationToken::new(),
        )
        .await
    };
    let (a, b) = tokio::join!(first, second);
    let (a, b) = (a.expect("first run"), b.expect("second run"));
    assert_eq!(a.sent + b.sent, MESSAGES as u64, "{a:?} {b:?}");
    assert!(a.sent > 0 && b.sent > 0, "both runs worked: {a:?} {b:?}");

    let mut others_seen = None;
    while let Ok(p) = rx_b.try_recv() {
        if let RunProgress::Started { others, .. } = p {
            others_seen = Some(others);
        }
    }
    let others = others_seen.expect("the second run reported its start");
    assert_eq!(others.len(), 1, "told who else is sending: {others:?}");
    assert_eq!(others[0].id, a.run);
    assert_eq!(others[0].operator, "tester");
    let mut emails_a = HashSet::new();
    while let Ok(p) = rx_a.try_recv() {
        if let RunProgress::Message { email, state, .. } = p {
            assert_eq!(state, "sent");
            emails_a.insert(email);
        }
    }
    assert_eq!(emails_a.len() as u64, a.sent);

    assert_eq!(demo.received_count(), MESSAGES as u64);
    let ids: Vec<String> = demo
        .received()
        .into_iter()
        .filter_map(|m| m.message_id)
        .collect();
    assert_eq!(ids.len(), MESSAGES);
    support::dispatch::assert_no_duplicates(&ids);
    let span: f64 = sqlx::query_scalar(
        "SELECT EXTRACT(EPOCH FROM max(sent_at) - min(sent_at))::float8 FROM gonogo.dispatch",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let combined = (MESSAGES - 1) as f64 / span;
    println!(
        "two core runs: {combined:.1}/s together at {RATE}/s; {} + {}",
        a.sent, b.sent
    );
    assert!(
        combined <= RATE * 1.02,
        "{combined:.1}/s over the launch's {RATE}/s"
    );
    assert_eq!(rig.states().await.get("sent"), Some(&MESSAGES));
}

/// A run declared dead elsewhere hears it at its next heartbeat; a clean end gives back only
/// the claims it never handed over, never one it did (whatever its row says after a crash).
#[sqlx::test(migrations = false)]
async fn a_run_ended_elsewhere_is_told_and_handed_claims_never_go_back(pool: PgPool) {
    let rig = Rig::new(&pool).await;
    rig.configure("send_cmd = \"true\"", "", "");
    let file = rig.clean_cohort("ledger.csv", 3);
    let (code, out, err) = rig
        .run_async(&["invites", "prepare", file.to_str().unwrap(), "--batch", "b"])
        .await;
    assert_eq!(code, Some(0), "{out}{err}");
    let text = std::fs::read_to_string(rig.config_path()).unwrap();
    let config = gonogo::config::load_str(&text, &rig.config_path()).expect("config");
    let setup = Setup::new(&config, &rig.config_path()).expect("setup");
    let ledger = Ledger::new(pool.clone(), setup.launch.clone());

    let run = uuid::Uuid::new_v4();
    ledger
        .start_run(
            run,
            Some("b"),
            "tester",
            "elsewhere",
            gonogo::invite::lease::LeaseTerms::from_env(),
        )
        .await
        .unwrap();
    assert!(ledger.heartbeat(run).await.unwrap(), "a live run beats");
    let claimed = ledger.claim(run, Some("b"), 3).await.unwrap();
    assert_eq!(claimed.len(), 3);
    // The first was handed over and its answer lost; the other two never left.
    let released = ledger
        .release_unhanded(run, &[claimed[0].id])
        .await
        .unwrap();
    assert_eq!(released, 2);
    let state: String = sqlx::query_scalar("SELECT state FROM gonogo.dispatch WHERE id = $1")
        .bind(claimed[0].id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        state, "sending",
        "a message handed over never goes back to be sent"
    );

    ledger
        .end_run(run, "died", "stopped heartbeating")
        .await
        .unwrap();
    assert!(
        !ledger.heartbeat(run).await.unwrap(),
        "an ended run is told so"
    );
}
