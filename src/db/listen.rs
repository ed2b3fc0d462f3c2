//! The live listener: one task on a connection of its own (`LISTEN` holds a backend, so never
//! one of the pools'), that turns journal notifications into [`LiveSignal`]s. Notifications
//! are only a wake-up: after each one, and after every (re)connect, the reader asks for every
//! line after the last id it has, so a notification lost while the connection was down loses
//! nothing.

use super::{Database, classify};
use sqlx::postgres::{PgListener, PgPoolOptions};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// The channel journal inserts notify on (see the `journal_live` migration).
pub const JOURNAL_CHANNEL: &str = "gonogo_journal";

/// First wait before reconnecting, doubled after each failure up to [`RECONNECT_MAX`].
pub const RECONNECT_FIRST: Duration = Duration::from_millis(250);
pub const RECONNECT_MAX: Duration = Duration::from_secs(10);

/// What the listener tells its reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveSignal {
    /// Listening (at start or again after a gap): read everything after the last id now.
    Connected,
    /// The connection is gone; updates are paused (the reader polls meanwhile). Redacted
    /// reason.
    Disconnected(String),
    /// A new journal line, by id (`None` if the payload did not carry one).
    Journal { id: Option<i64>, kind: String },
}

/// Runs until `cancel` fires or the reader goes away. `redact` cleans an error before it is
/// sent.
pub async fn run(
    database: Database,
    signals: mpsc::UnboundedSender<LiveSignal>,
    cancel: CancellationToken,
    redact: impl Fn(&str) -> String + Send + 'static,
) {
    // A pool of one, used only for (re)connecting: sqlx's listener hands its connection back
    // here when it drops it.
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_lazy_with(database.listen_options());
    let mut wait = RECONNECT_FIRST;
    let mut said_down = false;
    loop {
        let connect = async {
            let mut listener = PgListener::connect_with(&pool).await?;
            listener.listen(JOURNAL_CHANNEL).await?;
            Ok::<_, sqlx::Error>(listener)
        };
        let connected = tokio::select! {
            () = cancel.cancelled() => return,
            result = connect => result,
        };
        let mut listener = match connected {
            Ok(listener) => listener,
            Err(e) => {
                if !said_down {
                    let reason = redact(&classify(&e).to_string());
                    if signals.send(LiveSignal::Disconnected(reason)).is_err() {
                        return;
                    }
                    said_down = true;
                }
                tokio::select! {
                    () = cancel.cancelled() => return,
                    () = tokio::time::sleep(wait) => {}
                }
                wait = (wait * 2).min(RECONNECT_MAX);
                continue;
            }
        };
        wait = RECONNECT_FIRST;
        if signals.send(LiveSignal::Connected).is_err() {
            return;
        }
        let reason = loop {
            let next = tokio::select! {
                () = cancel.cancelled() => return,
                next = listener.try_recv() => next,
            };
            match next {
                Ok(Some(notification)) => {
                    let (id, kind) = parse_payload(notification.payload());
                    if signals.send(LiveSignal::Journal { id, kind }).is_err() {
                        return;
                    }
                }
                Ok(None) => break "the listener's connection was closed".to_owned(),
                Err(e) => break redact(&classify(&e).to_string()),
            }
        };
        drop(listener);
        if signals.send(LiveSignal::Disconnected(reason)).is_err() {
            return;
        }
        said_down = true;
    }
}

/// `<id>:<kind>:<launch>` → the id and kind.
fn parse_payload(payload: &str) -> (Option<i64>, String) {
    let mut parts = payload.splitn(3, ':');
    let id = parts.next().and_then(|id| id.parse().ok());
    let kind = parts.next().map(crate::text::sanitize).unwrap_or_default();
    (id, kind)
}

#[cfg(test)]
mod tests {
    use super::parse_payload;

    #[test]
    fn payloads_name_the_line() {
        assert_eq!(parse_payload("42:note:Veza: v2"), (Some(42), "note".into()));
        assert_eq!(parse_payload("x"), (None, String::new()));
    }
}
