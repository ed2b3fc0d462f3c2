//! Handing a stored message to the outside world: a sendmail-compatible command (no shell)
//! or SMTP (lettre's connection, reused across messages), and the one classification of what
//! came back that decides the ledger's next state.

use super::MessageState;
use super::lease::Lease;
use lettre::address::{Address, Envelope};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use std::sync::Arc;
use std::time::Duration;

/// What one hand-over came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted (the SMTP reply, or the command's exit).
    Accepted(String),
    /// Refused for now (SMTP 4xx, exit 75): retry later.
    Temporary(String),
    /// Refused for good (SMTP 5xx, a permanent exit code).
    Permanent(String),
    /// Nothing was handed over (connection refused, command not started): still `prepared`.
    NotHanded(String),
    /// Delivery in doubt (connection lost after the body, a command killed after reading it):
    /// `unknown`, never retried automatically.
    InDoubt(String),
}

impl Outcome {
    pub fn state(&self) -> MessageState {
        match self {
            Outcome::Accepted(_) => MessageState::Sent,
            Outcome::Temporary(_) | Outcome::NotHanded(_) => MessageState::Prepared,
            Outcome::Permanent(_) => MessageState::Failed,
            Outcome::InDoubt(_) => MessageState::Unknown,
        }
    }
    pub fn detail(&self) -> &str {
        match self {
            Outcome::Accepted(d)
            | Outcome::Temporary(d)
            | Outcome::Permanent(d)
            | Outcome::NotHanded(d)
            | Outcome::InDoubt(d) => d,
        }
    }

    /// The same outcome with its detail rewritten.
    pub fn with_detail(self, rewrite: impl FnOnce(&str) -> String) -> Outcome {
        match self {
            Outcome::Accepted(d) => Outcome::Accepted(rewrite(&d)),
            Outcome::Temporary(d) => Outcome::Temporary(rewrite(&d)),
            Outcome::Permanent(d) => Outcome::Permanent(rewrite(&d)),
            Outcome::NotHanded(d) => Outcome::NotHanded(rewrite(&d)),
            Outcome::InDoubt(d) => Outcome::InDoubt(rewrite(&d)),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("send_cmd: {0}")]
    Command(String),
    #[error("smtp_url: {0}")]
    Smtp(String),
}

/// Where messages go, as the plan shows it (credentials never included).
pub enum Transport {
    Command {
        argv: Vec<String>,
        lease: Arc<Lease>,
    },
    Smtp(Box<Smtp>),
}

pub struct Smtp {
    host: String,
    port: u16,
    tls: TlsMode,
    credentials: Option<lettre::transport::smtp::authentication::Credentials>,
    connection: Option<AsyncSmtpConnection>,
    shown: String,
    /// The run's lease; the plain connection's stream holds it too, to fence the final dot.
    lease: Arc<Lease>,
    /// Set by the fenced stream when it refused to write the final dot.
    held_back: Arc<std::sync::Mutex<Option<String>>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TlsMode {
    /// `smtps://`: TLS from the first byte.
    Implicit,
    /// `smtp://`: STARTTLS, required.
    StartTls,
    /// `smtp://…?tls=none`, loopback only: the rehearsal's and the tests' local servers.
    None,
}

impl Transport {
    /// The command split into argv (no shell), checked to exist before anything is claimed.
    pub fn command(cmd: &str) -> Result<Transport, TransportError> {
        let argv =
            shlex::split(cmd).ok_or_else(|| TransportError::Command("unbalanced quotes".into()))?;
        let program = argv
            .first()
            .ok_or_else(|| TransportError::Command("empty command".into()))?;
        if !program.contains('/') && find_in_path(program).is_none() {
            return Err(TransportError::Command(format!(
                "`{}` is not found on PATH (install it, or set [invites] send_cmd or smtp_url)",
                crate::text::sanitize_short(program, 80)
            )));
        }
        if program.contains('/') && !std::path::Path::new(program).is_file() {
            return Err(TransportError::Command(format!(
                "`{}` does not exist",
                crate::text::sanitize_short(program, 120)
            )));
        }
        Ok(Transport::Command {
            argv,
            lease: Arc::new(Lease::unbounded()),
        })
    }

    pub fn smtp(url: &crate::config::ConfigUrl) -> Result<Transport, TransportError> {
        let parsed = crate::config::invites::smtp_url_problem(url).map_err(TransportError::Smtp)?;
        let host = parsed.host_str().unwrap_or_default().to_owned();
        let loopback = matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]" | "::1");
        let wants_plain = parsed.query_pairs().any(|(k, v)| k == "tls" && v == "none");
        if wants_plain && !loopback {
            return Err(TransportError::Smtp(format!(
                "{url}: tls=none is only allowed for a server on this machine"
            )));
        }
        let tls = match (parsed.scheme(), wants_plain) {
            (_, true) => TlsMode::None,
            ("smtps", _) => TlsMode::Implicit,
            _ => TlsMode::StartTls,
        };
        let port = parsed
            .port()
            .unwrap_or(if tls == TlsMode::Implicit { 465 } else { 587 });
        let credentials = (!parsed.username().is_empty()).then(|| {
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            };
            lettre::transport::smtp::authentication::Credentials::new(
                decode(parsed.username()),
                decode(parsed.password().unwrap_or_default()),
            )
        });
        Ok(Transport::Smtp(Box::new(Smtp {
            shown: format!("SMTP {url}"),
            host: host.trim_matches(['[', ']']).to_owned(),
            port,
            tls,
            credentials,
            connection: None,
            lease: Arc::new(Lease::unbounded()),
            held_back: Arc::default(),
        })))
    }

    /// How the plan, the journal and the screen name it: the command as written or the URL,
    /// with every secret the config holds redacted (a command may carry a password too).
    pub fn describe(&self) -> String {
        let shown = match self {
            Transport::Command { argv, .. } => shown_command(argv),
            Transport::Smtp(smtp) => smtp.shown.clone(),
        };
        crate::text::Redactor::process().redact(&crate::text::sanitize(&shown))
    }

    /// Hands `bytes` to the transport for `to`, within `timeout` per step.
    pub async fn send(
        &mut self,
        from: &Address,
        to: &str,
        bytes: &[u8],
        timeout: Duration,
    ) -> Outcome {
        match self {
            Transport::Command { argv, lease } => {
                super::send_cmd::run_command(argv, bytes, timeout, lease).await
            }
            Transport::Smtp(smtp) => smtp.send(from, to, bytes, timeout).await,
        }
    }

    /// Hand-overs from now on hold to `lease`: none starts, and none passes its point of no
    /// return, with less than the lease's margin left.
    pub fn fence(&mut self, lease: Arc<Lease>) {
        match self {
            Transport::Command { lease: held, .. } => *held = lease,
            Transport::Smtp(smtp) => {
                smtp.lease = lease;
                smtp.connection = None;
            }
        }
    }

    /// Ends an SMTP session politely; nothing for a command.
    pub async fn close(&mut self) {
        if let Transport::Smtp(smtp) = self
            && let Some(mut connection) = smtp.connection.take()
        {
            let _ = tokio::time::timeout(Duration::from_secs(2), connection.quit()).await;
        }
    }
}

/// The command as the plan shows it: a secret passed as an option's value is masked even when
/// no config registered it (a `$SEND_CMD` from the environment).
fn shown_command(argv: &[String]) -> String {
    format!(
        "command `{}`",
        crate::text::command_secrets(argv).shown.join(" ")
    )
}

fn find_in_path(program: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

impl Smtp {
    async fn connect(&mut self, timeout: Duration) -> Result<(), String> {
        let hello = ClientId::default();
        let implicit = match self.tls {
            TlsMode::Implicit => Some(self.tls_parameters()?),
            _ => None,
        };
        let mut connection = match implicit {
            Some(tls) => {
                let connect = AsyncSmtpConnection::connect_tokio1(
                    (self.host.as_str(), self.port),
                    Some(timeout),
                    &hello,
                    Some(tls),
                    None,
                );
                tokio::time::timeout(timeout, connect)
                    .await
                    .map_err(|_| "no greeting from the server in time".to_owned())?
                    .map_err(|e| smtp_text(&e))?
            }
            None => {
                // Our own socket, for TCP_NODELAY: without it each message waits out the
                // delayed-ACK timer after the body (about 40 ms, so 20 messages a second).
                let socket = tokio::time::timeout(
                    timeout,
                    tokio::net::TcpStream::connect((self.host.as_str(), self.port)),
                )
                .await
                .map_err(|_| "the connection did not open in time".to_owned())?
                .map_err(|e| e.to_string())?;
                socket.set_nodelay(true).map_err(|e| e.to_string())?;
                let fenced = FencedStream::new(socket, self.lease.clone(), self.held_back.clone());
                let connect = AsyncSmtpConnection::connect_with_transport(Box::new(fenced), &hello);
                tokio::time::timeout(timeout, connect)
                    .await
                    .map_err(|_| "no greeting from the server in time".to_owned())?
                    .map_err(|e| smtp_text(&e))?
            }
        };
        if self.tls == TlsMode::StartTls {
            if !connection.can_starttls() {
                return Err("the server does not offer STARTTLS (smtp:// requires it; use smtps:// for TLS from the start)".into());
            }
            let parameters = self.tls_parameters()?;
            tokio::time::timeout(timeout, connection.starttls(parameters, &hello))
                .await
                .map_err(|_| "STARTTLS did not finish in time".to_owned())?
                .map_err(|e| smtp_text(&e))?;
        }
        if let Some(credentials) = &self.credentials {
            let mechanisms = [
                lettre::transport::smtp::authentication::Mechanism::Plain,
                lettre::transport::smtp::authentication::Mechanism::Login,
            ];
            tokio::time::timeout(timeout, connection.auth(&mechanisms, credentials))
                .await
                .map_err(|_| "authentication did not finish in time".to_owned())?
                .map_err(|e| smtp_text(&e))?;
        }
        self.connection = Some(connection);
        Ok(())
    }

    fn tls_parameters(&self) -> Result<TlsParameters, String> {
        TlsParameters::new(self.host.clone()).map_err(|e| smtp_text(&e))
    }

    async fn send(&mut self, from: &Address, to: &str, bytes: &[u8], timeout: Duration) -> Outcome {
        let Ok(to) = to.trim().parse::<Address>() else {
            return Outcome::Permanent(format!(
                "`{}` is not an address",
                crate::text::sanitize_short(to, 80)
            ));
        };
        if let Err(why) = self.lease.check() {
            return Outcome::NotHanded(format!("not started: {why}"));
        }
        if self.connection.as_ref().is_none_or(|c| c.has_broken()) {
            self.connection = None;
            if let Err(why) = self.connect(timeout).await {
                return Outcome::NotHanded(format!("cannot connect: {why}"));
            }
        }
        let Some(connection) = self.connection.as_mut() else {
            return Outcome::NotHanded("no connection".into());
        };
        let envelope = match Envelope::new(Some(from.clone()), vec![to]) {
            Ok(envelope) => envelope,
            Err(e) => return Outcome::Permanent(e.to_string()),
        };
        let mut options = Vec::new();
        let ascii = |a: &Address| AsRef::<str>::as_ref(a).is_ascii();
        if !envelope.from().is_none_or(ascii) || !envelope.to().iter().all(ascii) {
            options.push(MailParameter::SmtpUtfEight);
        }
        if !bytes.is_ascii()
            && connection
                .server_info()
                .supports_feature(Extension::EightBitMime)
        {
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        // Before the body: a refusal is definite, a lost connection leaves it unsent.
        let steps = async {
            connection
                .command(Mail::new(envelope.from().cloned(), options))
                .await?;
            for rcpt in envelope.to() {
                connection.command(Rcpt::new(rcpt.clone(), vec![])).await?;
            }
            connection.command(Data).await
        };
        match tokio::time::timeout(timeout, steps).await {
            Err(_) => {
                self.connection = None;
                return Outcome::NotHanded("the server stopped answering before the body".into());
            }
            Ok(Err(e)) => {
                let outcome = refusal(&e).unwrap_or_else(|| {
                    Outcome::NotHanded(format!("before the body: {}", smtp_text(&e)))
                });
                self.after_refusal(&outcome, timeout).await;
                return outcome;
            }
            Ok(Ok(_)) => {}
        }
        let Some(connection) = self.connection.as_mut() else {
            return Outcome::NotHanded("no connection".into());
        };
        // Over TLS the stream below lettre carries ciphertext, so the lease is checked before the
        // body; over a plain connection the stream itself refuses the final dot without it.
        if self.tls != TlsMode::None
            && let Err(why) = self.lease.check()
        {
            self.connection = None;
            return Outcome::NotHanded(format!("not handed over (before the body): {why}"));
        }
        if let Ok(mut held) = self.held_back.lock() {
            *held = None;
        }
        // The body is out: only a clear answer settles it; anything else is in doubt.
        let answer = tokio::time::timeout(timeout, connection.message(bytes)).await;
        if let Some(why) = self.held_back.lock().ok().and_then(|mut h| h.take()) {
            // The server never saw the final dot: it discards the message with the connection.
            self.connection = None;
            return Outcome::NotHanded(format!("stopped before the final dot: {why}"));
        }
        match answer {
            Ok(Ok(reply)) => Outcome::Accepted(reply_text(&reply)),
            Ok(Err(e)) => match refusal(&e) {
                Some(outcome) => {
                    self.after_refusal(&outcome, timeout).await;
                    outcome
                }
                None => {
                    self.connection = None;
                    Outcome::InDoubt(format!("after the body: {}", smtp_text(&e)))
                }
            },
            Err(_) => {
                self.connection = None;
                Outcome::InDoubt("no answer after the body in time".into())
            }
        }
    }

    /// After a refusal the session is mid-transaction: reset it, or drop it if that fails.
    async fn after_refusal(&mut self, outcome: &Outcome, timeout: Duration) {
        if matches!(outcome, Outcome::NotHanded(_)) {
            self.connection = None;
            return;
        }
        let reset = match self.connection.as_mut() {
            Some(c) if !c.has_broken() => tokio::time::timeout(timeout, c.command(Rset))
                .await
                .is_ok_and(|r| r.is_ok()),
            _ => false,
        };
        if !reset {
            self.connection = None;
        }
    }
}

/// The plain connection's socket, which writes SMTP's final dot (lettre writes it on its own,
/// after the body) only while the lease has more than its margin left: the check is as close
/// to the point of no return as a write can be. Refused, the connection must be dropped.
#[derive(Debug)]
struct FencedStream {
    socket: tokio::net::TcpStream,
    lease: Arc<Lease>,
    held_back: Arc<std::sync::Mutex<Option<String>>>,
}

/// What lettre writes, alone, to end a message's data.
const FINAL_DOT: &[u8] = b"\r\n.\r\n";

impl FencedStream {
    fn new(
        socket: tokio::net::TcpStream,
        lease: Arc<Lease>,
        held_back: Arc<std::sync::Mutex<Option<String>>>,
    ) -> FencedStream {
        FencedStream {
            socket,
            lease,
            held_back,
        }
    }
}

impl tokio::io::AsyncRead for FencedStream {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.socket).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for FencedStream {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        if buf == FINAL_DOT
            && let Err(why) = self.lease.check()
        {
            if let Ok(mut held) = self.held_back.lock() {
                *held = Some(why.clone());
            }
            return std::task::Poll::Ready(Err(std::io::Error::other(why)));
        }
        std::pin::Pin::new(&mut self.socket).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.socket).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.socket).poll_shutdown(cx)
    }
}

impl lettre::transport::smtp::client::AsyncTokioStream for FencedStream {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.socket.peer_addr()
    }
}

/// A 4xx/5xx answer from the server, if that is what the error is.
fn refusal(e: &lettre::transport::smtp::Error) -> Option<Outcome> {
    let text = smtp_text(e);
    if e.is_transient() {
        Some(Outcome::Temporary(text))
    } else if e.is_permanent() {
        Some(Outcome::Permanent(text))
    } else {
        None
    }
}

/// Answers and errors are stored in the ledger and the journal, so they are redacted (a server
/// or a send command may echo a credential) before they are cut.
fn smtp_text(e: &impl std::fmt::Display) -> String {
    crate::text::Redactor::process().excerpt(&e.to_string(), 300)
}

fn reply_text(reply: &lettre::transport::smtp::response::Response) -> String {
    let message: Vec<&str> = reply.message().collect();
    crate::text::Redactor::process()
        .excerpt(&format!("{} {}", reply.code(), message.join(" ")), 300)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_command_is_refused_before_anything_runs() {
        let e = Transport::command("no-such-sendmail-here -t")
            .err()
            .unwrap();
        assert!(e.to_string().contains("not found on PATH"), "{e}");
        assert!(Transport::command("'unbalanced").is_err());
        assert!(Transport::command("sh -c true").is_ok());
    }

    #[test]
    fn plain_smtp_is_only_for_this_machine() {
        let url = crate::config::ConfigUrl::new("smtp://u:pw@mail.example.org:25?tls=none");
        assert!(Transport::smtp(&url).is_err());
        let url = crate::config::ConfigUrl::new("smtp://u:secretpw@127.0.0.1:2525?tls=none");
        let t = Transport::smtp(&url).unwrap();
        assert!(!t.describe().contains("secretpw"), "{}", t.describe());
        let url = crate::config::ConfigUrl::new("http://x");
        assert!(Transport::smtp(&url).is_err());
    }
}
