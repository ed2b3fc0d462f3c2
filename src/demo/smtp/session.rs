//! One SMTP conversation of the rehearsal's server (RFC 5321, the part lettre and msmtp use):
//! greeting, EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT. Works on bytes
//! with bounded lines and sizes; any input ends in a reply or a closed connection, never a panic.

use super::{ReceivedMail, Scripted, Shared};
use std::io;
use std::time::Duration;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

const GREETING: &str = "220 gonogo-demo ESMTP rehearsal server ready";
/// Syntax errors and unknown commands a client may send before it is shown the door.
const MAX_ERRORS: u32 = 20;
/// How much of a message's header section is kept to find its Message-ID.
const HEADER_KEPT: usize = 16 * 1024;

/// One line read from the client, without its line end.
#[derive(Debug, PartialEq, Eq)]
enum Line {
    Full,
    TooLong,
    Eof,
}

/// Reads one line (ended by LF, an optional CR before it dropped) into `buf`, keeping at most
/// `max` bytes; a longer line is read to its end and discarded.
async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<Line> {
    buf.clear();
    let mut too_long = false;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(Line::Eof);
        }
        let (chunk, ended) = match memchr::memchr(b'\n', available) {
            Some(end) => (available.get(..end).unwrap_or_default(), true),
            None => (available, false),
        };
        if !too_long && buf.len() + chunk.len() > max {
            too_long = true;
            buf.clear();
        }
        if !too_long {
            buf.extend_from_slice(chunk);
        }
        let used = chunk.len() + usize::from(ended);
        reader.consume(used);
        if ended {
            break;
        }
    }
    if too_long {
        return Ok(Line::TooLong);
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Line::Full)
}

/// What the session does after a command.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    Reply(String),
    /// Reply, then close the connection.
    Close(String),
    /// `354`, then read the message.
    Data,
}

/// A message body as read: its size, whether it broke a limit, and its header section.
struct Body {
    len: usize,
    too_big: bool,
    line_too_long: bool,
    headers: Vec<u8>,
}

#[derive(Default)]
struct Session {
    greeted: bool,
    mail_from: Option<String>,
    rcpts: Vec<String>,
    errors: u32,
}

/// Runs one conversation on `stream` until QUIT, EOF, a hang-up, an error or the idle timeout.
pub(super) async fn serve<S: AsyncRead + AsyncWrite + Unpin>(stream: S, shared: &Shared) {
    let _ = converse(stream, shared).await;
}

async fn converse<S: AsyncRead + AsyncWrite + Unpin>(stream: S, shared: &Shared) -> io::Result<()> {
    let limits = &shared.limits;
    let idle = limits.idle_timeout;
    let (read_half, mut writer) = tokio::io::split(stream);
    let mut reader = BufReader::new(read_half);
    let mut session = Session::default();
    let mut line = Vec::new();
    reply(&mut writer, GREETING, idle).await?;
    loop {
        let read = tokio::time::timeout(
            limits.idle_timeout,
            read_line(&mut reader, &mut line, limits.max_line_bytes),
        )
        .await;
        let next = match read {
            Err(_) => Next::Close("421 4.4.2 Idle for too long, closing connection".into()),
            Ok(read) => match read? {
                Line::Eof => return Ok(()),
                Line::TooLong => session.error("500 5.5.2 Line too long"),
                Line::Full => session.command(&line, shared),
            },
        };
        match next {
            Next::Reply(text) => reply(&mut writer, &text, idle).await?,
            Next::Close(text) => {
                reply(&mut writer, &text, idle).await?;
                return Ok(());
            }
            Next::Data => {
                reply(&mut writer, "354 End data with <CR><LF>.<CR><LF>", idle).await?;
                let read = tokio::time::timeout(
                    limits.idle_timeout,
                    read_body(&mut reader, &mut line, shared),
                )
                .await;
                // EOF in the body, or a client silent mid-body: nothing was taken.
                let Ok(read) = read else { return Ok(()) };
                let Some(body) = read? else { return Ok(()) };
                match session.finish_data(body, shared) {
                    Some(text) => reply(&mut writer, &text, idle).await?,
                    None => return Ok(()),
                }
            }
        }
    }
}

/// Writes one reply; a client that stops reading is given up on after the idle timeout.
async fn reply<W: AsyncWrite + Unpin>(
    writer: &mut W,
    text: &str,
    idle: Duration,
) -> io::Result<()> {
    let mut out = Vec::with_capacity(text.len() + 2);
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(b"\r\n");
    let write = async {
        writer.write_all(&out).await?;
        writer.flush().await
    };
    tokio::time::timeout(idle, write)
        .await
        .unwrap_or_else(|_| Err(io::ErrorKind::TimedOut.into()))
}

/// Reads a message up to its lone `.` line; `None` at EOF. Bounded: past the size limit the rest
/// is read and dropped, and only the header section is kept.
async fn read_body<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut Vec<u8>,
    shared: &Shared,
) -> io::Result<Option<Body>> {
    let limits = &shared.limits;
    let mut body = Body {
        len: 0,
        too_big: false,
        line_too_long: false,
        headers: Vec::new(),
    };
    let mut in_headers = true;
    loop {
        match read_line(reader, line, limits.max_line_bytes).await? {
            Line::Eof => return Ok(None),
            Line::TooLong => body.line_too_long = true,
            Line::Full if line.as_slice() == b"." => return Ok(Some(body)),
            Line::Full => {
                let content = match line.first() {
                    Some(b'.') => line.get(1..).unwrap_or_default(),
                    _ => line.as_slice(),
                };
                body.len = body.len.saturating_add(content.len() + 2);
                body.too_big |= body.len > limits.max_message_bytes;
                if in_headers {
                    in_headers = !content.is_empty();
                    if body.headers.len() + content.len() + 2 <= HEADER_KEPT {
                        body.headers.extend_from_slice(content);
                        body.headers.extend_from_slice(b"\r\n");
                    }
                }
            }
        }
    }
}

impl Session {
    fn error(&mut self, text: &str) -> Next {
        self.errors += 1;
        if self.errors > MAX_ERRORS {
            return Next::Close("421 4.7.0 Too many errors, closing connection".into());
        }
        Next::Reply(text.into())
    }

    fn reset(&mut self) {
        self.mail_from = None;
        self.rcpts.clear();
    }

    fn command(&mut self, line: &[u8], shared: &Shared) -> Next {
        let (verb, arg) = match line.iter().position(|b| *b == b' ') {
            Some(space) => (
                line.get(..space).unwrap_or_default(),
                line.get(space + 1..).unwrap_or_default().trim_ascii(),
            ),
            None => (line, &[][..]),
        };
        match verb.to_ascii_uppercase().as_slice() {
            b"EHLO" | b"HELO" if arg.is_empty() => self.error("501 5.5.4 Syntax: EHLO hostname"),
            b"EHLO" => {
                self.greeted = true;
                self.reset();
                Next::Reply(format!(
                    "250-gonogo-demo\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE {}",
                    shared.limits.max_message_bytes
                ))
            }
            b"HELO" => {
                self.greeted = true;
                self.reset();
                Next::Reply("250 gonogo-demo".into())
            }
            b"MAIL" => self.mail(arg, shared),
            b"RCPT" => self.rcpt(arg, shared),
            b"DATA" if !arg.is_empty() => self.error("501 5.5.4 Syntax: DATA"),
            b"DATA" if self.rcpts.is_empty() => self.error("503 5.5.1 Error: need RCPT command"),
            b"DATA" => Next::Data,
            b"RSET" => {
                self.reset();
                Next::Reply("250 2.0.0 Ok".into())
            }
            b"NOOP" => Next::Reply("250 2.0.0 Ok".into()),
            b"QUIT" => Next::Close("221 2.0.0 Bye".into()),
            b"" => self.error("500 5.5.2 Error: bad syntax"),
            _ => self.error("502 5.5.1 Error: command not implemented"),
        }
    }

    fn mail(&mut self, arg: &[u8], shared: &Shared) -> Next {
        if !self.greeted {
            return self.error("503 5.5.1 Error: send EHLO first");
        }
        if self.mail_from.is_some() {
            return self.error("503 5.5.1 Error: nested MAIL command");
        }
        let Some((address, params)) = path_after(arg, b"FROM:") else {
            return self.error("501 5.5.4 Syntax: MAIL FROM:<address>");
        };
        let declared_size = params
            .split(|b| *b == b' ')
            .filter_map(|p| {
                p.strip_prefix(b"SIZE=")
                    .or_else(|| p.strip_prefix(b"size="))
            })
            .find_map(|n| std::str::from_utf8(n).ok()?.parse::<usize>().ok());
        if declared_size.is_some_and(|n| n > shared.limits.max_message_bytes) {
            return Next::Reply("552 5.3.4 Message size exceeds fixed limit".into());
        }
        self.mail_from = Some(address);
        self.rcpts.clear();
        Next::Reply("250 2.1.0 Ok".into())
    }

    fn rcpt(&mut self, arg: &[u8], shared: &Shared) -> Next {
        if self.mail_from.is_none() {
            return self.error("503 5.5.1 Error: need MAIL command");
        }
        let Some((address, _)) = path_after(arg, b"TO:").filter(|(a, _)| !a.is_empty()) else {
            return self.error("501 5.5.4 Syntax: RCPT TO:<address>");
        };
        if self.rcpts.len() >= shared.limits.max_recipients {
            return Next::Reply("452 4.5.3 Error: too many recipients".into());
        }
        match shared.script.rule(&address) {
            Some(Scripted::RefuseTemporarily { times })
                if shared.take_temporary_refusal(&address, times) =>
            {
                Next::Reply("451 4.3.0 Mailbox busy, try again later (rehearsal)".into())
            }
            Some(Scripted::RefusePermanently) => {
                Next::Reply("550 5.1.1 Mailbox unavailable: no such user (rehearsal)".into())
            }
            _ => {
                self.rcpts.push(address);
                Next::Reply("250 2.1.5 Ok".into())
            }
        }
    }

    /// The reply to a complete body, or `None` to hang up without one.
    fn finish_data(&mut self, body: Body, shared: &Shared) -> Option<String> {
        let rcpts = std::mem::take(&mut self.rcpts);
        self.mail_from = None;
        if body.too_big {
            return Some("552 5.3.4 Message size exceeds fixed limit".into());
        }
        if body.line_too_long {
            return Some("500 5.5.2 Line too long".into());
        }
        let hang_up = rcpts
            .iter()
            .any(|r| shared.script.rule(r) == Some(Scripted::DropAfterData));
        let id = shared.record(ReceivedMail {
            rcpt: rcpts.into_iter().next().unwrap_or_default(),
            message_id: message_id(&body.headers),
            bytes_len: body.len,
            at: chrono::Utc::now(),
        });
        (!hang_up).then(|| format!("250 2.0.0 Ok: queued as {id:08X}"))
    }
}

/// `FROM:<a@b> PARAMS` → (`a@b`, `PARAMS`), the keyword matched case-insensitively and a space
/// after the colon tolerated. The address is cleaned for display.
fn path_after<'a>(arg: &'a [u8], keyword: &[u8]) -> Option<(String, &'a [u8])> {
    let head = arg.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = arg.get(keyword.len()..)?.trim_ascii_start();
    let inner = rest.strip_prefix(b"<")?;
    let close = inner.iter().position(|b| *b == b'>')?;
    let address = inner.get(..close)?;
    let params = inner.get(close + 1..).unwrap_or_default().trim_ascii();
    let text = String::from_utf8_lossy(address);
    Some((crate::text::sanitize_short(&text, 320), params))
}

/// The `Message-ID` header's value (unfolded, without `<>`), from a header section.
fn message_id(headers: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(headers);
    let mut value: Option<String> = None;
    for line in text.split("\r\n") {
        if let Some(open) = value.as_mut() {
            if line.starts_with([' ', '\t']) {
                open.push_str(line);
                continue;
            }
            break;
        }
        if let Some((name, rest)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("message-id")
        {
            value = Some(rest.to_owned());
        }
    }
    let value = value?;
    let id = value.trim().trim_start_matches('<').trim_end_matches('>');
    (!id.is_empty()).then(|| crate::text::sanitize_short(id, 256))
}

#[cfg(test)]
mod tests;
