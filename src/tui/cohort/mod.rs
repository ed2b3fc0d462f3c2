//! The Cohort pane's state and logic: loading a cohort file (as an effect), the rows shown after
//! the code filter and the search, and the override of soft findings with a typed reason.
//!
//! `update` delegates the cohort actions here; the event loop runs [`load`] and
//! [`record_override`] (in `effects.rs`) for the matching effects, and tests call them the
//! same way.

mod effects;

pub use effects::{expand_home, load, record_override};

use super::action::{Effect, Pane};
use super::state::{Level, Overlay, State};
use crate::cohort::{self, Code, CohortRow, CohortSettings, LoadedCohort, Status};
use crate::tui::keymap::Command;
use std::path::PathBuf;
use std::sync::Arc;
use tui_input::Input;

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
    pub database_error: Option<String>,
    pub overridden: Override,
}

#[derive(Debug, Clone)]
pub struct CohortPane {
    pub settings: CohortSettings,
    /// `[postgres]` is configured: database checks run and overrides can be journaled.
    pub database: bool,
    pub file: CohortFile,
    /// The last load asked for.
    last_load: LoadId,
    /// Index into [`CohortPane::visible_rows`].
    pub selected: usize,
    pub code_filter: Option<Code>,
    pub search: String,
}

impl CohortPane {
    pub fn new(settings: CohortSettings, database: bool) -> CohortPane {
        CohortPane {
            settings,
            database,
            file: CohortFile::Empty,
            last_load: LoadId(0),
            selected: 0,
            code_filter: None,
            search: String::new(),
        }
    }

    pub fn loaded(&self) -> Option<&LoadedView> {
        match &self.file {
            CohortFile::Loaded(view) => Some(view),
            _ => None,
        }
    }

    /// Rows passing the code filter and the search (email or label, case-insensitive).
    pub fn visible_rows(&self) -> Vec<&CohortRow> {
        let Some(view) = self.loaded() else {
            return Vec::new();
        };
        let needle = self.search.to_lowercase();
        view.cohort
            .0
            .rows
            .iter()
            .filter(|row| {
                self.code_filter
                    .is_none_or(|code| row.codes.contains(&code))
            })
            .filter(|row| {
                needle.is_empty()
                    || row.email.to_lowercase().contains(&needle)
                    || row.cohort.to_lowercase().contains(&needle)
            })
            .collect()
    }

    pub fn selected_row(&self) -> Option<&CohortRow> {
        self.visible_rows().get(self.selected).copied()
    }

    /// Codes that some kept row has, in code order: what the code filter cycles through.
    pub fn row_codes(&self) -> Vec<Code> {
        let Some(view) = self.loaded() else {
            return Vec::new();
        };
        let mut codes: Vec<Code> = view
            .cohort
            .0
            .rows
            .iter()
            .flat_map(|row| row.codes.iter().copied())
            .collect();
        codes.sort();
        codes.dedup();
        codes
    }
}

/// `:cohort PATH` or `--cohort PATH`: starts loading.
pub fn start_load(state: &mut State, path: PathBuf, fx: &mut Vec<Effect>) {
    let shown = shown_path(&path.display().to_string());
    let load = LoadId(state.cohort.last_load.0 + 1);
    state.cohort.last_load = load;
    state.cohort.file = CohortFile::Loading { path: shown, load };
    state.cohort.selected = 0;
    state.cohort.code_filter = None;
    state.cohort.search.clear();
    state.pane = Pane::Cohort;
    fx.push(Effect::LoadCohort { load, path });
}

/// Names a file safely for the screen (a path is typed or given on the command line).
fn shown_path(path: &str) -> String {
    crate::text::sanitize_short(path, 120)
}

pub fn on_loaded(state: &mut State, load: LoadId, result: Result<Loaded, String>) {
    let path = match &state.cohort.file {
        CohortFile::Loading {
            path,
            load: pending,
        } if *pending == load => path.clone(),
        // The answer to an earlier `:cohort` that a later one replaced: whatever it says, the
        // pane keeps showing the newer load.
        _ => return,
    };
    match result {
        Ok(loaded) => {
            let report = &loaded.cohort.0.scan.report;
            let mut text = format!("cohort {}: {}", path, report.summary_line());
            if let Override::Recorded { by, .. } = &loaded.overridden {
                text = format!("{text}; overridden earlier by {by}");
            }
            let level = match report.status {
                Status::Ok => Level::Info,
                _ => Level::Warning,
            };
            state.cohort.file = CohortFile::Loaded(Box::new(LoadedView {
                path: path.clone(),
                cohort: loaded.cohort,
                database_error: loaded.database_error,
                overridden: loaded.overridden,
            }));
            state.say(level, &crate::text::sanitize_short(&text, 200));
        }
        Err(reason) => {
            let text = format!("cohort not loaded: {reason}");
            state.cohort.file = CohortFile::Failed { path, reason };
            state.say(Level::Warning, &text);
        }
    }
    state.cohort.selected = 0;
}

/// Cycles the code filter through the codes rows have, then back to none.
pub fn cycle_code(state: &mut State) {
    let codes = state.cohort.row_codes();
    let next = match state.cohort.code_filter {
        None => codes.first().copied(),
        Some(current) => codes.iter().copied().find(|c| *c > current),
    };
    set_code(state, next);
}

pub fn set_code(state: &mut State, code: Option<Code>) {
    state.cohort.code_filter = code;
    state.cohort.selected = 0;
    state.pane = Pane::Cohort;
    let text = match code {
        Some(code) => format!("cohort rows with {code}"),
        None => "cohort rows: every finding code".to_owned(),
    };
    state.say(Level::Info, &text);
}

/// Why an override cannot start now, if it cannot.
fn override_refusal(state: &State) -> Option<String> {
    if state.pane != Pane::Cohort {
        return Some(format!(
            "overrides are made in the Cohort pane ({})",
            state.keymap.key_of(Command::Cohort)
        ));
    }
    let view = match &state.cohort.file {
        CohortFile::Loaded(view) => view,
        CohortFile::Loading { .. } => return Some("the cohort is still loading".into()),
        _ => return Some("no cohort loaded: :cohort PATH loads one".into()),
    };
    let report = &view.cohort.0.scan.report;
    match report.status {
        Status::Ok => return Some("nothing to override: the cohort is clean".into()),
        Status::Blocked => {
            return Some(format!(
                "blocked: {} hard finding(s) cannot be overridden; fix the file and load it again",
                report.hard_count()
            ));
        }
        Status::Warn => {}
    }
    if !state.cohort.database {
        return Some(
            "no override without a record: add [postgres] to the config so the journal can take it"
                .into(),
        );
    }
    match &view.overridden {
        Override::None | Override::Outdated { .. } => None,
        Override::Recording { .. } => Some("the override is being recorded".into()),
        Override::Recorded { by, .. } => Some(format!("already overridden by {by}")),
    }
}

pub fn start_override(state: &mut State) {
    match override_refusal(state) {
        Some(why) => state.say(Level::Warning, &why),
        None => state.overlays.push(Overlay::Override(Input::default())),
    }
}

/// Enter in the override modal: an empty reason keeps it open.
pub fn submit_override(state: &mut State, fx: &mut Vec<Effect>) {
    let Some(Overlay::Override(input)) = state.overlays.last() else {
        return;
    };
    let reason = crate::text::sanitize_short(input.value().trim(), 500);
    if reason.is_empty() {
        state.say(Level::Warning, "type why these soft findings may pass");
        return;
    }
    state.overlays.pop();
    if let Some(why) = override_refusal(state) {
        state.say(Level::Warning, &why);
        return;
    }
    let CohortFile::Loaded(view) = &mut state.cohort.file else {
        return;
    };
    view.overridden = Override::Recording {
        reason: reason.clone(),
    };
    fx.push(Effect::RecordCohortOverride {
        cohort: view.cohort.clone(),
        reason,
    });
    state.say(Level::Info, "recording the override in the journal…");
}

/// The journal's answer to an override: `Ok(entry id)` or why it failed.
pub fn on_overridden(
    state: &mut State,
    sha256: Option<String>,
    result: Result<i64, String>,
    fx: &mut Vec<Effect>,
) {
    let operator = state.operator.clone();
    let CohortFile::Loaded(view) = &mut state.cohort.file else {
        return;
    };
    if view.cohort.0.scan.report.sha256 != sha256 {
        return;
    }
    let reason = match &view.overridden {
        Override::Recording { reason } => reason.clone(),
        _ => return,
    };
    match result {
        Ok(entry) => {
            view.overridden = Override::Recorded {
                by: operator.clone(),
                reason,
                entry,
            };
            let text = format!("override recorded in the journal (entry {entry}) by {operator}");
            state.say(Level::Info, &text);
            if state.timeline.loading {
                // The read under way may predate the write: read again on the next tick.
                state.timeline.last_request = None;
            } else {
                state.timeline.loading = true;
                fx.push(Effect::LoadTimeline);
            }
        }
        Err(why) => {
            view.overridden = Override::None;
            let text = format!("override NOT recorded, so not applied: {why}");
            state.say(Level::Warning, &text);
        }
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
