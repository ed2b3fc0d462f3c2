//! A validated gate: what to query, how often, and what counts as passing.

use crate::config::{ConfigUrl, HeaderMap};
use crate::gate::Condition;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct GateSpec {
    pub id: String,
    pub title: String,
    pub required: bool,
    pub condition: Condition,
    pub every: Duration,
    /// The whole check's deadline, retries included.
    pub timeout: Duration,
    /// Sustained failure: red only after failing continuously this long (pending meanwhile).
    pub sustain: Option<Duration>,
    pub source: SourceSpec,
}

#[derive(Debug, Clone)]
pub enum SourceSpec {
    Postgres {
        query: String,
    },
    Prometheus {
        query: String,
    },
    Sentry {
        query: String,
        project: Option<String>,
        environment: Option<String>,
        stats_period: Option<String>,
    },
    Http {
        url: ConfigUrl,
        method: HttpMethod,
        headers: HeaderMap,
        /// JSON pointer into the body; without it the value is the HTTP status code.
        json: Option<String>,
    },
    Command {
        argv: Vec<String>,
    },
    FileAge {
        path: PathBuf,
    },
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    Get,
    Head,
    Post,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Head => "HEAD",
            HttpMethod::Post => "POST",
        }
    }
}

impl SourceSpec {
    pub fn kind(&self) -> &'static str {
        match self {
            SourceSpec::Postgres { .. } => "postgres",
            SourceSpec::Prometheus { .. } => "prometheus",
            SourceSpec::Sentry { .. } => "sentry",
            SourceSpec::Http { .. } => "http",
            SourceSpec::Command { .. } => "command",
            SourceSpec::FileAge { .. } => "file_age",
        }
    }

    /// What the gate asks, for the detail view (URLs and every known secret redacted, untrusted
    /// text sanitized): a `${API_TOKEN}` in a query is not shown.
    pub fn describe(&self) -> String {
        crate::text::Redactor::process().redact(&self.describe_raw())
    }

    fn describe_raw(&self) -> String {
        use crate::text::sanitize;
        match self {
            SourceSpec::Postgres { query } | SourceSpec::Prometheus { query } => sanitize(query),
            SourceSpec::Sentry {
                query,
                project,
                environment,
                ..
            } => {
                let mut s = sanitize(query);
                if let Some(p) = project {
                    s.push_str(&format!(" (project {})", sanitize(p)));
                }
                if let Some(e) = environment {
                    s.push_str(&format!(" (environment {})", sanitize(e)));
                }
                s
            }
            SourceSpec::Http {
                url, method, json, ..
            } => {
                let pointer = json
                    .as_deref()
                    .map(|j| format!(" → {j}"))
                    .unwrap_or_default();
                format!("{} {url}{pointer}", method.as_str())
            }
            SourceSpec::Command { argv } => sanitize(&argv.join(" ")),
            SourceSpec::FileAge { path } => sanitize(&path.display().to_string()),
        }
    }
}
