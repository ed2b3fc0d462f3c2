//! The Timeline pane's part of `update`: the selection, opening or re-checking the selected
//! row's gate, clicks, and reading the shared journal (every few seconds, after this cockpit
//! wrote to it, and its answers).

use super::{Timeline, TimelineEntry, TimelineSource};
use crate::tui::action::{Action, Effect};
use crate::tui::layout;
use crate::tui::panes::{Cx, Reply, movement, step};
use crate::tui::state::{Level, Overlay};
use chrono::Duration;

/// How often the timeline re-reads the shared journal.
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
            None => Reply::default(),
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
        Action::JournalRecorded(Ok(_)) => {
            if timeline.loading {
                return Reply::quiet();
            }
            timeline.loading = true;
            Reply {
                effects: vec![Effect::LoadTimeline],
                quiet: true,
                ..Reply::default()
            }
        }
        Action::JournalRecorded(Err(reason)) => Reply::say(
            Level::Warning,
            format!("journal: transitions not recorded ({reason})"),
        ),
        Action::JournalWritten => journal_written(timeline),
        Action::TimelineLoaded(result) => loaded(timeline, cx, result),
        _ => Reply::unhandled(),
    }
}

/// Reads the journal again when it is due and no read is under way.
fn tick(timeline: &mut Timeline, now: chrono::DateTime<chrono::Utc>) -> Reply {
    let due = timeline
        .last_request
        .is_none_or(|at| now - at >= Duration::seconds(TIMELINE_REFRESH_SECONDS));
    let mut reply = Reply::quiet();
    if timeline.is_shared() && due && !timeline.loading {
        timeline.loading = true;
        timeline.last_request = Some(now);
        reply.effects.push(Effect::LoadTimeline);
    }
    reply
}

/// This cockpit wrote a line: read it back now, or once the read under way is in.
fn journal_written(timeline: &mut Timeline) -> Reply {
    let mut reply = Reply::quiet();
    if timeline.loading {
        // The read under way may predate the write: read again on the next tick.
        timeline.last_request = None;
    } else {
        timeline.loading = true;
        reply.effects.push(Effect::LoadTimeline);
    }
    reply
}

fn loaded(
    timeline: &mut Timeline,
    cx: &Cx,
    result: Result<Vec<crate::journal::Entry>, String>,
) -> Reply {
    timeline.loading = false;
    match result {
        Ok(entries) => {
            let title_of = |id: &str| cx.spec(id).map(|s| crate::text::sanitize(&s.title));
            let rows = entries
                .iter()
                .map(|e| TimelineEntry::from_journal(e, title_of))
                .collect();
            timeline.journal_read(rows, cx.now);
            Reply::default()
        }
        Err(reason) => {
            let first_failure = !matches!(timeline.source, TimelineSource::Unavailable { .. });
            timeline.journal_failed(reason.clone());
            if first_failure {
                Reply::say(Level::Warning, format!("journal unavailable: {reason}"))
            } else {
                Reply::default()
            }
        }
    }
}
