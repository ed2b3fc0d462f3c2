//! A gate's detail view: source and query, schedule, current state, recent results with their
//! times, and the latest errors in full.

use crate::gate::GateState;
use crate::tui::format;
use crate::tui::kit::{self, View};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;
use std::collections::BTreeSet;

/// How many past results and distinct errors the view lists.
const RESULTS_SHOWN: usize = 12;
const ERRORS_SHOWN: usize = 5;

/// Gate `id`'s detail, scrolled by `scroll` lines; `checking`: the gates re-checked on request
/// whose answer has not come back yet.
pub fn render(
    view: &View,
    checking: &BTreeSet<String>,
    frame: &mut Frame,
    area: Rect,
    id: &str,
    scroll: u16,
) {
    let theme = view.theme;
    let (Some(gate), Some(spec)) = (view.board.get(id), view.spec(id)) else {
        return;
    };
    let field = |name: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{name:<12}"), theme.title()),
            Span::raw(value),
        ])
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("{:<12}", "State"), theme.title()),
            Span::styled(
                format!("{} {}", gate.state.symbol(), gate.state),
                theme.state(gate.state),
            ),
            Span::raw(format!(
                " for {} (since {})",
                format::span(gate.since, view.now),
                format::clock(gate.since, view.now)
            )),
            Span::styled(
                if gate.required {
                    "  required"
                } else {
                    "  informational"
                },
                theme.dim(),
            ),
        ]),
        field(
            "Value",
            format!("{}   pass if {}", gate.value_text(), gate.condition),
        ),
        field(
            "Source",
            format!("{}: {}", spec.source.kind(), spec.source.describe()),
        ),
    ];
    let mut schedule = format!(
        "every {}, timeout {}",
        humantime::format_duration(spec.every),
        humantime::format_duration(spec.timeout)
    );
    if let Some(sustain) = spec.sustain {
        schedule.push_str(&format!(
            ", red after failing for {}",
            humantime::format_duration(sustain)
        ));
    }
    lines.push(field("Checks", schedule));
    let (age, age_style, _) = kit::age_mark(view, gate, false);
    let mut last_check = vec![
        Span::styled(format!("{:<12}", "Last check"), theme.title()),
        Span::styled(age, age_style),
    ];
    if checking.contains(&gate.id) {
        last_check.push(Span::styled(" · checking…", theme.dim()));
    }
    lines.push(Line::from(last_check));
    if let Some(detail) = &gate.detail {
        lines.push(field("Detail", view.shown(detail)));
    }
    if let Some(error) = &gate.error {
        lines.push(Line::from(vec![
            Span::styled(format!("{:<12}", "Error"), theme.title()),
            Span::styled(view.shown(error), theme.error()),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Recent results (newest first)", theme.title()));
    if gate.history.is_empty() {
        lines.push(Line::styled("  no result yet", theme.dim()));
    }
    for h in gate.history.iter().rev().take(RESULTS_SHOWN) {
        let value = h
            .value
            .as_ref()
            .map(|v| crate::gate::board::format_value(&gate.condition, v))
            .unwrap_or_else(|| "—".into());
        let mut spans = vec![
            Span::raw(format!("  {}  ", format::clock(h.at, view.now))),
            Span::styled(
                format!("{} {:<8}", h.state.symbol(), h.state),
                theme.state(h.state),
            ),
            Span::raw(format!(" {value:>10}")),
        ];
        if let Some(error) = &h.error {
            spans.push(Span::styled(
                format!("  {}", crate::text::sanitize_short(&view.shown(error), 60)),
                theme.error(),
            ));
        }
        lines.push(Line::from(spans));
    }
    let mut errors: Vec<(chrono::DateTime<chrono::Utc>, &str)> = Vec::new();
    for h in gate.history.iter().rev() {
        if let Some(e) = &h.error
            && !errors.iter().any(|(_, seen)| *seen == e.as_str())
        {
            errors.push((h.at, e));
        }
        if errors.len() == ERRORS_SHOWN {
            break;
        }
    }
    if !errors.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Latest errors in full", theme.title()));
        for (at, error) in errors {
            lines.push(Line::from(vec![
                Span::raw(format!("  {}  ", format::clock(at, view.now))),
                Span::styled(view.shown(error), theme.error()),
            ]));
        }
    }
    let unknown_note = gate.state == GateState::Unknown && gate.value.is_some();
    if unknown_note {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "The value above is the last one seen; it is not current.",
            theme.aged(),
        ));
    }
    let block = Block::bordered().title(Line::from(vec![
        Span::styled(format!(" {} ", view.shown(&gate.title)), theme.title()),
        Span::styled(format!("({}) ", gate.id), theme.dim()),
    ]));
    frame.render_widget(kit::scrolled(theme, lines, block, area, scroll), area);
}
