//! Sentry: the number of issues matching a search, exact to well past 1,000 — read from `X-Hits`
//! when the server says it is not capped, otherwise counted by following `Link` pages.

use super::policy::{self, RetryPolicy, read_body};
use super::{BODY_CAP, EXCERPT};
use crate::config::SentryConfig;
use crate::gate::{Observation, Value};
use crate::text::Redactor;
use serde::Deserialize;
use tokio::time::Instant;

/// Pages followed at most (100 issues each): counts stay exact up to this many issues.
pub const MAX_PAGES: usize = 50;
const PAGE_SIZE: usize = 100;

#[derive(Clone)]
pub struct SentryClient {
    http: reqwest::Client,
    base: url::Url,
    org: String,
    token: crate::config::Secret,
}

pub struct IssueFilter<'a> {
    pub query: &'a str,
    pub project: Option<&'a str>,
    pub environment: Option<&'a str>,
    pub stats_period: Option<&'a str>,
}

#[derive(Deserialize)]
struct Issue {
    #[serde(default, rename = "shortId")]
    short_id: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    count: Option<serde_json::Value>,
}

impl SentryClient {
    pub fn new(http: reqwest::Client, config: &SentryConfig) -> Result<SentryClient, String> {
        let base = url::Url::parse(config.url.expose())
            .ok()
            .filter(|u| !u.cannot_be_a_base())
            .ok_or_else(|| format!("[sentry] url is not a valid URL: {}", config.url))?;
        Ok(SentryClient {
            http,
            base,
            org: config.org.0.clone(),
            token: config.token.clone(),
        })
    }

    fn first_page(&self, filter: &IssueFilter) -> Result<url::Url, String> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|_| "sentry: [sentry] url cannot hold a path".to_string())?
            .pop_if_empty()
            .extend(["api", "0", "organizations", &self.org, "issues", ""]);
        let mut query = filter.query.to_owned();
        let mut pairs = url.query_pairs_mut();
        if let Some(project) = filter.project {
            // The `project` parameter takes numeric ids; a slug goes into the search instead.
            if project.bytes().all(|b| b.is_ascii_digit()) {
                pairs.append_pair("project", project);
            } else {
                query.push_str(&format!(" project:{project}"));
            }
        }
        // Always explicit: without `query` Sentry applies its own default filter.
        pairs.append_pair("query", &query);
        pairs.append_pair("limit", &PAGE_SIZE.to_string());
        if let Some(env) = filter.environment {
            pairs.append_pair("environment", env);
        }
        if let Some(period) = filter.stats_period {
            pairs.append_pair("statsPeriod", period);
        }
        drop(pairs);
        Ok(url)
    }

    pub async fn count_issues(
        &self,
        filter: &IssueFilter<'_>,
        policy: &RetryPolicy,
        deadline: Instant,
        redactor: &Redactor,
    ) -> Result<Observation, String> {
        let mut next = Some(self.first_page(filter)?);
        let mut counted = 0usize;
        let mut pages = 0usize;
        let mut titles = Vec::new();
        while let Some(url) = next.take() {
            pages += 1;
            let make = || self.http.get(url.clone()).bearer_auth(self.token.expose());
            let sent = policy::send(make, policy, deadline)
                .await
                .map_err(|e| format!("sentry: {e}"))?;
            let status = sent.response.status();
            let headers = sent.response.headers().clone();
            let body = read_body(sent.response, BODY_CAP)
                .await
                .map_err(|e| format!("sentry: {e}"))?;
            if !status.is_success() {
                return Err(status_error(
                    status.as_u16(),
                    &headers,
                    &body,
                    sent.attempts,
                    sent.gave_up.as_deref(),
                    redactor,
                ));
            }
            let issues: Vec<Issue> = serde_json::from_slice(&body).map_err(|e| {
                format!(
                    "sentry: unexpected answer ({e}): {}",
                    redactor.body_excerpt(&body, EXCERPT)
                )
            })?;
            if pages == 1
                && let Some(hits) = exact_hits(&headers)
                && (hits <= issues.len() || hits > PAGE_SIZE)
            {
                titles.extend(issues.iter().take(3).map(|i| describe_issue(i, redactor)));
                return Ok(observation(hits, &titles, false, redactor));
            }
            counted += issues.len();
            if titles.len() < 3 {
                titles.extend(
                    issues
                        .iter()
                        .take(3 - titles.len())
                        .map(|i| describe_issue(i, redactor)),
                );
            }
            next = next_page(&headers, &self.base)?;
            if next.is_some() && pages >= MAX_PAGES {
                return Ok(observation(counted, &titles, true, redactor));
            }
        }
        Ok(observation(counted, &titles, false, redactor))
    }
}

fn observation(count: usize, titles: &[String], capped: bool, redactor: &Redactor) -> Observation {
    let mut detail = titles.join(" · ");
    if capped {
        detail = format!("at least {count} (stopped after {MAX_PAGES} pages) · {detail}");
    }
    Observation {
        value: Value::Number(count as f64),
        detail: (!detail.is_empty()).then(|| redactor.excerpt(&detail, 300)),
    }
}

fn describe_issue(issue: &Issue, redactor: &Redactor) -> String {
    let id = issue.short_id.as_deref().unwrap_or("?");
    let title = issue.title.as_deref().unwrap_or("(no title)");
    let events = match &issue.count {
        Some(serde_json::Value::String(s)) => format!(" ({s} events)"),
        Some(serde_json::Value::Number(n)) => format!(" ({n} events)"),
        _ => String::new(),
    };
    redactor.excerpt(&format!("{id} {title}{events}"), 100)
}

/// `X-Hits` when it is exact: present, and below `X-Max-Hits` if the server caps it.
fn exact_hits(headers: &reqwest::header::HeaderMap) -> Option<usize> {
    let read = |name: &str| {
        headers
            .get(name)?
            .to_str()
            .ok()?
            .trim()
            .parse::<usize>()
            .ok()
    };
    let hits = read("x-hits")?;
    match read("x-max-hits") {
        Some(max) if hits >= max => None,
        _ => Some(hits),
    }
}

/// The `rel="next"` URL when it has results, refusing to follow it to another host (the token
/// would go with it).
pub fn next_page(
    headers: &reqwest::header::HeaderMap,
    base: &url::Url,
) -> Result<Option<url::Url>, String> {
    let Some(link) = headers.get("link").and_then(|v| v.to_str().ok()) else {
        return Ok(None);
    };
    for part in split_links(link) {
        let Some((target, params)) = part.trim().split_once(';') else {
            continue;
        };
        let target = target.trim().trim_start_matches('<').trim_end_matches('>');
        let params: Vec<(String, String)> = params
            .split(';')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| {
                (
                    k.trim().to_ascii_lowercase(),
                    v.trim().trim_matches('"').to_owned(),
                )
            })
            .collect();
        let param = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        if param("rel") != Some("next") {
            continue;
        }
        if param("results") != Some("true") {
            return Ok(None);
        }
        let url = base
            .join(target)
            .map_err(|e| format!("sentry: bad Link header ({e})"))?;
        if url.origin() != base.origin() {
            return Err(format!(
                "sentry: refusing to follow pagination to another host ({})",
                crate::text::sanitize(url.host_str().unwrap_or("?"))
            ));
        }
        return Ok(Some(url));
    }
    Ok(None)
}

/// Splits a Link header on the commas between links, not those inside `<…>` or quotes.
fn split_links(header: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    for (i, c) in header.char_indices() {
        match c {
            '<' if !quoted => depth += 1,
            '>' if !quoted => depth -= 1,
            '"' => quoted = !quoted,
            ',' if depth == 0 && !quoted => {
                parts.push(&header[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&header[start..]);
    parts
}

fn status_error(
    status: u16,
    headers: &reqwest::header::HeaderMap,
    body: &[u8],
    attempts: u32,
    gave_up: Option<&str>,
    redactor: &Redactor,
) -> String {
    let after = if attempts > 1 {
        format!(" after {attempts} attempts")
    } else {
        String::new()
    };
    let why = gave_up.map(|g| format!("; {g}")).unwrap_or_default();
    let detail = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| match v {
            serde_json::Value::String(s) => Some(s),
            serde_json::Value::Object(o) => {
                o.get("detail").and_then(|d| d.as_str()).map(str::to_owned)
            }
            _ => None,
        })
        .map(|d| redactor.excerpt(&d, EXCERPT))
        .unwrap_or_else(|| redactor.body_excerpt(body, EXCERPT));
    match status {
        401 | 403 => {
            format!("sentry: HTTP {status}: the token was refused (it needs event:read): {detail}")
        }
        404 => format!(
            "sentry: HTTP 404: organization not found or not visible to the token: {detail}"
        ),
        429 => {
            let reset = headers
                .get("x-sentry-rate-limit-reset")
                .and_then(|v| v.to_str().ok())
                .map(|r| format!(" (limit resets at epoch {})", redactor.excerpt(r, 40)))
                .unwrap_or_default();
            format!("sentry: rate limited (HTTP 429{after}){reset}{why}: {detail}")
        }
        _ => format!("sentry: HTTP {status}{after}{why}: {detail}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn link(value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("link", HeaderValue::from_static(value));
        h
    }

    #[test]
    fn follows_next_only_while_it_has_results() {
        let base = url::Url::parse("https://sentry.io").unwrap();
        let h = link(
            r#"<https://sentry.io/api/0/organizations/acme/issues/?cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1", <https://sentry.io/api/0/organizations/acme/issues/?cursor=0:100:0>; rel="next"; results="true"; cursor="0:100:0""#,
        );
        let next = next_page(&h, &base).unwrap().unwrap();
        assert_eq!(next.query(), Some("cursor=0:100:0"));
        let h = link(
            r#"<https://sentry.io/x?cursor=1>; rel="previous"; results="true", <https://sentry.io/x?cursor=2>; rel="next"; results="false""#,
        );
        assert_eq!(next_page(&h, &base).unwrap(), None);
        assert_eq!(next_page(&HeaderMap::new(), &base).unwrap(), None);
    }

    #[test]
    fn never_follows_pagination_to_another_host() {
        let base = url::Url::parse("https://sentry.io").unwrap();
        let h = link(r#"<https://evil.example/steal>; rel="next"; results="true""#);
        assert!(next_page(&h, &base).is_err());
    }

    #[test]
    fn x_hits_is_used_only_when_not_capped() {
        let mut h = HeaderMap::new();
        h.insert("x-hits", HeaderValue::from_static("1500"));
        assert_eq!(exact_hits(&h), Some(1500));
        h.insert("x-max-hits", HeaderValue::from_static("1000"));
        assert_eq!(exact_hits(&h), None);
        h.insert("x-hits", HeaderValue::from_static("999"));
        assert_eq!(exact_hits(&h), Some(999));
    }

    #[test]
    fn builds_an_explicit_query_with_slug_projects_in_the_search() {
        let client = SentryClient::new(
            reqwest::Client::new(),
            &SentryConfig {
                url: crate::config::ConfigUrl::new("https://de.sentry.io/"),
                org: crate::config::EnvString("acme co".into()),
                token: crate::config::Secret::new("t0ken-value"),
            },
        )
        .unwrap();
        let url = client
            .first_page(&IssueFilter {
                query: "is:unresolved issue.priority:high",
                project: Some("checkout-api"),
                environment: Some("production"),
                stats_period: None,
            })
            .unwrap();
        assert_eq!(url.path(), "/api/0/organizations/acme%20co/issues/");
        let q: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert!(q.contains(&(
            "query".into(),
            "is:unresolved issue.priority:high project:checkout-api".into()
        )));
        assert!(q.contains(&("environment".into(), "production".into())));
        assert!(q.contains(&("limit".into(), "100".into())));
    }

    #[test]
    fn status_errors_explain_and_read_both_body_shapes() {
        let h = HeaderMap::new();
        let e = status_error(429, &h, br#"{"detail":"You are attempting to use this endpoint too frequently. Limit is 10 requests in 1 seconds"}"#, 4, None, &Redactor::default());
        assert!(
            e.contains("rate limited (HTTP 429 after 4 attempts)") && e.contains("too frequently"),
            "{e}"
        );
        let e = status_error(429, &h, br#""slow down""#, 1, None, &Redactor::default());
        assert!(e.ends_with("slow down"), "{e}");
        assert!(status_error(401, &h, b"{}", 1, None, &Redactor::default()).contains("event:read"));
    }
}
