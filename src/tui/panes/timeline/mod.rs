//! The Timeline pane's state: gate transitions and operator actions, from the shared journal
//! or, without one, from this cockpit's own transitions; and the selection, which stays on the
//! newest row until the operator picks another, then stays on that entry (not its index) as rows
//! arrive. The rows shown are borrowed from the source in force, never rebuilt per frame.

mod effects;
pub mod render;
pub mod update;

use crate::gate::{GateState, Transition};
use crate::journal::Entry;
use crate::journal::LiveSignal;
use crate::tui::jobs::Jobs;
use crate::tui::kit::Command;
use crate::tui::kit::View;
use crate::tui::pane::{Cx, PaneKind, PaneTypes};
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;

/// What the footer offers in this pane (`Enter` opens the row's gate or the line in full,
/// `n` writes a note, `r` re-checks the row's gate).
pub const FOOTER: &[(Command, &str)] = &[
    (Command::Help, "help"),
    (Command::Open, "open"),
    (Command::Note, "note"),
    (Command::Palette, "command"),
    (Command::Recheck, "re-check"),
    (Command::ScreenShare, "share"),
    (Command::Quit, "quit"),
];

/// What only the Timeline pane handles: the journal's answers and the writer's news.
#[derive(Debug, Clone)]
pub enum Msg {
    /// Transitions were written to the journal (how many lines were new) or could not be.
    JournalRecorded(Result<usize, String>),
    /// The journal's newest lines (newest first), or why they could not be read.
    TimelineLoaded(Result<Vec<Entry>, String>),
    /// Lines after the last one the timeline had (oldest id first), or why they could not be
    /// read.
    TimelineAppended(Result<Vec<Entry>, String>),
    /// Who is on shift, as the newest take-over in the journal says (operator, since).
    OnShift(Option<(String, DateTime<Utc>)>),
    /// How many lines are waiting for the journal (0: everything handed over is written).
    JournalPending(usize),
}

/// The Timeline pane's reads of the journal.
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    /// Read the journal's newest lines (at start, and while nothing newer is known).
    LoadTimeline,
    /// Read the journal's lines after this id (live updates, catching up after a gap).
    LoadTimelineAfter(i64),
}

/// The Timeline pane opens the shared views (a gate's detail, a line in full): no modal of
/// its own.
#[derive(Debug, Clone, PartialEq)]
pub enum Modal {}

impl PaneTypes for Timeline {
    type Msg = Msg;
    type Modal = Modal;
    type Job = Job;
}

/// The shared vocabulary in this pane's words (`crate::tui::message`, `crate::tui::pane`).
pub type Action = crate::tui::message::Action<Msg>;
pub type Effect = crate::tui::message::Effect<Job>;
pub type Overlay = crate::tui::overlay::Overlay<Modal, Action>;
pub type Reply = crate::tui::pane::Reply<Timeline>;
pub type Submit = crate::tui::pane::Submit<Timeline>;

impl PaneKind for Timeline {
    const TITLE: &'static str = "Timeline";
    const FOOTER: &'static [(Command, &'static str)] = FOOTER;
    const PALETTE: &'static [crate::tui::pane::PaletteRow] = &[crate::tui::pane::PaletteRow {
        words: &["timeline", "t"],
        usage: ":timeline",
        help: "show the timeline pane",
        writes: false,
    }];

    fn start(start: &crate::tui::pane::Start) -> Self {
        Timeline::new(start.database())
    }

    fn update(&mut self, cx: &Cx, msg: Msg) -> Reply {
        update::on_msg(self, cx, msg)
    }

    fn on_action(&mut self, cx: &Cx, action: Action) -> Reply {
        update::update(self, cx, action)
    }

    fn on_live(&mut self, _: &Cx, signal: &LiveSignal) -> Reply {
        update::live(self, signal)
    }

    fn render(&self, view: &View, frame: &mut Frame, area: Rect) {
        render::render(self, view, frame, area)
    }

    fn run(job: Job, jobs: &mut Jobs<Msg>) {
        effects::run(job, jobs)
    }

    fn writes(job: &Job) -> bool {
        match job {
            Job::LoadTimeline | Job::LoadTimelineAfter(_) => false,
        }
    }
}

/// How many journal lines the timeline reads at start, and how many local transitions it keeps.
pub const TIMELINE_LIMIT: usize = 200;
/// How many journal lines it keeps as more arrive (the oldest go; `gonogo timeline` has all).
pub const TIMELINE_KEEP: usize = 2_000;
/// Lines asked for per incremental read; a full page asks again.
pub const APPEND_PAGE: i64 = 500;

/// Which entry a row is, whatever its position: the journal line's id, or the number this
/// cockpit gave its own transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryId {
    Journal(i64),
    Local(u64),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    pub id: EntryId,
    pub at: DateTime<Utc>,
    pub gate: Option<String>,
    /// The gate's title, or the kind of event.
    pub subject: String,
    pub from: Option<GateState>,
    pub to: Option<GateState>,
    pub value: String,
    pub actor: String,
    /// The error behind a transition, or an action's message.
    pub message: String,
    /// The gate's first observation: there is no state it came from.
    pub first: bool,
    /// The journal's kind (`gate`, `note`, …); `gate` for this cockpit's own transitions.
    pub kind: String,
}

impl TimelineEntry {
    pub fn from_transition(t: &Transition, actor: &str, id: u64, first: bool) -> TimelineEntry {
        TimelineEntry {
            id: EntryId::Local(id),
            at: t.at,
            gate: Some(t.gate.clone()),
            subject: crate::text::sanitize(&t.title),
            from: Some(t.from),
            to: Some(t.to),
            value: t.value_text.clone(),
            actor: actor.to_owned(),
            message: t.error.clone().unwrap_or_default(),
            first,
            kind: "gate".to_owned(),
        }
    }

    pub fn from_journal(e: &Entry, title_of: impl Fn(&str) -> Option<String>) -> TimelineEntry {
        let subject = match &e.gate {
            Some(gate) => title_of(gate).unwrap_or_else(|| gate.clone()),
            None => e.kind.clone(),
        };
        TimelineEntry {
            id: EntryId::Journal(e.id),
            at: e.at,
            gate: e.gate.clone(),
            subject,
            from: e.from_state,
            to: e.to_state,
            value: e.value.clone().unwrap_or_default(),
            actor: e.actor.clone(),
            message: match &e.event {
                Some(_) => e.message.clone(),
                // Written by a newer gonogo: shown as it is, never guessed at.
                None => e.raw_text(),
            },
            first: e.kind == "gate" && e.from_state.is_none(),
            kind: e.kind.clone(),
        }
    }

    /// The whole line as text, for reading it in full (`Enter`).
    pub fn full_text(&self) -> String {
        let mut text = format!(
            "{}  {}  by {}\n\n",
            self.at.format("%Y-%m-%d %H:%M:%S UTC"),
            self.subject,
            self.actor
        );
        if let Some(to) = self.to {
            match (self.first, self.from) {
                (false, Some(from)) => text.push_str(&format!("{from} → {to}")),
                _ => text.push_str(&format!("first observed: {to}")),
            }
            if !self.value.is_empty() {
                text.push_str(&format!(" (value {})", self.value));
            }
            text.push_str("\n\n");
        }
        text.push_str(&self.message);
        text
    }
}

/// The live listener, as this cockpit last heard from it.
#[derive(Debug, Clone, PartialEq)]
pub enum Live {
    /// No database, or not started yet.
    Off,
    /// Listening: lines written anywhere arrive within a second.
    On,
    /// The listener's connection is down; the journal is read every few seconds meanwhile.
    Paused { reason: String },
}

/// Where the timeline's rows come from right now.
#[derive(Debug, Clone, PartialEq)]
pub enum TimelineSource {
    /// No `[postgres]` in the config: this cockpit's transitions only.
    LocalOnly,
    /// The journal has not answered yet.
    Connecting,
    /// The shared journal, as last read.
    Journal { read_at: DateTime<Utc> },
    /// The journal failed; this cockpit's transitions are shown meanwhile.
    Unavailable { reason: String },
}

#[derive(Debug, Clone)]
pub struct Timeline {
    pub source: TimelineSource,
    /// The journal's rows, newest first.
    pub journal: Vec<TimelineEntry>,
    /// This cockpit's own transitions, newest first.
    pub local: Vec<TimelineEntry>,
    /// Index into [`Timeline::rows`]; kept on the same entry when rows arrive or change.
    pub selected: usize,
    /// The operator picked an entry below the top: it stays selected as newer rows arrive.
    /// Otherwise the selection stays on the newest row.
    picked: bool,
    /// The number the next local transition gets.
    next_local: u64,
    /// A journal read is under way.
    pub loading: bool,
    pub last_request: Option<DateTime<Utc>>,
    /// The highest journal line id read so far: the next read asks for what follows it.
    pub last_id: Option<i64>,
    /// News of a newer line came while a read was under way: read again when it is in.
    pub again: bool,
    pub live: Live,
    /// How many times live updates were interrupted (a flaky connection shows here).
    pub gaps: u32,
    /// Lines handed to the journal writer and not written yet.
    pub pending: usize,
    /// Who is on shift and since when (the newest take-over).
    pub on_shift: Option<(String, DateTime<Utc>)>,
    /// Gates this cockpit has seen a result for (a first one has no "from").
    seen: std::collections::BTreeSet<String>,
}

impl Timeline {
    pub fn new(shared: bool) -> Timeline {
        Timeline {
            source: if shared {
                TimelineSource::Connecting
            } else {
                TimelineSource::LocalOnly
            },
            journal: Vec::new(),
            local: Vec::new(),
            selected: 0,
            picked: false,
            next_local: 0,
            loading: false,
            last_request: None,
            last_id: None,
            again: false,
            live: Live::Off,
            gaps: 0,
            pending: 0,
            on_shift: None,
            seen: Default::default(),
        }
    }

    pub fn is_shared(&self) -> bool {
        self.source != TimelineSource::LocalOnly
    }

    /// The rows on screen, newest first.
    pub fn rows(&self) -> &[TimelineEntry] {
        match self.source {
            TimelineSource::Journal { .. } => &self.journal,
            _ => &self.local,
        }
    }

    /// The operator selects a row (keys, mouse): from now on it follows its entry. Selecting
    /// the top row means "the newest" again, so newer rows keep arriving in view.
    pub fn select(&mut self, index: usize) {
        self.selected = index.min(self.rows().len().saturating_sub(1));
        self.picked = self.selected != 0;
    }

    /// This cockpit's transition, newest first.
    pub fn push_transition(&mut self, t: &Transition, actor: &str) {
        let id = self.next_local;
        self.next_local += 1;
        let first = self.seen.insert(t.gate.clone());
        self.keeping_selection(|timeline| {
            let entry = TimelineEntry::from_transition(t, actor, id, first);
            // At most TIMELINE_LIMIT rows: shifting them is cheaper than rebuilding a list
            // of references on every frame.
            timeline.local.insert(0, entry);
            timeline.local.truncate(TIMELINE_LIMIT);
        });
    }

    /// A fresh read of the journal, newest first.
    pub fn journal_read(&mut self, entries: Vec<TimelineEntry>, read_at: DateTime<Utc>) {
        let newest = entries.iter().filter_map(journal_id).max();
        self.last_id = self.last_id.max(newest);
        self.keeping_selection(|timeline| {
            timeline.journal = entries;
            timeline.source = TimelineSource::Journal { read_at };
        });
    }

    /// Lines after the last one read: placed by time (a line replayed after an outage goes
    /// where it happened), each once, at most [`TIMELINE_KEEP`] kept.
    pub fn journal_append(&mut self, entries: Vec<TimelineEntry>, read_at: DateTime<Utc>) {
        let newest = entries.iter().filter_map(journal_id).max();
        self.last_id = self.last_id.max(newest);
        self.keeping_selection(|timeline| {
            let known: std::collections::HashSet<EntryId> =
                timeline.journal.iter().map(|e| e.id).collect();
            timeline
                .journal
                .extend(entries.into_iter().filter(|e| !known.contains(&e.id)));
            timeline
                .journal
                .sort_by_key(|e| std::cmp::Reverse((e.at, journal_id(e))));
            timeline.journal.truncate(TIMELINE_KEEP);
            timeline.source = TimelineSource::Journal { read_at };
        });
    }

    /// The journal failed: this cockpit's transitions are shown meanwhile.
    pub fn journal_failed(&mut self, reason: String) {
        self.keeping_selection(|timeline| {
            timeline.source = TimelineSource::Unavailable { reason };
        });
    }

    /// The row the operator has selected.
    pub fn selected_row(&self) -> Option<&TimelineEntry> {
        self.rows().get(self.selected)
    }

    /// Changes the rows, then puts a picked selection back on the entry it was on; if that
    /// entry is gone, on the same position (within the rows left).
    fn keeping_selection(&mut self, change: impl FnOnce(&mut Timeline)) {
        let anchor = self
            .picked
            .then(|| self.rows().get(self.selected).map(|e| e.id))
            .flatten();
        change(self);
        let rows = self.rows();
        self.selected = anchor
            .and_then(|id| rows.iter().position(|e| e.id == id))
            .unwrap_or(self.selected)
            .min(rows.len().saturating_sub(1));
    }
}

fn journal_id(e: &TimelineEntry) -> Option<i64> {
    match e.id {
        EntryId::Journal(id) => Some(id),
        EntryId::Local(_) => None,
    }
}
