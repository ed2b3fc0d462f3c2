//! The alert service's queue on a real receiver: deliveries hanging on earlier alerts hold up
//! no later one, and past the queue's bound the quietest, oldest alerts are dropped, said and
//! journaled (real PostgreSQL for the journal).

mod support;

use gonogo::alerts::{
    AlertNews, IN_FLIGHT, Inlet, Service, ServiceSetup, Trigger, WAITING_LIMIT, Webhook, context,
    inlet,
};
use gonogo::journal::{EventSender, Journal, JournalFilter, Writer, WriterPace};
use sqlx::PgPool;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::alert_drill::*;
use support::receiver::{Answer, Receiver, serve};

fn dispatch(batch: &str, phase: &str) -> Trigger {
    Trigger::Dispatch {
        run: format!("run-{batch}"),
        batch: Some(batch.into()),
        phase: phase.into(),
        sent: 1,
        failed: 0,
        unknown: 0,
        reason: None,
    }
}

/// A service on `config`'s webhook (and `journal_events`, if any); what it says, collected.
fn service(
    config: &gonogo::config::Config,
    journal_events: Option<EventSender>,
) -> (Service, Inlet, Arc<Mutex<Vec<AlertNews>>>) {
    let webhook = Webhook::from_config(&config.raw.alerts, &config.redactor)
        .unwrap()
        .unwrap();
    let (inlet, inbox) = inlet();
    let news = Arc::new(Mutex::new(Vec::new()));
    let heard = news.clone();
    let setup = ServiceSetup {
        settings: config.raw.alerts.clone(),
        context: context(config, "drill", "alice"),
        webhook: Some(webhook),
        store: None,
        journal: None,
        journal_events,
        clock: gonogo::clock::Clock::System,
    };
    let service = Service::spawn(setup, inbox, move |n| heard.lock().unwrap().push(n));
    (service, inlet, news)
}

fn hanging_receiver(n: usize) -> (Arc<Receiver>, gonogo::config::Config) {
    let receiver = Receiver::new(SECRET, vec![Answer::Hang(Duration::from_secs(60)); n]);
    let port = serve(receiver.clone()).port();
    let config = support::config(&format!(
        "{}{}{GATE}",
        support::LAUNCH,
        alerts_section(port, "min_severity = \"info\"\ngroup_for = \"0s\"\n")
    ));
    (receiver, config)
}

#[tokio::test]
async fn a_receiver_hanging_on_earlier_alerts_does_not_delay_a_later_one() {
    // More hanging deliveries than the four the service used to run at once.
    let hanging = 6;
    let (receiver, config) = hanging_receiver(hanging);
    let (service, inlet, news) = service(&config, None);
    for i in 0..hanging {
        inlet.raise(dispatch(&format!("slow-{i}"), "paused"));
    }
    let all_hanging = run_until(&mut [], Duration::from_secs(10), || {
        receiver.seen().len() == hanging
    })
    .await;
    assert!(all_hanging, "{:?}", receiver.seen());
    let raised = tokio::time::Instant::now();
    inlet.raise(dispatch("late", "paused"));
    let delivered = || {
        news.lock()
            .unwrap()
            .iter()
            .any(|n| matches!(n, AlertNews::Delivered(d) if d.status == Some(200)))
    };
    let in_time = run_until(&mut [], Duration::from_secs(5), delivered).await;
    let took = raised.elapsed();
    assert!(in_time, "{:?}", news.lock().unwrap());
    assert!(
        took < Duration::from_secs(3),
        "the later alert took {took:?}"
    );
    let _ = service.close(Duration::from_millis(200)).await;
}

#[sqlx::test(migrations = false)]
async fn past_the_queue_bound_the_quietest_oldest_alerts_are_dropped_and_journaled(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    let (receiver, config) = hanging_receiver(IN_FLIGHT + WAITING_LIMIT + 8);
    let journal = Journal::new(pool.clone(), "Test launch", "alice");
    let pace = WriterPace {
        budget: Duration::from_secs(3),
        retry: Duration::from_secs(1),
    };
    let writer = Writer::spawn(journal.clone(), pace, |_| true);
    let (service, inlet, news) = service(&config, Some(writer.event_sender()));
    for i in 0..IN_FLIGHT {
        inlet.raise(dispatch(&format!("busy-{i}"), "paused"));
    }
    let busy = run_until(&mut [], Duration::from_secs(15), || {
        receiver.seen().len() == IN_FLIGHT
    })
    .await;
    assert!(busy, "{} of {IN_FLIGHT} under way", receiver.seen().len());
    // Four quiet ones first, then enough loud ones to overflow the queue by four.
    for i in 0..4 {
        inlet.raise(dispatch(&format!("quiet-{i}"), "finished"));
    }
    for i in 0..WAITING_LIMIT {
        inlet.raise(dispatch(&format!("loud-{i}"), "paused"));
    }
    let dropped = || -> Vec<String> {
        news.lock()
            .unwrap()
            .iter()
            .filter_map(|n| match n {
                AlertNews::DroppedAlert { title, .. } => Some(title.clone()),
                _ => None,
            })
            .collect()
    };
    let all = run_until(&mut [], Duration::from_secs(10), || dropped().len() == 4).await;
    assert!(all, "{:?}", dropped());
    for title in dropped() {
        assert!(
            title.contains("quiet-") && title.ends_with("finished"),
            "{title}"
        );
    }
    assert_eq!(receiver.seen().len(), IN_FLIGHT, "the rest wait their turn");
    let _ = service.close(Duration::from_millis(200)).await;
    writer.close(Duration::from_secs(5)).await;
    let notes = journal
        .read(&JournalFilter {
            kind: Some("note".into()),
            ..JournalFilter::default()
        })
        .await
        .unwrap();
    let said: Vec<_> = notes
        .iter()
        .filter(|e| e.message.contains("the alert queue was full"))
        .collect();
    assert_eq!(said.len(), 4, "{notes:#?}");
}
