//! The rehearsal's launch day as a table: at this story time, this happens. Story time runs
//! `--speed` times faster than the wall clock; gate intervals and `for` are scaled the same way.

use std::time::Duration;

/// Story time from the first beat to the decision call.
pub const STORY_LENGTH: Duration = at(24, 0);
/// The default `--speed`: the whole story in about three and a half minutes.
pub const DEFAULT_SPEED: f64 = 7.0;
/// How often every gate is checked, in story time.
pub const POLL_EVERY: Duration = Duration::from_secs(20);
/// The synthetic journey's `for`: red only after failing this long, in story time.
pub const SYNTHETIC_FOR: Duration = Duration::from_secs(5 * 60);
/// The k6 gate's threshold (`pass = "< 30h"`).
pub const NIGHTLY_MAX_AGE: Duration = Duration::from_secs(30 * 3600);
/// How old the last k6 nightly is when the story opens: it crosses 30h at 16:00 into the story.
pub const NIGHTLY_AGE_AT_START: Duration = Duration::from_secs(30 * 3600 - 16 * 60);
/// Signed-up testers when the story opens (the gate wants 50).
pub const TESTERS_AT_START: u32 = 44;
/// Open severity-high GitHub issues when the story opens.
pub const HIGH_ISSUES_AT_START: u32 = 1;

/// Something that happens in the simulated world.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Testers redeem their invites until this many have signed up (real rows in `beta_invites`).
    Testers(u32),
    /// The number of open severity-high issues on GitHub.
    HighIssues(u32),
    /// The P1 (a high-priority, fatal Sentry issue) appears.
    SentryP1Opens,
    /// The P1 is resolved.
    SentryP1Resolved,
    /// The status page's indicator.
    StatusPage(Indicator),
    /// Whether the synthetic journey's probe succeeds.
    SyntheticJourney(bool),
    /// A new k6 nightly passes: its age drops to zero.
    NightlyLands,
    /// Narration only: the world changes by itself (an age grows, a `for` runs out).
    Note,
}

/// Statuspage indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indicator {
    None,
    Minor,
}

impl Indicator {
    pub fn as_str(self) -> &'static str {
        match self {
            Indicator::None => "none",
            Indicator::Minor => "minor",
        }
    }
    pub fn description(self) -> &'static str {
        match self {
            Indicator::None => "All Systems Operational",
            Indicator::Minor => "Partially Degraded Service",
        }
    }
}

/// One line of the script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Beat {
    /// Story time since the opening.
    pub at: Duration,
    pub event: Event,
    /// What a viewer is told.
    pub says: &'static str,
}

/// `at(m, s)`: story time `m:ss` after the opening.
pub const fn at(minutes: u64, seconds: u64) -> Duration {
    Duration::from_secs(minutes * 60 + seconds)
}

const fn beat(at: Duration, event: Event, says: &'static str) -> Beat {
    Beat { at, event, says }
}

use Event::*;

/// The launch day, in order. Opening state: 44 testers, one severity-high issue open,
/// everything else healthy, the last k6 nightly 29h44m old.
pub const SCRIPT: &[Beat] = &[
    beat(
        at(0, 0),
        Note,
        "launch day: 44 testers signed up, one severity-high issue open",
    ),
    beat(at(1, 0), Testers(45), "a tester redeems an invite (45)"),
    beat(at(2, 0), Testers(46), "a tester redeems an invite (46)"),
    beat(
        at(3, 0),
        HighIssues(0),
        "the severity-high issue is closed: the fix is deployed",
    ),
    beat(at(3, 30), Testers(47), "a tester redeems an invite (47)"),
    beat(at(4, 30), Testers(48), "a tester redeems an invite (48)"),
    beat(at(5, 15), Testers(49), "a tester redeems an invite (49)"),
    beat(at(6, 0), Testers(50), "the 50th tester signs up"),
    beat(
        at(7, 0),
        SyntheticJourney(false),
        "the synthetic checkout journey starts failing",
    ),
    beat(
        at(9, 0),
        SentryP1Opens,
        "Sentry: P1 TimeoutError: payment gateway timed out",
    ),
    beat(
        at(11, 0),
        StatusPage(Indicator::Minor),
        "status page: partially degraded service",
    ),
    beat(
        at(12, 0),
        Note,
        "the synthetic journey has failed for 5 minutes: it turns red",
    ),
    beat(at(14, 0), Testers(53), "three more testers sign up (53)"),
    beat(
        at(15, 0),
        SentryP1Resolved,
        "the payment provider recovers: the P1 is resolved",
    ),
    beat(at(16, 0), Note, "the last k6 nightly is now older than 30h"),
    beat(
        at(17, 0),
        StatusPage(Indicator::None),
        "status page: all systems operational",
    ),
    beat(
        at(19, 0),
        SyntheticJourney(true),
        "the synthetic journey passes again",
    ),
    beat(at(21, 0), NightlyLands, "a fresh k6 nightly passes"),
    beat(at(23, 0), Testers(57), "four more testers sign up (57)"),
    beat(STORY_LENGTH, Note, "decision call"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_is_in_order_and_ends_at_the_decision_call() {
        assert!(SCRIPT.windows(2).all(|w| w[0].at <= w[1].at));
        assert_eq!(SCRIPT.last().map(|b| b.at), Some(STORY_LENGTH));
        assert!(SCRIPT.iter().all(|b| b.at <= STORY_LENGTH));
    }

    #[test]
    fn the_notes_match_what_happens_by_itself() {
        let note_at = |text: &str| {
            SCRIPT
                .iter()
                .find(|b| b.event == Note && b.says.contains(text))
                .map(|b| b.at)
                .unwrap()
        };
        assert_eq!(
            NIGHTLY_AGE_AT_START + note_at("older than 30h"),
            NIGHTLY_MAX_AGE
        );
        let failing_from = SCRIPT
            .iter()
            .find(|b| b.event == SyntheticJourney(false))
            .unwrap()
            .at;
        assert_eq!(failing_from + SYNTHETIC_FOR, note_at("turns red"));
    }

    #[test]
    fn testers_only_grow_and_cross_fifty() {
        let counts: Vec<u32> = SCRIPT
            .iter()
            .filter_map(|b| match b.event {
                Testers(n) => Some(n),
                _ => None,
            })
            .collect();
        assert!(counts.windows(2).all(|w| w[0] < w[1]));
        assert!(TESTERS_AT_START < 50 && counts.last().is_some_and(|&n| n >= 50));
    }

    #[test]
    fn every_problem_is_over_before_the_call() {
        let last = |e: Event| SCRIPT.iter().rev().find(|b| b.event == e).map(|b| b.at);
        let nightly = last(NightlyLands).unwrap();
        // The fixes land with at least a few polls to spare before the decision call.
        for fix in [
            last(SentryP1Resolved),
            last(StatusPage(Indicator::None)),
            last(SyntheticJourney(true)),
            Some(nightly),
        ] {
            assert!(fix.unwrap() + POLL_EVERY * 4 < STORY_LENGTH);
        }
    }
}
