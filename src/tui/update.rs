//! `update`: the only place the cockpit's state changes. Synchronous, no I/O: it returns the
//! [`Effect`]s for the event loop to run.

use super::action::{Action, Effect, Pane};
use super::cohort;
use super::layout;
use super::palette::{self, PaletteCommand};
use super::state::{Level, Overlay, STATUS_SECONDS, State, View};
use super::timeline::{TimelineEntry, TimelineSource};
use crate::gate::{GateState, Transition};
use crate::tui::keymap::Command;
use chrono::Duration;
use ratatui::layout::Rect;
use tui_input::Input;

/// How often the timeline re-reads the shared journal.
pub const TIMELINE_REFRESH_SECONDS: i64 = 5;

pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    let mut effects = Vec::new();
    let changed = apply(state, action, &mut effects);
    state.dirty |= changed;
    let title = state.window_title();
    if title != state.title {
        state.title = title.clone();
        effects.push(Effect::SetTitle(title));
    }
    effects
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
        Action::Move(delta) => move_by(state, delta as isize),
        Action::PageDown => move_by(state, page(state) as isize),
        Action::PageUp => move_by(state, -(page(state) as isize)),
        Action::Top => move_by(state, isize::MIN / 2),
        Action::Bottom => move_by(state, isize::MAX / 2),
        Action::Open => open(state),
        Action::Back => back(state),
        Action::StartFilter if state.pane == Pane::Cohort => {
            let input = Input::new(state.cohort.search.clone());
            state.overlays.push(Overlay::Search(input));
        }
        Action::StartFilter => {
            let input = Input::new(state.filter.clone());
            state.overlays.push(Overlay::Filter(input));
        }
        Action::StartPalette => state.overlays.push(Overlay::Palette(Input::default())),
        Action::Edit(request) => edit(state, request),
        Action::Submit => submit(state, fx),
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
                "email addresses shown (screen-share mode always masks)"
            };
            state.say(Level::Info, text);
        }
        Action::Recheck => match target_gate(state) {
            Some(id) => recheck(state, id, fx),
            None => return false,
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
        Action::Click { column, row } => return click(state, column, row),
        Action::Interrupt => {
            let text = format!(
                "Ctrl-C does not quit the cockpit; press {} to quit",
                state.keymap.key_of(Command::Quit)
            );
            state.say(Level::Info, &text);
        }
        Action::Resize { width, height } => state.size = (width, height),
        Action::Tick(now) => tick(state, now, fx),
        Action::GateChecked(result) => {
            state.checking.remove(&result.gate);
            let transitions: Vec<Transition> = state.board.apply(result).into_iter().collect();
            on_transitions(state, transitions, fx);
        }
        Action::JournalRecorded(Ok(_)) => {
            if !state.timeline.loading {
                state.timeline.loading = true;
                fx.push(Effect::LoadTimeline);
            }
            return false;
        }
        Action::JournalRecorded(Err(reason)) => {
            let text = format!("journal: transitions not recorded ({reason})");
            state.say(Level::Warning, &text);
        }
        Action::TimelineLoaded(result) => {
            state.timeline.loading = false;
            match result {
                Ok(entries) => {
                    let specs = &state.specs;
                    let title_of = |id: &str| {
                        specs
                            .iter()
                            .find(|s| s.id == id)
                            .map(|s| crate::text::sanitize(&s.title))
                    };
                    let rows = entries
                        .iter()
                        .map(|e| TimelineEntry::from_journal(e, title_of))
                        .collect();
                    state.timeline.journal_read(rows, state.now);
                }
                Err(reason) => {
                    let first_failure =
                        !matches!(state.timeline.source, TimelineSource::Unavailable { .. });
                    state.timeline.journal_failed(reason.clone());
                    if first_failure {
                        let text = format!("journal unavailable: {reason}");
                        state.say(Level::Warning, &text);
                    }
                }
            }
        }
        Action::LoadCohort(path) => cohort::start_load(state, path, fx),
        Action::CohortLoaded { load, result } => cohort::on_loaded(state, load, result),
        Action::CycleCohortCode => cohort::cycle_code(state),
        Action::FilterCohortCode(code) => cohort::set_code(state, code),
        Action::StartCohortOverride => cohort::start_override(state),
        Action::CohortOverridden { sha256, result } => {
            cohort::on_overridden(state, sha256, result, fx)
        }
    }
    true
}

fn show_pane(state: &mut State, pane: Pane) {
    state.pane = pane;
    state.view = View::Cockpit;
    state
        .overlays
        .retain(|o| matches!(o, Overlay::Filter(_) | Overlay::Palette(_)));
}

/// Rows in one screenful of the current list: the same count `render` fits on screen.
fn page(state: &State) -> usize {
    let body = layout::cockpit(Rect::new(0, 0, state.size.0, state.size.1)).body;
    let rows = match state.pane {
        Pane::Cohort if state.overlays.is_empty() => {
            let table = layout::cohort(body, cohort::chart_lines(&state.cohort)).table;
            layout::list_rows(table, layout::COHORT_TABLE_HEADER_ROWS)
        }
        Pane::Gates if state.overlays.is_empty() => {
            layout::list_rows(body, layout::GATES_HEADER_ROWS)
        }
        _ => layout::list_rows(body, layout::TIMELINE_HEADER_ROWS),
    };
    rows.max(1)
}

fn move_by(state: &mut State, delta: isize) {
    let step = |value: usize, len: usize| -> usize {
        let max = len.saturating_sub(1) as isize;
        (value as isize).saturating_add(delta).clamp(0, max.max(0)) as usize
    };
    match state.overlays.last_mut() {
        Some(
            Overlay::Help { scroll }
            | Overlay::Detail { scroll, .. }
            | Overlay::CohortRow { scroll, .. },
        ) => {
            *scroll = step(usize::from(*scroll), usize::from(u16::MAX)) as u16;
        }
        Some(
            Overlay::Filter(_) | Overlay::Palette(_) | Overlay::Search(_) | Overlay::Override(_),
        ) => {}
        None => match state.pane {
            Pane::Gates => {
                let len = state.visible_gates().len();
                state.selected = step(state.selected, len);
            }
            Pane::Timeline => {
                let len = state.timeline.rows().len();
                let index = step(state.timeline.selected, len);
                state.timeline.select(index);
            }
            Pane::Cohort => {
                let len = state.cohort.visible_rows().len();
                state.cohort.selected = step(state.cohort.selected, len);
            }
        },
    }
}

/// The gate the operator is looking at: the open detail, else the selected row.
fn target_gate(state: &State) -> Option<String> {
    if let Some(Overlay::Detail { gate, .. }) = state
        .overlays
        .iter()
        .rev()
        .find(|o| matches!(o, Overlay::Detail { .. }))
    {
        return Some(gate.clone());
    }
    match state.pane {
        Pane::Gates => state.selected_gate().map(|g| g.id.clone()),
        Pane::Timeline => state
            .timeline
            .rows()
            .get(state.timeline.selected)
            .and_then(|e| e.gate.clone()),
        Pane::Cohort => None,
    }
}

fn open(state: &mut State) {
    if state.view != View::Cockpit || !state.overlays.is_empty() {
        return;
    }
    if state.pane == Pane::Cohort {
        if let Some(line) = state.cohort.selected_row().map(|r| r.line) {
            state.overlays.push(Overlay::CohortRow { line, scroll: 0 });
        }
        return;
    }
    if let Some(gate) = target_gate(state).filter(|g| state.spec(g).is_some()) {
        state.overlays.push(Overlay::Detail { gate, scroll: 0 });
    }
}

fn back(state: &mut State) {
    match state.overlays.pop() {
        Some(Overlay::Filter(_)) => {
            state.filter.clear();
            state.selected = 0;
        }
        Some(Overlay::Search(_)) => {
            state.cohort.search.clear();
            state.cohort.selected = 0;
        }
        Some(_) => {}
        None if state.view == View::ScreenShare => state.view = View::Cockpit,
        None => {
            state.filter.clear();
        }
    }
}

fn edit(state: &mut State, request: tui_input::InputRequest) {
    match state.overlays.last_mut() {
        Some(Overlay::Filter(input)) => {
            input.handle(request);
            state.filter = input.value().to_owned();
            state.selected = 0;
        }
        Some(Overlay::Search(input)) => {
            input.handle(request);
            state.cohort.search = input.value().to_owned();
            state.cohort.selected = 0;
        }
        Some(Overlay::Palette(input) | Overlay::Override(input)) => {
            input.handle(request);
        }
        _ => {}
    }
}

fn submit(state: &mut State, fx: &mut Vec<Effect>) {
    match state.overlays.last() {
        Some(Overlay::Filter(_) | Overlay::Search(_)) => {
            state.overlays.pop();
        }
        Some(Overlay::Override(_)) => cohort::submit_override(state, fx),
        Some(Overlay::Palette(input)) => {
            let line = input.value().to_owned();
            state.overlays.pop();
            match palette::parse(&line) {
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
                    state.filter = text;
                    state.selected = 0;
                    show_pane(state, Pane::Gates);
                }
                Err(message) => state.say(Level::Warning, &message),
            }
        }
        _ => open(state),
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

fn click(state: &mut State, column: u16, row: u16) -> bool {
    if state.view != View::Cockpit || !state.overlays.is_empty() {
        return false;
    }
    let areas = layout::cockpit(Rect::new(0, 0, state.size.0, state.size.1));
    if row == areas.tabs.y {
        let titles: Vec<&str> = Pane::ALL.iter().map(|p| p.title()).collect();
        return match layout::tab_at(column, &titles) {
            Some(i) => {
                show_pane(state, Pane::ALL[i]);
                true
            }
            None => false,
        };
    }
    match state.pane {
        Pane::Gates => {
            let len = state.visible_gates().len();
            let hit = layout::list_index_at(
                areas.body,
                layout::GATES_HEADER_ROWS,
                state.selected,
                len,
                row,
            );
            hit.map(|i| state.selected = i).is_some()
        }
        Pane::Timeline => {
            let len = state.timeline.rows().len();
            let hit = layout::list_index_at(
                areas.body,
                layout::TIMELINE_HEADER_ROWS,
                state.timeline.selected,
                len,
                row,
            );
            hit.map(|i| state.timeline.select(i)).is_some()
        }
        Pane::Cohort => {
            let table = layout::cohort(areas.body, cohort::chart_lines(&state.cohort)).table;
            let len = state.cohort.visible_rows().len();
            let hit = layout::list_index_at(
                table,
                layout::COHORT_TABLE_HEADER_ROWS,
                state.cohort.selected,
                len,
                row,
            );
            hit.map(|i| state.cohort.selected = i).is_some()
        }
    }
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
    let due = state
        .timeline
        .last_request
        .is_none_or(|at| now - at >= Duration::seconds(TIMELINE_REFRESH_SECONDS));
    if state.timeline.is_shared() && due && !state.timeline.loading {
        state.timeline.loading = true;
        state.timeline.last_request = Some(now);
        fx.push(Effect::LoadTimeline);
    }
}

fn on_transitions(state: &mut State, transitions: Vec<Transition>, fx: &mut Vec<Effect>) {
    if transitions.is_empty() {
        return;
    }
    for t in &transitions {
        state.timeline.push_transition(t, &state.operator);
        if state.bell && t.required && t.to == GateState::Fail && !fx.contains(&Effect::Bell) {
            fx.push(Effect::Bell);
        }
    }
    if state.timeline.is_shared() {
        fx.push(Effect::RecordTransitions(transitions));
    }
}
