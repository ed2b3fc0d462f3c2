//! A database call bounded by a timeout, so a stuck database becomes a message instead of a task
//! or a command waiting forever, its error redacted of secrets (and control characters) before
//! anyone sees it. The cockpit's effects and the commands' best-effort writes share it.

use crate::text::Redactor;
use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

/// What a call that ran out of time says.
pub const TIMED_OUT: &str = "the database did not answer in time";

/// Runs `call` for at most `limit`; an error or a timeout comes back as text safe to show.
pub async fn db_call<T, E: Display>(
    limit: Duration,
    redactor: &Redactor,
    call: impl Future<Output = Result<T, E>>,
) -> Result<T, String> {
    match tokio::time::timeout(limit, call).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(redactor.redact(&e.to_string())),
        Err(_) => Err(TIMED_OUT.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn errors_are_redacted_and_slow_calls_time_out() {
        let redactor = Redactor::default();
        redactor.add("hunter2-password");
        let failing = async { Err::<(), _>("auth failed for hunter2-password\u{1b}[2J") };
        let why = db_call(Duration::from_secs(1), &redactor, failing)
            .await
            .unwrap_err();
        assert!(!why.contains("hunter2"), "{why}");
        assert!(!why.contains('\u{1b}'), "{why}");
        let slow = async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Ok::<u8, String>(1)
        };
        let why = db_call(Duration::from_millis(10), &redactor, slow)
            .await
            .unwrap_err();
        assert_eq!(why, TIMED_OUT);
        let fine = async { Ok::<u8, String>(7) };
        assert_eq!(
            db_call(Duration::from_secs(1), &redactor, fine).await,
            Ok(7)
        );
    }
}
