//! What a pane's job may use ([`Jobs`]): the services the cockpit was started with
//! ([`Setup`]), the runner's short tasks ([`Tasks`]), the long-lived run a pane starts, and a
//! way back for its answers ([`Replier`]), typed in the pane's own messages. Below the
//! registry and every pane.

mod tasks;

pub use tasks::{AtQuit, Tasks, quit_report};

use crate::config::Config;
use crate::db::Database;
use crate::invite::{self, Ledger};
use crate::journal::Journal;
use crate::text::Redactor;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A journal call that takes longer than this is reported as failed (the UI never waits on it).
pub const JOURNAL_TIMEOUT: Duration = Duration::from_secs(10);

/// What the runner needs from the outside world, read once at start.
pub struct Setup {
    pub journal: Option<Journal>,
    /// The database, for the live listener's own connection.
    pub database: Option<Database>,
    /// The config as loaded, for the handoff report.
    pub config: Config,
    /// The product database for the cohort's collision checks, and their statement timeout.
    pub cohort_db: Option<(Database, Duration)>,
    pub cohort_settings: crate::cohort::CohortSettings,
    pub redactor: Redactor,
    /// `$HOME`, for `:cohort ~/…`.
    pub home: Option<PathBuf>,
    /// A terminal to ring and title (not for a headless driver).
    pub terminal: bool,
    /// `[invites]`, the ledger and the journal, when the config has them.
    pub dispatch: Option<Dispatch>,
    /// Who is at the keyboard and the cockpit's clock, for the alerts it raises.
    pub operator: String,
    pub clock: crate::clock::Clock,
}

/// What the cockpit needs to dispatch: `[invites]` checked, the ledger, the journal.
#[derive(Clone)]
pub struct Dispatch {
    pub setup: invite::Setup,
    pub ledger: Ledger,
    pub journal: Journal,
}

/// What a pane's job may use ([`super::pane::PaneKind::run`]): the runner's setup (its
/// services, its clock), its tasks, the long-lived run a pane starts, which pausing and
/// quitting stop (quitting first, before the rest closes), and the way back for its answers.
pub struct Jobs<'a, M> {
    pub setup: &'a Setup,
    pub tasks: &'a mut Tasks,
    pub long_run: &'a mut Option<CancellationToken>,
    /// Sends the pane's answers (its messages, or shared actions) back to `update`.
    pub actions: Replier<super::message::Action<M>>,
}

/// The way back to `update` for a pane's answers, in the pane's own words (the registry
/// wraps them on the way).
pub struct Replier<A>(Arc<dyn Fn(A) -> bool + Send + Sync>);

impl<A> Clone for Replier<A> {
    fn clone(&self) -> Replier<A> {
        Replier(self.0.clone())
    }
}

/// The cockpit is gone: nobody takes answers any more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed;

impl<A> Replier<A> {
    /// `send` hands an answer on and says whether anybody still takes them.
    pub fn new(send: impl Fn(A) -> bool + Send + Sync + 'static) -> Replier<A> {
        Replier(Arc::new(send))
    }

    pub fn send(&self, answer: A) -> Result<(), Closed> {
        if (self.0)(answer) {
            Ok(())
        } else {
            Err(Closed)
        }
    }
}
