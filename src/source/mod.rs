//! Sources: one client per kind (Postgres, Prometheus, Sentry, HTTP, command, file age) behind one
//! entry point, [`Sources::check`], which runs a gate's check within its deadline and always
//! returns a result (an error is a result, never a crash).

pub mod command;
pub mod file_age;
pub mod http;
pub mod policy;
pub mod postgres;
pub mod prometheus;
pub mod sentry;

use crate::config::Config;
use crate::gate::{GateResult, GateSpec, Observation, SourceSpec};
use crate::text::Redactor;
use chrono::{DateTime, Utc};
use policy::RetryPolicy;
use std::time::Duration;
use tokio::time::Instant;

/// Largest HTTP body any source reads.
pub const BODY_CAP: usize = 8 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("cannot build the HTTP client: {0}")]
    Http(String),
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    #[error("{0}")]
    Config(String),
}

/// Every client a gate may need, built once and shared by all pollers.
#[derive(Clone)]
pub struct Sources {
    http: reqwest::Client,
    database: Option<crate::db::Database>,
    sentry: Option<sentry::SentryClient>,
    prometheus: Option<prometheus::PromClient>,
    policy: RetryPolicy,
    redactor: Redactor,
}

impl Sources {
    pub fn new(config: &Config) -> Result<Sources, SetupError> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("gonogo/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| SetupError::Http(policy::describe(&e)))?;
        let longest = config
            .gates
            .iter()
            .map(|g| g.timeout)
            .max()
            .unwrap_or(config.raw.defaults.timeout);
        let database = match &config.raw.postgres {
            Some(pg) => Some(crate::db::Database::connect_lazy(&pg.url, longest)?),
            None => None,
        };
        Ok(Sources {
            sentry: match &config.raw.sentry {
                Some(s) => {
                    Some(sentry::SentryClient::new(http.clone(), s).map_err(SetupError::Config)?)
                }
                None => None,
            },
            prometheus: config
                .raw
                .prometheus
                .as_ref()
                .map(|p| prometheus::PromClient::new(http.clone(), p)),
            http,
            database,
            policy: RetryPolicy::default(),
            redactor: config.redactor.clone(),
        })
    }

    /// Replaces the retry policy (tests and benchmarks use short delays).
    pub fn with_policy(mut self, policy: RetryPolicy) -> Sources {
        self.policy = policy;
        self
    }

    /// The configured database, if any: its gates pool for the config's SQL, its state pool
    /// for gonogo's own tables.
    pub fn database(&self) -> Option<&crate::db::Database> {
        self.database.as_ref()
    }

    /// The journal of this launch on gonogo's own pool, written as `actor`.
    pub fn journal(&self, launch: &str, actor: &str) -> Option<crate::journal::Journal> {
        self.database
            .as_ref()
            .map(|db| crate::journal::Journal::new(db.state().clone(), launch, actor))
    }

    /// The pool the config's SQL runs on (gates, cohort checks).
    pub fn postgres(&self) -> Option<&sqlx::PgPool> {
        self.database.as_ref().map(|db| db.gates())
    }

    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// Checks one gate within its own deadline. `observed_at` is when the check finished.
    pub async fn check(&self, gate: &GateSpec, clock: &crate::monitor::Clock) -> GateResult {
        let deadline = Instant::now() + gate.timeout;
        let outcome =
            match tokio::time::timeout(gate.timeout, self.check_inner(gate, deadline)).await {
                Ok(Ok(obs)) => Ok(Observation {
                    value: obs.value,
                    detail: obs.detail.map(|d| self.redactor.redact(&d)),
                }),
                Ok(Err(e)) => Err(self.redactor.redact(&e)),
                Err(_) => Err(format!(
                    "timed out after {}",
                    humantime::format_duration(gate.timeout)
                )),
            };
        let outcome = outcome.map_err(|e| naming_the_host(gate, e));
        if let Err(e) = &outcome {
            tracing::info!(gate = %gate.id, error = %e, "gate could not be checked");
        }
        GateResult {
            gate: gate.id.clone(),
            observed_at: clock.now(),
            outcome,
        }
    }

    async fn check_inner(&self, gate: &GateSpec, deadline: Instant) -> Result<Observation, String> {
        let missing = |section: &str| format!("no [{section}] section in the config");
        match &gate.source {
            SourceSpec::Postgres { query } => {
                let pool = self.postgres().ok_or_else(|| missing("postgres"))?;
                postgres::query_one(pool, query, gate.timeout).await
            }
            SourceSpec::Prometheus { query } => {
                let client = self
                    .prometheus
                    .as_ref()
                    .ok_or_else(|| missing("prometheus"))?;
                client.query(query, &self.policy, deadline).await
            }
            SourceSpec::Sentry {
                query,
                project,
                environment,
                stats_period,
            } => {
                let client = self.sentry.as_ref().ok_or_else(|| missing("sentry"))?;
                let filter = sentry::IssueFilter {
                    query,
                    project: project.as_deref(),
                    environment: environment.as_deref(),
                    stats_period: stats_period.as_deref(),
                };
                client.count_issues(&filter, &self.policy, deadline).await
            }
            SourceSpec::Http {
                url,
                method,
                headers,
                json,
            } => {
                let request = http::HttpCheck {
                    url,
                    method: *method,
                    headers,
                    json: json.as_deref(),
                };
                http::check(&self.http, &request, &self.policy, deadline).await
            }
            SourceSpec::Command { argv } => command::run(argv).await,
            SourceSpec::FileAge { path } => file_age::age(path, SystemClock::now()).await,
        }
    }
}

/// An HTTP gate's error says which server it is about (`status.example.com: timed out`).
fn naming_the_host(gate: &GateSpec, error: String) -> String {
    match &gate.source {
        SourceSpec::Http { url, .. } => match url.host_and_port() {
            Some(host) if !error.contains(&host) => format!("{host}: {error}"),
            _ => error,
        },
        _ => error,
    }
}

/// Wall-clock time for file ages (a file's mtime is wall-clock too).
struct SystemClock;

impl SystemClock {
    fn now() -> DateTime<Utc> {
        Utc::now()
    }
}

/// A short, sanitized excerpt of a body for an error message.
pub fn body_excerpt(body: &[u8]) -> String {
    crate::text::sanitize_short(&String::from_utf8_lossy(&body[..body.len().min(600)]), 160)
}
