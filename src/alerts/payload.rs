//! What a webhook receives: the alert as the runbook's JSON or a chat service's shape, and the
//! signature over it (`X-Gonogo-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
//! "<t>.<body>">`), made with the signing secret on every attempt.

use super::{Alert, Format};
use hmac::{Hmac, Mac};
use serde_json::json;

pub const SIGNATURE_HEADER: &str = "X-Gonogo-Signature";
pub const ALERT_ID_HEADER: &str = "X-Gonogo-Alert-Id";

/// Discord refuses a `content` longer than this.
const DISCORD_LIMIT: usize = 2_000;

/// The request body for `alert` in `format`.
pub fn body(alert: &Alert, format: Format) -> Vec<u8> {
    let value = match format {
        Format::Json => json!({
            "id": alert.id,
            "severity": alert.severity,
            "title": alert.title,
            "message": alert.message,
            "metadata": alert.metadata,
            "subject": alert.subject,
            "state": alert.state,
            "changes": alert.changes,
            "raised_at": crate::clock::rfc3339(alert.raised_at),
        }),
        // Slack reads `<!channel>` and `<url|text>` in text: untrusted text (a gate's error) is
        // escaped as Slack documents, so an alert can never ping a channel.
        Format::Slack => json!({ "text": slack_escape(&chat_text(alert, "*")) }),
        // Discord's mentions (`@everyone`) are switched off for the message.
        Format::Discord => json!({
            "content": crate::text::cut(&chat_text(alert, "**"), DISCORD_LIMIT),
            "allowed_mentions": { "parse": [] },
        }),
    };
    serde_json::to_vec(&value).unwrap_or_default()
}

/// `*[CRITICAL] title*` then the message and the alert id, in the chat's bold markup.
fn chat_text(alert: &Alert, bold: &str) -> String {
    let severity = alert.severity.as_str().to_uppercase();
    let mut text = format!(
        "{bold}[{severity}] {}{bold}\n{}",
        alert.title, alert.message
    );
    let mut facts = Vec::new();
    for key in [
        "environment",
        "gate",
        "value",
        "since",
        "on_shift",
        "origin",
    ] {
        match alert.metadata.get(key) {
            Some(serde_json::Value::String(v)) if !v.is_empty() => {
                facts.push(format!("{key}: {v}"));
            }
            _ => {}
        }
    }
    if !facts.is_empty() {
        text.push('\n');
        text.push_str(&facts.join(" · "));
    }
    text.push_str(&format!("\nalert {}", alert.id));
    text
}

fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The hex HMAC-SHA256 of `"<t>.<body>"` under `secret`.
pub fn sign(secret: &[u8], t: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// The `X-Gonogo-Signature` value for `body` signed at unix time `t`.
pub fn signature_header(secret: &[u8], t: i64, body: &[u8]) -> String {
    format!("t={t},v1={}", sign(secret, t, body))
}

/// How old a signature's `t` may be before a receiver refuses it (a replay).
pub const SIGNATURE_TOLERANCE_SECS: i64 = 300;

/// A receiver's check of `X-Gonogo-Signature` (what the README's snippet does): `v1` is the
/// HMAC of `"<t>.<body>"` under `secret`, compared in constant time, and `t` is within
/// [`SIGNATURE_TOLERANCE_SECS`] of `now` (unix seconds).
pub fn verify(secret: &[u8], header: &str, body: &[u8], now: i64) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => v1 = hex::decode(value).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    if now.abs_diff(t) > SIGNATURE_TOLERANCE_SECS.unsigned_abs() {
        return false;
    }
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&v1).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_documented_hmac() {
        // `printf '%s' '1700000000.{}' | openssl dgst -sha256 -hmac s3cret`
        assert_eq!(
            sign(b"s3cret", 1_700_000_000, b"{}"),
            "97926816e98fbb41ccb1673225ff29a2f35369099990e1b1561651e7bd097ebf"
        );
        assert!(signature_header(b"k", 5, b"x").starts_with("t=5,v1="));
        let header = signature_header(b"k", 1_000, b"body");
        assert!(verify(b"k", &header, b"body", 1_100));
        assert!(!verify(b"k", &header, b"bodx", 1_100), "another body");
        assert!(!verify(b"j", &header, b"body", 1_100), "another secret");
        assert!(!verify(b"k", &header, b"body", 1_301), "too old: a replay");
        assert!(!verify(b"k", "t=1000", b"body", 1_000));
    }
}
