//! The rehearsal's in-process SMTP server (`gonogo::demo::smtp`) driven by real clients —
//! lettre's SMTP transport and Debian's msmtp — and by garbage: accepted, refused for a while
//! then accepted, refused for good, hung up on after DATA, bounded, and still standing.

mod support;

use gonogo::demo::smtp::{self, DemoSmtp, DemoSmtpLimits, DemoSmtpScript};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::client::AsyncSmtpConnection;
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::response::Response;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::{Duration, Instant};
use support::smtp::{run_send_cmd, write_msmtprc};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const WAIT: Duration = Duration::from_secs(10);

fn invitation(to: &str, id: &str, text: String) -> Message {
    Message::builder()
        .from("Veza Beta <beta@veza.fr>".parse::<Mailbox>().expect("from"))
        .to(to.parse::<Mailbox>().expect("to"))
        .subject("Your invitation")
        .message_id(Some(format!("<{id}@veza.fr>")))
        .multipart(MultiPart::alternative_plain_html(
            text,
            "<p>Welcome</p>".to_owned(),
        ))
        .expect("build the message")
}

fn message(to: &str, id: &str) -> Message {
    invitation(to, id, "Welcome\n..two dots\n.\n".to_owned())
}

async fn send(
    server: &DemoSmtp,
    message: Message,
) -> Result<Response, lettre::transport::smtp::Error> {
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(server.addr().port())
        .timeout(Some(WAIT))
        .build()
        .send(message)
        .await
}

#[tokio::test]
async fn a_message_is_accepted_and_recorded() {
    let server = smtp::start(DemoSmtpScript::new()).await.expect("start");
    assert_eq!(
        server.url(),
        format!("smtp://127.0.0.1:{}", server.addr().port())
    );
    let sent = message("ada@example.org", "A1");
    let response = send(&server, sent.clone()).await.expect("accepted");
    assert_eq!(u16::from(response.code()), 250);
    let line = response.first_line().unwrap_or_default();
    assert!(line.starts_with("2.0.0 Ok: queued as "), "{line}");
    assert_eq!(server.received_count(), 1);
    let received = server.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].rcpt, "ada@example.org");
    assert_eq!(received[0].message_id.as_deref(), Some("A1@veza.fr"));
    // Dot-unstuffed: exactly the bytes lettre was given, plus the CRLF it adds before the dot.
    assert_eq!(received[0].bytes_len, sent.formatted().len() + 2);
}

#[tokio::test]
async fn a_temporary_refusal_gives_way_after_the_scripted_count() {
    let script = DemoSmtpScript::new().refuse_temporarily("Busy@Example.org", 2);
    let server = smtp::start(script).await.expect("start");
    let sent = message("busy@example.org", "B1");
    for attempt in 1..=2 {
        let error = send(&server, sent.clone()).await.unwrap_err();
        assert!(error.is_transient(), "attempt {attempt}: {error}");
        assert_eq!(error.status().map(u16::from), Some(451));
    }
    send(&server, sent)
        .await
        .expect("accepted on the third attempt");
    assert_eq!(server.received_count(), 1);
}

#[tokio::test]
async fn a_permanent_refusal_stays_and_nothing_is_taken() {
    let server = smtp::start(DemoSmtpScript::new().refuse_permanently("gone@example.org"))
        .await
        .expect("start");
    for _ in 0..2 {
        let error = send(&server, message("gone@example.org", "G1"))
            .await
            .unwrap_err();
        assert!(error.is_permanent(), "{error}");
        assert_eq!(error.status().map(u16::from), Some(550));
    }
    assert_eq!(server.received_count(), 0);
    send(&server, message("ada@example.org", "A2"))
        .await
        .expect("others still accepted");
}

#[tokio::test]
async fn a_hang_up_after_data_leaves_the_client_in_doubt_but_the_server_took_it() {
    let server = smtp::start(DemoSmtpScript::new().drop_after_data("doubt@example.org"))
        .await
        .expect("start");
    let error = send(&server, message("doubt@example.org", "D1"))
        .await
        .unwrap_err();
    assert!(!error.is_transient() && !error.is_permanent(), "{error}");
    assert_eq!(error.status(), None, "no SMTP reply: {error}");
    assert_eq!(server.received_count(), 1, "the server counted it received");
    assert_eq!(
        server.received()[0].message_id.as_deref(),
        Some("D1@veza.fr")
    );
    send(&server, message("ada@example.org", "A3"))
        .await
        .expect("the server goes on");
    assert_eq!(server.received_count(), 2);
}

#[tokio::test]
async fn a_message_over_the_size_cap_is_refused_with_552() {
    let server = smtp::start(DemoSmtpScript::new()).await.expect("start");
    let big = "a line of an oversized invitation\n".repeat(40_000);
    let error = send(&server, invitation("ada@example.org", "BIG", big))
        .await
        .unwrap_err();
    assert!(error.is_permanent(), "{error}");
    assert_eq!(error.status().map(u16::from), Some(552));
    assert_eq!(server.received_count(), 0);
}

async fn garbage_session(server: &DemoSmtp, input: &[u8]) -> String {
    let mut stream = TcpStream::connect(server.addr()).await.expect("connect");
    let (mut read, mut write) = stream.split();
    let mut out = Vec::new();
    let writing = async {
        let _ = write.write_all(input).await;
        let _ = write.shutdown().await;
    };
    let reading = read.read_to_end(&mut out);
    let ended = tokio::time::timeout(WAIT, async { tokio::join!(writing, reading) }).await;
    assert!(ended.is_ok(), "the server did not end a garbage session");
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn garbage_gets_replies_or_a_closed_connection_and_the_server_stands() {
    let server = smtp::start(DemoSmtpScript::new()).await.expect("start");
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut noise = vec![0u8; 64 * 1024];
    for byte in noise.iter_mut() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        *byte = seed as u8;
    }
    let long_line = vec![b'A'; 200 * 1024];
    let inputs: Vec<Vec<u8>> = vec![
        noise,
        long_line,
        b"\0\0\0\r\n\x1b[31mEHLO\r\n\r\n\n\n".to_vec(),
        b"EHLO x\r\nMAIL FROM:<\xff@\xfe>\r\nRCPT TO:<a@b>\r\nDATA\r\nSubject: cut".to_vec(),
        b"EHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<a@b>\r\nDATA\r\n\r\n.\r\n".to_vec(),
    ];
    for input in &inputs {
        let out = garbage_session(&server, input).await;
        assert!(out.starts_with("220 "), "{out:?}");
    }
    // Only the last one was a complete message (empty, with the null sender).
    assert_eq!(server.received_count(), 1);
    send(&server, message("ada@example.org", "A4"))
        .await
        .expect("still accepting");
}

#[tokio::test]
async fn connections_beyond_the_cap_are_told_421() {
    let limits = DemoSmtpLimits {
        max_connections: 2,
        ..DemoSmtpLimits::default()
    };
    let server = smtp::start_with(DemoSmtpScript::new(), limits)
        .await
        .expect("start");
    let mut open = Vec::new();
    for _ in 0..2 {
        let mut reader = BufReader::new(TcpStream::connect(server.addr()).await.expect("connect"));
        let mut greeting = String::new();
        reader.read_line(&mut greeting).await.expect("greeting");
        assert!(greeting.starts_with("220 "), "{greeting}");
        open.push(reader);
    }
    let mut third = BufReader::new(TcpStream::connect(server.addr()).await.expect("connect"));
    let mut line = String::new();
    tokio::time::timeout(WAIT, third.read_line(&mut line))
        .await
        .expect("a prompt answer")
        .expect("read");
    assert!(line.starts_with("421 4.7.0"), "{line}");
    drop(open);
    // The permits come back when the sessions end (the server sees them end a moment later).
    let started = Instant::now();
    while let Err(e) = send(&server, message("ada@example.org", "A5")).await {
        assert!(started.elapsed() < WAIT, "never accepted again: {e}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(server.received_count(), 1);
}

#[tokio::test]
async fn dropping_the_server_stops_listening() {
    let server = smtp::start(DemoSmtpScript::new()).await.expect("start");
    let addr = server.addr();
    drop(server);
    let started = Instant::now();
    while TcpStream::connect(addr).await.is_ok() {
        assert!(started.elapsed() < WAIT, "still listening after drop");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn msmtp_talks_to_it_with_the_same_exit_codes_as_a_real_server() {
    let script = DemoSmtpScript::new()
        .refuse_temporarily("busy@example.org", 1)
        .refuse_permanently("gone@example.org")
        .drop_after_data("doubt@example.org");
    let server = smtp::start(script).await.expect("start");
    let dir = tempfile::tempdir().expect("temp dir");
    let cmd = write_msmtprc(dir.path(), server.addr().port(), Some(WAIT));
    let msmtp = |to: &'static str| {
        let cmd = cmd.clone();
        tokio::task::spawn_blocking(move || run_send_cmd(&cmd, &message(to, "M").formatted()))
    };
    let ok = msmtp("ada@example.org").await.expect("msmtp");
    assert_eq!(ok.exit, Some(0), "{ok:?}");
    let busy = msmtp("busy@example.org").await.expect("msmtp");
    assert_eq!(busy.exit, Some(69), "{busy:?}");
    assert!(
        busy.stderr.contains("msmtp: server message: 451 4.3.0"),
        "{busy:?}"
    );
    assert_eq!(
        msmtp("busy@example.org").await.expect("msmtp").exit,
        Some(0)
    );
    let gone = msmtp("gone@example.org").await.expect("msmtp");
    assert_eq!(gone.exit, Some(65), "{gone:?}");
    assert!(
        gone.stderr.contains("msmtp: server message: 550 5.1.1"),
        "{gone:?}"
    );
    let doubt = msmtp("doubt@example.org").await.expect("msmtp");
    assert_eq!(doubt.exit, Some(76), "{doubt:?}");
    assert!(
        doubt.stderr.contains("the server sent an empty reply"),
        "{doubt:?}"
    );
    let rcpts: Vec<String> = server.received().into_iter().map(|m| m.rcpt).collect();
    assert_eq!(
        rcpts,
        ["ada@example.org", "busy@example.org", "doubt@example.org"]
    );
}

#[tokio::test]
async fn thousands_of_messages_a_second_on_a_reused_connection() {
    let server = smtp::start(DemoSmtpScript::new()).await.expect("start");
    let socket = TcpStream::connect(server.addr()).await.expect("connect");
    // lettre never sets TCP_NODELAY; without it every message waits ~40 ms for a delayed ACK.
    socket.set_nodelay(true).expect("TCP_NODELAY");
    let client = ClientId::Domain("demo.local".into());
    let mut connection = AsyncSmtpConnection::connect_with_transport(Box::new(socket), &client)
        .await
        .expect("greeting and EHLO");
    let count: u32 = 3000;
    let messages: Vec<(lettre::address::Envelope, Vec<u8>)> = (0..count)
        .map(|i| {
            let m = message(&format!("r{i}@example.org"), &format!("T{i}"));
            (m.envelope().clone(), m.formatted())
        })
        .collect();
    let started = Instant::now();
    for (envelope, bytes) in &messages {
        connection.send(envelope, bytes).await.expect("accepted");
    }
    let elapsed = started.elapsed();
    let rate = f64::from(count) / elapsed.as_secs_f64();
    println!("rehearsal SMTP server: {count} messages in {elapsed:?} = {rate:.0} msg/s");
    assert_eq!(server.received_count(), u64::from(count));
    assert!(rate > 500.0, "{rate:.0} msg/s");
}
