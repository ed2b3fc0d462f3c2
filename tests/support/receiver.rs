//! A webhook receiver on loopback: checks every delivery's signature as the README tells a
//! receiver to, answers from a script (a status, a hang, a `Retry-After`), and keeps what came.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One scripted answer; when the script runs out, 200 `ok`.
#[derive(Debug, Clone)]
pub enum Answer {
    Status(u16, &'static str),
    /// Waits this long before answering 200 (longer than the sender's attempt timeout).
    Hang(Duration),
    /// 429 or 503 with `Retry-After: secs`.
    RetryAfter(u16, u64),
    /// Answers with this body (a receiver that echoes what it should not).
    Echo(u16, String),
}

#[derive(Debug, Clone)]
pub struct Received {
    pub alert_id: Option<String>,
    /// Signed with the receiver's secret over `"<t>.<body>"`, `t` within five minutes.
    pub signature_ok: bool,
    pub signed: bool,
    pub path: String,
    pub body: serde_json::Value,
    pub at: tokio::time::Instant,
    /// The status it was answered with at once; `None` for a hang (the sender gave up first).
    pub answered: Option<u16>,
}

pub struct Receiver {
    secret: Vec<u8>,
    script: Mutex<VecDeque<Answer>>,
    seen: Mutex<Vec<Received>>,
    /// Requests being answered now (a scripted hang is not counted: its sender gives up).
    answering: AtomicUsize,
}

impl Receiver {
    pub fn new(secret: &str, script: Vec<Answer>) -> Arc<Receiver> {
        Arc::new(Receiver {
            secret: secret.as_bytes().to_vec(),
            script: Mutex::new(script.into()),
            seen: Mutex::new(Vec::new()),
            answering: AtomicUsize::new(0),
        })
    }

    pub fn seen(&self) -> Vec<Received> {
        self.seen.lock().unwrap().clone()
    }

    pub fn script(&self, more: Vec<Answer>) {
        self.script.lock().unwrap().extend(more);
    }

    /// For a quiet-period wait (`super::quiet`): how many requests came, and whether one is
    /// being answered now.
    pub fn activity(&self) -> (usize, bool) {
        let seen = self.seen.lock().unwrap().len();
        (seen, self.answering.load(Ordering::SeqCst) > 0)
    }
}

/// Counts a request as being answered until it is dropped (answered, or cut by its sender).
struct Answering<'a>(&'a AtomicUsize);

impl<'a> Answering<'a> {
    fn start(count: &'a AtomicUsize) -> Answering<'a> {
        count.fetch_add(1, Ordering::SeqCst);
        Answering(count)
    }
}

impl Drop for Answering<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Serves the receiver on a thread of its own (it answers whatever the test's runtime does).
pub fn serve(receiver: Arc<Receiver>) -> SocketAddr {
    let router = axum::Router::new()
        .fallback(axum::routing::post(hook))
        .with_state(receiver);
    super::serve_in_thread(router)
}

/// The README's check: `v1` is the hex HMAC-SHA256 of `"<t>.<body>"`, `t` is recent.
pub fn verify(secret: &[u8], header: &str, body: &[u8]) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => v1 = hex::decode(value).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    if (chrono::Utc::now().timestamp() - t).abs() > 300 {
        return false;
    }
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    mac.verify_slice(&v1).is_ok()
}

async fn hook(
    State(receiver): State<Arc<Receiver>>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let answering = Answering::start(&receiver.answering);
    let signature = headers
        .get("x-gonogo-signature")
        .and_then(|v| v.to_str().ok());
    let next = receiver.script.lock().unwrap().pop_front();
    let answered = match &next {
        None => Some(200),
        Some(Answer::Hang(_)) => None,
        Some(Answer::Status(code, _) | Answer::RetryAfter(code, _) | Answer::Echo(code, _)) => {
            Some(*code)
        }
    };
    let received = Received {
        alert_id: headers
            .get("x-gonogo-alert-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        signature_ok: signature.is_some_and(|s| verify(&receiver.secret, s, &body)),
        signed: signature.is_some(),
        path: uri.to_string(),
        body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
        at: tokio::time::Instant::now(),
        answered,
    };
    receiver.seen.lock().unwrap().push(received);
    match next {
        None => (StatusCode::OK, "ok").into_response(),
        Some(Answer::Status(code, text)) => {
            (StatusCode::from_u16(code).unwrap(), text).into_response()
        }
        Some(Answer::Hang(wait)) => {
            drop(answering);
            tokio::time::sleep(wait).await;
            (StatusCode::OK, "late").into_response()
        }
        Some(Answer::RetryAfter(code, secs)) => (
            StatusCode::from_u16(code).unwrap(),
            [("retry-after", secs.to_string())],
            "slow down",
        )
            .into_response(),
        Some(Answer::Echo(code, text)) => {
            (StatusCode::from_u16(code).unwrap(), text).into_response()
        }
    }
}
