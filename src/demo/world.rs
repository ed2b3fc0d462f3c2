//! The simulated world the fake Sentry, Prometheus, status page and GitHub answer from, and the
//! story clock that runs it `--speed` times faster than the wall clock.

use super::script::{self, Event, Indicator};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::time::Instant;

/// Maps wall time to story time: story time starts at the rehearsal's start and runs `speed`
/// times faster.
#[derive(Debug, Clone, Copy)]
pub struct StoryClock {
    started: Instant,
    started_utc: DateTime<Utc>,
    speed: f64,
}

impl StoryClock {
    pub fn start(speed: f64) -> StoryClock {
        StoryClock {
            started: Instant::now(),
            started_utc: Utc::now(),
            speed,
        }
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Story time elapsed since the opening.
    pub fn story_elapsed(&self) -> Duration {
        self.started.elapsed().mul_f64(self.speed)
    }

    /// The story's date and time: the wall clock at the opening plus elapsed story time.
    pub fn story_now(&self) -> DateTime<Utc> {
        self.started_utc + chrono::Duration::from_std(self.story_elapsed()).unwrap_or_default()
    }

    /// A story duration in wall time.
    pub fn to_wall(&self, story: Duration) -> Duration {
        story.div_f64(self.speed)
    }

    /// The wall instant at which story time `offset` arrives.
    pub fn instant_at(&self, offset: Duration) -> Instant {
        self.started + self.to_wall(offset)
    }

    /// The wall-clock time at which story time `offset` arrives.
    pub fn wall_at(&self, offset: Duration) -> DateTime<Utc> {
        self.started_utc + chrono::Duration::from_std(self.to_wall(offset)).unwrap_or_default()
    }
}

/// A Sentry issue as the organization issues API returns it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimIssue {
    pub id: String,
    pub short_id: String,
    pub title: String,
    pub culprit: String,
    pub permalink: Option<String>,
    pub level: &'static str,
    pub status: &'static str,
    pub substatus: &'static str,
    pub priority: Option<&'static str>,
    /// Sentry sends the event count as a string.
    pub count: String,
    pub user_count: u64,
    pub first_seen: String,
    pub last_seen: String,
    pub project: SimProject,
    pub is_unhandled: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SimProject {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub platform: String,
}

/// The P1 the story opens and resolves.
pub const P1_SHORT_ID: &str = "CHECKOUT-API-1F3";

/// Everything the simulated services report.
#[derive(Debug, Clone)]
pub struct World {
    pub status: Indicator,
    pub synthetic_up: bool,
    /// When the last k6 nightly passed, in story time.
    pub nightly_passed_at: DateTime<Utc>,
    pub high_issues: u32,
    pub issues: Vec<SimIssue>,
}

impl World {
    /// The world as the story opens.
    pub fn opening(clock: &StoryClock) -> World {
        let now = clock.story_now();
        let mut issues = Vec::new();
        // Background noise the gate's query must filter out: lower priorities, resolved ones.
        let noise = [
            ("medium", "unresolved", "error", "KeyError: 'locale'"),
            ("medium", "unresolved", "warning", "Slow DB query on /feed"),
            ("low", "unresolved", "info", "Deprecated API version used"),
            ("high", "resolved", "fatal", "OOMKilled: image-resizer"),
            ("low", "unresolved", "warning", "Retrying webhook delivery"),
        ];
        for (i, (priority, status, level, title)) in noise.into_iter().enumerate() {
            issues.push(issue(
                4_504_011_000 + i as u64,
                &format!("CHECKOUT-API-{:X}", 0x100 + i),
                title,
                priority,
                status,
                level,
                now - chrono::Duration::hours(30 + i as i64),
            ));
        }
        World {
            status: Indicator::None,
            synthetic_up: true,
            nightly_passed_at: now
                - chrono::Duration::from_std(script::NIGHTLY_AGE_AT_START).unwrap_or_default(),
            high_issues: script::HIGH_ISSUES_AT_START,
            issues,
        }
    }

    /// Applies a beat's event (except testers, which live in Postgres).
    pub fn apply(&mut self, event: Event, story_now: DateTime<Utc>) {
        match event {
            Event::HighIssues(n) => self.high_issues = n,
            Event::SentryP1Opens => {
                let mut p1 = issue(
                    4_504_012_345,
                    P1_SHORT_ID,
                    "TimeoutError: payment gateway timed out",
                    "high",
                    "unresolved",
                    "fatal",
                    story_now,
                );
                p1.count = "1287".into();
                p1.user_count = 342;
                p1.culprit = "app.payments.charge".into();
                self.issues.retain(|i| i.short_id != P1_SHORT_ID);
                self.issues.push(p1);
            }
            Event::SentryP1Resolved => {
                for i in self.issues.iter_mut().filter(|i| i.short_id == P1_SHORT_ID) {
                    i.status = "resolved";
                    i.substatus = "";
                }
            }
            Event::StatusPage(indicator) => self.status = indicator,
            Event::SyntheticJourney(up) => self.synthetic_up = up,
            Event::NightlyLands => self.nightly_passed_at = story_now,
            Event::Testers(_) | Event::Note => {}
        }
    }
}

fn issue(
    id: u64,
    short_id: &str,
    title: &str,
    priority: &'static str,
    status: &'static str,
    level: &'static str,
    first_seen: DateTime<Utc>,
) -> SimIssue {
    let seen = first_seen.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    SimIssue {
        id: id.to_string(),
        short_id: short_id.into(),
        title: title.into(),
        culprit: "app.handlers".into(),
        permalink: Some(format!("https://acme.sentry.io/issues/{id}/")),
        level,
        status,
        substatus: if status == "unresolved" {
            "ongoing"
        } else {
            ""
        },
        priority: Some(priority),
        count: "12".into(),
        user_count: 4,
        first_seen: seen.clone(),
        last_seen: seen,
        project: SimProject {
            id: "4504000001".into(),
            name: "checkout-api".into(),
            slug: "checkout-api".into(),
            platform: "python".into(),
        },
        is_unhandled: level == "fatal",
    }
}

/// The world shared by the scenario (writer) and the simulated endpoints (readers).
#[derive(Debug, Clone)]
pub struct SharedWorld {
    world: Arc<Mutex<World>>,
    pub clock: StoryClock,
}

impl SharedWorld {
    pub fn new(world: World, clock: StoryClock) -> SharedWorld {
        SharedWorld {
            world: Arc::new(Mutex::new(world)),
            clock,
        }
    }

    /// The world, even if a writer panicked (the data stays consistent: writes are single
    /// assignments).
    pub fn lock(&self) -> MutexGuard<'_, World> {
        self.world
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_p1_opens_and_resolves() {
        let clock = StoryClock::start(10.0);
        let mut w = World::opening(&clock);
        let open_p1 = |w: &World| {
            w.issues
                .iter()
                .filter(|i| i.priority == Some("high") && i.status == "unresolved")
                .count()
        };
        assert_eq!(open_p1(&w), 0);
        w.apply(Event::SentryP1Opens, clock.story_now());
        assert_eq!(open_p1(&w), 1);
        w.apply(Event::SentryP1Resolved, clock.story_now());
        assert_eq!(open_p1(&w), 0);
    }

    #[test]
    fn story_time_runs_faster() {
        let clock = StoryClock::start(60.0);
        assert_eq!(
            clock.to_wall(Duration::from_secs(600)),
            Duration::from_secs(10)
        );
        assert_eq!(
            clock.instant_at(Duration::from_secs(60)) - clock.started,
            Duration::from_secs(1)
        );
    }
}
