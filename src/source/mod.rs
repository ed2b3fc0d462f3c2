//! Sources: one client per kind (Postgres, Prometheus, Sentry, HTTP, command, file age) behind one
//! entry point, [`Sources::check`], which runs a gate's check within its deadline and always
//! returns a result (an error is a result, never a crash).

pub mod caught;
pub mod command;
pub mod file_age;
pub mod http;
pub mod policy;
pub mod postgres;
pub mod prometheus;
pub mod sentry;

use crate::config::Config;
use crate::gate::{GateResult, GateSpec, Observation, SourceSpec, Value};
use crate::text::Redactor;
use policy::RetryPolicy;
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// Checks running at once, across every gate: a config with hundreds of gates queues rather
/// than opening hundreds of sockets, processes and connections at the same moment.
pub const MAX_CONCURRENT_CHECKS: usize = 16;

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
    /// For requests that carry credentials (Sentry, Prometheus, `http` gates with headers or
    /// a secret in the URL): same-host redirects only.
    http: reqwest::Client,
    /// For `http` gates that carry nothing secret.
    http_plain: reqwest::Client,
    database: Option<crate::db::Database>,
    sentry: Option<sentry::SentryClient>,
    prometheus: Option<prometheus::PromClient>,
    policy: RetryPolicy,
    redactor: Redactor,
    /// One permit per running check; see [`MAX_CONCURRENT_CHECKS`].
    running: Arc<Semaphore>,
}

impl Sources {
    pub fn new(config: &Config) -> Result<Sources, SetupError> {
        let http = policy::client(policy::Carries::Credentials)
            .map_err(|e| SetupError::Http(policy::describe(&e)))?;
        let http_plain = policy::client(policy::Carries::Nothing)
            .map_err(|e| SetupError::Http(policy::describe(&e)))?;
        let longest = config
            .gates
            .iter()
            .map(|g| g.timeout)
            .max()
            .unwrap_or(config.raw.defaults.timeout);
        let database = match &config.raw.postgres {
            Some(pg) => Some(crate::db::Database::connect_lazy_as(
                &pg.url,
                longest,
                config.launch().read_only,
            )?),
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
            http_plain,
            database,
            policy: RetryPolicy::default(),
            redactor: config.redactor.clone(),
            running: Arc::new(Semaphore::new(MAX_CONCURRENT_CHECKS)),
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

    /// Checks one gate within its own deadline, once a check slot is free (the deadline starts
    /// then). `observed_at` is when the check finished. A check that panics is an unknown
    /// result like any other failure.
    pub async fn check(&self, gate: &GateSpec, clock: &crate::clock::Clock) -> GateResult {
        // The semaphore is never closed; without a permit the check runs anyway.
        let _permit = self.running.acquire().await.ok();
        let deadline = Instant::now().checked_add(gate.timeout);
        let inner = async {
            let deadline = deadline.ok_or("the gate's timeout is out of range")?;
            self.check_inner(gate, deadline).await
        };
        let outcome = match tokio::time::timeout(gate.timeout, caught::caught(inner)).await {
            Ok(Ok(Ok(obs))) => Ok(Observation {
                value: match obs.value {
                    Value::Text(text) => Value::Text(self.redactor.excerpt(&text, 200)),
                    number => number,
                },
                detail: obs.detail.map(|d| self.redactor.excerpt(&d, SHOWN)),
            }),
            // Bounded here for every source: a server's 8 MB "result type" is quoted in part.
            Ok(Ok(Err(e))) => Err(self.redactor.excerpt(&e, SHOWN)),
            Ok(Err(panic)) => Err(format!(
                "internal error while checking (please report it): {}",
                self.redactor.excerpt(&panic, EXCERPT)
            )),
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
                client
                    .query(query, &self.policy, deadline, &self.redactor)
                    .await
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
                client
                    .count_issues(&filter, &self.policy, deadline, &self.redactor)
                    .await
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
                let client = match request.carries() {
                    policy::Carries::Credentials => &self.http,
                    policy::Carries::Nothing => &self.http_plain,
                };
                http::check(client, &request, &self.policy, deadline, &self.redactor).await
            }
            SourceSpec::Command { argv } => command::run(argv, &self.redactor).await,
            // A file's mtime is wall-clock time, so its age is measured on the wall clock.
            SourceSpec::FileAge { path } => {
                file_age::age(path, crate::clock::Clock::System.now()).await
            }
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

/// How much of a body or an output an error message quotes, in characters.
pub const EXCERPT: usize = 160;
/// The longest error or detail a check gives, in characters.
pub const SHOWN: usize = 600;
