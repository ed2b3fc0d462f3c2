//! The Gates pane's render: one row per gate with state, value, condition, time in state, age of
//! the last check, a sparkline and the detail or error. Old data is marked, never shown as fresh.

use crate::gate::{GateState, GateStatus};
use crate::tui::format;
use crate::tui::keymap::Command;
use crate::tui::layout;
use crate::tui::state::State;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

/// How old the last check is, marked when it is late or stale: `(text, style, fresh)`.
/// `compact` keeps only the largest unit of the age (`STALE 6m`) for narrow columns.
pub fn age_mark(state: &State, gate: &GateStatus, compact: bool) -> (String, Style, bool) {
    let theme = &state.theme;
    let Some(at) = gate.observed_at else {
        return ("never".into(), theme.aged(), false);
    };
    let age = format::span(at, state.now);
    let age = match age.split_once(' ') {
        Some((largest, _)) if compact => largest.to_owned(),
        _ => age,
    };
    let allowed = state
        .spec(&gate.id)
        .map(|s| s.every + s.timeout)
        .unwrap_or(gate.every);
    let late = (state.now - at).to_std().unwrap_or_default() > allowed;
    if gate.is_stale(state.now) {
        (format!("STALE {age}"), theme.error(), false)
    } else if late {
        (format!("late {age}"), theme.aged(), false)
    } else {
        (format!("{age} ago"), theme.dim(), true)
    }
}

/// The Checked column. A re-check in flight never hides that the value shown is old: a late or
/// stale value keeps its mark, prefixed with `↻`.
pub fn check_age(state: &State, gate: &GateStatus) -> (String, Style) {
    if !state.checking.contains(&gate.id) {
        let (text, style, _) = age_mark(state, gate, false);
        return (text, style);
    }
    match age_mark(state, gate, true) {
        (_, _, true) => ("checking…".into(), state.theme.dim()),
        (mark, style, false) => (format!("↻ {mark}"), style),
    }
}

/// The detail or error worth a glance.
pub fn note(state: &State, gate: &GateStatus) -> (String, Style) {
    let theme = &state.theme;
    if let Some(error) = &gate.error {
        return (state.shown(error), theme.error());
    }
    if gate.state == GateState::Pending {
        let sustain = state.spec(&gate.id).and_then(|s| s.sustain);
        if let (Some(since), Some(sustain)) = (gate.failing_since(), sustain) {
            let of = crate::gate::format_duration_secs(sustain.as_secs_f64());
            return (
                format!("failing {} of {of}", format::span(since, state.now)),
                theme.state(GateState::Pending),
            );
        }
    }
    (
        state.shown(gate.detail.as_deref().unwrap_or_default()),
        theme.dim(),
    )
}

/// The value as shown: `—` when there is none, marked when it is not current.
pub fn value(theme: &Theme, gate: &GateStatus) -> (String, Style) {
    let text = gate.value_text();
    if gate.value.is_some() && gate.state == GateState::Unknown {
        (format!("{text}?"), theme.aged())
    } else {
        (text, theme.state(gate.state))
    }
}

pub fn render(state: &State, frame: &mut Frame, body: Rect) {
    let theme = &state.theme;
    let gates = state.visible_gates();
    let areas = layout::gates(body, state.size.1, gates.len());
    history(state, frame, areas.history);
    let area = areas.table;
    if gates.is_empty() {
        let text = format!(
            "no gate matches the filter `{}` ({} clears it)",
            state.gates.filter(),
            state.keymap.key_of(Command::Back)
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
        .map(|g| format::width(&value(theme, g).0))
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
        let (value_text, value_style) = value(theme, g);
        let (age_text, age_style) = check_age(state, g);
        let (note_text, note_style) = note(state, g);
        let info = if g.required { "" } else { " (info)" };
        let title_room = title_width.saturating_sub(format::width(info));
        let mut title = vec![Span::raw(format::fit(&state.shown(&g.title), title_room))];
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
            cells.push(Cell::from(format::span(g.since, state.now)));
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
        .with_offset(layout::list_offset(state.gates.selected, visible))
        .with_selected(Some(state.gates.selected));
    frame.render_stateful_widget(table, area, &mut table_state);
}

/// The newest timeline lines under the gates, read-only from the Timeline pane's rows, so
/// state and history show together on a tall terminal.
fn history(state: &State, frame: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    let theme = &state.theme;
    let width = usize::from(area.width);
    let rows = state.timeline.rows();
    let mut lines = vec![Line::styled(
        format::fit(
            &format!(
                " Newest in the timeline · {} shows all of it",
                state.keymap.key_of(Command::Timeline)
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
                format!(" {} ", format::clock(entry.at, state.now)),
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
            spans.push(Span::raw(format!("{} ", state.shown(&entry.value))));
        }
        spans.push(Span::styled(format!("· {}", entry.actor), theme.dim()));
        if !entry.message.is_empty() {
            spans.push(Span::styled(
                format!(" · {}", state.shown(&entry.message)),
                theme.dim(),
            ));
        }
        lines.push(format::fit_line(Line::from(spans), width));
    }
    frame.render_widget(Paragraph::new(lines), area);
}
