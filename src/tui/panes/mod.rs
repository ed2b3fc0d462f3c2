//! The panes, and the one place each is registered ([`panes!`] below): a pane is a folder
//! `panes/<name>/` with its state, its own messages, modals and jobs, its keys, `:` commands
//! and footer, and the entry points of [`PaneKind`] (`tui::pane`). A pane changes only its own
//! state and speaks only its own types and the shared vocabulary below it; what it wants from
//! the rest of the cockpit it returns in its reply, which this registry lifts into the
//! cockpit's types ([`PaneMsg`], [`PaneModal`], [`PaneJob`]).
//!
//! A new pane: its folder, its id in `kit::Pane`, and one line in `panes!` (which gives it its
//! place in `State::panes`).

pub mod checklist;
pub mod cohort;
pub mod dispatch;
pub mod gates;
pub mod timeline;

use super::jobs::{Jobs, Replier, Setup, Tasks};
use super::keys::{Bound, Context, Info, Row};
pub use super::kit::Pane;
use super::kit::{Command, View};
use super::layout;
use super::message::{Action, Effect};
use super::overlay::Overlay;
pub use super::pane::{
    Cx, GATE_LIST_FOOTER, PaletteRow, PaneKind, PaneTypes, Start, movement, step,
};
use super::state::State;
use crate::journal::LiveSignal;
use ratatui::Frame;
use ratatui::layout::Rect;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tui_input::InputRequest;

/// The cockpit's types as a pane's: every pane's messages, modals and jobs.
pub struct AnyPane;

impl PaneTypes for AnyPane {
    type Msg = PaneMsg;
    type Modal = PaneModal;
    type Job = PaneJob;
}

/// A pane's reply, lifted into the cockpit's types.
pub type Reply = super::pane::Reply<AnyPane>;
/// Enter in a pane's modal, lifted into the cockpit's types.
pub type Submit = super::pane::Submit<AnyPane>;

/// Registers the panes, one line each: `field: Id(Type)` (`field` is the pane's state in
/// [`Panes`], `Id` its [`Pane`] id, `Type` its [`PaneKind`]). Generates the wrappers the
/// cockpit's types carry ([`PaneMsg`], [`PaneModal`], [`PaneJob`]) and the forwarding below,
/// which lifts each pane's answers into them.
macro_rules! panes {
    ($($(#[$meta:meta])* $field:ident: $id:ident($ty:ty)),* $(,)?) => {
        /// Every pane's own state; only its update changes it (and the shared text-entry
        /// views through its setters).
        #[derive(Debug, Clone)]
        pub struct Panes { $($(#[$meta])* pub $field: $ty,)* }

        impl Panes {
            /// Each pane as the cockpit starts.
            pub fn start(start: &Start) -> Panes {
                Panes { $($(#[$meta])* $field: <$ty as PaneKind>::start(start),)* }
            }
        }

        impl Pane {
            pub const ALL: &'static [Pane] = &[$($(#[$meta])* Pane::$id),*];

            pub fn title(self) -> &'static str {
                match self { $($(#[$meta])* Pane::$id => <$ty as PaneKind>::TITLE),* }
            }
        }

        /// A pane's own message, as the cockpit's [`Action`] carries it.
        #[derive(Debug, Clone)]
        pub enum PaneMsg { $($(#[$meta])* $id(<$ty as PaneTypes>::Msg)),* }
        /// A pane's modal, as the cockpit's [`Overlay`] carries it.
        #[derive(Debug, Clone)]
        pub enum PaneModal { $($(#[$meta])* $id(<$ty as PaneTypes>::Modal)),* }
        /// A pane's job, as the cockpit's [`Effect`] carries it.
        #[derive(Debug, Clone, PartialEq)]
        pub enum PaneJob { $($(#[$meta])* $id(<$ty as PaneTypes>::Job)),* }

        impl PaneJob {
            /// Whether the job changes the launch ([`PaneKind::writes`]).
            pub fn writes(&self) -> bool {
                match self { $($(#[$meta])* PaneJob::$id(job) => <$ty as PaneKind>::writes(job),)* }
            }
        }

        $(
            $(#[$meta])*
            impl From<<$ty as PaneTypes>::Msg> for Action<PaneMsg> {
                fn from(msg: <$ty as PaneTypes>::Msg) -> Action<PaneMsg> {
                    Action::Pane(PaneMsg::$id(msg))
                }
            }
            $(#[$meta])*
            impl From<<$ty as PaneTypes>::Modal> for Overlay<PaneModal, Action<PaneMsg>> {
                fn from(modal: <$ty as PaneTypes>::Modal) -> Overlay<PaneModal, Action<PaneMsg>> {
                    Overlay::Pane(PaneModal::$id(modal))
                }
            }
            $(#[$meta])*
            impl From<<$ty as PaneTypes>::Job> for Effect<PaneJob> {
                fn from(job: <$ty as PaneTypes>::Job) -> Effect<PaneJob> {
                    Effect::Pane(PaneJob::$id(job))
                }
            }
            $(#[$meta])*
            impl Bound<Action<PaneMsg>> for Row<Action<<$ty as PaneTypes>::Msg>> {
                fn info(&self) -> &Info {
                    &self.info
                }

                fn action(&self) -> Action<PaneMsg> {
                    (self.action)().map(PaneMsg::$id)
                }
            }
        )*

        /// Hands a pane its own message; the reply (and the pane, to bring to the front) is
        /// the caller's to apply.
        pub fn update(state: &mut State, msg: PaneMsg) -> (Pane, Reply) {
            let cx = cx!(state);
            match msg {
                $($(#[$meta])* PaneMsg::$id(msg) => {
                    (Pane::$id, lift!($id, state.panes.$field.update(&cx, msg)))
                })*
            }
        }

        /// Hands `pane` a shared action (a pane's own message is not one: `update` takes it).
        pub fn on_action(state: &mut State, pane: Pane, action: Action<PaneMsg>) -> Reply {
            let cx = cx!(state);
            match pane {
                $($(#[$meta])* Pane::$id => match action.shared() {
                    Ok(action) => lift!($id, state.panes.$field.on_action(&cx, action)),
                    Err(_) => Reply::unhandled(),
                },)*
            }
        }

        /// Tells `pane` the live listener's news.
        pub fn on_live(state: &mut State, pane: Pane, signal: &LiveSignal) -> Reply {
            let cx = cx!(state);
            match pane {
                $($(#[$meta])* Pane::$id => lift!($id, state.panes.$field.on_live(&cx, signal)),)*
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
                $($(#[$meta])* Some(Overlay::Pane(PaneModal::$id(m))) => state.panes.$field.modal_input(m, request),)*
                _ => {}
            }
        }

        /// Enter in the pane modal on top.
        pub fn submit(state: &mut State) -> Submit {
            match state.overlays.last() {
                $($(#[$meta])* Some(Overlay::Pane(PaneModal::$id(m))) => {
                    state.panes.$field.submit(m).lift(PaneMsg::$id)
                })*
                _ => Submit::Ignore,
            }
        }

        /// Esc closed a pane's modal.
        pub fn closed(state: &mut State, modal: PaneModal) {
            match modal { $($(#[$meta])* PaneModal::$id(m) => state.panes.$field.closed(m),)* }
        }

        /// What a message that waits for the launch name does, in the modal's words.
        pub fn confirm(msg: &PaneMsg) -> Option<String> {
            match msg { $($(#[$meta])* PaneMsg::$id(m) => <$ty as PaneKind>::confirm(m),)* }
        }

        /// Draws the pane in front into the body.
        pub fn render(state: &State, view: &View, frame: &mut Frame, area: Rect) {
            match state.pane { $($(#[$meta])* Pane::$id => state.panes.$field.render(view, frame, area),)* }
        }

        /// Draws a pane's modal over the body.
        pub fn render_modal(state: &State, view: &View, modal: &PaneModal, frame: &mut Frame, area: Rect) {
            match modal {
                $($(#[$meta])* PaneModal::$id(m) => state.panes.$field.render_modal(view, m, frame, area),)*
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

        /// Every pane's own keys, in tab order, running the cockpit's actions.
        pub fn key_rows() -> impl Iterator<Item = &'static dyn Bound<Action<PaneMsg>>> {
            let mut all: Vec<&'static dyn Bound<Action<PaneMsg>>> = Vec::new();
            $(
                $(#[$meta])*
                all.extend(
                    <$ty as PaneKind>::KEYS
                        .iter()
                        .map(|r| r as &'static dyn Bound<Action<PaneMsg>>),
                );
            )*
            all.into_iter()
        }

        /// Each pane's `:` commands.
        pub fn palette_rows(pane: Pane) -> &'static [PaletteRow] {
            match pane { $($(#[$meta])* Pane::$id => <$ty as PaneKind>::PALETTE,)* }
        }

        /// A `:` line one pane owns: its word is one of the pane's, or the pane's number.
        /// `None`: no pane's.
        pub fn palette(word: &str, arg: &str) -> Option<Result<Action<PaneMsg>, String>> {
            $(
                $(#[$meta])*
                {
                    let pane = Pane::$id;
                    if palette_words(pane).any(|w| w == word) || word == pane.number().to_string() {
                        return Some(match <$ty as PaneKind>::palette(word, arg) {
                            Some(answer) => answer.map(|a| a.map(PaneMsg::$id)),
                            None => Ok(Action::ShowPane(pane)),
                        });
                    }
                }
            )*
            None
        }

        /// Starts a pane's job (the runner forwards them here), its answers wrapped on their
        /// way back.
        pub fn run(
            job: PaneJob,
            setup: &Setup,
            tasks: &mut Tasks,
            long_run: &mut Option<CancellationToken>,
            actions: &mpsc::UnboundedSender<Action<PaneMsg>>,
        ) {
            match job {
                $($(#[$meta])* PaneJob::$id(job) => {
                    let to = actions.clone();
                    let actions = Replier::new(move |a: Action<<$ty as PaneTypes>::Msg>| {
                        to.send(a.map(PaneMsg::$id)).is_ok()
                    });
                    let mut jobs = Jobs { setup, tasks, long_run, actions };
                    <$ty as PaneKind>::run(job, &mut jobs)
                })*
            }
        }
    };
}

/// A pane's reply in the cockpit's types.
macro_rules! lift {
    ($id:ident, $reply:expr) => {
        $reply.lift::<AnyPane>(PaneMsg::$id, PaneModal::$id, PaneJob::$id)
    };
}

/// What a pane may read while it handles something, from the state's shared fields.
macro_rules! cx {
    ($state:expr) => {
        Cx {
            now: $state.now,
            board: &$state.board,
            specs: &$state.specs,
            keys: &$state.keymap,
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

/// The words that call a pane's `:` commands: its own, or its title in lower case.
pub fn palette_words(pane: Pane) -> impl Iterator<Item = String> {
    let own = palette_rows(pane);
    let default = own.is_empty().then(|| pane.title().to_lowercase());
    own.iter()
        .flat_map(|row| row.words.iter().map(|w| (*w).to_owned()))
        .chain(default)
}

/// Whether a `:` word calls a pane's command that changes the launch.
pub fn palette_writes(word: &str) -> bool {
    Pane::ALL.iter().any(|&pane| {
        palette_rows(pane)
            .iter()
            .any(|row| row.writes && row.words.contains(&word))
    })
}

/// The `:` commands the panes offer, as the help lists them: each pane's rows in tab order,
/// or `:<title>` for a pane with none; `read_only` leaves out those that change the launch.
pub fn palette_help(read_only: bool) -> Vec<(String, String)> {
    Pane::ALL
        .iter()
        .flat_map(|&pane| {
            let own = palette_rows(pane);
            let rows: Vec<(String, String)> = if own.is_empty() {
                let name = pane.title().to_lowercase();
                vec![(format!(":{name}"), format!("show the {name} pane"))]
            } else {
                let rows = own.iter().filter(|row| !(read_only && row.writes));
                rows.map(|row| (row.usage.to_owned(), row.help.to_owned()))
                    .collect()
            };
            rows
        })
        .collect()
}

impl Pane {
    /// Its number key (`1`…), as the tabs row shows it.
    pub fn number(self) -> usize {
        Pane::ALL
            .iter()
            .position(|p| *p == self)
            .map_or(0, |i| i + 1)
    }
}
