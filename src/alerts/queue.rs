//! The alerts waiting for a delivery slot, bounded: past [`super::WAITING_LIMIT`] the quietest
//! and oldest is dropped (and the service records that), never the newest critical one.

use super::Alert;
use std::collections::VecDeque;

/// One alert to deliver: `held` when this process already holds its lease (a takeover).
#[derive(Debug, Clone)]
pub(super) struct Job {
    pub alert: Alert,
    pub held: bool,
}

pub(super) struct Waiting {
    jobs: VecDeque<Job>,
    limit: usize,
}

impl Waiting {
    pub fn new(limit: usize) -> Waiting {
        Waiting {
            jobs: VecDeque::new(),
            limit: limit.max(1),
        }
    }

    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    /// Queues `job`; the job dropped to keep the bound, if any.
    pub fn push(&mut self, job: Job) -> Option<Job> {
        self.jobs.push_back(job);
        if self.jobs.len() <= self.limit {
            return None;
        }
        let lowest = self
            .jobs
            .iter()
            .enumerate()
            .min_by_key(|(_, j)| (j.alert.severity, j.alert.raised_at))
            .map(|(i, _)| i)?;
        self.jobs.remove(lowest)
    }

    pub fn pop(&mut self) -> Option<Job> {
        self.jobs.pop_front()
    }

    pub fn drain(&mut self) -> impl Iterator<Item = Job> + '_ {
        self.jobs.drain(..)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::Severity;

    fn job(severity: Severity, secs: i64) -> Job {
        let at = chrono::DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap_or_default();
        Job {
            alert: Alert {
                id: format!("{severity}-{secs}"),
                subject: "s".into(),
                severity,
                title: String::new(),
                message: String::new(),
                metadata: Default::default(),
                raised_at: at,
                changes: 1,
                first_sight: false,
                state: String::new(),
            },
            held: false,
        }
    }

    #[test]
    fn past_the_bound_the_quietest_oldest_goes() {
        let mut waiting = Waiting::new(2);
        assert!(waiting.push(job(Severity::Critical, 1)).is_none());
        assert!(waiting.push(job(Severity::Info, 2)).is_none());
        let dropped = waiting.push(job(Severity::Info, 3)).unwrap();
        assert_eq!(dropped.alert.id, "info-2");
        let dropped = waiting.push(job(Severity::Critical, 4)).unwrap();
        assert_eq!(dropped.alert.id, "info-3");
        assert_eq!(waiting.len(), 2);
        assert_eq!(waiting.pop().unwrap().alert.id, "critical-1");
    }
}
