//! The screen is used: a tall terminal shows the newest timeline lines under the gates, and a
//! view that scrolls says where it stands.

mod tui_support;

use gonogo::tui::panes;
use gonogo::tui::{Action, update};
use tui_support::*;

fn with_history() -> gonogo::tui::State {
    let (mut state, _) = state();
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Timeline(
            panes::timeline::Msg::TimelineLoaded(Ok(journal_entries())),
        )),
    );
    state
}

#[test]
fn a_tall_terminal_shows_the_newest_timeline_lines_under_the_gates() {
    let mut state = with_history();
    let tall = draw(&mut state, 160, 48);
    let gates_at = tall.find("HIGH issues open").expect("the gates are drawn");
    let history_at = tall.find("Newest in the timeline").expect(&tall);
    assert!(gates_at < history_at, "{tall}");
    let newest = tall.find("Sentry P1 issues pass → fail").expect(&tall);
    let oldest = tall.find("Testers signed up first seen pass").expect(&tall);
    assert!(newest < oldest, "newest first: {tall}");
    let short = draw(&mut state, 80, 24);
    assert!(!short.contains("Newest in the timeline"), "{short}");
    // 40 rows is enough, 39 is not.
    assert!(draw(&mut state, 120, 40).contains("Newest in the timeline"));
    assert!(!draw(&mut state, 120, 39).contains("Newest in the timeline"));
}

#[test]
fn clicks_and_pages_follow_the_gates_table_when_the_history_shows() {
    let mut state = with_history();
    draw(&mut state, 160, 48);
    // The body starts at row 2 with the table header: row 6 is the fourth gate.
    update(&mut state, Action::Click { column: 10, row: 6 });
    assert_eq!(state.panes.gates.selected, 3);
    // A click in the history does not pick a gate.
    update(
        &mut state,
        Action::Click {
            column: 10,
            row: 20,
        },
    );
    assert_eq!(state.panes.gates.selected, 3);
    update(&mut state, Action::PageDown);
    assert_eq!(state.panes.gates.selected, 5, "the last gate");
}

#[test]
fn a_view_that_scrolls_says_so_and_where_it_stands() {
    let mut state = with_history();
    update(&mut state, Action::ToggleHelp);
    let top = draw(&mut state, 80, 24);
    assert!(top.contains("↓ more · lines 1–20 of"), "{top}");
    update(&mut state, Action::Bottom);
    let bottom = draw(&mut state, 80, 24);
    assert!(bottom.contains("· end"), "{bottom}");
    assert!(!bottom.contains("↓ more"), "{bottom}");
    // Where everything fits, nothing is said.
    update(&mut state, Action::ToggleHelp);
    update(&mut state, Action::Open);
    let detail = draw(&mut state, 160, 48);
    assert!(!detail.contains("↓ more"), "{detail}");
}
