//! The Dispatch pane's render: one gauge per batch (sent, failed, unknown, pending of the
//! total) with its rate and time left, who is sending, this cockpit's run, the live log newest
//! first, and the modals (send and retry confirmations, one message with its history).

use super::{DispatchModal, DispatchPane, MessageDetail, OwnRun};
use crate::invite::status::time_left;
use crate::tui::format;
use crate::tui::kit::{self, View};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Row, Table, TableState, Wrap};
use tui_input::Input;

pub fn render(pane: &DispatchPane, view: &View, frame: &mut Frame, area: Rect) {
    let theme = view.theme;
    if !pane.available {
        let text = format!("dispatch unavailable: {}", pane.unavailable);
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme.dim())).wrap(Wrap { trim: false }),
            area,
        );
        return;
    }
    let Some(ledger) = &pane.view else {
        let text = match &pane.error {
            Some(why) => format!("the dispatch ledger could not be read: {why}"),
            None => "reading the dispatch ledger…".into(),
        };
        frame.render_widget(Paragraph::new(Span::styled(text, theme.dim())), area);
        return;
    };
    let width = usize::from(area.width);
    let mut top: Vec<Line<'static>> = Vec::new();
    if ledger.batches.is_empty() {
        top.push(Line::styled(
            format::fit(
                "no batch prepared yet · `gonogo invites prepare COHORT.csv` writes one",
                width,
            ),
            theme.dim(),
        ));
    }
    for b in &ledger.batches {
        top.push(batch_line(view, b, width));
    }
    top.push(status_line(pane, view, width));
    let batch_rows = top.len() as u16;
    let [head, log] =
        Layout::vertical([Constraint::Length(batch_rows), Constraint::Min(3)]).areas(area);
    frame.render_widget(Paragraph::new(top), head);
    log_table(pane, view, frame, log);
}

/// `batch  ███████░░░  412/500 sent · 3 failed · 1 unknown · 84 pending · 4.9/s · 17s left`
fn batch_line(view: &View, b: &crate::invite::BatchCounts, width: usize) -> Line<'static> {
    let theme = view.theme;
    let c = &b.counts;
    let bar_width = (width / 8).clamp(5, 20);
    let total = b.total.max(1) as f64;
    // A failure or an unknown always shows, however few among many.
    let cells = |n: u64| {
        let share = ((n as f64 / total) * bar_width as f64).round() as usize;
        if n > 0 { share.max(1) } else { 0 }
    };
    let (sent, failed, unknown) = (cells(c.sent), cells(c.failed), cells(c.unknown));
    let rest = bar_width.saturating_sub(sent + failed + unknown);
    let left = time_left(b, b.rate_per_s)
        .map(|s| {
            let left = crate::gate::format_duration_secs(s);
            if width >= 120 {
                format!(" · {left} left")
            } else {
                format!(", ETA {left}")
            }
        })
        .unwrap_or_default();
    let (pending, sep) = if width >= 120 {
        ("pending", " · ")
    } else {
        ("queued", ", ")
    };
    let words = format!(
        " {}/{} sent{sep}{} failed{sep}{} unknown{sep}{} {pending}{sep}{:.1}/s{left}",
        c.sent,
        b.total,
        c.failed,
        c.unknown,
        c.prepared + c.sending,
        b.rate_per_s
    );
    let name = format::fit(&crate::text::sanitize(&b.batch), 16);
    let line = Line::from(vec![
        Span::styled(format!("{name} "), theme.title()),
        Span::styled("█".repeat(sent), theme.state(crate::gate::GateState::Pass)),
        Span::styled(
            "█".repeat(failed),
            theme.state(crate::gate::GateState::Fail),
        ),
        Span::styled("█".repeat(unknown), theme.aged()),
        Span::styled("░".repeat(rest), theme.dim()),
        Span::raw(words),
    ]);
    format::fit_line(line, width)
}

fn status_line(pane: &DispatchPane, view: &View, width: usize) -> Line<'static> {
    let theme = view.theme;
    let mut parts: Vec<String> = Vec::new();
    match &pane.run {
        Some(OwnRun::Running {
            since,
            sent,
            failed,
            unknown,
            ..
        }) => parts.push(format!(
            "sending from here since {} ({sent} sent, {failed} failed, {unknown} unknown) · p pauses",
            format::clock(*since, view.now)
        )),
        Some(OwnRun::Stopping) => parts.push("pausing after the message in flight…".into()),
        Some(OwnRun::Ended(Ok(end))) => parts.push(format!(
            "last run here {}: {} sent, {} failed, {} unknown{}",
            end.outcome,
            end.sent,
            end.failed,
            end.unknown,
            if end.reason.is_empty() { String::new() } else { format!(" ({})", end.reason) }
        )),
        Some(OwnRun::Ended(Err(why))) => parts.push(format!("last run here stopped: {why}")),
        None | Some(OwnRun::Idle) => {}
    }
    let others: Vec<String> = pane
        .view
        .iter()
        .flat_map(|v| &v.senders)
        .map(|r| {
            format!(
                "{}@{} sending since {}{}",
                r.operator,
                r.host,
                format::clock(r.started_at, view.now),
                r.stalled_for
                    .map(|s| format!(" (stalled {s:.0}s, pid {})", r.pid))
                    .unwrap_or_default()
            )
        })
        .collect();
    if !others.is_empty() {
        parts.push(others.join(", "));
    }
    if parts.is_empty() {
        parts.push("nobody is sending · s starts (or resumes) sending".into());
    }
    parts.push(format!("log: {}", pane.filter.label()));
    if let Some(why) = &pane.error {
        parts.push(format!("last read failed: {why}"));
    }
    let style = if pane.error.is_some() {
        theme.error()
    } else {
        theme.dim()
    };
    Line::styled(
        format::fit(&crate::text::sanitize(&parts.join(" · ")), width),
        style,
    )
}

fn state_style(view: &View, name: &str) -> Style {
    use crate::gate::GateState;
    match name {
        "sent" => view.theme.state(GateState::Pass),
        "failed" => view.theme.state(GateState::Fail),
        "unknown" => view.theme.aged(),
        "sending" => view.theme.title(),
        _ => view.theme.dim(),
    }
}

fn log_table(pane: &DispatchPane, view: &View, frame: &mut Frame, area: Rect) {
    let theme = view.theme;
    let rows = pane.rows();
    let email_width = (area.width as usize).saturating_sub(50).clamp(16, 40);
    // time 8, state 9, three gaps between the four columns.
    let reason_width = (area.width as usize)
        .saturating_sub(8 + email_width + 9 + 3)
        .max(10);
    let body: Vec<Row> = rows
        .iter()
        .map(|r| {
            let reason = r.reason.as_deref().unwrap_or_default();
            let reason = match &r.next_attempt_at {
                Some(at) if r.state == "prepared" => {
                    format!("retry at {} · {reason}", format::clock(*at, view.now))
                }
                _ => reason.to_owned(),
            };
            Row::new(vec![
                Cell::from(format::clock(r.updated_at, view.now)),
                Cell::from(format::fit(
                    &view.shown(&crate::text::sanitize(&r.email)),
                    email_width,
                )),
                Cell::from(Span::styled(
                    r.state.as_str(),
                    state_style(view, r.state.as_str()),
                )),
                Cell::from(format::fit(
                    &view.shown(&crate::text::sanitize(&reason)),
                    reason_width,
                )),
            ])
        })
        .collect();
    let empty = rows.is_empty();
    let table = Table::new(
        body,
        [
            Constraint::Length(8),
            Constraint::Length(email_width as u16),
            Constraint::Length(9),
            Constraint::Min(10),
        ],
    )
    .header(Row::new(vec!["time", "email", "state", "reply / reason"]).style(theme.title()))
    .row_highlight_style(theme.selected());
    let mut table_state = TableState::default().with_selected((!empty).then_some(pane.selected));
    frame.render_stateful_widget(table, area, &mut table_state);
    if empty {
        let note = format!(
            "no {} messages in the newest {}",
            pane.filter.label(),
            super::LOG_ROWS
        );
        let y = area
            .y
            .saturating_add(1)
            .min(area.bottom().saturating_sub(1));
        frame.render_widget(
            Paragraph::new(Span::styled(note, theme.dim())),
            Rect::new(area.x, y, area.width, 1),
        );
    }
}

/// The pane's modals, over the body.
pub fn modal(
    pane: &DispatchPane,
    view: &View,
    frame: &mut Frame,
    area: Rect,
    modal: &DispatchModal,
) {
    match modal {
        DispatchModal::ConfirmSend { count, input, .. } => confirm(
            view,
            frame,
            area,
            &format!(
                "Send {} now?",
                crate::plural::count(*count, "prepared message")
            ),
            *count,
            input,
        ),
        DispatchModal::ConfirmRetry { count, input } => confirm(
            view,
            frame,
            area,
            &format!(
                "Put {} back to be sent?",
                crate::plural::count(*count, "failed message")
            ),
            *count,
            input,
        ),
        DispatchModal::Message { scroll } => message(pane, view, frame, area, *scroll),
    }
}

fn confirm(view: &View, frame: &mut Frame, area: Rect, question: &str, count: u64, input: &Input) {
    let theme = view.theme;
    let popup = crate::tui::layout::modal(area);
    let inner = usize::from(popup.width.saturating_sub(2));
    let prompt = "Number: ";
    let lines = vec![
        Line::raw(format::fit(question, inner)),
        Line::styled(
            format::fit(
                &format!("Type {count} to confirm; each message goes at most once."),
                inner,
            ),
            theme.dim(),
        ),
        Line::raw(""),
        Line::from(vec![
            Span::styled(prompt, theme.title()),
            Span::raw(input.value().to_owned()),
        ]),
        Line::raw(""),
        Line::styled("Enter confirms · Esc goes back", theme.dim()),
    ];
    let block = Block::bordered().title(Span::styled(" Dispatch ", theme.title()));
    let typed = input.visual_cursor() as u16;
    kit::entry_modal(frame, popup, lines, block, prompt.len() as u16, typed);
}

fn message(pane: &DispatchPane, view: &View, frame: &mut Frame, area: Rect, scroll: u16) {
    let theme = view.theme;
    frame.render_widget(Clear, area);
    let block = Block::bordered().title(Span::styled(" Message ", theme.title()));
    let text = match pane.detail.as_ref().and_then(|d| d.answer.as_ref()) {
        Some(Ok(detail)) => detail_text(view, detail),
        Some(Err(why)) => format!(
            "the message could not be read: {}",
            crate::text::sanitize_short(why, 300)
        ),
        None => "reading the message…".into(),
    };
    let lines: Vec<Line> = text.lines().map(|l| Line::raw(l.to_owned())).collect();
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        area,
    );
}

fn detail_text(view: &View, detail: &MessageDetail) -> String {
    let mut text = format!(
        "{} · batch {} · {} · {} attempt(s)\n",
        detail.row.state, detail.row.batch, detail.row.message_id, detail.row.attempts
    );
    if let Some(reason) = &detail.row.reason {
        text.push_str(&format!("last reply: {reason}\n"));
    }
    text.push_str("\nhistory:\n");
    for h in &detail.history {
        text.push_str(&format!(
            "  {}  {:<8} {}\n",
            crate::clock::rfc3339(h.at),
            h.state,
            h.detail
        ));
    }
    text.push('\n');
    let mut preview = detail.preview.clone();
    // The code is the recipient's key to the product: not for a shared screen.
    if view.masking()
        && let Some(code) = &detail.code
    {
        preview = preview.replace(code.as_str(), "[code hidden]");
    }
    text.push_str(&preview);
    view.shown(&crate::text::sanitize_lines(&text))
}
