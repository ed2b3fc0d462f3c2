//! Waiting for quiet: a test that proves something did NOT happen (no second message, no
//! duplicate alert) first waits until the server it would have reached reports no activity for a
//! quiet period, polled to a deadline, instead of sleeping a fixed time. What was still on its way
//! when a fixed sleep would have ended is seen, so the assertion after it checks everything.
//! Standalone (no other support module), so `smtp.rs` and the benchmarks can include it.
#![allow(dead_code)]

use std::fmt::Debug;
use std::time::Duration;
use tokio::time::Instant;

/// How often the waits below ask the server what it has seen.
pub const POLL: Duration = Duration::from_millis(20);

/// Follows what a server reports until it has stayed the same, with nothing in flight, for a
/// whole quiet period. Uses tokio's clock, so it also works under paused time.
pub struct Quiet<A> {
    what: String,
    period: Duration,
    deadline: Instant,
    last: A,
    since: Instant,
}

impl<A: PartialEq + Debug> Quiet<A> {
    /// `what` names the server in the failure; `first` is what it reports now.
    pub fn new(what: &str, period: Duration, within: Duration, first: A) -> Quiet<A> {
        let now = Instant::now();
        Quiet {
            what: what.to_owned(),
            period,
            deadline: now + within,
            last: first,
            since: now,
        }
    }

    /// Records what the server reports now (`busy`: something is in flight there) and says
    /// whether it has been quiet for the whole period. Fails the test once the deadline passed.
    pub fn settled(&mut self, now: A, busy: bool) -> bool {
        let at = Instant::now();
        if now != self.last || busy {
            self.last = now;
            self.since = at;
        } else if at.duration_since(self.since) >= self.period {
            return true;
        }
        assert!(
            at < self.deadline,
            "{} was never quiet for {:?}; it last reported {:?}",
            self.what,
            self.period,
            self.last
        );
        false
    }
}

/// Blocks (polling every [`POLL`]) until `activity` — what the server has seen so far, and
/// whether something is in flight — stays the same, idle, for `period`; fails after `within`.
pub fn wait_quiet<A: PartialEq + Debug>(
    what: &str,
    period: Duration,
    within: Duration,
    mut activity: impl FnMut() -> (A, bool),
) {
    let (first, _) = activity();
    let mut quiet = Quiet::new(what, period, within, first);
    loop {
        std::thread::sleep(POLL);
        let (now, busy) = activity();
        if quiet.settled(now, busy) {
            return;
        }
    }
}
