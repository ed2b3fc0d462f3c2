//! The three webhook formats' bodies for one fixed alert, as snapshots: the runbook's JSON,
//! Slack's `{"text"}` and Discord's `{"content"}`.

use chrono::{TimeZone, Utc};
use gonogo::alerts::{Alert, Format, Severity, body};

fn alert() -> Alert {
    let metadata = serde_json::json!({
        "launch": "Veza v2 beta",
        "environment": "production",
        "subject": "gate:testers",
        "gate": "testers",
        "gate_title": "Testers signed up",
        "state": "fail",
        "value": "12",
        "error": null,
        "since": "2026-11-24T14:02:00Z",
        "changes": 3,
        "now": "fail",
        "raised_at": "2026-11-24T14:02:00Z",
        "sent_at": "2026-11-24T14:04:00Z",
        "origin": "alice@ops-laptop (cockpit, pid 4242)",
        "on_shift": "alice",
        "coordinated": true
    });
    let serde_json::Value::Object(metadata) = metadata else {
        unreachable!()
    };
    Alert {
        id: "5f0c2a9e8d7b6a5f4e3d2c1b0a998877".into(),
        subject: "gate:testers".into(),
        severity: Severity::Critical,
        title: "Veza v2 beta: Testers signed up is red (changed 3 times)".into(),
        message: "Required gate `testers` fails its condition (value 12). It changed 3 times \
                  within 2m; now fail."
            .into(),
        metadata,
        raised_at: Utc.with_ymd_and_hms(2026, 11, 24, 14, 2, 0).unwrap(),
        changes: 3,
        first_sight: false,
        state: "fail".into(),
    }
}

fn pretty(format: Format) -> String {
    let bytes = body(&alert(), format);
    let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    serde_json::to_string_pretty(&value).unwrap()
}

#[test]
fn json_payload() {
    insta::assert_snapshot!(pretty(Format::Json));
}

#[test]
fn slack_payload() {
    insta::assert_snapshot!(pretty(Format::Slack));
}

#[test]
fn discord_payload() {
    insta::assert_snapshot!(pretty(Format::Discord));
}

#[test]
fn chat_formats_cannot_ping_a_channel() {
    let mut loud = alert();
    loud.message = "<!channel> @everyone see <https://x.example|here>".into();
    let slack: serde_json::Value = serde_json::from_slice(&body(&loud, Format::Slack)).unwrap();
    let text = slack["text"].as_str().unwrap();
    assert!(
        text.contains("&lt;!channel&gt;") && !text.contains("<!channel>"),
        "{text}"
    );
    let discord: serde_json::Value = serde_json::from_slice(&body(&loud, Format::Discord)).unwrap();
    assert_eq!(discord["allowed_mentions"]["parse"], serde_json::json!([]));
}

#[test]
fn a_long_discord_message_is_cut_to_its_limit() {
    let mut long = alert();
    long.message = "x".repeat(5_000);
    let value: serde_json::Value = serde_json::from_slice(&body(&long, Format::Discord)).unwrap();
    let content = value["content"].as_str().unwrap();
    assert_eq!(content.chars().count(), 2_000);
    assert!(content.ends_with('…'));
}
