//! A send run's lease: renewed with each heartbeat, timed by this machine's boot clock (which
//! counts through SIGSTOP and a suspended laptop alike), and the fence every hand-over passes
//! before its point of no return. Whether a run's process still lives is
//! [`crate::process::alive`]'s to say.

use std::sync::Mutex;
use std::time::Duration;

/// A run's lease unless `GONOGO_DISPATCH_LEASE` says otherwise.
pub const LEASE: Duration = Duration::from_secs(15);

/// How long a run holds its claims without a heartbeat, and the margin around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaseTerms {
    pub lease: Duration,
    /// A run starts no hand-over, and passes no point of no return, with less than this left;
    /// others wait the lease plus this before declaring it dead.
    pub margin: Duration,
}

impl LeaseTerms {
    /// The lease from `GONOGO_DISPATCH_LEASE` (a duration, `2s`; for drills), else [`LEASE`];
    /// the margin is a third of it, the heartbeat a seventh.
    pub fn from_env() -> LeaseTerms {
        let lease = std::env::var("GONOGO_DISPATCH_LEASE")
            .ok()
            .and_then(|v| humantime::parse_duration(v.trim()).ok())
            .filter(|d| *d >= Duration::from_millis(300) && *d <= Duration::from_secs(3600))
            .unwrap_or(LEASE);
        LeaseTerms {
            lease,
            margin: lease / 3,
        }
    }

    pub fn heartbeat(&self) -> Duration {
        self.lease / 7
    }

    pub fn lease_ms(&self) -> i32 {
        i32::try_from(self.lease.as_millis()).unwrap_or(i32::MAX)
    }

    pub fn margin_ms(&self) -> i32 {
        i32::try_from(self.margin.as_millis()).unwrap_or(i32::MAX)
    }
}

#[derive(Debug, Default)]
struct Held {
    /// Boot-clock time the last successful renewal was *sent* (so the lease runs from before
    /// the database stamped it).
    renewed_at: Option<Duration>,
    revoked: bool,
}

/// The lease one run holds.
#[derive(Debug)]
pub struct Lease {
    terms: LeaseTerms,
    /// A lease that never runs out: a test send, which claims nothing.
    unbounded: bool,
    held: Mutex<Held>,
}

impl Lease {
    /// A lease as granted when the run's row was inserted at `started` (boot clock).
    pub fn granted(terms: LeaseTerms, started: Duration) -> Lease {
        Lease {
            terms,
            unbounded: false,
            held: Mutex::new(Held {
                renewed_at: Some(started),
                revoked: false,
            }),
        }
    }

    pub fn unbounded() -> Lease {
        Lease {
            terms: LeaseTerms::from_env(),
            unbounded: true,
            held: Mutex::new(Held::default()),
        }
    }

    pub fn terms(&self) -> LeaseTerms {
        self.terms
    }

    /// A renewal sent at `sent_at` was committed.
    pub fn renewed(&self, sent_at: Duration) {
        if let Ok(mut held) = self.held.lock()
            && held.renewed_at.is_none_or(|at| at < sent_at)
        {
            held.renewed_at = Some(sent_at);
        }
    }

    /// The run was declared dead: no renewal counts any more.
    pub fn revoke(&self) {
        if let Ok(mut held) = self.held.lock() {
            held.revoked = true;
        }
    }

    pub fn is_revoked(&self) -> bool {
        self.held.lock().map_or(true, |h| h.revoked)
    }

    /// Ok while more than the margin is left; otherwise why not (a hand-over must not start,
    /// or must stop short of its point of no return).
    pub fn check(&self) -> Result<(), String> {
        if self.unbounded {
            return Ok(());
        }
        let Ok(held) = self.held.lock() else {
            return Err("the lease cannot be read".into());
        };
        if held.revoked {
            return Err("this run was declared dead: its claims are no longer its own".into());
        }
        let now = boot_clock();
        let left = held.renewed_at.map_or(Duration::ZERO, |at| {
            (at + self.terms.lease).saturating_sub(now)
        });
        if left > self.terms.margin {
            Ok(())
        } else {
            Err(format!(
                "the run's lease has {} left, less than its {} margin (no heartbeat got through)",
                humantime::format_duration(Duration::from_millis(left.as_millis() as u64)),
                humantime::format_duration(self.terms.margin)
            ))
        }
    }
}

/// Time since boot, suspend included (CLOCK_BOOTTIME); a frozen or suspended process wakes up
/// to the time that really passed.
pub fn boot_clock() -> Duration {
    use nix::time::{ClockId, clock_gettime};
    clock_gettime(ClockId::CLOCK_BOOTTIME)
        .map(Duration::from)
        .unwrap_or(Duration::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_fences_once_less_than_the_margin_is_left() {
        let terms = LeaseTerms {
            lease: Duration::from_secs(15),
            margin: Duration::from_secs(5),
        };
        let now = boot_clock();
        assert!(Lease::granted(terms, now).check().is_ok());
        let old = Lease::granted(terms, now.saturating_sub(Duration::from_secs(11)));
        assert!(old.check().unwrap_err().contains("margin"));
        old.renewed(now);
        assert!(old.check().is_ok());
        old.revoke();
        assert!(old.check().unwrap_err().contains("declared dead"));
        assert!(Lease::unbounded().check().is_ok());
    }
}
