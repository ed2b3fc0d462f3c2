//! One recipient's `.eml`: built by lettre (typed headers, so a name or label with CR/LF can
//! never add or bend a header), multipart/alternative with the text and HTML parts; stored
//! without its `Date:`, which is added when it is handed over (see [`on_the_wire`]).

use super::template::Rendered;
use lettre::Message;
use lettre::message::{Mailbox, MultiPart};
use std::time::SystemTime;

#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    #[error("`{0}` is not an address a message can go to")]
    BadRecipient(String),
    #[error("[invites] {key}: `{value}` is not an address like \"Name <beta@example.org>\"")]
    BadSender { key: &'static str, value: String },
    #[error("cannot build the message: {0}")]
    Build(String),
}

/// The sender side, parsed once per run.
#[derive(Debug, Clone)]
pub struct Sender {
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
}

impl Sender {
    pub fn parse(from: &str, reply_to: Option<&str>) -> Result<Sender, MessageError> {
        let from = from
            .parse::<Mailbox>()
            .map_err(|_| MessageError::BadSender {
                key: "from",
                value: crate::text::sanitize_short(from, 80),
            })?;
        let reply_to = reply_to
            .map(|r| {
                r.parse::<Mailbox>().map_err(|_| MessageError::BadSender {
                    key: "reply_to",
                    value: crate::text::sanitize_short(r, 80),
                })
            })
            .transpose()?;
        Ok(Sender { from, reply_to })
    }

    /// `<uuid@sender-domain>`: unique, and under the domain the message claims to be from.
    pub fn new_message_id(&self) -> String {
        format!("<{}@{}>", uuid::Uuid::new_v4(), self.from.email.domain())
    }
}

/// The recipient as the message addresses them. The name is cleaned of control characters
/// and cut to [`crate::cohort::MAX_NAME_CHARS`] before lettre encodes (and folds) it.
pub fn recipient(email: &str, name: Option<&str>) -> Result<Mailbox, MessageError> {
    let address = email
        .trim()
        .parse()
        .map_err(|_| MessageError::BadRecipient(crate::text::sanitize_short(email, 80)))?;
    let name = name.map(cap_name).filter(|n| !n.is_empty());
    Ok(Mailbox::new(name, address))
}

/// A name as a message uses it: control characters stripped, trimmed, at most
/// [`crate::cohort::MAX_NAME_CHARS`] characters (the cohort review reports a longer one).
pub fn cap_name(name: &str) -> String {
    let clean = crate::text::sanitize(name);
    clean
        .trim()
        .chars()
        .take(crate::cohort::MAX_NAME_CHARS)
        .collect::<String>()
        .trim_end()
        .to_owned()
}

/// The exact bytes that go out, every attempt the same.
pub fn build(
    sender: &Sender,
    to: Mailbox,
    rendered: &Rendered,
    message_id: &str,
    date: SystemTime,
) -> Result<Vec<u8>, MessageError> {
    let mut builder = Message::builder()
        .from(sender.from.clone())
        .to(to)
        .subject(rendered.subject.clone())
        .date(date)
        .message_id(Some(message_id.to_owned()));
    if let Some(reply_to) = &sender.reply_to {
        builder = builder.reply_to(reply_to.clone());
    }
    let message = builder
        .multipart(MultiPart::alternative_plain_html(
            rendered.text.clone(),
            rendered.html.clone(),
        ))
        .map_err(|e| MessageError::Build(e.to_string()))?;
    Ok(message.formatted())
}

/// The bytes `invites prepare` stores: [`build`]'s without the `Date:` header, which says
/// when the message was handed over, not when it was prepared.
pub fn build_stored(
    sender: &Sender,
    to: Mailbox,
    rendered: &Rendered,
    message_id: &str,
) -> Result<Vec<u8>, MessageError> {
    let bytes = build(sender, to, rendered, message_id, SystemTime::now())?;
    Ok(without_date(&bytes))
}

/// The header block's lines (continuations kept with their header), and where the body starts.
fn head_of(bytes: &[u8]) -> (&[u8], &[u8]) {
    match bytes.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(end) => (&bytes[..end + 2], &bytes[end + 2..]),
        None => (bytes, &[]),
    }
}

fn is_date_line(line: &[u8]) -> bool {
    line.len() >= 5 && line[..5].eq_ignore_ascii_case(b"date:")
}

fn without_date(bytes: &[u8]) -> Vec<u8> {
    let (head, body) = head_of(bytes);
    let mut out = Vec::with_capacity(bytes.len());
    let mut skipping = false;
    for line in head.split_inclusive(|b| *b == b'\n') {
        let continued = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
        skipping = if continued {
            skipping
        } else {
            is_date_line(line)
        };
        if !skipping {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(body);
    out
}

/// Whether the stored header block already has a `Date:` (written by an older prepare).
pub fn has_date(bytes: &[u8]) -> bool {
    let (head, _) = head_of(bytes);
    head.split(|b| *b == b'\n').any(is_date_line)
}

/// What goes out: the stored bytes with `Date: wire_date` first. The ledger sets that date at
/// the message's first claim and keeps it, so every attempt hands over the same bytes; the
/// stored file (whose SHA-256 guards it) is never rewritten. A file that has its own `Date:`
/// goes as it is.
pub fn on_the_wire(stored: &[u8], wire_date: chrono::DateTime<chrono::Utc>) -> Vec<u8> {
    if has_date(stored) {
        return stored.to_vec();
    }
    let mut out = format!("Date: {}\r\n", wire_date.to_rfc2822()).into_bytes();
    out.extend_from_slice(stored);
    out
}

/// How a stored message is shown.
#[derive(Debug, Clone, Copy, Default)]
pub struct PreviewOptions {
    /// The HTML part instead of the text part.
    pub html: bool,
    /// The headers as they are on the wire (encoded words, folded lines), not decoded.
    pub raw: bool,
    /// The `Date:` it goes out with, once its first claim set it.
    pub wire_date: Option<chrono::DateTime<chrono::Utc>>,
}

/// A stored message as `invites preview` and the cockpit show it: the headers decoded
/// (`=?utf-8?b?…?=` as the text it is; the raw block with `raw`), the `Date:` it goes (or
/// went) out with, then the text part (or the HTML part), cleaned of control characters.
pub fn preview(bytes: &[u8], options: PreviewOptions) -> Option<String> {
    let wire = match options.wire_date {
        Some(date) => on_the_wire(bytes, date),
        None => bytes.to_vec(),
    };
    let parsed = mail_parser::MessageParser::default().parse(&wire)?;
    let body = if options.html {
        parsed.body_html(0)?
    } else {
        parsed.body_text(0)?
    };
    let mut head = if options.raw {
        let (head, _) = head_of(&wire);
        String::from_utf8_lossy(head).replace("\r\n", "\n")
    } else {
        decoded_headers(&parsed, &wire)
    };
    if !has_date(&wire) {
        head.push_str("Date: (set when it is first handed over)\n");
    }
    let head = crate::text::sanitize_lines(head.trim_end());
    let body = crate::text::sanitize_lines(&body.replace("\r\n", "\n"));
    Some(format!("{head}\n\n{body}\n"))
}

/// Each header on one line, its value decoded: addresses as `Name <address>`, text as text;
/// a header of another kind as written, unfolded.
fn decoded_headers(parsed: &mail_parser::Message<'_>, wire: &[u8]) -> String {
    use mail_parser::{Address, HeaderValue};
    let addr = |a: &mail_parser::Addr<'_>| match (&a.name, &a.address) {
        (Some(name), Some(address)) => format!("{name} <{address}>"),
        (None, Some(address)) => address.to_string(),
        (Some(name), None) => name.to_string(),
        (None, None) => String::new(),
    };
    let mut out = String::new();
    for header in parsed.headers() {
        let value = match &header.value {
            HeaderValue::Text(text) => text.to_string(),
            HeaderValue::TextList(list) => list.join(", "),
            HeaderValue::Address(Address::List(list)) => {
                list.iter().map(addr).collect::<Vec<_>>().join(", ")
            }
            HeaderValue::DateTime(date) => date.to_rfc822(),
            _ => {
                let (from, to) = (header.offset_start as usize, header.offset_end as usize);
                let raw = wire.get(from..to).unwrap_or_default();
                String::from_utf8_lossy(raw)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            }
        };
        out.push_str(&format!("{}: {value}\n", header.name.as_str()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(subject: &str) -> Rendered {
        Rendered {
            subject: subject.into(),
            text: "text part".into(),
            html: "<p>html part</p>".into(),
            signup_url: "https://x.test".into(),
        }
    }

    fn headers(bytes: &[u8]) -> Vec<String> {
        let text = String::from_utf8_lossy(bytes);
        let head = text.split("\r\n\r\n").next().unwrap_or_default().to_owned();
        // Unfold continuation lines: a header is what starts a line.
        head.split("\r\n")
            .filter(|l| !l.starts_with(' ') && !l.starts_with('\t'))
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn a_hostile_name_cannot_add_a_header() {
        let sender = Sender::parse("Veza <beta@veza.fr>", Some("ops@veza.fr")).unwrap();
        let to = recipient(
            "ana@example.org",
            Some("Ana\r\nBcc: victim@evil.test\r\nX-Injected: 1"),
        )
        .unwrap();
        let bytes = build(
            &sender,
            to,
            &rendered("Hi\r\nBcc: other@evil.test"),
            &sender.new_message_id(),
            SystemTime::now(),
        )
        .unwrap();
        let names: Vec<String> = headers(&bytes)
            .iter()
            .filter_map(|h| h.split(':').next().map(|n| n.to_ascii_lowercase()))
            .collect();
        assert!(
            !names.iter().any(|n| n == "bcc" || n == "x-injected"),
            "{names:?}"
        );
        for expected in ["from", "reply-to", "to", "subject", "date", "message-id"] {
            assert!(
                names.iter().any(|n| n == expected),
                "no {expected}: {names:?}"
            );
        }
    }

    /// Every header line of a built message, as it is on the wire (continuations apart).
    fn header_lines(bytes: &[u8]) -> Vec<String> {
        let text = String::from_utf8_lossy(bytes);
        let head = text.split("\r\n\r\n").next().unwrap_or_default().to_owned();
        head.split("\r\n").map(str::to_owned).collect()
    }

    #[test]
    fn long_names_are_cut_and_every_header_line_fits() {
        let sender = Sender::parse("Veza <beta@veza.fr>", None).unwrap();
        let names = [
            "Ana ".repeat(5_000),
            "é".repeat(20_000),
            "x".repeat(20_000),
            "Zoë Ångström-Øre ".repeat(400),
            "日本語の名前".repeat(3_000),
        ];
        for name in &names {
            let to = recipient("ana@example.org", Some(name)).unwrap();
            let shown = to.name.clone().unwrap_or_default();
            assert!(shown.chars().count() <= crate::cohort::MAX_NAME_CHARS);
            let subject = format!("Welcome to the beta, {shown}");
            let bytes = build(
                &sender,
                to,
                &rendered(&subject),
                &sender.new_message_id(),
                SystemTime::now(),
            )
            .unwrap();
            for line in header_lines(&bytes) {
                assert!(line.len() <= 998, "{} octets: {line}", line.len());
                // Encoded words are folded by lettre to the recommended 78.
                if line.contains("=?utf-8?") {
                    assert!(line.len() <= 78, "{} octets: {line}", line.len());
                }
            }
            let parsed = mail_parser::MessageParser::default().parse(&bytes).unwrap();
            let to_name = parsed.to().and_then(|a| a.first()).and_then(|a| a.name());
            assert_eq!(to_name.map(str::trim), Some(shown.trim()), "{name:.20}");
        }
    }

    #[test]
    fn stored_bytes_have_no_date_and_every_attempt_sends_the_same() {
        let sender = Sender::parse("Zoë Ångström <beta@veza.fr>", None).unwrap();
        let to = recipient("ana@example.org", Some("Anaïs Çelik")).unwrap();
        let stored =
            build_stored(&sender, to, &rendered("Bienvenue, Anaïs"), "<1@veza.fr>").unwrap();
        assert!(!has_date(&stored), "{}", String::from_utf8_lossy(&stored));
        let at = chrono::DateTime::parse_from_rfc3339("2026-12-07T18:00:05Z")
            .unwrap()
            .to_utc();
        let first = on_the_wire(&stored, at);
        assert_eq!(first, on_the_wire(&stored, at));
        assert!(first.starts_with(b"Date: Mon, 7 Dec 2026 18:00:05 +0000\r\n"));
        assert!(first.ends_with(&stored));
        // A file with its own Date goes as it is.
        assert_eq!(on_the_wire(&first, at), first);
        let parsed = mail_parser::MessageParser::default().parse(&first).unwrap();
        assert_eq!(
            parsed.date().map(|d| d.to_timestamp()),
            Some(at.timestamp())
        );

        let shown = preview(&stored, PreviewOptions::default()).unwrap();
        assert!(shown.contains("Subject: Bienvenue, Anaïs"), "{shown}");
        assert!(
            shown.contains("To: Anaïs Çelik <ana@example.org>"),
            "{shown}"
        );
        assert!(
            shown.contains("From: Zoë Ångström <beta@veza.fr>"),
            "{shown}"
        );
        assert!(!shown.contains("=?utf-8?"), "{shown}");
        assert!(
            shown.contains("Date: (set when it is first handed over)"),
            "{shown}"
        );
        let options = PreviewOptions {
            raw: true,
            wire_date: Some(at),
            ..PreviewOptions::default()
        };
        let raw = preview(&stored, options).unwrap();
        assert!(raw.contains("=?utf-8?"), "{raw}");
        assert!(
            raw.contains("Date: Mon, 7 Dec 2026 18:00:05 +0000"),
            "{raw}"
        );
    }

    #[test]
    fn message_ids_live_under_the_sender_domain() {
        let sender = Sender::parse("Veza <beta@veza.fr>", None).unwrap();
        let id = sender.new_message_id();
        assert!(id.starts_with('<') && id.ends_with("@veza.fr>"), "{id}");
        assert_ne!(id, sender.new_message_id());
        assert!(Sender::parse("not an address", None).is_err());
        assert!(recipient("no-at-sign", None).is_err());
    }
}
