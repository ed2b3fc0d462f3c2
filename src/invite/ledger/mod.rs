//! The dispatch ledger's SQL, one launch at a time: what changes a message ([`messages`]:
//! prepared rows with their `beta_invites` insert, claims with `FOR UPDATE SKIP LOCKED`,
//! answers, hand-over marks, late answers, retries and hand settlements, the launch-wide
//! pace), the runs that send them ([`runs`]: rows, heartbeats, leases, dead runs), and what
//! `status`, the Dispatch pane and the handoff read ([`reads`]).
//!
//! Every state change is one statement (a CTE that updates the row and appends its history),
//! so each commits on its own: a claim is durable before the message is handed over.

mod hourly;
mod messages;
mod reads;
mod runs;

pub use hourly::{HourCount, Redemptions};
pub use messages::{Claimed, Inserted, NewMessage};
pub use reads::{BatchCounts, Counts, HistoryLine, LateAnswer, LedgerRow};
pub use runs::{ClaimerAlive, LiveRun, host_name};

use sqlx::Postgres;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
use sqlx::{PgPool, encode::IsNull};
use std::fmt;
use std::str::FromStr;

/// The ledger of one launch.
#[derive(Debug, Clone)]
pub struct Ledger {
    pool: PgPool,
    launch: String,
}

impl Ledger {
    pub fn new(pool: PgPool, launch: impl Into<String>) -> Ledger {
        Ledger {
            pool,
            launch: launch.into(),
        }
    }

    pub fn launch(&self) -> &str {
        &self.launch
    }
}

/// A message's state in the ledger (`gonogo.dispatch.state`), stored as its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageState {
    /// Written and waiting to be handed over, the first time or for a retry.
    Prepared,
    /// Claimed by a run, which is handing it over.
    Sending,
    Sent,
    /// Refused for good.
    Failed,
    /// It may have gone out: never sent again without an operator.
    Unknown,
}

impl MessageState {
    pub const ALL: [MessageState; 5] = [
        MessageState::Prepared,
        MessageState::Sending,
        MessageState::Sent,
        MessageState::Failed,
        MessageState::Unknown,
    ];

    /// The text the ledger stores (and `--json` and the journal show).
    pub fn as_str(self) -> &'static str {
        match self {
            MessageState::Prepared => "prepared",
            MessageState::Sending => "sending",
            MessageState::Sent => "sent",
            MessageState::Failed => "failed",
            MessageState::Unknown => "unknown",
        }
    }
}

impl fmt::Display for MessageState {
    /// Pads like a string, so `{:<8}` lines up a column of states.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Text that names no message state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a message state: {0:?}")]
pub struct NotAState(pub String);

impl FromStr for MessageState {
    type Err = NotAState;

    fn from_str(text: &str) -> Result<MessageState, NotAState> {
        MessageState::ALL
            .into_iter()
            .find(|state| state.as_str() == text)
            .ok_or_else(|| NotAState(text.to_owned()))
    }
}

/// Compares with the stored text: `row.state == "sent"`.
impl PartialEq<str> for MessageState {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for MessageState {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Text on the wire: the column is `TEXT` with a `CHECK`, not a Postgres enum.
impl sqlx::Type<Postgres> for MessageState {
    fn type_info() -> PgTypeInfo {
        <str as sqlx::Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <&str as sqlx::Type<Postgres>>::compatible(ty)
    }
}

impl sqlx::Encode<'_, Postgres> for MessageState {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <&str as sqlx::Encode<Postgres>>::encode(self.as_str(), buf)
    }
}

impl<'r> sqlx::Decode<'r, Postgres> for MessageState {
    fn decode(value: PgValueRef<'r>) -> Result<MessageState, BoxDynError> {
        Ok(<&str as sqlx::Decode<Postgres>>::decode(value)?.parse()?)
    }
}

/// What a history line of a message records: the state it moved to, or a late answer (what a
/// run that had lost its claim found out, stored as `late`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryState {
    Moved(MessageState),
    Late,
}

impl HistoryState {
    const LATE: &'static str = "late";

    pub fn as_str(self) -> &'static str {
        match self {
            HistoryState::Moved(state) => state.as_str(),
            HistoryState::Late => HistoryState::LATE,
        }
    }
}

impl fmt::Display for HistoryState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for HistoryState {
    type Err = NotAState;

    fn from_str(text: &str) -> Result<HistoryState, NotAState> {
        if text == HistoryState::LATE {
            return Ok(HistoryState::Late);
        }
        text.parse().map(HistoryState::Moved)
    }
}

impl PartialEq<&str> for HistoryState {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl serde::Serialize for HistoryState {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl sqlx::Type<Postgres> for HistoryState {
    fn type_info() -> PgTypeInfo {
        <str as sqlx::Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <&str as sqlx::Type<Postgres>>::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, Postgres> for HistoryState {
    fn decode(value: PgValueRef<'r>) -> Result<HistoryState, BoxDynError> {
        Ok(<&str as sqlx::Decode<Postgres>>::decode(value)?.parse()?)
    }
}

#[cfg(test)]
mod tests {
    use super::{HistoryState, MessageState};

    #[test]
    fn states_read_back_as_the_text_they_are_stored_as() {
        for state in MessageState::ALL {
            let text = state.as_str();
            assert_eq!(text.parse::<MessageState>(), Ok(state));
            assert_eq!(state.to_string(), text);
            assert_eq!(
                serde_json::to_value(state).ok(),
                Some(serde_json::json!(text))
            );
            assert_eq!(text.parse::<HistoryState>(), Ok(HistoryState::Moved(state)));
        }
        assert_eq!("late".parse::<HistoryState>(), Ok(HistoryState::Late));
        assert!("Sent".parse::<MessageState>().is_err());
        assert!("late".parse::<MessageState>().is_err());
        assert_eq!(format!("{:<8}|", MessageState::Sent), "sent    |");
    }
}
