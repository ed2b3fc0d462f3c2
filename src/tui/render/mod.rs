//! `render(&State, &mut Frame)`: draws the whole screen from the state and nothing else, then
//! masks email addresses over the finished frame when masking is on. The one render that reads
//! the whole state: it builds the frame's [`View`] and hands each pane its own state.

mod detail;
mod footer;
mod header;
mod help;
mod history;
mod journal;
pub mod mask;
mod screen_share;

use super::keymap::{Command, Keymap};
use super::kit::{KeyNames, View};
use super::layout;
use super::panes::{self, Pane};
use super::state::{Overlay, State, View as Screen};
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

impl KeyNames for Keymap {
    fn key_of(&self, command: Command) -> String {
        Keymap::key_of(self, command)
    }
}

/// What every render of this frame reads besides its own pane's state.
pub fn view(state: &State) -> View<'_> {
    View {
        theme: &state.theme,
        now: state.now,
        masker: state.masking().then(|| state.masker.masker()),
        keys: &state.keymap,
        size: state.size,
        board: &state.board,
        specs: &state.specs,
        launch: &state.launch,
        operator: &state.operator,
        checking: &state.checking,
    }
}

pub fn render(state: &State, frame: &mut Frame) {
    let view = view(state);
    let area = frame.area();
    if layout::too_small(area) {
        too_small(&view, frame, area);
    } else {
        match state.view {
            Screen::ScreenShare => screen_share::render(
                &view,
                &state.panes.checklist,
                state.shows_demo_badge(),
                frame,
                area,
            ),
            Screen::Cockpit => cockpit(state, &view, frame, area),
        }
        let help = state.overlays.iter().rev().find_map(|o| match o {
            Overlay::Help { scroll } => Some(*scroll),
            _ => None,
        });
        if let Some(scroll) = help {
            help::render(&state.keymap, state.pane, scroll, &view, frame, area);
        }
    }
    if let Some(masker) = view.masker {
        mask::mask_buffer(frame.buffer_mut(), masker);
    }
}

fn cockpit(state: &State, view: &View, frame: &mut Frame, area: Rect) {
    let areas = layout::cockpit(area);
    header::render(
        view,
        state.shows_demo_badge(),
        state.verdict_why(),
        frame,
        areas.header,
    );
    let tabs = header::Tabs {
        shown: state.pane,
        filter: state.panes.gates.filter(),
        mask: state.mask,
        on_shift: state.panes.timeline.on_shift.as_ref(),
    };
    header::tabs(view, &tabs, frame, areas.tabs);
    let detail = state.overlays.iter().rev().find_map(|o| match o {
        Overlay::Detail { gate, scroll } => Some((gate, *scroll)),
        _ => None,
    });
    match detail {
        Some((gate, scroll)) => {
            detail::render(view, &state.checking, frame, areas.body, gate, scroll)
        }
        None => pane(state, view, frame, areas.body),
    }
    for overlay in &state.overlays {
        match overlay {
            Overlay::Note(input) => journal::note_modal(view, frame, areas.body, input),
            Overlay::Report {
                title,
                text,
                scroll,
            } => journal::report(view, frame, areas.body, title, text, *scroll),
            Overlay::Pane(modal) => panes::render_modal(state, view, modal, frame, areas.body),
            Overlay::Confirm { action, input } => {
                crate::tui::confirm::render(view, frame, areas.body, action, input)
            }
            _ => {}
        }
    }
    let footer = footer::Footer {
        top: state.top_overlay(),
        status: state.status.as_ref(),
        keymap: &state.keymap,
        context: state.context(),
        pane: state.pane,
    };
    footer::render(view, &footer, frame, areas.footer);
}

/// Draws the pane in front into the body, handing it its own state.
fn pane(state: &State, view: &View, frame: &mut Frame, body: Rect) {
    if state.pane == Pane::Gates {
        // The newest timeline lines under the gates, on a tall terminal.
        let areas = layout::gates(body, view.size.1, state.panes.gates.visible_len());
        history::render(state.panes.timeline.rows(), view, frame, areas.history);
    }
    panes::render(state, view, frame, body);
}

fn too_small(view: &View, frame: &mut Frame, area: Rect) {
    let verdict = view.board.verdict();
    let lines = vec![
        Line::styled(verdict.as_str(), view.theme.verdict_text(verdict)),
        Line::from(format!(
            "terminal too small: {}x{} (gonogo needs {}x{})",
            area.width,
            area.height,
            layout::MIN_WIDTH,
            layout::MIN_HEIGHT
        )),
    ];
    frame.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        area,
    );
}
