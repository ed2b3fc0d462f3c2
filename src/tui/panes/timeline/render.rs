//! The Timeline pane's render: gate transitions and operator actions, newest first, from the
//! shared journal (or this cockpit's own transitions when there is none), with where they came
//! from.

use super::{Live, Timeline, TimelineSource};
use crate::tui::format;
use crate::tui::kit::View;
use crate::tui::layout;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

fn source_note(pane: &Timeline, view: &View) -> (String, ratatui::style::Style) {
    let theme = view.theme;
    match &pane.source {
        TimelineSource::LocalOnly => (
            "local only: no [postgres] in the config, so this shows this cockpit's transitions since it started".into(),
            theme.aged(),
        ),
        TimelineSource::Connecting => (
            "reading the shared journal…; meanwhile this cockpit's transitions".into(),
            theme.dim(),
        ),
        TimelineSource::Journal { read_at } => match &pane.live {
            Live::On if pane.gaps > 0 => (
                format!(
                    "shared journal (every cockpit on this launch) · live, caught up after {} interruption(s)",
                    pane.gaps
                ),
                theme.dim(),
            ),
            Live::On => (
                "shared journal (every cockpit on this launch) · live".into(),
                theme.dim(),
            ),
            Live::Paused { reason } => (
                format!(
                    "shared journal · live updates paused ({reason}): read every {}s, last {} ago",
                    super::update::TIMELINE_REFRESH_SECONDS,
                    format::span(*read_at, view.now)
                ),
                theme.aged(),
            ),
            Live::Off => (
                format!(
                    "shared journal (every cockpit on this launch) · read {} ago",
                    format::span(*read_at, view.now)
                ),
                theme.dim(),
            ),
        },
        TimelineSource::Unavailable { reason } => (
            format!("journal unavailable ({reason}); showing this cockpit's transitions only"),
            theme.error(),
        ),
    }
}

pub fn render(pane: &Timeline, view: &View, frame: &mut Frame, area: Rect) {
    let theme = view.theme;
    let (mut note, mut note_style) = source_note(pane, view);
    if pane.pending > 0 {
        note = format!(
            "{} line(s) waiting for the journal, kept in order · {note}",
            pane.pending
        );
        note_style = theme.aged();
    }
    frame.render_widget(
        Paragraph::new(Span::styled(note, note_style)),
        Rect { height: 1, ..area },
    );
    let list_area = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(1),
        ..area
    };
    let rows = pane.rows();
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new("no transitions yet").style(theme.dim()),
            Rect {
                y: list_area.y + 1,
                height: list_area.height.saturating_sub(1),
                ..list_area
            },
        );
    }
    let wide = area.width >= 100;
    let table_rows = rows.iter().map(|e| {
        let change = match (e.from, e.to) {
            (_, Some(to)) if e.first => Line::from(vec![
                Span::styled("first: ", theme.dim()),
                Span::styled(format!("{} {to}", to.symbol()), theme.state(to)),
            ]),
            (from, Some(to)) => Line::from(vec![
                Span::styled(
                    from.map(|f| format!("{} {f}", f.symbol()))
                        .unwrap_or_else(|| "·".into()),
                    from.map(|f| theme.state(f)).unwrap_or_default(),
                ),
                Span::raw(" → "),
                Span::styled(format!("{} {to}", to.symbol()), theme.state(to)),
            ]),
            _ => Line::raw(""),
        };
        let mut cells = vec![
            Cell::from(format::clock(e.at, view.now)),
            Cell::from(view.shown(&e.subject)),
            Cell::from(change),
            Cell::from(view.shown(&e.value)),
        ];
        if wide {
            cells.push(Cell::from(Span::styled(view.shown(&e.actor), theme.dim())));
        }
        cells.push(Cell::from(Span::styled(
            view.shown(&e.message),
            theme.error(),
        )));
        Row::new(cells)
    });
    let mut widths = vec![
        Constraint::Length(11),
        Constraint::Length(if wide { 24 } else { 16 }),
        Constraint::Length(if wide { 24 } else { 21 }),
        Constraint::Length(9),
    ];
    let mut header = vec!["Time", "Gate", "Change", "Value"];
    if wide {
        widths.push(Constraint::Length(12));
        header.push("By");
    }
    widths.push(Constraint::Min(8));
    header.push("Note");
    let table = Table::new(table_rows, widths)
        .header(Row::new(header).style(theme.title()))
        .row_highlight_style(theme.selected());
    let visible = layout::list_rows(area, layout::TIMELINE_HEADER_ROWS);
    let selected = pane.selected;
    let mut table_state = TableState::new()
        .with_offset(layout::list_offset(selected, visible))
        .with_selected((!rows.is_empty()).then_some(selected));
    frame.render_stateful_widget(table, list_area, &mut table_state);
}
