//! A cockpit that lost its database replays its transitions later, in order, with their
//! original times: the journal places each one at its time (real Postgres), so a change another
//! cockpit already recorded is not written twice and the history still reads as one sequence.

use chrono::{DateTime, Duration, TimeZone, Utc};
use gonogo::gate::{GateState, Transition};
use gonogo::journal::Journal;
use sqlx::PgPool;

/// 2026-11-24 at 14:MM:SS UTC.
fn at(m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 14, m, s).unwrap()
}

fn transition(from: GateState, to: GateState, when: DateTime<Utc>) -> Transition {
    Transition {
        gate: "testers".into(),
        title: "Testers signed up".into(),
        required: true,
        at: when,
        from,
        to,
        value: None,
        value_text: "42".into(),
        error: None,
    }
}

type Row = (Option<String>, String, String, DateTime<Utc>);

/// The gate's journal lines in time order: (from, to, actor, at).
async fn gate_rows(pool: &PgPool) -> Vec<Row> {
    sqlx::query_as(
        "SELECT from_state, to_state, actor, at FROM gonogo.journal
         WHERE kind = 'gate' ORDER BY at, id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

fn row(from: Option<&str>, to: &str, actor: &str, when: DateTime<Utc>) -> Row {
    (from.map(str::to_owned), to.into(), actor.into(), when)
}

async fn cockpits(pool: &PgPool) -> (Journal, Journal) {
    gonogo::db::migrate(pool).await.unwrap();
    (
        Journal::new(pool.clone(), "launch", "alice"),
        Journal::new(pool.clone(), "launch", "bruno"),
    )
}

/// Bruno records fail@T1 and pass@T5 live; Alice, offline meanwhile, saw the same two changes
/// with her own clock `skew` off Bruno's, and replays them.
async fn replay_what_another_cockpit_recorded(pool: PgPool, skew: Duration) {
    let (alice, bruno) = cockpits(&pool).await;
    let (t1, t5) = (at(1, 0), at(5, 0));
    use GateState::{Fail, Pass, Unknown};
    assert!(
        bruno
            .record_transition(&transition(Unknown, Fail, t1))
            .await
            .unwrap()
    );
    assert!(
        bruno
            .record_transition(&transition(Fail, Pass, t5))
            .await
            .unwrap()
    );

    let replayed = [
        transition(Unknown, Fail, t1 + skew),
        transition(Fail, Pass, t5 + skew),
    ];
    for t in &replayed {
        assert!(
            !alice.record_transition(t).await.unwrap(),
            "already in the journal: {:?}@{}",
            t.to,
            t.at
        );
    }
    assert_eq!(
        gate_rows(&pool).await,
        vec![
            row(None, "fail", "bruno", t1),
            row(Some("fail"), "pass", "bruno", t5),
        ],
        "the gate fails once, then passes"
    );
}

#[sqlx::test(migrations = false)]
async fn a_replayed_change_seen_a_little_earlier_is_not_written_twice(pool: PgPool) {
    replay_what_another_cockpit_recorded(pool, Duration::seconds(-3)).await;
}

#[sqlx::test(migrations = false)]
async fn a_replayed_change_seen_a_little_later_is_not_written_twice(pool: PgPool) {
    replay_what_another_cockpit_recorded(pool, Duration::seconds(3)).await;
}

#[sqlx::test(migrations = false)]
async fn a_replayed_change_at_the_same_instant_is_not_written_twice(pool: PgPool) {
    replay_what_another_cockpit_recorded(pool, Duration::zero()).await;
}

#[sqlx::test(migrations = false)]
async fn one_cockpit_replaying_a_real_flap_records_every_change(pool: PgPool) {
    let (alice, bruno) = cockpits(&pool).await;
    use GateState::{Fail, Pass, Unknown};
    // Before the outage the journal already knew the gate passed.
    assert!(
        bruno
            .record_transition(&transition(Unknown, Pass, at(0, 0)))
            .await
            .unwrap()
    );
    let flap = [
        transition(Pass, Fail, at(1, 0)),
        transition(Fail, Pass, at(3, 0)),
        transition(Pass, Fail, at(5, 0)),
    ];
    for t in &flap {
        assert!(
            alice.record_transition(t).await.unwrap(),
            "{:?}@{}",
            t.to,
            t.at
        );
    }
    assert_eq!(
        gate_rows(&pool).await,
        vec![
            row(None, "pass", "bruno", at(0, 0)),
            row(Some("pass"), "fail", "alice", at(1, 0)),
            row(Some("fail"), "pass", "alice", at(3, 0)),
            row(Some("pass"), "fail", "alice", at(5, 0)),
        ]
    );
}

#[sqlx::test(migrations = false)]
async fn a_replay_between_two_lines_takes_its_from_from_the_line_before(pool: PgPool) {
    let (alice, bruno) = cockpits(&pool).await;
    use GateState::{Fail, Pass, Unknown};
    assert!(
        bruno
            .record_transition(&transition(Unknown, Pass, at(1, 0)))
            .await
            .unwrap()
    );
    assert!(
        bruno
            .record_transition(&transition(Pass, Fail, at(5, 0)))
            .await
            .unwrap()
    );
    // Alice's source timed out at 14:03, which Bruno never saw.
    assert!(
        alice
            .record_transition(&transition(Pass, Unknown, at(3, 0)))
            .await
            .unwrap()
    );
    assert_eq!(
        gate_rows(&pool).await,
        vec![
            row(None, "pass", "bruno", at(1, 0)),
            row(Some("pass"), "unknown", "alice", at(3, 0)),
            row(Some("pass"), "fail", "bruno", at(5, 0)),
        ]
    );
}

/// Bruno saw pass at 14:00 and fail at 14:50; Alice, offline meanwhile, saw a whole failure in
/// between (14:10 to 14:20). Bruno's later failure is another change, not hers seen late.
#[sqlx::test(migrations = false)]
async fn a_replayed_episode_is_kept_when_the_same_state_comes_much_later(pool: PgPool) {
    let (alice, bruno) = cockpits(&pool).await;
    use GateState::{Fail, Pass, Unknown};
    for t in [
        transition(Unknown, Pass, at(0, 0)),
        transition(Pass, Fail, at(50, 0)),
    ] {
        assert!(bruno.record_transition(&t).await.unwrap());
    }
    for t in [
        transition(Pass, Fail, at(10, 0)),
        transition(Fail, Pass, at(20, 0)),
    ] {
        assert!(alice.record_transition(&t).await.unwrap(), "{t:?}");
    }
    assert_eq!(
        gate_rows(&pool).await,
        vec![
            row(None, "pass", "bruno", at(0, 0)),
            row(Some("pass"), "fail", "alice", at(10, 0)),
            row(Some("fail"), "pass", "alice", at(20, 0)),
            row(Some("pass"), "fail", "bruno", at(50, 0)),
        ]
    );
}

#[sqlx::test(migrations = false)]
async fn live_transitions_are_recorded_once_from_the_latest_state(pool: PgPool) {
    let (alice, bruno) = cockpits(&pool).await;
    use GateState::{Fail, Pass, Unknown};
    assert!(
        alice
            .record_transition(&transition(Unknown, Pass, at(1, 0)))
            .await
            .unwrap()
    );
    // Bruno sees the same change a second later: already recorded.
    assert!(
        !bruno
            .record_transition(&transition(Unknown, Pass, at(1, 1)))
            .await
            .unwrap()
    );
    // Bruno's own `from` is stale (he missed a change); the journal's latest state is written.
    assert!(
        bruno
            .record_transition(&transition(Unknown, Fail, at(2, 0)))
            .await
            .unwrap()
    );
    assert!(
        !alice
            .record_transition(&transition(Pass, Fail, at(2, 1)))
            .await
            .unwrap()
    );
    assert!(
        alice
            .record_transition(&transition(Fail, Pass, at(4, 0)))
            .await
            .unwrap()
    );
    assert_eq!(
        gate_rows(&pool).await,
        vec![
            row(None, "pass", "alice", at(1, 0)),
            row(Some("pass"), "fail", "bruno", at(2, 0)),
            row(Some("fail"), "pass", "alice", at(4, 0)),
        ]
    );
}

#[sqlx::test(migrations = false)]
async fn a_first_check_is_journaled_once_even_when_it_stays_unknown(pool: PgPool) {
    let (alice, bruno) = cockpits(&pool).await;
    use GateState::{Pass, Unknown};
    // A first result that could not be checked is reported as unknown -> unknown: the journal
    // learns the gate was never confirmed.
    assert!(
        alice
            .record_transition(&transition(Unknown, Unknown, at(1, 0)))
            .await
            .unwrap()
    );
    // Another cockpit starting up sees the same: nothing new.
    assert!(
        !bruno
            .record_transition(&transition(Unknown, Unknown, at(1, 5)))
            .await
            .unwrap()
    );
    assert!(
        alice
            .record_transition(&transition(Unknown, Pass, at(2, 0)))
            .await
            .unwrap()
    );
    // A cockpit started later whose first check fails: the journal said pass, so it is a change.
    assert!(
        bruno
            .record_transition(&transition(Unknown, Unknown, at(3, 0)))
            .await
            .unwrap()
    );
    assert_eq!(
        gate_rows(&pool).await,
        vec![
            row(None, "unknown", "alice", at(1, 0)),
            row(Some("unknown"), "pass", "alice", at(2, 0)),
            row(Some("pass"), "unknown", "bruno", at(3, 0)),
        ]
    );
}

#[sqlx::test(migrations = false)]
async fn other_gates_and_launches_do_not_count(pool: PgPool) {
    let (alice, _) = cockpits(&pool).await;
    use GateState::{Fail, Unknown};
    let other_launch = Journal::new(pool.clone(), "rehearsal", "alice");
    assert!(
        other_launch
            .record_transition(&transition(Unknown, Fail, at(1, 0)))
            .await
            .unwrap()
    );
    let mut other_gate = transition(Unknown, Fail, at(1, 0));
    other_gate.gate = "sentry_p1".into();
    assert!(alice.record_transition(&other_gate).await.unwrap());
    assert!(
        alice
            .record_transition(&transition(Unknown, Fail, at(1, 1)))
            .await
            .unwrap()
    );
}
