//! Processes: this machine's name, whether a process recorded earlier still runs (a reused pid
//! is not taken for it), and children run in a process group of their own, their output drained
//! so a chatty one never blocks on a full pipe.

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::{Child, Command};

/// What a machine without a readable name is called.
pub const UNKNOWN_HOST: &str = "unknown-host";

/// This machine's name: the kernel's (`gethostname`), else `/proc/sys/kernel/hostname`, else
/// `$HOSTNAME`, else [`UNKNOWN_HOST`]. Every place that records or shows where something ran
/// asks here, so a run and an alert from one process never name two machines.
pub fn host_name() -> String {
    first_name([
        || {
            nix::unistd::gethostname()
                .ok()
                .and_then(|h| h.into_string().ok())
        },
        || std::fs::read_to_string("/proc/sys/kernel/hostname").ok(),
        || std::env::var("HOSTNAME").ok(),
    ])
}

/// The first of `sources` that gives a name with something in it, trimmed.
fn first_name(sources: [fn() -> Option<String>; 3]) -> String {
    sources
        .iter()
        .find_map(|source| {
            source()
                .map(|name| name.trim().to_owned())
                .filter(|name| !name.is_empty())
        })
        .unwrap_or_else(|| UNKNOWN_HOST.to_owned())
}

/// Who a process is on this machine: the boot it runs in and its start time, so a pid reused
/// after the process died (or after a reboot) is not taken for it. None when `/proc` cannot tell.
pub fn key(pid: u32) -> Option<String> {
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    Some(format!("{}:{}", boot.trim(), start_time(&stat)?))
}

/// Field 22 of `/proc/PID/stat` (start time), counted after the command name's closing
/// parenthesis: the name itself may hold spaces and parentheses.
fn start_time(stat: &str) -> Option<&str> {
    stat.rsplit_once(')')?.1.split_whitespace().nth(19)
}

/// Whether the process recorded as `pid` (with its [`key`], when one was recorded) still runs
/// here. A stopped process counts as running; pid 0 and negative pids never do.
pub fn alive(pid: i32, key: Option<&str>) -> bool {
    let Ok(pid) = u32::try_from(pid) else {
        return false;
    };
    if pid == 0 {
        return false;
    }
    match (key, self::key(pid)) {
        (Some(recorded), Some(now)) => recorded == now,
        // No key to compare: signal 0 checks without signalling (EPERM: it exists, as another
        // user's process).
        (None, _) => !matches!(
            nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), None),
            Err(nix::errno::Errno::ESRCH)
        ),
        (Some(_), None) => false,
    }
}

/// A child's process group, killed (SIGKILL) when dropped: the program and anything it started
/// that did not leave the group, however the caller's work ends (done, timed out, dropped).
#[derive(Debug)]
pub struct Group(Option<i32>);

impl Group {
    /// Kills every process in the group now.
    pub fn kill(&self) {
        use nix::sys::signal::{Signal, killpg};
        if let Some(pid) = self.0 {
            // ESRCH (all gone already) is the usual, happy case.
            let _ = killpg(nix::unistd::Pid::from_raw(pid), Signal::SIGKILL);
        }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts `command` as the leader of a new process group (so the whole tree can be ended at
/// once), killed if its handle is dropped; the [`Group`] guard ends the rest of the tree.
pub fn spawn_in_group(command: &mut Command) -> std::io::Result<(Child, Group)> {
    let child = command.process_group(0).kill_on_drop(true).spawn()?;
    let group = Group(child.id().and_then(|id| i32::try_from(id).ok()));
    Ok((child, group))
}

/// Reads a child's stream to its end, keeping the first `keep` bytes and dropping the rest.
pub async fn drain(stream: Option<impl AsyncRead + Unpin>, kept: &mut Vec<u8>, keep: usize) {
    let Some(mut stream) = stream else {
        return;
    };
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                let room = keep.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Stdio;

    #[test]
    fn the_host_name_comes_from_the_first_source_that_has_one() {
        let none = || None;
        let blank = || Some("  \n".to_owned());
        let kernel = || Some("kernel-name".to_owned());
        let file = || Some("file-name\n".to_owned());
        let env = || Some("env-name".to_owned());
        assert_eq!(first_name([kernel, file, env]), "kernel-name");
        assert_eq!(first_name([none, file, env]), "file-name", "trimmed");
        assert_eq!(first_name([blank, blank, env]), "env-name");
        assert_eq!(first_name([none, blank, none]), UNKNOWN_HOST);
        let here = host_name();
        assert!(!here.is_empty() && here == here.trim());
    }

    #[test]
    fn the_start_time_is_read_past_a_name_holding_parentheses() {
        let stat = "42 (a) b (c)) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 777 1000 1";
        assert_eq!(start_time(stat), Some("777"));
        assert_eq!(start_time("42 (no closing"), None);
        assert_eq!(start_time("42 (short) S 1"), None);
    }

    #[test]
    fn a_reused_pid_with_another_start_time_is_not_the_recorded_process() {
        let me = std::process::id();
        let key = key(me).expect("/proc");
        assert!(alive(me as i32, Some(&key)));
        assert!(alive(me as i32, None));
        let (boot, started) = key.rsplit_once(':').unwrap();
        let later: u64 = started.parse::<u64>().unwrap() + 1;
        assert!(!alive(me as i32, Some(&format!("{boot}:{later}"))));
        assert!(!alive(me as i32, Some("another-boot:1")));
        assert!(!alive(0, None));
        assert!(!alive(-1, None), "never a broadcast signal");
    }

    #[test]
    fn a_process_that_ended_is_not_alive() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        let recorded = key(pid);
        child.wait().unwrap();
        assert!(!alive(pid as i32, recorded.as_deref()));
    }

    #[tokio::test]
    async fn a_group_takes_its_children_with_it_and_output_is_capped() {
        let mut command = Command::new("sh");
        command
            .args([
                "-c",
                "sleep 30 >/dev/null & echo $!; head -c 100000 /dev/zero",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped());
        let (mut child, group) = spawn_in_group(&mut command).unwrap();
        let mut kept = Vec::new();
        drain(child.stdout.take(), &mut kept, 1000).await;
        assert_eq!(kept.len(), 1000);
        assert!(child.wait().await.unwrap().success());
        let sleeper: i32 = String::from_utf8_lossy(&kept)
            .lines()
            .next()
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert!(alive(sleeper, None));
        drop(group);
        // Killed, it lingers as a zombie until whoever adopted it reaps it.
        let gone = || {
            std::fs::read_to_string(format!("/proc/{sleeper}/stat")).map_or(true, |stat| {
                stat.rsplit_once(')')
                    .is_some_and(|(_, r)| r.trim_start().starts_with('Z'))
            })
        };
        let mut attempts = 0;
        while !gone() && attempts < 500 {
            attempts += 1;
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert!(gone(), "the background child died with its group");
    }
}
