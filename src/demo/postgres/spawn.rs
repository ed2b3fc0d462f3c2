//! Running the server binaries: as the `postgres` user when we are root, tied to gonogo's life,
//! and `initdb` for a fresh cluster.

use super::{PgBinaries, PgError, SUPERUSER};
use std::path::Path;
use std::process::{Command, Stdio};

/// The user the server binaries run as: `None` for ourselves, or the `postgres` user's ids when
/// we are root.
pub(super) fn run_as() -> Result<Option<(u32, u32)>, PgError> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    match nix::unistd::User::from_name(SUPERUSER) {
        Ok(Some(user)) => Ok(Some((user.uid.as_raw(), user.gid.as_raw()))),
        Ok(None) => Err(PgError::NoPostgresUser("not in the user database".into())),
        Err(e) => Err(PgError::NoPostgresUser(format!("cannot look it up: {e}"))),
    }
}

/// Immediate shutdown (SIGQUIT) for the server when gonogo dies without stopping it. The
/// kernel ties this to the thread that forks, not the process: the server is started from the
/// runtime's own threads, which live as long as gonogo does; starting it from a short-lived
/// thread (`spawn_blocking`) would stop it when that thread exits.
#[cfg(target_os = "linux")]
pub(super) fn die_with_gonogo(cmd: &mut Command) {
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
pub(super) fn die_with_gonogo(_cmd: &mut Command) {}

pub(super) fn as_user(cmd: &mut Command, run_as: Option<(u32, u32)>) {
    use std::os::unix::process::CommandExt;
    if let Some((uid, gid)) = run_as {
        cmd.uid(uid).gid(gid);
    }
}

pub(super) async fn initdb(
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
