//! `http` gates: status pages and health endpoints. Without `json` the value is the HTTP status
//! code (a health endpoint answering 503 is checked-and-bad, not unknown); with `json` it is the
//! value at that JSON pointer, read from error answers too (Spring Boot sends 503 + `DOWN`).
//! A 429 that outlasts the retries is unknown: the server did not say anything about itself.

use super::policy::{self, RetryPolicy, read_body};
use super::{BODY_CAP, EXCERPT};
use crate::config::{ConfigUrl, HeaderMap};
use crate::gate::spec::HttpMethod;
use crate::gate::{Observation, Value};
use crate::text::Redactor;
use tokio::time::Instant;

pub struct HttpCheck<'a> {
    pub url: &'a ConfigUrl,
    pub method: HttpMethod,
    pub headers: &'a HeaderMap,
    pub json: Option<&'a str>,
}

impl HttpCheck<'_> {
    /// Whether the request carries anything secret: any header from the config (its value may
    /// have come from a secret), `user:password@`, or a credential-like query parameter.
    pub fn carries(&self) -> policy::Carries {
        let url = url::Url::parse(self.url.expose().trim());
        let secret_url = url.as_ref().map_or(true, |u| {
            !u.username().is_empty()
                || u.password().is_some()
                || u.query_pairs()
                    .any(|(k, _)| crate::text::is_secret_name(&k))
        });
        if secret_url || !self.headers.is_empty() {
            policy::Carries::Credentials
        } else {
            policy::Carries::Nothing
        }
    }
}

pub async fn check(
    client: &reqwest::Client,
    check: &HttpCheck<'_>,
    policy: &RetryPolicy,
    deadline: Instant,
    redactor: &Redactor,
) -> Result<Observation, String> {
    let method = match check.method {
        HttpMethod::Get => reqwest::Method::GET,
        HttpMethod::Head => reqwest::Method::HEAD,
        HttpMethod::Post => reqwest::Method::POST,
    };
    let make = || {
        let mut req = client.request(method.clone(), check.url.expose());
        for (name, value) in check.headers.iter() {
            req = req.header(name, value);
        }
        req
    };
    let sent = policy::send(make, policy, deadline)
        .await
        .map_err(|e| e.to_string())?;
    let status = sent.response.status().as_u16();
    let retried = match (sent.attempts, &sent.gave_up) {
        (_, Some(why)) => format!(" ({why})"),
        (1, None) => String::new(),
        (n, None) => format!(" after {n} attempts"),
    };
    // Rate limited is "could not tell", not an answer about the service: never a red gate.
    if status == 429 {
        return Err(format!("HTTP 429 rate limited{retried}"));
    }
    let Some(pointer) = check.json else {
        return Ok(Observation {
            value: Value::Number(f64::from(status)),
            detail: Some(format!("HTTP {status}{retried}")),
        });
    };
    let body = read_body(sent.response, BODY_CAP)
        .await
        .map_err(|e| e.to_string())?;
    let parsed: Result<serde_json::Value, _> = serde_json::from_slice(&body);
    let found = parsed.as_ref().ok().and_then(|doc| doc.pointer(pointer));
    match found {
        Some(value) => Ok(Observation {
            value: json_value(value, redactor)?,
            detail: (status >= 400).then(|| format!("HTTP {status}{retried}")),
        }),
        None if status >= 400 => Err(format!(
            "HTTP {status}{retried}: {}",
            redactor.body_excerpt(&body, EXCERPT)
        )),
        None => match parsed {
            Err(e) => Err(format!(
                "HTTP {status}: body is not JSON ({e}): {}",
                redactor.body_excerpt(&body, EXCERPT)
            )),
            Ok(_) => Err(format!(
                "HTTP {status}: no value at JSON pointer {}",
                crate::text::sanitize(pointer)
            )),
        },
    }
}

fn json_value(value: &serde_json::Value, redactor: &Redactor) -> Result<Value, String> {
    match value {
        serde_json::Value::Number(n) => n
            .as_f64()
            .map(Value::Number)
            .ok_or_else(|| "number out of range".into()),
        serde_json::Value::String(s) => Ok(Value::Text(redactor.excerpt(s, 200))),
        serde_json::Value::Bool(b) => Ok(Value::Text(b.to_string())),
        serde_json::Value::Null => Err("the JSON value is null".into()),
        serde_json::Value::Array(a) => Ok(Value::Number(a.len() as f64)),
        serde_json::Value::Object(_) => Err("the JSON pointer names an object, not a value".into()),
    }
}
