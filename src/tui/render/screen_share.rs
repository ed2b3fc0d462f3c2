//! Screen-share mode: a huge verdict, the countdown to the decision call and the gates as large
//! rows, for a video call. Emails are masked by `render` over the whole frame.

use crate::gate::Verdict;
use crate::tui::format;
use crate::tui::kit::{self, Command, View};
use crate::tui::panes::checklist::ChecklistPane;
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_big_text::{BigText, PixelSize};

/// The whole screen; `checklist` for the roll call and the frozen decision, `demo_badge`: the
/// DEMO badge shows.
pub fn render(
    view: &View,
    checklist: &ChecklistPane,
    demo_badge: bool,
    frame: &mut Frame,
    area: Rect,
) {
    let theme = view.theme;
    let verdict = view.board.verdict();
    let mut stack = Stack { area, y: area.y };
    let mut take = |height: u16| stack.take(height);

    let mut top = vec![Span::styled(view.launch.name.clone(), theme.title())];
    top.push(Span::raw("  "));
    top.push(Span::styled(
        format!(" {} ", view.launch.environment.to_uppercase()),
        theme.environment(view.launch.production),
    ));
    if demo_badge {
        top.push(Span::raw(" "));
        top.push(Span::styled(" DEMO ", theme.demo()));
    }
    if view.launch.read_only {
        top.push(Span::raw(" "));
        top.push(Span::styled(super::header::READ_ONLY, theme.demo()));
    }
    top.push(Span::raw(format!("  {} UTC", view.now.format("%H:%M:%S"))));
    frame.render_widget(
        Paragraph::new(Line::from(top)).alignment(Alignment::Center),
        take(1),
    );

    // Full-size letters when the gates still get two rows each below them.
    let full_fits = area.height >= 16 + 2 * view.board.gates().len() as u16;
    let (pixel, height) = match (area.width >= 60, full_fits) {
        (true, true) => (PixelSize::Full, 8),
        (true, false) => (PixelSize::HalfHeight, 4),
        _ => (PixelSize::Quadrant, 4),
    };
    take(u16::from(area.height >= 30));
    // Once frozen (and before the next round's first vote), the decision takes the verdict's place.
    let call = checklist.roll_call();
    let frozen = checklist
        .call
        .as_ref()
        .and_then(|c| c.last.as_ref())
        .filter(|_| call.votes().is_empty());
    let (big_text, big_style) = match frozen {
        Some(last) => (
            last.outcome.as_str(),
            theme.verdict_text(match last.outcome {
                crate::decision::Outcome::Go => Verdict::Go,
                crate::decision::Outcome::NoGo => Verdict::NoGo,
            }),
        ),
        None => (verdict.as_str(), theme.verdict_text(verdict)),
    };
    let big = BigText::builder()
        .pixel_size(pixel)
        .style(big_style)
        .lines(vec![Line::from(big_text)])
        .centered()
        .build();
    frame.render_widget(big, take(height));

    let reason = match (frozen, verdict) {
        (Some(last), _) => format!(
            "decision {} frozen by {} at {} UTC · gates were {}",
            last.number,
            view.shown(&last.decided_by),
            last.decided_at.format("%H:%M"),
            verdict
        ),
        (None, verdict) => match verdict {
            Verdict::NoGo => format!(
                "{} red",
                format::counted(
                    view.board.red_count() as u64,
                    "required gate",
                    "required gates"
                )
            ),
            Verdict::Unknown => "some required gates cannot be checked".to_owned(),
            Verdict::Go => "every required gate passes".to_owned(),
        },
    };
    let countdown = match (
        view.launch.decision_at,
        format::countdown(view.launch.decision_at, view.now),
    ) {
        (Some(at), Some(left)) => format!("decision call {} UTC · {left}", at.format("%H:%M")),
        _ => "no decision time set".to_owned(),
    };
    take(1);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(reason, theme.verdict_text(verdict)),
            Span::raw("   "),
            Span::styled(countdown, theme.title()),
        ]))
        .alignment(Alignment::Center),
        take(1),
    );
    take(1);

    let footer_height = 1;
    let rows_area = take(u16::MAX - footer_height);
    let footer_area = Rect {
        y: rows_area.bottom().saturating_sub(footer_height),
        height: footer_height.min(rows_area.height),
        ..rows_area
    };
    let rows_area = Rect {
        height: rows_area.height.saturating_sub(footer_height),
        ..rows_area
    };
    let show_call = frozen.is_some() || !call.votes().is_empty();
    let call_height = if show_call {
        (call.roles.len() as u16 + 2).min(rows_area.height / 2)
    } else {
        0
    };
    let call_area = Rect {
        y: rows_area.bottom().saturating_sub(call_height),
        height: call_height,
        ..rows_area
    };
    let rows_area = Rect {
        height: rows_area.height.saturating_sub(call_height),
        ..rows_area
    };
    gate_rows(view, frame, rows_area);
    // Once frozen, the roll call the decision was taken on, until the next call's first vote.
    let shown_call = match frozen {
        Some(last) => crate::decision::RollCall::new(&checklist.settings, last.number, &last.votes),
        None => call,
    };
    roll_call(view, &shown_call, frame, call_area);
    frame.render_widget(
        Paragraph::new(Span::styled(
            format!(
                "screen-share · emails masked · {} leaves",
                view.key(Command::ScreenShare)
            ),
            theme.dim(),
        ))
        .alignment(Alignment::Center),
        footer_area,
    );
}

/// The roll call in bold rows: role, vote, who, when.
fn roll_call(view: &View, call: &crate::decision::RollCall, frame: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    let theme = view.theme;
    const WIDTH: usize = 48;
    let mut lines = vec![Line::styled(
        format!("{:<WIDTH$}", format!("roll call · call {}", call.round)),
        theme.title(),
    )];
    for (role, vote) in &call.roles {
        let (text, style) = match vote {
            Some(v) => (
                format!(
                    "{:<18} {:<6} {} {}",
                    format::fit(role, 18),
                    v.vote.shout(),
                    view.shown(&v.by),
                    v.at.format("%H:%M")
                ),
                theme.state(match v.vote {
                    crate::decision::VoteChoice::Go => crate::gate::GateState::Pass,
                    crate::decision::VoteChoice::NoGo => crate::gate::GateState::Fail,
                }),
            ),
            None => (
                format!("{:<18} {:<6}", format::fit(role, 18), "—"),
                theme.dim(),
            ),
        };
        let text = format!("{:<WIDTH$}", format::fit(&text, WIDTH));
        lines.push(Line::styled(text, style.add_modifier(Modifier::BOLD)));
    }
    frame.render_widget(Paragraph::new(lines).alignment(Alignment::Center), area);
}

/// Hands out full-width rows from the top of an area.
struct Stack {
    area: Rect,
    y: u16,
}

impl Stack {
    fn take(&mut self, height: u16) -> Rect {
        let height = height.min(self.area.bottom() - self.y);
        let rect = Rect::new(self.area.x, self.y, self.area.width, height);
        self.y += height;
        rect
    }
}

fn gate_rows(view: &View, frame: &mut Frame, area: Rect) {
    let theme = view.theme;
    let gates = view.board.gates();
    if gates.is_empty() || area.height == 0 {
        return;
    }
    let row_height = (area.height / gates.len() as u16).clamp(1, 3);
    let title_width = gates
        .iter()
        .map(|g| view.shown(&g.title).chars().count())
        .max()
        .unwrap_or(0)
        .min(usize::from(area.width / 3));
    let indent = area.width.saturating_sub(title_width as u16 + 50) / 2;
    // Centred in the space left, so a tall screen does not leave the gates hanging at the top.
    let block_height = row_height * gates.len() as u16;
    let first = area.y + area.height.saturating_sub(block_height) / 2;
    for (i, g) in gates.iter().enumerate() {
        let top = first + i as u16 * row_height;
        if top >= area.bottom() {
            break;
        }
        let line_y = top + row_height.saturating_sub(1) / 2;
        let (value, value_style) = kit::gate_value(theme, g);
        let mut spans = vec![
            Span::raw(" ".repeat(usize::from(indent))),
            Span::styled(format!("{}  ", g.state.symbol()), theme.state(g.state)),
            Span::styled(
                format!(
                    "{:<title_width$}",
                    crate::text::sanitize_short(&view.shown(&g.title), title_width)
                ),
                theme.title(),
            ),
            Span::styled(
                format!("  {value:>10}"),
                value_style.add_modifier(Modifier::BOLD),
            ),
            Span::styled(format!("  pass if {}", g.condition), theme.dim()),
        ];
        if g.state != crate::gate::GateState::Pass {
            let (note, style) = kit::gate_note(view, g);
            if !note.is_empty() {
                spans.push(Span::styled(format!("  {note}"), style));
            }
        }
        frame.render_widget(
            Paragraph::new(Line::from(spans)),
            Rect::new(area.x, line_y, area.width, 1),
        );
    }
}
