//! The rehearsal's invite dispatch: a demo cohort and the default template in a directory of
//! its own, the in-process SMTP server on loopback (with a few temporary refusals, one
//! permanent refusal and one delivery in doubt), and a simulated operator who prepares the
//! batch and sends it at a watchable rate, through the same core as `gonogo invites`.

use super::smtp::{DemoSmtp, DemoSmtpScript};
use super::world::StoryClock;
use crate::config::Config;
use crate::invite::{self, Ledger, PrepareOptions, SendOptions, Setup};
use crate::journal::Journal;
use sqlx::PgPool;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The batch the rehearsal prepares and sends.
pub const BATCH: &str = "wave-1";
/// Who prepares and sends it, in the journal.
const OPERATOR: &str = "ops (simulated)";
/// Story times of the two steps.
const PREPARE_AT: Duration = super::script::at(2, 0);
const SEND_AT: Duration = super::script::at(3, 0);

/// The recipients the SMTP server answers otherwise than `250`.
const TEMPORARY: &[(&str, u32)] = &[
    ("listener-07@example.org", 1),
    ("creator-03@example.org", 1),
    ("listener-19@example.org", 2),
];
const PERMANENT: &str = "press-05@example.org";
const IN_DOUBT: &str = "listener-28@example.org";

pub struct DemoDispatch {
    pub smtp: DemoSmtp,
    dir: PathBuf,
    /// Its own temporary directory, when there is no throwaway cluster to live in.
    _owned: Option<tempfile::TempDir>,
}

impl DemoDispatch {
    /// Writes the template and the cohort (inside `home`, the throwaway cluster's directory,
    /// when there is one: it goes with it, even after a SIGKILL), starts the SMTP server.
    pub async fn start(home: Option<&Path>) -> std::io::Result<DemoDispatch> {
        let (dir, owned) = match home {
            Some(home) => (home.join("dispatch"), None),
            None => {
                let owned = tempfile::Builder::new()
                    .prefix("gonogo-dispatch-")
                    .tempdir()?;
                (owned.path().to_path_buf(), Some(owned))
            }
        };
        let template = dir.join("templates/beta_invite");
        std::fs::create_dir_all(&template)?;
        for (name, text) in crate::invite::template::DEFAULT {
            std::fs::write(template.join(name), text)?;
        }
        std::fs::write(dir.join("cohort.csv"), cohort_csv())?;
        let mut script = DemoSmtpScript::new()
            .refuse_permanently(PERMANENT)
            .drop_after_data(IN_DOUBT);
        for (rcpt, times) in TEMPORARY {
            script = script.refuse_temporarily(rcpt, *times);
        }
        let smtp = super::smtp::start(script).await?;
        Ok(DemoDispatch {
            smtp,
            dir,
            _owned: owned,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The `[invites]` section of the rehearsal's config.
    pub fn config_section(&self, speed: f64) -> String {
        let q = |v: &str| toml::Value::String(v.replace('$', "$$")).to_string();
        // Watchable: the batch takes about a minute of wall time at any speed.
        let rate = format!(
            "{}/m",
            (60.0 * speed.clamp(1.0, 20.0) / 7.0).round().max(30.0)
        );
        format!(
            "[invites]\ntemplate = {}\nfrom = \"Soft launch team <beta@example.org>\"\nreply_to = \"ops@example.org\"\n\
             signup_url = \"https://app.example.org/signup?invite={{{{ code }}}}\"\nout_dir = {}\nexpires_in = \"30d\"\n\
             rate = {}\nretry = \"4s\"\nsmtp_url = {}\n",
            q(&self.dir.join("templates/beta_invite").display().to_string()),
            q(&self.dir.join("out").display().to_string()),
            q(&rate),
            q(&format!("smtp://{}?tls=none", self.smtp.addr())),
        )
    }

    pub fn cohort_path(&self) -> PathBuf {
        self.dir.join("cohort.csv")
    }
}

/// 60 recipients in three groups: enough for the cohort review's default thresholds.
fn cohort_csv() -> String {
    let mut text = String::from("email,cohort,name\n");
    let groups: [(&str, &str, u32); 4] = [
        ("creator", "creator-fr", 12),
        ("listener", "listener-fr", 24),
        ("listener", "listener-be", 12),
        ("press", "press-fr", 12),
    ];
    let mut listener = 0;
    for (prefix, label, n) in groups {
        for i in 1..=n {
            let number = if prefix == "listener" {
                listener += 1;
                listener
            } else {
                i
            };
            text.push_str(&format!(
                "{prefix}-{number:02}@example.org,{label},{} {number}\n",
                capitalized(prefix)
            ));
        }
    }
    text
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// The simulated operator: prepares the batch, then sends it; each step at its story time.
pub async fn rehearse(
    config: Config,
    config_path: PathBuf,
    cohort: PathBuf,
    pool: PgPool,
    clock: StoryClock,
    cancel: CancellationToken,
) {
    let Ok(setup) = Setup::new(&config, &config_path) else {
        tracing::warn!("the rehearsal's [invites] did not load; no dispatch in this rehearsal");
        return;
    };
    let launch = config.launch().name.0.clone();
    let journal = Journal::new(pool.clone(), launch.clone(), OPERATOR);
    if !wait_until(&clock, PREPARE_AT, &cancel).await {
        return;
    }
    let options = PrepareOptions {
        file: cohort,
        batch: BATCH.into(),
        force: false,
        reason: None,
        operator: OPERATOR.into(),
        timeout: config.raw.defaults.timeout,
    };
    if let Err(e) = invite::prepare(&setup, &pool, &journal, &options, &config.raw.cohort).await {
        tracing::warn!("the rehearsal's batch was not prepared: {e}");
        return;
    }
    if !wait_until(&clock, SEND_AT, &cancel).await {
        return;
    }
    let ledger = Ledger::new(pool, launch);
    let options = SendOptions {
        batch: Some(BATCH.into()),
        limit: None,
        rate: setup.settings.rate,
        operator: OPERATOR.into(),
        wait_for_retries: true,
    };
    let (progress, mut news) = tokio::sync::mpsc::unbounded_channel();
    let drain = async { while news.recv().await.is_some() {} };
    let run = invite::send::run(&setup, &ledger, &journal, &options, progress, cancel);
    let (result, ()) = tokio::join!(run, drain);
    if let Err(e) = result {
        tracing::warn!("the rehearsal's send run stopped: {e}");
    }
}

async fn wait_until(clock: &StoryClock, story: Duration, cancel: &CancellationToken) -> bool {
    let wait = clock
        .to_wall(story)
        .saturating_sub(clock.to_wall(clock.story_elapsed()));
    tokio::select! {
        () = cancel.cancelled() => false,
        () = tokio::time::sleep(wait) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_cohort_passes_the_default_review() {
        let text = cohort_csv();
        let scan = crate::cohort::validate(text.as_bytes(), &Default::default()).unwrap();
        assert_eq!(scan.report.rows, 60);
        assert_eq!(
            scan.report.status,
            crate::cohort::Status::Ok,
            "{}",
            scan.report.summary_line()
        );
        for addr in [PERMANENT, IN_DOUBT, TEMPORARY[0].0, TEMPORARY[2].0] {
            assert!(text.contains(addr), "{addr} is not in the cohort");
        }
    }
}
