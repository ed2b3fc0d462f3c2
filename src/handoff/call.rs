//! The decision call's parts of the shift report: the checklist (done since the period began,
//! still open, overdue, removed) and the roll call under way or the newest decision. Read from
//! the same stores as the cockpit; a checklist that cannot be read becomes a line saying why,
//! never a report that fails.

use super::{HandoffReport, Section};
use crate::checklist::ChecklistStore;
use crate::checklist::ItemState;
use crate::config::Config;
use crate::decision::DecisionStore;
use crate::decision::{DecisionHead, RollCall, Vote};
use crate::gate::GateState;
use crate::journal::Journal;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt::Write;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChecklistSection {
    pub done: usize,
    pub total: usize,
    /// Ticked in the period, newest last.
    pub done_since: Vec<ItemLine>,
    /// Not done (overdue ones included).
    pub open: Vec<ItemLine>,
    pub overdue: usize,
    pub removed: Vec<ItemLine>,
    /// Why the checklist could not be read, when it could not.
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemLine {
    pub id: String,
    pub section: Vec<String>,
    pub text: String,
    pub state: Option<ItemState>,
    pub by: Option<String>,
    pub at: Option<DateTime<Utc>>,
    pub due: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallSection {
    pub round: u32,
    pub votes: Vec<(String, Option<Vote>)>,
    pub last: Option<DecisionHead>,
}

/// The checklist and roll-call sections for `report` (empty without a `[checklist]`).
pub async fn sections(journal: &Journal, config: &Config, report: &HandoffReport) -> Vec<Section> {
    let pool = journal.pool().clone();
    let ticks = ChecklistStore::new(pool.clone(), journal.launch(), journal.actor());
    let decisions = DecisionStore::new(pool, journal.launch(), journal.actor());
    let call = crate::decision::call_state(&ticks, &decisions).await;
    let mut out = Vec::new();
    if config.checklist_path.is_some() {
        let section = match (crate::checklist::load_configured(config), &call) {
            (Ok(list), Ok(call)) => {
                let gate = |id: &str| gate_state(report, id);
                let view = crate::checklist::view(
                    &list,
                    &call.ticks,
                    gate,
                    config.launch().decision_at,
                    report.written_at,
                );
                checklist_section(&view, report.period.since)
            }
            (Err(e), _) => failed(e.to_string()),
            (_, Err(e)) => failed(config.redactor.redact(&e.to_string())),
        };
        out.push(Section::Checklist(section));
    }
    // A launch that never used the decision call gets no empty roll call in its report.
    let used = |c: &crate::decision::CallState| {
        config.checklist_path.is_some() || !c.votes.is_empty() || c.last.is_some()
    };
    if let Ok(call) = call
        && used(&call)
    {
        let roll = RollCall::new(&config.raw.decision, call.round, &call.votes);
        out.push(Section::RollCall(CallSection {
            round: roll.round,
            votes: roll.roles,
            last: call.last,
        }));
    }
    out
}

fn gate_state(report: &HandoffReport, id: &str) -> GateState {
    report
        .sections
        .iter()
        .find_map(|s| match s {
            Section::Gates { gates } => gates
                .iter()
                .find(|g| g.id == id)
                .map(|g| if g.stale { GateState::Unknown } else { g.state }),
            _ => None,
        })
        .unwrap_or(GateState::Unknown)
}

fn failed(error: String) -> ChecklistSection {
    ChecklistSection {
        done: 0,
        total: 0,
        done_since: vec![],
        open: vec![],
        overdue: 0,
        removed: vec![],
        error: Some(error),
    }
}

fn checklist_section(
    view: &crate::checklist::ChecklistView,
    since: DateTime<Utc>,
) -> ChecklistSection {
    let line = |section: &[String], i: &crate::checklist::ItemView| ItemLine {
        id: i.id.clone(),
        section: section.to_vec(),
        text: i.text.clone(),
        state: Some(i.state),
        by: i.by.clone(),
        at: i.at,
        due: i.due,
    };
    let mut done_since = Vec::new();
    let mut open = Vec::new();
    for s in &view.sections {
        for i in &s.items {
            if i.state == ItemState::Done && i.at.is_some_and(|at| at >= since) {
                done_since.push(line(&s.path, i));
            } else if !i.state.is_done() {
                open.push(line(&s.path, i));
            }
        }
    }
    done_since.sort_by_key(|l| l.at);
    ChecklistSection {
        done: view.done,
        total: view.total,
        overdue: open
            .iter()
            .filter(|l| l.state == Some(ItemState::Overdue))
            .count(),
        done_since,
        open,
        removed: view
            .removed
            .iter()
            .map(|r| ItemLine {
                id: r.id.clone(),
                section: r.section.clone(),
                text: r.text.clone(),
                state: None,
                by: Some(r.by.clone()),
                at: Some(r.at),
                due: None,
            })
            .collect(),
        error: None,
    }
}

fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

pub fn checklist_markdown(out: &mut String, c: &ChecklistSection) {
    if let Some(error) = &c.error {
        let _ = writeln!(out, "## Checklist\n\nNot available: {error}");
        return;
    }
    let _ = writeln!(
        out,
        "## Checklist: {}/{} done, {} overdue\n",
        c.done, c.total, c.overdue
    );
    let _ = writeln!(
        out,
        "Done since the period began ({}):\n",
        c.done_since.len()
    );
    for l in &c.done_since {
        let by = l.by.as_deref().unwrap_or("?");
        let at = l.at.map(time).unwrap_or_default();
        let _ = writeln!(out, "- [x] {} — {by}, {at}", l.text);
    }
    let _ = writeln!(out, "\nStill open ({}):\n", c.open.len());
    for l in &c.open {
        let overdue = if l.state == Some(ItemState::Overdue) {
            " **overdue**"
        } else {
            ""
        };
        let due = l
            .due
            .map(|d| format!(" (due {})", time(d)))
            .unwrap_or_default();
        let _ = writeln!(out, "- [ ] {}{due}{overdue} `{}`", l.text, l.id);
    }
    for l in &c.removed {
        let _ = writeln!(
            out,
            "\nRemoved from the file (was ticked by {}): {}",
            l.by.as_deref().unwrap_or("?"),
            l.text
        );
    }
}

pub fn call_markdown(out: &mut String, c: &CallSection) {
    if let Some(last) = &c.last {
        let over = if last.gates_overridden {
            ", gates overridden"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "## Decision {}: {}\n\nFrozen {} by {}{over} (`gonogo decision show {}`).\n\n\
             Record hash: `{}` (`gonogo decision verify --expect HASH` checks the chain still \
             holds it).\n",
            last.number,
            last.outcome,
            time(last.decided_at),
            last.decided_by,
            last.number,
            crate::text::sanitize_short(&last.hash, 80)
        );
    }
    let voted = c.votes.iter().filter(|(_, v)| v.is_some()).count();
    if c.last.is_some() && voted == 0 {
        return;
    }
    let _ = writeln!(
        out,
        "## Roll call (call {}): {voted}/{} voted\n",
        c.round,
        c.votes.len()
    );
    for (role, vote) in &c.votes {
        match vote {
            Some(v) => {
                let note = v
                    .note
                    .as_deref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "- **{role}**: {} — {}, {}{note}",
                    v.vote.shout(),
                    v.by,
                    time(v.at)
                );
            }
            None => {
                let _ = writeln!(out, "- **{role}**: not voted yet");
            }
        }
    }
}
