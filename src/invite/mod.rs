//! Invite dispatch, UI-free: codes into `beta_invites`, one `.eml` per recipient, review, then
//! send at most once. `gonogo invites …` and the cockpit's Dispatch pane both call it.
//!
//! # The contract
//! - [`prepare`]: the cohort review first (hard findings refuse, soft ones need `--force` with
//!   a reason, journaled); the first recipient rendered before anything is written; then per
//!   recipient one statement inserting the invite and its ledger row (state `prepared`, the
//!   `.eml`'s path and SHA-256), the file written mode 0600 beforehand and removed if the
//!   insert fails. A rerun adds only the recipients still missing.
//! - [`send::run`]: every message is **claimed** (`sending`, the run's id, committed) with
//!   `FOR UPDATE SKIP LOCKED` before it is handed over, so no two senders take the same one;
//!   the pace is reserved per launch, so two senders share the rate. The answer decides the
//!   next state ([`transport::Outcome`]); `unknown` is never sent again without an operator;
//!   a run that stops heartbeating leaves its `sending` rows to become `unknown`.

pub mod code;
pub mod lease;
mod ledger;
pub mod message;
pub mod prepare;
pub mod send;
pub mod send_cmd;
pub mod status;
pub mod template;
pub mod transport;

pub use ledger::{
    BatchCounts, ClaimerAlive, Counts, HistoryLine, HistoryState, HourCount, LateAnswer, Ledger,
    LedgerRow, LiveRun, MessageState, NotAState, Redemptions,
};
pub use prepare::{PrepareError, PrepareOptions, PrepareReport, prepare};
pub use send::{RunEnd, RunProgress, SendOptions};
pub use template::{Template, TemplateError};
pub use transport::{Outcome, Transport};

use crate::config::Config;
use crate::config::invites::InvitesConfig;
use std::path::{Path, PathBuf};

/// Everything a dispatch command needs from the config, checked once.
#[derive(Clone)]
pub struct Setup {
    pub settings: InvitesConfig,
    pub base_dir: PathBuf,
    pub launch: String,
    pub production: bool,
    pub sender: message::Sender,
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("no [invites] section in the config (see the README's config reference)")]
    NoSection,
    #[error(transparent)]
    Sender(#[from] message::MessageError),
}

impl Setup {
    pub fn new(config: &Config, config_path: &Path) -> Result<Setup, SetupError> {
        let settings = config.raw.invites.clone().ok_or(SetupError::NoSection)?;
        let sender = message::Sender::parse(
            settings.from.as_str(),
            settings.reply_to.as_ref().map(|r| r.as_str()),
        )?;
        let base_dir = config_path
            .parent()
            .map(Path::to_path_buf)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        Ok(Setup {
            settings,
            base_dir,
            launch: config.launch().name.0.clone(),
            production: config.launch().is_production(),
            sender,
        })
    }

    pub fn template(&self) -> Result<Template, TemplateError> {
        Template::load(
            &self.settings.template_dir(&self.base_dir),
            self.settings.signup_url.as_str(),
        )
    }

    pub fn out_dir(&self) -> PathBuf {
        self.settings.out_dir(&self.base_dir)
    }

    /// When a code made `now` expires, `[invites] expires_in` later (checked: never a panic).
    pub fn expires_at(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<chrono::DateTime<chrono::Utc>, String> {
        crate::config::later(now, self.settings.expires_in).ok_or_else(|| {
            format!(
                "[invites] expires_in {} reaches past the latest date gonogo can hold",
                humantime::format_duration(self.settings.expires_in)
            )
        })
    }

    /// Where a stored `.eml` is, from any working directory. Paths are stored absolute; a
    /// relative one (written by an older prepare, relative to the directory it ran in) is
    /// taken as it is when it resolves from here, else looked up under the batch's directory
    /// of the configured `out_dir`. The SHA-256 check still guards what is read.
    pub fn eml_file(&self, batch: &str, stored: &str) -> PathBuf {
        let path = Path::new(stored);
        if path.is_absolute() || path.exists() {
            return path.to_path_buf();
        }
        match path.file_name() {
            Some(name) => self.out_dir().join(batch).join(name),
            None => path.to_path_buf(),
        }
    }

    /// The configured transport, checked (command found, URL parsed) before anything is
    /// claimed.
    pub fn transport(&self) -> Result<Transport, transport::TransportError> {
        match &self.settings.smtp_url {
            Some(url) => Transport::smtp(url),
            None => Transport::command(
                &self
                    .settings
                    .send_command()
                    .unwrap_or_else(|| crate::config::invites::DEFAULT_SEND_CMD.into()),
            ),
        }
    }
}

/// A batch name: what `.eml` directories and `--batch` are made of.
pub fn check_batch_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with('.');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{}` is not a batch name: use 1 to 64 letters, digits, `-`, `_` or `.`",
            crate::text::sanitize_short(name, 70)
        ))
    }
}

/// The default batch of a cohort file: its name without the extension, made a batch name.
pub fn default_batch(file: &Path) -> String {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let cleaned: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    let cleaned = cleaned.trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        "batch".into()
    } else {
        cleaned
    }
}
