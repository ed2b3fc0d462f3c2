//! One alert's way out: who is on shift, the claim (a lease, renewed while it is delivered),
//! the journal line, the delivery, and then the row finished, or handed on to another process
//! when the delivery failed. A taken-over alert skips the claim: it is already held.

use super::queue::Job;
use super::service::{AlertNews, LEASE};
use super::{AlertLine, DeliveryOutcome, Webhook};
use super::{AlertStore, Claim, LOCK_WAIT};
use crate::clock::Clock;
use crate::db::{DbError, DbErrorKind};
use crate::journal::{EventSender, Journal, JournalEvent, PendingEvent};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The most an on-shift read or a lease update may take.
pub(super) const DB_BUDGET: Duration = Duration::from_secs(5);
/// The most a claim may take, its wait for the subject's lock included, before the alert goes
/// out uncoordinated.
const CLAIM_BUDGET: Duration = Duration::from_secs(LOCK_WAIT.as_secs() + 5);

pub(super) type Report = Arc<dyn Fn(AlertNews) + Send + Sync>;

/// What every alert's task shares.
pub(super) struct Shared {
    pub settings: crate::config::Alerts,
    pub origin: String,
    pub webhook: Option<Webhook>,
    pub store: Option<AlertStore>,
    pub journal: Option<Journal>,
    pub journal_events: Option<EventSender>,
    pub clock: Clock,
    pub report: Report,
    /// The alerts whose lease this process holds, for letting them go when it quits.
    pub held: Mutex<BTreeSet<String>>,
}

impl Shared {
    fn hold(&self, id: &str, held: bool) {
        if let Ok(mut ids) = self.held.lock() {
            if held {
                ids.insert(id.to_owned());
            } else {
                ids.remove(id);
            }
        }
    }

    pub(super) fn held(&self) -> Vec<String> {
        self.held
            .lock()
            .map(|ids| ids.iter().cloned().collect())
            .unwrap_or_default()
    }
}

/// Renews a lease every third of it until dropped.
struct Renewing(tokio::task::JoinHandle<()>);

impl Drop for Renewing {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn renew_while_delivering(store: AlertStore, id: String, by: String) -> Renewing {
    Renewing(tokio::spawn(async move {
        let every = LEASE / 3;
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        loop {
            tick.tick().await;
            let _ = tokio::time::timeout(DB_BUDGET, store.renew(&id, &by, LEASE)).await;
        }
    }))
}

/// One alert, from the claim to the journaled outcome.
pub(super) async fn handle(shared: Arc<Shared>, job: Job) {
    let Job { mut alert, held } = job;
    if !held {
        on_shift(&shared, &mut alert).await;
    }
    let coordinated = match (&shared.store, held) {
        (None, _) => false,
        (Some(_), true) => true,
        (Some(store), false) => {
            let claim = store.claim(&mut alert, &shared.origin, shared.settings.group_for, LEASE);
            match tokio::time::timeout(CLAIM_BUDGET, claim).await {
                Ok(Ok(Claim::Claimed)) => true,
                Ok(Ok(Claim::Elsewhere { by, .. })) => {
                    return skipped(
                        &shared,
                        &alert.title,
                        format!("already raised by {}", crate::text::sanitize(&by)),
                    );
                }
                Ok(Ok(Claim::AlreadySaid { .. })) => {
                    return skipped(
                        &shared,
                        &alert.title,
                        "its latest alert already says so".to_owned(),
                    );
                }
                // The database is away, not migrated, or the subject's lock is held elsewhere
                // past the wait: the alert still goes, uncoordinated, under its derived id.
                Ok(Err(e)) => uncoordinated(&alert, &e),
                Err(_) => uncoordinated(
                    &alert,
                    &DbError::new(DbErrorKind::Unavailable, "the claim timed out"),
                ),
            }
        }
    };
    if coordinated {
        shared.hold(&alert.id, true);
    }
    alert
        .metadata
        .insert("coordinated".into(), coordinated.into());
    let receiver = shared.webhook.as_ref().map(|w| w.receiver().to_owned());
    let line = AlertLine::of(&alert, coordinated, receiver);
    journal(&shared, JournalEvent::Alert(line.clone()));
    (shared.report)(AlertNews::Raised(line));
    let store = shared.store.as_ref().filter(|_| coordinated);
    let Some(webhook) = &shared.webhook else {
        if let Some(store) = store {
            let _ = tokio::time::timeout(DB_BUDGET, store.no_webhook(&alert.id)).await;
        }
        shared.hold(&alert.id, false);
        return;
    };
    let renewing =
        store.map(|s| renew_while_delivering(s.clone(), alert.id.clone(), shared.origin.clone()));
    let delivery = webhook.deliver(&alert).await;
    drop(renewing);
    if let Some(store) = store {
        // A failed delivery is handed on to another process (up to a bound); an answer, even
        // a refusal for good, is final.
        let handed_on = delivery.outcome == DeliveryOutcome::Failed
            && matches!(
                tokio::time::timeout(DB_BUDGET, store.release(&alert.id, &shared.origin)).await,
                Ok(Ok(true))
            );
        if !handed_on {
            let _ = tokio::time::timeout(DB_BUDGET, store.finish(&delivery)).await;
        }
    }
    shared.hold(&alert.id, false);
    journal(&shared, JournalEvent::AlertDelivery(delivery.clone()));
    (shared.report)(AlertNews::Delivered(delivery));
}

async fn on_shift(shared: &Shared, alert: &mut super::Alert) {
    // A database that refuses connections says so at once; the pool would wait for one.
    if let Some(journal) = &shared.journal
        && crate::db::reachable(journal.pool(), DB_BUDGET)
            .await
            .is_ok()
        && let Ok(Ok(Some(entry))) = tokio::time::timeout(DB_BUDGET, journal.on_shift()).await
    {
        alert.metadata.insert(
            "on_shift".into(),
            crate::text::sanitize(&entry.actor).into(),
        );
    }
}

fn skipped(shared: &Shared, title: &str, why: String) {
    (shared.report)(AlertNews::Skipped {
        title: title.to_owned(),
        why,
    });
}

fn uncoordinated(alert: &super::Alert, e: &DbError) -> bool {
    tracing::warn!(
        alert = %alert.id,
        reason = %crate::text::Redactor::process().redact(&e.to_string()),
        "alert not claimed in the database; sent without coordination"
    );
    false
}

pub(super) fn journal(shared: &Shared, event: JournalEvent) {
    if let Some(events) = &shared.journal_events {
        events.send_event(PendingEvent::new(shared.clock.now(), event));
    }
}
