//! `update`: the only place the cockpit's state changes. Synchronous, no I/O: it returns the
//! [`Effect`]s for the event loop to run.
//!
//! Shared actions (quitting, switching panes, the views stacked over the panes, the palette,
//! gate results, the clock) are handled here. A pane's own message (`Action::Pane`) goes to
//! that pane ([`panes::update`]); the clock and live news go to every pane; keys for the pane
//! in front go to it. Each [`Reply`] is applied here, so panes never touch each other or the
//! shared state.

use super::action::{Action, Effect, Pane};
use super::confirm;
use super::keymap::Command;
use super::layout;
use super::palette::{self, PaletteCommand};
use super::panes::{self, Reply, Submit};
use super::state::{Level, Overlay, Redraw, STATUS_SECONDS, State, View};
use crate::gate::{GateState, Transition};
use chrono::Duration;
use ratatui::layout::Rect;
use tui_input::Input;

pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    let mut effects = Vec::new();
    let routine = routine_reading(state, &action);
    let is_tick = matches!(action, Action::Tick(_));
    let changed = apply(state, action, &mut effects);
    super::read_only::keep_reads(state, &mut effects);
    state.refresh_masker();
    if changed {
        let pace = match routine {
            Some((gate, before)) if state.board.get(&gate).map(|g| g.state) == Some(before) => {
                Redraw::WithTheClock
            }
            _ => Redraw::Now,
        };
        state.redraw = state.redraw.max(pace);
    }
    if is_tick && state.redraw == Redraw::WithTheClock {
        state.redraw = Redraw::Now;
    }
    let title = state.window_title();
    if title != state.title {
        state.title = title.clone();
        effects.push(Effect::SetTitle(title));
    }
    effects
}

/// A gate's reading that may wait for the clock's frame: its gate and state before it, unless
/// it is the gate's first reading or one the operator is waiting for (a re-check).
fn routine_reading(state: &State, action: &Action) -> Option<(String, GateState)> {
    let Action::GateChecked(result) = action else {
        return None;
    };
    if state.checking.contains(&result.gate) {
        return None;
    }
    let gate = state.board.get(&result.gate)?;
    gate.observed_at.map(|_| (result.gate.clone(), gate.state))
}

/// Applies one action; returns whether anything visible changed.
fn apply(state: &mut State, action: Action, fx: &mut Vec<Effect>) -> bool {
    match action {
        Action::Quit => fx.push(Effect::Quit),
        Action::ToggleHelp => {
            if matches!(state.top_overlay(), Some(Overlay::Help { .. })) {
                state.overlays.pop();
            } else {
                state.overlays.push(Overlay::Help { scroll: 0 });
            }
        }
        Action::NextPane | Action::PrevPane => {
            let i = Pane::ALL.iter().position(|p| *p == state.pane).unwrap_or(0);
            let n = Pane::ALL.len();
            let next = if matches!(action, Action::NextPane) {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            show_pane(state, Pane::ALL[next]);
        }
        Action::ShowPane(pane) => show_pane(state, pane),
        Action::Move(_) | Action::PageDown | Action::PageUp | Action::Top | Action::Bottom
            if state.overlays.is_empty() =>
        {
            return route(state, state.pane, action, fx);
        }
        Action::Move(delta) => scroll_overlay(state, delta as isize),
        Action::PageDown => scroll_overlay(state, overlay_page(state)),
        Action::PageUp => scroll_overlay(state, -overlay_page(state)),
        Action::Top => scroll_overlay(state, isize::MIN / 2),
        Action::Bottom => scroll_overlay(state, isize::MAX / 2),
        Action::Open if state.view == View::Cockpit && state.overlays.is_empty() => {
            return route(state, state.pane, action, fx);
        }
        Action::Open => {}
        Action::Back => back(state),
        Action::StartFilter => return route(state, state.pane, action, fx),
        Action::StartPalette => state.overlays.push(Overlay::Palette(Input::default())),
        Action::Edit(request) => edit(state, request),
        Action::Submit => return submit(state, fx),
        Action::Complete => return complete(state),
        Action::ToggleScreenShare => {
            state.view = match state.view {
                View::Cockpit => View::ScreenShare,
                View::ScreenShare => View::Cockpit,
            };
            state.overlays.clear();
        }
        Action::ToggleMask => {
            state.mask = !state.mask;
            let text = if state.mask {
                "email addresses masked"
            } else {
                "email addresses shown; screen-share mode always masks them"
            };
            state.say(Level::Info, text);
        }
        Action::Recheck => match open_detail(state) {
            Some(id) => recheck(state, id, fx),
            None => return route(state, state.pane, action, fx),
        },
        Action::RecheckGate(id) => {
            if state.spec(&id).is_some() {
                recheck(state, id, fx);
            } else {
                let text = format!("no gate `{}`", crate::text::sanitize_short(&id, 40));
                state.say(Level::Warning, &text);
            }
        }
        Action::RecheckAll => {
            state.checking = state.specs.iter().map(|s| s.id.clone()).collect();
            fx.push(Effect::RecheckAll);
            state.say(Level::Info, "re-checking every gate");
        }
        Action::Click { column, row } => return click(state, column, row, fx),
        Action::Interrupt => {
            let text = format!(
                "Ctrl-C does not quit the cockpit; press {} to quit",
                state.keymap.key_of(Command::Quit)
            );
            state.say(Level::Info, &text);
        }
        Action::ReadOnly(command) => super::read_only::refuse(state, command),
        Action::Resize { width, height } => state.size = (width, height),
        Action::Tick(now) => tick(state, now, fx),
        Action::GateChecked(result) => {
            state.checking.remove(&result.gate);
            let gate = result.gate.clone();
            let first = state
                .board
                .get(&gate)
                .is_some_and(|g| g.observed_at.is_none());
            let transitions: Vec<Transition> = state.board.apply(result).into_iter().collect();
            // A first answer that changes nothing (unknown, as the board started) is still the
            // alert engine's first look at the gate.
            if first && transitions.is_empty() {
                fx.push(Effect::ObserveAlerts(crate::alerts::BoardView::of(
                    &state.board,
                )));
            }
            on_transitions(state, transitions, fx);
            if state.panes.timeline.is_shared() {
                let observed = state.board.get(&gate).and_then(|status| {
                    crate::journal::ObservedGate::from_status(status, &state.operator)
                });
                fx.extend(observed.map(Effect::SaveObservation));
            }
        }
        Action::StartNote => return super::notes::start_note(state),
        Action::AddNote(text) => return super::notes::add_note(state, &text, fx),
        Action::TakeOver => return super::notes::take_over(state, fx),
        Action::ShowHandoff(out) => return super::notes::show_handoff(state, out, fx),
        Action::HandoffReady { out, result } => {
            return super::notes::handoff_ready(state, out, result);
        }
        Action::JumpToGate(gate) => {
            show_pane(state, Pane::Gates);
            state.overlays.push(Overlay::Detail { gate, scroll: 0 });
        }
        Action::AlertNews(news) => {
            let (text, warning) = news.line();
            let level = if warning { Level::Warning } else { Level::Info };
            state.say(level, &crate::text::sanitize(&text));
        }
        Action::JournalWritten => return broadcast(state, action, fx),
        Action::Live(signal) => {
            let mut changed = false;
            for &pane in Pane::ALL {
                let reply = panes::on_live(state, pane, &signal);
                changed |= apply_reply(state, pane, reply, fx);
            }
            return changed;
        }
        Action::Pane(msg) => {
            let (pane, reply) = panes::update(state, msg);
            return apply_reply(state, pane, reply, fx);
        }
    }
    true
}

/// Hands a shared action to a pane and applies its reply.
fn route(state: &mut State, pane: Pane, action: Action, fx: &mut Vec<Effect>) -> bool {
    let filter = matches!(action, Action::StartFilter);
    let reply = panes::on_action(state, pane, action);
    if reply.unhandled {
        if filter {
            // A pane without a search of its own: `/` filters the gates (the tabs row shows it).
            let input = Input::new(state.panes.gates.filter().to_owned());
            state.overlays.push(Overlay::Filter(input));
            return true;
        }
        return false;
    }
    apply_reply(state, pane, reply, fx)
}

fn apply_reply(state: &mut State, pane: Pane, reply: Reply, fx: &mut Vec<Effect>) -> bool {
    fx.extend(reply.effects);
    if reply.close {
        state.overlays.pop();
    }
    if let Some(overlay) = reply.open {
        state.overlays.push(overlay);
    }
    if reply.show {
        state.pane = pane;
    }
    if let Some((level, text)) = reply.say {
        state.say(level, &text);
    }
    let mut changed = !reply.quiet;
    for action in reply.then {
        changed |= apply(state, action, fx);
    }
    changed
}

/// News every pane hears; whether any pane's screen changed.
fn broadcast(state: &mut State, action: Action, fx: &mut Vec<Effect>) -> bool {
    let mut changed = false;
    for &pane in Pane::ALL {
        changed |= route(state, pane, action.clone(), fx);
    }
    changed
}

fn show_pane(state: &mut State, pane: Pane) {
    state.pane = pane;
    state.view = View::Cockpit;
    state
        .overlays
        .retain(|o| matches!(o, Overlay::Filter(_) | Overlay::Palette(_)));
}

/// Rows in one screenful of an open view: the same count `render` fits on screen.
fn overlay_page(state: &State) -> isize {
    let body = layout::cockpit(Rect::new(0, 0, state.size.0, state.size.1)).body;
    layout::list_rows(body, layout::TIMELINE_HEADER_ROWS).max(1) as isize
}

fn scroll_overlay(state: &mut State, delta: isize) {
    if let Some(
        Overlay::Help { scroll } | Overlay::Detail { scroll, .. } | Overlay::Report { scroll, .. },
    ) = state.overlays.last_mut()
    {
        *scroll = panes::step(usize::from(*scroll), usize::from(u16::MAX), delta) as u16;
    } else if let Some(scroll) = state.overlays.last_mut().and_then(pane_scroll) {
        *scroll = panes::step(usize::from(*scroll), usize::from(u16::MAX), delta) as u16;
    }
}

/// The gate of the open detail view, if one is open.
fn open_detail(state: &State) -> Option<String> {
    state.overlays.iter().rev().find_map(|o| match o {
        Overlay::Detail { gate, .. } => Some(gate.clone()),
        _ => None,
    })
}

fn pane_scroll(overlay: &mut Overlay) -> Option<&mut u16> {
    match overlay {
        Overlay::Pane(modal) => modal.scroll(),
        _ => None,
    }
}

fn back(state: &mut State) {
    match state.overlays.pop() {
        Some(Overlay::Filter(_)) => {
            state.panes.gates.set_filter("", &state.board);
            state.panes.gates.selected = 0;
        }
        Some(Overlay::Pane(modal)) => panes::closed(state, modal),
        Some(_) => {}
        None if state.view == View::ScreenShare => state.view = View::Cockpit,
        None => state.panes.gates.set_filter("", &state.board),
    }
}

fn edit(state: &mut State, request: tui_input::InputRequest) {
    match state.overlays.last_mut() {
        Some(Overlay::Filter(input)) => {
            input.handle(request);
            state.panes.gates.set_filter(input.value(), &state.board);
            state.panes.gates.selected = 0;
        }
        Some(Overlay::Palette(input) | Overlay::Note(input) | Overlay::Confirm { input, .. }) => {
            input.handle(request);
        }
        Some(Overlay::Pane(_)) => panes::modal_input(state, request),
        _ => {}
    }
}

fn submit(state: &mut State, fx: &mut Vec<Effect>) -> bool {
    match state.overlays.last() {
        Some(Overlay::Filter(_)) => {
            state.overlays.pop();
        }
        Some(Overlay::Pane(_)) => return submit_modal(state, fx),
        Some(Overlay::Confirm { action, input }) => {
            if !confirm::matches(state, input.value()) {
                let text = format!(
                    "Type the launch name {} exactly to confirm, or Esc to go back.",
                    state.launch.name
                );
                state.say(Level::Warning, &text);
                return true;
            }
            let action = (**action).clone();
            // The modal under it (the override's reason) closes as the action runs.
            state.overlays.pop();
            return apply(state, action, fx);
        }
        Some(Overlay::Note(input)) => {
            let text = input.value().to_owned();
            return apply(state, Action::AddNote(text), fx);
        }
        Some(Overlay::Palette(input)) => {
            let line = input.value().to_owned();
            state.overlays.pop();
            run_palette(state, &line, fx);
        }
        _ => return apply(state, Action::Open, fx),
    }
    true
}

/// Enter in a pane's modal: what the pane says it means.
fn submit_modal(state: &mut State, fx: &mut Vec<Effect>) -> bool {
    match panes::submit(state) {
        Submit::Ignore => {}
        Submit::Close => {
            state.overlays.pop();
        }
        Submit::Refuse(why) => state.say(Level::Warning, &why),
        Submit::Run(action) => return confirmed_first(state, action, fx),
        Submit::CloseAndRun(action) => {
            state.overlays.pop();
            return confirmed_first(state, action, fx);
        }
    }
    true
}

/// A mutation runs at once in staging; in production it waits in the confirmation modal
/// until the launch's name is typed.
fn confirmed_first(state: &mut State, action: Action, fx: &mut Vec<Effect>) -> bool {
    if state.launch.production && confirm::needs_typed(&action) {
        state.overlays.push(Overlay::Confirm {
            action: Box::new(action),
            input: Input::default(),
        });
        return true;
    }
    apply(state, action, fx)
}

fn run_palette(state: &mut State, line: &str, fx: &mut Vec<Effect>) {
    match palette::parse(line, state.keymap.is_read_only()) {
        Ok(None) => {}
        Ok(Some(PaletteCommand::Run(action))) => {
            apply(state, action, fx);
        }
        Ok(Some(PaletteCommand::Open(id))) => {
            if state.spec(&id).is_some() {
                state.view = View::Cockpit;
                state.overlays.push(Overlay::Detail {
                    gate: id,
                    scroll: 0,
                });
            } else {
                let text = format!("no gate `{}`", crate::text::sanitize_short(&id, 40));
                state.say(Level::Warning, &text);
            }
        }
        Ok(Some(PaletteCommand::Filter(text))) => {
            state.panes.gates.set_filter(&text, &state.board);
            state.panes.gates.selected = 0;
            show_pane(state, Pane::Gates);
        }
        Err(message) => state.say(Level::Warning, &message),
    }
}

fn complete(state: &mut State) -> bool {
    let ids: Vec<String> = state.specs.iter().map(|s| s.id.clone()).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let Some(Overlay::Palette(input)) = state.overlays.last_mut() else {
        return false;
    };
    match palette::complete(input.value(), &ids) {
        Some(line) if line != input.value() => {
            *input = Input::new(line);
            true
        }
        _ => false,
    }
}

fn recheck(state: &mut State, id: String, fx: &mut Vec<Effect>) {
    let text = format!("re-checking {}", crate::text::sanitize_short(&id, 40));
    state.checking.insert(id.clone());
    fx.push(Effect::Recheck(id));
    state.say(Level::Info, &text);
}

/// A click on the tabs row picks a pane; one in the body goes to the pane in front.
fn click(state: &mut State, column: u16, row: u16, fx: &mut Vec<Effect>) -> bool {
    if state.view != View::Cockpit || !state.overlays.is_empty() {
        return false;
    }
    let areas = layout::cockpit(Rect::new(0, 0, state.size.0, state.size.1));
    if row == areas.tabs.y {
        let tabs: Vec<(usize, &str)> = Pane::ALL.iter().map(|p| (p.number(), p.title())).collect();
        return match layout::tab_at(column, &tabs) {
            Some(i) => {
                show_pane(state, Pane::ALL[i]);
                true
            }
            None => false,
        };
    }
    route(state, state.pane, Action::Click { column, row }, fx)
}

fn tick(state: &mut State, now: chrono::DateTime<chrono::Utc>, fx: &mut Vec<Effect>) {
    state.now = now;
    let transitions = state.board.refresh(now);
    on_transitions(state, transitions, fx);
    if state
        .status
        .as_ref()
        .is_some_and(|s| now - s.at >= Duration::seconds(STATUS_SECONDS))
    {
        state.status = None;
    }
    // Every pane hears the clock (the timeline reads the journal when it is due).
    broadcast(state, Action::Tick(now), fx);
}

fn on_transitions(state: &mut State, transitions: Vec<Transition>, fx: &mut Vec<Effect>) {
    if transitions.is_empty() {
        return;
    }
    for t in &transitions {
        state.panes.timeline.push_transition(t, &state.operator);
        if state.bell && t.required && t.to == GateState::Fail && !fx.contains(&Effect::Bell) {
            fx.push(Effect::Bell);
        }
    }
    if state.panes.timeline.is_shared() {
        fx.push(Effect::RecordTransitions(transitions));
    }
    fx.push(Effect::ObserveAlerts(crate::alerts::BoardView::of(
        &state.board,
    )));
}
