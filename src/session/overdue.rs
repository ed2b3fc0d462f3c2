//! Checklist items turning overdue, for a session whose client has no checklist view of its
//! own (`check --watch`): the ticks read from the database beside it, the view laid over the
//! client's board at each step, the change told by [`crate::alerts::OverdueItems`] as the
//! cockpit's Checklist pane tells it.

use crate::checklist::ChecklistStore;
use crate::checklist::{Checklist, Tick};
use crate::config::Config;
use crate::gate::{Board, GateState};
use crate::journal::Journal;
use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::MissedTickBehavior;

/// How often the checklist's ticks are read (for items turning overdue).
const TICKS_EVERY: Duration = Duration::from_secs(5);

pub(super) struct OverdueWatch {
    checklist: Checklist,
    decision_at: Option<DateTime<Utc>>,
    ticks: Arc<Mutex<Option<Vec<Tick>>>>,
    reader: tokio::task::JoinHandle<()>,
    items: crate::alerts::OverdueItems,
}

impl OverdueWatch {
    /// `None` without a checklist the config names (and can be read). One read of the ticks
    /// takes at most `budget`.
    pub(super) fn start(config: &Config, journal: &Journal, budget: Duration) -> Option<Self> {
        let checklist = crate::checklist::load_configured(config).ok()?;
        let store = ChecklistStore::new(journal.pool().clone(), journal.launch(), journal.actor());
        let ticks = Arc::new(Mutex::new(None));
        let read = ticks.clone();
        let reader = tokio::spawn(async move {
            let mut every = tokio::time::interval(TICKS_EVERY);
            every.set_missed_tick_behavior(MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                if let Ok(Ok(now)) = tokio::time::timeout(budget, store.ticks()).await
                    && let Ok(mut ticks) = read.lock()
                {
                    *ticks = Some(now);
                }
            }
        });
        Some(OverdueWatch {
            checklist,
            decision_at: config.launch().decision_at,
            ticks,
            reader,
            items: Default::default(),
        })
    }

    /// The alert when an item turned overdue; nothing until the ticks were read once (an
    /// item ticked in the database is not overdue because the database was slow).
    pub(super) fn look(
        &mut self,
        board: &Board,
        now: DateTime<Utc>,
    ) -> Option<crate::alerts::Trigger> {
        let ticks = self.ticks.lock().ok()?.clone()?;
        let state = |gate: &str| board.get(gate).map_or(GateState::Unknown, |g| g.state);
        let view = crate::checklist::view(&self.checklist, &ticks, state, self.decision_at, now);
        self.items.look(&view)
    }
}

impl Drop for OverdueWatch {
    fn drop(&mut self) {
        self.reader.abort();
    }
}
