//! Mask mode and screen-share mode over text the config and the checklist file supply: gate
//! titles, checklist headings and the Timeline's gate rows holding addresses in odd spellings
//! are masked (snapshots at 160x48), and shown as written when masking is off.

mod tui_support;

use gonogo::tui::panes;
use gonogo::tui::{Action, Pane, State, update};
use std::sync::Arc;
use tui_support::*;

/// Gate titles spelling an address five ways: fullwidth, quoted, percent-encoded, a CJK local
/// part, a zero-width space inside.
const TITLES: [(&str, &str); 5] = [
    ("Testers signed up", "Testers for ｊｏｈｎ＠veza.fr"),
    ("Sentry P1 issues", "Sentry \"ana lima\"@veza.fr"),
    ("Status page", "Status (dan%40veza.fr)"),
    ("Synthetic journey", "Synthetic 山田@veza.fr"),
    ("k6 nightly age", "k6 by bea\u{200B}trice@veza.fr"),
];

/// What must never show while masking: each local part, as a reader would read it.
const LOCALS: [&str; 9] = [
    "ｊｏｈｎ",
    "john",
    "ana lima",
    "dan%40",
    "山田",
    "beatrice",
    "bea",
    "carla",
    "ben%40",
];

const CHECKLIST: &str = "# Launch run by carla＠veza.fr\n\n## Owner ｊｏｈｎ＠veza.fr\n\n- [ ] Smoke test signed off\n\n## Comms (ben%40veza.fr)\n\n- [x] Status page drafted\n";

fn spelled_state() -> State {
    let mut state = state_titled(&TITLES, "\n[checklist]\npath = \"checklist.md\"\n");
    for action in [
        ok(
            "sentry_p1",
            at(14, 2, 0),
            gonogo::gate::Value::Number(2.0),
            None,
        ),
        ok(
            "status_page",
            at(14, 2, 0),
            gonogo::gate::Value::Text("none".into()),
            None,
        ),
        Action::Tick(at(14, 4, 0)),
        Action::Pane(panes::PaneMsg::Timeline(
            panes::timeline::Msg::TimelineLoaded(Ok(journal_entries())),
        )),
    ] {
        update(&mut state, action);
    }
    let list = gonogo::checklist::parse(CHECKLIST, "checklist.md", &[]).unwrap();
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Checklist(
            panes::checklist::Msg::ChecklistLoaded(Ok(Arc::new(list))),
        )),
    );
    update(&mut state, Action::Tick(at(14, 4, 30)));
    state
}

/// Each of `texts` is on the screen (`shown`) or none is.
fn assert_each(what: &str, screen: &str, texts: &[&str], shown: bool) {
    for text in texts {
        assert_eq!(screen.contains(text), shown, "{what}: {text}\n{screen}");
    }
}

fn assert_masked(what: &str, screen: &str) {
    assert_each(what, screen, &LOCALS, false);
}

#[test]
fn gate_titles_checklist_headings_and_timeline_rows_are_masked() {
    let views: [(&str, Vec<Action>); 4] = [
        ("mask_gates", vec![]),
        ("mask_timeline", vec![Action::ShowPane(Pane::Timeline)]),
        ("mask_checklist", vec![Action::ShowPane(Pane::Checklist)]),
        ("mask_detail", vec![Action::Move(1), Action::Open]),
    ];
    for (name, actions) in views {
        let mut state = spelled_state();
        update(&mut state, Action::ToggleMask);
        for action in actions {
            update(&mut state, action);
        }
        let screen = draw_wide(&mut state, 160, 48);
        assert_masked(name, &screen);
        insta::assert_snapshot!(format!("{name}_160x48"), screen);
    }
}

#[test]
fn screen_share_masks_gate_titles_in_any_spelling() {
    let mut state = spelled_state();
    update(&mut state, Action::ToggleScreenShare);
    for (width, height) in [(80, 24), (160, 48)] {
        let screen = draw_wide(&mut state, width, height);
        assert_masked("screen share", &screen);
        insta::assert_snapshot!(format!("mask_screen_share_{width}x{height}"), screen);
    }
}

#[test]
fn unmasked_the_spellings_show_as_written() {
    let mut state = spelled_state();
    let gates = draw_wide(&mut state, 160, 48);
    let spelled = [
        "ｊｏｈｎ＠veza.fr",
        "\"ana lima\"@veza.fr",
        "dan%40veza.fr",
        "山田@veza.fr",
    ];
    assert_each("unmasked gates", &gates, &spelled, true);
    update(&mut state, Action::ShowPane(Pane::Checklist));
    let checklist = draw_wide(&mut state, 160, 48);
    assert!(checklist.contains("ben%40veza.fr"), "{checklist}");
}
