//! Snapshots of every view at 80x24 and 160x48 (`TestBackend` + insta), from a state built with
//! fixed results and a fixed clock; and the email masking over everything drawn.

mod tui_support;

use gonogo::tui::panes;
use gonogo::tui::{Action, Pane, update};
use tui_support::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn snapshot_all(name: &str, prepare: impl Fn(&mut gonogo::tui::State)) {
    for (width, height) in SIZES {
        let (mut state, _) = state();
        update(
            &mut state,
            Action::Pane(panes::PaneMsg::Timeline(
                panes::timeline::Msg::TimelineLoaded(Ok(journal_entries())),
            )),
        );
        prepare(&mut state);
        let screen = draw(&mut state, width, height);
        insta::assert_snapshot!(format!("{name}_{width}x{height}"), screen);
    }
}

#[test]
fn gates_pane() {
    snapshot_all("gates", |_| {});
}

#[test]
fn gate_detail() {
    snapshot_all("detail", |state| {
        update(state, Action::Move(3));
        update(state, Action::Open);
    });
}

#[test]
fn timeline_pane() {
    snapshot_all("timeline", |state| {
        update(state, Action::ShowPane(Pane::Timeline));
    });
}

#[test]
fn help() {
    snapshot_all("help", |state| {
        update(state, Action::ToggleHelp);
    });
}

#[test]
fn screen_share() {
    snapshot_all("screen_share", |state| {
        update(state, Action::ToggleScreenShare);
    });
}

#[test]
fn local_only_timeline_says_so() {
    let (mut state, _) = state();
    state.panes.timeline.source = gonogo::tui::timeline::TimelineSource::LocalOnly;
    update(&mut state, Action::ShowPane(Pane::Timeline));
    let screen = draw(&mut state, 120, 30);
    assert!(screen.contains("local only"), "{screen}");
    assert!(screen.contains("Sentry P1 issues"), "{screen}");
}

#[test]
fn too_small_terminal_says_so_and_keeps_the_verdict() {
    let (mut state, _) = state();
    let screen = draw(&mut state, 30, 8);
    assert!(screen.contains("NO-GO"), "{screen}");
    assert!(screen.contains("too small"), "{screen}");
}

#[test]
fn emails_show_unmasked_by_default() {
    let (mut state, _) = state();
    let screen = draw(&mut state, 160, 48);
    assert!(screen.contains(EMAIL), "{screen}");
}

#[test]
fn mask_hides_emails_in_gate_errors_and_timeline_entries() {
    let (mut state, _) = state();
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Timeline(
            panes::timeline::Msg::TimelineLoaded(Ok(journal_entries())),
        )),
    );
    update(&mut state, Action::ToggleMask);
    for (width, height) in SIZES {
        let gates = draw(&mut state, width, height);
        assert!(!gates.contains("ops@"), "{gates}");
        update(&mut state, Action::ShowPane(Pane::Timeline));
        let timeline = draw(&mut state, width, height);
        assert!(!timeline.contains("ops@"), "{timeline}");
        update(&mut state, Action::ShowPane(Pane::Gates));
    }
    // Wide enough to show the whole address: it reads masked, not cut.
    let timeline = {
        update(&mut state, Action::ShowPane(Pane::Timeline));
        draw(&mut state, 160, 48)
    };
    assert!(timeline.contains("o***@e***.com"), "{timeline}");
    update(&mut state, Action::ShowPane(Pane::Gates));
    update(&mut state, Action::Move(5));
    update(&mut state, Action::Open);
    let detail = draw(&mut state, 160, 48);
    assert!(detail.contains("token of o***@e***.com"), "{detail}");
    assert!(!detail.contains("ops@"), "{detail}");
}

#[test]
fn screen_share_always_masks() {
    let (mut state, _) = state();
    update(&mut state, Action::ToggleScreenShare);
    for (width, height) in SIZES {
        let screen = draw(&mut state, width, height);
        assert!(!screen.contains("ops@"), "{screen}");
    }
}

/// The Cohort pane on a file with hard and soft findings, the status message timed out.
fn cohort_state(path: &str) -> gonogo::tui::State {
    let mut state = state_with_cohort(path);
    update(&mut state, Action::Tick(at(14, 4, 30)));
    state
}

#[test]
fn cohort_pane() {
    for (width, height) in SIZES {
        let mut state = cohort_state(COHORT_BLOCKED);
        let screen = draw(&mut state, width, height);
        insta::assert_snapshot!(format!("cohort_{width}x{height}"), screen);
    }
}

#[test]
fn cohort_row_detail_and_override_modal() {
    for (width, height) in SIZES {
        let mut state = cohort_state(COHORT_BLOCKED);
        update(&mut state, Action::Move(4));
        update(&mut state, Action::Open);
        let screen = draw(&mut state, width, height);
        insta::assert_snapshot!(format!("cohort_row_{width}x{height}"), screen);

        let mut state = cohort_state(COHORT_WARN);
        update(
            &mut state,
            Action::Pane(panes::PaneMsg::Cohort(
                panes::cohort::Msg::StartCohortOverride,
            )),
        );
        for c in "small first wave".chars() {
            update(
                &mut state,
                Action::Edit(tui_input::InputRequest::InsertChar(c)),
            );
        }
        let screen = draw(&mut state, width, height);
        insta::assert_snapshot!(format!("cohort_override_{width}x{height}"), screen);
    }
}

#[test]
fn cohort_states_before_a_file_is_there() {
    let (mut state, _) = state();
    update(&mut state, Action::ShowPane(Pane::Cohort));
    assert!(draw(&mut state, 80, 24).contains("no cohort loaded"));
    let load = load_asked(&update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(panes::cohort::Msg::LoadCohort(
            COHORT_WARN.into(),
        ))),
    ));
    assert!(draw(&mut state, 80, 24).contains("loading tests/fixtures/cohort/pane_warn.csv"));
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(panes::cohort::Msg::CohortLoaded {
            load,
            result: Err("cannot open it: permission denied".into()),
        })),
    );
    assert!(draw(&mut state, 120, 24).contains("not loaded: cannot open it: permission denied"));
}

#[test]
fn cohort_emails_are_masked() {
    let mut state = cohort_state(COHORT_BLOCKED);
    let plain = draw(&mut state, 160, 48);
    assert!(plain.contains("ana@vinyl.example"), "{plain}");
    update(&mut state, Action::ToggleMask);
    update(&mut state, Action::Tick(at(14, 5, 0)));
    for (width, height) in SIZES {
        let screen = draw(&mut state, width, height);
        for email in ["ana@vinyl", "ben@jazz", "Ana@Vinyl", "olivia@gonogo"] {
            assert!(!screen.contains(email), "{email} shown: {screen}");
        }
        insta::assert_snapshot!(format!("cohort_masked_{width}x{height}"), screen);
    }
    // The row detail too, sent_by included.
    update(&mut state, Action::Open);
    let detail = draw(&mut state, 160, 48);
    assert!(detail.contains("a***@v***.example"), "{detail}");
    assert!(!detail.contains("olivia@"), "{detail}");
    // Screen-share mode masks whatever `M` says; switching back to the pane keeps masking on.
    update(&mut state, Action::Back);
    update(&mut state, Action::ToggleMask);
    update(&mut state, Action::ToggleScreenShare);
    assert!(!draw(&mut state, 160, 48).contains("ana@vinyl"));
}

#[test]
fn a_recheck_in_flight_keeps_the_stale_mark() {
    let (mut state, _) = state();
    // Testers last answered at 14:03:30; by 14:10 that value is stale.
    update(&mut state, Action::Tick(at(14, 10, 0)));
    update(&mut state, Action::Recheck);
    assert!(state.checking.contains("testers"));
    for (width, height) in SIZES {
        let screen = draw(&mut state, width, height);
        let row = screen
            .lines()
            .find(|l| l.contains("Testers signed up"))
            .expect("the testers row is drawn");
        assert!(row.contains("↻ STALE 6m"), "{row}");
    }
    update(&mut state, Action::Open);
    let detail = draw(&mut state, 80, 24);
    assert!(detail.contains("STALE 6m 30s · checking…"), "{detail}");
    // A fresh value being re-checked just says so.
    update(
        &mut state,
        ok(
            "testers",
            at(14, 10, 1),
            gonogo::gate::Value::Number(60.0),
            None,
        ),
    );
    update(&mut state, Action::Back);
    update(&mut state, Action::Recheck);
    let screen = draw(&mut state, 80, 24);
    let row = screen
        .lines()
        .find(|l| l.contains("Testers signed up"))
        .unwrap();
    assert!(row.contains("checking…") && !row.contains("STALE"), "{row}");
}
