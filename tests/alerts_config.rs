//! `[alerts]` in the config: the keys the issue binds, errors that name the key and line, and a
//! webhook URL or signing secret that is never echoed, even when it is what is wrong.

use gonogo::alerts::{Format, Severity};
use gonogo::config::{ConfigError, load_str};
use std::path::Path;
use std::time::Duration;

const HEAD: &str = "[launch]\nname = \"x\"\n\n";
const GATE: &str = "\n[[gate]]\nid = \"a\"\nsource = \"file_age\"\npath = \"/\"\npass = \"> 0s\"\n";

fn problems(alerts: &str) -> String {
    match load_str(
        &format!("{HEAD}[alerts]\n{alerts}{GATE}"),
        Path::new("t.toml"),
    ) {
        Err(e @ ConfigError::Invalid { .. }) => e.to_string(),
        other => panic!("expected problems, got {other:?}"),
    }
}

#[test]
fn every_key_reads_and_defaults_hold() {
    let text = format!(
        "{HEAD}[alerts]\nbell = false\nwebhook_url = \"https://hooks.example.com/services/T1/B2/abcdefgh12345678\"\n\
         signing_secret = \"s3cret-signing\"\nformat = \"slack\"\nmin_severity = \"critical\"\ngroup_for = \"90s\"\n{GATE}"
    );
    let config = load_str(&text, Path::new("t.toml")).unwrap();
    let alerts = &config.raw.alerts;
    assert!(!alerts.bell);
    assert_eq!(alerts.format, Format::Slack);
    assert_eq!(alerts.min_severity, Severity::Critical);
    assert_eq!(alerts.group_for, Duration::from_secs(90));
    assert_eq!(
        alerts.shown_url().as_deref(),
        Some("https://hooks.example.com/…")
    );
    let shown = config.to_redacted_toml();
    assert!(
        !shown.contains("abcdefgh12345678") && !shown.contains("s3cret-signing"),
        "{shown}"
    );
    assert_eq!(
        config
            .redactor
            .redact("POST /services/T1/B2/abcdefgh12345678 failed"),
        "POST [redacted] failed"
    );

    let defaults = load_str(&format!("{HEAD}{GATE}"), Path::new("t.toml")).unwrap();
    let alerts = &defaults.raw.alerts;
    assert!(alerts.bell && alerts.webhook_url.is_none());
    assert_eq!(alerts.format, Format::Json);
    assert_eq!(alerts.min_severity, Severity::Warning);
    assert_eq!(alerts.group_for, Duration::from_secs(120));
}

#[test]
fn a_plain_path_is_not_a_secret_and_basic_auth_is() {
    let text = format!(
        "{HEAD}[alerts]\nwebhook_url = \"https://pager:pa%24s-w0rd@ops.example.com/alerts\"\n{GATE}"
    );
    let config = load_str(&text, Path::new("t.toml")).unwrap();
    assert_eq!(
        config.redactor.redact("3 alerts raised"),
        "3 alerts raised",
        "a plain word in the path is left in every message"
    );
    let basic = base64_basic("pager", "pa$s-w0rd");
    let echoed = format!("you sent Authorization: Basic {basic} and pa$s-w0rd");
    let shown = config.redactor.redact(&echoed);
    assert!(
        !shown.contains(&basic) && !shown.contains("pa$s-w0rd"),
        "{shown}"
    );
}

fn base64_basic(user: &str, password: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
}

#[test]
fn bad_values_name_their_key_and_line() {
    let p = problems("format = \"teams\"\n");
    assert!(p.contains("t.toml:5:") && p.contains("teams"), "{p}");
    let p = problems("min_severity = \"loud\"\n");
    assert!(p.contains("t.toml:5:") && p.contains("loud"), "{p}");
    let p = problems("group_for = \"soon\"\n");
    assert!(p.contains("t.toml:5:") && p.contains("group_for"), "{p}");
    let p = problems("group_for = \"3h\"\n");
    assert!(p.contains("longest window"), "{p}");
    let p = problems("colour = \"red\"\n");
    assert!(p.contains("colour"), "{p}");
}

#[test]
fn a_bad_webhook_url_is_refused_without_being_shown() {
    let p = problems("bell = true\nwebhook_url = \"hooks.example.com/T0KENPATH99\"\n");
    assert!(
        p.contains("t.toml:6:") && p.contains("webhook_url is not a URL"),
        "{p}"
    );
    assert!(!p.contains("T0KENPATH99"), "{p}");
    let p = problems("webhook_url = \"ftp://h/T0KENPATH99\"\n");
    assert!(
        p.contains("must be an http(s) URL") && !p.contains("T0KENPATH99"),
        "{p}"
    );
    let p = problems("webhook_url = \"https://h/x\"\nsigning_secret = \"\"\n");
    assert!(
        p.contains("t.toml:6:") && p.contains("signing_secret is empty"),
        "{p}"
    );
}
