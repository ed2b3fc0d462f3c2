//! The Dispatch pane's I/O: ledger reads for the pane, one message's detail, and this
//! cockpit's send run (a long-lived task whose progress comes back as the pane's messages;
//! pausing and quitting cancel it, and it finishes the message in flight before it stops).

use super::Action;
use super::{Job, Msg};
use super::{LOG_ROWS, SendNews};
use crate::db::call::db_call;
use crate::invite::{self, RunProgress, SendOptions};
use crate::text::Redactor;
use crate::tui::jobs::Dispatch;
use crate::tui::jobs::{AtQuit, Jobs, Replier, Tasks};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs the pane's jobs; without `[invites]` and a database there is nothing to run them on.
pub fn run(job: Job, jobs: &mut Jobs<Msg>) {
    if let Job::PauseSend = job {
        if let Some(token) = jobs.long_run.take() {
            token.cancel();
        }
        return;
    }
    let Some(d) = &jobs.setup.dispatch else {
        return;
    };
    let (actions, redactor) = (jobs.actions.clone(), jobs.setup.redactor.clone());
    match job {
        Job::LoadDispatch => load(jobs.tasks, d, actions, redactor),
        Job::LoadMessage(id) => load_message(jobs.tasks, d, id, actions, redactor),
        Job::StartSend { batch } => {
            *jobs.long_run = Some(start(jobs.tasks, d, batch, actions, redactor));
        }
        Job::RetryFailed => retry_failed(jobs.tasks, d, actions, redactor),
        Job::PauseSend => {}
    }
}

pub fn load(tasks: &mut Tasks, dispatch: &Dispatch, actions: Replier<Action>, redactor: Redactor) {
    let ledger = dispatch.ledger.clone();
    tasks.spawn("dispatch read", AtQuit::Cancel, async move {
        let read = invite::status::view(&ledger, LOG_ROWS);
        let result = db_call(READ_TIMEOUT, &redactor, read).await.map(Box::new);
        let _ = actions.send(Msg::DispatchLoaded(result).into());
    });
}

pub fn load_message(
    tasks: &mut Tasks,
    dispatch: &Dispatch,
    id: i64,
    actions: Replier<Action>,
    redactor: Redactor,
) {
    let (ledger, setup) = (dispatch.ledger.clone(), dispatch.setup.clone());
    tasks.spawn("message read", AtQuit::Cancel, async move {
        let read = invite::status::message(&ledger, &setup, id);
        let result = match tokio::time::timeout(READ_TIMEOUT, read).await {
            Ok(result) => result.map(Box::new).map_err(|e| redactor.redact(&e)),
            Err(_) => Err("the database did not answer in time".into()),
        };
        let _ = actions.send(Msg::MessageLoaded(result).into());
    });
}

pub fn retry_failed(
    tasks: &mut Tasks,
    dispatch: &Dispatch,
    actions: Replier<Action>,
    redactor: Redactor,
) {
    let (ledger, operator) = (dispatch.ledger.clone(), dispatch.journal.actor().to_owned());
    tasks.spawn("retry failed", AtQuit::Finish, async move {
        let why = format!("retry asked by {operator} in the cockpit");
        let moved = db_call(READ_TIMEOUT, &redactor, ledger.retry_failed(None, &why)).await;
        if let Err(why) = &moved {
            tracing::warn!("retrying failed messages: {why}");
        }
        let _ = actions.send(Msg::RetryDone(moved).into());
        let _ = actions.send(Msg::LedgerChanged.into());
    });
}

/// Starts a send run; the token it returns pauses it.
pub fn start(
    tasks: &mut Tasks,
    dispatch: &Dispatch,
    batch: Option<String>,
    actions: Replier<Action>,
    redactor: Redactor,
) -> CancellationToken {
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    let dispatch = dispatch.clone();
    tasks.spawn("send run", AtQuit::Finish, async move {
        let options = SendOptions {
            batch,
            limit: None,
            rate: dispatch.setup.settings.rate,
            operator: dispatch.journal.actor().to_owned(),
            wait_for_retries: true,
        };
        let (progress_tx, mut progress) = tokio::sync::mpsc::unbounded_channel();
        let forward = {
            let actions = actions.clone();
            async move {
                while let Some(p) = progress.recv().await {
                    let news = match p {
                        RunProgress::Started {
                            others, settled, ..
                        } => SendNews::Started {
                            others: others.len(),
                            settled,
                        },
                        RunProgress::Message {
                            email,
                            state,
                            detail,
                            ..
                        } => SendNews::Message {
                            email,
                            state,
                            detail,
                        },
                        RunProgress::Waiting { for_secs } => SendNews::Waiting { for_secs },
                    };
                    if actions.send(Msg::DispatchNews(news).into()).is_err() {
                        break;
                    }
                }
            }
        };
        let run = invite::send::run(
            &dispatch.setup,
            &dispatch.ledger,
            &dispatch.journal,
            &options,
            progress_tx,
            stop,
        );
        let (result, ()) = tokio::join!(run, forward);
        let result = result.map_err(|e| redactor.redact(&e.to_string()));
        let _ = actions.send(Msg::DispatchNews(SendNews::Ended(result)).into());
    });
    cancel
}
