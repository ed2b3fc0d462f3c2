//! The effect runner's short tasks: each spawned into one `JoinSet` under a name, so what is
//! still running is known at any time; at quit, reads are cancelled (nobody will see their
//! answer), writes get until the deadline, and whatever did not finish is named.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;
use tokio::task::{Id, JoinError, JoinSet};
use tokio_util::sync::CancellationToken;

/// What quitting does with a task still running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtQuit {
    /// Its answer is only for the screen (a journal read, a cohort load): cancelled at once.
    Cancel,
    /// It changes something (a journal write): awaited until the quit deadline.
    Finish,
}

pub struct Tasks {
    set: JoinSet<()>,
    running: HashMap<Id, (&'static str, AtQuit)>,
    /// Cancels every task at the deadline.
    all: CancellationToken,
    /// A child of `all` for the [`AtQuit::Cancel`] tasks, cancelled as soon as quitting starts.
    reads: CancellationToken,
}

impl Default for Tasks {
    fn default() -> Tasks {
        let all = CancellationToken::new();
        Tasks {
            set: JoinSet::new(),
            running: HashMap::new(),
            reads: all.child_token(),
            all,
        }
    }
}

impl Tasks {
    /// Runs `task` beside the cockpit; `name` says what it is if it has to be abandoned.
    pub fn spawn(
        &mut self,
        name: &'static str,
        at_quit: AtQuit,
        task: impl Future<Output = ()> + Send + 'static,
    ) {
        self.reap();
        let token = match at_quit {
            AtQuit::Cancel => self.reads.clone(),
            AtQuit::Finish => self.all.clone(),
        };
        let handle = self.set.spawn(async move {
            token.run_until_cancelled(task).await;
        });
        self.running.insert(handle.id(), (name, at_quit));
    }

    /// Forgets the tasks that finished, so the set holds only running ones.
    pub fn reap(&mut self) {
        while let Some(done) = self.set.try_join_next_with_id() {
            self.running.remove(&finished_id(done));
        }
    }

    /// What is running now, by name, sorted.
    #[cfg(test)]
    pub fn running(&self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self.running.values().map(|(name, _)| *name).collect();
        names.sort_unstable();
        names
    }

    /// Quitting: cancels the reads, gives the writes until `deadline`, then cancels what is
    /// left. Returns the names of the tasks that did not finish, sorted.
    pub async fn drain(self, deadline: Duration) -> Vec<&'static str> {
        let Tasks {
            mut set,
            mut running,
            all,
            reads,
        } = self;
        while let Some(done) = set.try_join_next_with_id() {
            running.remove(&finished_id(done));
        }
        let mut left: Vec<&'static str> = Vec::new();
        running.retain(|_, (name, at_quit)| match at_quit {
            AtQuit::Cancel => {
                left.push(*name);
                false
            }
            AtQuit::Finish => true,
        });
        reads.cancel();
        let finishing = async {
            while let Some(done) = set.join_next_with_id().await {
                running.remove(&finished_id(done));
            }
        };
        let _ = tokio::time::timeout(deadline, finishing).await;
        all.cancel();
        set.abort_all();
        left.extend(running.values().map(|(name, _)| *name));
        left.sort_unstable();
        left
    }
}

fn finished_id(done: Result<(Id, ()), JoinError>) -> Id {
    match done {
        Ok((id, ())) => id,
        Err(e) => e.id(),
    }
}

/// The stderr line for tasks left undone at quit, if any.
pub fn quit_report(left: &[&str]) -> Option<String> {
    match left.len() {
        0 => None,
        1 => Some(format!(
            "gonogo: 1 task still running at quit ({}): abandoned",
            left[0]
        )),
        n => Some(format!(
            "gonogo: {n} tasks still running at quit ({}): abandoned",
            left.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[tokio::test]
    async fn a_write_that_finishes_within_the_deadline_is_awaited() {
        let mut tasks = Tasks::default();
        let done = Arc::new(AtomicBool::new(false));
        let flag = done.clone();
        tasks.spawn("journal write", AtQuit::Finish, async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            flag.store(true, Ordering::SeqCst);
        });
        assert_eq!(tasks.running(), ["journal write"]);
        let left = tasks.drain(Duration::from_secs(5)).await;
        assert!(left.is_empty(), "{left:?}");
        assert!(done.load(Ordering::SeqCst), "drain waited for the write");
        assert_eq!(quit_report(&left), None);
    }

    #[tokio::test]
    async fn a_task_past_the_deadline_is_cancelled_and_named() {
        let mut tasks = Tasks::default();
        let finished = Arc::new(AtomicBool::new(false));
        let flag = finished.clone();
        tasks.spawn("cohort override", AtQuit::Finish, async move {
            tokio::time::sleep(Duration::from_secs(30)).await;
            flag.store(true, Ordering::SeqCst);
        });
        let started = std::time::Instant::now();
        let left = tasks.drain(Duration::from_millis(100)).await;
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "bounded by the deadline"
        );
        assert_eq!(left, ["cohort override"]);
        assert!(!finished.load(Ordering::SeqCst));
        assert_eq!(
            quit_report(&left).as_deref(),
            Some("gonogo: 1 task still running at quit (cohort override): abandoned")
        );
    }

    #[tokio::test]
    async fn reads_are_cancelled_at_once_and_finished_tasks_are_forgotten() {
        let mut tasks = Tasks::default();
        tasks.spawn("quick", AtQuit::Cancel, async {});
        tokio::time::sleep(Duration::from_millis(20)).await;
        tasks.reap();
        assert!(tasks.running().is_empty(), "a finished task is not running");
        tasks.spawn("cohort load", AtQuit::Cancel, async {
            tokio::time::sleep(Duration::from_secs(30)).await;
        });
        tasks.spawn("timeline read", AtQuit::Cancel, async {
            tokio::time::sleep(Duration::from_secs(30)).await;
        });
        let started = std::time::Instant::now();
        let left = tasks.drain(Duration::from_secs(10)).await;
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "reads do not hold up quitting"
        );
        assert_eq!(left, ["cohort load", "timeline read"]);
        assert_eq!(
            quit_report(&left).as_deref(),
            Some("gonogo: 2 tasks still running at quit (cohort load, timeline read): abandoned")
        );
    }
}
