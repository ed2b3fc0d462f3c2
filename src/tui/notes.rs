//! The journal's operator side in the cockpit: notes (`n`, `:note TEXT`), taking over the
//! shift (`:take-over`) and the handoff report (`:handoff [FILE]`). Each becomes an effect for
//! the runner; nothing here waits.

use super::action::{Action, Effect};
use super::state::{Level, Overlay, State};
use crate::journal::{JournalEvent, PendingEvent, clean_note};
use std::path::PathBuf;
use tui_input::Input;

const NO_JOURNAL: &str =
    "Notes, take-overs and handoff reports need the shared journal: add [postgres] to the config.";

pub fn start_note(state: &mut State) -> bool {
    if !state.panes.timeline.is_shared() {
        state.say(Level::Warning, NO_JOURNAL);
    } else {
        state.overlays.push(Overlay::Note(Input::default()));
    }
    true
}

/// Checks the note, hands it to the journal writer (in order behind anything waiting) and says
/// whether it is written or waiting. A note that is refused stays in its modal to be fixed.
pub fn add_note(state: &mut State, text: &str, fx: &mut Vec<Effect>) -> bool {
    if !state.panes.timeline.is_shared() {
        state.say(Level::Warning, NO_JOURNAL);
        return true;
    }
    let text = match clean_note(text) {
        Ok(text) => text,
        Err(e) => {
            let why = e.to_string();
            state.say(Level::Warning, &format!("Note not written: {why}."));
            return true;
        }
    };
    if matches!(state.top_overlay(), Some(Overlay::Note(_))) {
        state.overlays.pop();
    }
    record(state, JournalEvent::Note { text }, "Note", fx);
    true
}

pub fn take_over(state: &mut State, fx: &mut Vec<Effect>) -> bool {
    if !state.panes.timeline.is_shared() {
        state.say(Level::Warning, NO_JOURNAL);
        return true;
    }
    let previous = state.panes.timeline.on_shift.clone();
    let event = JournalEvent::ShiftTakeover {
        from: previous.as_ref().map(|(who, _)| who.clone()),
        from_since: previous.as_ref().map(|(_, since)| *since),
    };
    state.panes.timeline.on_shift = Some((state.operator.clone(), state.now));
    record(state, event, "Shift take-over", fx);
    true
}

fn record(state: &mut State, event: JournalEvent, what: &str, fx: &mut Vec<Effect>) {
    fx.push(Effect::RecordEvent(PendingEvent::new(state.now, event)));
    state.panes.timeline.pending += 1;
    let text = if state.panes.timeline.pending > 1 {
        format!(
            "{what} kept in order: {} lines are waiting for the journal, and it is written when the database takes them.",
            state.panes.timeline.pending
        )
    } else {
        format!("{what} handed to the journal.")
    };
    state.say(Level::Info, &text);
}

pub fn show_handoff(state: &mut State, out: Option<PathBuf>, fx: &mut Vec<Effect>) -> bool {
    if !state.panes.timeline.is_shared() {
        state.say(Level::Warning, NO_JOURNAL);
        return true;
    }
    fx.push(Effect::BuildHandoff(out));
    state.say(Level::Info, "Building the handoff report from the journal.");
    true
}

pub fn handoff_ready(
    state: &mut State,
    out: Option<PathBuf>,
    result: Result<String, String>,
) -> bool {
    match (result, out) {
        (Ok(_), Some(path)) => {
            let text = format!(
                "Handoff report written to {}.",
                crate::text::sanitize(&path.display().to_string())
            );
            state.say(Level::Info, &text);
        }
        (Ok(text), None) => state.overlays.push(Overlay::Report {
            title: "Shift handoff".to_owned(),
            text,
            scroll: 0,
        }),
        (Err(reason), _) => {
            state.say(Level::Warning, &format!("No handoff report: {reason}."));
        }
    }
    true
}

/// `Action`s the palette offers for these (`:note TEXT`, `:take-over`, `:handoff [FILE]`).
pub fn palette_action(word: &str, arg: &str) -> Option<Action> {
    match word {
        "note" | "n" if arg.is_empty() => Some(Action::StartNote),
        "note" | "n" => Some(Action::AddNote(arg.to_owned())),
        "take-over" | "takeover" => Some(Action::TakeOver),
        "handoff" if arg.is_empty() => Some(Action::ShowHandoff(None)),
        "handoff" => Some(Action::ShowHandoff(Some(PathBuf::from(arg)))),
        _ => None,
    }
}
