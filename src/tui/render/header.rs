//! The header bar (launch, environment, operator, UTC clock, countdown, verdict) and the tabs row.

use crate::tui::format;
use crate::tui::kit::View;
use crate::tui::layout;
use crate::tui::panes::Pane;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// `NO-GO · 2 red`, `UNKNOWN`, `GO`, given why the verdict is not GO.
pub fn verdict_label(view: &View, why: Option<String>) -> String {
    let verdict = view.board.verdict();
    match (verdict, why) {
        (crate::gate::Verdict::NoGo, Some(why)) => format!("{verdict} · {why}"),
        _ => verdict.to_string(),
    }
}

/// Cells the verdict and the countdown always take, whatever they say now, so the fields
/// around them stay where they are as the verdict changes (`GO`, `NO-GO · 12 red`).
const VERDICT_CELLS: usize = 16;
const COUNTDOWN_CELLS: usize = 10;
/// Below this width the clock goes (decided by the width, never by what the verdict says).
const CLOCK_FROM_WIDTH: u16 = 100;
/// The badge of a viewer's cockpit (`tui --read-only`), beside the environment.
pub const READ_ONLY: &str = " READ-ONLY ";

/// `text` in at least `cells` cells: centred, or from the left.
fn slot(text: &str, cells: usize, centred: bool) -> String {
    let pad = cells.saturating_sub(format::width(text));
    let before = if centred { pad / 2 } else { 1.min(pad) };
    format!("{}{text}{}", " ".repeat(before), " ".repeat(pad - before))
}

/// The header bar; `demo_badge`: the DEMO badge shows, `why`: why the verdict is not GO.
pub fn render(view: &View, demo_badge: bool, why: Option<String>, frame: &mut Frame, area: Rect) {
    let theme = view.theme;
    frame.render_widget(Paragraph::new("").style(theme.header()), area);
    let verdict = view.board.verdict();
    let mut right = Vec::new();
    if area.width >= CLOCK_FROM_WIDTH {
        right.push(Span::raw(format!("{} UTC ", view.now.format("%H:%M:%S"))));
    }
    if let Some(countdown) = format::countdown(view.launch.decision_at, view.now) {
        right.push(Span::styled(
            slot(&countdown, COUNTDOWN_CELLS, false),
            theme.title(),
        ));
    }
    right.push(Span::styled(
        slot(&verdict_label(view, why), VERDICT_CELLS, true),
        theme.verdict(verdict),
    ));
    let right = Line::from(right);
    let right_width = right.width() as u16;

    let environment = Span::styled(
        format!(" {} ", view.launch.environment.to_uppercase()),
        theme.environment(view.launch.production),
    );
    let operator = Span::raw(format!(" op {}", view.operator));
    let mut after_name = vec![environment];
    if demo_badge {
        after_name.push(Span::raw(" "));
        after_name.push(Span::styled(" DEMO ", theme.demo()));
    }
    if view.launch.read_only {
        after_name.push(Span::raw(" "));
        after_name.push(Span::styled(READ_ONLY, theme.demo()));
    }
    let left_area = Rect {
        width: area.width.saturating_sub(right_width + 1),
        ..area
    };
    let room = usize::from(left_area.width);
    let brand = Span::styled(" gonogo ", theme.title());
    let fixed = brand.width() + Line::from(after_name.clone()).width() + 1;
    // The launch name gives way first (shortened, with `…`), so the operator stays on screen;
    // only a terminal too narrow for both drops the operator.
    let (name_room, with_operator) = match room.checked_sub(fixed + operator.width()) {
        Some(rest) if rest >= 4 => (rest, true),
        _ => (room.saturating_sub(fixed), false),
    };
    let mut left = vec![
        brand,
        Span::raw(format!("{} ", format::fit(&view.launch.name, name_room))),
    ];
    left.extend(after_name);
    if with_operator {
        left.push(operator);
    }
    frame.render_widget(
        Paragraph::new(format::fit_line(Line::from(left), room)),
        left_area,
    );
    let right_area = Rect {
        x: area.right().saturating_sub(right_width),
        width: right_width.min(area.width),
        ..area
    };
    frame.render_widget(Paragraph::new(right), right_area);
}

/// What the tabs row says besides the panes' names.
pub struct Tabs<'a> {
    /// The pane in front.
    pub shown: Pane,
    /// The Gates pane's filter.
    pub filter: &'a str,
    /// Masking was asked for (screen-share masks without saying so here).
    pub mask: bool,
    /// Who is on shift, and since when.
    pub on_shift: Option<&'a (String, DateTime<Utc>)>,
}

pub fn tabs(view: &View, tabs: &Tabs, frame: &mut Frame, area: Rect) {
    let theme = view.theme;
    let mut spans: Vec<Span> = Pane::ALL
        .iter()
        .map(|pane| {
            let style = if *pane == tabs.shown {
                theme.active_tab()
            } else {
                theme.dim()
            };
            Span::styled(layout::tab_label(pane.number(), pane.title()), style)
        })
        .collect();
    if !tabs.filter.is_empty() {
        spans.push(Span::styled(
            format!("  filter: {}", tabs.filter),
            theme.aged(),
        ));
    }
    if tabs.mask {
        spans.push(Span::styled("  [emails masked]", theme.dim()));
    }
    if let Some((who, since)) = tabs.on_shift {
        spans.push(Span::styled(
            format!(
                "  on shift: {} since {}",
                view.shown(who),
                format::clock(*since, view.now)
            ),
            theme.dim(),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
