//! `command` gates: runs a program (no shell) in a process group of its own; the value is a
//! number it prints on stdout, or else its exit code. At most [`OUTPUT_CAP`] bytes of each
//! stream are kept and the rest drained, so a chatty command never blocks on a full pipe; the
//! whole group is killed when the check ends for any reason (done, timed out, dropped at stop),
//! so no child outlives its gate.

use crate::gate::{Observation, Value};
use crate::text::Redactor;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};

/// Output kept per stream; beyond this it is read and dropped.
pub const OUTPUT_CAP: usize = 64 * 1024;
/// After the program exits, how long a background child may keep its output open before the
/// group is killed and the gate judged on what was read.
const LINGER: Duration = Duration::from_millis(250);

pub async fn run(argv: &[String], redactor: &Redactor) -> Result<Observation, String> {
    let (program, args) = argv.split_first().ok_or("empty command")?;
    let shown = redactor.excerpt(program, 80);
    let mut child = tokio::process::Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own group, so the whole tree can be ended at once.
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("command not found: {shown}"),
            _ => format!("cannot run {shown}: {e}"),
        })?;
    // Dropped on every way out of this function, the timeout's included.
    let _group = child.id().map(ProcessGroup);
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let (out, err) = (child.stdout.take(), child.stderr.take());
    let status = {
        let reading = async {
            tokio::join!(drain(out, &mut stdout), drain(err, &mut stderr));
        };
        tokio::pin!(reading);
        let mut read_all = false;
        let status = tokio::select! {
            status = child.wait() => status,
            () = &mut reading => {
                read_all = true;
                child.wait().await
            }
        };
        // A background child may hold the pipes open for hours: read what is left for a
        // moment, then the group guard ends it.
        if !read_all {
            let _ = tokio::time::timeout(LINGER, &mut reading).await;
        }
        status
    };
    let status = status.map_err(|e| format!("{shown}: {e}"))?;
    let stdout = String::from_utf8_lossy(&stdout);
    let stderr = String::from_utf8_lossy(&stderr);
    let first_line = |s: &str| {
        s.lines()
            .find(|l| !l.trim().is_empty())
            .map(|l| redactor.excerpt(l, super::EXCERPT))
    };
    if let Ok(n) = stdout.trim().parse::<f64>() {
        return Ok(Observation {
            value: Value::Number(n),
            detail: first_line(&stderr),
        });
    }
    let code = status.code().ok_or_else(|| {
        format!(
            "{shown} was killed by a signal{}",
            first_line(&stderr)
                .map(|l| format!(": {l}"))
                .unwrap_or_default()
        )
    })?;
    Ok(Observation {
        value: Value::Number(f64::from(code)),
        detail: first_line(&stderr).or_else(|| first_line(&stdout)),
    })
}

/// Reads a stream to its end, keeping the first [`OUTPUT_CAP`] bytes.
pub(crate) async fn drain(stream: Option<impl AsyncRead + Unpin>, kept: &mut Vec<u8>) {
    let Some(mut stream) = stream else {
        return;
    };
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                let room = OUTPUT_CAP.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
        }
    }
}

/// A command's process group, killed (SIGKILL) when dropped: the program and anything it
/// started that did not leave the group.
pub(crate) struct ProcessGroup(pub(crate) u32);

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        use nix::sys::signal::{Signal, killpg};
        use nix::unistd::Pid;
        if let Ok(pid) = i32::try_from(self.0) {
            // ESRCH (all gone already) is the usual, happy case.
            let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
        }
    }
}
