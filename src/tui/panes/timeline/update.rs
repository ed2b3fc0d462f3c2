//! The Timeline pane's part of `update`: the selection, opening a row (its gate, or the line in
//! full), re-checking its gate, clicks, and reading the shared journal: the newest lines once,
//! then only the lines after the last one read, when the live listener says one was written
//! (or every few seconds while it is paused), so nothing is ever read twice.

use super::Overlay;
use super::Reply;
use super::{APPEND_PAGE, Job, Live, Msg, Timeline, TimelineEntry, TimelineSource};
use super::{Action, Effect};
use crate::journal::LiveSignal;
use crate::tui::kit::Level;
use crate::tui::layout;
use crate::tui::pane::{Cx, movement, step};
use chrono::Duration;

/// How often the timeline reads the shared journal while live updates are paused.
pub const TIMELINE_REFRESH_SECONDS: i64 = 5;

pub fn update(timeline: &mut Timeline, cx: &Cx, action: Action) -> Reply {
    let len = timeline.rows().len();
    let page = layout::list_rows(cx.body, layout::TIMELINE_HEADER_ROWS);
    if let Some(delta) = movement(&action, page) {
        timeline.select(step(timeline.selected, len, delta));
        return Reply::default();
    }
    let selected_gate = timeline
        .rows()
        .get(timeline.selected)
        .and_then(|e| e.gate.clone());
    match action {
        Action::Open => match selected_gate.filter(|g| cx.spec(g).is_some()) {
            Some(gate) => Reply::open(Overlay::Detail { gate, scroll: 0 }),
            None => match timeline.selected_row() {
                Some(row) => Reply::open(Overlay::Report {
                    title: format!("{} · {}", row.kind.replace('_', " "), row.actor),
                    text: row.full_text(),
                    scroll: 0,
                }),
                None => Reply::default(),
            },
        },
        Action::Recheck => match selected_gate {
            Some(gate) => Reply {
                then: vec![Action::RecheckGate(gate)],
                quiet: true,
                ..Reply::default()
            },
            None => Reply::quiet(),
        },
        Action::Click { row, .. } => {
            let hit = layout::list_index_at(
                cx.body,
                layout::TIMELINE_HEADER_ROWS,
                timeline.selected,
                len,
                row,
            );
            match hit {
                Some(i) => {
                    timeline.select(i);
                    Reply::default()
                }
                None => Reply::quiet(),
            }
        }
        Action::Tick(now) => tick(timeline, now),
        Action::JournalWritten => journal_written(timeline),
        _ => Reply::unhandled(),
    }
}

/// The journal's answers and the writer's news.
pub fn on_msg(timeline: &mut Timeline, cx: &Cx, msg: Msg) -> Reply {
    match msg {
        Msg::JournalRecorded(Ok(_)) => journal_written(timeline),
        Msg::JournalRecorded(Err(reason)) => Reply::say(
            Level::Warning,
            format!("The journal is not taking lines yet: {reason}."),
        ),
        Msg::TimelineLoaded(result) => loaded(timeline, cx, result),
        // Lines that call for an alert are the session's (`crate::session`), which follows
        // the journal for the cockpit and `check --watch` alike.
        Msg::TimelineAppended(result) => appended(timeline, cx, result),
        Msg::JournalPending(n) => {
            let changed = timeline.pending != n;
            timeline.pending = n;
            if changed {
                Reply::default()
            } else {
                Reply::quiet()
            }
        }
        Msg::OnShift(shift) => {
            timeline.on_shift = shift;
            Reply::default()
        }
    }
}

/// The next read: what follows the last line read, or the newest lines when none was.
fn next_read(timeline: &Timeline) -> Effect {
    match timeline.last_id {
        Some(id) => Job::LoadTimelineAfter(id),
        None => Job::LoadTimeline,
    }
    .into()
}

/// Reads the journal when nothing else will tell this cockpit about new lines: before the
/// first read, and every few seconds while the live listener is not connected.
fn tick(timeline: &mut Timeline, now: chrono::DateTime<chrono::Utc>) -> Reply {
    let due = timeline
        .last_request
        .is_none_or(|at| now - at >= Duration::seconds(TIMELINE_REFRESH_SECONDS));
    let polling = timeline.live != Live::On
        || timeline.last_id.is_none()
        || matches!(timeline.source, TimelineSource::Unavailable { .. });
    let mut reply = Reply::quiet();
    if timeline.is_shared() && polling && due && !timeline.loading {
        timeline.loading = true;
        timeline.last_request = Some(now);
        reply.effects.push(next_read(timeline));
    }
    reply
}

/// A line was written (by this cockpit, or anywhere, as the listener says): read what follows
/// the last line now, or once the read under way is in.
fn journal_written(timeline: &mut Timeline) -> Reply {
    let mut reply = Reply::quiet();
    if !timeline.is_shared() {
        return reply;
    }
    if timeline.loading {
        // The read under way may predate the write.
        timeline.again = true;
    } else {
        timeline.loading = true;
        reply.effects.push(next_read(timeline));
    }
    reply
}

/// Live news: the listener's state, and lines written anywhere (a change of the dispatch
/// ledger alone is no journal line).
pub fn live(timeline: &mut Timeline, signal: &LiveSignal) -> Reply {
    match signal {
        LiveSignal::Journal { id: None, kind } if kind == "ledger" => Reply::quiet(),
        LiveSignal::Connected => {
            let was_paused = matches!(timeline.live, Live::Paused { .. });
            timeline.live = Live::On;
            // Whatever was written while the listener was away is read now.
            let mut reply = journal_written(timeline);
            reply.quiet = false;
            if was_paused {
                reply.say = Some((Level::Info, "Live updates are back.".to_owned()));
            }
            reply
        }
        LiveSignal::Disconnected(reason) => {
            let first = !matches!(timeline.live, Live::Paused { .. });
            if first {
                timeline.gaps += 1;
            }
            timeline.live = Live::Paused {
                reason: reason.clone(),
            };
            if first {
                Reply::say(
                    Level::Warning,
                    format!(
                        "Live updates are paused, so the journal is read every \
                         {TIMELINE_REFRESH_SECONDS}s meanwhile: {reason}."
                    ),
                )
            } else {
                Reply::default()
            }
        }
        LiveSignal::Journal { id, .. } => {
            if id.is_some_and(|id| timeline.last_id.is_some_and(|last| id <= last)) {
                return Reply::quiet();
            }
            journal_written(timeline)
        }
    }
}

fn rows_of(entries: &[crate::journal::Entry], cx: &Cx) -> Vec<TimelineEntry> {
    let title_of = |id: &str| cx.spec(id).map(|s| crate::text::sanitize(&s.title));
    entries
        .iter()
        .map(|e| TimelineEntry::from_journal(e, title_of))
        .collect()
}

/// The newest take-over among `entries`, if it is newer than the one known.
fn take_over_in(timeline: &mut Timeline, entries: &[crate::journal::Entry]) {
    for e in entries.iter().filter(|e| e.kind == "shift_takeover") {
        if timeline
            .on_shift
            .as_ref()
            .is_none_or(|(_, since)| e.at >= *since)
        {
            timeline.on_shift = Some((e.actor.clone(), e.at));
        }
    }
}

fn appended(
    timeline: &mut Timeline,
    cx: &Cx,
    result: Result<Vec<crate::journal::Entry>, String>,
) -> Reply {
    timeline.loading = false;
    match result {
        Ok(entries) => {
            let full = entries.len() as i64 >= APPEND_PAGE;
            take_over_in(timeline, &entries);
            let quiet = entries.is_empty();
            let rows = rows_of(&entries, cx);
            timeline.journal_append(rows, cx.now);
            let mut reply = read_again_if(timeline, full);
            reply.quiet = quiet;
            reply
        }
        Err(reason) => {
            timeline.again = false;
            failed(timeline, reason)
        }
    }
}

/// Another read now when the last one filled its page or news came while it ran.
fn read_again_if(timeline: &mut Timeline, full: bool) -> Reply {
    if full || std::mem::take(&mut timeline.again) {
        timeline.loading = true;
        Reply {
            effects: vec![next_read(timeline)],
            ..Reply::default()
        }
    } else {
        Reply::default()
    }
}

/// The journal could not be read: this cockpit's own transitions meanwhile, said once, and
/// the clock reads again until it answers.
fn failed(timeline: &mut Timeline, reason: String) -> Reply {
    let first_failure = !matches!(timeline.source, TimelineSource::Unavailable { .. });
    timeline.journal_failed(reason.clone());
    if first_failure {
        Reply::say(
            Level::Warning,
            format!("The journal is unavailable: {reason}."),
        )
    } else {
        Reply::default()
    }
}

fn loaded(
    timeline: &mut Timeline,
    cx: &Cx,
    result: Result<Vec<crate::journal::Entry>, String>,
) -> Reply {
    timeline.loading = false;
    match result {
        Ok(entries) => {
            take_over_in(timeline, &entries);
            let rows = rows_of(&entries, cx);
            timeline.journal_read(rows, cx.now);
            read_again_if(timeline, false)
        }
        Err(reason) => failed(timeline, reason),
    }
}
