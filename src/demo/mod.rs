//! The rehearsal behind `gonogo demo`: a throwaway PostgreSQL (or `--database-url`), simulated
//! Sentry, Prometheus, status page and GitHub on loopback, and a scripted launch day played
//! `--speed` times faster, all feeding a real [`Config`] through the real clients and gates.
//! UI-free: the headless printer and the cockpit both drive a [`Rehearsal`].

pub mod call;
pub mod config;
pub mod dispatch;
pub mod postgres;
pub mod scenario;
pub mod script;
pub mod sim;
pub mod smtp;
pub mod summary;
pub mod world;

pub use postgres::{BinarySearch, PgError, ThrowawayPostgres};
pub use script::{Beat, DEFAULT_SPEED, SCRIPT};

use crate::config::{Config, ConfigError, ConfigUrl};
use chrono::{DateTime, Utc};
use sim::Endpoints;
use sqlx::PgPool;
use std::path::Path;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use world::{SharedWorld, StoryClock, World};

/// Highest accepted `--speed`: beyond it polls cannot keep up with the story.
pub const MAX_SPEED: f64 = 1000.0;

/// How to run the rehearsal.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Story seconds per wall-clock second.
    pub speed: f64,
    /// Use this database instead of starting a throwaway one.
    pub database_url: Option<String>,
    /// Where the PostgreSQL server binaries are looked for.
    pub binaries: BinarySearch,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            speed: DEFAULT_SPEED,
            database_url: None,
            binaries: BinarySearch::system(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("--speed must be a number above 0 and at most {MAX_SPEED}, not {0}")]
    BadSpeed(f64),
    #[error(transparent)]
    Postgres(#[from] PgError),
    #[error("the rehearsal database at {url} is not usable: {reason}")]
    Database { url: String, reason: String },
    #[error("cannot start the simulated services on 127.0.0.1: {0}")]
    Serve(String),
    #[error("the generated demo config is invalid (a bug in gonogo): {0}")]
    Config(#[from] ConfigError),
}

impl DemoError {
    /// The process exit code this failure means.
    pub fn exit_code(&self) -> u8 {
        match self {
            DemoError::BadSpeed(_) => crate::exit::USAGE,
            DemoError::Postgres(_) | DemoError::Database { .. } => crate::exit::UNAVAILABLE,
            DemoError::Serve(_) => crate::exit::UNAVAILABLE,
            DemoError::Config(_) => crate::exit::SOFTWARE,
        }
    }
}

/// A running rehearsal. The story plays in a background task from [`Rehearsal::start`] on;
/// drive [`Rehearsal::config`] through the monitor and a board to watch it. Dropping it stops
/// everything; [`Rehearsal::shutdown`] does so in order.
pub struct Rehearsal {
    /// The generated config: launch "… (DEMO)", six gates on the simulated services.
    pub config: Config,
    /// Where the simulated services listen.
    pub endpoints: Endpoints,
    clock: StoryClock,
    pool: PgPool,
    cancel: CancellationToken,
    scenario: Option<JoinHandle<()>>,
    played: watch::Receiver<usize>,
    postgres: Option<ThrowawayPostgres>,
    /// The rehearsal's SMTP server and its template and cohort; `None` if it could not start.
    dispatch: Option<dispatch::DemoDispatch>,
    dispatch_task: Option<JoinHandle<()>>,
    /// Where the rehearsal's checklist is, with a named database (a throwaway one holds it in
    /// its own directory); removed with the rehearsal.
    _files: Option<tempfile::TempDir>,
    call: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Rehearsal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rehearsal")
            .field("endpoints", &self.endpoints)
            .field("speed", &self.clock.speed())
            .field("postgres", &self.postgres)
            .finish_non_exhaustive()
    }
}

impl Rehearsal {
    /// Starts the database, the simulated services and the story; returns once all are up.
    pub async fn start(options: DemoOptions) -> Result<Rehearsal, DemoError> {
        let speed = options.speed;
        if !(speed.is_finite() && speed > 0.0 && speed <= MAX_SPEED) {
            return Err(DemoError::BadSpeed(speed));
        }
        let (url, postgres) = match options.database_url {
            Some(url) => (url, None),
            None => {
                let pg = ThrowawayPostgres::start(&options.binaries).await?;
                (pg.url().to_owned(), Some(pg))
            }
        };
        let pool = open_database(&url).await?;
        let cancel = CancellationToken::new();
        // Until the rehearsal is handed over, an error anywhere below stops what already runs.
        let stop_on_error = cancel.clone().drop_guard();
        let clock = StoryClock::start(speed);
        let world = SharedWorld::new(World::opening(&clock), clock);
        let endpoints = sim::serve_all(&world, &cancel)
            .await
            .map_err(|e| DemoError::Serve(e.to_string()))?;
        let demo_dispatch =
            match dispatch::DemoDispatch::start(postgres.as_ref().map(|pg| pg.dir())).await {
                Ok(d) => Some(d),
                Err(e) => {
                    tracing::warn!(
                        "no dispatch in this rehearsal: its SMTP server did not start: {e}"
                    );
                    None
                }
            };
        let cannot =
            |e: std::io::Error| DemoError::Serve(format!("cannot write the demo checklist: {e}"));
        let files = match &postgres {
            Some(_) => None,
            None => Some(
                tempfile::Builder::new()
                    .prefix("gonogo-checklist-")
                    .tempdir()
                    .map_err(cannot)?,
            ),
        };
        let dir = match (&postgres, &files) {
            (Some(pg), _) => pg.dir().to_path_buf(),
            (None, Some(files)) => files.path().to_path_buf(),
            (None, None) => std::env::temp_dir(),
        };
        let checklist_path = dir.join("SOFT_LAUNCH_DEMO_CHECKLIST.md");
        std::fs::write(&checklist_path, call::checklist_text(&clock)).map_err(cannot)?;
        let (_, pager) = sim::pager::serve(pool.clone(), config::LAUNCH_NAME, &cancel)
            .await
            .map_err(|e| DemoError::Serve(e.to_string()))?;
        let config = config::build(&config::Wiring {
            database_url: &url,
            endpoints: &endpoints,
            clock: &clock,
            invites: demo_dispatch.as_ref().map(|d| d.config_section(speed)),
            checklist: Some(&checklist_path),
            pager: Some(&pager),
        })?;
        let dispatch_task = demo_dispatch.as_ref().map(|d| {
            tokio::spawn(dispatch::rehearse(
                config.clone(),
                d.dir().join("gonogo.toml"),
                d.cohort_path(),
                pool.clone(),
                clock,
                cancel.clone(),
            ))
        });
        let checklist = crate::checklist::load_configured(&config)
            .map_err(|e| DemoError::Serve(format!("the demo checklist is invalid: {e}")))?;
        let call = tokio::spawn(call::play(
            pool.clone(),
            clock,
            checklist,
            config.raw.decision.clone(),
            cancel.clone(),
        ));
        let (played_tx, played) = watch::channel(0);
        let scenario = tokio::spawn(scenario::play(
            pool.clone(),
            world,
            played_tx,
            cancel.clone(),
        ));
        stop_on_error.disarm();
        Ok(Rehearsal {
            config,
            endpoints,
            clock,
            pool,
            cancel,
            scenario: Some(scenario),
            played,
            postgres,
            dispatch: demo_dispatch,
            dispatch_task,
            _files: files,
            call: Some(call),
        })
    }

    /// The cohort the rehearsal's invites are prepared from, for the Cohort pane; `None` when
    /// its dispatch could not start.
    pub fn cohort_file(&self) -> Option<std::path::PathBuf> {
        self.dispatch.as_ref().map(|d| d.cohort_path())
    }

    /// Story seconds per wall-clock second.
    pub fn speed(&self) -> f64 {
        self.clock.speed()
    }

    /// When the story reaches the decision call (the config's `decision_at`).
    pub fn story_ends_at(&self) -> DateTime<Utc> {
        self.clock.wall_at(script::STORY_LENGTH)
    }

    /// Story time elapsed since the opening.
    pub fn story_elapsed(&self) -> Duration {
        self.clock.story_elapsed()
    }

    /// How many beats of [`SCRIPT`] have played; it reaches `SCRIPT.len()` at the decision call.
    /// Each receiver sees every change, so a front end can narrate `SCRIPT[seen..played]`.
    pub fn progress(&self) -> watch::Receiver<usize> {
        self.played.clone()
    }

    pub fn is_finished(&self) -> bool {
        *self.played.borrow() >= SCRIPT.len()
    }

    /// Resolves when the last beat has played (or the story was stopped).
    pub async fn finished(&self) {
        let mut played = self.played.clone();
        let _ = played.wait_for(|&n| n >= SCRIPT.len()).await;
    }

    /// The day so far in one screen, from the journal ([`summary::summarize`]); a journal
    /// that cannot be read is said in one line.
    pub async fn summary(&self) -> String {
        let launch = self.config.launch().name.as_str();
        let journal = crate::journal::Journal::new(self.pool.clone(), launch, "demo");
        let read = tokio::time::timeout(Duration::from_secs(5), journal.recent(100_000)).await;
        let mut entries = match read {
            Ok(Ok(entries)) => entries,
            Ok(Err(e)) => {
                return format!("(no summary of the day: the journal could not be read: {e})\n");
            }
            Err(_) => {
                return "(no summary of the day: the journal did not answer in time)\n".into();
            }
        };
        entries.reverse();
        let played = summary::Played {
            beats: *self.played.borrow(),
            of_beats: SCRIPT.len(),
            story_minutes: script::STORY_LENGTH.as_secs() / 60,
            speed: self.speed(),
        };
        summary::summarize(launch, &self.config.gates, &entries, &played)
    }

    /// The throwaway cluster's temp dir, when one is running.
    pub fn throwaway_dir(&self) -> Option<&Path> {
        self.postgres.as_ref().map(ThrowawayPostgres::dir)
    }

    /// The database the rehearsal uses (shown redacted).
    pub fn database_url(&self) -> Option<&ConfigUrl> {
        self.config.raw.postgres.as_ref().map(|p| &p.url)
    }

    /// Stops the story and the simulated services, closes connections, then stops the throwaway
    /// PostgreSQL and removes its directory.
    pub async fn shutdown(mut self) {
        self.cancel.cancel();
        if let Some(scenario) = self.scenario.take() {
            let _ = tokio::time::timeout(Duration::from_secs(2), scenario).await;
        }
        if let Some(task) = self.dispatch_task.take() {
            // The message in flight finishes and is recorded; the SMTP server goes after it.
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
        drop(self.dispatch.take());
        if let Some(call) = self.call.take() {
            let _ = tokio::time::timeout(Duration::from_secs(2), call).await;
        }
        if self.postgres.is_none() {
            // A database the operator named keeps nothing of the rehearsal.
            let cleared = tokio::time::timeout(Duration::from_secs(5), scenario::clear(&self.pool));
            if !matches!(cleared.await, Ok(Ok(()))) {
                tracing::warn!("could not remove the rehearsal's invites from the named database");
            }
        }
        let _ = tokio::time::timeout(Duration::from_secs(2), self.pool.close()).await;
        if let Some(mut pg) = self.postgres.take() {
            let _ = tokio::task::spawn_blocking(move || pg.stop()).await;
        }
    }
}

impl Drop for Rehearsal {
    fn drop(&mut self) {
        self.cancel.cancel();
        if let Some(scenario) = &self.scenario {
            scenario.abort();
        }
        if let Some(call) = &self.call {
            call.abort();
        }
    }
}

async fn open_database(url: &str) -> Result<PgPool, DemoError> {
    let config_url = ConfigUrl::new(url);
    let redactor = crate::text::Redactor::default();
    config_url.register_secrets(&redactor);
    let failed = |reason: String| DemoError::Database {
        url: config_url.to_string(),
        reason: redactor.redact(&crate::text::sanitize(&reason)),
    };
    // One direct connection first: its error says why (refused, auth, no such database), where
    // the pool would only say it timed out.
    use sqlx::Connection;
    match tokio::time::timeout(Duration::from_secs(10), sqlx::PgConnection::connect(url)).await {
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
        }
        Ok(Err(e)) => return Err(failed(e.to_string())),
        Err(_) => return Err(failed("no answer within 10s".into())),
    }
    let pool =
        crate::db::pool(&config_url, Duration::from_secs(10)).map_err(|e| failed(e.to_string()))?;
    crate::db::migrate(&pool)
        .await
        .map_err(|e| failed(e.to_string()))?;
    let foreign = scenario::foreign_invites(&pool)
        .await
        .map_err(|e| failed(e.to_string()))?;
    if foreign > 0 {
        return Err(failed(format!(
            "public.beta_invites holds {} that are not the rehearsal's; its \
             redeemed testers would be counted by that database's real gates. Rehearse on an \
             empty database, or without --database-url on a throwaway one",
            crate::plural::count(foreign as u64, "invite")
        )));
    }
    scenario::prepare(&pool)
        .await
        .map_err(|e| failed(e.to_string()))?;
    call::prepare(&pool)
        .await
        .map_err(|e| failed(e.to_string()))?;
    Ok(pool)
}
