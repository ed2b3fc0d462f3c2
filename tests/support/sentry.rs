//! A local server following Sentry's documented issue-list API: `Link` pagination with
//! `results="true|false"`, `X-Hits`/`X-Max-Hits`, scripted 429/5xx/hangs, and a record of every
//! request (query parameters and `Authorization`) for assertions.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One canned answer, played before the regular listing.
#[derive(Debug, Clone)]
pub enum Scripted {
    Answer {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Never answers within any sane gate timeout.
    Hang(Duration),
}

impl Scripted {
    pub fn status(status: u16, headers: &[(&str, &str)], body: &str) -> Scripted {
        Scripted::Answer {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.to_owned(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Recorded {
    pub path: String,
    pub query: Vec<(String, String)>,
    pub authorization: Option<String>,
    pub at: std::time::Instant,
    /// Tokio's clock: under paused time it shows the waits that were skipped.
    pub tokio_at: tokio::time::Instant,
}

impl Recorded {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Default)]
pub struct SentryState {
    /// How many issues match the search.
    pub total: Mutex<usize>,
    /// `X-Hits` (and `X-Max-Hits`) to send with the first page, if any.
    pub hits: Mutex<Option<(usize, Option<usize>)>>,
    pub script: Mutex<VecDeque<Scripted>>,
    pub requests: Mutex<Vec<Recorded>>,
}

#[derive(Clone)]
pub struct FakeSentry {
    pub addr: SocketAddr,
    pub state: Arc<SentryState>,
}

impl FakeSentry {
    /// Starts the server in the current runtime with `total` matching issues.
    pub async fn start(total: usize) -> FakeSentry {
        let state = Arc::new(SentryState::default());
        *state.total.lock().unwrap() = total;
        let addr = super::serve(router(state.clone())).await;
        FakeSentry { addr, state }
    }

    /// Starts the server on its own thread (for synchronous callers).
    pub fn start_in_thread(total: usize) -> FakeSentry {
        let state = Arc::new(SentryState::default());
        *state.total.lock().unwrap() = total;
        let addr = super::serve_in_thread(router(state.clone()));
        FakeSentry { addr, state }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn script(&self, answers: impl IntoIterator<Item = Scripted>) {
        self.state.script.lock().unwrap().extend(answers);
    }

    pub fn set_hits(&self, hits: usize, max: Option<usize>) {
        *self.state.hits.lock().unwrap() = Some((hits, max));
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }

    /// A config with a `[sentry]` section pointing here and one sentry gate `p1`.
    pub fn config_text(&self, token: &str, timeout: &str) -> String {
        format!(
            "{}[sentry]\nurl = \"{}\"\norg = \"acme\"\ntoken = \"{token}\"\n\n\
             [[gate]]\nid = \"p1\"\ntitle = \"Sentry P1 issues\"\nsource = \"sentry\"\n\
             query = \"is:unresolved issue.priority:high\"\nenvironment = \"production\"\n\
             pass = \"== 0\"\ntimeout = \"{timeout}\"\n",
            super::LAUNCH,
            self.url()
        )
    }
}

pub fn router(state: Arc<SentryState>) -> Router {
    Router::new().fallback(handle).with_state(state)
}

async fn handle(State(state): State<Arc<SentryState>>, req: Request) -> Response {
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let recorded = Recorded {
        path: req.uri().path().to_owned(),
        query: query.clone(),
        authorization: req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        at: std::time::Instant::now(),
        tokio_at: tokio::time::Instant::now(),
    };
    let host = req
        .headers()
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned();
    state.requests.lock().unwrap().push(recorded.clone());
    let scripted = state.script.lock().unwrap().pop_front();
    match scripted {
        Some(Scripted::Hang(d)) => {
            tokio::time::sleep(d).await;
            return answer(200, &[], "[]".into());
        }
        Some(Scripted::Answer {
            status,
            headers,
            body,
        }) => return answer(status, &headers, body),
        None => {}
    }
    if !recorded.path.starts_with("/api/0/organizations/") || !recorded.path.ends_with("/issues/") {
        return answer(
            404,
            &[],
            r#"{"detail":"The requested resource does not exist"}"#.into(),
        );
    }
    let total = *state.total.lock().unwrap();
    let limit: usize = recorded
        .param("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(100)
        .min(100);
    // Sentry cursors look like `0:<offset>:0`.
    let offset: usize = recorded
        .param("cursor")
        .and_then(|c| c.split(':').nth(1))
        .and_then(|o| o.parse().ok())
        .unwrap_or(0);
    let end = (offset + limit).min(total);
    let issues: Vec<serde_json::Value> = (offset..end).map(issue).collect();
    let base = format!("http://{host}{}", recorded.path);
    let page_url = |cursor: &str| {
        let mut pairs = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &query {
            if k != "cursor" {
                pairs.append_pair(k, v);
            }
        }
        pairs.append_pair("cursor", cursor);
        format!("{base}?{}", pairs.finish())
    };
    let prev = format!("0:{}:1", offset.saturating_sub(limit));
    let next = format!("0:{end}:0");
    let link = format!(
        "<{}>; rel=\"previous\"; results=\"{}\"; cursor=\"{prev}\", <{}>; rel=\"next\"; results=\"{}\"; cursor=\"{next}\"",
        page_url(&prev),
        offset > 0,
        page_url(&next),
        end < total,
    );
    let mut headers = vec![
        ("link".to_owned(), link),
        ("x-sentry-rate-limit-limit".to_owned(), "40".to_owned()),
        ("x-sentry-rate-limit-remaining".to_owned(), "39".to_owned()),
    ];
    if offset == 0
        && let Some((hits, max)) = *state.hits.lock().unwrap()
    {
        headers.push(("x-hits".to_owned(), hits.to_string()));
        if let Some(max) = max {
            headers.push(("x-max-hits".to_owned(), max.to_string()));
        }
    }
    answer(
        200,
        &headers,
        serde_json::to_string(&issues).expect("issues as JSON"),
    )
}

fn issue(n: usize) -> serde_json::Value {
    serde_json::json!({
        "id": format!("{}", 4_504_000_000u64 + n as u64),
        "shortId": format!("CHECKOUT-API-{n:X}"),
        "title": format!("TimeoutError: payment gateway timed out #{n}"),
        "culprit": "app.payments.charge",
        "permalink": null,
        "level": "fatal",
        "status": "unresolved",
        "substatus": "escalating",
        "priority": "high",
        "count": "1287",
        "userCount": 342,
        "firstSeen": "2026-09-01T08:12:44.120000Z",
        "lastSeen": "2026-09-02T14:03:09Z",
        "project": {"id": "4504000001", "name": "checkout-api", "slug": "checkout-api", "platform": "python"},
        "isUnhandled": true
    })
}

fn answer(status: u16, headers: &[(String, String)], body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(status).expect("valid status");
    let h = response.headers_mut();
    h.insert("content-type", HeaderValue::from_static("application/json"));
    for (k, v) in headers {
        h.insert(
            axum::http::HeaderName::from_bytes(k.as_bytes()).expect("header name"),
            HeaderValue::from_str(v).expect("header value"),
        );
    }
    response
}
