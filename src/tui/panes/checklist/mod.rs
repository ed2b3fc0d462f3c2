//! The Checklist pane's state: the checklist file, the decision call's shared state (ticks,
//! roll call, newest decision) and the rows derived from them, recomputed when the data, the
//! open-items filter, the gates or the minute change, never per frame; plus which items have
//! already rung the overdue bell.

pub mod effects;
pub mod render;
pub mod update;

use crate::checklist::{Checklist, ChecklistView, ItemState, ItemView};
use crate::config::DecisionSettings;
use crate::decision::{CallState, RollCall};
use crate::gate::{Board, GateState};
use crate::journal::LiveSignal;
use crate::tui::jobs::Jobs;
use crate::tui::keys::{COCKPIT, SAFE, WRITES};
use crate::tui::kit::Command;
use crate::tui::kit::View;
use crate::tui::pane::{Cx, PaletteRow, PaneKind, PaneTypes};
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use std::collections::HashSet;
use std::sync::Arc;
use tui_input::{Input, InputRequest};

/// This pane's own keys: free in the other panes.
const HERE: crate::tui::keys::Panes =
    crate::tui::keys::Panes::Only(&[crate::tui::kit::Pane::Checklist]);
crate::tui::keys::commands! { KEYS:
    Tick = "tick", ["space"], WRITES, COCKPIT, HERE,
        "tick the checklist item (optional note)" => Msg::StartTick.into();
    Untick = "untick", ["u"], WRITES, COCKPIT, HERE,
        "untick the checklist item (reason required)" => Msg::StartUntick.into();
    OpenItems = "open_items", ["o"], SAFE, COCKPIT, HERE,
        "checklist: only the items not done / all" => Msg::ToggleOpenItems.into();
    Vote = "vote", ["v"], WRITES, COCKPIT, HERE,
        "vote GO / NO-GO for a role" => Msg::StartVote(String::new()).into();
    Decide = "decide", ["D"], WRITES, COCKPIT, HERE,
        "freeze the decision once every role voted" => Msg::StartDecide(String::new()).into();
}

/// What only the Checklist pane handles.
#[derive(Debug, Clone)]
pub enum Msg {
    /// The checklist file was read (at start, `:checklist reload`), or why it could not be.
    ChecklistLoaded(Result<Arc<Checklist>, String>),
    /// The decision call's shared state (ticks, roll call, newest decision), or why not.
    CallLoaded(Result<CallState, String>),
    /// Read the checklist file again (`:checklist reload`).
    ReloadChecklist,
    /// A tick, vote or decision was written somewhere: read the shared state again.
    RefreshCall,
    /// Tick the selected item (`Space`: asks for an optional note).
    StartTick,
    /// Untick the selected item (`u`: asks for the reason).
    StartUntick,
    /// Show only the items not done yet, or all again (`o`).
    ToggleOpenItems,
    /// Vote in the roll call (`v`, `:vote …`): asks for `go|no-go ROLE[: note]`, starting
    /// from this text.
    StartVote(String),
    /// Ask to freeze the decision (`D`, `:decide [REASON]`): Enter in its modal freezes, a
    /// reason typed there overrides the gates.
    StartDecide(String),
    /// Tick the item with this key, with an optional note.
    TickItem { key: String, note: String },
    /// Untick the item with this key, with the reason.
    UntickItem { key: String, reason: String },
    /// A vote as typed (`go tech lead`, `no-go on-call engineer: db lag`; `:vote …`).
    CastVote(String),
    /// Freeze the decision (Enter in the decide modal; a reason overrides the gates).
    Decide { override_reason: Option<String> },
    /// A tick, vote or freeze was written (what to say) or refused (why).
    CallWritten(Result<String, String>),
}

/// The decision call's modals.
#[derive(Debug, Clone)]
pub enum Modal {
    /// Typing the optional note of a tick (the item's key).
    TickNote { key: String, input: Input },
    /// Typing the reason for taking a tick back.
    UntickReason { key: String, input: Input },
    /// Typing a vote: `go|no-go ROLE[: note]`.
    Vote(Input),
    /// Asking to freeze the decision; a reason typed here overrides the gates.
    Decide(Input),
}

/// The pane's I/O ([`effects::run`]), stamped with the runner's clock.
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    /// Read and parse the checklist file.
    LoadChecklist,
    /// Read the decision call's shared state.
    LoadCall,
    /// Tick (`ticked`, optional note) or untick (reason) an item.
    WriteTick {
        item: Box<crate::checklist::Item>,
        ticked: bool,
        note: Option<String>,
        current: Option<Box<crate::checklist::Tick>>,
    },
    /// Cast a vote for a configured role.
    WriteVote {
        role: String,
        vote: crate::decision::VoteChoice,
        note: Option<String>,
    },
    /// Freeze the decision on this evidence (the gates and checklist as the cockpit shows them).
    Freeze {
        evidence: crate::decision::Evidence,
        override_reason: Option<String>,
    },
}

impl PaneTypes for ChecklistPane {
    type Msg = Msg;
    type Modal = Modal;
    type Job = Job;
}

/// The shared vocabulary in this pane's words (`crate::tui::message`, `crate::tui::pane`).
pub type Action = crate::tui::message::Action<Msg>;
pub type Effect = crate::tui::message::Effect<Job>;
pub type Overlay = crate::tui::overlay::Overlay<Modal, Action>;
pub type Reply = crate::tui::pane::Reply<ChecklistPane>;
pub type Submit = crate::tui::pane::Submit<ChecklistPane>;

impl PaneKind for ChecklistPane {
    const TITLE: &'static str = "Checklist";
    const FOOTER: &'static [(Command, &'static str)] = FOOTER;
    const KEYS: &'static [crate::tui::keys::Row<Action>] = KEYS;
    const PALETTE: &'static [PaletteRow] = &[
        PaletteRow {
            words: &["checklist"],
            usage: ":checklist",
            help: "show the checklist pane (:checklist reload re-reads the file)",
            writes: false,
        },
        PaletteRow {
            words: &["vote"],
            usage: ":vote",
            help: "+ go|no-go ROLE[: note]: vote in the roll call",
            writes: true,
        },
        PaletteRow {
            words: &["decide"],
            usage: ":decide [REASON]",
            help: "freeze the decision (a reason overrides the gates)",
            writes: true,
        },
    ];

    fn start(start: &crate::tui::pane::Start) -> Self {
        ChecklistPane::new(
            start.config.checklist_path.is_some(),
            start.config.raw.decision.clone(),
            start.config.launch().decision_at,
            start.database(),
            start.config.raw.alerts.bell,
        )
    }

    fn palette(word: &str, arg: &str) -> Option<Result<Action, String>> {
        match word {
            "vote" => Some(Ok(Msg::StartVote(arg.to_owned()).into())),
            "decide" => Some(Ok(Msg::StartDecide(arg.to_owned()).into())),
            _ if arg == "reload" => Some(Ok(Msg::ReloadChecklist.into())),
            _ => None,
        }
    }

    fn update(&mut self, cx: &Cx, msg: Msg) -> Reply {
        update::on_msg(self, cx, msg)
    }

    fn on_action(&mut self, cx: &Cx, action: Action) -> Reply {
        update::update(self, cx, action)
    }

    fn on_live(&mut self, cx: &Cx, signal: &LiveSignal) -> Reply {
        if update::is_call_news(signal) {
            update::on_msg(self, cx, Msg::RefreshCall)
        } else {
            Reply::quiet()
        }
    }

    fn modal_input(&mut self, modal: &mut Modal, request: InputRequest) {
        match modal {
            Modal::TickNote { input, .. }
            | Modal::UntickReason { input, .. }
            | Modal::Vote(input)
            | Modal::Decide(input) => {
                input.handle(request);
            }
        }
    }

    fn submit(&mut self, modal: &Modal) -> Submit {
        let msg = match modal.clone() {
            Modal::TickNote { key, input } => Msg::TickItem {
                key,
                note: input.value().to_owned(),
            },
            Modal::UntickReason { key, input } => Msg::UntickItem {
                key,
                reason: input.value().to_owned(),
            },
            Modal::Vote(input) => Msg::CastVote(input.value().to_owned()),
            Modal::Decide(input) => Msg::Decide {
                override_reason: Some(input.value().to_owned()),
            },
        };
        Submit::CloseAndRun(msg.into())
    }

    fn confirm(msg: &Msg) -> Option<String> {
        let what = match msg {
            Msg::TickItem { .. } => "tick the checklist item",
            Msg::UntickItem { .. } => "untick the checklist item",
            Msg::CastVote(_) => "cast the vote",
            Msg::Decide { .. } => "freeze the decision",
            _ => return None,
        };
        Some(what.to_owned())
    }

    fn render(&self, view: &View, frame: &mut Frame, area: Rect) {
        render::render(self, view, frame, area)
    }

    fn render_modal(&self, view: &View, modal: &Modal, frame: &mut Frame, area: Rect) {
        render::modal(self, view, frame, area, modal)
    }

    fn run(job: Job, jobs: &mut Jobs<Msg>) {
        effects::run(job, jobs)
    }

    fn writes(job: &Job) -> bool {
        match job {
            Job::LoadChecklist | Job::LoadCall => false,
            Job::WriteTick { .. } | Job::WriteVote { .. } | Job::Freeze { .. } => true,
        }
    }
}

/// What the footer offers in this pane.
pub const FOOTER: &[(Command, &str)] = &[
    (Command::Help, "help"),
    (Command::Tick, "tick"),
    (Command::Untick, "untick"),
    (Command::OpenItems, "open only"),
    (Command::Vote, "vote"),
    (Command::Decide, "freeze"),
    (Command::Open, "gate"),
    (Command::ScreenShare, "share"),
    (Command::Quit, "quit"),
];

/// How often the shared state is read again when no live news comes (the listener being down).
pub const REFRESH_EVERY: chrono::TimeDelta = chrono::TimeDelta::seconds(30);

/// Where the checklist file stands.
#[derive(Debug, Clone)]
pub enum FileState {
    /// No `[checklist]` in the config.
    NotConfigured,
    Loading,
    Loaded(Arc<Checklist>),
    /// Missing, not UTF-8, a bad binding: the message names the file and line.
    Failed(String),
}

/// One row of the list: a section's header or an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Section(usize),
    Item { section: usize, item: usize },
}

#[derive(Debug, Clone)]
pub struct ChecklistPane {
    pub file: FileState,
    /// `None` until first read (or without a database).
    pub call: Option<CallState>,
    pub call_error: Option<String>,
    pub view: Option<ChecklistView>,
    pub rows: Vec<Row>,
    pub selected: usize,
    pub only_open: bool,
    pub settings: DecisionSettings,
    pub decision_at: Option<DateTime<Utc>>,
    /// There is a database: ticks and votes are shared.
    pub shared: bool,
    pub bell: bool,
    /// Keys of the items that were overdue at the last recompute (each rings once).
    overdue: HashSet<String>,
    /// The overdue set has been seeded (items overdue at start do not ring).
    seeded: bool,
    pub last_read: Option<DateTime<Utc>>,
    /// A read of the shared state is under way.
    pub reading: bool,
    /// The file has been asked for (once at start; `:checklist reload` asks again).
    pub file_asked: bool,
    /// How often the rows were derived (tests watch it).
    pub recomputations: u64,
}

impl ChecklistPane {
    pub fn new(
        configured: bool,
        settings: DecisionSettings,
        decision_at: Option<DateTime<Utc>>,
        shared: bool,
        bell: bool,
    ) -> ChecklistPane {
        ChecklistPane {
            file: if configured {
                FileState::Loading
            } else {
                FileState::NotConfigured
            },
            call: None,
            call_error: None,
            view: None,
            rows: Vec::new(),
            selected: 0,
            only_open: false,
            settings,
            decision_at,
            shared,
            bell,
            overdue: HashSet::new(),
            seeded: false,
            last_read: None,
            reading: false,
            file_asked: false,
            recomputations: 0,
        }
    }

    pub fn checklist(&self) -> Option<&Arc<Checklist>> {
        match &self.file {
            FileState::Loaded(c) => Some(c),
            _ => None,
        }
    }

    /// The roll call of the round under way.
    pub fn roll_call(&self) -> RollCall {
        let (round, votes) = match &self.call {
            Some(call) => (call.round, call.votes.as_slice()),
            None => (1, &[][..]),
        };
        RollCall::new(&self.settings, round, votes)
    }

    /// Derives the view and rows again; returns whether an item has newly turned overdue.
    pub fn recompute(&mut self, board: &Board, now: DateTime<Utc>) -> bool {
        let Some(checklist) = self.checklist().cloned() else {
            self.view = None;
            self.rows.clear();
            return false;
        };
        self.recomputations += 1;
        let ticks = self
            .call
            .as_ref()
            .map(|c| c.ticks.as_slice())
            .unwrap_or(&[]);
        let state = |gate: &str| board.get(gate).map_or(GateState::Unknown, |g| g.state);
        let view = crate::checklist::view(&checklist, ticks, state, self.decision_at, now);
        let overdue: HashSet<String> = view
            .items()
            .filter(|i| i.state == ItemState::Overdue)
            .map(|i| i.key.clone())
            .collect();
        let turned = self.seeded && overdue.iter().any(|k| !self.overdue.contains(k));
        self.overdue = overdue;
        self.seeded = true;
        let mut rows = Vec::new();
        for (s, section) in view.sections.iter().enumerate() {
            let items: Vec<usize> = section
                .items
                .iter()
                .enumerate()
                .filter(|(_, i)| !self.only_open || !i.state.is_done())
                .map(|(i, _)| i)
                .collect();
            if self.only_open && items.is_empty() {
                continue;
            }
            rows.push(Row::Section(s));
            rows.extend(items.into_iter().map(|item| Row::Item { section: s, item }));
        }
        self.rows = rows;
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        self.view = Some(view);
        turned
    }

    /// The item on the selected row.
    pub fn selected_item(&self) -> Option<&ItemView> {
        match self.rows.get(self.selected)? {
            Row::Item { section, item } => {
                self.view.as_ref()?.sections.get(*section)?.items.get(*item)
            }
            Row::Section(_) => None,
        }
    }

    pub fn tick_of(&self, key: &str) -> Option<&crate::checklist::Tick> {
        self.call.as_ref()?.ticks.iter().find(|t| t.item_key == key)
    }
}
