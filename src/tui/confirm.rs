//! Typed confirmations: in production a mutation waits in a modal until the operator types the
//! launch's name, then runs as if it had not been asked. One mechanism for every mutation: the
//! cohort override now; sends, ticks, votes and decisions name themselves in [`needs_typed`]
//! as they arrive. Staging asks nothing extra.

use super::action::Action;
use super::format;
use super::kit::{self, View};
use super::state::State;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;
use tui_input::Input;

/// Mutations that, in production, wait for the launch's name to be typed.
pub fn needs_typed(action: &Action) -> bool {
    matches!(action, Action::OverrideCohort { reason } if !reason.trim().is_empty())
        || matches!(
            action,
            Action::SendInvites { .. }
                | Action::RetryFailedConfirmed { .. }
                | Action::TickItem { .. }
                | Action::UntickItem { .. }
                | Action::CastVote(_)
                | Action::Decide { .. }
        )
}

/// What the action does, in the modal's words.
fn describe(action: &Action) -> String {
    match action {
        Action::OverrideCohort { .. } => "override the cohort's soft findings".into(),
        Action::SendInvites { count, .. } => {
            format!("send {}", crate::plural::count(*count, "invitation"))
        }
        Action::RetryFailedConfirmed { count } => {
            format!("retry {}", crate::plural::count(*count, "failed message"))
        }
        Action::TickItem { .. } => "tick the checklist item".into(),
        Action::UntickItem { .. } => "untick the checklist item".into(),
        Action::CastVote(_) => "cast the vote".into(),
        Action::Decide { .. } => "freeze the decision".into(),
        other => format!("{other:?}"),
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
            &format!("Production: type the launch name to {}.", describe(action)),
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
