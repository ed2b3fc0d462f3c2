//! The whole rehearsal at high speed through the real config, clients, monitor and board: every
//! gate goes through the states the script promises, the verdict goes NO-GO → GO → NO-GO → GO,
//! and the testers really are rows in `beta_invites`.

#[path = "support/database.rs"]
mod database;

use GateState::*;
use gonogo::demo::{BinarySearch, DemoOptions, Rehearsal, SCRIPT};
use gonogo::gate::{Board, GateState, Verdict};
use gonogo::monitor::{Clock, Monitor};
use gonogo::source::Sources;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::collections::{HashMap, HashSet};
use std::time::Duration;

const SPEED: f64 = 60.0;

fn url_of(opts: &PgConnectOptions) -> String {
    database::url_for(opts.get_database().unwrap())
}

#[sqlx::test(migrations = false)]
async fn the_story_plays_through_the_real_gates_and_ends_in_go(
    _pool: PgPoolOptions,
    opts: PgConnectOptions,
) {
    let rehearsal = Rehearsal::start(DemoOptions {
        speed: SPEED,
        database_url: Some(url_of(&opts)),
        binaries: BinarySearch::system(),
    })
    .await
    .unwrap();
    let config = rehearsal.config.clone();
    assert!(config.launch().name.0.ends_with("(DEMO)"));
    let sources = Sources::new(&config).unwrap();
    let pool = sources.postgres().unwrap().clone();
    let clock = Clock::System;
    let mut board = Board::new(&config.gates, clock.now());
    let (tx, mut rx) = tokio::sync::mpsc::channel(256);
    let _monitor = Monitor::spawn(sources, &config.gates, clock, None, tx);

    let mut states: HashMap<String, Vec<GateState>> = config
        .gates
        .iter()
        .map(|g| (g.id.clone(), vec![Unknown]))
        .collect();
    let mut errors = Vec::new();
    let mut unanswered: HashSet<String> = states.keys().cloned().collect();
    let mut verdicts: Vec<Verdict> = Vec::new();
    let mut p1_detail = None;
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    {
        let finished = async { rehearsal.finished().await };
        tokio::pin!(finished);
        let deadline = tokio::time::sleep(Duration::from_secs(90));
        tokio::pin!(deadline);
        loop {
            let transitions = tokio::select! {
                Some(result) = rx.recv() => {
                    unanswered.remove(&result.gate);
                    board.apply(result).into_iter().collect::<Vec<_>>()
                }
                _ = tick.tick() => board.refresh(clock.now()),
                () = &mut finished => break,
                () = &mut deadline => panic!("the story did not finish within 90s"),
            };
            for t in transitions {
                if let Some(e) = &t.error {
                    errors.push(format!("{}: {e}", t.gate));
                }
                if t.gate == "sentry_p1" && t.to == Fail {
                    p1_detail = board.get("sentry_p1").and_then(|g| g.detail.clone());
                }
                states.get_mut(&t.gate).unwrap().push(t.to);
            }
            let verdict = board.verdict();
            if unanswered.is_empty() && verdicts.last() != Some(&verdict) {
                verdicts.push(verdict);
            }
        }
    }
    assert!(rehearsal.is_finished());
    assert_eq!(*rehearsal.progress().borrow(), SCRIPT.len());
    assert!(
        errors.is_empty(),
        "no gate should fail to check: {errors:?}"
    );

    let expect = |gate: &str, sequence: &[GateState]| {
        assert_eq!(states[gate], sequence, "states of gate `{gate}`");
    };
    expect("testers", &[Unknown, Fail, Pass]);
    expect("high_issues", &[Unknown, Fail, Pass]);
    expect("sentry_p1", &[Unknown, Pass, Fail, Pass]);
    expect("status_page", &[Unknown, Pass, Fail, Pass]);
    expect("synthetic", &[Unknown, Pass, Pending, Fail, Pass]);
    expect("k6_nightly", &[Unknown, Pass, Fail, Pass]);
    assert_eq!(
        verdicts,
        [Verdict::NoGo, Verdict::Go, Verdict::NoGo, Verdict::Go]
    );
    assert_eq!(board.verdict(), Verdict::Go);

    let p1 = p1_detail.expect("the P1's title reaches the gate's detail");
    assert!(
        p1.contains("CHECKOUT-API-1F3 TimeoutError: payment gateway timed out"),
        "{p1}"
    );
    let testers: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM beta_invites WHERE cohort = 'demo-rehearsal' AND used_at IS NOT NULL",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(testers, 57, "the testers are real rows");
    assert_eq!(board.get("testers").unwrap().value_text(), "57");
    let beats: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM gonogo.journal WHERE launch = 'Soft launch (DEMO)' AND kind = 'demo'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(beats as usize, SCRIPT.len(), "every beat is in the journal");
    rehearsal.shutdown().await;
}
