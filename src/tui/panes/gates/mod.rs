//! The Gates pane's state: the selection and the filter, with the gates it lets through kept
//! until the filter changes (the board's gates are fixed at start; their results do not change
//! what a filter on id and title lets through).

pub mod render;
pub mod update;

use crate::gate::{Board, GateStatus};
use crate::tui::derived::Filtered;
use crate::tui::jobs::Jobs;
use crate::tui::kit::Command;
use crate::tui::pane::{Cx, PaneKind, PaneTypes};

/// What the footer offers in this pane.
pub const FOOTER: &[(Command, &str)] = crate::tui::pane::GATE_LIST_FOOTER;

/// The Gates pane has no messages, modals or jobs of its own: the shared actions drive it
/// (the gate detail is a shared view: the Checklist and Timeline panes open it too).
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {}
#[derive(Debug, Clone, PartialEq)]
pub enum Modal {}
#[derive(Debug, Clone, PartialEq)]
pub enum Job {}

impl PaneTypes for GatesPane {
    type Msg = Msg;
    type Modal = Modal;
    type Job = Job;
}

/// The shared vocabulary in this pane's words (`crate::tui::message`, `crate::tui::pane`).
pub type Action = crate::tui::message::Action<Msg>;
pub type Effect = crate::tui::message::Effect<Job>;
pub type Overlay = crate::tui::overlay::Overlay<Modal, Action>;
pub type Reply = crate::tui::pane::Reply<GatesPane>;
pub type Submit = crate::tui::pane::Submit<GatesPane>;

impl PaneKind for GatesPane {
    const TITLE: &'static str = "Gates";
    const FOOTER: &'static [(Command, &'static str)] = FOOTER;
    const PALETTE: &'static [crate::tui::pane::PaletteRow] = &[crate::tui::pane::PaletteRow {
        words: &["gates", "g"],
        usage: ":gates",
        help: "show the gates pane",
        writes: false,
    }];

    fn start(start: &crate::tui::pane::Start) -> Self {
        GatesPane::new(start.board)
    }

    fn update(&mut self, _: &Cx, msg: Msg) -> Reply {
        match msg {}
    }

    fn on_action(&mut self, cx: &Cx, action: Action) -> Reply {
        update::update(self, cx, action)
    }

    fn render(
        &self,
        view: &crate::tui::kit::View,
        frame: &mut ratatui::Frame,
        area: ratatui::layout::Rect,
    ) {
        render::render(self, view.checking, view, frame, area)
    }

    fn run(job: Job, _: &mut Jobs<Msg>) {
        match job {}
    }

    fn writes(job: &Job) -> bool {
        match *job {}
    }
}

#[derive(Debug, Clone)]
pub struct GatesPane {
    /// Index into the visible gates.
    pub selected: usize,
    /// The filter (id or title, case-insensitive) and the board indices it lets through.
    rows: Filtered<String>,
}

fn matches(filter: &str, gate: &GateStatus) -> bool {
    let needle = filter.to_lowercase();
    needle.is_empty()
        || gate.id.to_lowercase().contains(&needle)
        || gate.title.to_lowercase().contains(&needle)
}

impl GatesPane {
    pub fn new(board: &Board) -> GatesPane {
        let mut rows = Filtered::new(String::new());
        rows.recompute(board.gates(), |filter, gate| matches(filter, gate));
        GatesPane { selected: 0, rows }
    }

    pub fn filter(&self) -> &str {
        self.rows.filter()
    }

    /// Puts a filter in force; the gates are filtered again only when it differs.
    pub fn set_filter(&mut self, filter: &str, board: &Board) {
        if self.rows.set_filter(filter.to_owned()) {
            self.rows
                .recompute(board.gates(), |filter, gate| matches(filter, gate));
        }
    }

    /// Gates matching the filter, in config order.
    pub fn visible<'b>(&self, board: &'b Board) -> Vec<&'b GateStatus> {
        let gates = board.gates();
        self.rows
            .indices()
            .iter()
            .filter_map(|&i| gates.get(i))
            .collect()
    }

    pub fn visible_len(&self) -> usize {
        self.rows.len()
    }

    pub fn selected_gate<'b>(&self, board: &'b Board) -> Option<&'b GateStatus> {
        let index = *self.rows.indices().get(self.selected)?;
        board.gates().get(index)
    }

    /// How often the gates were filtered (the cache tests watch it).
    pub fn recomputations(&self) -> u64 {
        self.rows.recomputations()
    }
}
