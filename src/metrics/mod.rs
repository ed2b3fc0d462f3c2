//! Prometheus metrics of a running watch or cockpit: what the session holds (the gates' board
//! fed by the same results the client sees, the alert deliveries it made, the dispatch counts
//! of its last read) rendered at scrape time by [`families`], served on `/metrics` by
//! [`serve`]. A scrape reads memory only: no database call per gate, nothing in the client's
//! way.

mod families;
mod serve;
pub mod text;

pub use serve::{Listener, Server};

use crate::alerts::{AlertNews, DeliveryOutcome};
use crate::clock::Clock;
use crate::config::Config;
use crate::gate::{Board, GateResult, GateSpec};
use crate::invite::{BatchCounts, Ledger};
use crate::text::Redactor;
use chrono::{DateTime, Utc};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::mpsc;

/// How often the dispatch counts are read again (one grouped query for every batch).
pub const DISPATCH_EVERY: Duration = Duration::from_secs(15);
/// A dispatch read that takes longer than this is dropped; the last counts stay.
const DISPATCH_TIMEOUT: Duration = Duration::from_secs(5);

/// Why metrics cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error("cannot serve metrics on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// Refuses an address other than loopback unless `public`: anyone who reaches the port reads
/// the gates. `how` says how to allow it (the flag or the key), for the message.
pub fn check_listen(addr: SocketAddr, public: bool, how: &str) -> Result<(), String> {
    if public || is_loopback(addr) {
        return Ok(());
    }
    Err(format!(
        "{addr} is not a loopback address: anyone who can reach it could read the gates; \
         serve on 127.0.0.1 (or [::1]), or allow it with {how}"
    ))
}

fn is_loopback(addr: SocketAddr) -> bool {
    addr.ip().to_canonical().is_loopback()
}

/// What a session knows that a scrape shows, shared by the session, the results it taps, the
/// dispatch reader and the server. Cheap to clone.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    launch: String,
    environment: &'static str,
    clock: Clock,
    /// The gates being served (none until [`Metrics::watch`]).
    board: Mutex<Option<Board>>,
    /// Deliveries by outcome, in [`OUTCOMES`] order.
    deliveries: [AtomicU64; 3],
    dispatch: Mutex<Option<DispatchRead>>,
}

/// The dispatch counts of the last read, and when it was made.
#[derive(Debug, Clone)]
struct DispatchRead {
    batches: Vec<BatchCounts>,
    at: DateTime<Utc>,
}

const OUTCOMES: [DeliveryOutcome; 3] = [
    DeliveryOutcome::Delivered,
    DeliveryOutcome::Failed,
    DeliveryOutcome::GaveUp,
];

impl Metrics {
    pub fn new(config: &Config, clock: Clock) -> Metrics {
        Metrics {
            inner: Arc::new(Inner {
                launch: config.launch().name.0.clone(),
                environment: config.launch().environment.as_str(),
                clock,
                board: Mutex::new(None),
                deliveries: Default::default(),
                dispatch: Mutex::new(None),
            }),
        }
    }

    /// From now on the board shows `gates`, every one unknown until its first result.
    pub fn watch(&self, gates: &[GateSpec]) {
        *lock(&self.inner.board) = Some(Board::new(gates, self.inner.clock.now()));
    }

    /// Applies a result to the board as the client's own board takes it.
    pub fn apply(&self, result: GateResult) {
        if let Some(board) = lock(&self.inner.board).as_mut() {
            board.apply(result);
        }
    }

    /// Counts a delivery that ended.
    pub fn heard(&self, news: &AlertNews) {
        if let AlertNews::Delivered(delivery) = news
            && let Some(i) = OUTCOMES.iter().position(|o| *o == delivery.outcome)
        {
            self.inner.deliveries[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A sender for the pollers that hands each result to the board, then to `to` (the
    /// client's own channel, so the client sees the same results in the same order).
    pub fn tap(&self, to: mpsc::Sender<GateResult>) -> mpsc::Sender<GateResult> {
        let (tx, mut rx) = mpsc::channel::<GateResult>(to.max_capacity());
        let metrics = self.clone();
        tokio::spawn(async move {
            while let Some(result) = rx.recv().await {
                metrics.apply(result.clone());
                if to.send(result).await.is_err() {
                    break;
                }
            }
        });
        tx
    }

    /// Reads the dispatch counts every [`DISPATCH_EVERY`] (the first at once) until the task
    /// is aborted; a failed read keeps the last counts (their age says how old they are).
    pub fn read_dispatch(&self, ledger: Ledger, redactor: Redactor) -> tokio::task::JoinHandle<()> {
        let metrics = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(DISPATCH_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut said = false;
            loop {
                every.tick().await;
                let read = crate::db::call::db_call(DISPATCH_TIMEOUT, &redactor, ledger.counts());
                match read.await {
                    Ok(batches) => {
                        let at = metrics.inner.clock.now();
                        *lock(&metrics.inner.dispatch) = Some(DispatchRead { batches, at });
                        said = false;
                    }
                    // Once per run of failures: the log is not a metric.
                    Err(why) if !said => {
                        said = true;
                        tracing::warn!(error = %why, "metrics: cannot read the dispatch counts");
                    }
                    Err(_) => {}
                }
            }
        })
    }

    /// The exposition text, as of now.
    pub fn render(&self) -> String {
        let inner = &self.inner;
        let now = inner.clock.now();
        let mut board = lock(&inner.board);
        if let Some(board) = board.as_mut() {
            // Staleness is the clock's: a gate silent for three intervals is unknown now.
            board.refresh(now);
        }
        let deliveries: Vec<(&str, u64)> = OUTCOMES
            .iter()
            .zip(&inner.deliveries)
            .map(|(o, n)| (o.as_str(), n.load(Ordering::Relaxed)))
            .collect();
        let dispatch = lock(&inner.dispatch).clone();
        families::render(&families::Seen {
            launch: &inner.launch,
            environment: inner.environment,
            now,
            board: board.as_ref(),
            deliveries: &deliveries,
            dispatch: dispatch.as_ref().map(|d| (d.batches.as_slice(), d.at)),
        })
    }
}

/// A lock that a panicked holder does not make unusable (the data is plain counts and states).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_is_allowed_without_saying_so() {
        let ok = |a: &str| check_listen(a.parse().unwrap(), false, "--metrics-public");
        assert!(ok("127.0.0.1:9464").is_ok());
        assert!(ok("127.3.2.1:9464").is_ok());
        assert!(ok("[::1]:9464").is_ok());
        assert!(ok("[::ffff:127.0.0.1]:9464").is_ok());
        let refused = ok("0.0.0.0:9464").unwrap_err();
        assert!(refused.contains("0.0.0.0:9464"), "{refused}");
        assert!(refused.contains("--metrics-public"), "{refused}");
        assert!(ok("[::]:9464").is_err());
        assert!(ok("192.168.1.10:9464").is_err());
        let public = check_listen("0.0.0.0:9464".parse().unwrap(), true, "x");
        assert!(public.is_ok());
    }
}
