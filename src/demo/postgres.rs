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

/// Where to look for the server binaries. Injectable so tests can simulate a bare machine.
#[derive(Debug, Clone)]
pub struct BinarySearch {
    /// Directories searched first, in order (normally `$PATH`).
    pub path_dirs: Vec<PathBuf>,
    /// Roots holding one directory per version with a `bin/` inside (`/usr/lib/postgresql`);
    /// the newest version is tried first.
    pub versioned_roots: Vec<PathBuf>,
}

impl Default for BinarySearch {
    fn default() -> Self {
        BinarySearch::system()
    }
}

impl BinarySearch {
    /// `$PATH`, then `/usr/lib/postgresql/*/bin` (Debian and Ubuntu keep them there).
    pub fn system() -> BinarySearch {
        let path = std::env::var_os("PATH").unwrap_or_default();
        BinarySearch {
            path_dirs: std::env::split_paths(&path)
                .filter(|p| !p.as_os_str().is_empty())
                .collect(),
            versioned_roots: vec![PathBuf::from("/usr/lib/postgresql")],
        }
    }

    /// Every directory that will be tried, in order.
    pub fn candidates(&self) -> Vec<PathBuf> {
        let mut dirs = self.path_dirs.clone();
        for root in &self.versioned_roots {
            let Ok(entries) = std::fs::read_dir(root) else {
                continue;
            };
            let mut versions: Vec<(Vec<u64>, PathBuf)> = entries
                .flatten()
                .map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    (version_key(&name), e.path().join("bin"))
                })
                .collect();
            versions.sort_by(|a, b| b.0.cmp(&a.0));
            dirs.extend(versions.into_iter().map(|(_, bin)| bin));
        }
        dirs
    }

    /// The first directory holding both binaries.
    pub fn find(&self) -> Result<PgBinaries, PgError> {
        let candidates = self.candidates();
        candidates
            .iter()
            .find(|dir| {
                ["initdb", "postgres"]
                    .iter()
                    .all(|name| is_executable(&dir.join(name)))
            })
            .map(|dir| PgBinaries { dir: dir.clone() })
            .ok_or(PgError::NotFound {
                searched: candidates,
            })
    }
}

/// `"15"` → `[15]`, `"9.6"` → `[9, 6]`; names that are not versions sort last.
fn version_key(name: &str) -> Vec<u64> {
    name.split('.')
        .map_while(|part| part.parse().ok())
        .collect()
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The directory holding `initdb` and `postgres`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgBinaries {
    pub dir: PathBuf,
}

impl PgBinaries {
    fn bin(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// The user the server binaries run as: `None` for ourselves, or the `postgres` user's ids when
/// we are root.
fn run_as() -> Result<Option<(u32, u32)>, PgError> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    match nix::unistd::User::from_name(SUPERUSER) {
        Ok(Some(user)) => Ok(Some((user.uid.as_raw(), user.gid.as_raw()))),
        Ok(None) => Err(PgError::NoPostgresUser("not in the user database".into())),
        Err(e) => Err(PgError::NoPostgresUser(format!("cannot look it up: {e}"))),
    }
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

/// Immediate shutdown (SIGQUIT) for the server when gonogo dies without stopping it. The
/// kernel ties this to the thread that forks, not the process: the server is started from the
/// runtime's own threads, which live as long as gonogo does; starting it from a short-lived
/// thread (`spawn_blocking`) would stop it when that thread exits.
#[cfg(target_os = "linux")]
fn die_with_gonogo(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    let gonogo = nix::unistd::getpid();
    // SAFETY: runs in the forked child before exec and only makes async-signal-safe system
    // calls (prctl, getppid); it allocates nothing (an `Errno` becomes an `io::Error` without
    // allocating) and takes no lock. std runs it after the uid change, which would otherwise
    // clear the death signal.
    unsafe {
        cmd.pre_exec(move || {
            nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGQUIT)?;
            // gonogo died before the line above: nothing would stop this server.
            if nix::unistd::getppid() != gonogo {
                return Err(nix::errno::Errno::ESRCH.into());
            }
            Ok(())
        });
    }
}

/// Elsewhere there is no death signal; the next rehearsal's sweep stops a leftover server.
#[cfg(not(target_os = "linux"))]
fn die_with_gonogo(_cmd: &mut Command) {}

fn as_user(cmd: &mut Command, run_as: Option<(u32, u32)>) {
    use std::os::unix::process::CommandExt;
    if let Some((uid, gid)) = run_as {
        cmd.uid(uid).gid(gid);
    }
}

async fn initdb(
    bins: &PgBinaries,
    data_dir: &Path,
    cwd: &Path,
    run_as: Option<(u32, u32)>,
) -> Result<(), PgError> {
    let mut cmd = tokio::process::Command::new(bins.bin("initdb"));
    cmd.arg("-D")
        .arg(data_dir)
        .args(["--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"])
        .arg(format!("--username={SUPERUSER}"))
        .current_dir(cwd)
        .stdin(Stdio::null())
        .kill_on_drop(true);
    if let Some((uid, gid)) = run_as {
        cmd.uid(uid).gid(gid);
    }
    let out = cmd.output().await.map_err(|e| {
        PgError::Initdb(format!("cannot run {}: {e}", bins.bin("initdb").display()))
    })?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(4).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Err(PgError::Initdb(crate::text::sanitize_short(
        &format!("{} ({})", tail.join(" "), out.status),
        400,
    )))
}

/// Removes the rehearsal directories of gonogo processes that are gone (killed before they could
/// clean up), stopping a server still running in one. A directory whose owner is alive, or that
/// names no owner, is left alone.
pub fn remove_leftovers(temp: &Path) {
    let Ok(entries) = std::fs::read_dir(temp) else {
        return;
    };
    for entry in entries.flatten() {
        let dir = entry.path();
        let is_ours = entry.file_name().to_string_lossy().starts_with(DIR_PREFIX);
        if !is_ours || !made_by_a_rehearsal(&dir) {
            continue;
        }
        let Some(owner) = read_pid(&dir.join(OWNER_FILE)) else {
            continue;
        };
        if crate::process::alive(owner, None) {
            continue;
        }
        let data = dir.join("data");
        if let Some(server) = read_pid(&data.join("postmaster.pid"))
            && crate::process::alive(server, None)
            && serves(server, &data)
        {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(server),
                nix::sys::signal::Signal::SIGQUIT,
            );
            let deadline = std::time::Instant::now() + STOP_BUDGET;
            while crate::process::alive(server, None) && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => {
                tracing::info!(dir = %dir.display(), "removed a rehearsal's leftover database")
            }
            Err(e) => tracing::debug!(dir = %dir.display(), error = %e, "cannot remove a leftover"),
        }
    }
}

/// The pid on the first line of `path`.
fn read_pid(path: &Path) -> Option<i32> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .next()?
        .trim()
        .parse()
        .ok()
        .filter(|pid| *pid > 0)
}

/// A real directory (not a link) owned by us or, when we are root, by the `postgres` user: a
/// directory someone else planted in a shared temp dir is not ours to clean.
fn made_by_a_rehearsal(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::symlink_metadata(dir) else {
        return false;
    };
    let me = nix::unistd::geteuid().as_raw();
    let postgres = run_as().ok().flatten().map(|(uid, _)| uid);
    meta.is_dir() && (meta.uid() == me || Some(meta.uid()) == postgres)
}

/// Whether `pid` is the postmaster of the cluster in `data`: it works in its data directory. A
/// pid from an old `postmaster.pid` may since belong to anything, even another cluster's backend.
fn serves(pid: i32, data: &Path) -> bool {
    let Ok(cwd) = std::fs::read_link(format!("/proc/{pid}/cwd")) else {
        return false;
    };
    same_dir(&cwd, data)
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

    #[test]
    fn newest_version_first_and_path_before_roots() {
        let root = tempfile::tempdir().unwrap();
        for v in ["9.6", "15", "13", "notes"] {
            std::fs::create_dir_all(root.path().join(v).join("bin")).unwrap();
        }
        let search = BinarySearch {
            path_dirs: vec![PathBuf::from("/opt/pg/bin")],
            versioned_roots: vec![root.path().to_path_buf()],
        };
        let c = search.candidates();
        let names: Vec<String> = c.iter().map(|p| p.display().to_string()).collect();
        assert_eq!(names[0], "/opt/pg/bin");
        assert!(names[1].ends_with("/15/bin"), "{names:?}");
        assert!(names[2].ends_with("/13/bin"), "{names:?}");
        assert!(names[3].ends_with("/9.6/bin"), "{names:?}");
        assert!(names[4].ends_with("/notes/bin"), "{names:?}");
    }

    #[test]
    fn a_directory_needs_both_executables() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let make = |name: &str, mode: u32| {
            let p = dir.path().join(name);
            std::fs::write(&p, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        };
        make("initdb", 0o755);
        make("postgres", 0o644);
        let search = BinarySearch {
            path_dirs: vec![dir.path().to_path_buf()],
            versioned_roots: vec![],
        };
        let err = search.find().unwrap_err().to_string();
        assert!(err.contains("apt-get install postgresql"), "{err}");
        make("postgres", 0o755);
        assert_eq!(search.find().unwrap().dir, dir.path());
    }

    /// A pid that was just in use and is no longer.
    fn dead_pid() -> i32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id() as i32;
        child.wait().unwrap();
        pid
    }

    #[test]
    fn only_directories_of_dead_owners_are_removed() {
        let temp = tempfile::tempdir().unwrap();
        let make = |name: &str, owner: Option<i32>| {
            let dir = temp.path().join(name);
            std::fs::create_dir_all(dir.join("data")).unwrap();
            if let Some(pid) = owner {
                std::fs::write(dir.join(OWNER_FILE), pid.to_string()).unwrap();
            }
            dir
        };
        let orphan = make("gonogo-demo-orphan", Some(dead_pid()));
        let live = make("gonogo-demo-live", Some(std::process::id() as i32));
        let unmarked = make("gonogo-demo-unmarked", None);
        let other = make("someone-else", Some(dead_pid()));
        remove_leftovers(temp.path());
        assert!(!orphan.exists(), "a dead gonogo's directory is removed");
        assert!(live.exists(), "a running gonogo's directory stays");
        assert!(unmarked.exists(), "a directory naming no owner stays");
        assert!(other.exists(), "only gonogo's directories are looked at");
    }

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

    #[test]
    fn a_server_is_only_signalled_where_it_works() {
        let data = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let mut sleeper = std::process::Command::new("sleep")
            .arg("30")
            .current_dir(data.path())
            .spawn()
            .unwrap();
        let pid = sleeper.id() as i32;
        assert!(serves(pid, data.path()));
        assert!(
            !serves(pid, elsewhere.path()),
            "a reused pid working elsewhere"
        );
        sleeper.kill().unwrap();
        sleeper.wait().unwrap();
        assert!(!serves(pid, data.path()));
    }

    #[test]
    fn a_link_planted_in_the_temp_dir_is_left_alone() {
        let temp = tempfile::tempdir().unwrap();
        let target = tempfile::tempdir().unwrap();
        std::fs::write(target.path().join(OWNER_FILE), dead_pid().to_string()).unwrap();
        let link = temp.path().join("gonogo-demo-planted");
        std::os::unix::fs::symlink(target.path(), &link).unwrap();
        remove_leftovers(temp.path());
        assert!(target.path().join(OWNER_FILE).exists());
        assert!(std::fs::symlink_metadata(&link).is_ok());
    }
}
