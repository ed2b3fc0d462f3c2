//! The one `Action` enum (everything that can change the cockpit's state) and the `Effect`s that
//! `update` asks the event loop to carry out.

pub use super::panes::Pane;
use super::panes::cohort::{LoadId, Loaded, SharedCohort};
use crate::cohort::Code;
use crate::gate::{GateResult, Transition};
use crate::journal::{Entry, LiveSignal, PendingEvent};
use chrono::{DateTime, Utc};
use std::path::PathBuf;
use tui_input::InputRequest;

/// Something that happened: an operator's intent (from the keymap, the mouse or the command
/// palette) or news from the world (a gate result, a clock tick, a journal answer).
/// `update` is the only code that turns an `Action` into a state change.
#[derive(Debug, Clone)]
pub enum Action {
    /// Leave the cockpit.
    Quit,
    /// Open or close the key help.
    ToggleHelp,
    /// Next / previous pane.
    NextPane,
    PrevPane,
    /// Show one pane (keys `1`…`9`, `:gates`, `:timeline`, `:cohort`).
    ShowPane(Pane),
    /// Move the selection (or scroll the open view) by this many rows.
    Move(i32),
    /// Jump to the first / last row.
    Top,
    Bottom,
    /// Move by a screenful.
    PageDown,
    PageUp,
    /// Open the selected item (a gate's detail view).
    Open,
    /// Close the topmost view: a modal, the detail, screen-share mode, then the filter.
    Back,
    /// Start typing a filter for the gates list.
    StartFilter,
    /// Open the `:` command palette.
    StartPalette,
    /// Edit the text being typed (filter or palette).
    Edit(InputRequest),
    /// Accept the text being typed.
    Submit,
    /// Complete the command or gate id being typed (Tab in the palette).
    Complete,
    /// Enter or leave screen-share mode.
    ToggleScreenShare,
    /// Mask email addresses in the normal view (always on in screen-share mode).
    ToggleMask,
    /// Check the selected gate now.
    Recheck,
    /// Check every gate now.
    RecheckAll,
    /// Check one named gate now (`:recheck ID`).
    RecheckGate(String),
    /// A mouse click at a screen cell.
    Click {
        column: u16,
        row: u16,
    },
    /// Ctrl-C: not a quit key here (reflexes), so it only says how to quit.
    Interrupt,
    /// The terminal changed size.
    Resize {
        width: u16,
        height: u16,
    },
    /// The 1 Hz clock.
    Tick(DateTime<Utc>),
    /// A poller finished a check.
    GateChecked(GateResult),
    /// Transitions were written to the journal (how many lines were new) or could not be.
    JournalRecorded(Result<usize, String>),
    /// This cockpit wrote a line to the journal (an override): the timeline reads it back.
    JournalWritten,
    /// The journal's newest lines (newest first), or why they could not be read.
    TimelineLoaded(Result<Vec<Entry>, String>),
    /// Lines after the last one the timeline had (oldest id first), or why they could not be
    /// read.
    TimelineAppended(Result<Vec<Entry>, String>),
    /// Who is on shift, as the newest take-over in the journal says (operator, since).
    OnShift(Option<(String, DateTime<Utc>)>),
    /// The live listener: connected, paused, or a line was written somewhere.
    Live(LiveSignal),
    /// How many lines are waiting for the journal (0: everything handed over is written).
    JournalPending(usize),
    /// Start typing an operator note (`n`).
    StartNote,
    /// Write this note to the journal (`:note TEXT`, or Enter in the note modal).
    AddNote(String),
    /// Record that this operator takes over the shift (`:take-over`).
    TakeOver,
    /// Build the shift report: show it (`:handoff`) or write it to a file (`:handoff FILE`).
    ShowHandoff(Option<PathBuf>),
    /// The report, as Markdown, or why it could not be built or written.
    HandoffReady {
        out: Option<PathBuf>,
        result: Result<String, String>,
    },
    /// Load (validate) a cohort file into the Cohort pane (`:cohort PATH`, `--cohort PATH`).
    LoadCohort(PathBuf),
    /// A cohort load finished: the file and its database checks, or why it could not be read.
    /// Only the answer to the latest load is shown; an earlier one's is dropped.
    CohortLoaded {
        load: LoadId,
        result: Result<Loaded, String>,
    },
    /// Show only cohort rows with the next finding code (then all again).
    CycleCohortCode,
    /// Show only cohort rows with this code (`:cohort-filter CODE`; `None` shows all).
    FilterCohortCode(Option<Code>),
    /// Ask for a reason, then override the loaded cohort's soft findings on the record.
    StartCohortOverride,
    /// The reason typed in the override modal (Enter): record the override with it.
    OverrideCohort {
        reason: String,
    },
    /// The dispatch ledger as read (batches, log, senders), or why it could not be read.
    DispatchLoaded(Result<Box<super::panes::dispatch::DispatchView>, String>),
    /// The ledger changed somewhere (a live notification, a run's news): read it again soon.
    LedgerChanged,
    /// Failed messages were put back to be sent (how many), or why not.
    RetryDone(Result<u64, String>),
    /// Show the next state in the dispatch log (all, pending, sent, failed, unknown).
    CycleDispatchFilter,
    /// Show the `unknown` messages, with how to settle them.
    ReviewUnknown,
    /// Ask to start (or resume) sending: the count is typed to confirm.
    StartSend,
    /// Send, confirmed (`count` as typed; production has also typed the launch name).
    SendInvites {
        batch: Option<String>,
        count: u64,
    },
    /// Pause this cockpit's send run after the message in flight.
    PauseSend,
    /// Ask to put the failed messages back to be sent.
    RetryFailed,
    /// Put them back, confirmed.
    RetryFailedConfirmed {
        count: u64,
    },
    /// Progress of this cockpit's send run.
    DispatchNews(super::panes::dispatch::SendNews),
    /// One message for the detail view (Enter in the Dispatch pane).
    MessageLoaded(Result<Box<super::panes::dispatch::MessageDetail>, String>),
    /// The alert service's news: an alert raised, skipped (another cockpit has it), delivered.
    AlertNews(crate::alerts::AlertNews),
    /// The journal took the override (its entry id) or refused it; `sha256` names the file.
    CohortOverridden {
        sha256: Option<String>,
        result: Result<i64, String>,
    },
    /// The checklist file was read (at start, `:checklist reload`), or why it could not be.
    ChecklistLoaded(Result<std::sync::Arc<crate::checklist::Checklist>, String>),
    /// The decision call's shared state (ticks, roll call, newest decision), or why not.
    CallLoaded(Result<crate::decision::CallState, String>),
    /// Read the checklist file again (`:checklist reload`).
    ReloadChecklist,
    /// A tick, vote or decision was written somewhere: read the shared state again.
    RefreshCall,
    /// Tick the selected checklist item (`Space`: asks for an optional note).
    StartTick,
    /// Untick the selected checklist item (`u`: asks for the reason).
    StartUntick,
    /// Show only the items not done yet, or all again (`o` in the Checklist pane).
    ToggleOpenItems,
    /// Vote in the roll call (`v`, `:vote …`): asks for `go|no-go ROLE[: note]`, starting
    /// from this text.
    StartVote(String),
    /// Ask to freeze the decision (`D`, `:decide [REASON]`): Enter in its modal freezes, a
    /// reason typed there overrides the gates.
    StartDecide(String),
    /// Tick the item with this key, with an optional note.
    TickItem {
        key: String,
        note: String,
    },
    /// Untick the item with this key, with the reason.
    UntickItem {
        key: String,
        reason: String,
    },
    /// A vote as typed (`go tech lead`, `no-go on-call engineer: db lag`; `:vote …`).
    CastVote(String),
    /// Freeze the decision (Enter in the decide modal; a reason overrides the gates).
    Decide {
        override_reason: Option<String>,
    },
    /// A tick, vote or freeze was written (what to say) or refused (why).
    CallWritten(Result<String, String>),
    /// Show this gate's detail in the Gates pane (`Enter` on a verified item).
    JumpToGate(String),
}

/// Work `update` wants done. The event loop runs it (tasks for I/O) and feeds results back as
/// actions, so `update` itself never waits.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Quit,
    Recheck(String),
    RecheckAll,
    RecordTransitions(Vec<Transition>),
    /// Read the journal's newest lines (at start, and while nothing newer is known).
    LoadTimeline,
    /// Read the journal's lines after this id (live updates, catching up after a gap).
    LoadTimelineAfter(i64),
    /// Hand an operator's event (a note, a take-over) to the journal writer, in order.
    RecordEvent(PendingEvent),
    /// Build the shift report; write it to the file when one is given.
    BuildHandoff(Option<PathBuf>),
    /// Keep a gate's latest observation for handoff reports written anywhere.
    SaveObservation(crate::journal::ObservedGate),
    Bell,
    SetTitle(String),
    /// Show the alert engine the board after a transition (it runs beside the cockpit).
    ObserveAlerts(crate::alerts::BoardView),
    /// Raise an alert for something the board does not show (the hook for dispatch and
    /// checklist events: a new `Trigger` variant, raised from their update).
    RaiseAlert(crate::alerts::Trigger),
    /// Validate a cohort file (blocking task), then run its database checks; the path as
    /// typed (`~/` is the operator's home, resolved by the event loop).
    LoadCohort {
        load: LoadId,
        path: PathBuf,
    },
    /// Read the dispatch ledger for the pane.
    LoadDispatch,
    /// Read one message (its .eml and history) for the detail view.
    LoadMessage(i64),
    /// Start a send run from this cockpit (a long-lived task; progress comes back as actions).
    StartSend {
        batch: Option<String>,
    },
    /// Pause this cockpit's send run: the message in flight finishes and is recorded first.
    PauseSend,
    /// Failed messages back to `prepared`.
    RetryFailed,
    /// Write a `cohort_override` journal line for this load, with the operator's reason.
    RecordCohortOverride {
        cohort: SharedCohort,
        reason: String,
    },
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
