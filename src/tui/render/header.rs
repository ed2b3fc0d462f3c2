//! The header bar (launch, environment, operator, UTC clock, countdown, verdict) and the tabs row.

use crate::tui::action::Pane;
use crate::tui::format;
use crate::tui::layout;
use crate::tui::state::State;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// `NO-GO · 2 red`, `UNKNOWN`, `GO`.
pub fn verdict_label(state: &State) -> String {
    let verdict = state.board.verdict();
    match (verdict, state.verdict_why()) {
        (crate::gate::Verdict::NoGo, Some(why)) => format!("{verdict} · {why}"),
        _ => verdict.to_string(),
    }
}

pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    frame.render_widget(Paragraph::new("").style(theme.header()), area);
    let verdict = state.board.verdict();
    let mut right = vec![Span::raw(format!("{} UTC ", state.now.format("%H:%M:%S")))];
    if let Some(countdown) = format::countdown(state.launch.decision_at, state.now) {
        right.push(Span::styled(format!(" {countdown} "), theme.title()));
    }
    right.push(Span::styled(
        format!(" {} ", verdict_label(state)),
        theme.verdict(verdict),
    ));
    let mut right = Line::from(right);
    let right_width = right.width() as u16;
    if right_width + 30 > area.width {
        // Narrow: the verdict and countdown matter more than the clock.
        right.spans.remove(0);
    }
    let right_width = right.width() as u16;

    let mut left = vec![
        Span::styled(" gonogo ", theme.title()),
        Span::raw(format!("{} ", state.launch.name)),
        Span::styled(
            format!(" {} ", state.launch.environment.to_uppercase()),
            theme.environment(state.launch.production),
        ),
    ];
    if state.shows_demo_badge() {
        left.push(Span::raw(" "));
        left.push(Span::styled(" DEMO ", theme.demo()));
    }
    let left_area = Rect {
        width: area.width.saturating_sub(right_width + 1),
        ..area
    };
    let operator = Span::raw(format!(" op {}", state.operator));
    // The operator goes first when space runs out: the launch and its environment stay.
    if Line::from(left.clone()).width() + operator.width() <= usize::from(left_area.width) {
        left.push(operator);
    }
    frame.render_widget(Paragraph::new(Line::from(left)), left_area);
    let right_area = Rect {
        x: area.right().saturating_sub(right_width),
        width: right_width.min(area.width),
        ..area
    };
    frame.render_widget(Paragraph::new(right), right_area);
}

pub fn tabs(state: &State, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let mut spans: Vec<Span> = Pane::ALL
        .iter()
        .enumerate()
        .map(|(i, pane)| {
            let style = if *pane == state.pane {
                theme.active_tab()
            } else {
                theme.dim()
            };
            Span::styled(layout::tab_label(i, pane.title()), style)
        })
        .collect();
    if !state.gates.filter().is_empty() {
        spans.push(Span::styled(
            format!("  filter: {}", state.gates.filter()),
            theme.aged(),
        ));
    }
    if state.mask {
        spans.push(Span::styled("  [emails masked]", theme.dim()));
    }
    if let Some((who, since)) = &state.timeline.on_shift {
        spans.push(Span::styled(
            format!(
                "  on shift: {} since {}",
                state.shown(who),
                crate::tui::format::clock(*since, state.now)
            ),
            theme.dim(),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
