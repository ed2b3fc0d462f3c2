//! Time: the [`Clock`] every reading, tick and stamp takes its time from, and [`rfc3339`], the one
//! way gonogo writes a time for people and scripts (UTC, to the second, `Z`).

use chrono::{DateTime, SecondsFormat, Utc};

/// Where timestamps come from.
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    /// Wall-clock time.
    System,
    /// Time that follows tokio's clock from a fixed start: paused-time tests and rehearsals.
    Tokio {
        start_utc: DateTime<Utc>,
        start: tokio::time::Instant,
    },
}

impl Clock {
    pub fn tokio_from(start_utc: DateTime<Utc>) -> Clock {
        Clock::Tokio {
            start_utc,
            start: tokio::time::Instant::now(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Tokio { start_utc, start } => {
                let elapsed = tokio::time::Instant::now().duration_since(*start);
                *start_utc + chrono::Duration::from_std(elapsed).unwrap_or_default()
            }
        }
    }
}

/// `2026-06-01T18:00:00Z`: UTC, whole seconds (a fraction is dropped, not rounded).
pub fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_are_written_in_utc_to_the_second() {
        let at = Utc.with_ymd_and_hms(2026, 6, 1, 18, 0, 5).unwrap();
        assert_eq!(rfc3339(at), "2026-06-01T18:00:05Z");
        let late = at + chrono::Duration::milliseconds(999);
        assert_eq!(
            rfc3339(late),
            "2026-06-01T18:00:05Z",
            "truncated, never rounded up"
        );
        let parsed = DateTime::parse_from_rfc3339(&rfc3339(late)).unwrap();
        assert_eq!(parsed.with_timezone(&Utc), at);
    }

    #[tokio::test(start_paused = true)]
    async fn the_tokio_clock_follows_paused_time() {
        let start = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
        let clock = Clock::tokio_from(start);
        assert_eq!(clock.now(), start);
        tokio::time::advance(std::time::Duration::from_secs(90)).await;
        assert_eq!(clock.now(), start + chrono::Duration::seconds(90));
    }
}
