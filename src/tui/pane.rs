//! What a pane is ([`PaneKind`]) and what it may use: [`Cx`] (what it reads of the rest of the
//! cockpit), [`Reply`] (what it hands back), [`Submit`], its `:` rows ([`PaletteRow`]) and list
//! movement. Everything here is generic over the pane's own types, so a pane depends on this
//! module and the shared vocabulary below it ([`super::message`], [`super::overlay`],
//! [`super::keys`], [`super::jobs`], [`super::kit`]), never on the registry, the cockpit's
//! state or another pane. The registry (`panes`) lifts a pane's replies into the cockpit's.

use super::jobs::Jobs;
use super::keys::{Context, Row};
use super::kit::{Command, KeyNames, Level, Pane, View};
use super::message::{Action, Effect};
use super::overlay::Overlay;
use crate::gate::{Board, GateSpec};
use crate::journal::LiveSignal;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use tui_input::InputRequest;

/// The types a pane speaks: its own messages, modals and jobs.
pub trait PaneTypes {
    /// What only this pane handles (its keys' intents, its jobs' answers).
    type Msg: std::fmt::Debug + Clone + 'static;
    /// The views it opens over the panes.
    type Modal: std::fmt::Debug + Clone;
    /// Its I/O, for the runner.
    type Job: std::fmt::Debug + Clone + PartialEq;
}

/// What a pane is: its types and the entry points the cockpit calls. Every entry point but
/// `update`, `render` and `run` has a do-nothing default.
pub trait PaneKind: PaneTypes + Sized {
    /// Its name on the tabs row.
    const TITLE: &'static str;
    /// What its footer offers, in its words.
    const FOOTER: &'static [(Command, &'static str)];
    /// Its footer over a view it opened (a row's detail), if not the shared one.
    const DETAIL_FOOTER: Option<&'static [(Command, &'static str)]> = None;
    /// Its own remappable keys (`commands!`), in the order the help lists them.
    const KEYS: &'static [Row<Action<Self::Msg>>] = &[];
    /// Its `:` commands, for the help and completion. Without any, the palette offers
    /// `:<title>` to show the pane.
    const PALETTE: &'static [PaletteRow] = &[];

    /// Its state when the cockpit starts.
    fn start(start: &Start) -> Self;
    /// One of its own messages.
    fn update(&mut self, cx: &Cx, msg: Self::Msg) -> Reply<Self>;
    /// A shared action: the clock (every pane hears it), or a key for the pane in front
    /// (moving, opening, clicks, `/`, `r`). [`Reply::unhandled`]: the cockpit's default.
    fn on_action(&mut self, cx: &Cx, action: Action<Self::Msg>) -> Reply<Self> {
        let _ = (cx, action);
        Reply::unhandled()
    }
    /// The live listener's news (every pane hears it).
    fn on_live(&mut self, cx: &Cx, signal: &LiveSignal) -> Reply<Self> {
        let _ = (cx, signal);
        Reply::quiet()
    }
    /// A `:` line whose first word is one of its [`Self::PALETTE`] words (or its number): the
    /// action it means, or why the line is refused. `None`: the word alone shows the pane.
    fn palette(word: &str, arg: &str) -> Option<Result<Action<Self::Msg>, String>> {
        let _ = (word, arg);
        None
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
    fn submit(&mut self, modal: &Self::Modal) -> Submit<Self> {
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
    /// Starts one of its jobs (the runner's clock, tasks and services in `jobs`; its answers
    /// go back through `jobs.actions`).
    fn run(job: Self::Job, jobs: &mut Jobs<Self::Msg>);
    /// Whether a job changes the launch (writes to the database, sends mail): a read-only
    /// cockpit never runs one. No default: every pane answers for each of its jobs.
    fn writes(job: &Self::Job) -> bool;
}

/// One `:` command a pane offers: the words that call it (the first is completed), and how
/// the help shows it.
#[derive(Debug)]
pub struct PaletteRow {
    pub words: &'static [&'static str],
    pub usage: &'static str,
    pub help: &'static str,
    /// Changes the launch: a read-only cockpit leaves it out of the help and refuses it.
    pub writes: bool,
}

/// What Enter in a pane's modal does.
pub enum Submit<K: PaneTypes> {
    /// Nothing: Enter means nothing in this modal.
    Ignore,
    /// Close it: what was typed is already applied.
    Close,
    /// Keep it open, saying why.
    Refuse(String),
    /// Run this message (production asks the launch name first); the modal stays under it
    /// until the pane's reply closes it.
    Run(Action<K::Msg>),
    /// Close it, then run this (the pane reopens it, text kept, if it refuses the entry).
    CloseAndRun(Action<K::Msg>),
}

impl<K: PaneTypes> Submit<K> {
    /// The same answer in another pane's words (the registry's lift).
    pub fn lift<L: PaneTypes>(self, msg: impl Fn(K::Msg) -> L::Msg) -> Submit<L> {
        match self {
            Submit::Ignore => Submit::Ignore,
            Submit::Close => Submit::Close,
            Submit::Refuse(why) => Submit::Refuse(why),
            Submit::Run(action) => Submit::Run(action.map(msg)),
            Submit::CloseAndRun(action) => Submit::CloseAndRun(action.map(msg)),
        }
    }
}

/// What a pane starts from: the config as loaded and the first board.
pub struct Start<'a> {
    pub config: &'a crate::config::Config,
    pub board: &'a Board,
}

impl Start<'_> {
    /// The launch has a database: shared journal, ledger and decision call.
    pub fn database(&self) -> bool {
        self.config.raw.postgres.is_some()
    }
}

/// What a pane may read of the rest of the cockpit while it handles an action.
pub struct Cx<'a> {
    pub now: DateTime<Utc>,
    pub board: &'a Board,
    pub specs: &'a [GateSpec],
    /// The keys commands are on, for messages that name one.
    pub keys: &'a dyn KeyNames,
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
pub struct Reply<K: PaneTypes> {
    /// Work for the event loop.
    pub effects: Vec<Effect<K::Job>>,
    /// News for the rest of the cockpit (another pane, the shared state), applied next.
    pub then: Vec<Action<K::Msg>>,
    /// A message for the footer.
    pub say: Option<(Level, String)>,
    /// A view to open over the panes.
    pub open: Option<Overlay<K::Modal, Action<K::Msg>>>,
    /// Close the view on top (the pane's modal, once it took its input).
    pub close: bool,
    /// Bring this pane to the front.
    pub show: bool,
    /// Not this pane's business: the cockpit's default applies.
    pub unhandled: bool,
    /// Nothing visible changed.
    pub quiet: bool,
}

impl<K: PaneTypes> Default for Reply<K> {
    fn default() -> Reply<K> {
        Reply {
            effects: Vec::new(),
            then: Vec::new(),
            say: None,
            open: None,
            close: false,
            show: false,
            unhandled: false,
            quiet: false,
        }
    }
}

impl<K: PaneTypes> std::fmt::Debug for Reply<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("effects", &self.effects)
            .field("then", &self.then)
            .field("say", &self.say)
            .field("open", &self.open)
            .field("close", &self.close)
            .field("show", &self.show)
            .field("unhandled", &self.unhandled)
            .field("quiet", &self.quiet)
            .finish()
    }
}

impl<K: PaneTypes> Reply<K> {
    pub fn say(level: Level, text: impl Into<String>) -> Reply<K> {
        Reply {
            say: Some((level, text.into())),
            ..Reply::default()
        }
    }

    pub fn open(overlay: Overlay<K::Modal, Action<K::Msg>>) -> Reply<K> {
        Reply {
            open: Some(overlay),
            ..Reply::default()
        }
    }

    pub fn quiet() -> Reply<K> {
        Reply {
            quiet: true,
            ..Reply::default()
        }
    }

    pub fn unhandled() -> Reply<K> {
        Reply {
            unhandled: true,
            quiet: true,
            ..Reply::default()
        }
    }

    /// The same reply in another pane's words: how the registry turns a pane's reply into the
    /// cockpit's (`msg`, `modal`, `job`: the wrappers of the cockpit's types).
    pub fn lift<L: PaneTypes>(
        self,
        msg: impl Fn(K::Msg) -> L::Msg + Copy,
        modal: impl FnOnce(K::Modal) -> L::Modal,
        job: impl Fn(K::Job) -> L::Job + Copy,
    ) -> Reply<L> {
        Reply {
            effects: self.effects.into_iter().map(|e| e.map(job)).collect(),
            then: self.then.into_iter().map(|a| a.map(msg)).collect(),
            say: self.say,
            open: self.open.map(|o| o.map(modal, |a| a.map(msg))),
            close: self.close,
            show: self.show,
            unhandled: self.unhandled,
            quiet: self.quiet,
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
pub fn movement<P>(action: &Action<P>, page: usize) -> Option<isize> {
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
