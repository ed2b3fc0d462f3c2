//! Handing a stored message to the outside world: a sendmail-compatible command (no shell)
//! or SMTP (lettre's connection, reused across messages), and the one classification of what
//! came back that decides the ledger's next state.

use super::MessageState;
use super::lease::Lease;
use lettre::address::Address;
use std::sync::Arc;
use std::time::Duration;

mod fenced;
mod smtp;

pub use smtp::Smtp;
use smtp::TlsMode;

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
