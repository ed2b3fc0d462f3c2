//! The Cohort pane's part of `update`: loading a file (as an effect) and taking the answer, the
//! code filter, the selection and a row's detail, and overriding soft findings with a typed
//! reason (refused when blocked or without a journal).

use super::Action;
use super::Reply;
use super::{
    CohortFile, CohortPane, Job, LoadId, Loaded, LoadedView, Modal, Msg, Override, chart_lines,
    completeness_of,
};
use crate::cohort::{Code, Status};
use crate::tui::completeness::Completeness;
use crate::tui::format::counted;
use crate::tui::kit::Command;
use crate::tui::kit::Level;
use crate::tui::kit::Pane;
use crate::tui::layout;
use crate::tui::pane::{Cx, movement, step};
use std::path::PathBuf;
use tui_input::Input;

pub fn update(pane: &mut CohortPane, cx: &Cx, action: Action) -> Reply {
    let table = layout::cohort(cx.body, chart_lines(pane)).table;
    let page = layout::list_rows(table, layout::COHORT_TABLE_HEADER_ROWS);
    if let Some(delta) = movement(&action, page) {
        pane.selected = step(pane.selected, pane.visible_len(), delta);
        return Reply::default();
    }
    match action {
        Action::Open => match pane.selected_row() {
            Some(row) => Reply::open(
                Modal::Row {
                    line: row.line,
                    scroll: 0,
                }
                .into(),
            ),
            None => Reply::default(),
        },
        Action::StartFilter => {
            Reply::open(Modal::Search(Input::new(pane.search().to_owned())).into())
        }
        Action::Click { row, .. } => {
            let hit = layout::list_index_at(
                table,
                layout::COHORT_TABLE_HEADER_ROWS,
                pane.selected,
                pane.visible_len(),
                row,
            );
            match hit {
                Some(i) => {
                    pane.selected = i;
                    Reply::default()
                }
                None => Reply::quiet(),
            }
        }
        _ => Reply::unhandled(),
    }
}

/// The pane's own messages.
pub fn on_msg(pane: &mut CohortPane, cx: &Cx, msg: Msg) -> Reply {
    match msg {
        Msg::LoadCohort(path) => start_load(pane, path),
        Msg::CohortLoaded { load, result } => on_loaded(pane, load, result),
        Msg::CycleCohortCode => {
            let codes = pane.row_codes();
            let next = match pane.code_filter() {
                None => codes.first().copied(),
                Some(current) => codes.iter().copied().find(|c| *c > current),
            };
            set_code(pane, next)
        }
        Msg::FilterCohortCode(code) => set_code(pane, code),
        Msg::StartCohortOverride => match override_refusal(pane, cx) {
            Some(why) => Reply::say(Level::Warning, why),
            None => Reply::open(Modal::Override(Input::default()).into()),
        },
        Msg::OverrideCohort { reason } => submit_override(pane, cx, &reason),
        Msg::CohortOverridden { sha256, result } => on_overridden(pane, cx, sha256, result),
    }
}

/// `:cohort PATH` or `--cohort PATH`: starts loading.
fn start_load(pane: &mut CohortPane, path: PathBuf) -> Reply {
    let shown = shown_path(&path.display().to_string());
    let load = LoadId(pane.last_load.0 + 1);
    pane.last_load = load;
    pane.set_filter(Default::default());
    pane.set_file(CohortFile::Loading { path: shown, load });
    pane.selected = 0;
    Reply {
        effects: vec![Job::LoadCohort { load, path }.into()],
        show: true,
        ..Reply::default()
    }
}

/// Names a file safely for the screen (a path is typed or given on the command line).
fn shown_path(path: &str) -> String {
    crate::text::sanitize_short(path, 120)
}

fn on_loaded(pane: &mut CohortPane, load: LoadId, result: Result<Loaded, String>) -> Reply {
    let path = match &pane.file {
        CohortFile::Loading {
            path,
            load: pending,
        } if *pending == load => path.clone(),
        // The answer to an earlier `:cohort` that a later one replaced: whatever it says, the
        // pane keeps showing the newer load.
        _ => return Reply::default(),
    };
    let reply = match result {
        Ok(loaded) => {
            let report = &loaded.cohort.0.scan.report;
            let completeness = completeness_of(report, loaded.database_error.as_deref());
            let text = loaded_sentence(&path, report, &completeness, &loaded.overridden);
            let level = match (report.status, completeness.failed()) {
                (Status::Ok, false) => Level::Info,
                _ => Level::Warning,
            };
            pane.set_file(CohortFile::Loaded(Box::new(LoadedView {
                path: path.clone(),
                cohort: loaded.cohort,
                completeness,
                overridden: loaded.overridden,
            })));
            Reply::say(level, crate::text::sanitize_short(&text, 200))
        }
        Err(reason) => {
            let text = format!("cohort not loaded: {reason}");
            pane.set_file(CohortFile::Failed { path, reason });
            Reply::say(Level::Warning, text)
        }
    };
    pane.selected = 0;
    reply
}

/// The one sentence said when a file is loaded: its counts, and what was not checked.
fn loaded_sentence(
    path: &str,
    report: &crate::cohort::Report,
    completeness: &Completeness,
    overridden: &Override,
) -> String {
    let counts = format!(
        "{} rows, {} valid, {}",
        report.rows,
        report.valid_rows,
        findings_phrase(report)
    );
    if completeness.failed() {
        return format!("cohort {path} is not cleared: the database checks did not run; {counts}");
    }
    let mut text = format!("cohort {path}: {}: {counts}", report.status);
    if let Override::Recorded { by, .. } = overridden {
        text.push_str(&format!("; overridden earlier by {by}"));
    }
    text
}

/// `2 hard findings, 1 soft finding`; `no findings`.
pub fn findings_phrase(report: &crate::cohort::Report) -> String {
    let counted =
        |n: u64, kind: &str| counted(n, &format!("{kind} finding"), &format!("{kind} findings"));
    let parts: Vec<String> = [(report.hard_count(), "hard"), (report.soft_count(), "soft")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, kind)| counted(n, kind))
        .collect();
    if parts.is_empty() {
        "no findings".to_owned()
    } else {
        parts.join(", ")
    }
}

fn set_code(pane: &mut CohortPane, code: Option<Code>) -> Reply {
    pane.set_code(code);
    pane.selected = 0;
    let text = match code {
        Some(code) => format!("cohort rows with {code}"),
        None => "cohort rows: every finding code".to_owned(),
    };
    Reply {
        show: true,
        ..Reply::say(Level::Info, text)
    }
}

/// Why an override cannot start now, if it cannot.
fn override_refusal(pane: &CohortPane, cx: &Cx) -> Option<String> {
    if cx.shown != Pane::Cohort {
        return Some(format!(
            "overrides are made in the Cohort pane, which {} shows",
            cx.keys.key_of(Command::Cohort)
        ));
    }
    let view = match &pane.file {
        CohortFile::Loaded(view) => view,
        CohortFile::Loading { .. } => return Some("the cohort is still loading".into()),
        _ => return Some("no cohort loaded: :cohort PATH loads one".into()),
    };
    let report = &view.cohort.0.scan.report;
    if view.completeness.failed() {
        return Some(
            "no override while the database checks have not run; load the file again once the database answers"
                .into(),
        );
    }
    match report.status {
        Status::Ok => return Some("nothing to override: the cohort is clean".into()),
        Status::Blocked => {
            return Some(format!(
                "blocked: {} cannot be overridden; fix the file and load it again",
                counted(report.hard_count(), "hard finding", "hard findings")
            ));
        }
        Status::Warn => {}
    }
    if !pane.database {
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

/// Enter in the override modal: an empty reason keeps it open.
fn submit_override(pane: &mut CohortPane, cx: &Cx, reason: &str) -> Reply {
    let reason = crate::text::sanitize_short(reason.trim(), 500);
    if reason.is_empty() {
        return Reply::say(Level::Warning, "type why these soft findings may pass");
    }
    if let Some(why) = override_refusal(pane, cx) {
        return Reply {
            close: true,
            ..Reply::say(Level::Warning, why)
        };
    }
    let CohortFile::Loaded(view) = &mut pane.file else {
        return Reply {
            close: true,
            ..Reply::default()
        };
    };
    view.overridden = Override::Recording {
        reason: reason.clone(),
    };
    Reply {
        effects: vec![
            Job::RecordCohortOverride {
                cohort: view.cohort.clone(),
                reason,
            }
            .into(),
        ],
        close: true,
        ..Reply::say(Level::Info, "recording the override in the journal…")
    }
}

/// The journal's answer to an override: `Ok(entry id)` or why it failed.
fn on_overridden(
    pane: &mut CohortPane,
    cx: &Cx,
    sha256: Option<String>,
    result: Result<i64, String>,
) -> Reply {
    let CohortFile::Loaded(view) = &mut pane.file else {
        return Reply::default();
    };
    if view.cohort.0.scan.report.sha256 != sha256 {
        return Reply::default();
    }
    let reason = match &view.overridden {
        Override::Recording { reason } => reason.clone(),
        _ => return Reply::default(),
    };
    match result {
        Ok(entry) => {
            let operator = cx.operator.to_owned();
            let text = format!("override recorded in the journal as entry {entry} by {operator}");
            view.overridden = Override::Recorded {
                by: operator,
                reason,
                entry,
            };
            Reply {
                then: vec![Action::JournalWritten],
                ..Reply::say(Level::Info, text)
            }
        }
        Err(why) => {
            view.overridden = Override::None;
            Reply::say(
                Level::Warning,
                format!("override NOT recorded, so not applied: {why}"),
            )
        }
    }
}
