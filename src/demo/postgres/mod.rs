//! A throwaway PostgreSQL for the rehearsal: the server binaries found on PATH or under
//! `/usr/lib/postgresql/*/bin`, a cluster in a temp dir (run as the `postgres` user when we are
//! root, since PostgreSQL refuses root), stopped and removed when the guard drops.
//!
//! A gonogo that dies without running its guard (SIGKILL, a panic) cannot stop the server, so
//! the kernel does: the server gets SIGQUIT when gonogo goes. The next rehearsal removes the
//! directories that such a gonogo left behind.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

mod binaries;
mod leftovers;
mod spawn;

pub use binaries::{BinarySearch, PgBinaries};
pub use leftovers::remove_leftovers;
use spawn::{as_user, die_with_gonogo, initdb, run_as};

/// How to get the binaries, shown whenever they are missing.
pub const INSTALL_HINT: &str = "install them (Debian/Ubuntu: `apt-get install postgresql`; \
Fedora: `dnf install postgresql-server`; macOS: `brew install postgresql`) \
or pass --database-url URL to rehearse against an existing database";

/// The superuser of the throwaway cluster.
const SUPERUSER: &str = "postgres";
/// How long the server may take to accept connections.
const START_BUDGET: Duration = Duration::from_secs(30);
/// How long an immediate shutdown may take before the server is killed outright.
const STOP_BUDGET: Duration = Duration::from_secs(5);
/// Prefix of the rehearsal's temp dirs, and the file in each naming the gonogo that owns it.
const DIR_PREFIX: &str = "gonogo-demo-";
const OWNER_FILE: &str = "gonogo.pid";

#[derive(Debug, thiserror::Error)]
pub enum PgError {
    #[error(
        "no PostgreSQL server binaries found: the rehearsal needs initdb and postgres \
         in one directory (looked in: {}); {INSTALL_HINT}",
        list(.searched)
    )]
    NotFound { searched: Vec<PathBuf> },
    #[error(
        "running as root, and PostgreSQL refuses to run as root, but there is no `postgres` \
         system user to run it as ({0}); create one (`adduser --system --group postgres`), run \
         gonogo as a normal user, or pass --database-url URL"
    )]
    NoPostgresUser(String),
    #[error("cannot prepare the throwaway database directory: {0}")]
    TempDir(String),
    #[error("initdb failed: {0}")]
    Initdb(String),
    #[error("the throwaway PostgreSQL did not start: {0}")]
    Start(String),
}

fn list(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        return "nowhere: PATH is empty and /usr/lib/postgresql holds no versions".into();
    }
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A running throwaway cluster. Dropping it stops the server and removes its directory.
pub struct ThrowawayPostgres {
    url: String,
    data_dir: PathBuf,
    run_as: Option<(u32, u32)>,
    server: Option<Child>,
    dir: Option<tempfile::TempDir>,
    root: PathBuf,
}

impl std::fmt::Debug for ThrowawayPostgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ThrowawayPostgres")
            .field("url", &self.url)
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

impl ThrowawayPostgres {
    /// Creates a cluster in a fresh temp dir and starts it on a free loopback port; returns once
    /// it accepts connections.
    pub async fn start(search: &BinarySearch) -> Result<ThrowawayPostgres, PgError> {
        let bins = search.find()?;
        let run_as = run_as()?;
        let temp = std::env::temp_dir();
        remove_leftovers(&temp);
        let dir = tempfile::Builder::new()
            .prefix(DIR_PREFIX)
            .tempdir_in(&temp)
            .map_err(|e| PgError::TempDir(e.to_string()))?;
        std::fs::write(dir.path().join(OWNER_FILE), std::process::id().to_string())
            .map_err(|e| PgError::TempDir(format!("cannot mark {}: {e}", dir.path().display())))?;
        if let Some((uid, gid)) = run_as {
            nix::unistd::chown(
                dir.path(),
                Some(nix::unistd::Uid::from_raw(uid)),
                Some(nix::unistd::Gid::from_raw(gid)),
            )
            .map_err(|e| {
                PgError::TempDir(format!(
                    "cannot hand {} to the postgres user: {e}",
                    dir.path().display()
                ))
            })?;
        }
        let root = dir.path().to_path_buf();
        let data_dir = root.join("data");
        initdb(&bins, &data_dir, &root, run_as).await?;
        let mut guard = ThrowawayPostgres {
            url: String::new(),
            data_dir,
            run_as,
            server: None,
            dir: Some(dir),
            root,
        };
        // A free port can be taken between our probe and the server's bind: try a few.
        let mut last = String::new();
        for _ in 0..3 {
            match guard.launch(&bins).await {
                Ok(()) => return Ok(guard),
                Err(why) => {
                    guard.stop_server();
                    last = why;
                }
            }
        }
        Err(PgError::Start(last))
    }

    /// `postgres://postgres@127.0.0.1:PORT/postgres`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The temp dir holding the cluster, its socket and its log (gone after [`Self::stop`]).
    pub fn dir(&self) -> &Path {
        &self.root
    }

    async fn launch(&mut self, bins: &PgBinaries) -> Result<(), String> {
        use std::os::unix::process::CommandExt;
        let port = free_port().map_err(|e| format!("no free loopback port: {e}"))?;
        let log_path = self.root.join("postgres.log");
        let log = std::fs::File::create(&log_path)
            .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
        let log_err = log
            .try_clone()
            .map_err(|e| format!("cannot share the log file: {e}"))?;
        let mut cmd = Command::new(bins.bin("postgres"));
        cmd.arg("-D")
            .arg(&self.data_dir)
            .arg("-p")
            .arg(port.to_string())
            .arg("-k")
            .arg(&self.root)
            .args(["-c", "listen_addresses=127.0.0.1"])
            // A rehearsal's data is disposable: trade durability for speed.
            .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
            .args(["-c", "full_page_writes=off", "-c", "max_connections=40"])
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            // Its own process group: Ctrl-C in the terminal reaches gonogo, which then stops the
            // server in order, instead of the server vanishing under the cockpit.
            .process_group(0);
        as_user(&mut cmd, self.run_as);
        die_with_gonogo(&mut cmd);
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", bins.bin("postgres").display()))?;
        self.server = Some(child);
        self.url = format!("postgres://{SUPERUSER}@127.0.0.1:{port}/postgres");
        let started = tokio::time::Instant::now();
        loop {
            if let Some(server) = self.server.as_mut()
                && let Ok(Some(status)) = server.try_wait()
            {
                return Err(format!(
                    "postgres exited ({status}): {}",
                    log_tail(&log_path)
                ));
            }
            match serving_directory(&self.url).await {
                Some(dir) if same_dir(Path::new(&dir), &self.data_dir) => return Ok(()),
                // Another server took the port between our probe and our bind.
                Some(dir) => {
                    return Err(format!(
                        "port {port} answers for another server ({})",
                        crate::text::sanitize_short(&dir, 200)
                    ));
                }
                None => {}
            }
            if started.elapsed() > START_BUDGET {
                return Err(format!(
                    "not accepting connections after {}s: {}",
                    START_BUDGET.as_secs(),
                    log_tail(&log_path)
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Immediate shutdown (SIGQUIT to the postmaster, which stops its backends): the data is
    /// disposable, and it takes milliseconds, so stopping from a drop does not hold up a thread.
    fn stop_server(&mut self) {
        let Some(mut server) = self.server.take() else {
            return;
        };
        if let Ok(pid) = i32::try_from(server.id()) {
            let pid = nix::unistd::Pid::from_raw(pid);
            if let Err(e) = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGQUIT) {
                tracing::debug!(error = %e, "cannot signal the throwaway PostgreSQL");
            }
        }
        let deadline = std::time::Instant::now() + STOP_BUDGET;
        loop {
            match server.try_wait() {
                Ok(Some(_)) => return,
                Ok(None) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                _ => {
                    tracing::warn!("the throwaway PostgreSQL ignored SIGQUIT: killing it");
                    let _ = server.kill();
                    let _ = server.wait();
                    return;
                }
            }
        }
    }

    /// Stops the server (immediate shutdown) and removes the temp dir. Idempotent; also
    /// runs on drop, so error paths and Ctrl-C leave nothing behind.
    pub fn stop(&mut self) {
        self.stop_server();
        if let Some(dir) = self.dir.take() {
            let shown = dir.path().display().to_string();
            if let Err(e) = dir.close() {
                tracing::warn!(dir = %shown, error = %e, "cannot remove the throwaway database");
            }
        }
    }
}

impl Drop for ThrowawayPostgres {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> std::io::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// The data directory of the server answering at `url`, once one does.
async fn serving_directory(url: &str) -> Option<String> {
    use sqlx::Connection;
    let ask = async {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        let dir: String = sqlx::query_scalar("SHOW data_directory")
            .fetch_one(&mut conn)
            .await?;
        let _ = conn.close().await;
        Ok::<String, sqlx::Error>(dir)
    };
    tokio::time::timeout(Duration::from_secs(2), ask)
        .await
        .ok()?
        .ok()
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().rev().take(3).collect();
    let lines: Vec<&str> = lines.into_iter().rev().collect();
    if lines.is_empty() {
        return "(no server log)".into();
    }
    crate::text::sanitize_short(&lines.join(" "), 400)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Another server on loopback (the machine's own) is told apart from the throwaway one.
    #[tokio::test]
    async fn a_server_is_recognised_by_its_data_directory() {
        let url = std::env::var("DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let theirs = serving_directory(&url)
            .await
            .expect("the test database answers SHOW data_directory");
        assert!(same_dir(Path::new(&theirs), Path::new(&theirs)));
        let ours = tempfile::tempdir().unwrap();
        assert!(!same_dir(Path::new(&theirs), ours.path()));
        let nobody = format!("postgres://postgres@127.0.0.1:{}/x", free_port().unwrap());
        assert_eq!(serving_directory(&nobody).await, None);
    }
}
