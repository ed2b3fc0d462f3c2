//! `invites prepare`: the cohort review, the first message rendered before anything is
//! written, then per recipient a fresh code, the `.eml` (mode 0600) and one statement that
//! inserts the invite and its ledger row.

use super::ledger::{Inserted, Ledger, NewMessage};
use super::{Setup, code, message, template};
use crate::cohort::{self, Code, CohortError, Report, Status};
use crate::journal::{Journal, JournalEvent};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use sha2::Digest;
use sqlx::PgPool;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Recipients written at once (each its own statement, on its own connection).
const IN_FLIGHT: usize = 6;
/// Fresh codes tried for one recipient before giving up (a collision is already rare).
const CODE_TRIES: usize = 5;

pub struct PrepareOptions {
    pub file: PathBuf,
    pub batch: String,
    pub force: bool,
    pub reason: Option<String>,
    pub operator: String,
    /// Statement and check budget.
    pub timeout: Duration,
}

/// One recipient that could not be prepared, with its CSV line and why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NotPrepared {
    pub line: u64,
    pub email: String,
    pub reason: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct PrepareReport {
    pub batch: String,
    pub file: String,
    pub out_dir: String,
    pub recipients: u64,
    pub prepared: u64,
    /// Already in the batch from an earlier run.
    pub skipped: u64,
    pub failed: Vec<NotPrepared>,
    pub review: Report,
    pub override_entry: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error("{0}")]
    Cohort(#[from] CohortError),
    #[error("the cohort review blocks this file ({}): fix it and run prepare again; nothing was written", .0.summary_line())]
    Blocked(Box<Report>),
    #[error("the cohort review has soft findings ({}): pass --force --reason TEXT to send to it anyway (journaled); nothing was written", .0.summary_line())]
    NeedsForce(Box<Report>),
    #[error("{0}")]
    Override(String),
    #[error("{0} (nothing was written)")]
    Template(#[from] template::TemplateError),
    #[error("{0} (nothing was written)")]
    Message(#[from] message::MessageError),
    #[error("database: {0}")]
    Database(String),
    #[error("{0}")]
    Files(String),
}

/// A row of the cohort as prepare sends to it.
#[derive(Debug, Clone)]
struct Recipient {
    line: u64,
    email: String,
    key: String,
    name: Option<String>,
    cohort: String,
    sent_by: Option<String>,
}

pub async fn prepare(
    setup: &Setup,
    pool: &PgPool,
    journal: &Journal,
    options: &PrepareOptions,
    settings: &crate::cohort::CohortSettings,
) -> Result<PrepareReport, PrepareError> {
    let (mut report, emails, recipients) = review(&options.file, settings).await?;
    let ledger = Ledger::new(pool.clone(), setup.launch.clone());
    let already: HashSet<String> = ledger
        .emails_in_batch(&options.batch)
        .await
        .map_err(|e| PrepareError::Database(e.to_string()))?
        .into_iter()
        // Folded again: a key stored before domains were folded to punycode still matches.
        .map(|key| cohort::fold_case(&key))
        .collect();
    let deadline = cohort::checks_deadline(options.timeout);
    let users_query = report.thresholds.existing_users_query.clone();
    let collisions = tokio::time::timeout(
        deadline,
        cohort::find_collisions(pool, &users_query, &emails, options.timeout),
    )
    .await
    .map_err(|_| {
        PrepareError::Database("the cohort's database checks did not finish in time".into())
    })?
    .map_err(|e| PrepareError::Database(e.to_string()))?;
    // A rerun: the pending invites this batch holds itself are what it is resuming, not a
    // collision.
    let resumed: HashSet<u64> = recipients
        .iter()
        .filter(|r| already.contains(&r.key))
        .map(|r| r.line)
        .collect();
    report.database = cohort::DatabaseChecks::Ran {
        emails: emails.len(),
    };
    report.add_findings(collisions.into_iter().filter(|f| {
        !(f.code == Code::AlreadyInvited && f.line.is_some_and(|l| resumed.contains(&l)))
    }));
    drop(emails);
    let file = options.file.display().to_string();
    let override_entry = match (report.status, options.force) {
        (Status::Blocked, _) => return Err(PrepareError::Blocked(Box::new(report))),
        (Status::Warn, false) => return Err(PrepareError::NeedsForce(Box::new(report))),
        (Status::Warn, true) => Some(
            cohort::apply_override(journal, &report, &file, options.reason.as_deref())
                .await
                .map_err(|e| PrepareError::Override(format!("--force NOT applied: {e}")))?
                .journal_entry,
        ),
        (Status::Ok, _) => None,
    };
    let template = setup.template()?;
    let now = Utc::now();
    let expires_at = setup.expires_at(now).map_err(PrepareError::Files)?;
    // The first message rendered before anything is written: a template error stops here.
    if let Some(first) = recipients.first() {
        let sample = code::fresh().map_err(|e| PrepareError::Files(e.to_string()))?;
        let rendered = template.render(&variables(setup, first, &sample, expires_at))?;
        let to = message::recipient(&first.email, first.name.as_deref())?;
        message::build(
            &setup.sender,
            to,
            &rendered,
            &setup.sender.new_message_id(),
            now.into(),
        )?;
    }
    let user_ids = sent_by_ids(&ledger, &recipients).await?;
    let dir = setup.out_dir().join(&options.batch);
    create_private_dir(&dir)?;
    // Stored canonical, so a send from any directory finds the files.
    let dir = std::fs::canonicalize(&dir)
        .map_err(|e| PrepareError::Files(format!("cannot resolve {}: {e}", dir.display())))?;
    let mut skipped = 0u64;
    let todo: Vec<&Recipient> = recipients
        .iter()
        .filter(|r| {
            let seen = already.contains(&r.key);
            skipped += u64::from(seen);
            !seen
        })
        .collect();
    let context = Context {
        setup,
        template: &template,
        ledger: &ledger,
        batch: &options.batch,
        dir: &dir,
        expires_at,
        user_ids: &user_ids,
    };
    // Boxed so the future of `prepare` stays `Send` for any caller (a spawned task).
    type One<'a> = std::pin::Pin<
        Box<dyn std::future::Future<Output = (u64, String, Result<Inserted, String>)> + Send + 'a>,
    >;
    let context = &context;
    let writes: Vec<One<'_>> = todo
        .into_iter()
        .map(|r| -> One<'_> {
            Box::pin(async move { (r.line, r.email.clone(), context.one(r).await) })
        })
        .collect();
    let results: Vec<(u64, String, Result<Inserted, String>)> = futures::stream::iter(writes)
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    let mut prepared = 0u64;
    let mut failed = Vec::new();
    for (line, email, result) in results {
        match result {
            Ok(Inserted::Done) => prepared += 1,
            Ok(_) => skipped += 1,
            Err(reason) => failed.push(NotPrepared {
                line,
                email: crate::text::sanitize_short(&email, 120),
                reason,
            }),
        }
    }
    failed.sort_by_key(|f| f.line);
    let event = JournalEvent::InvitesPrepared {
        batch: options.batch.clone(),
        file: crate::text::sanitize_short(&file, 300),
        sha256: report.sha256.clone().unwrap_or_default(),
        prepared,
        skipped,
        failed: failed.len() as u64,
    };
    if let Err(e) = journal.record_now(event).await {
        tracing::warn!("the prepare run was not journaled: {e}");
    }
    Ok(PrepareReport {
        batch: options.batch.clone(),
        file,
        out_dir: dir.display().to_string(),
        recipients: recipients.len() as u64,
        prepared,
        skipped,
        failed,
        review: report,
        override_entry,
    })
}

struct Context<'a> {
    setup: &'a Setup,
    template: &'a template::Template,
    ledger: &'a Ledger,
    batch: &'a str,
    dir: &'a Path,
    expires_at: DateTime<Utc>,
    user_ids: &'a HashMap<String, uuid::Uuid>,
}

impl Context<'_> {
    /// One recipient: render, write the file, insert; the file is removed if the insert does
    /// not happen.
    async fn one(&self, r: &Recipient) -> Result<Inserted, String> {
        let sent_by = match r.sent_by.as_deref() {
            None => self.setup.settings.sent_by,
            Some(id) => match uuid::Uuid::parse_str(id) {
                Ok(uuid) => Some(uuid),
                Err(_) => match self.user_ids.get(&cohort::fold_case(id)) {
                    Some(uuid) => Some(*uuid),
                    None => {
                        return Err(format!(
                            "sent_by `{}` is not the email of a row in users",
                            crate::text::sanitize_short(id, 80)
                        ));
                    }
                },
            },
        };
        let to = message::recipient(&r.email, r.name.as_deref()).map_err(|e| e.to_string())?;
        for _ in 0..CODE_TRIES {
            let code = code::fresh().map_err(|e| e.to_string())?;
            let rendered = self
                .template
                .render(&variables(self.setup, r, &code, self.expires_at))
                .map_err(|e| e.to_string())?;
            let message_id = self.setup.sender.new_message_id();
            let bytes = message::build(
                &self.setup.sender,
                to.clone(),
                &rendered,
                &message_id,
                std::time::SystemTime::now(),
            )
            .map_err(|e| e.to_string())?;
            let sha256 = hex::encode(sha2::Sha256::digest(&bytes));
            // A name of this attempt's own: another prepare of the same batch (a second
            // operator) writes its own file, and the one that loses removes only that.
            let path = self.dir.join(file_name(r, &sha256));
            let written = path.clone();
            tokio::task::spawn_blocking(move || write_private(&written, &bytes))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            let path_text = path.to_string_lossy().into_owned();
            let inserted = self
                .ledger
                .insert(&NewMessage {
                    batch: self.batch,
                    email: &r.email,
                    email_key: &r.key,
                    name: r.name.as_deref(),
                    cohort: &r.cohort,
                    line: r.line,
                    code: &code,
                    expires_at: self.expires_at,
                    sent_by,
                    message_id: &message_id,
                    eml_path: &path_text,
                    eml_sha256: &sha256,
                })
                .await;
            match inserted {
                Ok(Inserted::Done) => return Ok(Inserted::Done),
                Ok(Inserted::CodeTaken) => {
                    let _ = tokio::fs::remove_file(&path).await;
                    continue;
                }
                Ok(other) => {
                    let _ = tokio::fs::remove_file(&path).await;
                    return Ok(other);
                }
                // Kept: the insert may have committed with its answer lost, and a row must
                // never point at a missing file. A stray file is never sent.
                Err(e) => return Err(e.to_string()),
            }
        }
        Err(format!(
            "{CODE_TRIES} fresh codes in a row were already taken"
        ))
    }
}

fn variables(
    setup: &Setup,
    r: &Recipient,
    code: &str,
    expires_at: DateTime<Utc>,
) -> template::Variables {
    template::Variables {
        email: r.email.clone(),
        name: r.name.clone().unwrap_or_default(),
        cohort: r.cohort.clone(),
        code: code.to_owned(),
        expires_at: expires_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        launch: setup.launch.clone(),
    }
}

/// The review, streaming: the report, the seen emails for the database checks, and every row
/// that can be sent to (no hard finding, not a repeat of an earlier row).
async fn review(
    file: &Path,
    settings: &crate::cohort::CohortSettings,
) -> Result<(Report, crate::cohort::SeenEmails, Vec<Recipient>), PrepareError> {
    let file = file.to_path_buf();
    let settings = settings.clone();
    tokio::task::spawn_blocking(move || {
        let input = cohort::open(&file)?;
        let mut recipients = Vec::new();
        let scan = cohort::validate_with(input, &settings, |row| {
            let unusable = row
                .findings
                .iter()
                .any(|f| f.severity == cohort::Severity::Hard || f.code == Code::DuplicateEmail);
            if unusable {
                return;
            }
            let email = row.email.trim().to_owned();
            recipients.push(Recipient {
                line: row.line,
                key: cohort::fold_case(&email),
                name: row
                    .name
                    .as_deref()
                    .map(message::cap_name)
                    .filter(|n| !n.is_empty()),
                cohort: crate::text::sanitize(row.cohort.trim()),
                sent_by: row
                    .sent_by
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
                email,
            });
        })?;
        Ok((scan.report, scan.emails, recipients))
    })
    .await
    .map_err(|e| PrepareError::Files(format!("the review stopped: {e}")))?
}

/// `sent_by` cells written as emails, looked up once in `users`.
async fn sent_by_ids(
    ledger: &Ledger,
    recipients: &[Recipient],
) -> Result<HashMap<String, uuid::Uuid>, PrepareError> {
    let wanted: HashSet<String> = recipients
        .iter()
        .filter_map(|r| r.sent_by.as_deref())
        .filter(|s| uuid::Uuid::parse_str(s).is_err())
        .map(cohort::fold_case)
        .collect();
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    let wanted: Vec<String> = wanted.into_iter().collect();
    match ledger.user_ids(&wanted).await {
        Ok(found) => Ok(found.into_iter().collect()),
        // No users table: every emailed sent_by fails on its own line.
        Err(e) if e.is_missing_table() => Ok(HashMap::new()),
        Err(e) => Err(PrepareError::Database(e.to_string())),
    }
}

/// `000042-ana@example.org-1f2e3d4c.eml`: the CSV line, the address made safe for a file
/// name, and the start of the message's SHA-256 (each attempt's own).
fn file_name(r: &Recipient, sha256: &str) -> String {
    let email: String = r
        .key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '@' | '.' | '-' | '_' | '+') {
                c
            } else {
                '_'
            }
        })
        .take(120)
        .collect();
    let attempt: String = sha256.chars().take(8).collect();
    format!("{:06}-{email}-{attempt}.eml", r.line)
}

fn create_private_dir(dir: &Path) -> Result<(), PrepareError> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| PrepareError::Files(format!("cannot create {}: {e}", dir.display())))
}

/// Writes the file readable by its owner only (it holds a code), atomically. Not synced: a
/// file torn by a crash fails the SHA-256 check before it is sent, and is never sent torn.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("eml.tmp");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    file.write_all(bytes)?;
    std::fs::rename(&tmp, path)
}
