//! The roll call and the decision: GO/NO-GO votes by role (the last vote of each role counts
//! until the decision is frozen), the outcome under `[decision] rule`, and the frozen,
//! hash-chained record ([`record`]) with its check ([`verify`]). The use cases here ([`vote`],
//! [`decide`]) are shared by the CLI and the cockpit; the SQL is in [`DecisionStore`].

pub mod record;
mod store;
pub mod verify;

pub use record::{
    ChecklistSummary, DecisionRecord, GateSnapshot, OpenItem, RecordBody, SectionSummary,
};
pub use store::{DecisionLine, DecisionStore, FreezeError, StoredDecision};
pub use verify::{Verified, VerifyProblem, verify, verify_chain};

use crate::config::{DecisionRule, DecisionSettings};
use crate::db::DbError;
use crate::gate::Verdict;
use crate::journal::{NoteError, clean_note};
use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VoteChoice {
    #[serde(rename = "go")]
    Go,
    #[serde(rename = "no-go")]
    NoGo,
}

impl VoteChoice {
    pub fn as_str(self) -> &'static str {
        match self {
            VoteChoice::Go => "go",
            VoteChoice::NoGo => "no-go",
        }
    }

    pub fn parse(text: &str) -> Option<VoteChoice> {
        match text.trim().to_lowercase().as_str() {
            "go" => Some(VoteChoice::Go),
            "no-go" | "nogo" | "no_go" => Some(VoteChoice::NoGo),
            _ => None,
        }
    }

    pub fn shout(self) -> &'static str {
        match self {
            VoteChoice::Go => "GO",
            VoteChoice::NoGo => "NO-GO",
        }
    }
}

/// One role's vote in a round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vote {
    pub role: String,
    pub vote: VoteChoice,
    pub by: String,
    pub at: DateTime<Utc>,
    pub note: Option<String>,
}

/// A frozen decision's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    #[serde(rename = "GO")]
    Go,
    #[serde(rename = "NO-GO")]
    NoGo,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Go => "GO",
            Outcome::NoGo => "NO-GO",
        }
    }

    /// The database column's spelling.
    pub fn column(self) -> &'static str {
        match self {
            Outcome::Go => "go",
            Outcome::NoGo => "no-go",
        }
    }

    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Go => crate::exit::OK,
            Outcome::NoGo => crate::exit::NO_GO,
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The roll call of the round under way: every configured role, with its vote if it has one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollCall {
    /// The decision this round leads to (1 for the first call).
    pub round: u32,
    pub roles: Vec<(String, Option<Vote>)>,
}

impl RollCall {
    pub fn new(settings: &DecisionSettings, round: u32, votes: &[Vote]) -> RollCall {
        let roles = settings
            .roles
            .iter()
            .map(|role| {
                let key = crate::config::role_key(role);
                let vote = votes
                    .iter()
                    .find(|v| crate::config::role_key(&v.role) == key)
                    .cloned();
                (role.clone(), vote)
            })
            .collect();
        RollCall { round, roles }
    }

    pub fn missing(&self) -> Vec<&str> {
        self.roles
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(r, _)| r.as_str())
            .collect()
    }

    pub fn votes(&self) -> Vec<Vote> {
        self.roles.iter().filter_map(|(_, v)| v.clone()).collect()
    }

    /// The outcome the votes give under `rule`, once every role has voted.
    pub fn outcome(&self, rule: DecisionRule) -> Option<Outcome> {
        if !self.missing().is_empty() {
            return None;
        }
        let go = self
            .roles
            .iter()
            .filter(|(_, v)| v.as_ref().is_some_and(|v| v.vote == VoteChoice::Go))
            .count();
        let holds = match rule {
            DecisionRule::Unanimous => go == self.roles.len(),
            DecisionRule::Majority => go * 2 > self.roles.len(),
        };
        Some(if holds { Outcome::Go } else { Outcome::NoGo })
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum VoteError {
    #[error("no role `{given}` in [decision]; the roles are: {}", .roles.join(", "))]
    UnknownRole { given: String, roles: Vec<String> },
    #[error("a NO-GO needs a note saying why (--note TEXT)")]
    NoGoNeedsNote,
    #[error("vote note: {0}")]
    Note(NoteError),
    #[error("{0}")]
    Db(DbError),
}

impl VoteError {
    pub fn exit_code(&self) -> u8 {
        match self {
            VoteError::Db(e) => crate::exit::database(e.is_unavailable()),
            _ => crate::exit::USAGE,
        }
    }
}

/// Records `role`'s vote in the round under way; returns the round it counts in.
pub async fn vote(
    store: &DecisionStore,
    settings: &DecisionSettings,
    role: &str,
    choice: VoteChoice,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(u32, Vote), VoteError> {
    let Some(role) = settings.role(role) else {
        return Err(VoteError::UnknownRole {
            given: crate::text::sanitize_short(role, 60),
            roles: settings.roles.clone(),
        });
    };
    let note = match note.map(clean_note) {
        None | Some(Err(NoteError::Empty)) => None,
        Some(Ok(note)) => Some(note),
        Some(Err(e)) => return Err(VoteError::Note(e)),
    };
    if choice == VoteChoice::NoGo && note.is_none() {
        return Err(VoteError::NoGoNeedsNote);
    }
    let vote = Vote {
        role: role.to_owned(),
        vote: choice,
        by: store.actor().to_owned(),
        at: now.trunc_subsecs(6),
        note,
    };
    let round = store.cast(&vote).await.map_err(VoteError::Db)?;
    Ok((round, vote))
}

/// What the decision is taken on: the gates as checked for the call, and the checklist.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub verdict: Verdict,
    pub gates: Vec<GateSnapshot>,
    pub checklist: Option<ChecklistSummary>,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum DecideError {
    #[error("not every role has voted in call {round}: waiting for {}", .missing.join(", "))]
    Missing { round: u32, missing: Vec<String> },
    #[error(
        "the votes say GO but the gates say {verdict}: freezing a GO against the gates needs \
         --override-gates --reason TEXT"
    )]
    GatesDisagree { verdict: Verdict },
    #[error("--override-gates needs --reason TEXT (it is recorded)")]
    OverrideNeedsReason,
    #[error("override reason: {0}")]
    Reason(NoteError),
    #[error("{0}")]
    Db(DbError),
}

impl DecideError {
    pub fn exit_code(&self) -> u8 {
        match self {
            DecideError::Db(e) => crate::exit::database(e.is_unavailable()),
            _ => crate::exit::USAGE,
        }
    }
}

/// The operator's request to freeze: who, when, and an override of the gates if any.
#[derive(Debug, Clone)]
pub struct Freeze<'a> {
    pub settings: &'a DecisionSettings,
    pub launch: &'a str,
    pub now: DateTime<Utc>,
    /// `Some(reason)`: `--override-gates --reason`.
    pub override_gates: Option<&'a str>,
}

/// Freezes the round under way into the next decision record, once every role has voted.
pub async fn decide(
    store: &DecisionStore,
    freeze: Freeze<'_>,
    evidence: Evidence,
) -> Result<DecisionRecord, DecideError> {
    let reason = match freeze.override_gates {
        None => None,
        Some(text) => match clean_note(text) {
            Ok(reason) => Some(reason),
            Err(NoteError::Empty) => return Err(DecideError::OverrideNeedsReason),
            Err(e) => return Err(DecideError::Reason(e)),
        },
    };
    let decided_at = freeze.now.trunc_subsecs(6);
    let actor = store.actor().to_owned();
    let frozen = store
        .freeze(|number, votes, prev_hash| {
            let call = RollCall::new(freeze.settings, number, votes);
            let Some(outcome) = call.outcome(freeze.settings.rule) else {
                return Err(DecideError::Missing {
                    round: number,
                    missing: call.missing().into_iter().map(str::to_owned).collect(),
                });
            };
            if outcome == Outcome::Go && evidence.verdict != Verdict::Go && reason.is_none() {
                return Err(DecideError::GatesDisagree {
                    verdict: evidence.verdict,
                });
            }
            let body = RecordBody {
                number,
                launch: freeze.launch.to_owned(),
                outcome,
                rule: freeze.settings.rule.as_str().to_owned(),
                decided_at,
                decided_by: actor.clone(),
                verdict: evidence.verdict,
                gates_overridden: outcome == Outcome::Go && evidence.verdict != Verdict::Go,
                override_reason: reason.clone().filter(|_| outcome == Outcome::Go),
                votes: call.votes(),
                gates: evidence.gates.clone(),
                checklist: evidence.checklist.clone(),
                prev_hash,
            };
            Ok(DecisionRecord::seal(body))
        })
        .await;
    match frozen {
        Ok(record) => Ok(record),
        Err(FreezeError::Db(e)) => Err(DecideError::Db(e)),
        Err(FreezeError::Refused(e)) => Err(e),
    }
}

/// The newest frozen decision, as the cockpit and the handoff show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionHead {
    pub number: u32,
    pub outcome: Outcome,
    pub decided_at: DateTime<Utc>,
    pub decided_by: String,
    pub gates_overridden: bool,
    pub hash: String,
    /// The roll call it was frozen on.
    pub votes: Vec<Vote>,
}

/// The decision call's shared state: every tick, the round under way with its votes, and the
/// newest decision.
#[derive(Debug, Clone, PartialEq)]
pub struct CallState {
    pub ticks: Vec<crate::checklist::Tick>,
    pub round: u32,
    pub votes: Vec<Vote>,
    pub last: Option<DecisionHead>,
}

/// Reads the [`CallState`].
pub async fn call_state(
    ticks: &crate::checklist::ChecklistStore,
    decisions: &DecisionStore,
) -> Result<CallState, DbError> {
    let (round, votes) = decisions.roll_call().await?;
    let last = decisions.decision(None).await?.and_then(|stored| {
        let record = DecisionRecord::from_stored(stored.record, stored.hash).ok()?;
        Some(DecisionHead {
            number: record.body.number,
            outcome: record.body.outcome,
            decided_at: record.body.decided_at,
            decided_by: record.body.decided_by,
            gates_overridden: record.body.gates_overridden,
            hash: record.hash,
            votes: record.body.votes,
        })
    });
    Ok(CallState {
        ticks: ticks.ticks().await?,
        round,
        votes,
        last,
    })
}
