//! Checking the decision records: the chain inside the table (numbers without gaps, each
//! record's hash over the previous hash and its stored text, each `prev_hash` the hash before
//! it, the hashed text naming this launch and the record's number, the indexed columns saying
//! what the text says), every record against the journal line its freeze wrote in the same
//! transaction, and an anchor kept outside the database (`--expect HASH`). The trigger stops
//! an UPDATE or DELETE; this catches one made with the trigger disabled.

use super::record::{DecisionRecord, chain_hash};
use super::{DecisionLine, StoredDecision};
use std::collections::BTreeMap;

/// What does not match, naming the record, the journal line or the hash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyProblem {
    #[error("decision record {number} does not match: {why}")]
    Record { number: u32, why: String },
    #[error(
        "decision record {number} is missing: journal line {line} says it was frozen with hash \
         {hash}, but the table holds no record {number} (it was deleted)"
    )]
    LineWithoutRecord {
        number: u32,
        line: i64,
        hash: String,
    },
    #[error("journal line {line} is a decision line naming no decision number and hash")]
    UnreadableLine { line: i64 },
    #[error(
        "the chain does not pass {hash}: no decision record of this launch has that hash \
         (a record was removed, or the chain was rewritten)"
    )]
    NotAnchored { hash: String },
}

impl VerifyProblem {
    /// The decision record it is about, if it is about one.
    pub fn number(&self) -> Option<u32> {
        match self {
            VerifyProblem::Record { number, .. }
            | VerifyProblem::LineWithoutRecord { number, .. } => Some(*number),
            VerifyProblem::UnreadableLine { .. } | VerifyProblem::NotAnchored { .. } => None,
        }
    }
}

/// What a successful check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub count: usize,
    /// The newest record's number and hash.
    pub head: Option<(u32, String)>,
    /// The record that has the expected hash.
    pub anchor: Option<u32>,
}

/// Database text shown in a message: no control characters, bounded.
fn shown(text: &str) -> String {
    crate::text::sanitize_short(text, 80)
}

/// Checks the chain inside the table, in order; `Ok(n)` is how many records were checked.
pub fn verify_chain(launch: &str, records: &[StoredDecision]) -> Result<usize, VerifyProblem> {
    let mut prev: Option<&str> = None;
    for (i, stored) in records.iter().enumerate() {
        let expected = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let problem = |why: String| VerifyProblem::Record {
            number: stored.number,
            why,
        };
        if stored.number != expected {
            return Err(VerifyProblem::Record {
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
        if body.launch != launch {
            return Err(problem(format!(
                "its hashed text names the launch `{}`, not this one (a record copied from \
                 another launch)",
                shown(&body.launch)
            )));
        }
        if body.number != stored.number {
            return Err(problem(format!(
                "its hashed text is decision {}'s (a record moved to another number)",
                body.number
            )));
        }
        let columns_agree = body.outcome.column() == stored.outcome
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

/// Checks every record against its freeze's journal line: one line per record, with the
/// record's hash and outcome, and no line without its record.
pub fn verify_journal(
    records: &[StoredDecision],
    lines: &[DecisionLine],
) -> Result<(), VerifyProblem> {
    let mut by_number: BTreeMap<u32, Vec<&DecisionLine>> = BTreeMap::new();
    for line in lines {
        match (line.number, &line.hash) {
            (Some(number), Some(_)) => by_number.entry(number).or_default().push(line),
            _ => return Err(VerifyProblem::UnreadableLine { line: line.id }),
        }
    }
    for stored in records {
        let problem = |why: String| VerifyProblem::Record {
            number: stored.number,
            why,
        };
        match by_number.remove(&stored.number).as_deref() {
            None | Some([]) => {
                return Err(problem(
                    "it has no journal line (its freeze wrote one in the same transaction: the \
                     record was inserted behind gonogo, or its line was removed)"
                        .into(),
                ));
            }
            Some([line]) => {
                let hash = line.hash.as_deref().unwrap_or("");
                if hash != stored.hash {
                    return Err(problem(format!(
                        "its hash {} differs from the hash {} its journal line {} recorded \
                         (the record was replaced)",
                        shown(&stored.hash),
                        shown(hash),
                        line.id
                    )));
                }
                if line.outcome.as_deref() != Some(stored.outcome.as_str()) {
                    return Err(problem(format!(
                        "its journal line {} says the outcome was {}, the record says {} \
                         (the journal line was rewritten)",
                        line.id,
                        shown(line.outcome.as_deref().unwrap_or("(none)")).to_uppercase(),
                        stored.outcome.to_uppercase()
                    )));
                }
            }
            Some(several) => {
                let ids: Vec<String> = several.iter().map(|l| l.id.to_string()).collect();
                return Err(problem(format!(
                    "journal lines {} each say they froze it (one freeze writes one line)",
                    ids.join(", ")
                )));
            }
        }
    }
    match by_number.into_iter().next() {
        Some((number, lines)) => {
            let line = lines.first();
            Err(VerifyProblem::LineWithoutRecord {
                number,
                line: line.map_or(0, |l| l.id),
                hash: shown(line.and_then(|l| l.hash.as_deref()).unwrap_or("")),
            })
        }
        None => Ok(()),
    }
}

/// An `--expect` argument as a record hash: 64 hexadecimal characters, any case.
pub fn parse_anchor(text: &str) -> Result<String, String> {
    let hash = text.trim().to_ascii_lowercase();
    if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(hash)
    } else {
        Err(format!(
            "--expect takes a record hash, 64 hexadecimal characters as `decide` and `decision \
             show` print it, not `{}`",
            shown(text)
        ))
    }
}

/// Every check: the chain, the journal, and (with `expect`) that the chain passes that hash.
pub fn verify(
    launch: &str,
    records: &[StoredDecision],
    lines: &[DecisionLine],
    expect: Option<&str>,
) -> Result<Verified, VerifyProblem> {
    let count = verify_chain(launch, records)?;
    verify_journal(records, lines)?;
    let anchor = match expect {
        None => None,
        Some(hash) => match records.iter().find(|r| r.hash == hash) {
            Some(record) => Some(record.number),
            None => {
                return Err(VerifyProblem::NotAnchored { hash: shown(hash) });
            }
        },
    };
    Ok(Verified {
        count,
        head: records.last().map(|r| (r.number, r.hash.clone())),
        anchor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_anchor_is_a_whole_hash_in_any_case() {
        let hash = "AB".repeat(32);
        assert_eq!(parse_anchor(&format!(" {hash} ")), Ok("ab".repeat(32)));
        for bad in ["b614b9fd", &"g".repeat(64), &"a".repeat(65), ""] {
            assert!(parse_anchor(bad).is_err(), "{bad}");
        }
        let shown = parse_anchor("\u{1b}[2Jnot a hash").unwrap_err();
        assert!(!shown.contains('\u{1b}'), "{shown}");
    }

    #[test]
    fn a_decision_line_that_names_no_record_is_a_problem() {
        let line = |id, number: Option<u32>, hash: Option<&str>| DecisionLine {
            id,
            number,
            hash: hash.map(str::to_owned),
            outcome: Some("go".into()),
        };
        assert_eq!(
            verify_journal(&[], &[line(7, None, Some("h"))]),
            Err(VerifyProblem::UnreadableLine { line: 7 })
        );
        assert_eq!(
            verify_journal(&[], &[line(8, Some(1), None)]),
            Err(VerifyProblem::UnreadableLine { line: 8 })
        );
        let problem = verify_journal(&[], &[line(9, Some(2), Some("h\u{7}"))]).unwrap_err();
        assert_eq!(problem.number(), Some(2));
        assert_eq!(
            problem,
            VerifyProblem::LineWithoutRecord {
                number: 2,
                line: 9,
                hash: "h\u{FFFD}".into()
            }
        );
    }
}
