//! The Cohort pane's render: summary counts and status, the distribution per group against its
//! minimums, the rows table with their finding codes, a row's detail and the override modal.

use super::{CohortFile, LoadedView, Override, chart_groups, chart_lines};
use crate::cohort::{FINDINGS_KEPT_PER_CODE, Report, Severity, Status};
use crate::gate::GateState;
use crate::tui::keymap::Command;
use crate::tui::layout;
use crate::tui::state::State;
use ratatui::Frame;
use ratatui::layout::{Constraint, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Row, Table, TableState, Wrap};
use tui_input::Input;

pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let message = |text: String, style: Style| {
        Paragraph::new(Span::styled(text, style)).wrap(Wrap { trim: false })
    };
    match state.cohort.file() {
        CohortFile::Empty => frame.render_widget(
            message(
                "no cohort loaded · :cohort PATH loads a CSV (or start with gonogo tui --cohort FILE)"
                    .into(),
                theme.dim(),
            ),
            area,
        ),
        CohortFile::Loading { path, .. } => frame.render_widget(
            message(format!("loading {path}… (validating, then database checks)"), theme.dim()),
            area,
        ),
        CohortFile::Failed { path, reason } => frame.render_widget(
            message(format!("cohort {path} not loaded: {reason}"), theme.error()),
            area,
        ),
        CohortFile::Loaded(view) => loaded(state, frame, area, view),
    }
}

fn status_style(state: &State, status: Status) -> Style {
    match status {
        Status::Ok => state.theme.state(GateState::Pass),
        Status::Warn => state.theme.aged(),
        Status::Blocked => state.theme.state(GateState::Fail),
    }
}

fn loaded(state: &State, frame: &mut Frame, area: Rect, view: &LoadedView) {
    let areas = layout::cohort(area, chart_lines(&state.cohort));
    let report = &view.cohort.0.scan.report;
    frame.render_widget(Paragraph::new(summary(state, view)), areas.summary);
    frame.render_widget(
        Paragraph::new(chart(state, report, areas.chart.width)),
        areas.chart,
    );
    table(state, frame, areas.table, view);
}

fn summary(state: &State, view: &LoadedView) -> Vec<Line<'static>> {
    let theme = &state.theme;
    let report = &view.cohort.0.scan.report;
    let (database, database_style) = match &view.database_error {
        Some(why) => (format!("database checks failed: {why}"), theme.error()),
        None => match &report.database {
            crate::cohort::DatabaseChecks::Ran { .. } => (report.database.describe(), theme.dim()),
            skipped => (skipped.describe(), theme.aged()),
        },
    };
    let first = Line::from(vec![
        Span::styled(
            format!(" {} ", report.status.as_str().to_uppercase()),
            status_style(state, report.status),
        ),
        Span::raw(format!(
            " {} rows, {} valid · ",
            report.rows, report.valid_rows
        )),
        Span::styled(format!("{} hard", report.hard_count()), theme.error()),
        Span::raw(", "),
        Span::styled(format!("{} soft", report.soft_count()), theme.aged()),
        Span::raw(format!(" · {}", view.path)),
    ]);
    let database = Line::styled(format!(" {database}"), database_style);
    let second = match (&view.overridden, report.status) {
        (Override::Recorded { by, reason, entry }, _) => Line::styled(
            format!(" overridden by {by}: {reason} (journal entry {entry})"),
            theme.title(),
        ),
        (Override::Outdated { by, entry }, Status::Warn) => Line::styled(
            format!(
                " overridden by {by} (journal entry {entry}) when the findings were different; {} overrides these",
                state.keymap.key_of(Command::Override)
            ),
            theme.aged(),
        ),
        (Override::Recording { .. }, _) => {
            Line::styled(" recording the override in the journal…", theme.dim())
        }
        (_, Status::Ok) => {
            Line::styled(" clean: nothing blocks invites from this file", theme.dim())
        }
        (_, Status::Warn) => Line::styled(
            format!(
                " soft findings only: {} overrides them on the record (asks why)",
                state.keymap.key_of(Command::Override)
            ),
            theme.aged(),
        ),
        (_, Status::Blocked) => Line::styled(
            " blocked: hard findings cannot be overridden; fix the file and load it again",
            theme.error(),
        ),
    };
    let mut codes = vec![Span::styled(" findings: ", theme.dim())];
    for group in report.by_code() {
        let style = match group.code.severity() {
            Severity::Hard => theme.error(),
            Severity::Soft => theme.aged(),
        };
        codes.push(Span::styled(
            format!("{}×{} ", group.code, group.total),
            style,
        ));
    }
    if report.counts().is_empty() {
        codes.push(Span::styled("none", theme.dim()));
    }
    vec![first, database, second, Line::from(codes)]
}

fn chart(state: &State, report: &Report, width: u16) -> Vec<Line<'static>> {
    let theme = &state.theme;
    let t = &report.thresholds;
    let mut lines = vec![Line::styled(
        " valid rows per group (┃ marks the minimum)",
        theme.title(),
    )];
    let groups = chart_groups(report);
    let scale = groups
        .iter()
        .map(|(_, n, min)| (*n).max(min.unwrap_or(0)))
        .max()
        .unwrap_or(1)
        .max(1);
    let bar_width = usize::from(width).saturating_sub(36).clamp(4, 100);
    for (group, n, min) in groups.iter().take(8) {
        let cells = |v: u64| ((v as f64 / scale as f64) * bar_width as f64).round() as usize;
        let filled = cells(*n);
        let mark = min.map(|m| cells(m).min(bar_width.saturating_sub(1)));
        let mut bar = String::new();
        for i in 0..bar_width {
            bar.push(match (Some(i) == mark, i < filled) {
                (true, _) => '┃',
                (false, true) => '█',
                (false, false) => ' ',
            });
        }
        let (verdict, style) = match min {
            Some(m) if n < m => (format!("min {m} ✗"), theme.aged()),
            Some(m) => (format!("min {m} ✓"), theme.dim()),
            None => (String::new(), theme.dim()),
        };
        lines.push(Line::from(vec![
            Span::raw(format!(" {:<12} ", crate::text::sanitize_short(group, 12))),
            Span::styled(bar, style),
            Span::raw(format!(" {n:>6}  ")),
            Span::styled(verdict, style),
        ]));
    }
    let check = |have: u64, min: u64| if have >= min { "✓" } else { "✗" };
    let labels = report.distribution.len() as u64;
    let mut top: Vec<(&String, &u64)> = report.distribution.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let top: Vec<String> = top
        .iter()
        .take(6)
        .map(|(label, n)| format!("{} {n}", crate::text::sanitize_short(label, 32)))
        .collect();
    lines.push(Line::from(vec![
        Span::raw(format!(
            " rows {}/min {} {} · labels {labels}/min {} {} · ",
            report.valid_rows,
            t.min_rows,
            check(report.valid_rows, t.min_rows),
            t.min_labels,
            check(labels, t.min_labels)
        )),
        Span::styled(top.join(", "), theme.dim()),
    ]));
    lines
}

fn table(state: &State, frame: &mut Frame, area: Rect, view: &LoadedView) {
    let theme = &state.theme;
    let pane = &state.cohort;
    let shown = pane.visible_len();
    let mut note = format!(" rows {} of {}", shown, view.cohort.0.rows.len());
    if view.cohort.0.rows_truncated {
        note.push_str(&format!(
            " (the first {} are listed)",
            view.cohort.0.rows.len()
        ));
    }
    if let Some(code) = pane.code_filter() {
        note.push_str(&format!(" · code {code}"));
    }
    if !pane.search().is_empty() {
        note.push_str(&format!(" · search \"{}\"", pane.search()));
    }
    note.push_str(&format!(
        " · {} next code · {} search",
        state.keymap.key_of(Command::CohortCode),
        state.keymap.key_of(Command::Filter)
    ));
    frame.render_widget(
        Paragraph::new(Span::styled(note, theme.dim())),
        Rect { height: 1, ..area },
    );
    let list_area = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(1),
        ..area
    };
    let wide = area.width >= 120;
    // Up to 20,000 rows: only the screenful around the selection becomes table rows.
    let visible = layout::list_rows(area, layout::COHORT_TABLE_HEADER_ROWS);
    let offset = layout::list_offset(pane.selected, visible);
    let on_screen = (offset..shown.min(offset + visible)).filter_map(|i| pane.visible_row(i));
    let table_rows = on_screen.map(|row| {
        let hard = row.codes.iter().any(|c| c.severity() == Severity::Hard);
        let codes: Vec<&str> = row.codes.iter().map(|c| c.as_str()).collect();
        let mut cells = vec![
            Cell::from(row.line.to_string()),
            Cell::from(state.shown(&row.email)),
            Cell::from(row.cohort.clone()),
        ];
        if wide {
            cells.push(Cell::from(
                state.shown(row.name.as_deref().unwrap_or_default()),
            ));
        }
        let style = if hard { theme.error() } else { theme.aged() };
        cells.push(Cell::from(Span::styled(codes.join(" "), style)));
        Row::new(cells)
    });
    let mut widths = vec![
        Constraint::Length(6),
        Constraint::Length(if wide { 34 } else { 26 }),
        Constraint::Length(if wide { 30 } else { 20 }),
    ];
    let mut header = vec!["Line", "Email", "Cohort"];
    if wide {
        widths.push(Constraint::Length(20));
        header.push("Name");
    }
    widths.push(Constraint::Min(10));
    header.push("Findings");
    let table = Table::new(table_rows, widths)
        .header(Row::new(header).style(theme.title()))
        .row_highlight_style(theme.selected());
    let mut table_state = TableState::new()
        .with_selected((shown > 0).then_some(pane.selected.saturating_sub(offset)));
    frame.render_stateful_widget(table, list_area, &mut table_state);
}

/// One row's cells and the messages of its findings, over the pane.
pub fn row_detail(state: &State, frame: &mut Frame, area: Rect, line: u64, scroll: u16) {
    let theme = &state.theme;
    let Some(view) = state.cohort.loaded() else {
        return;
    };
    let Some(row) = view.cohort.0.rows.iter().find(|r| r.line == line) else {
        return;
    };
    let field = |name: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{name:<10}"), theme.title()),
            Span::raw(value),
        ])
    };
    let mut lines = vec![
        field("Email", state.shown(&row.email)),
        field("Cohort", row.cohort.clone()),
        field("Group", crate::cohort::group_of(&row.cohort).into_owned()),
        field("Name", state.shown(row.name.as_deref().unwrap_or("—"))),
        field(
            "Sent by",
            state.shown(row.sent_by.as_deref().unwrap_or("—")),
        ),
        Line::raw(""),
        Line::styled("Findings", theme.title()),
    ];
    if row.codes.is_empty() {
        lines.push(Line::styled("  none: this row is fine", theme.dim()));
    }
    let kept = view.cohort.0.scan.report.findings_at(line);
    let mut codes = row.codes.clone();
    codes.dedup();
    for code in codes {
        let style = match code.severity() {
            Severity::Hard => theme.error(),
            Severity::Soft => theme.aged(),
        };
        let label = format!("  {} {:<18}", code.severity().as_str(), code.as_str());
        let mut messages = kept.iter().filter(|f| f.code == code).peekable();
        if messages.peek().is_none() {
            lines.push(Line::from(vec![
                Span::styled(label.clone(), style),
                Span::styled(
                    format!(
                        "(message not kept: the report keeps the first {FINDINGS_KEPT_PER_CODE} \
                         {code} findings, and counts them all)"
                    ),
                    theme.dim(),
                ),
            ]));
        }
        for f in messages {
            lines.push(Line::from(vec![
                Span::styled(label.clone(), style),
                Span::raw(state.shown(&f.message)),
            ]));
        }
    }
    let block = Block::bordered().title(Span::styled(
        format!(
            " {} line {line} · {} closes ",
            view.path,
            state.keymap.key_of(Command::Back)
        ),
        theme.title(),
    ));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        area,
    );
}

/// The override modal: what is being let through, on whose name, and the reason being typed.
pub fn override_modal(state: &State, frame: &mut Frame, area: Rect, input: &Input) {
    let theme = &state.theme;
    let Some(view) = state.cohort.loaded() else {
        return;
    };
    let report = &view.cohort.0.scan.report;
    let width = area.width.saturating_sub(4).min(76);
    let height = 9.min(area.height);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    let inner = usize::from(width.saturating_sub(12));
    let scroll = input.visual_scroll(inner);
    let shown: String = input.value().chars().skip(scroll).collect();
    let lines = vec![
        Line::raw(format!(
            "Let {} soft finding(s) in {} through.",
            report.soft_count(),
            view.path
        )),
        Line::styled(
            format!(
                "Recorded in the journal as {}, with the file's hash and findings.",
                state.operator
            ),
            theme.dim(),
        ),
        Line::raw(""),
        Line::from(vec![
            Span::styled("Reason: ", theme.title()),
            Span::raw(shown),
        ]),
        Line::raw(""),
        Line::styled("Enter records the override · Esc cancels", theme.dim()),
    ];
    let block = Block::bordered().title(Span::styled(" Override soft findings ", theme.title()));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        popup,
    );
    let cursor = (input.visual_cursor().saturating_sub(scroll)) as u16;
    let x = popup.x + 1 + 8 + cursor;
    frame.set_cursor_position(Position::new(
        x.min(popup.right().saturating_sub(2)),
        popup.y + 4,
    ));
}
