//! Checklist items turning overdue, as an alert: the rule the cockpit's Checklist pane and
//! `check --watch` both apply to a checklist view. The first look only says where things stand;
//! an item that is overdue then and was not before is the change.

use super::Trigger;
use crate::checklist::{ChecklistView, ItemState};
use std::collections::BTreeSet;

/// Items named in one alert at most.
const NAMED: usize = 10;

/// The alert for the items overdue in `view`.
pub fn overdue_trigger(view: &ChecklistView) -> Trigger {
    let items = view
        .items()
        .filter(|i| i.state == ItemState::Overdue)
        .map(|i| crate::text::sanitize_short(&i.text, 120))
        .take(NAMED)
        .collect();
    Trigger::ChecklistOverdue { items }
}

/// What was overdue at the previous look.
#[derive(Debug, Default)]
pub struct OverdueItems {
    known: Option<BTreeSet<String>>,
}

impl OverdueItems {
    /// A look at `view`: the alert when an item turned overdue since the previous look.
    pub fn look(&mut self, view: &ChecklistView) -> Option<Trigger> {
        let now: BTreeSet<String> = view
            .items()
            .filter(|i| i.state == ItemState::Overdue)
            .map(|i| i.key.clone())
            .collect();
        let turned = self
            .known
            .as_ref()
            .is_some_and(|before| now.iter().any(|k| !before.contains(k)));
        self.known = Some(now);
        turned.then(|| overdue_trigger(view))
    }
}
