//! The Dispatch pane's update: reads of the ledger (at start, when another cockpit's change is
//! announced, at most every [`RELOAD_EVERY_MS`]), the state filter, the send and retry
//! confirmations, this cockpit's own run and its pause, and the message detail.

use super::Action;
use super::Reply;
use super::{
    DispatchModal, DispatchPane, Job, MessageRead, Msg, OwnRun, RELOAD_EVERY_MS, SendNews,
    StateFilter,
};
use crate::tui::kit::Level;
use crate::tui::pane::{Cx, movement, step};
use chrono::Duration;
use tui_input::Input;

/// Said instead of a count when the ledger has not been read: never "none" for unchecked.
const NOT_READ: &str = "the ledger is not read yet; try again in a moment";

pub fn update(pane: &mut DispatchPane, cx: &Cx, action: Action) -> Reply {
    match action {
        Action::Tick(now) => {
            let due = pane
                .last_load
                .is_none_or(|at| now - at >= Duration::milliseconds(RELOAD_EVERY_MS));
            if pane.available && !pane.loading && (pane.view.is_none() || pane.stale) && due {
                return load(pane, cx);
            }
            Reply::quiet()
        }
        Action::Open => match pane.selected_row().map(|row| row.id) {
            Some(id) => {
                // Never the previous message's detail while this one is read.
                pane.detail = Some(MessageRead { id, answer: None });
                Reply {
                    effects: vec![Job::LoadMessage(id).into()],
                    open: Some(DispatchModal::Message { scroll: 0 }.into()),
                    ..Reply::default()
                }
            }
            None => Reply::quiet(),
        },
        action => {
            let rows = pane.rows().len();
            let page = crate::tui::layout::list_rows(cx.body, 6);
            match movement(&action, page) {
                Some(delta) => {
                    pane.selected = step(pane.selected, rows, delta);
                    Reply::default()
                }
                None => Reply::unhandled(),
            }
        }
    }
}

/// The pane's own messages.
pub fn on_msg(pane: &mut DispatchPane, cx: &Cx, msg: Msg) -> Reply {
    match msg {
        Msg::LedgerChanged => {
            pane.stale = true;
            let due = pane
                .last_load
                .is_none_or(|at| cx.now - at >= Duration::milliseconds(RELOAD_EVERY_MS));
            if pane.available && !pane.loading && due {
                return load(pane, cx);
            }
            Reply::quiet()
        }
        Msg::DispatchLoaded(result) => {
            pane.loading = false;
            match result {
                Ok(view) => {
                    pane.view = Some(*view);
                    pane.error = None;
                    let rows = pane.rows().len();
                    pane.selected = pane.selected.min(rows.saturating_sub(1));
                }
                Err(why) => pane.error = Some(why),
            }
            Reply::default()
        }
        Msg::CycleDispatchFilter => {
            pane.filter = pane.filter.next();
            pane.selected = 0;
            Reply::say(
                Level::Info,
                format!("dispatch log: {} messages", pane.filter.label()),
            )
        }
        Msg::ReviewUnknown if pane.view.is_none() => Reply::say(Level::Info, NOT_READ),
        Msg::RetryFailed if pane.view.is_none() => Reply::say(Level::Info, NOT_READ),
        Msg::ReviewUnknown => {
            pane.filter = StateFilter::Unknown;
            pane.selected = 0;
            let n = pane.totals().unknown;
            Reply::say(
                Level::Info,
                format!(
                    "{} in doubt: never resent by a run; settle each with `gonogo invites resolve EMAIL --as sent|retry --reason …`",
                    crate::plural::count(n, "message")
                ),
            )
        }
        Msg::StartSend => start_send(pane),
        Msg::SendInvites { batch, count } => {
            if pane.sending_here() {
                return Reply::say(Level::Warning, "this cockpit is already sending");
            }
            pane.run = Some(OwnRun::Running {
                since: cx.now,
                sent: 0,
                failed: 0,
                unknown: 0,
                last: None,
            });
            Reply {
                effects: vec![Job::StartSend { batch }.into()],
                say: Some((
                    Level::Info,
                    format!(
                        "sending {}: p pauses",
                        crate::plural::count(count, "message")
                    ),
                )),
                close: true,
                ..Reply::default()
            }
        }
        Msg::PauseSend => {
            if !matches!(pane.run, Some(OwnRun::Running { .. })) {
                return Reply::say(Level::Info, "this cockpit is not sending");
            }
            pane.run = Some(OwnRun::Stopping);
            Reply {
                effects: vec![Job::PauseSend.into()],
                say: Some((
                    Level::Info,
                    "pausing: the message in flight finishes first".into(),
                )),
                ..Reply::default()
            }
        }
        Msg::RetryFailed => {
            let count = pane.totals().failed;
            if count == 0 {
                return Reply::say(Level::Info, "no failed message to retry");
            }
            Reply::open(
                DispatchModal::ConfirmRetry {
                    count,
                    input: Input::default(),
                }
                .into(),
            )
        }
        Msg::RetryFailedConfirmed { count } => Reply {
            effects: vec![Job::RetryFailed.into()],
            say: Some((
                Level::Info,
                format!(
                    "putting {} back to be sent…",
                    crate::plural::count(count, "failed message")
                ),
            )),
            close: true,
            ..Reply::default()
        },
        Msg::RetryDone(Ok(moved)) => Reply::say(
            Level::Info,
            format!(
                "{} back to be sent; press s to send",
                crate::plural::count(moved, "failed message")
            ),
        ),
        Msg::RetryDone(Err(why)) => Reply::say(
            Level::Warning,
            format!(
                "failed messages not put back: {}",
                crate::text::sanitize_short(&why, 200)
            ),
        ),
        Msg::DispatchNews(news) => {
            news_arrived(pane, news);
            pane.stale = true;
            Reply::default()
        }
        Msg::MessageLoaded(result) => {
            let Some(asked) = pane.detail.as_mut() else {
                return Reply::quiet();
            };
            match result {
                // A late answer for a message no longer open is dropped.
                Ok(detail) if detail.row.id != asked.id => return Reply::quiet(),
                Ok(detail) => asked.answer = Some(Ok(*detail)),
                // An error answers the one open (reads are one at a time per Enter).
                Err(why) => asked.answer = Some(Err(why)),
            }
            Reply::default()
        }
    }
}

fn load(pane: &mut DispatchPane, cx: &Cx) -> Reply {
    pane.loading = true;
    pane.stale = false;
    pane.last_load = Some(cx.now);
    Reply {
        effects: vec![Job::LoadDispatch.into()],
        quiet: true,
        ..Reply::default()
    }
}

/// `s`: the count typed to confirm, in every environment (production then also asks for the
/// launch name).
fn start_send(pane: &mut DispatchPane) -> Reply {
    if !pane.available {
        return Reply::say(Level::Warning, pane.unavailable.clone());
    }
    if pane.sending_here() {
        return Reply::say(Level::Info, "already sending from this cockpit; p pauses");
    }
    let count = pane.prepared();
    if pane.view.is_none() {
        return Reply::say(Level::Info, NOT_READ);
    }
    if count == 0 {
        let unknown = pane.totals().unknown;
        let more = if unknown > 0 {
            format!(" ({unknown} unknown: settle them with `gonogo invites resolve`)")
        } else {
            String::new()
        };
        return Reply::say(
            Level::Info,
            format!(
                "nothing prepared to send{more}; `gonogo invites prepare COHORT.csv` prepares a batch"
            ),
        );
    }
    Reply::open(
        DispatchModal::ConfirmSend {
            count,
            batch: None,
            input: Input::default(),
        }
        .into(),
    )
}

fn news_arrived(pane: &mut DispatchPane, news: SendNews) {
    match news {
        SendNews::Started { .. } | SendNews::Waiting { .. } => {}
        SendNews::Message {
            email,
            state,
            detail,
        } => {
            if let Some(OwnRun::Running {
                sent,
                failed,
                unknown,
                last,
                ..
            }) = &mut pane.run
            {
                match state {
                    "sent" => *sent += 1,
                    "failed" => *failed += 1,
                    "unknown" => *unknown += 1,
                    _ => {}
                }
                *last = Some(format!("{state} {email}: {detail}"));
            }
        }
        SendNews::Ended(result) => pane.run = Some(OwnRun::Ended(result)),
    }
}

/// What the modal's Enter does: the typed number must be the count.
pub fn submit(modal: &DispatchModal) -> Result<Msg, String> {
    match modal {
        DispatchModal::ConfirmSend {
            count,
            batch,
            input,
        } => {
            if input.value().trim() == count.to_string() {
                Ok(Msg::SendInvites {
                    batch: batch.clone(),
                    count: *count,
                })
            } else {
                Err(format!(
                    "type {count} to send {count} message(s), or Esc to go back"
                ))
            }
        }
        DispatchModal::ConfirmRetry { count, input } => {
            if input.value().trim() == count.to_string() {
                Ok(Msg::RetryFailedConfirmed { count: *count })
            } else {
                Err(format!("type {count} to retry them, or Esc to go back"))
            }
        }
        DispatchModal::Message { .. } => Err(String::new()),
    }
}
