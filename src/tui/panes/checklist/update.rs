//! The Checklist pane's update: loading the file and the shared state, moving over the rows,
//! ticking and unticking (with a note or a reason), the roll call and the freeze. Writes go out
//! as effects; a refused entry reopens its modal with the text kept.

use super::Reply;
use super::{Action, Effect};
use super::{ChecklistPane, FileState, Job, Modal, Msg, REFRESH_EVERY};
use crate::decision::{Evidence, Outcome, VoteChoice};
use crate::gate::Verdict;
use crate::journal::{NoteError, clean_note};
use crate::tui::kit::Level;
use crate::tui::layout;
use crate::tui::pane::{Cx, movement, step};
use tui_input::Input;

const NO_DATABASE: &str =
    "Ticks and votes are shared through the database: add [postgres] to the config.";

pub fn update(pane: &mut ChecklistPane, cx: &Cx<'_>, action: Action) -> Reply {
    if let Some(delta) = movement(&action, layout::list_rows(cx.body, 1)) {
        pane.selected = step(pane.selected, pane.rows.len(), delta);
        return Reply::default();
    }
    match action {
        Action::Tick(now) => tick(pane, cx, now),
        Action::Open => match pane.selected_item() {
            Some(item) => match &item.gate {
                Some(gate) => Reply {
                    then: vec![Action::JumpToGate(gate.clone())],
                    ..Reply::default()
                },
                None => Reply::say(
                    Level::Info,
                    "Enter opens the gate of a gate-verified item; Space ticks this one.",
                ),
            },
            None => Reply::quiet(),
        },
        _ => Reply::unhandled(),
    }
}

/// The pane's own messages.
pub fn on_msg(pane: &mut ChecklistPane, cx: &Cx<'_>, msg: Msg) -> Reply {
    match msg {
        Msg::ChecklistLoaded(result) => {
            let reply = match result {
                Ok(checklist) => {
                    pane.file = FileState::Loaded(checklist);
                    Reply::default()
                }
                Err(why) => {
                    pane.file = FileState::Failed(why.clone());
                    Reply::say(Level::Warning, format!("Checklist not loaded: {why}"))
                }
            };
            pane.recompute(cx.board, cx.now);
            reply
        }
        Msg::CallLoaded(result) => {
            pane.reading = false;
            pane.last_read = Some(cx.now);
            match result {
                Ok(call) => {
                    pane.call = Some(call);
                    pane.call_error = None;
                }
                Err(why) => pane.call_error = Some(why),
            }
            let turned = pane.recompute(cx.board, cx.now);
            bell(pane, turned)
        }
        Msg::RefreshCall => read(pane),
        Msg::ReloadChecklist => {
            let mut reply = read(pane);
            reply.effects.push(Job::LoadChecklist.into());
            reply.show = true;
            reply.say = Some((Level::Info, "Reading the checklist file again.".into()));
            reply
        }
        Msg::StartTick => start_entry(pane, true),
        Msg::StartUntick => start_entry(pane, false),
        Msg::ToggleOpenItems => {
            pane.only_open = !pane.only_open;
            pane.selected = 0;
            pane.recompute(cx.board, cx.now);
            let text = if pane.only_open {
                "Showing the items not done yet."
            } else {
                "Showing every item."
            };
            Reply::say(Level::Info, text)
        }
        Msg::StartVote(text) if pane.shared => Reply::open(Modal::Vote(Input::new(text)).into()),
        Msg::StartDecide(text) if pane.shared => {
            Reply::open(Modal::Decide(Input::new(text)).into())
        }
        Msg::StartVote(_) | Msg::StartDecide(_) => Reply::say(Level::Warning, NO_DATABASE),
        Msg::TickItem { key, note } => write_tick(pane, key, note, true),
        Msg::UntickItem { key, reason } => write_tick(pane, key, reason, false),
        Msg::CastVote(text) => cast_vote(pane, &text),
        Msg::Decide { override_reason } => decide(pane, cx, override_reason),
        Msg::CallWritten(result) => match result {
            Ok(text) => {
                let mut reply = read(pane);
                reply.say = Some((Level::Info, text));
                reply
            }
            Err(why) => Reply::say(Level::Warning, why),
        },
    }
}

fn tick(pane: &mut ChecklistPane, cx: &Cx<'_>, now: chrono::DateTime<chrono::Utc>) -> Reply {
    let mut effects = Vec::new();
    if matches!(pane.file, FileState::Loading) && !pane.file_asked {
        pane.file_asked = true;
        effects.push(Job::LoadChecklist.into());
    }
    let due = pane.last_read.is_none_or(|at| now - at >= REFRESH_EVERY);
    if pane.shared && due && !pane.reading {
        pane.reading = true;
        effects.push(Job::LoadCall.into());
    }
    let before = pane.view.clone();
    let turned = pane.recompute(cx.board, now);
    let mut reply = bell(pane, turned);
    reply.effects.extend(effects);
    // Only what shows: an unchanged checklist costs no frame.
    reply.quiet = pane.view == before && !turned;
    reply
}

fn bell(pane: &ChecklistPane, turned: bool) -> Reply {
    if !turned {
        return Reply::default();
    }
    // The alert is the core's rule, the one `check --watch` applies too.
    let mut effects: Vec<Effect> = pane
        .view
        .iter()
        .map(|v| Effect::RaiseAlert(crate::alerts::overdue_trigger(v)))
        .collect();
    if pane.bell {
        effects.push(Effect::Bell);
    }
    Reply {
        effects,
        say: Some((
            Level::Warning,
            "A checklist item is now overdue.".to_owned(),
        )),
        ..Reply::default()
    }
}

fn read(pane: &mut ChecklistPane) -> Reply {
    if !pane.shared {
        return Reply::quiet();
    }
    pane.reading = true;
    Reply {
        effects: vec![Job::LoadCall.into()],
        quiet: true,
        ..Reply::default()
    }
}

fn start_entry(pane: &ChecklistPane, tick: bool) -> Reply {
    if !pane.shared {
        return Reply::say(Level::Warning, NO_DATABASE);
    }
    let Some(item) = pane.selected_item() else {
        return Reply::say(Level::Info, "Select an item first (j/k).");
    };
    if let Some(gate) = &item.gate {
        return Reply::say(
            Level::Warning,
            format!("This item is verified by the gate {gate}: the gate decides it, never a tick."),
        );
    }
    let key = item.key.clone();
    let input = Input::default();
    if tick {
        Reply::open(Modal::TickNote { key, input }.into())
    } else if !item.state.is_done() {
        Reply::say(Level::Info, "This item is not ticked.")
    } else {
        Reply::open(Modal::UntickReason { key, input }.into())
    }
}

/// The entry's modal again, with what was typed, and why it was refused.
fn refuse(modal: Modal, why: String) -> Reply {
    Reply {
        open: Some(modal.into()),
        say: Some((Level::Warning, why)),
        ..Reply::default()
    }
}

fn write_tick(pane: &ChecklistPane, key: String, text: String, ticked: bool) -> Reply {
    let Some(item) = pane.checklist().and_then(|c| c.item_by_key(&key)).cloned() else {
        return Reply::say(
            Level::Warning,
            "That item is no longer in the checklist file.",
        );
    };
    let reopen = |key: String, text: &str| {
        let input = Input::new(text.to_owned());
        if ticked {
            Modal::TickNote { key, input }
        } else {
            Modal::UntickReason { key, input }
        }
    };
    let note = match clean_note(&text) {
        Ok(note) => Some(note),
        Err(NoteError::Empty) if ticked => None,
        Err(NoteError::Empty) => {
            return refuse(reopen(key, &text), "Unticking needs a reason.".into());
        }
        Err(e) => return refuse(reopen(key, &text), format!("Not written: {e}.")),
    };
    let current = pane.tick_of(&key).cloned().map(Box::new);
    Reply {
        effects: vec![
            Job::WriteTick {
                item: Box::new(item),
                ticked,
                note,
                current,
            }
            .into(),
        ],
        say: Some((Level::Info, "Writing to the shared checklist.".into())),
        ..Reply::default()
    }
}

/// `go tech lead`, `no-go on-call engineer: db lag`.
pub fn parse_vote(text: &str) -> Result<(VoteChoice, String, Option<String>), String> {
    let text = text.trim();
    let (head, note) = match text.split_once(':') {
        Some((head, note)) => (head.trim(), Some(note.trim()).filter(|n| !n.is_empty())),
        None => (text, None),
    };
    let (word, role) = head.split_once(char::is_whitespace).unwrap_or((head, ""));
    let choice = VoteChoice::parse(word)
        .ok_or_else(|| "Start with go or no-go, then the role (no-go ROLE: why).".to_owned())?;
    Ok((choice, role.trim().to_owned(), note.map(str::to_owned)))
}

fn cast_vote(pane: &ChecklistPane, text: &str) -> Reply {
    let reopen = || Modal::Vote(Input::new(text.to_owned()));
    let (choice, role, note) = match parse_vote(text) {
        Ok(parsed) => parsed,
        Err(why) => return refuse(reopen(), why),
    };
    let Some(role) = pane.settings.role(&role).map(str::to_owned) else {
        let why = format!(
            "No role `{}`; the roles are: {}.",
            crate::text::sanitize_short(&role, 40),
            pane.settings.roles.join(", ")
        );
        return refuse(reopen(), why);
    };
    let note = match note.as_deref().map(clean_note) {
        None => None,
        Some(Ok(note)) => Some(note),
        Some(Err(e)) => return refuse(reopen(), format!("Not written: {e}.")),
    };
    if choice == VoteChoice::NoGo && note.is_none() {
        return refuse(reopen(), "A NO-GO needs a note: no-go ROLE: why.".into());
    }
    Reply {
        effects: vec![
            Job::WriteVote {
                role,
                vote: choice,
                note,
            }
            .into(),
        ],
        ..Reply::default()
    }
}

fn decide(pane: &ChecklistPane, cx: &Cx<'_>, reason: Option<String>) -> Reply {
    let call = pane.roll_call();
    let missing = call.missing();
    if !missing.is_empty() {
        return Reply::say(
            Level::Warning,
            format!(
                "Not every role has voted: waiting for {}.",
                missing.join(", ")
            ),
        );
    }
    let verdict = cx.board.verdict();
    let reason = reason.filter(|r| !r.trim().is_empty());
    if call.outcome(pane.settings.rule) == Some(Outcome::Go)
        && verdict != Verdict::Go
        && reason.is_none()
    {
        let why = format!(
            "The votes say GO but the gates say {verdict}: type the reason to override them, or Esc."
        );
        return refuse(Modal::Decide(Input::default()), why);
    }
    let evidence = Evidence {
        verdict,
        gates: crate::decision::record::gate_snapshot(cx.board),
        checklist: pane
            .view
            .as_ref()
            .map(crate::decision::record::checklist_summary),
    };
    Reply {
        effects: vec![
            Job::Freeze {
                evidence,
                override_reason: reason,
            }
            .into(),
        ],
        say: Some((Level::Info, "Freezing the decision.".into())),
        ..Reply::default()
    }
}

/// Live news the pane reads the shared state again for: a reconnect, or a tick, vote or
/// decision written by any cockpit or command.
pub fn is_call_news(signal: &crate::journal::LiveSignal) -> bool {
    use crate::journal::LiveSignal;
    match signal {
        LiveSignal::Connected => true,
        LiveSignal::Journal { kind, .. } => matches!(
            kind.as_str(),
            "checklist_tick" | "checklist_untick" | "vote" | "decision"
        ),
        LiveSignal::Disconnected(_) => false,
    }
}
