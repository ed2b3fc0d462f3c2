//! The panes, and the one place each is routed to: its update and its footer are reached
//! through a single `match` on [`Pane`] here (its render through the one in `render`).
//!
//! A pane is a module `panes/<name>/` with its state (`mod.rs`), its update (`update.rs`:
//! `fn update(&mut PaneState, &Cx, Action) -> Reply`), its render (`render.rs`:
//! `fn render(&PaneState, &View, &mut Frame, Rect)`, read-only) and its footer commands
//! (`FOOTER`). A pane changes only its own state: what it wants from the rest of the cockpit
//! (work for the event loop, news for another pane, a view to open, a message) it returns in
//! its [`Reply`].

pub mod checklist;
pub mod cohort;
pub mod dispatch;
pub mod gates;
pub mod timeline;

use super::action::{Action, Effect};
use super::keymap::{Command, Context, Keymap};
use super::layout;
use super::state::{Level, Overlay, State};
use crate::gate::{Board, GateSpec};
use chrono::{DateTime, Utc};
use ratatui::layout::Rect;

pub use super::kit::Pane;

/// The footer of a pane whose rows are gates or name them (Gates, Timeline).
pub const GATE_LIST_FOOTER: &[(Command, &str)] = &[
    (Command::Help, "help"),
    (Command::Open, "detail"),
    (Command::Filter, "filter"),
    (Command::Palette, "command"),
    (Command::Recheck, "re-check"),
    (Command::ScreenShare, "share"),
    (Command::Mask, "mask"),
    (Command::Quit, "quit"),
];

/// What a pane may read of the rest of the cockpit while it handles an action.
pub struct Cx<'a> {
    pub now: DateTime<Utc>,
    pub board: &'a Board,
    pub specs: &'a [GateSpec],
    pub keymap: &'a Keymap,
    pub operator: &'a str,
    /// The pane in front.
    pub shown: Pane,
    /// Where the panes are drawn (as `render` lays the screen out): for pages and clicks.
    pub body: Rect,
    /// The terminal's height: a pane's layout may depend on it (the Gates pane's history).
    pub terminal_height: u16,
}

impl Cx<'_> {
    pub fn spec(&self, id: &str) -> Option<&GateSpec> {
        self.specs.iter().find(|s| s.id == id)
    }
}

/// What a pane's update hands back besides the change to its own state.
#[derive(Debug, Default)]
pub struct Reply {
    /// Work for the event loop.
    pub effects: Vec<Effect>,
    /// News for the rest of the cockpit (another pane, the shared state), applied next.
    pub then: Vec<Action>,
    /// A message for the footer.
    pub say: Option<(Level, String)>,
    /// A view to open over the panes.
    pub open: Option<Overlay>,
    /// Close the view on top (the pane's modal, once it took its input).
    pub close: bool,
    /// Bring this pane to the front.
    pub show: bool,
    /// Not this pane's business: the cockpit's default applies.
    pub unhandled: bool,
    /// Nothing visible changed.
    pub quiet: bool,
}

impl Reply {
    pub fn say(level: Level, text: impl Into<String>) -> Reply {
        Reply {
            say: Some((level, text.into())),
            ..Reply::default()
        }
    }

    pub fn open(overlay: Overlay) -> Reply {
        Reply {
            open: Some(overlay),
            ..Reply::default()
        }
    }

    pub fn quiet() -> Reply {
        Reply {
            quiet: true,
            ..Reply::default()
        }
    }

    pub fn unhandled() -> Reply {
        Reply {
            unhandled: true,
            quiet: true,
            ..Reply::default()
        }
    }
}

/// The pane an action is news for, whichever pane is in front; `None`: the one in front.
pub fn owner(action: &Action) -> Option<Pane> {
    match action {
        Action::LoadCohort(_)
        | Action::CohortLoaded { .. }
        | Action::CycleCohortCode
        | Action::FilterCohortCode(_)
        | Action::StartCohortOverride
        | Action::OverrideCohort { .. }
        | Action::CohortOverridden { .. } => Some(Pane::Cohort),
        Action::DispatchLoaded(_)
        | Action::RetryDone(_)
        | Action::LedgerChanged
        | Action::DispatchNews(_)
        | Action::MessageLoaded(_)
        | Action::SendInvites { .. }
        | Action::RetryFailedConfirmed { .. }
        | Action::CycleDispatchFilter
        | Action::ReviewUnknown
        | Action::StartSend
        | Action::PauseSend
        | Action::RetryFailed => Some(Pane::Dispatch),
        Action::ChecklistLoaded(_)
        | Action::ReloadChecklist
        | Action::CallLoaded(_)
        | Action::RefreshCall
        | Action::TickItem { .. }
        | Action::UntickItem { .. }
        | Action::CastVote(_)
        | Action::Decide { .. }
        | Action::StartVote(_)
        | Action::StartDecide(_)
        | Action::CallWritten(_) => Some(Pane::Checklist),
        Action::JournalRecorded(_)
        | Action::JournalWritten
        | Action::TimelineLoaded(_)
        | Action::TimelineAppended(_)
        | Action::Live(_)
        | Action::JournalPending(_)
        | Action::OnShift(_) => Some(Pane::Timeline),
        _ => None,
    }
}

/// Hands `action` to `pane`'s update. The reply is the caller's to apply.
pub fn update(state: &mut State, pane: Pane, action: Action) -> Reply {
    let cx = Cx {
        now: state.now,
        board: &state.board,
        specs: &state.specs,
        keymap: &state.keymap,
        operator: &state.operator,
        shown: state.pane,
        body: layout::cockpit(Rect::new(0, 0, state.size.0, state.size.1)).body,
        terminal_height: state.size.1,
    };
    match pane {
        Pane::Gates => gates::update::update(&mut state.gates, &cx, action),
        Pane::Timeline => timeline::update::update(&mut state.timeline, &cx, action),
        Pane::Cohort => cohort::update::update(&mut state.cohort, &cx, action),
        Pane::Dispatch => dispatch::update::update(&mut state.dispatch, &cx, action),
        Pane::Checklist => checklist::update::update(&mut state.checklist, &cx, action),
    }
}

/// The commands a pane's footer offers in a context, with its words for them; `None`: the
/// context's shared footer.
pub fn footer(pane: Pane, context: Context) -> Option<&'static [(Command, &'static str)]> {
    match (pane, context) {
        (Pane::Gates, Context::Cockpit) => Some(gates::FOOTER),
        (Pane::Timeline, Context::Cockpit) => Some(timeline::FOOTER),
        (Pane::Cohort, Context::Cockpit) => Some(cohort::FOOTER),
        (Pane::Cohort, Context::Detail) => Some(cohort::DETAIL_FOOTER),
        (Pane::Dispatch, Context::Cockpit) => Some(dispatch::FOOTER),
        (Pane::Checklist, Context::Cockpit) => Some(checklist::FOOTER),
        _ => None,
    }
}

/// Moves a list selection by `delta` rows within `len` rows.
pub fn step(selected: usize, len: usize, delta: isize) -> usize {
    let max = len.saturating_sub(1) as isize;
    (selected as isize)
        .saturating_add(delta)
        .clamp(0, max.max(0)) as usize
}

/// How far a navigation action moves a list with `page` rows on screen; `None` for others.
pub fn movement(action: &Action, page: usize) -> Option<isize> {
    let page = page.max(1) as isize;
    match action {
        Action::Move(delta) => Some(*delta as isize),
        Action::PageDown => Some(page),
        Action::PageUp => Some(-page),
        Action::Top => Some(isize::MIN / 2),
        Action::Bottom => Some(isize::MAX / 2),
        _ => None,
    }
}
