//! SMTP hand-over through lettre's connection, reused across messages: connecting (implicit
//! TLS, STARTTLS, or plain on loopback), one message's steps, and what the server's answers
//! come to.

use super::Outcome;
use super::fenced::FencedStream;
use crate::invite::lease::Lease;
use lettre::address::{Address, Envelope};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use std::sync::Arc;
use std::time::Duration;

pub struct Smtp {
    pub(super) host: String,
    pub(super) port: u16,
    pub(super) tls: TlsMode,
    pub(super) credentials: Option<lettre::transport::smtp::authentication::Credentials>,
    pub(super) connection: Option<AsyncSmtpConnection>,
    pub(super) shown: String,
    /// The run's lease; the plain connection's stream holds it too, to fence the final dot.
    pub(super) lease: Arc<Lease>,
    /// Set by the fenced stream when it refused to write the final dot.
    pub(super) held_back: Arc<std::sync::Mutex<Option<String>>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TlsMode {
    /// `smtps://`: TLS from the first byte.
    Implicit,
    /// `smtp://`: STARTTLS, required.
    StartTls,
    /// `smtp://…?tls=none`, loopback only: the rehearsal's and the tests' local servers.
    None,
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

    pub(super) async fn send(
        &mut self,
        from: &Address,
        to: &str,
        bytes: &[u8],
        timeout: Duration,
    ) -> Outcome {
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
