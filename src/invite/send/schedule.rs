//! When a run sends: how many messages it claims at once, and when a retry is due.

use super::{SendError, SendOptions};
use crate::config::invites::{MAX_RETRY, Rate};
use crate::invite::ledger::Ledger;
use std::time::Duration;

/// How many messages a run claims at once. One at a time at an operator's pace; at high rates
/// (or none) a few per commit, since each synchronous commit costs a disk flush. Either way a
/// run that dies leaves at most the message in flight `unknown`: each hand-over is marked
/// first, and an unmarked claim goes back to `prepared` (see `Ledger::settle_dead_runs`).
pub fn claim_ahead(rate: Rate) -> u64 {
    match rate.0 {
        Some(per_second) if per_second < CLAIM_AHEAD_FROM => 1,
        _ => CLAIM_AHEAD,
    }
}

/// Claims per commit at high rates, and the rate (messages a second) from which they apply.
pub const CLAIM_AHEAD: u64 = 8;
pub const CLAIM_AHEAD_FROM: f64 = 100.0;

/// First retry after `first`, then twice as long each time, at most [`MAX_RETRY`].
pub fn retry_delay(first: Duration, attempts: u32) -> Duration {
    let doublings = attempts.saturating_sub(1).min(16);
    first.saturating_mul(1 << doublings).min(MAX_RETRY)
}

/// How long until the next `prepared` message of the run's scope is due, if any is waiting.
pub(super) async fn next_retry(
    ledger: &Ledger,
    options: &SendOptions,
) -> Result<Option<Duration>, SendError> {
    Ok(ledger.waiting(options.batch.as_deref()).await?)
}

#[cfg(test)]
mod tests {
    use super::retry_delay;
    use std::time::Duration;

    #[test]
    fn retries_double_up_to_fifteen_minutes() {
        let first = Duration::from_secs(30);
        assert_eq!(retry_delay(first, 1), Duration::from_secs(30));
        assert_eq!(retry_delay(first, 2), Duration::from_secs(60));
        assert_eq!(retry_delay(first, 5), Duration::from_secs(480));
        assert_eq!(retry_delay(first, 6), Duration::from_secs(900));
        assert_eq!(retry_delay(first, 60), Duration::from_secs(900));
    }
}
