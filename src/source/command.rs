//! `command` gates: runs a program (no shell); the value is a number it prints on stdout, or else
//! its exit code.

use crate::gate::{Observation, Value};
use std::process::Stdio;
use tokio::io::AsyncReadExt;

/// Output beyond this is not read (a chatty command must not fill memory).
const OUTPUT_CAP: u64 = 1024 * 1024;

pub async fn run(argv: &[String]) -> Result<Observation, String> {
    let (program, args) = argv.split_first().ok_or("empty command")?;
    let shown = crate::text::sanitize(program);
    let mut child = tokio::process::Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // The gate's deadline drops this future; the child must not outlive it.
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("command not found: {shown}"),
            _ => format!("cannot run {shown}: {e}"),
        })?;
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let out = child.stdout.take();
    let err = child.stderr.take();
    let read_out = async {
        if let Some(out) = out {
            let _ = out.take(OUTPUT_CAP).read_to_end(&mut stdout).await;
        }
    };
    let read_err = async {
        if let Some(err) = err {
            let _ = err.take(OUTPUT_CAP).read_to_end(&mut stderr).await;
        }
    };
    let ((), (), status) = tokio::join!(read_out, read_err, child.wait());
    let status = status.map_err(|e| format!("{shown}: {e}"))?;
    let stdout = String::from_utf8_lossy(&stdout);
    let stderr = String::from_utf8_lossy(&stderr);
    let first_line = |s: &str| {
        s.lines()
            .find(|l| !l.trim().is_empty())
            .map(|l| crate::text::sanitize_short(l, 160))
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
