//! The HTTP policy every HTTP source shares: per-attempt timeouts inside the gate's deadline,
//! retries with backoff and jitter on connect errors, 5xx and 429, honouring `Retry-After`
//! (seconds or HTTP-date) and `X-Sentry-Rate-Limit-Reset`, never sleeping past the deadline.

use reqwest::header::HeaderMap;
use reqwest::{RequestBuilder, Response, StatusCode};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::time::Instant;

/// Redirects followed at most.
const MAX_REDIRECTS: usize = 10;

/// Whether a client may carry credentials, and so which redirects it follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carries {
    /// Headers from the config, `user:password@`, a token in the query: redirects are followed
    /// only on the same host (an `http` → `https` upgrade included), so no credential ever
    /// reaches a host the config did not name.
    Credentials,
    /// Nothing secret: redirects are followed anywhere.
    Nothing,
}

/// The HTTP client for requests that carry `what`. Neither kind sends `Referer` (a URL holding
/// a token would go with it).
pub fn client(what: Carries) -> Result<reqwest::Client, reqwest::Error> {
    let redirects = match what {
        Carries::Nothing => reqwest::redirect::Policy::limited(MAX_REDIRECTS),
        Carries::Credentials => reqwest::redirect::Policy::custom(|attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
            }
            let first = attempt.previous().first().cloned();
            match first {
                Some(first) if same_site(&first, attempt.url()) => attempt.follow(),
                _ => {
                    let to = crate::text::sanitize(attempt.url().host_str().unwrap_or("?"));
                    attempt.error(format!(
                        "redirected to another host ({to}); not followed, the request carries credentials"
                    ))
                }
            }
        }),
    };
    reqwest::Client::builder()
        .user_agent(concat!("gonogo/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .redirect(redirects)
        .referer(false)
        .build()
}

/// The same host and port, or the same host upgraded from `http` to `https`; never a
/// downgrade.
pub fn same_site(from: &url::Url, to: &url::Url) -> bool {
    if from.host_str() != to.host_str() {
        return false;
    }
    match (from.scheme(), to.scheme()) {
        (a, b) if a == b => from.port_or_known_default() == to.port_or_known_default(),
        ("http", "https") => true,
        _ => false,
    }
}

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay: Duration,
    /// No wait is longer than this, whatever the server asks.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("timed out")]
    Timeout,
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("request failed: {0}")]
    Request(String),
}

/// A response and how many attempts it took. The status may still be 429 or 5xx when retries
/// ran out or the next wait would pass the deadline: the caller decides what that means.
pub struct Sent {
    pub response: Response,
    pub attempts: u32,
    /// Why retrying stopped early, when it did (e.g. "Retry-After 120s is past the deadline").
    pub gave_up: Option<String>,
}

pub fn is_retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// Sends the request built by `make` (called once per attempt) under `policy`, within `deadline`.
pub async fn send(
    make: impl Fn() -> RequestBuilder,
    policy: &RetryPolicy,
    deadline: Instant,
) -> Result<Sent, HttpError> {
    send_each_within(make, policy, deadline, Duration::MAX).await
}

/// [`send`] where one attempt may take at most `per_attempt`: an attempt that runs out is a
/// timeout like any other, retried while the deadline allows (a webhook receiver that hangs
/// once is asked again, not waited on until the deadline).
pub async fn send_each_within(
    make: impl Fn() -> RequestBuilder,
    policy: &RetryPolicy,
    deadline: Instant,
    per_attempt: Duration,
) -> Result<Sent, HttpError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(HttpError::Timeout);
        }
        let limit = remaining.min(per_attempt);
        let result = tokio::time::timeout(remaining, make().timeout(limit).send()).await;
        let delay = match result {
            Err(_) => return Err(HttpError::Timeout),
            Ok(Ok(response)) => {
                if !is_retryable(response.status()) {
                    return Ok(Sent {
                        response,
                        attempts: attempt,
                        gave_up: None,
                    });
                }
                let server = server_delay(response.headers(), response.status(), SystemTime::now());
                let delay = server
                    .map(|d| d.min(policy.max_delay))
                    .unwrap_or_else(|| backoff(policy, attempt));
                if attempt >= policy.max_attempts {
                    return Ok(Sent {
                        response,
                        attempts: attempt,
                        gave_up: None,
                    });
                }
                if Instant::now()
                    .checked_add(delay)
                    .is_none_or(|at| at >= deadline)
                {
                    let gave_up = Some(match server {
                        Some(d) => format!(
                            "server asked to retry in {}, past the gate's deadline",
                            humantime::format_duration(Duration::from_secs(d.as_secs()))
                        ),
                        None => "no time left to retry".to_owned(),
                    });
                    return Ok(Sent {
                        response,
                        attempts: attempt,
                        gave_up,
                    });
                }
                delay
            }
            Ok(Err(e)) => {
                let transient = e.is_connect() || e.is_timeout() || e.is_request();
                let message = describe(&e);
                if !transient || attempt >= policy.max_attempts {
                    return Err(classify(&e, message));
                }
                let delay = backoff(policy, attempt);
                if Instant::now()
                    .checked_add(delay)
                    .is_none_or(|at| at >= deadline)
                {
                    return Err(classify(&e, message));
                }
                delay
            }
        };
        tracing::debug!(
            attempt,
            delay_ms = delay.as_millis() as u64,
            "retrying HTTP request"
        );
        tokio::time::sleep(delay).await;
    }
}

fn classify(e: &reqwest::Error, message: String) -> HttpError {
    if e.is_timeout() {
        HttpError::Timeout
    } else if e.is_connect() {
        HttpError::Connect(message)
    } else {
        HttpError::Request(message)
    }
}

/// A reqwest error as text, without its URL (which may carry a credential), with the causes.
pub fn describe(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    if parts.is_empty() {
        parts.push(format!("{}", WithoutUrl(e)));
    }
    // Causes repeat their inner causes; the innermost is the most telling but keep one outer.
    parts.dedup();
    parts.last().cloned().unwrap_or_default()
}

struct WithoutUrl<'a>(&'a reqwest::Error);

impl std::fmt::Display for WithoutUrl<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_timeout() {
            f.write_str("timed out")
        } else if self.0.is_connect() {
            f.write_str("connection failed")
        } else if self.0.is_decode() {
            f.write_str("could not decode the response")
        } else {
            f.write_str("request failed")
        }
    }
}

/// Exponential backoff with full jitter: a random wait up to `base * 2^(attempt-1)`, at least
/// half of it, capped at `max_delay`.
pub fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    let exp = policy
        .base_delay
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
        .min(policy.max_delay);
    let half = exp / 2;
    let jitter_ms = rand::random_range(0..=half.as_millis().max(1) as u64);
    half + Duration::from_millis(jitter_ms)
}

/// The wait a server asked for: `Retry-After` first, then Sentry's rate-limit reset on a 429.
pub fn server_delay(headers: &HeaderMap, status: StatusCode, now: SystemTime) -> Option<Duration> {
    if let Some(value) = headers.get("retry-after").and_then(|v| v.to_str().ok())
        && let Some(d) = parse_retry_after(value, now)
    {
        return Some(d);
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        let reset = headers
            .get("x-sentry-rate-limit-reset")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())?;
        let now_secs = now.duration_since(UNIX_EPOCH).ok()?.as_secs_f64();
        return seconds(reset - now_secs);
    }
    None
}

/// A number of seconds from outside (a header, a JSON value) as a wait: NaN is no answer,
/// a negative wait is none, an infinite or huge one is capped at a day (callers cap it lower).
pub fn seconds(secs: f64) -> Option<Duration> {
    const LONGEST: Duration = Duration::from_secs(86_400);
    if secs.is_nan() {
        return None;
    }
    Some(Duration::try_from_secs_f64(secs.clamp(0.0, LONGEST.as_secs_f64())).unwrap_or(LONGEST))
}

/// RFC 9110 §10.2.3: delay-seconds or an HTTP-date. A past date means now; junk (`-5`, `1.5`)
/// is `None`, so the caller falls back to its own backoff.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Digits too many for a u64 are still "a long time", not junk.
        return Some(
            value
                .parse::<u64>()
                .map_or(Duration::MAX, Duration::from_secs),
        );
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Reads at most `cap` bytes of a body; a larger body is an error rather than unbounded memory.
pub async fn read_body(mut response: Response, cap: usize) -> Result<Vec<u8>, HttpError> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| HttpError::Request(describe(&e)))?
    {
        if body.len() + chunk.len() > cap {
            return Err(HttpError::Request(format!(
                "response body larger than {} KiB",
                cap / 1024
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = at(1_788_357_900); // Wed, 02 Sep 2026 14:05:00 GMT
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Wed, 02 Sep 2026 14:06:30 GMT", now),
            Some(Duration::from_secs(90))
        );
        assert_eq!(
            parse_retry_after("Wed, 02 Sep 2026 14:00:00 GMT", now),
            Some(Duration::ZERO),
            "a past date means retry now"
        );
        for junk in ["-5", "1.5", "", "soon", "Wed, 99 Foo"] {
            assert_eq!(parse_retry_after(junk, now), None, "{junk:?}");
        }
    }

    #[test]
    fn sentry_reset_header_applies_to_429_only() {
        let now = at(1_000);
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-sentry-rate-limit-reset",
            HeaderValue::from_static("1007"),
        );
        assert_eq!(
            server_delay(&headers, StatusCode::TOO_MANY_REQUESTS, now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(server_delay(&headers, StatusCode::BAD_GATEWAY, now), None);
        headers.insert("retry-after", HeaderValue::from_static("3"));
        assert_eq!(
            server_delay(&headers, StatusCode::TOO_MANY_REQUESTS, now),
            Some(Duration::from_secs(3)),
            "Retry-After wins"
        );
    }

    /// Hostile waits from a server never panic and never wait past the policy's cap.
    #[test]
    fn hostile_rate_limit_headers_never_panic() {
        let now = at(1_788_357_900);
        let hostile = [
            "inf",
            "-inf",
            "NaN",
            "1e308",
            "-1e308",
            "1e-320",
            "18446744073709551616",
            "99999999999999999999999999",
            "-5",
            "",
            " ",
            "0x10",
            "1,5",
            "Infinity",
            "9223372036854775807.5",
            "-0",
        ];
        for value in hostile {
            let mut headers = HeaderMap::new();
            headers.insert(
                "x-sentry-rate-limit-reset",
                HeaderValue::from_str(value).unwrap(),
            );
            headers.insert("retry-after", HeaderValue::from_str(value).unwrap());
            for status in [
                StatusCode::TOO_MANY_REQUESTS,
                StatusCode::SERVICE_UNAVAILABLE,
            ] {
                let delay = server_delay(&headers, status, now);
                if let Some(d) = delay {
                    let capped = d.min(RetryPolicy::default().max_delay);
                    assert!(capped <= Duration::from_secs(30), "{value}");
                }
            }
            let mut only_reset = HeaderMap::new();
            only_reset.insert(
                "x-sentry-rate-limit-reset",
                HeaderValue::from_str(value).unwrap(),
            );
            let _ = server_delay(&only_reset, StatusCode::TOO_MANY_REQUESTS, now);
        }
        assert_eq!(seconds(f64::NAN), None);
        assert_eq!(seconds(-3.0), Some(Duration::ZERO));
        assert_eq!(seconds(f64::INFINITY), Some(Duration::from_secs(86_400)));
        assert_eq!(seconds(1.5), Some(Duration::from_millis(1500)));
        assert_eq!(
            parse_retry_after("18446744073709551616", now),
            Some(Duration::MAX)
        );
    }

    #[test]
    fn backoff_grows_is_jittered_and_capped() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(1),
        };
        for _ in 0..50 {
            let first = backoff(&policy, 1);
            assert!(first >= Duration::from_millis(100) && first <= Duration::from_millis(200));
            let third = backoff(&policy, 3);
            assert!(third >= Duration::from_millis(400) && third <= Duration::from_millis(800));
            assert!(backoff(&policy, 9) <= Duration::from_secs(1));
        }
    }
}
