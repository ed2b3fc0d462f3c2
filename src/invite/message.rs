//! One recipient's `.eml`: built by lettre (typed headers, so a name or label with CR/LF can
//! never add or bend a header), multipart/alternative with the text and HTML parts.

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

/// A stored message as `invites preview` shows it: the header block as it goes out, then the
/// text part (or the HTML part), cleaned of control characters.
pub fn preview(bytes: &[u8], html: bool) -> Option<String> {
    let parsed = mail_parser::MessageParser::default().parse(bytes)?;
    let text = String::from_utf8_lossy(bytes);
    let head = text.split("\r\n\r\n").next()?;
    let body = if html {
        parsed.body_html(0)?
    } else {
        parsed.body_text(0)?
    };
    let head = crate::text::sanitize_lines(&head.replace("\r\n", "\n"));
    let body = crate::text::sanitize_lines(&body.replace("\r\n", "\n"));
    Some(format!("{head}\n\n{body}\n"))
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
    fn message_ids_live_under_the_sender_domain() {
        let sender = Sender::parse("Veza <beta@veza.fr>", None).unwrap();
        let id = sender.new_message_id();
        assert!(id.starts_with('<') && id.ends_with("@veza.fr>"), "{id}");
        assert_ne!(id, sender.new_message_id());
        assert!(Sender::parse("not an address", None).is_err());
        assert!(recipient("no-at-sign", None).is_err());
    }
}
