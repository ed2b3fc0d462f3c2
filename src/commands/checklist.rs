//! `gonogo checklist [--json] [--open] [--due DUR]` and `gonogo checklist tick|untick ITEM`:
//! the decision call's checklist from the command line. Gate-bound items are verified by one
//! check of their gates; exit 0 when every item is done, 2 otherwise (for cron).

use super::journal_cmd::open_journal;
use super::{Failure, Outcome, load_config};
use crate::checklist::ChecklistStore;
use crate::checklist::{self, ChecklistView, ItemState, ItemView, Tick};
use crate::cli::{ChecklistAction, ChecklistArgs, Cli};
use crate::clock::rfc3339;
use crate::config::Config;
use crate::db::{DbError, DbErrorKind};
use crate::exit;
use crate::gate::{Board, GateState};
use chrono::{DateTime, Utc};

pub async fn run(cli: &Cli, args: &ChecklistArgs) -> Outcome {
    match &args.action {
        Some(ChecklistAction::Tick {
            item,
            note,
            confirm,
        }) => change(cli, item, Change::Tick(note.as_deref()), confirm).await,
        Some(ChecklistAction::Untick {
            item,
            reason,
            confirm,
        }) => change(cli, item, Change::Untick(reason), confirm).await,
        None => show(cli, args).await,
    }
}

/// A database error as a failure, with the migration hint when gonogo's tables are missing.
pub(super) fn db_failure(config: &Config, e: &DbError) -> Failure {
    let failure = Failure::db(&config.redactor, e);
    match e.kind {
        DbErrorKind::MissingTable => Failure::new(
            failure.code,
            "gonogo's decision-call tables do not exist yet; run `gonogo migrate`",
        ),
        _ => failure,
    }
}

fn checklist_failure(e: &checklist::ChecklistError) -> Failure {
    Failure::new(e.exit_code(), e.to_string())
}

enum Change<'a> {
    Tick(Option<&'a str>),
    Untick(&'a str),
}

async fn change(
    cli: &Cli,
    query: &str,
    change: Change<'_>,
    confirm: &crate::cli::ConfirmArgs,
) -> Outcome {
    let (config, journal) = open_journal(cli, "checklist tick").await?;
    let list = checklist::load_configured(&config).map_err(|e| checklist_failure(&e))?;
    let item =
        checklist::find(&list, query).map_err(|e| Failure::new(e.exit_code(), e.to_string()))?;
    if let Some(gate) = &item.gate {
        let e = checklist::ActionError::GateBound {
            text: item.text.clone(),
            gate: gate.clone(),
        };
        return Err(Failure::new(e.exit_code(), e.to_string()));
    }
    let what = match change {
        Change::Tick(_) => "the tick",
        Change::Untick(_) => "the untick",
    };
    super::confirm::confirm(config.launch(), what, confirm)?;
    let store = ChecklistStore::new(journal.pool().clone(), journal.launch(), journal.actor());
    let now = Utc::now();
    let result = match change {
        Change::Tick(note) => checklist::actions::tick(&store, item, note, now).await,
        Change::Untick(reason) => {
            let ticks = store.ticks().await.map_err(|e| db_failure(&config, &e))?;
            let current = ticks.iter().find(|t| t.item_key == item.key);
            checklist::actions::untick(&store, item, current, reason, now).await
        }
    };
    let tick = result.map_err(|e| match &e {
        checklist::ActionError::Db(db) => db_failure(&config, db),
        other => Failure::new(other.exit_code(), other.to_string()),
    })?;
    let verb = if tick.ticked { "ticked" } else { "unticked" };
    outln!("{verb} \"{}\" ({}) as {}", tick.text, tick.item_id, tick.by);
    Ok(exit::OK)
}

async fn show(cli: &Cli, args: &ChecklistArgs) -> Outcome {
    let now = Utc::now();
    let within = args
        .due
        .as_deref()
        .map(|d| crate::config::window_end("--due", d, now).map_err(Failure::usage))
        .transpose()?;
    let config = load_config(cli)?.config;
    let list = checklist::load_configured(&config).map_err(|e| checklist_failure(&e))?;
    let ticks: Vec<Tick> = match &config.raw.postgres {
        Some(_) => {
            let (config, journal) = open_journal(cli, "checklist").await?;
            let store =
                ChecklistStore::new(journal.pool().clone(), journal.launch(), journal.actor());
            store.ticks().await.map_err(|e| db_failure(&config, &e))?
        }
        None => {
            errln!(
                "note: no [postgres] in the config: ticks are not shared, only the file's [x] show"
            );
            Vec::new()
        }
    };
    let board = check_bound_gates(&config, &list).await?;
    let state = |gate: &str| board.get(gate).map_or(GateState::Unknown, |g| g.state);
    let view = checklist::view(&list, &ticks, state, config.launch().decision_at, now);
    let shown = filtered(&view, args.open, within);
    if args.json {
        super::output::print_json(&shown)?;
    } else {
        print_text(&shown, list.title.as_deref());
    }
    Ok(if view.all_done() {
        exit::OK
    } else {
        exit::UNKNOWN
    })
}

/// One check of the gates the checklist's items are bound to.
async fn check_bound_gates(config: &Config, list: &checklist::Checklist) -> Result<Board, Failure> {
    let bound = list.gates();
    let specs: Vec<_> = config
        .gates
        .iter()
        .filter(|g| bound.contains(&g.id))
        .cloned()
        .collect();
    let clock = crate::clock::Clock::System;
    let mut board = Board::new(&specs, clock.now());
    if specs.is_empty() {
        return Ok(board);
    }
    let sources = crate::source::Sources::new(config)?;
    for result in crate::monitor::run_once(&sources, &specs, &clock).await {
        board.apply(result);
    }
    Ok(board)
}

/// The view with only the items asked for (sections keep their done/total).
fn filtered(view: &ChecklistView, open: bool, due_by: Option<DateTime<Utc>>) -> ChecklistView {
    let keep = |item: &ItemView| {
        let not_done = !item.state.is_done();
        (!open || not_done) && due_by.is_none_or(|by| not_done && item.due.is_some_and(|d| d <= by))
    };
    let mut shown = view.clone();
    for section in &mut shown.sections {
        section.items.retain(keep);
    }
    if open || due_by.is_some() {
        shown.sections.retain(|s| !s.items.is_empty());
    }
    shown
}

/// `[x]`, `[✓]`, `[ ]`, `[!]` and what is known about the item.
pub(crate) fn mark(state: ItemState) -> &'static str {
    match state {
        ItemState::Done => "[x]",
        ItemState::Verified => "[✓]",
        ItemState::Open => "[ ]",
        ItemState::Overdue => "[!]",
    }
}

fn print_text(view: &ChecklistView, title: Option<&str>) {
    if let Some(title) = title {
        outln!("{title}");
    }
    for section in &view.sections {
        let path = if section.path.is_empty() {
            "(no section)".to_owned()
        } else {
            section.path.join(" › ")
        };
        outln!("\n{path}  {}/{}", section.done, section.total);
        for item in &section.items {
            outln!(
                "{}{} {}  {}{}",
                "  ".repeat(item.depth + 1),
                mark(item.state),
                item.id,
                item.text,
                details(item)
            );
        }
    }
    for removed in &view.removed {
        outln!(
            "\nremoved from the file (was ticked by {} at {}): \"{}\" ({})",
            removed.by,
            rfc3339(removed.at),
            removed.text,
            removed.id
        );
    }
    outln!("\n{}/{} done", view.done, view.total);
}

fn details(item: &ItemView) -> String {
    let mut parts = Vec::new();
    match (item.state, &item.gate) {
        (ItemState::Verified, Some(gate)) => parts.push(format!("verified by gate {gate}")),
        (_, Some(gate)) => parts.push(format!(
            "gate {gate} is {}",
            item.gate_state.unwrap_or(GateState::Unknown)
        )),
        _ => {}
    }
    if item.gate.is_none()
        && let (Some(by), Some(at)) = (&item.by, item.at)
    {
        let verb = if item.state == ItemState::Done {
            "ticked"
        } else {
            "unticked"
        };
        parts.push(format!("{verb} by {by} at {}", rfc3339(at)));
    } else if item.gate.is_none() && item.by.is_some() {
        parts.push("done in the file".to_owned());
    }
    if let Some(note) = &item.note {
        parts.push(format!("note: {note}"));
    }
    if let Some(due) = item.due
        && !item.state.is_done()
    {
        let word = if item.state == ItemState::Overdue {
            "overdue since"
        } else {
            "due"
        };
        parts.push(format!("{word} {}", rfc3339(due)));
    }
    if let Some(role) = &item.role {
        parts.push(format!("owner {role}"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" — {}", parts.join("; "))
    }
}
