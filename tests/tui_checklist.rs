//! The Checklist pane: two operators ticking and voting from two cockpits (headless drivers on
//! one real database), a live gate turning red un-verifying its item, and the pane and
//! screen-share view as snapshots at 80x24 and 160x48.

mod support;
mod tui_support;

use chrono::{TimeZone, Utc};
use gonogo::checklist::{self, ItemState};
use gonogo::config::{Config, load_str};
use gonogo::decision::{CallState, Vote, VoteChoice};
use gonogo::tui::driver::Driver;
use gonogo::tui::keymap::Keymap;
use gonogo::tui::panes;
use gonogo::tui::state::{Overlay, State};
use gonogo::tui::theme::Theme;
use gonogo::tui::{Action, CockpitOptions, Pane, update};
use sqlx::PgPool;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

const CHECKLIST: &str = "# Launch checklist\n\n## T-72h\n\n### Database\n\n- [ ] Migration applied to staging\n- [x] Backup fresh\n\n## D-day\n\n- [ ] Fresh file on disk <!-- gate: fresh -->\n- [ ] Tech lead on the call <!-- due: T+0 -->\n";

/// When the call's launch decides.
const CALL_AT: &str = "2030-01-01T18:00:00Z";

fn files(dir: &Path) -> (PathBuf, PathBuf) {
    let checklist = dir.join("checklist.md");
    std::fs::write(&checklist, CHECKLIST).unwrap();
    let marker = dir.join("fresh.txt");
    std::fs::write(&marker, "x").unwrap();
    (checklist, marker)
}

fn cockpit(config: Config, operator: &str) -> Driver {
    Driver::start(config, CockpitOptions::new(operator, Keymap::default())).unwrap()
}

fn item_state(state: &State, text: &str) -> Option<(ItemState, Option<String>)> {
    let view = state.panes.checklist.view.as_ref()?;
    view.items()
        .find(|i| i.text == text)
        .map(|i| (i.state, i.by.clone()))
}

fn type_text(driver: &mut Driver, text: &str) {
    for c in text.chars() {
        driver.dispatch(Action::Edit(tui_input::InputRequest::InsertChar(c)));
    }
}

#[sqlx::test(migrations = false)]
async fn two_operators_tick_and_vote_from_two_cockpits(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    let url = support::db_url(&pool);
    let dir = tempfile::tempdir().unwrap();
    let (list, marker) = files(dir.path());
    let mut alice = cockpit(
        tui_support::checklist_config(CALL_AT, &url, &list, &marker),
        "alice",
    );
    let mut bruno = cockpit(
        tui_support::checklist_config(CALL_AT, &url, &list, &marker),
        "bruno",
    );
    for driver in [&mut alice, &mut bruno] {
        let ready = driver
            .run_until(Duration::from_secs(10), |s| {
                s.panes.checklist.call.is_some()
                    && item_state(s, "Fresh file on disk")
                        .is_some_and(|(st, _)| st == ItemState::Verified)
            })
            .await;
        assert!(
            ready,
            "loaded and verified: {:?}",
            driver.state.panes.checklist.file
        );
    }

    // Space on a gate-bound item is refused, saying which gate decides it.
    tui_support::select_item(&mut alice, "Fresh file on disk");
    alice.dispatch(Action::Pane(panes::PaneMsg::Checklist(
        panes::checklist::Msg::StartTick,
    )));
    assert!(alice.state.overlays.is_empty());
    let said = alice
        .state
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(said.contains("verified by the gate fresh"), "{said}");
    // Enter on it opens the gate in the Gates pane.
    alice.dispatch(Action::Open);
    assert_eq!(alice.state.pane, Pane::Gates);
    assert!(
        matches!(alice.state.overlays.last(), Some(Overlay::Detail { gate, .. }) if gate == "fresh")
    );
    alice.dispatch(Action::Back);

    // Alice ticks with a note; Bruno sees it live.
    tui_support::select_item(&mut alice, "Migration applied to staging");
    alice.dispatch(Action::Pane(panes::PaneMsg::Checklist(
        panes::checklist::Msg::StartTick,
    )));
    assert!(matches!(
        alice.state.overlays.last(),
        Some(Overlay::Pane(panes::PaneModal::Checklist(
            panes::checklist::Modal::TickNote { .. }
        )))
    ));
    type_text(&mut alice, "count(*) = 0");
    let started = std::time::Instant::now();
    alice.dispatch(Action::Submit);
    let seen = bruno
        .run_until(Duration::from_secs(3), |s| {
            item_state(s, "Migration applied to staging")
                == Some((ItemState::Done, Some("alice".into())))
        })
        .await;
    assert!(
        seen,
        "bruno sees alice's tick: {:?}",
        item_state(&bruno.state, "Migration applied to staging")
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    // Bruno unticks the file's [x] with a reason; an empty reason keeps the modal open.
    tui_support::select_item(&mut bruno, "Backup fresh");
    bruno.dispatch(Action::Pane(panes::PaneMsg::Checklist(
        panes::checklist::Msg::StartUntick,
    )));
    bruno.dispatch(Action::Submit);
    assert!(
        matches!(
            bruno.state.overlays.last(),
            Some(Overlay::Pane(panes::PaneModal::Checklist(
                panes::checklist::Modal::UntickReason { .. }
            )))
        ),
        "refused: reopened"
    );
    type_text(&mut bruno, "stanza was wrong");
    bruno.dispatch(Action::Submit);
    let seen = alice
        .run_until(Duration::from_secs(3), |s| {
            item_state(s, "Backup fresh") == Some((ItemState::Open, Some("bruno".into())))
        })
        .await;
    assert!(seen, "{:?}", item_state(&alice.state, "Backup fresh"));

    // The roll call from both cockpits, then Bruno freezes it.
    alice.dispatch(Action::Pane(panes::PaneMsg::Checklist(
        panes::checklist::Msg::StartVote(String::new()),
    )));
    type_text(&mut alice, "go tech lead");
    alice.dispatch(Action::Submit);
    bruno.dispatch(Action::Pane(panes::PaneMsg::Checklist(
        panes::checklist::Msg::StartVote("no-go product lead".into()),
    )));
    bruno.dispatch(Action::Submit);
    assert!(
        matches!(
            bruno.state.overlays.last(),
            Some(Overlay::Pane(panes::PaneModal::Checklist(
                panes::checklist::Modal::Vote(_)
            )))
        ),
        "a NO-GO needs a note"
    );
    bruno.dispatch(Action::Back);
    bruno.dispatch(Action::Pane(panes::PaneMsg::Checklist(
        panes::checklist::Msg::CastVote("go product lead".into()),
    )));
    bruno.dispatch(Action::Pane(panes::PaneMsg::Checklist(
        panes::checklist::Msg::CastVote("go On-call Engineer: all green".into()),
    )));
    let all_in = alice
        .run_until(Duration::from_secs(3), |s| {
            s.panes.checklist.roll_call().missing().is_empty()
        })
        .await;
    assert!(all_in, "{:?}", alice.state.panes.checklist.roll_call());
    bruno
        .run_until(Duration::from_secs(3), |s| {
            s.panes.checklist.roll_call().missing().is_empty()
        })
        .await;
    bruno.dispatch(Action::Pane(panes::PaneMsg::Checklist(
        panes::checklist::Msg::StartDecide(String::new()),
    )));
    bruno.dispatch(Action::Submit);
    let frozen = alice
        .run_until(Duration::from_secs(5), tui_support::decided)
        .await;
    assert!(
        frozen,
        "{:?} / {:?}",
        bruno.state.status,
        bruno.state.board.verdict()
    );
    let last = alice
        .state
        .panes
        .checklist
        .call
        .as_ref()
        .unwrap()
        .last
        .clone()
        .unwrap();
    assert_eq!((last.number, last.decided_by.as_str()), (1, "bruno"));
    assert_eq!(
        alice.state.panes.checklist.roll_call().round,
        2,
        "the next call starts"
    );
    let record: String = sqlx::query_scalar("SELECT record FROM gonogo.decisions WHERE number = 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(record.contains("\"by\":\"alice\""), "{record}");
    assert!(
        !record.contains("Migration applied to staging"),
        "done items are not listed open"
    );
    assert!(
        record.contains("Backup fresh"),
        "the unticked item is listed open: {record}"
    );

    // The gate turning red un-verifies its item in both cockpits.
    let old = std::time::SystemTime::now() - Duration::from_secs(7200);
    std::fs::File::options()
        .write(true)
        .open(&marker)
        .unwrap()
        .set_modified(old)
        .unwrap();
    for driver in [&mut alice, &mut bruno] {
        let red = driver
            .run_until(Duration::from_secs(8), |s| {
                item_state(s, "Fresh file on disk").is_some_and(|(st, _)| st != ItemState::Verified)
            })
            .await;
        assert!(red, "{:?}", item_state(&driver.state, "Fresh file on disk"));
    }
    for driver in [alice, bruno] {
        let left = driver.stop().await;
        assert!(
            !left
                .iter()
                .any(|l| l.contains("tick") || l.contains("vote")),
            "{left:?}"
        );
    }
}

/// A cockpit state with the checklist and a roll call in progress, at a fixed time.
fn snapshot_state() -> State {
    let text = "[launch]\nname = \"Veza v2 soft launch\"\ndecision_at = \"2026-11-24T18:00:00Z\"\n\n[checklist]\npath = \"checklist.md\"\n\n\
                [[gate]]\nid = \"testers\"\ntitle = \"Testers signed up\"\nsource = \"file_age\"\npath = \"/x\"\npass = \"< 1h\"\n";
    let config = load_str(text, Path::new("snap.toml")).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 17, 40, 0).unwrap();
    let mut state = State::new(
        &config,
        "olivia",
        false,
        Keymap::default(),
        Theme::plain(),
        now,
    );
    let list = checklist::parse(
        include_str!("fixtures/checklist/SOFT_LAUNCH_BETA_2026_CHECKLIST.md").replace(
            "- [ ] Tech lead, product lead, on-call engineer all on the call.",
            "- [ ] Tech lead, product lead, on-call engineer all on the call. <!-- due: T-30m -->",
        ).replace("- [ ] No pending high-severity Sentry issue.", "- [ ] No pending high-severity Sentry issue. <!-- gate: testers -->").as_str(),
        "SOFT_LAUNCH_BETA_2026_CHECKLIST.md",
        &["testers"],
    )
    .unwrap();
    let at = |m: u32| Utc.with_ymd_and_hms(2026, 11, 24, 17, m, 0).unwrap();
    let tick = |i: usize, by: &str, note: Option<&str>, m: u32| checklist::Tick {
        item_key: list.items[i].key.clone(),
        item_id: list.items[i].id.clone(),
        section: list.items[i].section.clone(),
        text: list.items[i].text.clone(),
        ticked: true,
        by: by.into(),
        at: at(m),
        note: note.map(str::to_owned),
    };
    let call = CallState {
        ticks: vec![
            tick(0, "alice", Some("count(*) = 0"), 5),
            tick(2, "bruno", None, 12),
        ],
        round: 1,
        votes: vec![Vote {
            role: "tech lead".into(),
            vote: VoteChoice::Go,
            by: "alice@veza.fr".into(),
            at: at(38),
            note: Some("gates green since 17:00".into()),
        }],
        last: None,
    };
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Checklist(
            panes::checklist::Msg::ChecklistLoaded(Ok(Arc::new(list))),
        )),
    );
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Checklist(
            panes::checklist::Msg::CallLoaded(Ok(call)),
        )),
    );
    update(&mut state, Action::ShowPane(Pane::Checklist));
    state
}

#[test]
fn the_pane_at_80x24_and_160x48() {
    let mut state = snapshot_state();
    insta::assert_snapshot!(
        "checklist_pane_80x24",
        tui_support::draw(&mut state, 80, 24)
    );
    insta::assert_snapshot!(
        "checklist_pane_160x48",
        tui_support::draw(&mut state, 160, 48)
    );
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Checklist(
            panes::checklist::Msg::ToggleOpenItems,
        )),
    );
    let open_only = tui_support::draw(&mut state, 80, 24);
    assert!(!open_only.contains("[x]"), "{open_only}");
    update(&mut state, Action::ToggleScreenShare);
    let share = tui_support::draw(&mut state, 160, 48);
    insta::assert_snapshot!("checklist_screen_share_160x48", share);
    assert!(
        !share.contains("alice@veza.fr"),
        "emails masked in screen share"
    );
}

#[test]
fn an_item_turning_overdue_rings_the_bell_once() {
    let mut state = snapshot_state();
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 17, 29, 0).unwrap();
    // Seeded at 17:40 with the item already overdue: no bell for that one again.
    let bells = |fx: &[gonogo::tui::Effect]| {
        fx.iter()
            .filter(|e| matches!(e, gonogo::tui::Effect::Bell))
            .count()
    };
    let mut state_before = snapshot_state();
    let fx = update(&mut state_before, Action::Tick(now));
    assert_eq!(bells(&fx), 0, "not overdue at 17:29");
    let fx = update(
        &mut state_before,
        Action::Tick(now + chrono::TimeDelta::minutes(2)),
    );
    assert_eq!(bells(&fx), 1, "overdue at 17:31: one bell");
    let fx = update(
        &mut state_before,
        Action::Tick(now + chrono::TimeDelta::minutes(3)),
    );
    assert_eq!(bells(&fx), 0, "only once");
    let fx = update(
        &mut state,
        Action::Tick(now + chrono::TimeDelta::minutes(20)),
    );
    assert_eq!(bells(&fx), 0);
}

#[test]
fn a_broken_checklist_is_named_in_its_pane_and_the_others_keep_working() {
    let mut state = snapshot_state();
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Checklist(panes::checklist::Msg::ChecklistLoaded(Err(
            "checklist checklist.md:7: unknown gate `nope` in a binding; the config's gates are: testers".into(),
        )))),
    );
    let pane = tui_support::draw(&mut state, 120, 30);
    assert!(
        pane.contains("Checklist not loaded: checklist checklist.md:7: unknown gate `nope`"),
        "{pane}"
    );
    update(&mut state, Action::ShowPane(Pane::Gates));
    let gates = tui_support::draw(&mut state, 120, 30);
    assert!(gates.contains("Testers signed up"), "{gates}");
}

#[test]
fn the_file_is_read_once_at_start_and_again_on_reload() {
    let text = "[launch]\nname = \"x\"\n[checklist]\npath = \"c.md\"\n[[gate]]\nid = \"g\"\nsource = \"file_age\"\npath = \"/x\"\npass = \"< 1h\"\n";
    let config = load_str(text, Path::new("t.toml")).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
    let mut state = State::new(&config, "o", false, Keymap::default(), Theme::plain(), now);
    let asks = |fx: &[gonogo::tui::Effect]| {
        fx.iter()
            .filter(|e| {
                matches!(
                    e,
                    gonogo::tui::Effect::Pane(panes::PaneJob::Checklist(
                        panes::checklist::Job::LoadChecklist
                    ))
                )
            })
            .count()
    };
    assert_eq!(asks(&update(&mut state, Action::Tick(now))), 1);
    assert_eq!(
        asks(&update(
            &mut state,
            Action::Tick(now + chrono::TimeDelta::seconds(1))
        )),
        0
    );
    assert_eq!(
        asks(&update(
            &mut state,
            Action::Pane(panes::PaneMsg::Checklist(
                panes::checklist::Msg::ReloadChecklist
            ))
        )),
        1
    );
    assert_eq!(state.pane, Pane::Checklist);
}

#[test]
fn once_frozen_screen_share_shows_the_outcome_and_its_roll_call() {
    let mut state = snapshot_state();
    let at = Utc.with_ymd_and_hms(2026, 11, 24, 18, 2, 0).unwrap();
    let votes: Vec<Vote> = ["tech lead", "product lead", "on-call engineer"]
        .iter()
        .map(|role| Vote {
            role: role.to_string(),
            vote: VoteChoice::NoGo,
            by: "dana@veza.fr".into(),
            at,
            note: Some("replica lag".into()),
        })
        .collect();
    let call = CallState {
        ticks: vec![],
        round: 2,
        votes: vec![],
        last: Some(gonogo::decision::DecisionHead {
            number: 1,
            outcome: gonogo::decision::Outcome::NoGo,
            decided_at: at,
            decided_by: "olivia".into(),
            gates_overridden: false,
            hash: "ab".repeat(32),
            votes,
        }),
    };
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Checklist(
            panes::checklist::Msg::CallLoaded(Ok(call)),
        )),
    );
    update(&mut state, Action::ToggleScreenShare);
    let share = tui_support::draw(&mut state, 160, 48);
    assert!(
        share.contains("decision 1 frozen by olivia at 18:02 UTC"),
        "{share}"
    );
    assert!(share.contains("roll call · call 1"), "{share}");
    assert_eq!(
        share.matches("NO-GO").count(),
        3,
        "each role's vote: {share}"
    );
    assert!(!share.contains("dana@veza.fr"), "{share}");
    let pane = {
        update(&mut state, Action::ToggleScreenShare);
        tui_support::draw(&mut state, 120, 30)
    };
    assert!(
        pane.contains("decision 1 frozen: NO-GO by olivia"),
        "{pane}"
    );
    assert!(pane.contains("Roll call · call 2"), "{pane}");
}
