//! Terminal events to [`Action`]s: keys through the keymap of the current context, text entry
//! keys to editing requests, mouse wheel and clicks, resizes.

use super::action::Action;
use super::keymap::{Context, Key};
use super::state::State;
use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};
use tui_input::InputRequest;

pub fn action_for_event(state: &State, event: &Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => action_for_key(state, key),
        Event::Mouse(mouse) => match mouse.kind {
            MouseEventKind::ScrollDown => Some(Action::Move(1)),
            MouseEventKind::ScrollUp => Some(Action::Move(-1)),
            MouseEventKind::Down(MouseButton::Left) => Some(Action::Click {
                column: mouse.column,
                row: mouse.row,
            }),
            _ => None,
        },
        Event::Resize(width, height) => Some(Action::Resize {
            width: *width,
            height: *height,
        }),
        _ => None,
    }
}

pub fn action_for_key(state: &State, event: &KeyEvent) -> Option<Action> {
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && event.code == KeyCode::Char('c') {
        return Some(Action::Interrupt);
    }
    let context = state.context();
    if context == Context::TextEntry {
        return text_entry(event);
    }
    state
        .keymap
        .action_for(context, state.pane, Key::from_event(event))
}

/// Keys while typing: Enter accepts, Esc cancels, the rest edits (readline-style chords).
fn text_entry(event: &KeyEvent) -> Option<Action> {
    use InputRequest::*;
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    let alt = event.modifiers.contains(KeyModifiers::ALT);
    let request = match event.code {
        KeyCode::Enter => return Some(Action::Submit),
        KeyCode::Tab => return Some(Action::Complete),
        KeyCode::Esc => return Some(Action::Back),
        KeyCode::Backspace if alt => DeletePrevWord,
        KeyCode::Backspace => DeletePrevChar,
        KeyCode::Delete => DeleteNextChar,
        KeyCode::Left if ctrl => GoToPrevWord,
        KeyCode::Left => GoToPrevChar,
        KeyCode::Right if ctrl => GoToNextWord,
        KeyCode::Right => GoToNextChar,
        KeyCode::Home => GoToStart,
        KeyCode::End => GoToEnd,
        KeyCode::Char('a') if ctrl => GoToStart,
        KeyCode::Char('e') if ctrl => GoToEnd,
        KeyCode::Char('u') if ctrl => DeleteLine,
        KeyCode::Char('w') if ctrl => DeletePrevWord,
        KeyCode::Char('k') if ctrl => DeleteTillEnd,
        KeyCode::Char(_) if ctrl || alt => return None,
        KeyCode::Char(c) => InsertChar(c),
        _ => return None,
    };
    Some(Action::Edit(request))
}
