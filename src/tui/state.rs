//! The cockpit's state: everything the screen shows. Only `update` changes it; `render` reads it.

use super::action::Action;
use super::keymap::{Context, Keymap};
pub use super::kit::{LaunchInfo, Level};
use super::panes::{Pane, PaneModal, Panes, Start};
use super::theme::Theme;
use crate::config::Config;
use crate::gate::{Board, GateSpec, GateStatus};
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;

/// The whole screen's mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Panes, header and footer.
    Cockpit,
    /// The presentation view: huge verdict, countdown, large gate rows, emails masked.
    ScreenShare,
}

/// Views stacked over the panes ([`super::overlay::Overlay`]), with any pane's modal.
pub type Overlay = super::overlay::Overlay<PaneModal, Action>;

/// The footer's message line.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub text: String,
    pub level: Level,
    pub at: DateTime<Utc>,
}

/// How long a status message stays.
pub const STATUS_SECONDS: i64 = 10;

#[derive(Debug, Clone)]
pub struct State {
    pub launch: LaunchInfo,
    pub operator: String,
    pub demo: bool,
    pub board: Board,
    pub specs: Vec<GateSpec>,
    pub now: DateTime<Utc>,
    pub size: (u16, u16),
    pub view: View,
    pub pane: Pane,
    pub overlays: Vec<Overlay>,
    /// Mask email addresses in the cockpit view (screen-share always masks).
    pub mask: bool,
    /// The one masker for everything drawn, knowing the addresses the panes hold.
    pub masker: super::masking::ScreenMasker,
    /// Gates re-checked on request whose answer has not come back yet.
    pub checking: BTreeSet<String>,
    /// Each pane's own state ([`Panes`], one field per registered pane).
    pub panes: Panes,
    pub status: Option<Status>,
    pub keymap: Keymap,
    pub theme: Theme,
    pub bell: bool,
    /// The terminal title last set.
    pub title: String,
    /// How soon the screen must show what changed since the last draw.
    pub redraw: Redraw,
}

/// How soon the screen must catch up with the state. An idle cockpit draws once a second for
/// its clock; a fresh reading that leaves its gate's state as it was rides on that frame
/// instead of costing one of its own, so ten gates polled every ten seconds do not double the
/// frames. Everything else (keys, a gate changing state, a first reading, a re-check the
/// operator asked for, journal news) is drawn at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Redraw {
    /// Nothing visible changed.
    #[default]
    Clean,
    /// Only a reading that changed no gate's state: the next clock tick draws it (≤ 1 s).
    WithTheClock,
    /// Draw before waiting for anything else.
    Now,
}

impl State {
    /// The DEMO badge, unless the environment badge already says it.
    pub fn shows_demo_badge(&self) -> bool {
        self.demo && !self.launch.environment.eq_ignore_ascii_case("demo")
    }

    pub fn new(
        config: &Config,
        operator: &str,
        demo: bool,
        keymap: Keymap,
        theme: Theme,
        now: DateTime<Utc>,
    ) -> State {
        let launch = config.launch();
        // Titles may come from the environment (`${VAR}`): cleaned once, here, for every pane.
        let specs: Vec<GateSpec> = config
            .gates
            .iter()
            .cloned()
            .map(|mut spec| {
                spec.title = crate::text::sanitize(&spec.title);
                spec
            })
            .collect();
        let board = Board::new(&specs, now);
        let panes = Panes::start(&Start {
            config,
            board: &board,
        });
        let mut state = State {
            launch: LaunchInfo {
                name: crate::text::sanitize(&launch.name.0),
                environment: crate::text::sanitize(launch.environment.as_str()),
                production: launch.is_production(),
                decision_at: launch.decision_at,
                read_only: launch.read_only,
            },
            operator: crate::text::sanitize(operator),
            demo,
            board,
            specs,
            now,
            size: (80, 24),
            view: View::Cockpit,
            pane: Pane::Gates,
            overlays: Vec::new(),
            mask: false,
            masker: Default::default(),
            checking: BTreeSet::new(),
            panes,
            status: None,
            keymap: keymap.viewing(launch.read_only),
            theme,
            bell: config.raw.alerts.bell,
            title: String::new(),
            redraw: Redraw::Now,
        };
        state.refresh_masker();
        state
    }

    /// Gates matching the Gates pane's filter (id or title, case-insensitive), in config order.
    pub fn visible_gates(&self) -> Vec<&GateStatus> {
        self.panes.gates.visible(&self.board)
    }

    pub fn selected_gate(&self) -> Option<&GateStatus> {
        self.panes.gates.selected_gate(&self.board)
    }

    pub fn spec(&self, id: &str) -> Option<&GateSpec> {
        self.specs.iter().find(|s| s.id == id)
    }

    pub fn top_overlay(&self) -> Option<&Overlay> {
        self.overlays.last()
    }

    /// Email addresses are masked in everything drawn.
    pub fn masking(&self) -> bool {
        self.mask || self.view == View::ScreenShare
    }

    /// Text as it may be laid out: email addresses masked when masking is on, in any spelling,
    /// and the addresses the cockpit knows wherever they stand. Applied before layout, so a
    /// column or a wrap that cuts an address before its `@` cannot leave the local part
    /// readable; the frame-level pass in `render::mask` stays as the backstop.
    pub fn shown(&self, text: &str) -> String {
        if self.masking() {
            self.masker.masker().mask(text)
        } else {
            text.to_owned()
        }
    }

    /// Feeds the masker the addresses the panes now hold: the cohort's rows, the dispatch
    /// ledger's rows and the message open, the operators (this one, voters, who decided).
    pub fn refresh_masker(&mut self) {
        let cohort = self.panes.cohort.loaded().map(|view| &view.cohort);
        let ledger = self.panes.dispatch.view.iter().flat_map(|v| &v.log);
        let detail = self
            .panes
            .dispatch
            .detail
            .iter()
            .filter_map(|d| d.answer.as_ref()?.as_ref().ok());
        let call = self.panes.checklist.call.iter();
        let others = ledger
            .map(|row| row.email.as_str())
            .chain(detail.map(|d| d.row.email.as_str()))
            .chain(call.clone().flat_map(|c| &c.votes).map(|v| v.by.as_str()))
            .chain(
                call.filter_map(|c| c.last.as_ref())
                    .map(|l| l.decided_by.as_str()),
            )
            .chain([self.operator.as_str()]);
        self.masker.refresh(cohort, others);
    }

    /// Where the keyboard is.
    pub fn context(&self) -> Context {
        let context = match self.top_overlay() {
            Some(
                Overlay::Filter(_)
                | Overlay::Palette(_)
                | Overlay::Note(_)
                | Overlay::Confirm { .. },
            ) => Context::TextEntry,
            Some(Overlay::Help { .. }) => Context::Help,
            Some(Overlay::Detail { .. } | Overlay::Report { .. }) => Context::Detail,
            Some(Overlay::Pane(modal)) => modal.context(),
            None => Context::Cockpit,
        };
        match context {
            // A view to read is one only over the panes; screen-share mode has the keys.
            Context::Detail | Context::Cockpit if self.view == View::ScreenShare => {
                Context::ScreenShare
            }
            context => context,
        }
    }

    /// Why the verdict is not GO: `2 red`, `5 unknown` (required gates).
    pub fn verdict_why(&self) -> Option<String> {
        let required_in = |state| {
            self.board
                .gates()
                .iter()
                .filter(|g| g.required && g.state == state)
                .count()
        };
        match self.board.verdict() {
            crate::gate::Verdict::NoGo => Some(format!("{} red", self.board.red_count())),
            crate::gate::Verdict::Unknown => Some(format!(
                "{} unknown",
                required_in(crate::gate::GateState::Unknown)
            )),
            crate::gate::Verdict::Go => None,
        }
    }

    /// The terminal title: the verdict and why, so a tmux window list shows it.
    pub fn window_title(&self) -> String {
        let verdict = self.board.verdict();
        match self.verdict_why() {
            Some(why) => format!("gonogo: {verdict} ({why})"),
            None => format!("gonogo: {verdict}"),
        }
    }

    /// Puts a message in the footer (it goes after [`STATUS_SECONDS`]).
    pub fn say(&mut self, level: Level, text: &str) {
        self.status = Some(Status {
            text: text.to_owned(),
            level,
            at: self.now,
        });
    }
}
