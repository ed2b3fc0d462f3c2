//! Background pollers: one tokio task per gate, each checking on its own interval (or on demand)
//! and sending owned, timestamped [`GateResult`]s down a channel. Pollers share no lock with
//! whoever reads the results, and one hung source never delays another.

pub use crate::clock::Clock;
use crate::gate::{GateResult, GateSpec};
use crate::source::Sources;
use crate::source::caught::caught;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;

/// Checks every gate once, concurrently. Takes about the longest gate's timeout, not the sum.
pub async fn run_once(sources: &Sources, gates: &[GateSpec], clock: &Clock) -> Vec<GateResult> {
    futures::future::join_all(gates.iter().map(|g| sources.check(g, clock))).await
}

/// One gate's poller: check, send, wait for the interval or a re-check, until cancelled or
/// nobody listens.
async fn poll(
    sources: &Sources,
    gate: &GateSpec,
    clock: &Clock,
    results: &mpsc::Sender<GateResult>,
    notify: &Notify,
    cancel: &CancellationToken,
) {
    loop {
        let result = tokio::select! {
            r = sources.check(gate, clock) => r,
            () = cancel.cancelled() => return,
        };
        if results.send(result).await.is_err() {
            return;
        }
        tokio::select! {
            () = tokio::time::sleep(gate.every) => {}
            () = notify.notified() => {}
            () = cancel.cancelled() => return,
        }
    }
}

/// Controls running pollers. Dropping it stops them.
pub struct Monitor {
    wake: HashMap<String, Arc<Notify>>,
    cancel: CancellationToken,
}

impl Monitor {
    /// Starts one poller per gate. `every` overrides each gate's own interval when set.
    pub fn spawn(
        sources: Sources,
        gates: &[GateSpec],
        clock: Clock,
        every: Option<Duration>,
        results: mpsc::Sender<GateResult>,
    ) -> Monitor {
        let cancel = CancellationToken::new();
        let mut wake = HashMap::new();
        for gate in gates {
            let notify = Arc::new(Notify::new());
            wake.insert(gate.id.clone(), notify.clone());
            let mut gate = gate.clone();
            if let Some(every) = every {
                gate.every = every;
            }
            let (sources, results, cancel) = (sources.clone(), results.clone(), cancel.clone());
            tokio::spawn(async move {
                // A poller that fails for any reason says so as its gate's result and starts
                // again after an interval: it never silently disappears.
                loop {
                    let polled = caught(poll(&sources, &gate, &clock, &results, &notify, &cancel));
                    let Err(panic) = polled.await else {
                        break;
                    };
                    let failed = GateResult {
                        gate: gate.id.clone(),
                        observed_at: clock.now(),
                        outcome: Err(format!(
                            "internal error in the poller, restarted: {}",
                            sources.redactor().excerpt(&panic, 160)
                        )),
                    };
                    if results.send(failed).await.is_err() {
                        break;
                    }
                    tokio::select! {
                        () = tokio::time::sleep(gate.every) => {}
                        () = cancel.cancelled() => break,
                    }
                }
            });
        }
        Monitor { wake, cancel }
    }

    /// Checks one gate now (after its current check, if one is running).
    pub fn recheck(&self, gate: &str) -> bool {
        match self.wake.get(gate) {
            Some(n) => {
                n.notify_one();
                true
            }
            None => false,
        }
    }

    pub fn recheck_all(&self) {
        for n in self.wake.values() {
            n.notify_one();
        }
    }

    pub fn stop(&self) {
        self.cancel.cancel();
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}
