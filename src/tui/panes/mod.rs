//! The panes, and the one place each is registered ([`panes!`] below): a pane is a folder
//! `panes/<name>/` with its state, its own messages ([`PaneKind::Msg`]), modals
//! ([`PaneKind::Modal`]) and jobs for the runner ([`PaneKind::Job`]), its keys (`KEYS`) and
//! footer, and the entry points of [`PaneKind`]. A pane changes only its own state: what it
//! wants from the rest of the cockpit (work for the runner, news for the shared state, a view
//! to open, a message) it returns in its [`Reply`].
//!
//! A new pane: its folder, one line in `panes!`, and its field in `State`.

pub mod checklist;
pub mod cohort;
pub mod dispatch;
pub mod gates;
pub mod timeline;

use super::action::{Action, Effect};
use super::effects::Jobs;
use super::keymap::{Command, Context, Keymap};
use super::kit::{Level, View};
use super::layout;
use super::state::{Overlay, State};
use crate::gate::{Board, GateSpec};
use crate::journal::LiveSignal;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use tui_input::InputRequest;

/// What a pane is: its types and the entry points the cockpit calls. Every entry point but
/// `update`, `render` and `run` has a do-nothing default.
pub trait PaneKind {
    /// What only this pane handles (its keys' intents, its jobs' answers).
    type Msg: std::fmt::Debug + Clone;
    /// The views it opens over the panes.
    type Modal: std::fmt::Debug + Clone;
    /// Its I/O, for the runner.
    type Job: std::fmt::Debug + Clone + PartialEq;
    /// Its name on the tabs row.
    const TITLE: &'static str;
    /// What its footer offers, in its words.
    const FOOTER: &'static [(Command, &'static str)];
    /// Its footer over a view it opened (a row's detail), if not the shared one.
    const DETAIL_FOOTER: Option<&'static [(Command, &'static str)]> = None;

    /// One of its own messages.
    fn update(&mut self, cx: &Cx, msg: Self::Msg) -> Reply;
    /// A shared action: the clock (every pane hears it), or a key for the pane in front
    /// (moving, opening, clicks, `/`, `r`). [`Reply::unhandled`]: the cockpit's default.
    fn on_action(&mut self, cx: &Cx, action: Action) -> Reply {
        let _ = (cx, action);
        Reply::unhandled()
    }
    /// The live listener's news (every pane hears it).
    fn on_live(&mut self, cx: &Cx, signal: &LiveSignal) -> Reply {
        let _ = (cx, signal);
        Reply::quiet()
    }
    /// Where the keyboard is with this modal on top.
    fn modal_context(modal: &Self::Modal) -> Context {
        let _ = modal;
        Context::TextEntry
    }
    /// Text typed into one of its modals.
    fn modal_input(&mut self, modal: &mut Self::Modal, request: InputRequest) {
        let _ = (modal, request);
    }
    /// The scroll of a modal that is read, not typed into.
    fn modal_scroll(modal: &mut Self::Modal) -> Option<&mut u16> {
        let _ = modal;
        None
    }
    /// Enter in one of its modals.
    fn submit(&mut self, modal: &Self::Modal) -> Submit {
        let _ = modal;
        Submit::Ignore
    }
    /// Esc closed one of its modals.
    fn closed(&mut self, modal: Self::Modal) {
        let _ = modal;
    }
    /// A mutation production asks the launch name for first: what it does, in the modal's
    /// words ([`super::confirm`]).
    fn confirm(msg: &Self::Msg) -> Option<String> {
        let _ = msg;
        None
    }
    /// Draws the pane into the body: its own state and the [`View`], nothing else.
    fn render(&self, view: &View, frame: &mut Frame, area: Rect);
    /// Draws one of its modals over the body.
    fn render_modal(&self, view: &View, modal: &Self::Modal, frame: &mut Frame, area: Rect) {
        let _ = (view, modal, frame, area);
    }
    /// Starts one of its jobs (the runner's clock, tasks and services in `jobs`).
    fn run(job: Self::Job, jobs: &mut Jobs);
}

/// What Enter in a pane's modal does.
#[derive(Debug)]
pub enum Submit {
    /// Nothing: Enter means nothing in this modal.
    Ignore,
    /// Close it: what was typed is already applied.
    Close,
    /// Keep it open, saying why.
    Refuse(String),
    /// Run this message (production asks the launch name first); the modal stays under it
    /// until the pane's reply closes it.
    Run(Action),
    /// Close it, then run this (the pane reopens it, text kept, if it refuses the entry).
    CloseAndRun(Action),
}

/// Registers the panes, one line each: `field: Id(Type)` (`field` is the pane's state in
/// `State`, `Type` its [`PaneKind`]). Generates the [`Pane`] id, the wrappers the shared
/// types carry ([`PaneMsg`], [`PaneModal`], [`PaneJob`]) and the forwarding below.
macro_rules! panes {
    ($($(#[$meta:meta])* $field:ident: $id:ident($ty:ty)),* $(,)?) => {
        /// Which pane the body shows, in tab order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Pane { $($(#[$meta])* $id),* }

        impl Pane {
            pub const ALL: &'static [Pane] = &[$($(#[$meta])* Pane::$id),*];

            pub fn title(self) -> &'static str {
                match self { $($(#[$meta])* Pane::$id => <$ty as PaneKind>::TITLE),* }
            }
        }

        /// A pane's own message, as the shared [`Action`] carries it.
        #[derive(Debug, Clone)]
        pub enum PaneMsg { $($(#[$meta])* $id(<$ty as PaneKind>::Msg)),* }
        /// A pane's modal, as the shared [`Overlay`] carries it.
        #[derive(Debug, Clone)]
        pub enum PaneModal { $($(#[$meta])* $id(<$ty as PaneKind>::Modal)),* }
        /// A pane's job, as the shared [`Effect`] carries it.
        #[derive(Debug, Clone, PartialEq)]
        pub enum PaneJob { $($(#[$meta])* $id(<$ty as PaneKind>::Job)),* }

        $(
            $(#[$meta])*
            impl From<<$ty as PaneKind>::Msg> for Action {
                fn from(msg: <$ty as PaneKind>::Msg) -> Action {
                    Action::Pane(PaneMsg::$id(msg))
                }
            }
            $(#[$meta])*
            impl From<<$ty as PaneKind>::Modal> for Overlay {
                fn from(modal: <$ty as PaneKind>::Modal) -> Overlay {
                    Overlay::Pane(PaneModal::$id(modal))
                }
            }
            $(#[$meta])*
            impl From<<$ty as PaneKind>::Job> for Effect {
                fn from(job: <$ty as PaneKind>::Job) -> Effect {
                    Effect::Pane(PaneJob::$id(job))
                }
            }
        )*

        /// Hands a pane its own message; the reply (and the pane, to bring to the front) is
        /// the caller's to apply.
        pub fn update(state: &mut State, msg: PaneMsg) -> (Pane, Reply) {
            let cx = cx!(state);
            match msg {
                $($(#[$meta])* PaneMsg::$id(msg) => (Pane::$id, state.$field.update(&cx, msg)),)*
            }
        }

        /// Hands `pane` a shared action.
        pub fn on_action(state: &mut State, pane: Pane, action: Action) -> Reply {
            let cx = cx!(state);
            match pane {
                $($(#[$meta])* Pane::$id => state.$field.on_action(&cx, action),)*
            }
        }

        /// Tells `pane` the live listener's news.
        pub fn on_live(state: &mut State, pane: Pane, signal: &LiveSignal) -> Reply {
            let cx = cx!(state);
            match pane {
                $($(#[$meta])* Pane::$id => state.$field.on_live(&cx, signal),)*
            }
        }

        impl PaneModal {
            pub fn context(&self) -> Context {
                match self { $($(#[$meta])* PaneModal::$id(m) => <$ty as PaneKind>::modal_context(m),)* }
            }

            pub fn scroll(&mut self) -> Option<&mut u16> {
                match self { $($(#[$meta])* PaneModal::$id(m) => <$ty as PaneKind>::modal_scroll(m),)* }
            }
        }

        /// Text typed into the pane modal on top, if one is.
        pub fn modal_input(state: &mut State, request: InputRequest) {
            match state.overlays.last_mut() {
                $($(#[$meta])* Some(Overlay::Pane(PaneModal::$id(m))) => state.$field.modal_input(m, request),)*
                _ => {}
            }
        }

        /// Enter in the pane modal on top.
        pub fn submit(state: &mut State) -> Submit {
            match state.overlays.last() {
                $($(#[$meta])* Some(Overlay::Pane(PaneModal::$id(m))) => state.$field.submit(m),)*
                _ => Submit::Ignore,
            }
        }

        /// Esc closed a pane's modal.
        pub fn closed(state: &mut State, modal: PaneModal) {
            match modal { $($(#[$meta])* PaneModal::$id(m) => state.$field.closed(m),)* }
        }

        /// What a message that waits for the launch name does, in the modal's words.
        pub fn confirm(msg: &PaneMsg) -> Option<String> {
            match msg { $($(#[$meta])* PaneMsg::$id(m) => <$ty as PaneKind>::confirm(m),)* }
        }

        /// Draws the pane in front into the body.
        pub fn render(state: &State, view: &View, frame: &mut Frame, area: Rect) {
            match state.pane { $($(#[$meta])* Pane::$id => state.$field.render(view, frame, area),)* }
        }

        /// Draws a pane's modal over the body.
        pub fn render_modal(state: &State, view: &View, modal: &PaneModal, frame: &mut Frame, area: Rect) {
            match modal {
                $($(#[$meta])* PaneModal::$id(m) => state.$field.render_modal(view, m, frame, area),)*
            }
        }

        /// The commands a pane's footer offers in a context, with its words for them; `None`:
        /// the context's shared footer.
        pub fn footer(pane: Pane, context: Context) -> Option<&'static [(Command, &'static str)]> {
            match (pane, context) {
                $($(#[$meta])* (Pane::$id, Context::Cockpit) => Some(<$ty as PaneKind>::FOOTER),)*
                $($(#[$meta])* (Pane::$id, Context::Detail) => <$ty as PaneKind>::DETAIL_FOOTER,)*
                _ => None,
            }
        }

        /// Starts a pane's job (the runner forwards them here).
        pub fn run(job: PaneJob, jobs: &mut Jobs) {
            match job { $($(#[$meta])* PaneJob::$id(job) => <$ty as PaneKind>::run(job, jobs),)* }
        }
    };
}

/// What a pane may read while it handles something, from the state's shared fields.
macro_rules! cx {
    ($state:expr) => {
        Cx {
            now: $state.now,
            board: &$state.board,
            specs: &$state.specs,
            keymap: &$state.keymap,
            operator: &$state.operator,
            shown: $state.pane,
            body: layout::cockpit(Rect::new(0, 0, $state.size.0, $state.size.1)).body,
            terminal_height: $state.size.1,
        }
    };
}

panes! {
    gates: Gates(gates::GatesPane),
    timeline: Timeline(timeline::Timeline),
    cohort: Cohort(cohort::CohortPane),
    dispatch: Dispatch(dispatch::DispatchPane),
    checklist: Checklist(checklist::ChecklistPane),
    #[cfg(test)]
    toy: Toy(toy::ToyPane),
}

#[cfg(test)]
pub mod toy;

impl Pane {
    /// Its number key (`1`…), as the tabs row shows it.
    pub fn number(self) -> usize {
        Pane::ALL
            .iter()
            .position(|p| *p == self)
            .map_or(0, |i| i + 1)
    }
}

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
