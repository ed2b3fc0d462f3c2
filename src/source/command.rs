//! `command` gates: runs a program (no shell) in a process group of its own; the value is a
//! number it prints on stdout, or else its exit code. At most [`OUTPUT_CAP`] bytes of each
//! stream are kept and the rest drained, so a chatty command never blocks on a full pipe; the
//! whole group is killed when the check ends for any reason (done, timed out, dropped at stop),
//! so no child outlives its gate.

use crate::gate::{Observation, Value};
use crate::process::drain;
use crate::text::Redactor;
use std::process::Stdio;
use std::time::Duration;

/// Output kept per stream; beyond this it is read and dropped.
pub const OUTPUT_CAP: usize = 64 * 1024;
/// After the program exits, how long a background child may keep its output open before the
/// group is killed and the gate judged on what was read.
const LINGER: Duration = Duration::from_millis(250);

pub async fn run(argv: &[String], redactor: &Redactor) -> Result<Observation, String> {
    let (program, args) = argv.split_first().ok_or("empty command")?;
    let shown = redactor.excerpt(program, 80);
    let mut command = tokio::process::Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // The group guard is dropped on every way out of this function, the timeout's included.
    let (mut child, _group) =
        crate::process::spawn_in_group(&mut command).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("command not found: {shown}"),
            _ => format!("cannot run {shown}: {e}"),
        })?;
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let (out, err) = (child.stdout.take(), child.stderr.take());
    let status = {
        let reading = async {
            tokio::join!(
                drain(out, &mut stdout, OUTPUT_CAP),
                drain(err, &mut stderr, OUTPUT_CAP)
            );
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
