//! The Gates pane's render: one row per gate with state, value, condition, time in state, age of
//! the last check, a sparkline and the detail or error. Old data is marked, never shown as fresh.
//! (The timeline lines under the table on a tall terminal are `render::history`'s.)

use super::GatesPane;
use crate::tui::format;
use crate::tui::kit::{self, Command, View};
use crate::tui::layout;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};
use std::collections::BTreeSet;

/// The gates table in `body`, given the gates re-checked on request whose answer has not come
/// back yet.
pub fn render(
    pane: &GatesPane,
    checking: &BTreeSet<String>,
    view: &View,
    frame: &mut Frame,
    body: Rect,
) {
    let theme = view.theme;
    let gates = pane.visible(view.board);
    let area = layout::gates(body, view.size.1, gates.len()).table;
    if gates.is_empty() {
        let text = format!(
            "no gate matches the filter `{}` ({} clears it)",
            pane.filter(),
            view.key(Command::Back)
        );
        frame.render_widget(Paragraph::new(text).style(theme.dim()), body);
        return;
    }
    let wide = area.width >= 120;
    let medium = area.width >= 80;
    let trend_width: usize = if wide { 12 } else { 8 };
    let show_trend = area.width >= 100;
    // A value is never cut: its column is as wide as the widest one (up to a limit past which
    // it is text, and shortened with a visible `…`).
    let value_width = gates
        .iter()
        .map(|g| format::width(&kit::gate_value(theme, g).0))
        .max()
        .unwrap_or(0)
        .clamp(if medium { 9 } else { 8 }, 16) as u16;
    let mut header = vec!["", "Gate", "Value"];
    let mut widths = vec![
        Constraint::Length(2),
        Constraint::Length(if wide {
            26
        } else if medium {
            17
        } else {
            16
        }),
        Constraint::Length(value_width),
    ];
    if medium {
        header.extend(["Pass if", "For"]);
        widths.extend([Constraint::Length(9), Constraint::Length(7)]);
    }
    header.push("Checked");
    widths.push(Constraint::Length(if medium { 11 } else { 10 }));
    if show_trend {
        header.push("Trend");
        widths.push(Constraint::Length(trend_width as u16));
    }
    header.push("Detail");
    widths.push(Constraint::Min(4));
    let cells_of = layout::column_widths(area.width, &widths);
    let column = |i: usize| cells_of.get(i).copied().unwrap_or(0);
    let title_width = column(1);
    let value_cells = column(2);
    let detail_width = column(cells_of.len().saturating_sub(1));
    let rows = gates.iter().map(|g| {
        let (value_text, value_style) = kit::gate_value(theme, g);
        let (age_text, age_style) = kit::check_age(view, checking, g);
        let (note_text, note_style) = kit::gate_note(view, g);
        let info = if g.required { "" } else { " (info)" };
        let title_room = title_width.saturating_sub(format::width(info));
        let mut title = vec![Span::raw(format::fit(&view.shown(&g.title), title_room))];
        if !info.is_empty() {
            title.push(Span::styled(info, theme.dim()));
        }
        let mut cells = vec![
            Cell::from(Span::styled(g.state.symbol(), theme.state(g.state))),
            Cell::from(Line::from(title)),
            Cell::from(Span::styled(
                format::fit(&value_text, value_cells),
                value_style,
            )),
        ];
        if medium {
            cells.push(Cell::from(format::fit(&g.condition.to_string(), column(3))));
            cells.push(Cell::from(format::span(g.since, view.now)));
        }
        cells.push(Cell::from(Span::styled(age_text, age_style)));
        if show_trend {
            let spark = format::sparkline(&g.recent_numbers(), trend_width);
            cells.push(Cell::from(Span::styled(spark, theme.state(g.state))));
        }
        cells.push(Cell::from(Span::styled(
            format::fit(&note_text, detail_width),
            note_style,
        )));
        Row::new(cells)
    });
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.title()))
        .row_highlight_style(theme.selected());
    let visible = layout::list_rows(area, layout::GATES_HEADER_ROWS);
    let mut table_state = TableState::new()
        .with_offset(layout::list_offset(pane.selected, visible))
        .with_selected(Some(pane.selected));
    frame.render_stateful_widget(table, area, &mut table_state);
}
