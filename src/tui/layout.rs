//! Screen geometry shared by `render` (where to draw) and `update` (where a click landed), so
//! the two can never disagree.

use ratatui::layout::Rect;

/// Below this the cockpit only says the terminal is too small.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 12;

pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CockpitAreas {
    pub header: Rect,
    pub tabs: Rect,
    pub body: Rect,
    pub footer: Rect,
}

pub fn cockpit(area: Rect) -> CockpitAreas {
    let row = |y: u16, height: u16| Rect::new(area.x, y, area.width, height);
    let body_height = area.height.saturating_sub(3);
    CockpitAreas {
        header: row(area.y, 1),
        tabs: row(area.y + 1, 1),
        body: row(area.y + 2, body_height),
        footer: row(area.y + 2 + body_height, 1),
    }
}

/// Rows above the first gate row inside the body (the table header).
pub const GATES_HEADER_ROWS: u16 = 1;
/// Rows above the first timeline row inside the body (source note and table header).
pub const TIMELINE_HEADER_ROWS: u16 = 2;

/// How many list rows fit under `header_rows` in the body.
pub fn list_rows(body: Rect, header_rows: u16) -> usize {
    usize::from(body.height.saturating_sub(header_rows))
}

/// The first row shown so that `selected` is visible (the list scrolls with the selection).
pub fn list_offset(selected: usize, rows: usize) -> usize {
    if rows == 0 {
        0
    } else {
        selected.saturating_sub(rows - 1)
    }
}

/// Which list index a click on screen row `row` hit.
pub fn list_index_at(
    body: Rect,
    header_rows: u16,
    selected: usize,
    len: usize,
    row: u16,
) -> Option<usize> {
    let first = body.y + header_rows;
    if row < first || row >= body.y + body.height {
        return None;
    }
    let offset = list_offset(selected, list_rows(body, header_rows));
    let index = offset + usize::from(row - first);
    (index < len).then_some(index)
}

/// The tab (pane index) under a column of the tabs row: tabs are drawn as ` N Title ` in order,
/// `N` the pane's number key.
pub fn tab_at(column: u16, tabs: &[(usize, &str)]) -> Option<usize> {
    let mut x = 0u16;
    for (i, (number, title)) in tabs.iter().enumerate() {
        let width = tab_label(*number, title).chars().count() as u16;
        if column >= x && column < x + width {
            return Some(i);
        }
        x += width;
    }
    None
}

pub fn tab_label(number: usize, title: &str) -> String {
    format!(" {number} {title} ")
}

/// Rows above the first cohort row inside the table area (filter note and table header).
pub const COHORT_TABLE_HEADER_ROWS: u16 = 2;
/// Summary lines at the top of the Cohort pane.
pub const COHORT_SUMMARY_ROWS: u16 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CohortAreas {
    pub summary: Rect,
    pub chart: Rect,
    pub table: Rect,
}

/// The Cohort pane: summary, the distribution chart (`chart_lines` tall, capped to leave the
/// table room), then the rows table.
pub fn cohort(body: Rect, chart_lines: u16) -> CohortAreas {
    let summary = COHORT_SUMMARY_ROWS.min(body.height);
    let room = body.height.saturating_sub(summary);
    let chart = chart_lines.min(room / 2);
    let rest = room - chart;
    let row = |y: u16, height: u16| Rect::new(body.x, y, body.width, height);
    CohortAreas {
        summary: row(body.y, summary),
        chart: row(body.y + summary, chart),
        table: row(body.y + summary + chart, rest),
    }
}

/// The widths a [`ratatui::widgets::Table`] gives its columns in `width` cells (its default
/// flex and one-cell spacing, no highlight symbol): what a cell's text is fitted to.
pub fn column_widths(width: u16, widths: &[ratatui::layout::Constraint]) -> Vec<usize> {
    ratatui::layout::Layout::horizontal(widths.iter().copied())
        .flex(ratatui::layout::Flex::Start)
        .spacing(1)
        .split(Rect::new(0, 0, width, 1))
        .iter()
        .map(|r| usize::from(r.width))
        .collect()
}

/// From this terminal height the Gates pane also shows the newest timeline lines.
pub const GATES_HISTORY_FROM_HEIGHT: u16 = 40;
/// Lines the history under the gates gets at least (its title included).
const GATES_HISTORY_MIN_LINES: u16 = 6;

/// The Gates pane: the gates table, and under it the newest timeline lines when the terminal
/// is at least [`GATES_HISTORY_FROM_HEIGHT`] rows tall (`history` is empty otherwise). The
/// table keeps a row per gate, as far as the body allows.
pub struct GatesAreas {
    pub table: Rect,
    pub history: Rect,
}

pub fn gates(body: Rect, terminal_height: u16, gate_rows: usize) -> GatesAreas {
    if terminal_height < GATES_HISTORY_FROM_HEIGHT {
        return GatesAreas {
            table: body,
            history: Rect { height: 0, ..body },
        };
    }
    let wanted = (gate_rows as u16).saturating_add(GATES_HEADER_ROWS + 1);
    let table_height = wanted.min(body.height.saturating_sub(GATES_HISTORY_MIN_LINES));
    GatesAreas {
        table: Rect {
            height: table_height,
            ..body
        },
        history: Rect {
            y: body.y + table_height,
            height: body.height - table_height,
            ..body
        },
    }
}

/// Where a modal text-entry view goes over `area`: centred, 76 cells wide at most, 9 rows.
/// The override modal and the confirmation over it share it, so one covers the other.
pub fn modal(area: Rect) -> Rect {
    let width = area.width.saturating_sub(4).min(76);
    let height = 9.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}
