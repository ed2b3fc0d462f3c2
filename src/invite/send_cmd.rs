//! Handing a message to a sendmail-compatible command: the message written to its stdin with the
//! pipe held open until the lease is checked (closing stdin is the point of no return: msmtp
//! sends on EOF), its exit waited for (not its output's end: a child it leaves behind may hold
//! stdout), and the one table that turns how it ended into an [`Outcome`].

use super::lease::Lease;
use super::transport::Outcome;
use crate::process::drain;
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// How long the output is still read after the command exited (a child it left may hold it).
const OUTPUT_AFTER_EXIT: Duration = Duration::from_millis(300);
/// Output kept per stream (the reply line is near the end of a short stderr); the rest is
/// drained.
const OUTPUT_KEPT: usize = 64 * 1024;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// It exited with this status.
    Exited(i32),
    /// A signal killed it.
    Signaled(i32),
    /// It had not ended within the timeout (then killed).
    TimedOut,
}

/// What became of the message on the command's stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fed {
    /// All written and stdin closed: the command may have sent it.
    Closed,
    /// Not all written (the command stopped reading), stdin never closed by us.
    NotAll,
    /// All written, but the lease was short: the command was killed with stdin still open.
    HeldBack(String),
}

/// Runs the command with the message on stdin, in a process group of its own.
pub async fn run_command(
    argv: &[String],
    bytes: &[u8],
    timeout: Duration,
    lease: &Lease,
) -> Outcome {
    let Some((program, args)) = argv.split_first() else {
        return Outcome::NotHanded("empty send_cmd".into());
    };
    let shown = crate::text::sanitize_short(program, 80);
    if let Err(why) = lease.check() {
        return Outcome::NotHanded(format!("not started: {why}"));
    }
    let mut command = tokio::process::Command::new(program);
    command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let (mut child, group) = match crate::process::spawn_in_group(&mut command) {
        Ok(started) => started,
        Err(e) => return Outcome::NotHanded(format!("cannot run {shown}: {e}")),
    };
    let mut stdin = child.stdin.take();
    let (out, err) = (child.stdout.take(), child.stderr.take());
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    // Held until the command is gone, so a held-back message never sees EOF.
    let mut held_pipe = None;
    let mut fed = Fed::NotAll;
    let ended = {
        let finish = async {
            if let Some(mut pipe) = stdin.take()
                && pipe.write_all(bytes).await.is_ok()
                && pipe.flush().await.is_ok()
            {
                match lease.check() {
                    Ok(()) => {
                        drop(pipe);
                        fed = Fed::Closed;
                    }
                    Err(why) => {
                        group.kill();
                        held_pipe = Some(pipe);
                        fed = Fed::HeldBack(why);
                    }
                }
            }
            child.wait().await
        };
        let drains = async {
            tokio::join!(
                drain(out, &mut stdout, OUTPUT_KEPT),
                drain(err, &mut stderr, OUTPUT_KEPT)
            )
        };
        tokio::pin!(finish, drains);
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let mut drained = false;
        let waited = loop {
            tokio::select! {
                status = &mut finish => break Some(status),
                _ = &mut drains, if !drained => drained = true,
                () = &mut deadline => break None,
            }
        };
        if !matches!(waited, Some(Ok(_))) {
            group.kill();
        }
        // The exit decides; output still coming from a child it left behind is not waited for.
        if !drained {
            let _ = tokio::time::timeout(OUTPUT_AFTER_EXIT, &mut drains).await;
        }
        match waited {
            None => Ok(Ended::TimedOut),
            Some(Err(e)) => Err(e),
            Some(Ok(status)) => Ok(match (status.code(), status.signal()) {
                (Some(code), _) => Ended::Exited(code),
                (None, signal) => Ended::Signaled(signal.unwrap_or(0)),
            }),
        }
    };
    drop(held_pipe);
    let stderr_text = String::from_utf8_lossy(&stderr).into_owned();
    match (ended, fed) {
        (_, Fed::HeldBack(why)) => Outcome::NotHanded(format!(
            "{shown} was stopped before its stdin was closed: {why}"
        )),
        (Err(e), Fed::Closed) => Outcome::InDoubt(format!("{shown}: {e}")),
        (Err(e), Fed::NotAll) => Outcome::NotHanded(format!("{shown}: {e}")),
        (Ok(Ended::TimedOut), fed) => {
            classify_end(Ended::TimedOut, &stderr_text, fed == Fed::Closed).with_detail(|d| {
                format!("{shown} {d} within {}", humantime::format_duration(timeout))
            })
        }
        (Ok(ended), fed) => classify_end(ended, &stderr_text, fed == Fed::Closed),
    }
}

/// The command's answer. Exit 0 is sent. A reply it reported (`msmtp: server message: 451 …`)
/// decides only when it *exited* (msmtp's exit codes alone do not tell temporary from
/// permanent); then the exit code. Killed by a signal or timed out after the message was all
/// written is in doubt whatever it printed (a relay fallback may have delivered it); before,
/// nothing was handed over.
pub fn classify_end(ended: Ended, stderr: &str, read_all: bool) -> Outcome {
    let said = last_line(stderr);
    let with = |what: String| match &said {
        Some(line) => format!("{what}: {line}"),
        None => what,
    };
    let code = match ended {
        Ended::Exited(code) => code,
        Ended::Signaled(signal) if read_all => {
            return Outcome::InDoubt(with(format!(
                "killed by signal {signal} after reading the message"
            )));
        }
        Ended::Signaled(signal) => {
            return Outcome::NotHanded(with(format!(
                "killed by signal {signal} before reading the message"
            )));
        }
        Ended::TimedOut if read_all => {
            return Outcome::InDoubt(with("read the message but did not finish".into()));
        }
        Ended::TimedOut => {
            return Outcome::NotHanded(with("did not read the message".into()));
        }
    };
    if code == 0 {
        return Outcome::Accepted(with("exit 0".into()));
    }
    if let Some((reply, line)) = reported_reply(stderr) {
        // The server's own words, not the command's closing "could not send mail" line.
        let text = format!("exit {code}: {line}");
        return match reply {
            400..=499 => Outcome::Temporary(text),
            _ => Outcome::Permanent(text),
        };
    }
    match code {
        75 => Outcome::Temporary(with("exit 75 (temporary failure)".into())),
        // Usage and config errors: nothing was sent, and the next message will not fare better.
        c @ (64 | 78) => Outcome::NotHanded(with(format!(
            "exit {c} (the command's usage or configuration)"
        ))),
        c @ (65 | 66 | 67 | 68 | 77) => Outcome::Permanent(with(format!("exit {c}"))),
        c => Outcome::InDoubt(with(format!(
            "exit {c}, which does not say whether it was sent"
        ))),
    }
}

/// The last `NNN` SMTP reply a command reported on stderr (`msmtp: server message: 451 …`),
/// with that line.
fn reported_reply(stderr: &str) -> Option<(u16, String)> {
    stderr.lines().rev().find_map(|line| {
        let (_, rest) = line.split_once("server message:")?;
        let code: String = rest.trim_start().chars().take(3).collect();
        let code = code
            .parse::<u16>()
            .ok()
            .filter(|c| (400..600).contains(c))?;
        Some((
            code,
            crate::text::Redactor::process().excerpt(line.trim(), 200),
        ))
    })
}

fn last_line(text: &str) -> Option<String> {
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| crate::text::Redactor::process().excerpt(l, 200))
}

#[cfg(test)]
mod tests {
    use super::Ended::{Exited, Signaled, TimedOut};
    use super::*;

    const TEMP: &str = "msmtp: recipient address a@b not accepted by the server\nmsmtp: server message: 451 4.3.0 try later\n";
    const PERM: &str = "msmtp: server message: 550 5.1.1 no such user\nmsmtp: could not send mail (account default from x)\n";

    #[test]
    fn every_way_a_command_ends_has_one_state() {
        // (how it ended, stderr, stdin all written and closed, state)
        let table: &[(Ended, &str, bool, &str)] = &[
            (Exited(0), "", true, "sent"),
            (Exited(0), TEMP, true, "sent"),
            (Exited(69), TEMP, true, "prepared"),
            (Exited(69), PERM, true, "failed"),
            (Exited(69), "", true, "unknown"),
            (Exited(75), "", false, "prepared"),
            (Exited(76), "", true, "unknown"),
            (Exited(78), "", false, "prepared"),
            (Exited(64), "", true, "prepared"),
            (Exited(67), "", true, "failed"),
            // Killed after reading: in doubt, whatever reply it printed.
            (Signaled(9), TEMP, true, "unknown"),
            (Signaled(9), PERM, true, "unknown"),
            (Signaled(15), "", true, "unknown"),
            (Signaled(9), TEMP, false, "prepared"),
            (Signaled(9), "", false, "prepared"),
            (TimedOut, TEMP, true, "unknown"),
            (TimedOut, "", false, "prepared"),
        ];
        for (ended, stderr, read_all, state) in table {
            let outcome = classify_end(*ended, stderr, *read_all);
            assert_eq!(
                outcome.state(),
                *state,
                "{ended:?} {stderr:?} read_all={read_all}: {outcome:?}"
            );
        }
        let outcome = classify_end(Exited(69), PERM, true);
        assert!(
            outcome.detail().contains("550 5.1.1 no such user"),
            "{outcome:?}"
        );
    }
}
