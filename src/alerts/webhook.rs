//! One alert POSTed to the webhook through gonogo's HTTP policy ([`crate::source::policy`]):
//! connection errors, timeouts, 5xx and 429 retried with backoff and `Retry-After` for up to
//! [`GIVE_UP_AFTER`], each attempt bounded, each re-signed; a permanent 4xx given up at once.
//! The URL never appears in what comes back: outcomes name the receiver by host only.

use super::payload::{ALERT_ID_HEADER, SIGNATURE_HEADER, body, signature_header};
use super::{Alert, Format};
use crate::config::{Alerts, Secret};
use crate::source::policy::{self, Carries, RetryPolicy};
use crate::text::Redactor;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// How long one alert is retried at most.
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(600);
/// The most one attempt may take before it counts as a timeout (and is retried).
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// The receiver's answer is read up to this size, and shown cut to [`ANSWER_SHOWN`].
const ANSWER_CAP: usize = 16 * 1024;
const ANSWER_SHOWN: usize = 300;

/// How a delivery ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryOutcome {
    /// The receiver answered 2xx.
    Delivered,
    /// The receiver refused it for good (a 4xx other than 429): not retried.
    GaveUp,
    /// Retries ran out (connection errors, timeouts, 5xx, 429 until the deadline).
    Failed,
}

impl DeliveryOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryOutcome::Delivered => "delivered",
            DeliveryOutcome::GaveUp => "gave_up",
            DeliveryOutcome::Failed => "failed",
        }
    }
}

/// What became of one alert's delivery: every field safe to show and journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub alert_id: String,
    pub outcome: DeliveryOutcome,
    pub attempts: u32,
    /// The last HTTP status, when there was an answer.
    #[serde(default)]
    pub status: Option<u16>,
    /// The receiver's answer, redacted and cut.
    #[serde(default)]
    pub answer: String,
    /// Why it failed, redacted (empty when delivered).
    #[serde(default)]
    pub reason: String,
    /// `https://hooks.example.com/…`: the receiver, never its path.
    pub receiver: String,
    pub took_ms: u64,
}

/// The configured webhook.
#[derive(Clone)]
pub struct Webhook {
    client: reqwest::Client,
    url: Secret,
    receiver: String,
    signing: Option<Secret>,
    format: Format,
    redactor: Redactor,
    policy: RetryPolicy,
    give_up_after: Duration,
    attempt_timeout: Duration,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Webhook({})", self.receiver)
    }
}

impl Webhook {
    /// The webhook `[alerts]` configures, `None` without a URL.
    pub fn from_config(alerts: &Alerts, redactor: &Redactor) -> Result<Option<Webhook>, String> {
        let Some(url) = alerts.webhook_url.clone() else {
            return Ok(None);
        };
        let client = policy::client(Carries::Credentials).map_err(|e| {
            format!(
                "cannot build the webhook's HTTP client: {}",
                policy::describe(&e)
            )
        })?;
        Ok(Some(Webhook {
            client,
            url,
            receiver: alerts
                .shown_url()
                .unwrap_or_else(|| "the webhook".to_owned()),
            signing: alerts.signing_secret.clone(),
            format: alerts.format,
            redactor: redactor.clone(),
            policy: RetryPolicy {
                max_attempts: u32::MAX,
                base_delay: Duration::from_secs(1),
                max_delay: Duration::from_secs(60),
            },
            give_up_after: GIVE_UP_AFTER,
            attempt_timeout: ATTEMPT_TIMEOUT,
        }))
    }

    /// Shorter waits (tests, the rehearsal): first backoff, longest wait, deadline, one attempt.
    pub fn with_timing(
        mut self,
        base_delay: Duration,
        give_up_after: Duration,
        attempt_timeout: Duration,
    ) -> Webhook {
        self.policy.base_delay = base_delay;
        self.policy.max_delay = self.policy.max_delay.min(give_up_after);
        self.give_up_after = give_up_after;
        self.attempt_timeout = attempt_timeout;
        self
    }

    /// `https://host/…`.
    pub fn receiver(&self) -> &str {
        &self.receiver
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// Sends `alert` until it is delivered, refused for good, or [`GIVE_UP_AFTER`] passes.
    pub async fn deliver(&self, alert: &Alert) -> Delivery {
        let started = Instant::now();
        let payload = body(alert, self.format);
        let attempts = AtomicU32::new(0);
        let make = || {
            attempts.fetch_add(1, Ordering::Relaxed);
            let mut request = self
                .client
                .post(self.url.expose().trim())
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header(ALERT_ID_HEADER, &alert.id)
                .body(payload.clone());
            if let Some(secret) = &self.signing {
                // Signed at each attempt, so a receiver that refuses old timestamps takes a
                // retry.
                let t = chrono::Utc::now().timestamp();
                request = request.header(
                    SIGNATURE_HEADER,
                    signature_header(secret.expose().as_bytes(), t, &payload),
                );
            }
            request
        };
        let deadline = started + self.give_up_after;
        let sent =
            policy::send_each_within(make, &self.policy, deadline, self.attempt_timeout).await;
        let mut delivery = Delivery {
            alert_id: alert.id.clone(),
            outcome: DeliveryOutcome::Failed,
            attempts: 0,
            status: None,
            answer: String::new(),
            reason: String::new(),
            receiver: self.receiver.clone(),
            took_ms: 0,
        };
        match sent {
            Ok(sent) => {
                let status = sent.response.status();
                delivery.attempts = sent.attempts;
                delivery.status = Some(status.as_u16());
                let answer = policy::read_body(sent.response, ANSWER_CAP).await;
                delivery.answer = match answer {
                    Ok(bytes) => self.redactor.body_excerpt(&bytes, ANSWER_SHOWN),
                    Err(e) => self.redactor.excerpt(&e.to_string(), ANSWER_SHOWN),
                };
                if status.is_success() {
                    delivery.outcome = DeliveryOutcome::Delivered;
                } else if policy::is_retryable(status) {
                    let why = sent.gave_up.unwrap_or_else(|| "retries ran out".to_owned());
                    delivery.reason = format!("HTTP {} ({why})", status.as_u16());
                } else {
                    delivery.outcome = DeliveryOutcome::GaveUp;
                    delivery.reason = format!(
                        "HTTP {}: the receiver refused it; not retried",
                        status.as_u16()
                    );
                }
            }
            Err(e) => {
                delivery.attempts = attempts.load(Ordering::Relaxed).max(1);
                let waited = Duration::from_secs(started.elapsed().as_secs());
                let why = format!("{e} (gave up after {})", humantime::format_duration(waited));
                delivery.reason = self.redactor.excerpt(&why, ANSWER_SHOWN);
            }
        }
        delivery.took_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        delivery
    }
}
