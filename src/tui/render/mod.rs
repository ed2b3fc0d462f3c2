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
use super::panes;
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
        mask::mask_buffer(frame.buffer_mut(), state.masker.masker());
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
            Overlay::Note(input) => journal::note_modal(state, frame, areas.body, input),
            Overlay::Report {
                title,
                text,
                scroll,
            } => journal::report(state, frame, areas.body, title, text, *scroll),
            Overlay::Pane(modal) => panes::render_modal(state, modal, frame, areas.body),
            Overlay::Confirm { action, input } => {
                crate::tui::confirm::render(state, frame, areas.body, action, input)
            }
            _ => {}
        }
    }
    footer::render(state, frame, areas.footer);
}

/// Where a scrolled view stands, when its text does not fit: `↓ more · lines 1–20 of 43`,
/// `lines 24–43 of 43 · end`; `None` when it all shows.
pub fn scroll_note(total: usize, scroll: u16, visible: usize) -> Option<String> {
    if total <= visible {
        return None;
    }
    let first = usize::from(scroll).min(total.saturating_sub(1)) + 1;
    let last = (usize::from(scroll) + visible).min(total);
    Some(if last < total {
        format!(" ↓ more · lines {first}–{last} of {total} ")
    } else {
        format!(" lines {first}–{last} of {total} · end ")
    })
}

/// A bordered view's wrapped text scrolled by `scroll` lines, saying on its bottom edge where
/// it stands when the text does not fit (every view that scrolls draws through this).
pub fn scrolled(
    state: &State,
    lines: Vec<Line<'static>>,
    block: ratatui::widgets::Block<'static>,
    area: Rect,
    scroll: u16,
) -> Paragraph<'static> {
    let wrap = Wrap { trim: false };
    let total = Paragraph::new(lines.clone())
        .wrap(wrap)
        .line_count(area.width.saturating_sub(2));
    let visible = usize::from(area.height.saturating_sub(2));
    let block = match scroll_note(total, scroll, visible) {
        Some(note) => block.title_bottom(Line::styled(note, state.theme.dim()).right_aligned()),
        None => block,
    };
    Paragraph::new(lines)
        .block(block)
        .wrap(wrap)
        .scroll((scroll, 0))
}

/// A text-entry modal at `popup`: its lines in `block`, and the cursor in the field that starts
/// `field_x` cells into row 3 of the text, `typed` cells (after the field's own scroll) in.
pub fn entry_modal(
    frame: &mut Frame,
    popup: Rect,
    lines: Vec<Line<'static>>,
    block: ratatui::widgets::Block<'static>,
    field_x: u16,
    typed: u16,
) {
    frame.render_widget(ratatui::widgets::Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        popup,
    );
    let x = popup.x + 1 + field_x + typed;
    frame.set_cursor_position(ratatui::layout::Position::new(
        x.min(popup.right().saturating_sub(2)),
        popup.y + 4,
    ));
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
