//! The structure the panes stand on: each pane's keys work in that pane only (and may mean
//! something else in another), `[keys]` conflicts are checked per pane, the help lists the
//! cockpit's keys and the pane's own; the filtered rows are computed when the rows or the
//! filter change, not per frame or per keypress that changes neither.

mod tui_support;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use gonogo::cohort::Code;
use gonogo::gate::Value;
use gonogo::tui::keymap::{Command, Keymap, KeymapError};
use gonogo::tui::panes;
use gonogo::tui::{Action, Pane, input, update};
use std::collections::BTreeMap;
use tui_input::InputRequest;
use tui_support::*;

fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn action(state: &gonogo::tui::State, c: char) -> Option<String> {
    input::action_for_event(state, &key(c)).map(|a| format!("{a:?}"))
}

fn keys(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn a_panes_keys_work_in_that_pane_only() {
    let mut state = state_with_cohort(COHORT_WARN);
    assert_eq!(
        action(&state, 'c').as_deref(),
        Some("Pane(Cohort(CycleCohortCode))")
    );
    assert_eq!(
        action(&state, 'o').as_deref(),
        Some("Pane(Cohort(StartCohortOverride))")
    );
    assert_eq!(action(&state, 'r'), None, "no gate rows to re-check here");
    for pane in [Pane::Gates, Pane::Timeline] {
        update(&mut state, Action::ShowPane(pane));
        assert_eq!(action(&state, 'c'), None, "{pane:?}");
        assert_eq!(action(&state, 'o'), None, "{pane:?}");
        assert_eq!(action(&state, 'r').as_deref(), Some("Recheck"), "{pane:?}");
    }
    // Keys of the whole cockpit work in every pane.
    update(&mut state, Action::ShowPane(Pane::Cohort));
    assert_eq!(action(&state, '/').as_deref(), Some("StartFilter"));
    assert_eq!(action(&state, 'q').as_deref(), Some("Quit"));
}

#[test]
fn one_key_may_mean_different_things_in_different_panes() {
    let keymap = Keymap::with_overrides(&keys(&[("recheck", "c")])).unwrap();
    let mut state = state_with_cohort(COHORT_WARN);
    state.keymap = keymap;
    assert_eq!(
        action(&state, 'c').as_deref(),
        Some("Pane(Cohort(CycleCohortCode))")
    );
    update(&mut state, Action::ShowPane(Pane::Gates));
    assert_eq!(action(&state, 'c').as_deref(), Some("Recheck"));
    assert_eq!(action(&state, 'r'), None, "recheck moved to c");
}

#[test]
fn conflicts_are_checked_where_both_keys_would_work() {
    let err = Keymap::with_overrides(&keys(&[("cohort_code", "o")])).unwrap_err();
    assert!(
        matches!(&err, KeymapError::Conflict { place, .. } if place == "in the Cohort pane"),
        "{err}"
    );
    // A key of every pane clashes with a pane's own key in that pane.
    let err = Keymap::with_overrides(&keys(&[("mask", "c")])).unwrap_err();
    assert!(
        err.to_string()
            .contains("`c` is bound to both `mask` and `cohort_code` (in the Cohort pane)"),
        "{err}"
    );
    // The gate detail works over any pane: `r` there is the detail's gate.
    let err = Keymap::with_overrides(&keys(&[("recheck", "M")])).unwrap_err();
    assert!(matches!(err, KeymapError::Conflict { .. }), "{err}");
}

#[test]
fn help_lists_the_cockpits_keys_and_the_panes_own() {
    let keymap = Keymap::default();
    let listed = |pane| -> Vec<Command> { keymap.bindings_for(pane).map(|b| b.command).collect() };
    let gates = listed(Pane::Gates);
    let cohort = listed(Pane::Cohort);
    for command in [Command::Quit, Command::Help, Command::Filter, Command::Open] {
        assert!(
            gates.contains(&command) && cohort.contains(&command),
            "{command:?}"
        );
    }
    assert!(!gates.contains(&Command::CohortCode) && !gates.contains(&Command::Override));
    assert!(cohort.contains(&Command::CohortCode) && cohort.contains(&Command::Override));
    assert!(gates.contains(&Command::Recheck) && !cohort.contains(&Command::Recheck));
    let mut state = state_with_cohort(COHORT_WARN);
    update(&mut state, Action::ToggleHelp);
    let screen = draw(&mut state, 160, 48);
    assert!(screen.contains("[cohort_code]"), "{screen}");
    assert!(!screen.contains("[recheck]"), "{screen}");
}

#[test]
fn cohort_rows_are_filtered_again_only_when_the_file_or_the_filter_change() {
    let mut state = state_with_cohort(COHORT_BLOCKED);
    let start = state.panes.cohort.recomputations();
    assert_eq!(state.panes.cohort.visible_len(), 10);
    // Frames, moves, pages, the clock and gate results leave the rows as they are.
    draw(&mut state, 80, 24);
    draw(&mut state, 160, 48);
    update(&mut state, Action::Move(3));
    update(&mut state, Action::PageDown);
    update(&mut state, Action::Tick(at(14, 5, 0)));
    update(
        &mut state,
        ok("testers", at(14, 5, 1), Value::Number(60.0), None),
    );
    assert_eq!(
        state.panes.cohort.recomputations(),
        start,
        "nothing changed"
    );
    // Each letter typed changes the search; moving the cursor does not.
    update(&mut state, Action::StartFilter);
    for c in "vinyl".chars() {
        update(&mut state, Action::Edit(InputRequest::InsertChar(c)));
    }
    assert_eq!(state.panes.cohort.recomputations(), start + 5);
    update(&mut state, Action::Edit(InputRequest::GoToStart));
    update(&mut state, Action::Submit);
    draw(&mut state, 80, 24);
    assert_eq!(state.panes.cohort.recomputations(), start + 5);
    assert_eq!(state.panes.cohort.visible_len(), 3);
    // A code, then the same code again.
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(
            panes::cohort::Msg::FilterCohortCode(Some(Code::DuplicateEmail)),
        )),
    );
    let with_code = state.panes.cohort.recomputations();
    assert_eq!(with_code, start + 6);
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(
            panes::cohort::Msg::FilterCohortCode(Some(Code::DuplicateEmail)),
        )),
    );
    assert_eq!(state.panes.cohort.recomputations(), with_code);
    let rows: Vec<u64> = state
        .panes
        .cohort
        .visible_rows()
        .iter()
        .map(|r| r.line)
        .collect();
    assert!(!rows.is_empty());
    assert!(state.panes.cohort.visible_rows().iter().all(
        |r| r.codes.contains(&Code::DuplicateEmail) && r.email.to_lowercase().contains("vinyl")
    ));
    // A new file is filtered afresh (and the load resets the filter).
    load_cohort(&mut state, COHORT_WARN, cohort_answer(COHORT_WARN));
    assert!(state.panes.cohort.recomputations() > with_code);
    assert_eq!(state.panes.cohort.search(), "");
    assert_eq!(state.panes.cohort.code_filter(), None);
    assert_eq!(
        state.panes.cohort.visible_len(),
        state.panes.cohort.loaded().unwrap().cohort.0.rows.len()
    );
}

#[test]
fn gates_are_filtered_again_only_when_the_filter_changes() {
    let (mut state, _) = state();
    let start = state.panes.gates.recomputations();
    draw(&mut state, 80, 24);
    update(&mut state, Action::Move(2));
    update(&mut state, Action::Tick(at(14, 6, 0)));
    update(
        &mut state,
        ok("sentry_p1", at(14, 6, 1), Value::Number(0.0), None),
    );
    assert_eq!(state.panes.gates.recomputations(), start);
    update(&mut state, Action::StartFilter);
    for c in "st".chars() {
        update(&mut state, Action::Edit(InputRequest::InsertChar(c)));
    }
    assert_eq!(state.panes.gates.recomputations(), start + 2);
    let ids: Vec<&str> = state
        .visible_gates()
        .iter()
        .map(|g| g.id.as_str())
        .collect();
    assert_eq!(ids, ["testers", "status_page"]);
    update(&mut state, Action::Submit);
    update(&mut state, Action::StartPalette);
    for c in "filter st".chars() {
        update(&mut state, Action::Edit(InputRequest::InsertChar(c)));
    }
    update(&mut state, Action::Submit);
    assert_eq!(
        state.panes.gates.recomputations(),
        start + 2,
        "`:filter st` again"
    );
    update(&mut state, Action::Back);
    assert_eq!(state.panes.gates.recomputations(), start + 3);
    assert_eq!(state.visible_gates().len(), 6);
}
