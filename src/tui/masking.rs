//! The addresses the cockpit knows (the cohort's rows, the dispatch ledger's rows, operators),
//! kept as the masker's known set: rebuilt only when what they come from changed, since the
//! masker reads every frame in mask mode.

use super::panes::cohort::SharedCohort;
use crate::text::{KnownAddresses, Masker};
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;

/// The masker for everything drawn, with the known sets it was built from.
#[derive(Debug, Clone, Default)]
pub struct ScreenMasker {
    masker: Masker,
    /// The cohort's set, built once per load (thousands of rows).
    cohort: Option<(SharedCohort, Arc<KnownAddresses>)>,
    /// The ledger's and operators' set (a few hundred rows), and a hash of what it was built from.
    others: (u64, Arc<KnownAddresses>),
}

impl ScreenMasker {
    pub fn masker(&self) -> &Masker {
        &self.masker
    }

    /// Brings the known sets up to date with the loaded cohort and the other addresses shown
    /// (ledger rows, operators); cheap when neither changed.
    pub fn refresh<'a>(
        &mut self,
        cohort: Option<&SharedCohort>,
        others: impl Iterator<Item = &'a str> + Clone,
    ) {
        let mut changed = false;
        if self.cohort.as_ref().map(|c| &c.0) != cohort {
            self.cohort = cohort.map(|shared| {
                let rows = &shared.0.rows;
                let addresses = rows
                    .iter()
                    .map(|r| r.email.as_str())
                    .chain(rows.iter().filter_map(|r| r.sent_by.as_deref()));
                (shared.clone(), Arc::new(KnownAddresses::new(addresses)))
            });
            changed = true;
        }
        let mut hasher = foldhash::fast::FixedState::with_seed(0).build_hasher();
        for address in others.clone() {
            address.hash(&mut hasher);
        }
        let hash = hasher.finish();
        if hash != self.others.0 {
            self.others = (hash, Arc::new(KnownAddresses::new(others)));
            changed = true;
        }
        if changed {
            let sets = self.cohort.iter().map(|c| c.1.clone());
            self.masker = Masker::new(sets.chain([self.others.1.clone()]).collect());
        }
    }
}
