//! `[alerts]`: the terminal bell, and the webhook that pages someone (its URL and signing
//! secret are secrets: never shown, registered with the redactor in every form they travel).

use super::secret::Secret;
use crate::alerts::{Format, Severity};
use crate::text::Redactor;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::time::Duration;

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Alerts {
    /// Ring the terminal bell when a required gate turns red.
    #[serde(default = "yes")]
    pub bell: bool,
    /// Optional: where alerts are POSTed; no URL, no webhook (a secret: never shown).
    // Often holds a token (Slack's does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<Secret>,
    /// Optional: when set, every delivery is signed (`X-Gonogo-Signature`; a secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_secret: Option<Secret>,
    /// The webhook's body: `json` (the runbook's payload), `slack` (`{"text"}`) or `discord`
    /// (`{"content"}`).
    #[serde(default)]
    pub format: Format,
    /// `info`, `warning` or `critical`: quieter alerts are not sent.
    #[serde(default)]
    pub min_severity: Severity,
    /// Changes of one gate (or of the verdict) within this window make one alert; `0s` to `1h`.
    #[schemars(with = "String")]
    #[serde(
        default = "default_group_for",
        serialize_with = "show_duration",
        deserialize_with = "group_window"
    )]
    pub group_for: Duration,
}

impl Default for Alerts {
    fn default() -> Self {
        Alerts {
            bell: true,
            webhook_url: None,
            signing_secret: None,
            format: Format::default(),
            min_severity: Severity::default(),
            group_for: default_group_for(),
        }
    }
}

fn yes() -> bool {
    true
}

/// The grouping window when `group_for` is not set.
pub const DEFAULT_GROUP_FOR: Duration = Duration::from_secs(120);
/// The longest grouping window: past it, an alert would come too late to page anyone.
pub const MAX_GROUP_FOR: Duration = Duration::from_secs(3_600);

fn default_group_for() -> Duration {
    DEFAULT_GROUP_FOR
}

fn show_duration<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&humantime::format_duration(*d).to_string())
}

/// `0s` is allowed (every change is its own alert); an hour at most.
fn group_window<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(d)?;
    let shown = crate::text::sanitize_short(&text, 40);
    let window = humantime::parse_duration(text.trim()).map_err(|e| {
        serde::de::Error::custom(format!(
            "group_for: `{shown}` is not a duration like 30s, 2m or 0s ({e})"
        ))
    })?;
    if window > MAX_GROUP_FOR {
        return Err(serde::de::Error::custom(format!(
            "group_for: `{shown}` is longer than the longest window, 1h"
        )));
    }
    Ok(window)
}

impl Alerts {
    /// What is wrong with the section, by key; the URL itself is never quoted.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        if let Some(url) = &self.webhook_url {
            match url::Url::parse(url.expose().trim()) {
                Err(e) => problems.push((
                    "webhook_url",
                    format!("[alerts] webhook_url is not a URL ({e}); the value is not shown"),
                )),
                Ok(parsed) if !matches!(parsed.scheme(), "http" | "https") => problems.push((
                    "webhook_url",
                    "[alerts] webhook_url must be an http(s) URL".to_owned(),
                )),
                Ok(parsed) if parsed.host_str().is_none_or(str::is_empty) => {
                    problems.push(("webhook_url", "[alerts] webhook_url has no host".to_owned()));
                }
                Ok(_) => {}
            }
        }
        if self.signing_secret.as_ref().is_some_and(Secret::is_empty) {
            problems.push((
                "signing_secret",
                "[alerts] signing_secret is empty; remove it to send unsigned".to_owned(),
            ));
        }
        problems
    }

    /// The webhook URL as it may be shown: scheme and host only (its path often is the token).
    pub fn shown_url(&self) -> Option<String> {
        let url = url::Url::parse(self.webhook_url.as_ref()?.expose().trim()).ok()?;
        Some(format!(
            "{}://{}/…",
            url.scheme(),
            crate::text::sanitize(url.host_str().unwrap_or("?"))
        ))
    }

    /// The URL (whole, its path, its query, its password and query values) and the signing
    /// secret, for every message to be scrubbed of them.
    pub fn register_secrets(&self, redactor: &Redactor) {
        if let Some(secret) = &self.signing_secret {
            redactor.add(secret.expose());
        }
        let Some(url) = &self.webhook_url else {
            return;
        };
        let raw = url.expose().trim();
        redactor.add(raw);
        let Ok(parsed) = url::Url::parse(raw) else {
            return;
        };
        redactor.add(parsed.as_str());
        // A token-like segment (Slack's and Discord's last segments), and the path that holds
        // one; never a plain word like `services`, `webhooks` or `alerts`, which would blank
        // that word out of every message.
        let path = parsed.path();
        let token_like = |segment: &str| {
            let digits = segment.chars().any(|c| c.is_ascii_digit());
            segment.len() >= 16 || (segment.len() >= 8 && digits)
        };
        let mut holds_a_token = false;
        for segment in path.split('/').filter(|s| token_like(s)) {
            redactor.add(segment);
            holds_a_token = true;
        }
        if holds_a_token {
            redactor.add(path);
            redactor.add(path.trim_start_matches('/'));
        }
        if let Some(query) = parsed.query() {
            redactor.add(query);
        }
        if let Some(password) = parsed.password() {
            redactor.add(password);
            // The client sends these as `Authorization: Basic …`, which a receiver may echo.
            let decoded = super::url::decode(password);
            redactor.add(&decoded);
            redactor.add_basic(&super::url::decode(parsed.username()), &decoded);
        }
        for (_, value) in parsed.query_pairs() {
            if value.len() >= 8 {
                redactor.add(&value);
            }
        }
    }
}
