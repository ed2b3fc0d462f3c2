//! The Checklist pane's render: each section with a gauge, its items with their state (open,
//! ticked by NAME, verified by a gate, overdue), due time and note; under them the roll call
//! of the round under way and the newest decision. Reads the derived rows only.

use super::{ChecklistPane, FileState, Modal, Row};
use crate::checklist::{ItemState, ItemView, SectionView};
use crate::gate::GateState;
use crate::tui::format;
use crate::tui::kit::{self, Command, View};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use tui_input::Input;

pub fn render(pane: &ChecklistPane, view: &View, frame: &mut Frame, area: Rect) {
    let roll_height = (pane.settings.roles.len() as u16 + 3).min(area.height / 2);
    let list_area = Rect {
        height: area.height.saturating_sub(roll_height),
        ..area
    };
    let roll_area = Rect {
        y: list_area.bottom(),
        height: roll_height,
        ..area
    };
    list(pane, view, frame, list_area);
    roll_call(pane, view, frame, roll_area);
}

/// `███░░░` for `done` of `total` in `cells`.
pub fn gauge(done: usize, total: usize, cells: usize) -> String {
    let full = (done * cells).checked_div(total).unwrap_or(0);
    format!(
        "{}{}",
        "█".repeat(full),
        "░".repeat(cells - full.min(cells))
    )
}

fn list(pane: &ChecklistPane, view: &View, frame: &mut Frame, area: Rect) {
    let theme = view.theme;
    let width = usize::from(area.width);
    let mut lines: Vec<Line> = Vec::new();
    let header = match (&pane.file, &pane.view) {
        (FileState::NotConfigured, _) => (
            "No [checklist] in the config: add `[checklist] path = \"CHECKLIST.md\"`.".to_owned(),
            theme.aged(),
        ),
        (FileState::Loading, _) => ("Reading the checklist…".to_owned(), theme.dim()),
        (FileState::Failed(why), _) => (format!("Checklist not loaded: {why}"), theme.error()),
        (FileState::Loaded(c), Some(items)) => {
            let mut text = format!(
                "{} · {}/{} done",
                c.title.as_deref().unwrap_or(&c.file),
                items.done,
                items.total
            );
            if pane.only_open {
                text.push_str(" · open items only");
            }
            if !pane.shared {
                text.push_str(" · not shared: no [postgres]");
            } else if let Some(why) = &pane.call_error {
                text.push_str(&format!(" · shared state unavailable: {why}"));
            }
            (text, theme.dim())
        }
        (FileState::Loaded(_), None) => (String::new(), theme.dim()),
    };
    lines.push(Line::styled(
        format::fit(&view.shown(&header.0), width),
        header.1,
    ));
    let Some(items) = &pane.view else {
        frame.render_widget(Paragraph::new(lines), area);
        return;
    };
    let rows = usize::from(area.height.saturating_sub(1));
    let offset = crate::tui::layout::list_offset(pane.selected, rows);
    for (i, row) in pane.rows.iter().enumerate().skip(offset).take(rows) {
        let selected = i == pane.selected;
        let line = match row {
            Row::Section(s) => section_line(view, &items.sections[*s], width),
            Row::Item { section, item } => {
                item_line(view, &items.sections[*section].items[*item], width)
            }
        };
        lines.push(if selected {
            line.style(theme.selected())
        } else {
            line
        });
    }
    if pane.rows.is_empty() {
        lines.push(Line::styled("  every item is done", theme.dim()));
    }
    if !items.removed.is_empty() && lines.len() < usize::from(area.height) {
        let r = &items.removed[0];
        let more = items.removed.len() - 1;
        let text = format!(
            "removed from the file (was ticked by {}): \"{}\"{}",
            r.by,
            r.text,
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
        lines.push(Line::styled(
            format::fit(&view.shown(&text), width),
            theme.aged(),
        ));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn section_line(view: &View, section: &SectionView, width: usize) -> Line<'static> {
    let theme = view.theme;
    let path = if section.path.is_empty() {
        "(no section)".to_owned()
    } else {
        view.shown(&section.path.join(" › "))
    };
    let count = format!(" {}/{}", section.done, section.total);
    let bar = gauge(section.done, section.total, 10);
    let room = width.saturating_sub(format::width(&count) + 12);
    let style = if section.done == section.total {
        theme.state(GateState::Pass)
    } else {
        theme.title()
    };
    Line::from(vec![
        Span::styled(
            format!("{:<room$}", format::fit(&path, room)),
            theme.title(),
        ),
        Span::raw(" "),
        Span::styled(bar, style),
        Span::styled(count, theme.dim()),
    ])
}

fn item_line(view: &View, item: &ItemView, width: usize) -> Line<'static> {
    let theme = view.theme;
    let (mark, style) = match item.state {
        ItemState::Done => ("[x]", theme.state(GateState::Pass)),
        ItemState::Verified => ("[✓]", theme.state(GateState::Pass)),
        ItemState::Open => ("[ ]", Style::default()),
        ItemState::Overdue => ("[!]", theme.error()),
    };
    let detail = detail(view, item);
    let indent = "  ".repeat(item.depth + 1);
    let text_room = width
        .saturating_sub(indent.len() + 4)
        .saturating_sub(format::width(&detail).min(width / 2) + 2);
    let text = format::fit(&view.shown(&item.text), text_room);
    let pad = text_room.saturating_sub(format::width(&text));
    let line = Line::from(vec![
        Span::raw(indent),
        Span::styled(format!("{mark} "), style),
        Span::raw(text),
        Span::raw(" ".repeat(pad + 2)),
        Span::styled(detail, theme.dim()),
    ]);
    format::fit_line(line, width)
}

fn detail(view: &View, item: &ItemView) -> String {
    let now = view.now;
    let mut parts = Vec::new();
    match (&item.gate, item.state) {
        (Some(gate), ItemState::Verified) => parts.push(format!("verified by {gate}")),
        (Some(gate), _) => parts.push(format!(
            "gate {gate}: {}",
            item.gate_state.unwrap_or(GateState::Unknown)
        )),
        (None, ItemState::Done) => match (&item.by, item.at) {
            (Some(by), Some(at)) => {
                parts.push(format!("ticked by {by} {}", format::clock(at, now)))
            }
            _ => parts.push("done in the file".to_owned()),
        },
        (None, _) => {}
    }
    if let Some(due) = item.due.filter(|_| !item.state.is_done()) {
        if item.state == ItemState::Overdue {
            parts.push(format!("overdue {}", format::span(due, now)));
        } else {
            parts.push(format!(
                "due {} (in {})",
                format::clock(due, now),
                format::span(now, due)
            ));
        }
    }
    if let Some(note) = &item.note {
        parts.push(view.shown(note));
    }
    parts.join(" · ")
}

fn roll_call(pane: &ChecklistPane, view: &View, frame: &mut Frame, area: Rect) {
    if area.height < 3 {
        return;
    }
    let theme = view.theme;
    let call = pane.roll_call();
    let inner = usize::from(area.width.saturating_sub(2));
    let mut lines = Vec::new();
    for (role, vote) in &call.roles {
        let line = match vote {
            Some(v) => {
                let note = v
                    .note
                    .as_deref()
                    .map(|n| format!(" · {n}"))
                    .unwrap_or_default();
                let style = match v.vote {
                    crate::decision::VoteChoice::Go => theme.state(GateState::Pass),
                    crate::decision::VoteChoice::NoGo => theme.state(GateState::Fail),
                };
                Line::from(vec![
                    Span::styled(format!("{:<18}", format::fit(role, 18)), theme.title()),
                    Span::styled(format!("{:<6}", v.vote.shout()), style),
                    Span::raw(view.shown(&format!(
                        "{} {}{note}",
                        v.by,
                        format::clock(v.at, view.now)
                    ))),
                ])
            }
            None => Line::from(vec![
                Span::styled(format!("{:<18}", format::fit(role, 18)), theme.title()),
                Span::styled("—     waiting", theme.dim()),
            ]),
        };
        lines.push(format::fit_line(line, inner));
    }
    let status = match (
        &pane.call.as_ref().and_then(|c| c.last.as_ref()),
        call.missing().len(),
    ) {
        (_, 0) => format!(
            "every role has voted: {} freezes the decision",
            view.key(Command::Decide)
        ),
        (Some(last), _) if call.votes().is_empty() => format!(
            "decision {} frozen: {} by {} {}{}",
            last.number,
            last.outcome,
            last.decided_by,
            format::clock(last.decided_at, view.now),
            if last.gates_overridden {
                " (gates overridden)"
            } else {
                ""
            }
        ),
        (_, n) => format!(
            "{} voted, {n} to go · {} votes",
            call.roles.len() - n,
            view.key(Command::Vote)
        ),
    };
    lines.push(Line::styled(
        format::fit(&view.shown(&status), inner),
        theme.dim(),
    ));
    let block = Block::bordered().title(Span::styled(
        format!(" Roll call · call {} ", call.round),
        theme.title(),
    ));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The modals of the decision call: a tick's note, an untick's reason, a vote, the freeze.
pub fn modal(pane: &ChecklistPane, view: &View, frame: &mut Frame, area: Rect, overlay: &Modal) {
    let (title, prompt, help, input): (&str, &str, &str, &Input) = match overlay {
        Modal::TickNote { input, .. } => (
            " Tick ",
            "Note: ",
            "optional · Enter ticks · Esc cancels",
            input,
        ),
        Modal::UntickReason { input, .. } => (
            " Untick ",
            "Reason: ",
            "required · Enter unticks · Esc cancels",
            input,
        ),
        Modal::Vote(input) => (
            " Vote ",
            "Vote: ",
            "go ROLE · no-go ROLE: why · Enter votes · Esc cancels",
            input,
        ),
        Modal::Decide(input) => (
            " Freeze the decision ",
            "Override reason: ",
            "Enter freezes · a reason overrides gates that are not GO · Esc cancels",
            input,
        ),
    };
    let theme = view.theme;
    let popup = crate::tui::layout::modal(area);
    let inner = usize::from(popup.width.saturating_sub(2));
    let field = inner.saturating_sub(prompt.len());
    let scroll = input.visual_scroll(field);
    let shown: String = input.value().chars().skip(scroll).collect();
    let mut lines = Vec::new();
    if let Some(item) = pane.selected_item()
        && matches!(overlay, Modal::TickNote { .. } | Modal::UntickReason { .. })
    {
        lines.push(Line::raw(format::fit(&view.shown(&item.text), inner)));
    } else if matches!(overlay, Modal::Vote(_)) {
        lines.push(Line::styled(
            format::fit(&format!("Roles: {}", pane.settings.roles.join(", ")), inner),
            theme.dim(),
        ));
    } else {
        lines.push(Line::raw(""));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled(prompt, theme.title()),
        Span::raw(shown),
    ]));
    lines.push(Line::raw(""));
    lines.push(Line::styled(format::fit(help, inner), theme.dim()));
    lines.push(Line::raw(""));
    let block = Block::bordered().title(Span::styled(title, theme.title()));
    let typed = input.visual_cursor().saturating_sub(scroll) as u16;
    kit::entry_modal(frame, popup, lines, block, prompt.len() as u16, typed);
}
