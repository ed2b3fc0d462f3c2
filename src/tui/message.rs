//! The shared vocabulary of the cockpit: [`Action`] (everything that can change its state) and
//! [`Effect`] (the work `update` asks the event loop to do), each generic over the pane part it
//! carries. A pane speaks `Action<Msg>` and `Effect<Job>` with its own `Msg` and `Job`, so it
//! needs nothing above this module; the registry (`panes`) lifts them into the cockpit's
//! `Action<PaneMsg>` and `Effect<PaneJob>` (`tui::action`).

use super::kit::{Command, Pane};
use crate::gate::{GateResult, Transition};
use crate::journal::{LiveSignal, PendingEvent};
use chrono::{DateTime, Utc};
use std::path::PathBuf;
use tui_input::InputRequest;

/// Something that happened: an operator's intent (from the keymap, the mouse or the command
/// palette) or news from the world (a gate result, a clock tick, a journal answer).
/// `update` is the only code that turns an `Action` into a state change.
#[derive(Debug, Clone)]
pub enum Action<P> {
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
    /// This cockpit wrote a line to the journal (an override): every pane hears it (the
    /// timeline reads it back).
    JournalWritten,
    /// The live listener: connected, paused, or a line was written somewhere (every pane
    /// hears it).
    Live(LiveSignal),
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
    /// The alert service's news: an alert raised, skipped (another cockpit has it), delivered.
    AlertNews(crate::alerts::AlertNews),
    /// Show this gate's detail in the Gates pane (`Enter` on a verified item).
    JumpToGate(String),
    /// The key of a command that changes the launch, pressed in a read-only cockpit: one line
    /// says it is not available, nothing else happens.
    ReadOnly(Command),
    /// A pane's own message (its `Msg`), for that pane whichever is in front.
    Pane(P),
}

/// Work `update` wants done. The event loop runs it (tasks for I/O) and feeds results back as
/// actions, so `update` itself never waits.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect<J> {
    Quit,
    Recheck(String),
    RecheckAll,
    RecordTransitions(Vec<Transition>),
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
    /// A pane's job (its `Job`): the runner hands it to the pane's I/O.
    Pane(J),
}

impl<P> From<P> for Action<P> {
    fn from(msg: P) -> Action<P> {
        Action::Pane(msg)
    }
}

impl<J> From<J> for Effect<J> {
    fn from(job: J) -> Effect<J> {
        Effect::Pane(job)
    }
}

impl<P> Action<P> {
    /// The same action with its pane part turned into another (`Q` from `P`): how the
    /// registry lifts a pane's actions into the cockpit's, and hands a pane the shared ones.
    pub fn map<Q>(self, pane: impl FnOnce(P) -> Q) -> Action<Q> {
        self.try_map(|p| Ok::<Q, std::convert::Infallible>(pane(p)))
            .unwrap_or_else(|never| match never {})
    }

    /// A shared action, as any pane's (`Err`: it is a pane's own message).
    pub fn shared<Q>(self) -> Result<Action<Q>, P> {
        self.try_map(Err)
    }

    fn try_map<Q, E>(self, pane: impl FnOnce(P) -> Result<Q, E>) -> Result<Action<Q>, E> {
        use Action as A;
        Ok(match self {
            A::Pane(p) => A::Pane(pane(p)?),
            A::Quit => A::Quit,
            A::ToggleHelp => A::ToggleHelp,
            A::NextPane => A::NextPane,
            A::PrevPane => A::PrevPane,
            A::ShowPane(pane) => A::ShowPane(pane),
            A::Move(rows) => A::Move(rows),
            A::Top => A::Top,
            A::Bottom => A::Bottom,
            A::PageDown => A::PageDown,
            A::PageUp => A::PageUp,
            A::Open => A::Open,
            A::Back => A::Back,
            A::StartFilter => A::StartFilter,
            A::StartPalette => A::StartPalette,
            A::Edit(request) => A::Edit(request),
            A::Submit => A::Submit,
            A::Complete => A::Complete,
            A::ToggleScreenShare => A::ToggleScreenShare,
            A::ToggleMask => A::ToggleMask,
            A::Recheck => A::Recheck,
            A::RecheckAll => A::RecheckAll,
            A::RecheckGate(gate) => A::RecheckGate(gate),
            A::Click { column, row } => A::Click { column, row },
            A::Interrupt => A::Interrupt,
            A::Resize { width, height } => A::Resize { width, height },
            A::Tick(at) => A::Tick(at),
            A::GateChecked(result) => A::GateChecked(result),
            A::JournalWritten => A::JournalWritten,
            A::Live(signal) => A::Live(signal),
            A::StartNote => A::StartNote,
            A::AddNote(text) => A::AddNote(text),
            A::TakeOver => A::TakeOver,
            A::ShowHandoff(out) => A::ShowHandoff(out),
            A::HandoffReady { out, result } => A::HandoffReady { out, result },
            A::AlertNews(news) => A::AlertNews(news),
            A::JumpToGate(gate) => A::JumpToGate(gate),
            A::ReadOnly(command) => A::ReadOnly(command),
        })
    }
}

impl<J> Effect<J> {
    /// Whether the effect changes the launch (a journal line, an observation kept, an alert
    /// claimed and delivered, or a pane's job that `job_writes`): a read-only cockpit runs
    /// none of these.
    pub fn writes(&self, job_writes: impl FnOnce(&J) -> bool) -> bool {
        use Effect as E;
        match self {
            E::Pane(job) => job_writes(job),
            E::RecordTransitions(_)
            | E::RecordEvent(_)
            | E::SaveObservation(_)
            | E::ObserveAlerts(_)
            | E::RaiseAlert(_) => true,
            E::Quit
            | E::Recheck(_)
            | E::RecheckAll
            | E::BuildHandoff(_)
            | E::Bell
            | E::SetTitle(_) => false,
        }
    }

    /// The same effect with its pane part turned into another.
    pub fn map<K>(self, pane: impl FnOnce(J) -> K) -> Effect<K> {
        use Effect as E;
        match self {
            E::Pane(job) => E::Pane(pane(job)),
            E::Quit => E::Quit,
            E::Recheck(gate) => E::Recheck(gate),
            E::RecheckAll => E::RecheckAll,
            E::RecordTransitions(transitions) => E::RecordTransitions(transitions),
            E::RecordEvent(event) => E::RecordEvent(event),
            E::BuildHandoff(out) => E::BuildHandoff(out),
            E::SaveObservation(gate) => E::SaveObservation(gate),
            E::Bell => E::Bell,
            E::SetTitle(title) => E::SetTitle(title),
            E::ObserveAlerts(view) => E::ObserveAlerts(view),
            E::RaiseAlert(trigger) => E::RaiseAlert(trigger),
        }
    }
}
