//! The footer: the text being typed (filter or command), else the latest status message, else
//! key hints generated from the keymap.

use crate::tui::format;
use crate::tui::keymap::{Context, Keymap};
use crate::tui::kit::{Level, View};
use crate::tui::panes::cohort::Modal;
use crate::tui::panes::{Pane, PaneModal};
use crate::tui::state::{Overlay, Status};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// What the footer may show, most urgent first.
pub struct Footer<'a> {
    /// The view on top (a filter or a command being typed).
    pub top: Option<&'a Overlay>,
    pub status: Option<&'a Status>,
    /// For the key hints: the keymap, where the keyboard is and the pane in front.
    pub keymap: &'a Keymap,
    pub context: Context,
    pub pane: Pane,
}

pub fn render(view: &View, footer: &Footer, frame: &mut Frame, area: Rect) {
    let theme = view.theme;
    let typing = match footer.top {
        Some(Overlay::Filter(input)) => Some(("/", input)),
        Some(Overlay::Palette(input)) => Some((":", input)),
        Some(Overlay::Pane(PaneModal::Cohort(Modal::Search(input)))) => Some(("/", input)),
        _ => None,
    };
    if let Some((prompt, input)) = typing {
        let width = area.width.saturating_sub(2) as usize;
        let scroll = input.visual_scroll(width);
        let shown: String = input.value().chars().skip(scroll).collect();
        let hint = if prompt == ":" {
            "   Enter runs · Tab completes · Esc cancels · gates timeline cohort PATH recheck ID quit"
        } else if matches!(
            footer.top,
            Some(Overlay::Pane(PaneModal::Cohort(Modal::Search(_))))
        ) {
            "   email or label · Enter keeps · Esc clears"
        } else {
            "   Enter keeps · Esc clears"
        };
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(prompt, theme.key()),
                Span::raw(shown),
                Span::styled(hint, theme.dim()),
            ])),
            area,
        );
        let cursor = (input.visual_cursor().saturating_sub(scroll) + 1) as u16;
        frame.set_cursor_position(Position::new(area.x + cursor.min(area.width), area.y));
        return;
    }
    if let Some(status) = footer.status {
        let style = match status.level {
            Level::Info => theme.title(),
            Level::Warning => theme.aged(),
        };
        frame.render_widget(
            Paragraph::new(Span::styled(
                format::fit(&status.text, usize::from(area.width)),
                style,
            )),
            area,
        );
        return;
    }
    let mut spans = Vec::new();
    let mut used = 0;
    // Whole hints only: the ones past the edge go, none is cut in half.
    for (key, help) in footer.keymap.footer_in(footer.context, footer.pane) {
        let (key, help) = (format!(" {key}"), format!(" {help} "));
        used += format::width(&key) + format::width(&help);
        if used > usize::from(area.width) {
            break;
        }
        spans.push(Span::styled(key, theme.key()));
        spans.push(Span::styled(help, theme.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
