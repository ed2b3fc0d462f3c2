//! Every way a `send_cmd` can end, through real processes (sh scripts and the real msmtp to the
//! aiosmtpd server), and the state it leaves: a reply printed on stderr decides only when the
//! command exited; killed by a signal after the message was all written is `unknown` whatever it
//! printed; exit 0 is `sent` as soon as it exited, even with a child holding its stdout; and a
//! lease that ran out while the message was being written stops the command before its stdin
//! is closed, so it never sends.

mod support;

use gonogo::invite::lease::{Lease, LeaseTerms, boot_clock};
use gonogo::invite::send_cmd::run_command;
use std::time::{Duration, Instant};
use support::smtp::{Rule, SmtpServer};

const MESSAGE: &[u8] = b"From: a@veza.fr\r\nTo: user@example.org\r\nSubject: hi\r\nMessage-ID: <c1@veza.fr>\r\n\r\nhello\r\n";
const TEMP: &str = "echo 'msmtp: server message: 451 4.3.0 try later' >&2";
const PERM: &str = "echo 'msmtp: server message: 550 5.1.1 no such user' >&2";

fn sh(script: &str) -> Vec<String> {
    vec!["sh".into(), "-c".into(), script.into()]
}

/// A message larger than a pipe holds, so writing it waits for the command to read.
fn big_message() -> Vec<u8> {
    let mut bytes = MESSAGE.to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 400_000));
    bytes
}

#[tokio::test]
async fn every_way_a_command_ends_leaves_one_state() {
    let lease = Lease::unbounded();
    let big = big_message();
    // (script, the message, timeout, expected state)
    let table: Vec<(String, &[u8], u64, &str)> = vec![
        ("cat >/dev/null; exit 0".into(), MESSAGE, 10, "sent"),
        (
            format!("cat >/dev/null; {TEMP}; exit 0"),
            MESSAGE,
            10,
            "sent",
        ),
        (
            format!("cat >/dev/null; {TEMP}; exit 69"),
            MESSAGE,
            10,
            "prepared",
        ),
        (
            format!("cat >/dev/null; {PERM}; exit 69"),
            MESSAGE,
            10,
            "failed",
        ),
        ("cat >/dev/null; exit 69".into(), MESSAGE, 10, "unknown"),
        ("cat >/dev/null; exit 75".into(), MESSAGE, 10, "prepared"),
        ("cat >/dev/null; exit 67".into(), MESSAGE, 10, "failed"),
        ("cat >/dev/null; exit 76".into(), MESSAGE, 10, "unknown"),
        ("exit 78".into(), MESSAGE, 10, "prepared"),
        // Printed a temporary refusal, delivered anyway (a relay fallback), then killed.
        (
            format!("cat >/dev/null; {TEMP}; kill -9 $$"),
            MESSAGE,
            10,
            "unknown",
        ),
        (
            format!("cat >/dev/null; {PERM}; kill -TERM $$"),
            MESSAGE,
            10,
            "unknown",
        ),
        // Killed before it read the message: nothing handed over.
        ("kill -9 $$".into(), &big, 10, "prepared"),
        // Timed out after reading it / before reading it.
        ("cat >/dev/null; sleep 30".into(), MESSAGE, 1, "unknown"),
        ("sleep 30".into(), &big, 1, "prepared"),
    ];
    for (script, bytes, timeout, state) in &table {
        let outcome = run_command(&sh(script), bytes, Duration::from_secs(*timeout), &lease).await;
        assert_eq!(outcome.state(), *state, "{script}: {outcome:?}");
    }
    let missing = vec!["/nonexistent/sendmail".to_owned()];
    let outcome = run_command(&missing, MESSAGE, Duration::from_secs(5), &lease).await;
    assert_eq!(outcome.state(), "prepared", "{outcome:?}");
}

#[tokio::test]
async fn exit_zero_is_sent_once_it_exited_even_with_a_child_holding_its_output() {
    let started = Instant::now();
    let outcome = run_command(
        &sh("cat >/dev/null; (sleep 30 &); exit 0"),
        MESSAGE,
        Duration::from_secs(20),
        &Lease::unbounded(),
    )
    .await;
    assert_eq!(outcome.state(), "sent", "{outcome:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "waited {:?} for the child's output",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_real_msmtp_through_the_table() {
    let server = SmtpServer::start(&[
        ("later@example.org", Rule::Rcpt451),
        ("gone@example.org", Rule::Rcpt550),
    ]);
    let argv: Vec<String> = server
        .msmtp_cmd()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let lease = Lease::unbounded();
    for (to, state) in [
        ("user@example.org", "sent"),
        ("later@example.org", "prepared"),
        ("gone@example.org", "failed"),
    ] {
        let text = String::from_utf8_lossy(MESSAGE).replace("user@example.org", to);
        let outcome = run_command(&argv, text.as_bytes(), Duration::from_secs(20), &lease).await;
        assert_eq!(outcome.state(), state, "{to}: {outcome:?}");
    }
    assert_eq!(server.received_count(), 1);
}

/// The lease runs out while the command is slow to read the message: it is killed with its
/// stdin still open, so it never saw the end of the message and wrote nothing.
#[tokio::test]
async fn a_lease_that_runs_out_mid_write_stops_the_command_before_eof() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("delivered");
    let script = format!(
        "sleep 1.2; cat > '{0}.part' && mv '{0}.part' '{0}'",
        out.display()
    );
    let terms = LeaseTerms {
        lease: Duration::from_secs(1),
        margin: Duration::from_millis(300),
    };
    let short = Lease::granted(terms, boot_clock());
    let outcome = run_command(
        &sh(&script),
        &big_message(),
        Duration::from_secs(20),
        &short,
    )
    .await;
    assert_eq!(outcome.state(), "prepared", "{outcome:?}");
    assert!(
        outcome.detail().contains("before its stdin was closed"),
        "{outcome:?}"
    );
    assert!(!out.exists(), "the command saw the end of its input");
    // The same with a lease renewed in time delivers.
    let fresh = Lease::granted(
        LeaseTerms {
            lease: Duration::from_secs(60),
            margin: Duration::from_secs(1),
        },
        boot_clock(),
    );
    let outcome = run_command(
        &sh(&script),
        &big_message(),
        Duration::from_secs(20),
        &fresh,
    )
    .await;
    assert_eq!(outcome.state(), "sent", "{outcome:?}");
    assert!(out.exists());
}
