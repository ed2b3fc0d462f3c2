//! The cockpit's effects take their time from the runner's clock, never the wall clock: with the
//! clock set years ahead, a checklist tick, a vote, a decision freeze and a handoff report made
//! through a headless cockpit on a real database are all stamped with the clock's time.

mod support;
mod tui_support;

use chrono::{DateTime, Duration as Span, TimeZone, Utc};
use gonogo::checklist::ItemState;
use gonogo::clock::Clock;
use gonogo::tui::driver::Driver;
use gonogo::tui::keymap::Keymap;
use gonogo::tui::panes::{self, PaneMsg};
use gonogo::tui::state::State;
use gonogo::tui::{Action, CockpitOptions};
use sqlx::PgPool;
use std::time::Duration;

const CHECKLIST: &str = "# Launch checklist\n\n## D-day\n\n- [ ] Migration applied to staging\n- [ ] Fresh file on disk <!-- gate: fresh -->\n";

/// The clock's start: far from any wall time this test will run at.
fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2031, 1, 1, 0, 0, 0).unwrap()
}

/// Whether `at` is the clock's time: from its start to a few minutes on (the test's run).
fn on_the_clock(at: DateTime<Utc>) -> bool {
    at >= start() && at < start() + Span::minutes(10)
}

fn checklist_msg(driver: &mut Driver, msg: panes::checklist::Msg) {
    driver.dispatch(Action::Pane(PaneMsg::Checklist(msg)));
}

fn item_state(state: &State, text: &str) -> Option<ItemState> {
    let view = state.panes.checklist.view.as_ref()?;
    view.items().find(|i| i.text == text).map(|i| i.state)
}

fn status(driver: &Driver) -> String {
    driver
        .state
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

#[sqlx::test(migrations = false)]
async fn ticks_votes_freezes_and_handoffs_are_stamped_with_the_cockpits_clock(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("checklist.md");
    std::fs::write(&list, CHECKLIST).unwrap();
    // Modified at the clock's start, so the gate is green on the clock's time.
    let marker = dir.path().join("fresh.txt");
    std::fs::write(&marker, "x").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&marker)
        .unwrap()
        .set_modified(start().into())
        .unwrap();

    let mut options = CockpitOptions::new("alice", Keymap::default());
    options.clock = Some(Clock::tokio_from(start()));
    let url = support::db_url(&pool);
    let mut alice = Driver::start(
        tui_support::checklist_config("2031-01-01T01:00:00Z", &url, &list, &marker),
        options,
    )
    .unwrap();
    let ready = alice
        .run_until(Duration::from_secs(10), |s| {
            s.panes.checklist.call.is_some()
                && item_state(s, "Fresh file on disk") == Some(ItemState::Verified)
        })
        .await;
    assert!(
        ready,
        "loaded and verified: {:?}",
        alice.state.panes.checklist.file
    );

    // A tick, the roll call and the freeze, through the pane as an operator makes them.
    tui_support::select_item(&mut alice, "Migration applied to staging");
    checklist_msg(&mut alice, panes::checklist::Msg::StartTick);
    alice.dispatch(Action::Submit);
    for vote in [
        "go tech lead",
        "go product lead",
        "go On-call Engineer: all green",
    ] {
        checklist_msg(&mut alice, panes::checklist::Msg::CastVote(vote.into()));
    }
    let all_in = alice
        .run_until(Duration::from_secs(5), |s| {
            item_state(s, "Migration applied to staging") == Some(ItemState::Done)
                && s.panes.checklist.roll_call().missing().is_empty()
        })
        .await;
    assert!(
        all_in,
        "{:?} / {}",
        alice.state.panes.checklist.roll_call(),
        status(&alice)
    );
    checklist_msg(
        &mut alice,
        panes::checklist::Msg::StartDecide(String::new()),
    );
    alice.dispatch(Action::Submit);
    let frozen = alice
        .run_until(Duration::from_secs(5), tui_support::decided)
        .await;
    assert!(frozen, "{}", status(&alice));

    // The handoff report, written to a file.
    let report = dir.path().join("handoff.md");
    alice.dispatch(Action::ShowHandoff(Some(report.clone())));
    let written = alice
        .run_until(Duration::from_secs(5), |s| {
            s.status
                .as_ref()
                .is_some_and(|st| st.text.starts_with("Handoff report written"))
        })
        .await;
    assert!(written, "{}", status(&alice));
    let left = alice.stop().await;
    assert!(left.is_empty(), "{left:?}");

    let tick: DateTime<Utc> = sqlx::query_scalar(
        "SELECT at FROM gonogo.checklist_ticks WHERE text = 'Migration applied to staging'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(on_the_clock(tick), "the tick's time: {tick}");

    let votes: Vec<(String, DateTime<Utc>)> =
        sqlx::query_as("SELECT role, at FROM gonogo.votes ORDER BY role")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(votes.len(), 3, "{votes:?}");
    for (role, at) in &votes {
        assert!(on_the_clock(*at), "{role}'s vote time: {at}");
    }

    let (decided_at, record): (DateTime<Utc>, String) =
        sqlx::query_as("SELECT decided_at, record FROM gonogo.decisions WHERE number = 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(on_the_clock(decided_at), "the frozen time: {decided_at}");
    let today = Utc::now().format("%Y-%m-%d").to_string();
    assert!(
        record.contains("2031-01-01T00:0") && !record.contains(&today),
        "the record's times are the clock's: {record}"
    );

    // Every journal line (the tick, the votes, the decision, the gate's transitions).
    let lines: Vec<(String, DateTime<Utc>)> =
        sqlx::query_as("SELECT kind, at FROM gonogo.journal ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    for kind in ["checklist_tick", "vote", "decision"] {
        assert!(lines.iter().any(|(k, _)| k == kind), "{kind}: {lines:?}");
    }
    for (kind, at) in &lines {
        assert!(on_the_clock(*at), "the {kind} line's `at`: {at}");
    }

    let text = std::fs::read_to_string(&report).unwrap();
    let header = text.lines().find(|l| l.starts_with("Written by")).unwrap();
    assert!(
        header.starts_with("Written by **alice** at 2031-01-01 00:0")
            && header.contains("decision call in "),
        "the handoff's written-at time is the clock's: {header}"
    );
    assert!(!text.contains(&today), "no wall-clock date: {text}");
}
