//! The alert a drill's holder dies with: a launch whose alerts come from journal lines alone, a
//! paused send run to raise, the launch's alert rows polled, and the takeover by a cockpit that
//! delivers the orphaned alert once under its id.

use super::alert_drill::{GATE, alerts_section, cockpit, run_for};
use super::receiver::Receiver;
use gonogo::alerts::LEASE;
use gonogo::alerts::{AlertRow, AlertStore};
use gonogo::journal::{DispatchRunEvent, JournalEvent};
use gonogo::tui::driver::Driver;
use sqlx::PgPool;
use std::time::Duration;

pub const LAUNCH: &str = "Alert launch";

/// A launch whose only gate always passes: alerts come from journal lines alone.
pub fn always_go(url: &str, port: u16) -> String {
    format!(
        "[launch]\nname = \"{LAUNCH}\"\n\n[postgres]\nurl = \"{url}\"\n\n{}{GATE}every = \"300ms\"\n",
        alerts_section(port, "min_severity = \"info\"\ngroup_for = \"0s\"\n")
    )
}

pub fn paused_run(run: &str) -> JournalEvent {
    JournalEvent::DispatchRun(DispatchRunEvent {
        run: run.into(),
        phase: "paused".into(),
        batch: Some("wave-1".into()),
        transport: "SMTP".into(),
        rate: "5/s".into(),
        reason: Some("5 hand-overs in a row failed".into()),
        sent: Some(10),
        failed: Some(5),
        unknown: Some(0),
        retried: Some(0),
        other_senders: None,
    })
}

pub async fn rows(pool: &PgPool) -> Vec<AlertRow> {
    AlertStore::new(pool.clone(), LAUNCH)
        .list(None)
        .await
        .unwrap()
}

/// Steps `drivers` until the launch's alert rows satisfy `done`; the rows then.
pub async fn until_rows(
    pool: &PgPool,
    drivers: &mut [&mut Driver],
    within: Duration,
    done: impl Fn(&[AlertRow]) -> bool,
) -> Vec<AlertRow> {
    let until = tokio::time::Instant::now() + within;
    loop {
        let now = rows(pool).await;
        if done(&now) {
            return now;
        }
        assert!(
            tokio::time::Instant::now() < until,
            "alert rows never got there: {now:#?}"
        );
        if drivers.is_empty() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        run_for(drivers, Duration::from_millis(100)).await;
    }
}

/// A cockpit `bruno` started once the holder of alert `id` is gone takes it over and delivers
/// it: one request answered 2xx, every one under `id`, the row delivered by its second holder.
/// How long that took after bruno started.
pub async fn taken_over_and_delivered(
    pool: &PgPool,
    receiver: &Receiver,
    text: &str,
    id: &str,
) -> Duration {
    let mut bruno = cockpit(text, "bruno");
    let started = tokio::time::Instant::now();
    let done = until_rows(
        pool,
        &mut [&mut bruno],
        LEASE + Duration::from_secs(25),
        |rows| {
            rows.iter()
                .any(|r| r.delivery.as_deref() == Some("delivered"))
        },
    )
    .await;
    let took = started.elapsed();
    assert_eq!(done.len(), 1, "still one alert: {done:#?}");
    let row = &done[0];
    assert_eq!(row.id, id);
    assert!(
        row.holder.as_deref().unwrap_or("").contains("bruno"),
        "{row:?}"
    );
    assert_eq!(row.holders, 2, "{row:?}");
    let seen = receiver.seen();
    assert_eq!(
        seen.len(),
        2,
        "the hung attempt and the takeover's: {seen:?}"
    );
    let answered_2xx = seen
        .iter()
        .filter(|r| r.answered.is_some_and(|s| (200..300).contains(&s)))
        .count();
    assert_eq!(answered_2xx, 1, "delivered once: {seen:?}");
    for request in &seen {
        assert_eq!(request.alert_id.as_deref(), Some(id), "{request:?}");
        assert!(request.signature_ok);
        assert_eq!(
            request.body["title"],
            "Alert launch: the invite send run of batch wave-1 paused"
        );
    }
    bruno.stop().await;
    took
}
