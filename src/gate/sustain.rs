//! Sustained conditions (`for = "5m"`), with Prometheus alerting semantics: a failing gate is
//! pending until it has failed on every check for the whole duration; one passing check resets it.

use crate::gate::GateState;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// What a single check said, before `for` is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Raw {
    Pass,
    Fail,
    Unknown,
}

#[derive(Debug, Clone, Default)]
pub struct Sustain {
    duration: Option<Duration>,
    failing_since: Option<DateTime<Utc>>,
}

impl Sustain {
    pub fn new(duration: Option<Duration>) -> Self {
        Sustain {
            duration,
            failing_since: None,
        }
    }

    /// When the current run of failing checks began, if one is running.
    pub fn failing_since(&self) -> Option<DateTime<Utc>> {
        self.failing_since
    }

    /// Applies one check's raw outcome observed at `at`.
    ///
    /// An unknown check neither confirms nor clears a failure in progress: the gate shows unknown,
    /// and the failure clock keeps running from its first failing check, so a source that flaps
    /// between failing and unreachable cannot hide a sustained failure.
    pub fn step(&mut self, raw: Raw, at: DateTime<Utc>) -> GateState {
        match raw {
            Raw::Pass => {
                self.failing_since = None;
                GateState::Pass
            }
            Raw::Unknown => GateState::Unknown,
            Raw::Fail => {
                let since = *self.failing_since.get_or_insert(at);
                match self.duration {
                    None => GateState::Fail,
                    Some(needed) => {
                        let failed_for = (at - since).to_std().unwrap_or_default();
                        if failed_for >= needed {
                            GateState::Fail
                        } else {
                            GateState::Pending
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn without_for_a_failure_is_immediate() {
        let mut s = Sustain::new(None);
        assert_eq!(s.step(Raw::Fail, t(0)), GateState::Fail);
        assert_eq!(s.step(Raw::Pass, t(30)), GateState::Pass);
    }

    #[test]
    fn pending_until_failing_for_the_whole_duration() {
        let mut s = Sustain::new(Some(Duration::from_secs(300)));
        assert_eq!(s.step(Raw::Fail, t(0)), GateState::Pending);
        assert_eq!(s.step(Raw::Fail, t(150)), GateState::Pending);
        assert_eq!(s.step(Raw::Fail, t(299)), GateState::Pending);
        assert_eq!(s.step(Raw::Fail, t(300)), GateState::Fail);
        assert_eq!(s.failing_since(), Some(t(0)));
    }

    #[test]
    fn one_passing_check_resets_the_clock() {
        let mut s = Sustain::new(Some(Duration::from_secs(300)));
        s.step(Raw::Fail, t(0));
        s.step(Raw::Fail, t(200));
        assert_eq!(s.step(Raw::Pass, t(230)), GateState::Pass);
        assert_eq!(s.step(Raw::Fail, t(260)), GateState::Pending);
        assert_eq!(s.step(Raw::Fail, t(500)), GateState::Pending);
        assert_eq!(s.step(Raw::Fail, t(560)), GateState::Fail);
    }

    #[test]
    fn unknown_checks_keep_the_failure_clock_running() {
        let mut s = Sustain::new(Some(Duration::from_secs(300)));
        s.step(Raw::Fail, t(0));
        assert_eq!(s.step(Raw::Unknown, t(100)), GateState::Unknown);
        assert_eq!(s.step(Raw::Fail, t(310)), GateState::Fail);
    }
}
