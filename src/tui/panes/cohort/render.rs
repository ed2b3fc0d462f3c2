//! The Cohort pane's render: summary counts and status, the distribution per group against its
//! minimums, the rows table with their finding codes, a row's detail and the override modal.

use super::{
    CohortFile, CohortPane, DATABASE_CHECKS, LoadedView, Override, chart_groups, chart_lines,
};
use crate::cohort::{Code, FINDINGS_KEPT_PER_CODE, Report, Severity, Status};
use crate::gate::GateState;
use crate::tui::completeness::Completeness;
use crate::tui::format;
use crate::tui::kit::{self, Command, View};
use crate::tui::layout;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Row, Table, TableState, Wrap};
use tui_input::Input;

pub fn render(pane: &CohortPane, view: &View, frame: &mut Frame, area: Rect) {
    let theme = view.theme;
    let message = |text: String, style: Style| {
        Paragraph::new(Span::styled(text, style)).wrap(Wrap { trim: false })
    };
    match pane.file() {
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
        CohortFile::Loaded(file) => loaded(pane, view, frame, area, file),
    }
}

fn status_style(view: &View, status: Status) -> Style {
    match status {
        Status::Ok => view.theme.state(GateState::Pass),
        Status::Warn => view.theme.aged(),
        Status::Blocked => view.theme.state(GateState::Fail),
    }
}

fn loaded(pane: &CohortPane, view: &View, frame: &mut Frame, area: Rect, file: &LoadedView) {
    let areas = layout::cohort(area, chart_lines(pane));
    let report = &file.cohort.0.scan.report;
    let fitted = |lines: Vec<Line<'static>>, width: u16| -> Vec<Line<'static>> {
        lines
            .into_iter()
            .map(|line| format::fit_line(line, usize::from(width)))
            .collect()
    };
    frame.render_widget(
        Paragraph::new(fitted(
            summary(view, file, areas.summary.width),
            areas.summary.width,
        )),
        areas.summary,
    );
    frame.render_widget(
        Paragraph::new(fitted(
            chart(view, report, areas.chart.width),
            areas.chart.width,
        )),
        areas.chart,
    );
    table(pane, view, frame, areas.table, file);
}

fn summary(view: &View, file: &LoadedView, width: u16) -> Vec<Line<'static>> {
    let theme = view.theme;
    let report = &file.cohort.0.scan.report;
    let checks = &file.completeness;
    let (badge, badge_style) = checks.badge(
        theme,
        report.status == Status::Ok,
        report.status.as_str(),
        status_style(view, report.status),
    );
    // A zero count is no alarm: drawn dim, not in the colour of what it counts.
    let count_style = |n: u64, alarm: Style| if n == 0 { theme.dim() } else { alarm };
    let (hard, soft) = (report.hard_count(), report.soft_count());
    let first = Line::from(vec![
        Span::styled(badge, badge_style),
        Span::raw(format!(
            " {} rows, {} valid · ",
            report.rows, report.valid_rows
        )),
        Span::styled(format!("{hard} hard"), count_style(hard, theme.error())),
        Span::raw(", "),
        Span::styled(format!("{soft} soft"), count_style(soft, theme.aged())),
        Span::raw(format!(" · {}", file.path)),
    ]);
    let database = checks
        .line(theme)
        .unwrap_or_else(|| Line::styled(format!(" {}", report.database.describe()), theme.dim()));
    let second = match (&file.overridden, report.status) {
        (_, Status::Ok) if checks.failed() => Line::styled(
            " not cleared: the file's own checks found nothing, but invites wait for the database checks",
            theme.aged(),
        ),
        (Override::Recorded { by, reason, entry }, _) => Line::styled(
            format!(" overridden by {by}: {reason} · journal entry {entry}"),
            theme.title(),
        ),
        (Override::Outdated { by, entry }, Status::Warn) => Line::styled(
            format!(
                " overridden by {by} in journal entry {entry} when the findings were different; {} overrides these",
                view.key(Command::Override)
            ),
            theme.aged(),
        ),
        (Override::Recording { .. }, _) => {
            Line::styled(" recording the override in the journal…", theme.dim())
        }
        (_, Status::Ok) => {
            Line::styled(" clean: nothing blocks invites from this file", theme.dim())
        }
        (_, Status::Warn) if checks.failed() => Line::styled(
            " soft findings, and no override until the database checks have run",
            theme.aged(),
        ),
        (_, Status::Warn) => Line::styled(
            format!(
                " soft findings only: {} overrides them on the record and asks why",
                view.key(Command::Override)
            ),
            theme.aged(),
        ),
        (_, Status::Blocked) => Line::styled(
            " blocked: hard findings cannot be overridden; fix the file and load it again",
            theme.error(),
        ),
    };
    let mut codes = vec![Span::styled(" findings: ", theme.dim())];
    let groups = report.by_code();
    let mut used = format::width(" findings: ");
    for (i, group) in groups.iter().enumerate() {
        let style = match group.code.severity() {
            Severity::Hard => theme.error(),
            Severity::Soft => theme.aged(),
        };
        let item = format!("{}×{} ", group.code, group.total);
        let left = groups.len() - i;
        // Whole `code×count` items only; the ones that do not fit are counted, never cut.
        let reserve = if left > 1 {
            format!("+{}", left - 1).len()
        } else {
            0
        };
        if used + format::width(&item) + reserve > usize::from(width) {
            codes.push(Span::styled(format!("+{left}"), theme.dim()));
            break;
        }
        used += format::width(&item);
        codes.push(Span::styled(item, style));
    }
    vec![first, database, second, Line::from(codes)]
}

fn chart(view: &View, report: &Report, width: u16) -> Vec<Line<'static>> {
    let theme = view.theme;
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
    let items = |label_cells: usize| -> Vec<String> {
        top.iter()
            .map(|(label, n)| {
                let label = format::fit(&crate::text::sanitize(label), label_cells);
                format!("{label} {n}")
            })
            .collect()
    };
    let counts = format!(
        " rows {}/min {} {} · labels {labels}/min {} {} · ",
        report.valid_rows,
        t.min_rows,
        check(report.valid_rows, t.min_rows),
        t.min_labels,
        check(labels, t.min_labels)
    );
    // Whole `label count` items only: a count cut at the edge would read as another number.
    let room = usize::from(width).saturating_sub(format::width(&counts));
    // Labels whole when they all fit; else shortened, so more of them show.
    let whole = items(usize::MAX);
    let shown = if format::width(&whole.join(", ")) <= room {
        whole.join(", ")
    } else {
        format::fit_items(&items(24), ", ", room)
    };
    lines.push(Line::from(vec![
        Span::raw(counts),
        Span::styled(shown, theme.dim()),
    ]));
    lines
}

fn table(pane: &CohortPane, view: &View, frame: &mut Frame, area: Rect, file: &LoadedView) {
    let theme = view.theme;
    let shown = pane.visible_len();
    let mut note = format!(" rows {} of {}", shown, file.cohort.0.rows.len());
    if file.cohort.0.rows_truncated {
        note.push_str(&format!(
            " (the first {} are listed)",
            file.cohort.0.rows.len()
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
        view.key(Command::CohortCode),
        view.key(Command::Filter)
    ));
    frame.render_widget(
        Paragraph::new(Span::styled(
            format::fit(&note, usize::from(area.width)),
            theme.dim(),
        )),
        Rect { height: 1, ..area },
    );
    let list_area = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(1),
        ..area
    };
    if shown == 0
        && let Some(code) = pane.code_filter()
    {
        file_wide(view, frame, list_area, file, code);
        return;
    }
    let wide = area.width >= 120;
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
    let cells_of = layout::column_widths(area.width, &widths);
    let column = |i: usize| cells_of.get(i).copied().unwrap_or(0);
    // Up to 20,000 rows: only the screenful around the selection becomes table rows.
    let visible = layout::list_rows(area, layout::COHORT_TABLE_HEADER_ROWS);
    let offset = layout::list_offset(pane.selected, visible);
    let on_screen = (offset..shown.min(offset + visible)).filter_map(|i| pane.visible_row(i));
    let table_rows = on_screen.map(|row| {
        let hard = row.codes.iter().any(|c| c.severity() == Severity::Hard);
        let codes: Vec<String> = row.codes.iter().map(|c| c.as_str().to_owned()).collect();
        let mut cells = vec![
            Cell::from(row.line.to_string()),
            Cell::from(format::fit(&view.shown(&row.email), column(1))),
            Cell::from(format::fit(&row.cohort, column(2))),
        ];
        if wide {
            cells.push(Cell::from(format::fit(
                &view.shown(row.name.as_deref().unwrap_or_default()),
                column(3),
            )));
        }
        let style = if hard { theme.error() } else { theme.aged() };
        let findings = format::fit_items(&codes, " ", column(cells_of.len().saturating_sub(1)));
        cells.push(Cell::from(Span::styled(findings, style)));
        Row::new(cells)
    });
    let table = Table::new(table_rows, widths)
        .header(Row::new(header).style(theme.title()))
        .row_highlight_style(theme.selected());
    let mut table_state = TableState::new()
        .with_selected((shown > 0).then_some(pane.selected.saturating_sub(offset)));
    frame.render_stateful_widget(table, list_area, &mut table_state);
}

/// A code whose findings are about the whole file (too few rows, a group under its minimum):
/// its messages, where the rows would be.
fn file_wide(view: &View, frame: &mut Frame, area: Rect, file: &LoadedView, code: Code) {
    let theme = view.theme;
    let style = match code.severity() {
        Severity::Hard => theme.error(),
        Severity::Soft => theme.aged(),
    };
    let mut lines = vec![Line::styled(
        format!(" {code} is about the whole file, not a row:"),
        theme.title(),
    )];
    for finding in &file.cohort.0.scan.report.findings {
        if finding.code == code && finding.line.is_none() {
            lines.push(Line::styled(
                format!("  {}", view.shown(&finding.message)),
                style,
            ));
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// One row's cells and the messages of its findings, over the pane.
pub fn row_detail(
    pane: &CohortPane,
    view: &View,
    frame: &mut Frame,
    area: Rect,
    line: u64,
    scroll: u16,
) {
    let theme = view.theme;
    let Some(file) = pane.loaded() else {
        return;
    };
    let Some(row) = file.cohort.0.rows.iter().find(|r| r.line == line) else {
        return;
    };
    let field = |name: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{name:<10}"), theme.title()),
            Span::raw(value),
        ])
    };
    let unread = row.email.is_empty() && row.cohort.is_empty() && row.name.is_none();
    let email = if unread {
        "— the record's cells could not be read".to_owned()
    } else {
        view.shown(&row.email)
    };
    let mut lines = vec![
        field("Email", email),
        field("Cohort", row.cohort.clone()),
        field("Group", crate::cohort::group_of(&row.cohort).into_owned()),
        field("Name", view.shown(row.name.as_deref().unwrap_or("—"))),
        field("Sent by", view.shown(row.sent_by.as_deref().unwrap_or("—"))),
        Line::raw(""),
        Line::styled("Findings", theme.title()),
    ];
    if row.codes.is_empty() {
        match file.completeness {
            Completeness::Complete => {
                lines.push(Line::styled("  none: this row is fine", theme.dim()))
            }
            _ => lines.push(Line::styled(
                format!("  none in the file; {DATABASE_CHECKS} were not checked"),
                theme.aged(),
            )),
        }
    }
    let kept = file.cohort.0.scan.report.findings_at(line);
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
                Span::raw(view.shown(&f.message)),
            ]));
        }
    }
    let block = Block::bordered().title(Span::styled(
        format!(
            " {} line {line} · {} closes ",
            file.path,
            view.key(Command::Back)
        ),
        theme.title(),
    ));
    frame.render_widget(Clear, area);
    frame.render_widget(kit::scrolled(theme, lines, block, area, scroll), area);
}

/// The override modal: what is being let through, on whose name, and the reason being typed.
pub fn override_modal(
    pane: &CohortPane,
    view: &View,
    frame: &mut Frame,
    area: Rect,
    input: &Input,
) {
    let theme = view.theme;
    let Some(file) = pane.loaded() else {
        return;
    };
    let report = &file.cohort.0.scan.report;
    let popup = layout::modal(area);
    let inner = usize::from(popup.width.saturating_sub(12));
    let scroll = input.visual_scroll(inner);
    let shown: String = input.value().chars().skip(scroll).collect();
    let lines = vec![
        Line::raw(format!(
            "Let {} in {} through.",
            format::counted(report.soft_count(), "soft finding", "soft findings"),
            file.path
        )),
        Line::styled(
            format!(
                "Recorded in the journal as {}, with the file's hash and findings.",
                view.operator
            ),
            theme.dim(),
        ),
        Line::raw(""),
        Line::from(vec![
            Span::styled("Reason: ", theme.title()),
            Span::raw(shown),
        ]),
        Line::raw(""),
        Line::styled(
            if view.launch.production {
                "Enter goes on to confirm with the launch name · Esc cancels"
            } else {
                "Enter records the override · Esc cancels"
            },
            theme.dim(),
        ),
    ];
    let block = Block::bordered().title(Span::styled(" Override soft findings ", theme.title()));
    let typed = input.visual_cursor().saturating_sub(scroll) as u16;
    let field_x = format::width("Reason: ") as u16;
    kit::entry_modal(frame, popup, lines, block, field_x, typed);
}
