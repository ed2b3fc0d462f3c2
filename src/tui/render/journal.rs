//! The journal's views over the panes: the note modal and a report to read (the shift
//! handoff, a timeline line in full), which says when it scrolls.

use crate::tui::kit::{View, centered};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use tui_input::Input;

pub fn note_modal(view: &View, frame: &mut Frame, area: Rect, input: &Input) {
    let theme = view.theme;
    let popup = centered(area, area.width.saturating_sub(4).min(90), 8);
    let inner = usize::from(popup.width.saturating_sub(10));
    let scroll = input.visual_scroll(inner);
    let shown: String = input.value().chars().skip(scroll).collect();
    let count = input.value().chars().count();
    let lines = vec![
        Line::styled(
            format!(
                "Written to the shared journal as {}; every cockpit on this launch sees it.",
                view.operator
            ),
            theme.dim(),
        ),
        Line::raw(""),
        Line::from(vec![
            Span::styled("Note: ", theme.title()),
            Span::raw(shown),
        ]),
        Line::raw(""),
        Line::styled(
            format!(
                "Enter writes it · Esc cancels · {count}/{} characters",
                crate::journal::NOTE_LIMIT
            ),
            if count > crate::journal::NOTE_LIMIT {
                theme.error()
            } else {
                theme.dim()
            },
        ),
    ];
    let block = Block::bordered().title(Span::styled(" Operator note ", theme.title()));
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

pub fn report(view: &View, frame: &mut Frame, area: Rect, title: &str, text: &str, scroll: u16) {
    let theme = view.theme;
    let popup = centered(area, area.width.saturating_sub(2), area.height);
    let body = view.shown(text);
    let inner_width = popup.width.saturating_sub(2).max(1);
    let paragraph = Paragraph::new(body).wrap(Wrap { trim: false });
    let total = paragraph.line_count(inner_width) as u16;
    let visible = popup.height.saturating_sub(2);
    let last_top = total.saturating_sub(visible);
    let top = scroll.min(last_top);
    let position = if total > visible {
        format!(
            " lines {}–{} of {total} · j/k scroll · Esc closes ",
            top + 1,
            (top + visible).min(total)
        )
    } else {
        " Esc closes ".to_owned()
    };
    let block = Block::bordered()
        .title(Span::styled(format!(" {title} "), theme.title()))
        .title_bottom(Span::styled(position, theme.dim()));
    frame.render_widget(Clear, popup);
    frame.render_widget(paragraph.block(block).scroll((top, 0)), popup);
}
