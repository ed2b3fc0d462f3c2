//! The newest timeline lines under the gates, read-only from the Timeline pane's rows, so state
//! and history show together on a tall terminal.

use crate::tui::format;
use crate::tui::kit::{Command, View};
use crate::tui::panes::timeline::TimelineEntry;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(rows: &[TimelineEntry], view: &View, frame: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    let theme = view.theme;
    let width = usize::from(area.width);
    let mut lines = vec![Line::styled(
        format::fit(
            &format!(
                " Newest in the timeline · {} shows all of it",
                view.key(Command::Timeline)
            ),
            width,
        ),
        theme.title(),
    )];
    if rows.is_empty() {
        lines.push(Line::styled(" no transitions yet", theme.dim()));
    }
    for entry in rows.iter().take(usize::from(area.height.saturating_sub(1))) {
        let mut spans = vec![
            Span::styled(
                format!(" {} ", format::clock(entry.at, view.now)),
                theme.dim(),
            ),
            Span::raw(format!("{} ", entry.subject)),
        ];
        match (entry.from, entry.to) {
            (Some(from), Some(to)) => {
                spans.push(Span::styled(format!("{from}"), theme.state(from)));
                spans.push(Span::raw(" → "));
                spans.push(Span::styled(format!("{to} "), theme.state(to)));
            }
            (None, Some(to)) => {
                spans.push(Span::styled(format!("first seen {to} "), theme.state(to)));
            }
            _ => {}
        }
        if !entry.value.is_empty() {
            spans.push(Span::raw(format!("{} ", view.shown(&entry.value))));
        }
        spans.push(Span::styled(format!("· {}", entry.actor), theme.dim()));
        if !entry.message.is_empty() {
            spans.push(Span::styled(
                format!(" · {}", view.shown(&entry.message)),
                theme.dim(),
            ));
        }
        lines.push(format::fit_line(Line::from(spans), width));
    }
    frame.render_widget(Paragraph::new(lines), area);
}
