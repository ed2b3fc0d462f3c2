//! `gonogo.toml`: the model, where it is looked up, `${VAR}` interpolation, and validation into
//! gate specs with errors that point at the file, line and key.

mod alerts;
mod checklist;
mod duration;
mod echo;
mod gates;
pub mod invites;
mod load;
pub mod metrics;
mod missing_env;
mod reference;
mod schema;
pub mod secret;
mod url;

pub use alerts::{Alerts, DEFAULT_GROUP_FOR};
pub use checklist::{ChecklistSettings, DecisionRule, DecisionSettings, role_key};
pub use duration::{
    MAX_DURATION, MIN_EVERY, MIN_TIMEOUT, earlier, later, parse_bounded, parse_duration, since,
    window_end,
};
pub use load::{ConfigError, Loaded, find_config, load, load_str};
pub use reference::key_reference;
pub use schema::{SCHEMA_FILE, json_schema};
pub use secret::{EnvString, Secret};
pub use url::ConfigUrl;

use crate::gate::GateSpec;
use crate::text::{Redactor, is_secret_name};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, Serializer};
use serde_spanned::Spanned;
use std::collections::BTreeMap;
use std::fmt;

/// The config file as written (after `${VAR}` expansion). Unknown keys are errors.
///
/// The doc comments on the config types are the user's documentation: they become the
/// descriptions of `gonogo config schema` and the README's key table.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "gonogo.toml")]
pub struct RawConfig {
    /// What is launching, where, and when the GO/NO-GO call is.
    pub launch: Launch,
    /// The product's database: `postgres` gates, cohort collisions, invites, and gonogo's own
    /// shared state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postgres: Option<PostgresConfig>,
    /// The Sentry organisation `sentry` gates search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentry: Option<SentryConfig>,
    /// The Prometheus (or Mimir, Thanos, Grafana Cloud) server `prometheus` gates query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prometheus: Option<PrometheusConfig>,
    /// The poll interval and deadline of gates that set none.
    #[serde(default)]
    pub defaults: Defaults,
    /// The terminal bell, and the webhook that pages someone.
    #[serde(default)]
    pub alerts: Alerts,
    /// Optional cockpit remapping: `action = "key"` or `"k1, k2"`; the actions are those of the
    /// cockpit's help screen (`?`), and an unknown one is an error.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub keys: BTreeMap<String, String>,
    /// Thresholds for cohort review.
    #[serde(default)]
    pub cohort: crate::cohort::CohortSettings,
    /// Optional: `gonogo invites` and the Dispatch pane.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invites: Option<invites::InvitesConfig>,
    /// The decision call's checklist (optional).
    pub checklist: Option<ChecklistSettings>,
    /// The roll call.
    #[serde(default)]
    pub decision: DecisionSettings,
    /// `/metrics` for Prometheus, served by the cockpit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<metrics::MetricsConfig>,
    /// The acceptance gates, one `[[gate]]` table each.
    #[serde(default, rename = "gate")]
    #[schemars(with = "Vec<gates::RawGate>")]
    pub gates: Vec<Spanned<gates::RawGate>>,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Launch {
    /// The launch's name: the cockpit's header, the journal, the typed confirmation in
    /// production.
    pub name: EnvString,
    /// `production`, `staging`, `development` or `demo`; `production` asks for the launch name,
    /// typed, before every change.
    #[serde(default)]
    pub environment: Environment,
    /// The GO/NO-GO call, with a UTC offset (`2026-11-24T18:00:00Z`, quoted or bare): the
    /// countdown, and the base of the checklist's `due: T-1h`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "decision_time"
    )]
    #[schemars(with = "Option<String>")]
    pub decision_at: Option<DateTime<Utc>>,
    /// A viewer's cockpit (the screen-share machine, stakeholders): every command that changes
    /// the launch (send, pause, retry, tick, vote, freeze, override, note, take-over) is left out
    /// of the help and footer and refused if its key is pressed, and the cockpit writes nothing
    /// to the database. `gonogo tui --read-only` sets it for one run.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
}

/// Accepts `decision_at` quoted or as a bare TOML datetime; either way it needs a UTC offset.
fn decision_time<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Text(String),
        Toml(toml::value::Datetime),
    }
    let text = match Written::deserialize(d)? {
        Written::Text(t) => t,
        Written::Toml(t) => t.to_string(),
    };
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|_| {
            serde::de::Error::custom(format!(
                "`{text}` is not a date and time with a UTC offset, e.g. \"2026-11-24T18:00:00Z\""
            ))
        })
}

/// `[launch] environment`: one of a fixed set, so a typo (`prod`) is an error, never a silent
/// staging. Production turns on typed confirmations ([`crate::confirm`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Environment {
    Production,
    #[default]
    Staging,
    Development,
    Demo,
}

impl Environment {
    pub const ALL: [Environment; 4] = [
        Environment::Production,
        Environment::Staging,
        Environment::Development,
        Environment::Demo,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Production => "production",
            Environment::Staging => "staging",
            Environment::Development => "development",
            Environment::Demo => "demo",
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Environment {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Exact spelling only: `Production ` or `prod` must not pass for one of them.
        let written = EnvString::deserialize(d)?;
        Environment::ALL
            .into_iter()
            .find(|e| e.as_str() == written.as_str())
            .ok_or_else(|| {
                let allowed: Vec<&str> = Environment::ALL.iter().map(|e| e.as_str()).collect();
                serde::de::Error::custom(format!(
                    "`{}` is not an environment gonogo knows; use one of: {}",
                    crate::text::sanitize(written.as_str()),
                    allowed.join(", ")
                ))
            })
    }
}

impl Serialize for Environment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Launch {
    pub fn is_production(&self) -> bool {
        self.environment == Environment::Production
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PostgresConfig {
    /// `postgres://user:password@host:port/database`, usually `"${DATABASE_URL}"`.
    pub url: ConfigUrl,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SentryConfig {
    /// Region or self-hosted hosts work the same.
    #[serde(default = "default_sentry_url")]
    pub url: ConfigUrl,
    /// The organisation's slug.
    pub org: EnvString,
    /// An auth token, usually `"${SENTRY_AUTH_TOKEN}"` (a secret: never shown).
    pub token: Secret,
}

fn default_sentry_url() -> ConfigUrl {
    ConfigUrl::new("https://sentry.io")
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrometheusConfig {
    /// May carry a path prefix (`/prometheus`, `/api/prom`) and `user:password@` for basic auth.
    pub url: ConfigUrl,
    /// Optional extra headers, e.g. `{ X-Scope-OrgID = "tenant" }` for Mimir; credential-like
    /// ones are secrets.
    #[serde(default, skip_serializing_if = "HeaderMap::is_empty")]
    pub headers: HeaderMap,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// The poll interval (at least `200ms`, at most 7 days).
    #[schemars(with = "String")]
    #[serde(
        default = "default_every",
        serialize_with = "humantime_serde_compat::serialize",
        deserialize_with = "humantime_serde_compat::every"
    )]
    pub every: std::time::Duration,
    /// A check's whole deadline, retries included (at least `100ms`, at most 7 days).
    #[schemars(with = "String")]
    #[serde(
        default = "default_timeout",
        serialize_with = "humantime_serde_compat::serialize",
        deserialize_with = "humantime_serde_compat::timeout"
    )]
    pub timeout: std::time::Duration,
}

impl Default for Defaults {
    fn default() -> Self {
        Defaults {
            every: default_every(),
            timeout: default_timeout(),
        }
    }
}

fn default_every() -> std::time::Duration {
    std::time::Duration::from_secs(30)
}

fn default_timeout() -> std::time::Duration {
    std::time::Duration::from_secs(15)
}

/// HTTP headers from the config. Values of credential-like headers (`Authorization`, `*-Token`,
/// `*-Key`, `Cookie`) are shown as `[redacted]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct HeaderMap(pub BTreeMap<String, EnvString>);

impl HeaderMap {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
    fn register_secrets(&self, redactor: &Redactor) {
        for (name, value) in self.iter() {
            if is_secret_name(name) {
                redactor.add(value);
                // `Bearer xyz`: the token alone may be echoed too.
                if let Some((_, token)) = value.split_once(' ') {
                    redactor.add(token.trim());
                }
            }
        }
    }
}

impl Serialize for HeaderMap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let shown: BTreeMap<&str, &str> = self
            .iter()
            .map(|(k, v)| (k, if is_secret_name(k) { "[redacted]" } else { v }))
            .collect();
        shown.serialize(s)
    }
}

/// The validated config every command works from.
#[derive(Debug, Clone)]
pub struct Config {
    pub raw: RawConfig,
    pub gates: Vec<GateSpec>,
    /// Every secret the config holds, for scrubbing messages.
    pub redactor: Redactor,
    /// Line and column of each `[keys]` entry, for errors the cockpit's keymap finds.
    pub key_positions: BTreeMap<String, (usize, usize)>,
    /// `[checklist] path`, resolved against the config file's directory.
    pub checklist_path: Option<std::path::PathBuf>,
}

impl Config {
    pub fn launch(&self) -> &Launch {
        &self.raw.launch
    }

    /// The effective config as TOML, secrets redacted (for `gonogo config check`).
    pub fn to_redacted_toml(&self) -> String {
        match toml::to_string_pretty(&self.raw) {
            Ok(text) => self.redactor.redact_multiline(&text),
            Err(e) => format!("# could not render the config: {e}\n"),
        }
    }

    pub fn gate(&self, id: &str) -> Option<&GateSpec> {
        self.gates.iter().find(|g| g.id == id)
    }

    /// Where `[keys]` sets `action` (line, column), when it does.
    pub fn key_position(&self, action: &str) -> Option<(usize, usize)> {
        self.key_positions.get(action).copied()
    }
}

mod humantime_serde_compat {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&humantime::format_duration(*d).to_string())
    }

    pub fn every<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        bounded(d, "every")
    }

    pub fn timeout<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        bounded(d, "timeout")
    }

    fn bounded<'de, D: Deserializer<'de>>(d: D, key: &str) -> Result<Duration, D::Error> {
        let text = String::deserialize(d)?;
        super::parse_bounded(key, &text).map_err(serde::de::Error::custom)
    }
}
