//! `[[gate]]` tables: the raw form as written, and its validation into [`GateSpec`]s with errors
//! that name the gate, the key and the line.

use super::{ConfigUrl, Defaults, EnvString, HeaderMap, RawConfig, parse_bounded};
use crate::gate::spec::HttpMethod;
use crate::gate::{Condition, GateSpec, SourceSpec};
use serde::{Deserialize, Serialize};
use serde_spanned::Spanned;
use std::collections::HashSet;
use std::ops::Range;

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawGate {
    /// Names the gate in the cockpit, the journal and `--gate`: letters, digits, `_`, `-`.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// What the cockpit shows (default: the id).
    pub title: Option<EnvString>,
    /// Where the value comes from: `postgres`, `prometheus`, `sentry`, `http`, `command` or
    /// `file_age`.
    #[schemars(with = "String")]
    pub source: Spanned<String>,
    /// The condition: `OP OPERAND` with `==`, `!=`, `<`, `<=`, `>`, `>=` against a number
    /// (`50`), a duration (`30h`, read as seconds) or a quoted string (`'none'`).
    #[schemars(with = "String")]
    pub pass: Spanned<String>,
    /// `false` makes the gate informational: shown, but it does not decide the verdict
    /// (default `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// The poll interval (default `[defaults] every`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub every: Option<Spanned<String>>,
    /// The check's deadline (default `[defaults] timeout`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub timeout: Option<Spanned<String>>,
    /// How long it must fail before it is red; until then it is pending.
    #[serde(default, rename = "for", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub sustain: Option<Spanned<String>>,
    // Source-specific keys; which apply depends on `source` (`SOURCE_KEYS`).
    /// `postgres`: SQL returning one row and one column, run read-only; `prometheus`: an instant
    /// query; `sentry`: the issue search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<EnvString>")]
    pub query: Option<Spanned<EnvString>>,
    /// `sentry`: the project's slug or id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<EnvString>")]
    pub project: Option<Spanned<EnvString>>,
    /// `sentry`: the environment to search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<EnvString>")]
    pub environment: Option<Spanned<EnvString>>,
    /// `sentry`: the period searched (`24h`, `14d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<EnvString>")]
    pub stats_period: Option<Spanned<EnvString>>,
    /// `http`: the URL requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<ConfigUrl>")]
    pub url: Option<Spanned<ConfigUrl>>,
    /// `http`: `GET` (default), `HEAD` or `POST`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<HttpMethod>")]
    pub method: Option<Spanned<HttpMethod>>,
    /// `http`: request headers; credential-like ones are secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<HeaderMap>")]
    pub headers: Option<Spanned<HeaderMap>>,
    /// `http`: a JSON pointer (`/status/indicator`) to the value in the answer (an array counts
    /// its items); without it, the value is the HTTP status code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub json: Option<Spanned<String>>,
    /// `command`: `["program", "arg", …]`, run without a shell; the value is a number printed
    /// on stdout, else the exit code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Vec<EnvString>>")]
    pub command: Option<Spanned<Vec<EnvString>>>,
    /// `file_age`: the file whose age (seconds since it was last modified) is the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<EnvString>")]
    pub path: Option<Spanned<EnvString>>,
}

/// A semantic error: the byte span it concerns and what is wrong.
pub struct SpanError {
    pub span: Range<usize>,
    pub message: String,
}

fn err(span: Range<usize>, message: impl Into<String>) -> SpanError {
    SpanError {
        span,
        message: message.into(),
    }
}

/// Each source and the source-specific keys it takes; the schema is built from this table too.
pub(super) const SOURCE_KEYS: &[(&str, &[&str])] = &[
    ("postgres", &["query"]),
    ("prometheus", &["query"]),
    (
        "sentry",
        &["query", "project", "environment", "stats_period"],
    ),
    ("http", &["url", "method", "headers", "json"]),
    ("command", &["command"]),
    ("file_age", &["path"]),
];

/// Validates every gate; all problems are returned, not just the first.
pub fn validate(raw: &RawConfig) -> Result<Vec<GateSpec>, Vec<SpanError>> {
    let mut specs = Vec::new();
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for gate in &raw.gates {
        let id = gate.get_ref().id.get_ref();
        if !seen.insert(id.clone()) {
            errors.push(err(
                gate.get_ref().id.span(),
                format!("gate id `{id}` is used twice"),
            ));
        }
        match validate_one(raw, &raw.defaults, gate.get_ref()) {
            Ok(spec) => specs.push(spec),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(specs)
    } else {
        Err(errors)
    }
}

fn validate_one(
    raw: &RawConfig,
    defaults: &Defaults,
    g: &RawGate,
) -> Result<GateSpec, Vec<SpanError>> {
    let mut errors = Vec::new();
    let id = g.id.get_ref().clone();
    let prefix = format!("gate `{id}`");
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        errors.push(err(
            g.id.span(),
            format!("{prefix}: id may hold only letters, digits, `_` and `-`"),
        ));
    }
    let condition = Condition::parse(g.pass.get_ref())
        .map_err(|e| errors.push(err(g.pass.span(), format!("{prefix}: key `pass`: {e}"))))
        .ok();
    let duration = |key: &str, value: &Option<Spanned<String>>, errors: &mut Vec<SpanError>| {
        value.as_ref().and_then(|v| {
            parse_bounded(key, v.get_ref())
                .map_err(|e| errors.push(err(v.span(), format!("{prefix}: key `{key}`: {e}"))))
                .ok()
        })
    };
    let every = duration("every", &g.every, &mut errors).unwrap_or(defaults.every);
    let timeout = duration("timeout", &g.timeout, &mut errors).unwrap_or(defaults.timeout);
    let sustain = duration("for", &g.sustain, &mut errors);
    let source = source_spec(raw, g, &prefix, &mut errors);
    match (condition, source) {
        (Some(condition), Some(source)) if errors.is_empty() => Ok(GateSpec {
            title: g
                .title
                .as_ref()
                .map(|t| t.0.clone())
                .unwrap_or_else(|| id.clone()),
            id,
            required: g.required.unwrap_or(true),
            condition,
            every,
            timeout,
            sustain,
            source,
        }),
        _ => Err(errors),
    }
}

/// Which source-specific keys a gate set, with their spans, for "does not apply" errors.
fn present_keys(g: &RawGate) -> Vec<(&'static str, Range<usize>)> {
    let mut keys = Vec::new();
    macro_rules! key {
        ($field:ident, $name:literal) => {
            if let Some(v) = &g.$field {
                keys.push(($name, v.span()));
            }
        };
    }
    key!(query, "query");
    key!(project, "project");
    key!(environment, "environment");
    key!(stats_period, "stats_period");
    key!(url, "url");
    key!(method, "method");
    key!(headers, "headers");
    key!(json, "json");
    key!(command, "command");
    key!(path, "path");
    keys
}

fn source_spec(
    raw: &RawConfig,
    g: &RawGate,
    prefix: &str,
    errors: &mut Vec<SpanError>,
) -> Option<SourceSpec> {
    let kind = g.source.get_ref().as_str();
    let Some(&(_, allowed)) = SOURCE_KEYS.iter().find(|(name, _)| *name == kind) else {
        let sources: Vec<&str> = SOURCE_KEYS.iter().map(|(name, _)| *name).collect();
        errors.push(err(
            g.source.span(),
            format!(
                "{prefix}: unknown source `{kind}`; expected one of {}",
                sources.join(", ")
            ),
        ));
        return None;
    };
    let before = errors.len();
    for (key, span) in present_keys(g) {
        if !allowed.contains(&key) {
            errors.push(err(
                span,
                format!("{prefix}: key `{key}` does not apply to source `{kind}`"),
            ));
        }
    }
    let section_missing = |section: &str| {
        err(
            g.source.span(),
            format!("{prefix}: source `{kind}` needs a [{section}] section"),
        )
    };
    let gate_span = g.id.span();
    let required = |value: Option<String>, key: &str, errors: &mut Vec<SpanError>| {
        let value = value.filter(|v| !v.trim().is_empty());
        if value.is_none() {
            errors.push(err(
                gate_span.clone(),
                format!("{prefix}: source `{kind}` needs key `{key}`"),
            ));
        }
        value
    };
    let text = |v: &Option<Spanned<EnvString>>| v.as_ref().map(|v| v.get_ref().0.clone());
    let spec = match kind {
        "postgres" => {
            if raw.postgres.is_none() {
                errors.push(section_missing("postgres"));
            }
            required(text(&g.query), "query", errors).map(|query| SourceSpec::Postgres { query })
        }
        "prometheus" => {
            if raw.prometheus.is_none() {
                errors.push(section_missing("prometheus"));
            }
            required(text(&g.query), "query", errors).map(|query| SourceSpec::Prometheus { query })
        }
        "sentry" => {
            if raw.sentry.is_none() {
                errors.push(section_missing("sentry"));
            }
            // Sentry silently applies a default filter when the query is absent: always send one.
            required(text(&g.query), "query", errors).map(|query| SourceSpec::Sentry {
                query,
                project: text(&g.project),
                environment: text(&g.environment),
                stats_period: text(&g.stats_period),
            })
        }
        "http" => {
            let url = g.url.as_ref().map(|u| u.get_ref().clone());
            if let Some(u) = &g.url
                && let Err(why) = u.get_ref().web()
            {
                errors.push(err(
                    u.span(),
                    format!("{prefix}: key `url`: not a valid URL: {why}"),
                ));
            }
            if let Some(headers) = &g.headers {
                for (name, value) in headers.get_ref().iter() {
                    if let Err(why) = check_header(name, value) {
                        errors.push(err(
                            headers.span(),
                            format!("{prefix}: key `headers`: {why}"),
                        ));
                    }
                }
            }
            if let Some(pointer) = &g.json {
                let p = pointer.get_ref();
                if !p.is_empty() && !p.starts_with('/') {
                    errors.push(err(
                        pointer.span(),
                        format!("{prefix}: key `json`: a JSON pointer starts with `/` (e.g. \"/status/indicator\")"),
                    ));
                }
            }
            required(url.as_ref().map(|u| u.expose().to_owned()), "url", errors)
                .and(url)
                .map(|url| SourceSpec::Http {
                    url,
                    method: g
                        .method
                        .as_ref()
                        .map(|m| *m.get_ref())
                        .unwrap_or(HttpMethod::Get),
                    headers: g
                        .headers
                        .as_ref()
                        .map(|h| h.get_ref().clone())
                        .unwrap_or_default(),
                    json: g.json.as_ref().map(|j| j.get_ref().clone()),
                })
        }
        "command" => {
            let argv: Vec<String> = g
                .command
                .as_ref()
                .map(|c| c.get_ref().iter().map(|a| a.0.clone()).collect())
                .unwrap_or_default();
            if argv.first().is_none_or(|a| a.is_empty()) {
                errors.push(err(
                    gate_span.clone(),
                    format!(
                        "{prefix}: source `command` needs key `command` = [\"program\", \"arg\", …]"
                    ),
                ));
                None
            } else {
                Some(SourceSpec::Command { argv })
            }
        }
        "file_age" => {
            required(text(&g.path), "path", errors).map(|p| SourceSpec::FileAge { path: p.into() })
        }
        _ => None,
    };
    if errors.len() > before { None } else { spec }
}

/// A header the HTTP client would refuse, explained (the value itself is never echoed).
pub fn check_header(name: &str, value: &str) -> Result<(), String> {
    reqwest::header::HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
        format!(
            "`{}` is not a valid header name",
            crate::text::sanitize(name)
        )
    })?;
    reqwest::header::HeaderValue::from_str(value).map_err(|_| {
        format!("the value of header `{name}` holds characters a header cannot carry")
    })?;
    Ok(())
}
