//! The alert id rule: an id names a change, not a sender. It is the hash of the launch, the
//! subject and the change that opened the alert's group, so every cockpit and watch that sees
//! one change (or reads one journal line) makes the same id, whether or not the database is
//! there to coordinate them, and a receiver can drop a repeat by `X-Gonogo-Alert-Id`.

use super::Trigger;
use super::trigger::verdict_text;
use chrono::{DateTime, Utc};

/// Board changes seen by several processes are told apart by the minute they happened in:
/// two processes polling one gate see its change within a poll interval of each other.
const CHANGE_MINUTE_SECS: i64 = 60;

/// What names the change `trigger` is, raised at `at`: a journal line's own identity (a send
/// run's id and phase, a decision's number), or for a change seen on the board the state it
/// moved to and the minute it happened.
pub fn change_key(trigger: &Trigger, at: DateTime<Utc>) -> String {
    let minute = at.timestamp().div_euclid(CHANGE_MINUTE_SECS);
    match trigger {
        Trigger::Verdict { from, to, .. } => format!(
            "{}>{}@{minute}",
            from.map_or("-", verdict_text),
            verdict_text(*to)
        ),
        Trigger::GateRed { .. }
        | Trigger::GateUnknown { .. }
        | Trigger::JournalStopped { .. }
        | Trigger::JournalBack { .. } => format!("{}@{minute}", trigger.state()),
        // Each test is its own change.
        Trigger::Test { by, .. } => format!(
            "{by}@{}",
            at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
        ),
        Trigger::Dispatch { run, phase, .. } => format!("run {run} {phase}"),
        Trigger::ChecklistOverdue { items } => format!("{}@{minute}", items.join("\u{1f}")),
        Trigger::DecisionFrozen { number, .. } => format!("decision {number}"),
    }
}

/// A stable alert id: the launch, the subject and the change, hashed.
pub fn alert_id(launch: &str, subject: &str, change: &str) -> String {
    use sha2::Digest;
    let mut hash = sha2::Sha256::new();
    for part in [launch, subject, change] {
        hash.update(part.as_bytes());
        hash.update([0u8]);
    }
    hex::encode(&hash.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::Verdict;
    use chrono::TimeZone;

    #[test]
    fn one_change_has_one_id_whoever_sees_it_and_another_change_another() {
        let at = Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 10).unwrap();
        let seen_later = at + chrono::TimeDelta::seconds(20);
        let verdict = |to| Trigger::Verdict {
            from: Some(Verdict::Go),
            to,
            why: vec![],
        };
        let id = |t: &Trigger, at| alert_id("L", "verdict", &change_key(t, at));
        assert_eq!(
            id(&verdict(Verdict::NoGo), at),
            id(&verdict(Verdict::NoGo), seen_later)
        );
        assert_ne!(
            id(&verdict(Verdict::NoGo), at),
            id(&verdict(Verdict::Unknown), at)
        );
        let frozen = Trigger::DecisionFrozen {
            number: 3,
            outcome: "go".into(),
            hash: "ab".repeat(32),
        };
        let a_day_later = at + chrono::TimeDelta::days(1);
        assert_eq!(
            change_key(&frozen, at),
            change_key(&frozen, a_day_later),
            "a journal line names its change itself"
        );
    }
}
