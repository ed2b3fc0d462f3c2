//! The Dispatch pane's state: the ledger as last read (batches with their counts, the live log
//! newest first, who is sending), the state filter, this cockpit's own send run, and when the
//! ledger must be read again (another cockpit's send reaches it through the live sync).

pub mod render;
pub mod update;

pub use crate::invite::status::{LedgerView as DispatchView, MessageDetail};
use crate::invite::{LedgerRow, RunEnd};
use crate::tui::keymap::Command;
use chrono::{DateTime, Utc};
use tui_input::Input;

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
