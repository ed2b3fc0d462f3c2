//! The Cohort pane's state: the file (loading, failed or loaded with its report), the rows
//! shown after the code filter and the search (kept until the file or the filter change), and
//! where the override of its soft findings stands.
//!
//! Its update (`update.rs`) handles the cohort actions; the event loop runs [`load`] and
//! [`record_override`] (in `effects.rs`) for the matching effects, and tests call them the
//! same way.

mod effects;
pub mod render;
pub mod update;

pub use effects::{expand_home, load, record_override};

use crate::tui::jobs::Jobs;
use crate::tui::kit::View;
use crate::tui::pane::{Cx, PaneKind, PaneTypes};
use ratatui::Frame;
use ratatui::layout::Rect;
use std::path::PathBuf;
use tui_input::{Input, InputRequest};

use crate::cohort::{self, Code, CohortRow, CohortSettings, LoadedCohort};
use crate::tui::completeness::Completeness;
use crate::tui::derived::Filtered;
use crate::tui::keys::{COCKPIT, SAFE, WRITES};
use crate::tui::kit::Command;
use crate::tui::pane::PaletteRow;
use std::sync::Arc;

/// This pane's own keys: free in the other panes.
const HERE: crate::tui::keys::Panes =
    crate::tui::keys::Panes::Only(&[crate::tui::kit::Pane::Cohort]);
crate::tui::keys::commands! { KEYS:
    CohortCode = "cohort_code", ["c"], SAFE, COCKPIT, HERE,
        "cohort rows: next finding code" => Msg::CycleCohortCode.into();
    Override = "override", ["o"], WRITES, COCKPIT, HERE,
        "override cohort soft findings" => Msg::StartCohortOverride.into();
}

/// What the footer offers in this pane, in its words (`Enter` opens a row, `/` searches).
pub const FOOTER: &[(Command, &str)] = &[
    (Command::Help, "help"),
    (Command::Open, "row"),
    (Command::Filter, "search"),
    (Command::CohortCode, "code"),
    (Command::Override, "override"),
    (Command::Palette, "command"),
    (Command::Mask, "mask"),
    (Command::Quit, "quit"),
];

/// The footer over a row's detail.
pub const DETAIL_FOOTER: &[(Command, &str)] = &[
    (Command::Back, "back"),
    (Command::Down, "down"),
    (Command::Up, "up"),
    (Command::Help, "help"),
    (Command::Quit, "quit"),
];

/// What only the Cohort pane handles.
#[derive(Debug, Clone)]
pub enum Msg {
    /// Load (validate) a cohort file into the pane (`:cohort PATH`, `--cohort PATH`).
    LoadCohort(PathBuf),
    /// A load finished: the file and its database checks, or why it could not be read. Only
    /// the answer to the latest load is shown; an earlier one's is dropped.
    CohortLoaded {
        load: LoadId,
        result: Result<Loaded, String>,
    },
    /// Show only rows with the next finding code (then all again).
    CycleCohortCode,
    /// Show only rows with this code (`:cohort-filter CODE`; `None` shows all).
    FilterCohortCode(Option<Code>),
    /// Ask for a reason, then override the loaded cohort's soft findings on the record.
    StartCohortOverride,
    /// The reason typed in the override modal (Enter): record the override with it.
    OverrideCohort { reason: String },
    /// The journal took the override (its entry id) or refused it; `sha256` names the file.
    CohortOverridden {
        sha256: Option<String>,
        result: Result<i64, String>,
    },
}

/// The views the pane opens over itself.
#[derive(Debug, Clone)]
pub enum Modal {
    /// Searching the rows (email or label), typed in the footer.
    Search(Input),
    /// One row: its cells and its findings' messages.
    Row { line: u64, scroll: u16 },
    /// Typing the reason for overriding the soft findings.
    Override(Input),
}

/// The pane's I/O ([`effects::run`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    /// Validate a file (blocking task), then run its database checks; the path as typed
    /// (`~/` is the operator's home, resolved by the runner).
    LoadCohort { load: LoadId, path: PathBuf },
    /// Write a `cohort_override` journal line for this load, with the operator's reason.
    RecordCohortOverride {
        cohort: SharedCohort,
        reason: String,
    },
}

impl PaneTypes for CohortPane {
    type Msg = Msg;
    type Modal = Modal;
    type Job = Job;
}

/// The shared vocabulary in this pane's words (`crate::tui::message`, `crate::tui::pane`).
pub type Action = crate::tui::message::Action<Msg>;
pub type Effect = crate::tui::message::Effect<Job>;
pub type Overlay = crate::tui::overlay::Overlay<Modal, Action>;
pub type Reply = crate::tui::pane::Reply<CohortPane>;
pub type Submit = crate::tui::pane::Submit<CohortPane>;

impl PaneKind for CohortPane {
    const TITLE: &'static str = "Cohort";
    const FOOTER: &'static [(Command, &'static str)] = FOOTER;
    const DETAIL_FOOTER: Option<&'static [(Command, &'static str)]> = Some(DETAIL_FOOTER);
    const KEYS: &'static [crate::tui::keys::Row<Action>] = KEYS;
    const PALETTE: &'static [PaletteRow] = &[
        PaletteRow {
            words: &["cohort", "c"],
            usage: ":cohort [PATH]",
            help: "load a cohort CSV into the cohort pane",
            writes: false,
        },
        PaletteRow {
            words: &["cohort-filter"],
            usage: ":cohort-filter",
            help: "+ CODE: cohort rows with that finding (alone: all)",
            writes: false,
        },
    ];

    fn start(start: &crate::tui::pane::Start) -> Self {
        CohortPane::new(start.config.raw.cohort.clone(), start.database())
    }

    fn update(&mut self, cx: &Cx, msg: Msg) -> Reply {
        update::on_msg(self, cx, msg)
    }

    fn on_action(&mut self, cx: &Cx, action: Action) -> Reply {
        update::update(self, cx, action)
    }

    fn palette(word: &str, arg: &str) -> Option<Result<Action, String>> {
        match word {
            "cohort" | "c" if !arg.is_empty() => Some(Ok(Msg::LoadCohort(arg.into()).into())),
            "cohort-filter" if arg.is_empty() => Some(Ok(Msg::FilterCohortCode(None).into())),
            "cohort-filter" => Some(match crate::cohort::Code::parse(arg) {
                Some(code) => Ok(Msg::FilterCohortCode(Some(code)).into()),
                None => {
                    let known: Vec<&str> = crate::cohort::Code::ALL
                        .iter()
                        .map(|c| c.as_str())
                        .collect();
                    Err(format!(
                        "no finding code `{}`; the codes are {}",
                        crate::text::sanitize_short(arg, 30),
                        known.join(" ")
                    ))
                }
            }),
            _ => None,
        }
    }

    fn modal_context(modal: &Modal) -> crate::tui::keys::Context {
        match modal {
            Modal::Row { .. } => crate::tui::keys::Context::Detail,
            Modal::Search(_) | Modal::Override(_) => crate::tui::keys::Context::TextEntry,
        }
    }

    fn modal_input(&mut self, modal: &mut Modal, request: InputRequest) {
        match modal {
            Modal::Search(input) => {
                input.handle(request);
                self.set_search(input.value());
                self.selected = 0;
            }
            Modal::Override(input) => {
                input.handle(request);
            }
            Modal::Row { .. } => {}
        }
    }

    fn modal_scroll(modal: &mut Modal) -> Option<&mut u16> {
        match modal {
            Modal::Row { scroll, .. } => Some(scroll),
            Modal::Search(_) | Modal::Override(_) => None,
        }
    }

    fn submit(&mut self, modal: &Modal) -> Submit {
        match modal {
            Modal::Override(input) => Submit::Run(
                Msg::OverrideCohort {
                    reason: input.value().to_owned(),
                }
                .into(),
            ),
            Modal::Search(_) => Submit::Close,
            Modal::Row { .. } => Submit::Ignore,
        }
    }

    fn closed(&mut self, modal: Modal) {
        if let Modal::Search(_) = modal {
            self.set_search("");
            self.selected = 0;
        }
    }

    fn confirm(msg: &Msg) -> Option<String> {
        match msg {
            Msg::OverrideCohort { reason } if !reason.trim().is_empty() => {
                Some("override the cohort's soft findings".into())
            }
            _ => None,
        }
    }

    fn render(&self, view: &View, frame: &mut Frame, area: Rect) {
        render::render(self, view, frame, area)
    }

    fn render_modal(&self, view: &View, modal: &Modal, frame: &mut Frame, area: Rect) {
        match modal {
            Modal::Row { line, scroll } => {
                render::row_detail(self, view, frame, area, *line, *scroll)
            }
            Modal::Override(input) => render::override_modal(self, view, frame, area, input),
            // Typed in the footer.
            Modal::Search(_) => {}
        }
    }

    fn run(job: Job, jobs: &mut Jobs<Msg>) {
        effects::run(job, jobs)
    }

    fn writes(job: &Job) -> bool {
        match job {
            Job::LoadCohort { .. } => false,
            Job::RecordCohortOverride { .. } => true,
        }
    }
}

/// Rows kept for the table; the report itself covers the whole file.
pub const ROWS_KEPT: usize = 20_000;

/// A loaded cohort, shared cheaply between the state and an override effect. Two handles are
/// equal when they are the same load.
#[derive(Clone)]
pub struct SharedCohort(pub Arc<LoadedCohort>);

impl PartialEq for SharedCohort {
    fn eq(&self, other: &SharedCohort) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for SharedCohort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SharedCohort({}, {} rows)",
            self.0.path,
            self.0.rows.len()
        )
    }
}

/// Which `:cohort` load an answer belongs to: each load gets the next number, and only the
/// latest one's answer is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadId(pub u64);

/// What a load brings back: the cohort, why the database checks failed if they did, and an
/// override of this very file (same hash) already in the journal.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub cohort: SharedCohort,
    pub database_error: Option<String>,
    pub overridden: Override,
}

/// Where the override of the loaded file stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Override {
    None,
    Recording {
        reason: String,
    },
    Recorded {
        by: String,
        reason: String,
        entry: i64,
    },
    /// The journal has an override of this file, made when its findings were different (the
    /// database checks found other collisions then): it does not cover today's findings.
    Outdated {
        by: String,
        entry: i64,
    },
}

/// The pane's file.
#[derive(Debug, Clone)]
pub enum CohortFile {
    Empty,
    Loading { path: String, load: LoadId },
    Failed { path: String, reason: String },
    Loaded(Box<LoadedView>),
}

#[derive(Debug, Clone)]
pub struct LoadedView {
    pub cohort: SharedCohort,
    /// The file's name as given, safe to draw.
    pub path: String,
    /// Whether the database checks ran: a file they could not check is never shown as clean.
    pub completeness: Completeness,
    pub overridden: Override,
}

/// What the collision checks cover, as the screen names it.
pub const DATABASE_CHECKS: &str = "existing users and pending invites";

/// How much of a load's work ran: the database checks failed (`database_error`), were left
/// out by the config, or ran.
pub fn completeness_of(report: &cohort::Report, database_error: Option<&str>) -> Completeness {
    match (database_error, &report.database) {
        (Some(why), _) => Completeness::Failed {
            what: DATABASE_CHECKS.into(),
            why: format!("the database checks failed: {why}"),
        },
        (None, cohort::DatabaseChecks::Ran { .. }) => Completeness::Complete,
        (None, cohort::DatabaseChecks::Skipped(why)) => Completeness::Skipped {
            what: DATABASE_CHECKS.into(),
            why: why.clone(),
        },
    }
}

/// What the rows table lets through: a finding code, a search (email or label,
/// case-insensitive).
#[derive(Debug, Clone, Default, PartialEq)]
struct RowFilter {
    code: Option<Code>,
    search: String,
    /// The search lower-cased once, not once per row.
    needle: String,
}

fn passes(filter: &RowFilter, row: &CohortRow) -> bool {
    filter.code.is_none_or(|code| row.codes.contains(&code))
        && (filter.needle.is_empty()
            || row.email.to_lowercase().contains(&filter.needle)
            || row.cohort.to_lowercase().contains(&filter.needle))
}

/// The rows of a loaded file (none otherwise).
fn rows_of(file: &CohortFile) -> &[CohortRow] {
    match file {
        CohortFile::Loaded(view) => view.cohort.0.rows.as_slice(),
        _ => &[],
    }
}

#[derive(Debug, Clone)]
pub struct CohortPane {
    pub settings: CohortSettings,
    /// `[postgres]` is configured: database checks run and overrides can be journaled.
    pub database: bool,
    file: CohortFile,
    /// The last load asked for.
    last_load: LoadId,
    /// Index into the visible rows.
    pub selected: usize,
    /// The filter and the indices of the loaded rows it lets through.
    rows: Filtered<RowFilter>,
    /// Codes the report counts or some kept row has, in code order: what the code filter
    /// cycles through.
    codes: Vec<Code>,
}

impl CohortPane {
    pub fn new(settings: CohortSettings, database: bool) -> CohortPane {
        CohortPane {
            settings,
            database,
            file: CohortFile::Empty,
            last_load: LoadId(0),
            selected: 0,
            rows: Filtered::new(RowFilter::default()),
            codes: Vec::new(),
        }
    }

    pub fn file(&self) -> &CohortFile {
        &self.file
    }

    pub fn loaded(&self) -> Option<&LoadedView> {
        match &self.file {
            CohortFile::Loaded(view) => Some(view),
            _ => None,
        }
    }

    fn all_rows(&self) -> &[CohortRow] {
        rows_of(&self.file)
    }

    /// A new file (or none): its rows are filtered again, and the codes to cycle through are
    /// every code the report counts (file-wide ones included) and every code a row has.
    fn set_file(&mut self, file: CohortFile) {
        self.file = file;
        let rows = rows_of(&self.file);
        let counted = match &self.file {
            CohortFile::Loaded(view) => {
                view.cohort.0.scan.report.counts().keys().copied().collect()
            }
            _ => Vec::new(),
        };
        let mut codes: Vec<Code> = rows
            .iter()
            .flat_map(|row| row.codes.iter().copied())
            .chain(counted)
            .collect();
        codes.sort();
        codes.dedup();
        self.codes = codes;
        self.rows.recompute(rows, passes);
    }

    fn set_filter(&mut self, filter: RowFilter) {
        if self.rows.set_filter(filter) {
            self.rows.recompute(rows_of(&self.file), passes);
        }
    }

    pub fn code_filter(&self) -> Option<Code> {
        self.rows.filter().code
    }

    pub fn search(&self) -> &str {
        &self.rows.filter().search
    }

    /// Shows only rows with this code (`None`: every row).
    pub fn set_code(&mut self, code: Option<Code>) {
        let filter = RowFilter {
            code,
            ..self.rows.filter().clone()
        };
        self.set_filter(filter);
    }

    /// Shows only rows whose email or label contains `search` (case-insensitive).
    pub fn set_search(&mut self, search: &str) {
        let filter = RowFilter {
            search: search.to_owned(),
            needle: search.to_lowercase(),
            ..self.rows.filter().clone()
        };
        self.set_filter(filter);
    }

    /// Rows passing the code filter and the search, in file order.
    pub fn visible_rows(&self) -> Vec<&CohortRow> {
        let rows = self.all_rows();
        self.rows
            .indices()
            .iter()
            .filter_map(|&i| rows.get(i))
            .collect()
    }

    pub fn visible_len(&self) -> usize {
        self.rows.len()
    }

    /// The `index`th visible row.
    pub fn visible_row(&self, index: usize) -> Option<&CohortRow> {
        let at = *self.rows.indices().get(index)?;
        self.all_rows().get(at)
    }

    pub fn selected_row(&self) -> Option<&CohortRow> {
        self.visible_row(self.selected)
    }

    /// Codes the report counts or some kept row has, in code order: what the code filter
    /// cycles through.
    pub fn row_codes(&self) -> &[Code] {
        &self.codes
    }

    /// How often the rows were filtered (the cache tests watch it).
    pub fn recomputations(&self) -> u64 {
        self.rows.recomputations()
    }
}

/// Lines the distribution chart wants: a title, one per group (thresholds' groups included),
/// and the rows/labels line.
pub fn chart_lines(pane: &CohortPane) -> u16 {
    match pane.loaded() {
        Some(view) => {
            let report = &view.cohort.0.scan.report;
            let groups = chart_groups(report).len() as u16;
            groups.min(8) + 2
        }
        None => 0,
    }
}

/// Groups to chart: every group found, plus every group with a minimum (at zero if absent).
pub fn chart_groups(report: &cohort::Report) -> Vec<(String, u64, Option<u64>)> {
    let minimums = report.thresholds.group_minimums();
    let mut groups: Vec<(String, u64, Option<u64>)> = report
        .groups
        .iter()
        .map(|(g, n)| (g.clone(), *n, minimums.get(g).copied()))
        .collect();
    for (group, &min) in &minimums {
        if !report.groups.contains_key(group) {
            groups.push((group.clone(), 0, Some(min)));
        }
    }
    groups.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    groups
}
