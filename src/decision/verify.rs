//! Checking the chain of decision records: numbers without gaps, each record's hash over the
//! previous hash and its stored text, each `prev_hash` the hash before it, and the indexed
//! columns saying what the text says. The trigger stops an UPDATE; this catches one made with
//! the trigger disabled.

use super::record::{DecisionRecord, chain_hash};
use crate::db::decision_store::StoredDecision;

/// The first record that does not match, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("decision record {number} does not match: {why}")]
pub struct ChainProblem {
    pub number: u32,
    pub why: String,
}

/// Checks every record in order; `Ok(n)` is how many were checked.
pub fn verify_chain(records: &[StoredDecision]) -> Result<usize, ChainProblem> {
    let mut prev: Option<&str> = None;
    for (i, stored) in records.iter().enumerate() {
        let expected = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let problem = |why: String| ChainProblem {
            number: stored.number,
            why,
        };
        if stored.number != expected {
            return Err(ChainProblem {
                number: expected,
                why: format!("it is missing (the next record is {})", stored.number),
            });
        }
        if stored.prev_hash.as_deref() != prev {
            return Err(problem(
                "its prev_hash is not the hash of the record before it".into(),
            ));
        }
        let hash = chain_hash(prev, &stored.record);
        if hash != stored.hash {
            return Err(problem(
                "its text does not hash to its stored hash (the record was changed)".into(),
            ));
        }
        let record = DecisionRecord::from_stored(stored.record.clone(), stored.hash.clone())
            .map_err(problem)?;
        let body = &record.body;
        let columns_agree = body.number == stored.number
            && body.outcome.column() == stored.outcome
            && body.decided_by == stored.decided_by
            && body.decided_at == stored.decided_at
            && body.prev_hash == stored.prev_hash;
        if !columns_agree {
            return Err(problem(
                "its columns (outcome, decided_by, decided_at) differ from its hashed text".into(),
            ));
        }
        prev = Some(&stored.hash);
    }
    Ok(records.len())
}
