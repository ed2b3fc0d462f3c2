//! The Timeline pane's I/O: reads of the shared journal (the newest lines, then the lines
//! after the last one read); each answer comes back as the pane's message.

use super::{APPEND_PAGE, Job, Msg, TIMELINE_LIMIT};
use crate::db::call::db_call;
use crate::tui::jobs::{AtQuit, JOURNAL_TIMEOUT, Jobs};

pub fn run(job: Job, jobs: &mut Jobs<Msg>) {
    let Some(journal) = jobs.setup.journal.clone() else {
        return;
    };
    let (actions, redactor) = (jobs.actions.clone(), jobs.setup.redactor.clone());
    match job {
        Job::LoadTimeline => jobs
            .tasks
            .spawn("timeline read", AtQuit::Cancel, async move {
                let read = journal.recent(TIMELINE_LIMIT as i64);
                let result = db_call(JOURNAL_TIMEOUT, &redactor, read).await;
                let ok = result.is_ok();
                let _ = actions.send(Msg::TimelineLoaded(result).into());
                if ok {
                    let shift = db_call(JOURNAL_TIMEOUT, &redactor, journal.on_shift()).await;
                    if let Ok(Some(entry)) = shift {
                        let _ = actions.send(Msg::OnShift(Some((entry.actor, entry.at))).into());
                    }
                }
            }),
        Job::LoadTimelineAfter(id) => {
            jobs.tasks
                .spawn("timeline read", AtQuit::Cancel, async move {
                    let read = journal.after(id, APPEND_PAGE);
                    let result = db_call(JOURNAL_TIMEOUT, &redactor, read).await;
                    let _ = actions.send(Msg::TimelineAppended(result).into());
                })
        }
    }
}
