//! Typed confirmations: in production a mutation waits in a modal until the operator types the
//! launch's name, then runs as if it had not been asked. One mechanism for every mutation: each
//! pane names its own (the cohort override, sends and retries, ticks, votes, the freeze) in
//! its `PaneKind::confirm`. Staging asks nothing extra.

use super::action::Action;
use super::format;
use super::kit::{self, View};
use super::state::State;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;
use tui_input::Input;

/// Mutations that, in production, wait for the launch's name to be typed: the pane messages
/// whose pane says so (`PaneKind::confirm`).
pub fn needs_typed(action: &Action) -> bool {
    describe(action).is_some()
}

/// What the action does, in the modal's words.
fn describe(action: &Action) -> Option<String> {
    match action {
        Action::Pane(msg) => super::panes::confirm(msg),
        _ => None,
    }
}

/// True when `typed` is the launch's name (surrounding spaces aside, case as written).
pub fn matches(state: &State, typed: &str) -> bool {
    crate::confirm::name_matches(&state.launch.name, typed)
}

/// The confirmation modal over the panes: what will happen, and the name being typed.
pub fn render(view: &View, frame: &mut Frame, area: Rect, action: &Action, input: &Input) {
    let theme = view.theme;
    let popup = super::layout::modal(area);
    let inner = usize::from(popup.width.saturating_sub(2));
    let prompt = "Launch name: ";
    let field = inner.saturating_sub(prompt.len());
    let scroll = input.visual_scroll(field);
    let shown: String = input.value().chars().skip(scroll).collect();
    let lines = vec![
        Line::raw(format::fit(
            &format!(
                "Production: type the launch name to {}.",
                describe(action).unwrap_or_else(|| format!("{action:?}"))
            ),
            inner,
        )),
        Line::styled(
            format::fit(&format!("The launch is {}.", view.launch.name), inner),
            theme.dim(),
        ),
        Line::raw(""),
        Line::from(vec![Span::styled(prompt, theme.title()), Span::raw(shown)]),
        Line::raw(""),
        Line::styled("Enter confirms · Esc goes back", theme.dim()),
        Line::raw(""),
    ];
    let block = Block::bordered()
        .border_style(theme.environment(true))
        .title(Span::styled(" Confirm in production ", theme.title()));
    let typed = input.visual_cursor().saturating_sub(scroll) as u16;
    kit::entry_modal(frame, popup, lines, block, prompt.len() as u16, typed);
}
