//! `render(&State, &mut Frame)`: draws the whole screen from the state and nothing else, then
//! masks email addresses over the finished frame when masking is on.

mod detail;
mod footer;
mod header;
mod help;
mod journal;
pub mod mask;
mod screen_share;

use super::layout;
use super::panes::{self, cohort};
use super::state::{Overlay, State, View};
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

pub fn render(state: &State, frame: &mut Frame) {
    let area = frame.area();
    if layout::too_small(area) {
        too_small(state, frame, area);
    } else {
        match state.view {
            View::ScreenShare => screen_share::render(state, frame, area),
            View::Cockpit => cockpit(state, frame, area),
        }
        if state
            .overlays
            .iter()
            .any(|o| matches!(o, Overlay::Help { .. }))
        {
            help::render(state, frame, area);
        }
    }
    if state.masking() {
        mask::mask_buffer(frame.buffer_mut());
    }
}

fn cockpit(state: &State, frame: &mut Frame, area: Rect) {
    let areas = layout::cockpit(area);
    header::render(state, frame, areas.header);
    header::tabs(state, frame, areas.tabs);
    let detail = state.overlays.iter().rev().find_map(|o| match o {
        Overlay::Detail { gate, scroll } => Some((gate, *scroll)),
        _ => None,
    });
    match detail {
        Some((gate, scroll)) => detail::render(state, frame, areas.body, gate, scroll),
        None => panes::render(state, frame, areas.body),
    }
    for overlay in &state.overlays {
        match overlay {
            Overlay::CohortRow { line, scroll } => {
                cohort::render::row_detail(state, frame, areas.body, *line, *scroll)
            }
            Overlay::Override(input) => {
                cohort::render::override_modal(state, frame, areas.body, input)
            }
            Overlay::Note(input) => journal::note_modal(state, frame, areas.body, input),
            Overlay::Report {
                title,
                text,
                scroll,
            } => journal::report(state, frame, areas.body, title, text, *scroll),
            _ => {}
        }
    }
    footer::render(state, frame, areas.footer);
}

fn too_small(state: &State, frame: &mut Frame, area: Rect) {
    let verdict = state.board.verdict();
    let lines = vec![
        Line::styled(verdict.as_str(), state.theme.verdict_text(verdict)),
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
