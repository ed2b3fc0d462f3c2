//! Cleaning up after rehearsals that died before their guard ran: their directories, and a
//! server still running in one.

use super::spawn::run_as;
use super::{DIR_PREFIX, OWNER_FILE, STOP_BUDGET, same_dir};
use std::path::Path;
use std::time::Duration;

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

#[cfg(test)]
mod tests {
    use super::*;

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
