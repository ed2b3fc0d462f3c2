//! A simulated Sentry organization issues API (`/api/0/organizations/{org}/issues/`) following
//! the documented behaviour: bearer auth, the search in `query` (with Sentry's default filter
//! when it is absent), `limit`/`cursor` pages with a `Link` header, `X-Hits` and rate-limit headers.

use super::{SENTRY_ORG, SENTRY_TOKEN};
use crate::demo::world::{SharedWorld, SimIssue};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

/// What Sentry searches when the request has no `query`.
pub const DEFAULT_QUERY: &str = "is:unresolved issue.priority:[high, medium]";
const MAX_LIMIT: usize = 100;
const MAX_HITS: usize = 1000;

#[derive(Clone)]
struct SentryState {
    world: SharedWorld,
    base: String,
}

pub fn router(world: SharedWorld, base: String) -> Router {
    Router::new()
        .route("/api/0/organizations/{org}/issues/", get(list_issues))
        .route("/api/0/organizations/{org}/issues", get(list_issues))
        .with_state(SentryState { world, base })
}

fn detail(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "detail": message }))).into_response()
}

async fn list_issues(
    State(state): State<SentryState>,
    Path(org): Path<String>,
    headers: HeaderMap,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let expected = format!("Bearer {SENTRY_TOKEN}");
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return detail(StatusCode::UNAUTHORIZED, "Invalid token");
    }
    if org != SENTRY_ORG {
        return detail(
            StatusCode::NOT_FOUND,
            "The requested resource does not exist",
        );
    }
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let search = match parse_search(param("query").unwrap_or(DEFAULT_QUERY)) {
        Ok(s) => s,
        Err(why) => return detail(StatusCode::BAD_REQUEST, &why),
    };
    let limit = match param("limit").map(str::parse::<usize>) {
        None => MAX_LIMIT,
        Some(Ok(n)) if (1..=MAX_LIMIT).contains(&n) => n,
        Some(_) => return detail(StatusCode::BAD_REQUEST, "Invalid limit"),
    };
    let offset = match param("cursor").map(cursor_offset) {
        None => 0,
        Some(Some(n)) => n,
        Some(None) => return detail(StatusCode::BAD_REQUEST, "Invalid cursor parameter."),
    };
    let environment = param("environment");
    let matching: Vec<SimIssue> = state
        .world
        .lock()
        .issues
        .iter()
        // Every simulated event is in production.
        .filter(|_| environment.is_none_or(|e| e == "production"))
        .filter(|i| search.iter().all(|t| t.matches(i)))
        .cloned()
        .collect();
    let page: Vec<&SimIssue> = matching.iter().skip(offset).take(limit).collect();
    let more = offset + page.len() < matching.len();
    let mut out = HeaderMap::new();
    let link = link_header(&state.base, &org, &params, offset, limit, more);
    let reset = chrono::Utc::now().timestamp() + 1;
    for (name, value) in [
        ("link", link),
        ("x-hits", matching.len().min(MAX_HITS).to_string()),
        ("x-max-hits", MAX_HITS.to_string()),
        ("x-sentry-rate-limit-limit", "40".into()),
        ("x-sentry-rate-limit-remaining", "39".into()),
        ("x-sentry-rate-limit-reset", reset.to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            out.insert(name, v);
        }
    }
    (StatusCode::OK, out, axum::Json(page)).into_response()
}

/// Sentry cursors read `value:offset:is_prev`; pages are addressed by the offset.
fn cursor_offset(cursor: &str) -> Option<usize> {
    let mut parts = cursor.split(':');
    let _value = parts.next()?;
    let offset = parts.next()?.parse().ok()?;
    Some(offset)
}

fn link_header(
    base: &str,
    org: &str,
    params: &[(String, String)],
    offset: usize,
    limit: usize,
    more: bool,
) -> String {
    let page = |cursor: &str| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in params.iter().filter(|(k, _)| k != "cursor") {
            query.append_pair(k, v);
        }
        query.append_pair("cursor", cursor);
        format!(
            "{base}/api/0/organizations/{org}/issues/?{}",
            query.finish()
        )
    };
    let previous = format!("0:{}:1", offset.saturating_sub(limit));
    let next = format!("0:{}:0", offset.saturating_add(limit));
    format!(
        "<{}>; rel=\"previous\"; results=\"{}\"; cursor=\"{previous}\", <{}>; rel=\"next\"; results=\"{more}\"; cursor=\"{next}\"",
        page(&previous),
        offset > 0,
        page(&next),
    )
}

/// One search term; a leading `!` negates it.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    negated: bool,
    kind: TermKind,
}

#[derive(Debug, Clone, PartialEq)]
enum TermKind {
    Status(String),
    Priority(Vec<String>),
    Level(Vec<String>),
    Project(Vec<String>),
    Text(String),
}

impl Term {
    fn matches(&self, issue: &SimIssue) -> bool {
        let hit = match &self.kind {
            TermKind::Status(s) => issue.status == s,
            TermKind::Priority(p) => issue.priority.is_some_and(|ip| p.iter().any(|x| x == ip)),
            TermKind::Level(l) => l.iter().any(|x| x == issue.level),
            TermKind::Project(p) => p.contains(&issue.project.slug),
            TermKind::Text(t) => issue.title.to_lowercase().contains(&t.to_lowercase()),
        };
        hit != self.negated
    }
}

/// Parses the subset of Sentry's search syntax the simulation understands; anything else is an
/// error, as Sentry answers an unsupported key.
pub fn parse_search(query: &str) -> Result<Vec<Term>, String> {
    tokens(query)
        .into_iter()
        .map(|token| {
            let (negated, token) = match token.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, token.as_str()),
            };
            let kind = match token.split_once(':') {
                None => TermKind::Text(token.trim_matches('"').to_owned()),
                Some((key, value)) => {
                    let values = list(value);
                    match key {
                        "is" => match value {
                            "unresolved" | "resolved" | "ignored" => {
                                TermKind::Status(value.to_owned())
                            }
                            other => return Err(format!("Invalid value for is: {other}")),
                        },
                        "issue.priority" => TermKind::Priority(values),
                        "level" => TermKind::Level(values),
                        "project" => TermKind::Project(values),
                        other => {
                            return Err(format!(
                                "Invalid query. The simulated Sentry does not support `{other}:`"
                            ));
                        }
                    }
                }
            };
            Ok(Term { negated, kind })
        })
        .collect()
}

/// `high` or `[high, medium]`.
fn list(value: &str) -> Vec<String> {
    value
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(',')
        .map(|v| v.trim().trim_matches('"').to_owned())
        .filter(|v| !v.is_empty())
        .collect()
}

/// Splits on whitespace outside `[…]` and quotes.
fn tokens(query: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let (mut depth, mut quoted) = (0i32, false);
    for c in query.chars() {
        match c {
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth -= 1,
            '"' => quoted = !quoted,
            c if c.is_whitespace() && depth == 0 && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_gate_queries_and_the_default() {
        assert_eq!(
            parse_search("is:unresolved issue.priority:high")
                .unwrap()
                .len(),
            2
        );
        let default = parse_search(DEFAULT_QUERY).unwrap();
        assert_eq!(
            default[1].kind,
            TermKind::Priority(vec!["high".into(), "medium".into()])
        );
        assert!(
            parse_search("assigned:me")
                .unwrap_err()
                .contains("assigned")
        );
        assert_eq!(
            tokens("a  \"b c\" level:[x, y]"),
            ["a", "\"b c\"", "level:[x, y]"]
        );
    }

    #[test]
    fn cursors_address_offsets() {
        assert_eq!(cursor_offset("0:100:0"), Some(100));
        assert_eq!(cursor_offset("junk"), None);
        let link = link_header(
            "http://h",
            "acme",
            &[("query".into(), "is:unresolved".into())],
            0,
            2,
            true,
        );
        assert!(
            link.contains("rel=\"previous\"; results=\"false\""),
            "{link}"
        );
        assert!(
            link.contains("cursor=0%3A2%3A0>; rel=\"next\"; results=\"true\""),
            "{link}"
        );
    }
}
