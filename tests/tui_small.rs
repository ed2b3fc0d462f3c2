//! Small truths: pane number keys exist only for panes that exist, a zero count is not drawn
//! in an alarm colour, and counts agree with their nouns.

mod tui_support;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use gonogo::tui::panes;
use gonogo::tui::{Action, Pane, input, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;
use tui_support::*;

fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

#[test]
fn number_keys_reach_exactly_the_panes_that_exist() {
    let (mut state, _) = state();
    for pane in Pane::ALL.iter() {
        let digit = char::from_digit(pane.number() as u32, 10).unwrap();
        let action = input::action_for_event(&state, &key(digit));
        assert!(
            matches!(action, Some(Action::ShowPane(p)) if p == *pane),
            "{digit}: {action:?}"
        );
    }
    let numbers: Vec<u32> = Pane::ALL.iter().map(|p| p.number() as u32).collect();
    for digit in (1..=9)
        .filter(|d| !numbers.contains(d))
        .map(|d| char::from_digit(d, 10).unwrap())
    {
        let action = input::action_for_event(&state, &key(digit));
        assert!(action.is_none(), "{digit} does something: {action:?}");
    }
    update(&mut state, Action::ToggleHelp);
    let help = draw(&mut state, 160, 48);
    assert!(!help.contains(" 6 "), "{help}");
}

#[test]
fn a_zero_count_is_not_drawn_in_an_alarm_colour() {
    let mut state = state_with_cohort(COHORT_WARN);
    update(&mut state, Action::ShowPane(Pane::Cohort));
    update(
        &mut state,
        Action::Resize {
            width: 160,
            height: 48,
        },
    );
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    terminal
        .draw(|frame| gonogo::tui::render(&state, frame))
        .unwrap();
    let buffer = terminal.backend().buffer();
    let text = screen(buffer);
    let (y, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(" 0 hard"))
        .unwrap_or_else(|| panic!("no zero hard count: {text}"));
    let at = line.find(" 0 hard").unwrap();
    let x = line[..at].chars().count() as u16 + 1;
    let cell = &buffer[(x, y as u16)];
    assert_eq!(cell.symbol(), "0");
    assert!(cell.modifier.contains(Modifier::DIM), "{cell:?}");
}

#[test]
fn one_red_gate_is_one_required_gate_red() {
    let (mut state, _) = state();
    update(&mut state, Action::ToggleScreenShare);
    let screen = draw(&mut state, 160, 48);
    assert!(screen.contains("1 required gate red"), "{screen}");
    assert!(!screen.contains("gate(s)"), "{screen}");
}

/// Types the override's reason and presses Enter.
fn override_with_reason(state: &mut gonogo::tui::State) -> Vec<gonogo::tui::Effect> {
    update(
        state,
        Action::Pane(panes::PaneMsg::Cohort(
            panes::cohort::Msg::StartCohortOverride,
        )),
    );
    for c in "small first wave".chars() {
        update(state, Action::Edit(tui_input::InputRequest::InsertChar(c)));
    }
    update(state, Action::Submit)
}

fn records(effects: &[gonogo::tui::Effect]) -> bool {
    effects.iter().any(|e| {
        matches!(
            e,
            gonogo::tui::Effect::Pane(panes::PaneJob::Cohort(
                panes::cohort::Job::RecordCohortOverride { .. }
            ))
        )
    })
}

#[test]
fn production_asks_for_the_launch_name_before_an_override_and_staging_does_not() {
    let mut state = state_with_cohort(COHORT_WARN);
    update(&mut state, Action::ShowPane(Pane::Cohort));
    assert!(state.launch.production);
    assert!(!records(&override_with_reason(&mut state)));
    for (width, height) in [(80, 24), (160, 48)] {
        let screen = draw(&mut state, width, height);
        assert!(screen.contains("Confirm in production"), "{screen}");
        assert!(screen.contains("Launch name:"), "{screen}");
        insta::assert_snapshot!(format!("confirm_override_{width}x{height}"), screen);
    }
    // Esc goes back to the reason, still typed; Enter asks again.
    update(&mut state, Action::Back);
    assert!(matches!(
        state.top_overlay(),
        Some(gonogo::tui::state::Overlay::Pane(panes::PaneModal::Cohort(panes::cohort::Modal::Override(input)))) if input.value() == "small first wave"
    ));
    update(&mut state, Action::Submit);
    assert!(records(&confirm_launch(&mut state)));
    assert!(state.overlays.is_empty());

    let mut staging = state_with_cohort(COHORT_WARN);
    staging.launch.production = false;
    update(&mut staging, Action::ShowPane(Pane::Cohort));
    assert!(records(&override_with_reason(&mut staging)));
    assert!(staging.overlays.is_empty());
}

/// The footer's message, which must be one plain sentence.
fn said(state: &gonogo::tui::State) -> String {
    state
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

fn palette(state: &mut gonogo::tui::State, line: &str) {
    update(state, Action::StartPalette);
    for c in line.chars() {
        update(state, Action::Edit(tui_input::InputRequest::InsertChar(c)));
    }
    update(state, Action::Submit);
}

#[test]
fn status_messages_are_one_plain_sentence() {
    let mut state = state_with_cohort(COHORT_BLOCKED);
    let mut messages = vec![said(&state)];
    type Step = Box<dyn Fn(&mut gonogo::tui::State)>;
    let steps: Vec<Step> = vec![
        Box::new(|s| {
            update(s, Action::ToggleMask);
        }),
        Box::new(|s| {
            update(s, Action::ToggleMask);
        }),
        Box::new(|s| {
            update(s, Action::Interrupt);
        }),
        Box::new(|s| {
            update(s, Action::ShowPane(Pane::Gates));
            update(
                s,
                Action::Pane(panes::PaneMsg::Cohort(
                    panes::cohort::Msg::StartCohortOverride,
                )),
            );
        }),
        Box::new(|s| palette(s, "cohort-filter dup")),
        Box::new(|s| palette(s, "recheck nope")),
        Box::new(|s| {
            update(s, Action::ShowPane(Pane::Cohort));
            update(
                s,
                Action::Pane(panes::PaneMsg::Cohort(
                    panes::cohort::Msg::StartCohortOverride,
                )),
            );
        }),
        Box::new(|s| {
            update(
                s,
                Action::Pane(panes::PaneMsg::Cohort(panes::cohort::Msg::CycleCohortCode)),
            );
        }),
    ];
    for step in steps {
        step(&mut state);
        messages.push(said(&state));
    }
    let warn = state_with_cohort(COHORT_WARN);
    messages.push(said(&warn));
    for text in messages {
        assert!(!text.is_empty());
        assert!(!text.contains('('), "parentheses in {text:?}");
        let inner = text.trim_end_matches('.');
        assert!(!inner.contains(". "), "more than one sentence: {text:?}");
    }
}
