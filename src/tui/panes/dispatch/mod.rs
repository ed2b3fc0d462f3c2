//! The Dispatch pane's state: the ledger as last read (batches with their counts, the live log
//! newest first, who is sending), the state filter, this cockpit's own send run, and when the
//! ledger must be read again (another cockpit's send reaches it through the live sync).

pub mod effects;
pub mod render;
pub mod update;

pub use crate::invite::status::{LedgerView as DispatchView, MessageDetail};
use crate::invite::{LedgerRow, RunEnd};
use crate::journal::LiveSignal;
use crate::tui::jobs::Jobs;
use crate::tui::keys::Context;
use crate::tui::keys::{COCKPIT, SAFE, SENDS, WRITES};
use crate::tui::kit::Command;
use crate::tui::kit::View;
use crate::tui::pane::{Cx, PaneKind, PaneTypes};
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use tui_input::{Input, InputRequest};

/// This pane's own keys: free in the other panes.
const HERE: crate::tui::keys::Panes =
    crate::tui::keys::Panes::Only(&[crate::tui::kit::Pane::Dispatch]);
crate::tui::keys::commands! { KEYS:
    StartSend = "start_send", ["s"], SENDS, COCKPIT, HERE,
        "dispatch: start or resume sending (confirm by typing the count)" => Msg::StartSend.into();
    PauseSend = "pause_send", ["p"], WRITES, COCKPIT, HERE,
        "dispatch: pause this cockpit's send run" => Msg::PauseSend.into();
    RetryFailed = "retry_failed", ["F"], SENDS, COCKPIT, HERE,
        "dispatch: put failed messages back to be sent" => Msg::RetryFailed.into();
    ReviewUnknown = "review_unknown", ["u"], SAFE, COCKPIT, HERE,
        "dispatch: review the unknown messages" => Msg::ReviewUnknown.into();
    DispatchFilter = "dispatch_filter", ["f"], SAFE, COCKPIT, HERE,
        "dispatch: next state in the log" => Msg::CycleDispatchFilter.into();
}

pub const FOOTER: &[(Command, &str)] = &[
    (Command::Help, "help"),
    (Command::Open, "message"),
    (Command::StartSend, "send"),
    (Command::PauseSend, "pause"),
    (Command::RetryFailed, "retry failed"),
    (Command::ReviewUnknown, "unknowns"),
    (Command::DispatchFilter, "state"),
    (Command::Quit, "quit"),
];

/// Rows of the log the pane reads (the newest changes); `invites status --batch` has them all.
pub const LOG_ROWS: i64 = 300;
/// The ledger is read at most this often while changes stream in.
pub const RELOAD_EVERY_MS: i64 = 500;

/// Which rows the log shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StateFilter {
    #[default]
    All,
    Pending,
    Sent,
    Failed,
    Unknown,
}

impl StateFilter {
    pub fn next(self) -> StateFilter {
        match self {
            StateFilter::All => StateFilter::Pending,
            StateFilter::Pending => StateFilter::Sent,
            StateFilter::Sent => StateFilter::Failed,
            StateFilter::Failed => StateFilter::Unknown,
            StateFilter::Unknown => StateFilter::All,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            StateFilter::All => "all",
            StateFilter::Pending => "pending",
            StateFilter::Sent => "sent",
            StateFilter::Failed => "failed",
            StateFilter::Unknown => "unknown",
        }
    }
    pub fn keeps(self, state: &str) -> bool {
        match self {
            StateFilter::All => true,
            StateFilter::Pending => matches!(state, "prepared" | "sending"),
            StateFilter::Sent => state == "sent",
            StateFilter::Failed => state == "failed",
            StateFilter::Unknown => state == "unknown",
        }
    }
}

/// This cockpit's own send run.
#[derive(Debug, Clone, PartialEq)]
pub enum OwnRun {
    Idle,
    Running {
        since: DateTime<Utc>,
        sent: u64,
        failed: u64,
        unknown: u64,
        last: Option<String>,
    },
    /// Pause asked: the message in flight finishes first.
    Stopping,
    Ended(Result<RunEnd, String>),
}

/// Progress of a run in this cockpit, as the runner reports it.
#[derive(Debug, Clone)]
pub enum SendNews {
    Started {
        others: usize,
        settled: u64,
    },
    Message {
        email: String,
        state: &'static str,
        detail: String,
    },
    Waiting {
        for_secs: u64,
    },
    Ended(Result<RunEnd, String>),
}

/// What only the Dispatch pane handles.
#[derive(Debug, Clone)]
pub enum Msg {
    /// The ledger as read (batches, log, senders), or why it could not be read.
    DispatchLoaded(Result<Box<DispatchView>, String>),
    /// The ledger changed somewhere (a live notification, a run's news): read it again soon.
    LedgerChanged,
    /// Failed messages were put back to be sent (how many), or why not.
    RetryDone(Result<u64, String>),
    /// Show the next state in the log (all, pending, sent, failed, unknown).
    CycleDispatchFilter,
    /// Show the `unknown` messages, with how to settle them.
    ReviewUnknown,
    /// Ask to start (or resume) sending: the count is typed to confirm.
    StartSend,
    /// Send, confirmed (`count` as typed; production has also typed the launch name).
    SendInvites { batch: Option<String>, count: u64 },
    /// Pause this cockpit's send run after the message in flight.
    PauseSend,
    /// Ask to put the failed messages back to be sent.
    RetryFailed,
    /// Put them back, confirmed.
    RetryFailedConfirmed { count: u64 },
    /// Progress of this cockpit's send run.
    DispatchNews(SendNews),
    /// One message for the detail view (Enter in the pane).
    MessageLoaded(Result<Box<MessageDetail>, String>),
}

/// The pane's I/O ([`effects::run`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    /// Read the ledger for the pane.
    LoadDispatch,
    /// Read one message (its .eml and history) for the detail view.
    LoadMessage(i64),
    /// Start a send run from this cockpit (a long-lived task; progress comes back as
    /// messages).
    StartSend { batch: Option<String> },
    /// Pause this cockpit's send run: the message in flight finishes and is recorded first.
    PauseSend,
    /// Failed messages back to `prepared`.
    RetryFailed,
}

impl PaneTypes for DispatchPane {
    type Msg = Msg;
    type Modal = DispatchModal;
    type Job = Job;
}

/// The shared vocabulary in this pane's words (`crate::tui::message`, `crate::tui::pane`).
pub type Action = crate::tui::message::Action<Msg>;
pub type Effect = crate::tui::message::Effect<Job>;
pub type Overlay = crate::tui::overlay::Overlay<DispatchModal, Action>;
pub type Reply = crate::tui::pane::Reply<DispatchPane>;
pub type Submit = crate::tui::pane::Submit<DispatchPane>;

impl PaneKind for DispatchPane {
    const TITLE: &'static str = "Dispatch";
    const FOOTER: &'static [(Command, &'static str)] = FOOTER;
    const KEYS: &'static [crate::tui::keys::Row<Action>] = KEYS;
    const PALETTE: &'static [crate::tui::pane::PaletteRow] = &[crate::tui::pane::PaletteRow {
        words: &["dispatch", "d"],
        usage: ":dispatch",
        help: "show the dispatch pane",
        writes: false,
    }];

    fn start(start: &crate::tui::pane::Start) -> Self {
        DispatchPane::new(available(start.config))
    }

    fn update(&mut self, cx: &Cx, msg: Msg) -> Reply {
        update::on_msg(self, cx, msg)
    }

    fn on_action(&mut self, cx: &Cx, action: Action) -> Reply {
        update::update(self, cx, action)
    }

    fn on_live(&mut self, cx: &Cx, signal: &LiveSignal) -> Reply {
        // A ledger change, a dispatch line in the journal, or a reconnect (a notification
        // may have been missed): read the ledger again.
        let news = match signal {
            LiveSignal::Journal { id: None, kind } if kind == "ledger" => true,
            LiveSignal::Journal { kind, .. } => {
                kind.starts_with("dispatch") || kind == "invites_prepared"
            }
            LiveSignal::Connected => true,
            LiveSignal::Disconnected(_) => false,
        };
        if news {
            update::on_msg(self, cx, Msg::LedgerChanged)
        } else {
            Reply::quiet()
        }
    }

    fn modal_context(modal: &DispatchModal) -> Context {
        match modal {
            DispatchModal::Message { .. } => Context::Detail,
            DispatchModal::ConfirmSend { .. } | DispatchModal::ConfirmRetry { .. } => {
                Context::TextEntry
            }
        }
    }

    fn modal_input(&mut self, modal: &mut DispatchModal, request: InputRequest) {
        match modal {
            DispatchModal::ConfirmSend { input, .. }
            | DispatchModal::ConfirmRetry { input, .. } => {
                input.handle(request);
            }
            DispatchModal::Message { .. } => {}
        }
    }

    fn modal_scroll(modal: &mut DispatchModal) -> Option<&mut u16> {
        match modal {
            DispatchModal::Message { scroll } => Some(scroll),
            DispatchModal::ConfirmSend { .. } | DispatchModal::ConfirmRetry { .. } => None,
        }
    }

    fn submit(&mut self, modal: &DispatchModal) -> Submit {
        match modal {
            DispatchModal::Message { .. } => Submit::Close,
            modal => match update::submit(modal) {
                Ok(msg) => Submit::Run(msg.into()),
                Err(why) => Submit::Refuse(why),
            },
        }
    }

    fn confirm(msg: &Msg) -> Option<String> {
        match msg {
            Msg::SendInvites { count, .. } => Some(format!(
                "send {}",
                crate::plural::count(*count, "invitation")
            )),
            Msg::RetryFailedConfirmed { count } => Some(format!(
                "retry {}",
                crate::plural::count(*count, "failed message")
            )),
            _ => None,
        }
    }

    fn render(&self, view: &View, frame: &mut Frame, area: Rect) {
        render::render(self, view, frame, area)
    }

    fn render_modal(&self, view: &View, modal: &DispatchModal, frame: &mut Frame, area: Rect) {
        render::modal(self, view, frame, area, modal)
    }

    fn run(job: Job, jobs: &mut Jobs<Msg>) {
        effects::run(job, jobs)
    }

    fn writes(job: &Job) -> bool {
        match job {
            Job::LoadDispatch | Job::LoadMessage(_) => false,
            Job::StartSend { .. } | Job::PauseSend | Job::RetryFailed => true,
        }
    }
}

/// The modals this pane opens.
#[derive(Debug, Clone)]
pub enum DispatchModal {
    /// Type the number of messages to send them.
    ConfirmSend {
        count: u64,
        batch: Option<String>,
        input: Input,
    },
    /// Failed messages go back to be sent again: type their number.
    ConfirmRetry { count: u64, input: Input },
    /// One message and its history.
    Message { scroll: u16 },
}

/// One message's detail as asked for and read.
#[derive(Debug, Clone)]
pub struct MessageRead {
    pub id: i64,
    pub answer: Option<Result<MessageDetail, String>>,
}

#[derive(Debug, Clone, Default)]
pub struct DispatchPane {
    /// `None` until the first read; the pane says "not read yet", never "nothing".
    pub view: Option<DispatchView>,
    pub error: Option<String>,
    pub loading: bool,
    /// A change was announced while a read was under way (or too soon after one).
    pub stale: bool,
    pub last_load: Option<DateTime<Utc>>,
    pub filter: StateFilter,
    pub selected: usize,
    pub run: Option<OwnRun>,
    /// The message open in the detail view: the one asked for, then its read (or why it
    /// could not be read).
    pub detail: Option<MessageRead>,
    /// `[invites]` is configured and a database is there to hold the ledger.
    pub available: bool,
    /// Why not, for the pane to say.
    pub unavailable: String,
}

impl DispatchPane {
    pub fn new(available: Result<(), String>) -> DispatchPane {
        let (available, unavailable) = match available {
            Ok(()) => (true, String::new()),
            Err(why) => (false, why),
        };
        DispatchPane {
            available,
            unavailable,
            ..DispatchPane::default()
        }
    }

    /// The log rows the filter keeps, newest first.
    pub fn rows(&self) -> Vec<&LedgerRow> {
        self.view
            .as_ref()
            .map(|v| {
                v.log
                    .iter()
                    .filter(|r| self.filter.keeps(r.state.as_str()))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn selected_row(&self) -> Option<&LedgerRow> {
        self.rows().get(self.selected).copied()
    }

    /// Messages still to go (prepared) across the batches read.
    pub fn prepared(&self) -> u64 {
        self.totals().prepared
    }

    pub fn totals(&self) -> crate::invite::Counts {
        self.view
            .iter()
            .flat_map(|v| &v.batches)
            .map(|b| &b.counts)
            .sum()
    }

    pub fn sending_here(&self) -> bool {
        matches!(self.run, Some(OwnRun::Running { .. } | OwnRun::Stopping))
    }
}

/// Whether the Dispatch pane can work: `[invites]` and a database for the ledger.
fn available(config: &crate::config::Config) -> Result<(), String> {
    match (&config.raw.invites, &config.raw.postgres) {
        (None, _) => {
            Err("no [invites] in the config (see the README: template, from, signup_url)".into())
        }
        (Some(_), None) => Err("the dispatch ledger lives in the database: add [postgres]".into()),
        (Some(_), Some(_)) => Ok(()),
    }
}
