//! Small truths: pane number keys exist only for panes that exist, a zero count is not drawn
//! in an alarm colour, and counts agree with their nouns.

mod tui_support;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
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
    for (i, pane) in Pane::ALL.iter().enumerate() {
        let digit = char::from_digit(i as u32 + 1, 10).unwrap();
        let action = input::action_for_event(&state, &key(digit));
        assert!(
            matches!(action, Some(Action::ShowPane(p)) if p == *pane),
            "{digit}: {action:?}"
        );
    }
    for digit in (Pane::ALL.len() as u32 + 1..=9).map(|d| char::from_digit(d, 10).unwrap()) {
        let action = input::action_for_event(&state, &key(digit));
        assert!(action.is_none(), "{digit} does something: {action:?}");
    }
    update(&mut state, Action::ToggleHelp);
    let help = draw(&mut state, 160, 48);
    assert!(!help.contains(" 4 "), "{help}");
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
