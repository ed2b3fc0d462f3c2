//! The run's lease kept alive: heartbeats that renew it, and the wait for its margin before a
//! hand-over starts.

use crate::invite::lease::{Lease, boot_clock};
use crate::invite::ledger::Ledger;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Waits until the lease has more than its margin left; false when the run must stop instead
/// (declared dead, or stopped by the operator).
pub(super) async fn lease_in_hand(lease: &Lease, cancel: &CancellationToken) -> bool {
    let mut warned = false;
    loop {
        match lease.check() {
            Ok(()) => return true,
            Err(_) if lease.is_revoked() => return false,
            Err(why) if !warned => {
                tracing::warn!("dispatch: no hand-over until a heartbeat gets through: {why}");
                warned = true;
            }
            Err(_) => {}
        }
        tokio::select! {
            () = cancel.cancelled() => return false,
            () = tokio::time::sleep(lease.terms().heartbeat() / 2) => {}
        }
    }
}

/// Beats until `stop`, renewing the lease from the moment each beat was sent; a run found
/// ended (declared dead elsewhere) revokes its lease and cancels `ended`, which stops it.
pub(super) async fn heartbeat(
    ledger: Ledger,
    run: Uuid,
    lease: Arc<Lease>,
    stop: CancellationToken,
    ended: CancellationToken,
) {
    let terms = lease.terms();
    let mut tick = tokio::time::interval(terms.heartbeat());
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = tick.tick() => {
                let sent = boot_clock();
                match tokio::time::timeout(terms.lease, ledger.heartbeat(run)).await {
                    Ok(Ok(true)) => lease.renewed(sent),
                    Ok(Ok(false)) => {
                        tracing::warn!("this send run was declared dead after a silence; it stops");
                        lease.revoke();
                        ended.cancel();
                        return;
                    }
                    Ok(Err(e)) => tracing::warn!(
                        "dispatch heartbeat failed (the lease runs out {:?} after the last one): {e}",
                        terms.lease
                    ),
                    Err(_) => tracing::warn!("dispatch heartbeat got no answer within the lease"),
                }
            }
        }
    }
}
