//! A launch directory for the dispatch tests: a migrated test database with a `users` table, the
//! default invitation template, a config with `[invites]` pointing at a transport, cohort files,
//! the `gonogo` binary run against it (blocking or as a child to signal), and the ledger read
//! back from the database.

use sqlx::PgPool;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const FROM: &str = "Veza Beta <beta@veza.fr>";
pub const SIGNUP: &str = "https://veza.fr/signup?invite={{ code }}";
pub const LAUNCH_NAME: &str = "Test launch";

pub struct Rig {
    pub dir: tempfile::TempDir,
    pub pool: PgPool,
    pub db_url: String,
}

/// One ledger row as the tests check it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub id: i64,
    pub batch: String,
    pub email: String,
    pub state: String,
    pub message_id: String,
    pub eml_path: String,
    pub eml_sha256: String,
    pub attempts: i32,
    pub reason: Option<String>,
    pub line: Option<i64>,
    pub code: String,
}

impl Rig {
    /// Migrates the test database, adds the product's `users` table and copies the template.
    pub async fn new(pool: &PgPool) -> Rig {
        gonogo::db::migrate(pool).await.expect("migrate");
        super::database::users(pool, &[]).await;
        let dir = tempfile::tempdir().expect("temp dir");
        let template = dir.path().join("templates/beta_invite");
        std::fs::create_dir_all(&template).expect("template dir");
        let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/templates/beta_invite");
        for part in ["subject.txt", "body.txt", "body.html"] {
            std::fs::copy(assets.join(part), template.join(part)).expect("copy the template");
        }
        Rig {
            dir,
            pool: pool.clone(),
            db_url: super::db_url(pool),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn config_path(&self) -> PathBuf {
        self.path().join("gonogo.toml")
    }

    /// Writes the config: `transport` is the `smtp_url = …` or `send_cmd = …` line, `invites`
    /// more `[invites]` keys, `launch` more `[launch]` keys.
    pub fn configure(&self, transport: &str, invites: &str, launch: &str) {
        let text = format!(
            "[launch]\nname = \"{LAUNCH_NAME}\"\n{launch}\n\n[postgres]\nurl = \"{}\"\n\n\
             [cohort]\nmin_rows = 1\nmin_labels = 1\n[cohort.groups]\n\n\
             [invites]\nfrom = \"{FROM}\"\nreply_to = \"ops@veza.fr\"\nsignup_url = \"{SIGNUP}\"\n\
             out_dir = \"out\"\nretry = \"200ms\"\nsend_timeout = \"10s\"\n{transport}\n{invites}\n",
            self.db_url
        );
        std::fs::write(self.config_path(), text).expect("write the config");
    }

    /// `smtp_url` for a loopback server without TLS.
    pub fn smtp(url: &str) -> String {
        format!("smtp_url = \"{url}?tls=none\"")
    }

    /// Writes `name` with the header `email,cohort,name,sent_by` and these rows (as written).
    pub fn cohort(&self, name: &str, rows: &[String]) -> PathBuf {
        let path = self.path().join(name);
        let mut text = String::from("email,cohort,name,sent_by\n");
        for row in rows {
            text.push_str(row);
            text.push('\n');
        }
        std::fs::write(&path, text).expect("write the cohort");
        path
    }

    /// `n` clean recipients `user{i}@example.org` in cohort `creator-fr`.
    pub fn clean_cohort(&self, name: &str, n: usize) -> PathBuf {
        let rows: Vec<String> = (0..n)
            .map(|i| format!("user{i}@example.org,creator-fr,User {i},"))
            .collect();
        self.cohort(name, &rows)
    }

    pub fn command(&self) -> Command {
        let mut cmd = self.command_without_config();
        cmd.arg("--config").arg(self.config_path());
        cmd
    }

    /// `gonogo` in the launch directory, the config not named (the caller names it, or not).
    pub fn command_without_config(&self) -> Command {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("gonogo"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path())
            .env("GONOGO_LOG_DIR", self.path().join("logs"))
            .env("GONOGO_OPERATOR", "tester")
            .current_dir(self.path())
            .stdin(Stdio::null());
        cmd
    }

    /// Runs `gonogo ARGS` with `$SMTP_PASSWORD` set and logging at debug; what it printed is
    /// appended to `outputs`, for tests that grep every output for a secret.
    pub fn run_with_password(
        &self,
        password: &str,
        outputs: &mut String,
        args: &[&str],
    ) -> Option<i32> {
        let out = self
            .command()
            .env("SMTP_PASSWORD", password)
            .env("RUST_LOG", "debug")
            .args(args)
            .output()
            .expect("run gonogo");
        outputs.push_str(&String::from_utf8_lossy(&out.stdout));
        outputs.push_str(&String::from_utf8_lossy(&out.stderr));
        out.status.code()
    }

    /// Runs `gonogo ARGS` to the end: (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (Option<i32>, String, String) {
        let out = self.command().args(args).output().expect("run gonogo");
        split(out)
    }

    /// Same, without blocking the async test's runtime (an in-process server keeps answering).
    pub async fn run_async(&self, args: &[&str]) -> (Option<i32>, String, String) {
        let mut cmd = tokio::process::Command::from(self.command());
        let out = cmd.args(args).output().await.expect("run gonogo");
        split(out)
    }

    /// Starts `gonogo ARGS` with its output in files (`<tag>.out`, `<tag>.err`).
    pub fn spawn(&self, tag: &str, args: &[&str]) -> std::process::Child {
        let out = std::fs::File::create(self.path().join(format!("{tag}.out"))).unwrap();
        let err = std::fs::File::create(self.path().join(format!("{tag}.err"))).unwrap();
        self.command()
            .args(args)
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("start gonogo")
    }

    /// What a spawned run printed: stdout then stderr.
    pub fn output_of(&self, tag: &str) -> String {
        let read = |ext: &str| {
            std::fs::read_to_string(self.path().join(format!("{tag}.{ext}"))).unwrap_or_default()
        };
        format!("{}{}", read("out"), read("err"))
    }

    /// `invites prepare FILE --batch BATCH`, asserting exit 0.
    pub fn prepare(&self, file: &Path, batch: &str) -> String {
        let (code, out, err) = self.run(&[
            "invites",
            "prepare",
            file.to_str().unwrap(),
            "--batch",
            batch,
        ]);
        assert_eq!(code, Some(0), "prepare failed:\n{out}\n{err}");
        out
    }

    /// Every ledger row (with its invite's code), in id order.
    pub async fn ledger(&self) -> Vec<Row> {
        sqlx::query_as(
            "SELECT d.id, d.batch, d.email, d.state, d.message_id, d.eml_path, d.eml_sha256,
                    d.attempts, d.reason, d.line, i.code::text AS code
             FROM gonogo.dispatch d JOIN public.beta_invites i ON i.id = d.invite_id
             ORDER BY d.id",
        )
        .fetch_all(&self.pool)
        .await
        .expect("read the ledger")
    }

    /// Rows per state.
    pub async fn states(&self) -> std::collections::BTreeMap<String, usize> {
        let mut counts = std::collections::BTreeMap::new();
        for row in self.ledger().await {
            *counts.entry(row.state).or_insert(0) += 1;
        }
        counts
    }

    pub async fn invites_count(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM public.beta_invites")
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    /// Every journal line as `kind` and its data as text.
    pub async fn journal(&self) -> Vec<(String, String)> {
        sqlx::query_as("SELECT kind, data::text FROM gonogo.journal ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .expect("read the journal")
    }
}

fn split(out: Output) -> (Option<i32>, String, String) {
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Message-IDs without their angle brackets, as mail-parser gives them.
pub fn bare(message_id: &str) -> &str {
    message_id.trim_start_matches('<').trim_end_matches('>')
}

/// Fails on any Message-ID received more than once, naming it.
pub fn assert_no_duplicates(ids: &[String]) {
    let mut seen = std::collections::HashSet::new();
    for id in ids {
        assert!(seen.insert(id), "{id} was received twice");
    }
}

/// What every drill ends with, whatever else it checks: the server's messages each received
/// once, each `sent` or `unknown` in the ledger, and every `sent` row received. Returns the
/// ledger and the received Message-IDs.
pub async fn assert_received_once_and_recorded(
    rig: &Rig,
    server: &super::smtp::SmtpServer,
) -> (Vec<Row>, Vec<String>) {
    let received = server.received();
    let ids: Vec<String> = received
        .iter()
        .filter_map(|r| r.message_id.clone())
        .collect();
    assert_eq!(
        ids.len(),
        received.len(),
        "a received message without Message-ID"
    );
    assert_no_duplicates(&ids);
    let ledger = rig.ledger().await;
    let state: std::collections::HashMap<String, String> = ledger
        .iter()
        .map(|r| (bare(&r.message_id).to_owned(), r.state.clone()))
        .collect();
    for id in &ids {
        let s = state.get(id).map(String::as_str);
        assert!(
            matches!(s, Some("sent" | "unknown")),
            "{id} was received and is {s:?} in the ledger"
        );
    }
    let seen: std::collections::HashSet<&String> = ids.iter().collect();
    for row in ledger.iter().filter(|r| r.state == "sent") {
        assert!(
            seen.contains(&bare(&row.message_id).to_owned()),
            "{} is sent but never arrived",
            row.email
        );
    }
    (ledger, ids)
}

/// Waits for the child to exit (failing the test after `limit`, the child woken and killed),
/// returning its exit code.
pub fn wait_exit(child: &mut std::process::Child, limit: std::time::Duration) -> Option<i32> {
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.code();
        }
        if started.elapsed() > limit {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(child.id() as i32),
                nix::sys::signal::Signal::SIGCONT,
            );
            let _ = child.kill();
            panic!("the sender did not exit within {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
