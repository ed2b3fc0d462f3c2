//! The rehearsal SMTP session fed byte streams directly (no sockets): conversations, limits,
//! and arbitrary garbage, which must always end without a panic.

use super::super::{DemoSmtpLimits, DemoSmtpScript, Shared};
use super::{message_id, serve};
use proptest::prelude::*;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn limits() -> DemoSmtpLimits {
    DemoSmtpLimits {
        max_message_bytes: 2048,
        max_line_bytes: 256,
        idle_timeout: Duration::from_millis(500),
        ..DemoSmtpLimits::default()
    }
}

/// Plays `input` to a session (then closes the client's side) and returns everything it said.
async fn converse(shared: &Shared, input: &[u8]) -> String {
    let (client, server) = tokio::io::duplex(64 * 1024);
    let (mut from_server, mut to_server) = tokio::io::split(client);
    let session = serve(server, shared);
    let send = async {
        let _ = to_server.write_all(input).await;
        let _ = to_server.shutdown().await;
    };
    let mut out = Vec::new();
    let read = from_server.read_to_end(&mut out);
    let ((), (), read) = tokio::time::timeout(Duration::from_secs(10), async {
        tokio::join!(session, send, read)
    })
    .await
    .expect("the session ended");
    read.expect("read the replies");
    String::from_utf8(out).expect("replies are UTF-8")
}

fn codes(transcript: &str) -> Vec<&str> {
    transcript
        .split("\r\n")
        .filter(|l| l.len() >= 4 && l.as_bytes()[3] == b' ')
        .map(|l| &l[..3])
        .collect()
}

#[tokio::test]
async fn a_whole_conversation_with_dot_unstuffing_and_crlf() {
    let shared = Shared::new(DemoSmtpScript::new(), limits());
    let input =
        b"EHLO client\r\nMAIL FROM:<a@veza.fr> BODY=8BITMIME\r\nRCPT TO:<b@veza.fr>\r\nDATA\r\n\
        Message-ID:\r\n <m1@veza.fr>\r\nSubject: x\r\n\r\n..leading dot\r\n.\r\nQUIT\r\n";
    let out = converse(&shared, input).await;
    assert_eq!(
        codes(&out),
        ["220", "250", "250", "250", "354", "250", "221"],
        "{out}"
    );
    assert!(out.contains("250-8BITMIME\r\n250-SMTPUTF8\r\n"), "{out}");
    let received = shared.received.lock().expect("lock").clone();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].rcpt, "b@veza.fr");
    assert_eq!(received[0].message_id.as_deref(), Some("m1@veza.fr"));
    let message = "Message-ID:\r\n <m1@veza.fr>\r\nSubject: x\r\n\r\n.leading dot\r\n";
    assert_eq!(received[0].bytes_len, message.len());
}

#[tokio::test]
async fn bare_lf_lines_and_lowercase_commands_are_understood() {
    let shared = Shared::new(DemoSmtpScript::new(), limits());
    let input = b"helo c\nmail from: <a@x>\nrcpt to:<b@x>\ndata\nSubject: y\n\nhi\n.\nquit\n";
    let out = converse(&shared, input).await;
    assert_eq!(
        codes(&out),
        ["220", "250", "250", "250", "354", "250", "221"],
        "{out}"
    );
}

#[tokio::test]
async fn commands_out_of_order_and_unknown_ones_are_refused() {
    let shared = Shared::new(DemoSmtpScript::new(), limits());
    let input = b"MAIL FROM:<a@x>\r\nEHLO c\r\nRCPT TO:<b@x>\r\nDATA\r\nVRFY b\r\nSTARTTLS\r\n\
        MAIL FROM:a@x\r\nMAIL FROM:<a@x>\r\nMAIL FROM:<a@x>\r\nRCPT TO:<>\r\nRSET\r\nNOOP\r\n\r\nQUIT\r\n";
    let out = converse(&shared, input).await;
    assert_eq!(
        codes(&out),
        [
            "220", "503", "250", "503", "503", "502", "502", "501", "250", "503", "501", "250",
            "250", "500", "221"
        ],
        "{out}"
    );
}

#[tokio::test]
async fn limits_give_their_replies() {
    let shared = Shared::new(DemoSmtpScript::new(), limits());
    let long = "x".repeat(300);
    let big = "y".repeat(200);
    let mut input = format!("EHLO c\r\nNOOP {long}\r\nMAIL FROM:<a@x> SIZE=999999\r\n");
    input.push_str("MAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\n");
    for _ in 0..20 {
        input.push_str(&big);
        input.push_str("\r\n");
    }
    input.push_str(".\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\n");
    input.push_str(&long);
    input.push_str("\r\n.\r\n");
    let out = converse(&shared, input.as_bytes()).await;
    assert_eq!(
        codes(&out),
        [
            "220", "250", "500", "552", "250", "250", "354", "552", "250", "250", "354", "500"
        ],
        "{out}"
    );
    assert!(shared.received.lock().expect("lock").is_empty());
}

#[tokio::test]
async fn a_silent_client_is_closed_after_the_idle_timeout() {
    let shared = Shared::new(DemoSmtpScript::new(), limits());
    let (mut client, server) = tokio::io::duplex(1024);
    let session = tokio::time::timeout(Duration::from_secs(5), serve(server, &shared));
    let (ended, _) = tokio::join!(session, client.write_all(b"EHLO c\r\n"));
    assert!(ended.is_ok(), "the session outlived its idle timeout");
    let mut out = Vec::new();
    let _ = client.read_to_end(&mut out).await;
    assert!(String::from_utf8_lossy(&out).contains("421 4.4.2"));
}

#[tokio::test]
async fn a_client_that_never_reads_its_replies_is_given_up_on() {
    let shared = Shared::new(DemoSmtpScript::new(), limits());
    let (mut client, server) = tokio::io::duplex(64);
    let session = tokio::time::timeout(Duration::from_secs(5), serve(server, &shared));
    let flood = async {
        for _ in 0..10_000 {
            if client.write_all(b"NOOP\r\n").await.is_err() {
                return;
            }
        }
    };
    let (ended, ()) = tokio::join!(session, flood);
    assert!(
        ended.is_ok(),
        "the session waited forever on a client that does not read"
    );
}

#[tokio::test]
async fn too_many_errors_close_the_connection() {
    let shared = Shared::new(DemoSmtpScript::new(), limits());
    let out = converse(&shared, "BOGUS\r\n".repeat(50).as_bytes()).await;
    assert_eq!(codes(&out).last(), Some(&"421"), "{out}");
    assert_eq!(codes(&out).len(), 1 + 21);
}

#[test]
fn message_ids_are_found_unfolded_and_cleaned() {
    assert_eq!(
        message_id(b"Subject: a\r\nmessage-id: <x@y>\r\n\r\n").as_deref(),
        Some("x@y")
    );
    assert_eq!(
        message_id(b"Message-ID: <a\x1b[31m@y>\r\n").as_deref(),
        Some("a\u{FFFD}[31m@y")
    );
    assert_eq!(message_id(b"Subject: none\r\n"), None);
    assert_eq!(message_id(b"Message-ID: <>\r\n"), None);
}

fn smtp_ish() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just(b"EHLO x\r\n".to_vec()),
        Just(b"MAIL FROM:<a@b>\r\n".to_vec()),
        Just(b"RCPT TO:<c@d>\r\n".to_vec()),
        Just(b"DATA\r\n".to_vec()),
        Just(b".\r\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"RCPT TO:<\xff\xfe>\r\n".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..300),
    ];
    proptest::collection::vec(token, 0..40).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    #[test]
    fn any_input_ends_without_a_panic(input in smtp_ish()) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let shared = Shared::new(DemoSmtpScript::new().drop_after_data("c@d"), limits());
        let out = runtime.block_on(converse(&shared, &input));
        prop_assert!(out.starts_with("220 "));
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            let code = line.get(..3).unwrap_or_default();
            prop_assert!(code.bytes().all(|b| b.is_ascii_digit()), "bad reply line {:?}", line);
        }
    }
}
