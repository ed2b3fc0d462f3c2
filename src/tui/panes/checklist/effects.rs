//! The Checklist pane's I/O (the decision call): reading the checklist file (a blocking read, off the runtime's
//! threads), reading the shared state, and the writes (tick, vote, freeze) through the same
//! core use cases as the CLI, stamped with the runner's clock; each answer comes back as an
//! action.

use super::{Action, Job, Msg};
use crate::checklist::ChecklistStore;
use crate::checklist::{Item, Tick};
use crate::db::call::db_call;
use crate::decision::DecisionStore;
use crate::decision::{Evidence, Freeze, VoteChoice};
use crate::tui::jobs::{AtQuit, JOURNAL_TIMEOUT, Jobs, Replier, Setup, Tasks};
use std::sync::Arc;

/// Runs the pane's jobs beside the cockpit.
pub fn run(job: Job, jobs: &mut Jobs<Msg>) {
    let (setup, tasks, actions) = (jobs.setup, &mut *jobs.tasks, &jobs.actions);
    match job {
        Job::LoadChecklist => load_checklist(setup, actions, tasks),
        Job::LoadCall => load_call(setup, actions, tasks),
        Job::WriteTick {
            item,
            ticked,
            note,
            current,
        } => write_tick(setup, actions, tasks, item, ticked, note, current),
        Job::WriteVote { role, vote, note } => write_vote(setup, actions, tasks, role, vote, note),
        Job::Freeze {
            evidence,
            override_reason,
        } => freeze(setup, actions, tasks, evidence, override_reason),
    }
}

fn stores(setup: &Setup) -> Option<(ChecklistStore, DecisionStore)> {
    let journal = setup.journal.as_ref()?;
    let pool = journal.pool().clone();
    Some((
        ChecklistStore::new(pool.clone(), journal.launch(), journal.actor()),
        DecisionStore::new(pool, journal.launch(), journal.actor()),
    ))
}

fn load_checklist(setup: &Setup, actions: &Replier<Action>, tasks: &mut Tasks) {
    let config = setup.config.clone();
    let actions = actions.clone();
    tasks.spawn("checklist read", AtQuit::Cancel, async move {
        let read = tokio::task::spawn_blocking(move || crate::checklist::load_configured(&config));
        let result = match read.await {
            Ok(Ok(checklist)) => Ok(Arc::new(checklist)),
            Ok(Err(e)) => Err(e.to_string()),
            Err(e) => Err(format!("the checklist read stopped: {e}")),
        };
        let _ = actions.send(Msg::ChecklistLoaded(result).into());
    });
}

fn load_call(setup: &Setup, actions: &Replier<Action>, tasks: &mut Tasks) {
    let Some((ticks, decisions)) = stores(setup) else {
        return;
    };
    let (actions, redactor) = (actions.clone(), setup.redactor.clone());
    tasks.spawn("decision call read", AtQuit::Cancel, async move {
        let read = crate::decision::call_state(&ticks, &decisions);
        let result = db_call(JOURNAL_TIMEOUT, &redactor, read).await;
        let _ = actions.send(Msg::CallLoaded(result).into());
    });
}

fn no_database(actions: &Replier<Action>) {
    let why = "no database is configured for the decision call";
    let _ = actions.send(Msg::CallWritten(Err(why.into())).into());
}

fn write_tick(
    setup: &Setup,
    actions: &Replier<Action>,
    tasks: &mut Tasks,
    item: Box<Item>,
    ticked: bool,
    note: Option<String>,
    current: Option<Box<Tick>>,
) {
    let Some((store, _)) = stores(setup) else {
        return no_database(actions);
    };
    let (actions, redactor, clock) = (actions.clone(), setup.redactor.clone(), setup.clock);
    tasks.spawn("checklist tick", AtQuit::Finish, async move {
        let now = clock.now();
        let result = if ticked {
            let write = crate::checklist::actions::tick(&store, &item, note.as_deref(), now);
            db_call(JOURNAL_TIMEOUT, &redactor, write).await
        } else {
            let reason = note.unwrap_or_default();
            let write =
                crate::checklist::actions::untick(&store, &item, current.as_deref(), &reason, now);
            db_call(JOURNAL_TIMEOUT, &redactor, write).await
        };
        let said = result.map(|tick| {
            let verb = if tick.ticked { "Ticked" } else { "Unticked" };
            format!("{verb} \"{}\".", tick.text)
        });
        let _ = actions.send(Msg::CallWritten(said).into());
    });
}

fn write_vote(
    setup: &Setup,
    actions: &Replier<Action>,
    tasks: &mut Tasks,
    role: String,
    vote: VoteChoice,
    note: Option<String>,
) {
    let Some((_, store)) = stores(setup) else {
        return no_database(actions);
    };
    let settings = setup.config.raw.decision.clone();
    let (actions, redactor, clock) = (actions.clone(), setup.redactor.clone(), setup.clock);
    tasks.spawn("vote", AtQuit::Finish, async move {
        let now = clock.now();
        let write = crate::decision::vote(&store, &settings, &role, vote, note.as_deref(), now);
        let said = db_call(JOURNAL_TIMEOUT, &redactor, write)
            .await
            .map(|(round, v)| format!("{} votes {} in call {round}.", v.role, v.vote.shout()));
        let _ = actions.send(Msg::CallWritten(said).into());
    });
}

fn freeze(
    setup: &Setup,
    actions: &Replier<Action>,
    tasks: &mut Tasks,
    evidence: Evidence,
    override_reason: Option<String>,
) {
    let Some((_, store)) = stores(setup) else {
        return no_database(actions);
    };
    let settings = setup.config.raw.decision.clone();
    let launch = setup.config.launch().name.0.clone();
    let (actions, redactor, clock) = (actions.clone(), setup.redactor.clone(), setup.clock);
    tasks.spawn("decision freeze", AtQuit::Finish, async move {
        let freeze = Freeze {
            settings: &settings,
            launch: &launch,
            now: clock.now(),
            override_gates: override_reason.as_deref(),
        };
        let write = crate::decision::decide(&store, freeze, evidence);
        let said = db_call(JOURNAL_TIMEOUT, &redactor, write)
            .await
            .map(|record| {
                format!(
                    "Decision {} frozen: {}, record hash {} (keep it outside the database).",
                    record.body.number, record.body.outcome, record.hash
                )
            });
        let _ = actions.send(Msg::CallWritten(said).into());
    });
}
