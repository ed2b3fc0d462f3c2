//! Live shared state against a real PostgreSQL: two cockpits (headless drivers) on one database
//! seeing each other's notes and transitions, the listener's backend killed mid-stream, and
//! notes kept while the database refuses connections.

mod support;

use gonogo::config::{Config, load_str};
use gonogo::journal::{Journal, JournalEvent, PendingEvent, Writer, WriterPace};
use gonogo::tui::driver::Driver;
use gonogo::tui::keymap::Keymap;
use gonogo::tui::state::State;
use gonogo::tui::timeline::Live;
use gonogo::tui::{Action, CockpitOptions};
use sqlx::PgPool;
use std::path::Path;
use std::time::Duration;

fn config(url: &str) -> Config {
    let text = format!(
        "[launch]\nname = \"Live launch\"\n\n[postgres]\nurl = \"{url}\"\n\n\
         [[gate]]\nid = \"sql\"\ntitle = \"SQL gate\"\nsource = \"postgres\"\nquery = \"SELECT 1\"\npass = \"== 1\"\nevery = \"2s\"\n"
    );
    load_str(&text, Path::new("live.toml")).unwrap()
}

async fn migrated(pool: &PgPool) {
    gonogo::db::migrate(pool).await.unwrap();
}

fn cockpit(url: &str, operator: &str) -> Driver {
    let options = CockpitOptions::new(operator, Keymap::default());
    Driver::start(config(url), options).unwrap()
}

fn messages(state: &State) -> Vec<String> {
    state
        .panes
        .timeline
        .rows()
        .iter()
        .filter(|r| r.kind == "note")
        .map(|r| r.message.clone())
        .collect()
}

async fn live(driver: &mut Driver) {
    let ready = driver
        .run_until(Duration::from_secs(10), |s| {
            s.panes.timeline.live == Live::On
                && matches!(
                    s.panes.timeline.source,
                    gonogo::tui::timeline::TimelineSource::Journal { .. }
                )
        })
        .await;
    assert!(
        ready,
        "live: {:?} {:?}",
        driver.state.panes.timeline.live, driver.state.panes.timeline.source
    );
}

#[sqlx::test(migrations = false)]
async fn two_cockpits_see_each_others_notes_and_transitions(pool: PgPool) {
    migrated(&pool).await;
    let url = support::db_url(&pool);
    let mut alice = cockpit(&url, "alice");
    let mut bruno = cockpit(&url, "bruno");
    live(&mut alice).await;
    live(&mut bruno).await;

    alice.dispatch(Action::AddNote("rollback owner is Marc".into()));
    assert!(
        alice
            .run_until(Duration::from_secs(5), |s| s.panes.timeline.pending == 0
                && !messages(s).is_empty())
            .await
    );
    let seen = bruno
        .run_until(Duration::from_secs(2), |s| {
            messages(s) == vec!["rollback owner is Marc".to_owned()]
        })
        .await;
    assert!(seen, "bruno's timeline: {:?}", messages(&bruno.state));
    let row = bruno
        .state
        .panes
        .timeline
        .rows()
        .iter()
        .find(|r| r.kind == "note")
        .unwrap();
    assert_eq!(row.actor, "alice");

    bruno.dispatch(Action::AddNote("status page checked".into()));
    let seen = alice
        .run_until(Duration::from_secs(3), |s| messages(s).len() == 2)
        .await;
    assert!(seen, "alice's timeline: {:?}", messages(&alice.state));
    assert_eq!(
        messages(&alice.state)[0],
        "status page checked",
        "newest first"
    );

    // The gate's first observation is journaled once and both cockpits show it.
    for driver in [&mut alice, &mut bruno] {
        let seen = driver
            .run_until(Duration::from_secs(6), |s| {
                s.panes
                    .timeline
                    .rows()
                    .iter()
                    .any(|r| r.kind == "gate" && r.first)
            })
            .await;
        assert!(seen);
    }
    let gate_lines: i64 =
        sqlx::query_scalar("SELECT count(*) FROM gonogo.journal WHERE kind = 'gate'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(gate_lines, 1);

    // A take-over in one cockpit shows who is on shift in the other.
    alice.dispatch(Action::TakeOver);
    let seen = bruno
        .run_until(Duration::from_secs(3), |s| {
            s.panes
                .timeline
                .on_shift
                .as_ref()
                .map(|(who, _)| who.as_str())
                == Some("alice")
        })
        .await;
    assert!(seen);
    // Nothing handed to the journal is left unwritten at quit (a read may be abandoned).
    for driver in [alice, bruno] {
        let left = driver.stop().await;
        assert!(!left.iter().any(|l| l.contains("recorded")), "{left:?}");
    }
}

#[sqlx::test(migrations = false)]
async fn the_listener_killed_mid_stream_loses_and_doubles_nothing(pool: PgPool) {
    migrated(&pool).await;
    let url = support::db_url(&pool);
    let mut reader = cockpit(&url, "reader");
    live(&mut reader).await;
    let writer = Journal::new(pool.clone(), "Live launch", "writer");
    for n in 0..30 {
        writer
            .record_now(JournalEvent::Note {
                text: format!("note {n:02}"),
            })
            .await
            .unwrap();
        if n == 9 || n == 19 {
            let killed: i64 = sqlx::query_scalar(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                 WHERE application_name = 'gonogo listener' AND datname = current_database()",
            )
            .fetch_one(&pool)
            .await
            .unwrap();
            assert_eq!(killed, 1, "one listener backend");
        }
        reader.step(Duration::from_millis(20)).await;
    }
    let all = reader
        .run_until(Duration::from_secs(15), |s| {
            messages(s).len() >= 30 && s.panes.timeline.live == Live::On
        })
        .await;
    let mut got = messages(&reader.state);
    got.reverse();
    let want: Vec<String> = (0..30).map(|n| format!("note {n:02}")).collect();
    assert!(all, "got {got:?}");
    assert_eq!(got, want, "every note once, in order");
    assert_eq!(
        reader.state.panes.timeline.gaps, 2,
        "each killed connection was a gap the cockpit noticed and caught up after"
    );
    reader.stop().await;
}

/// A TCP forwarder to the real server that can refuse connections (by not listening) and
/// drop every connection it carries.
struct Gate {
    port: u16,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Gate {
    fn new() -> Gate {
        Gate {
            port: support::free_port(),
            task: None,
        }
    }

    async fn open(&mut self) {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .unwrap();
        let server = support::database::server_address();
        self.task = Some(tokio::spawn(async move {
            let mut conns = tokio::task::JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                let server = server.clone();
                conns.spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(server).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        }));
    }

    fn close(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

#[sqlx::test(migrations = false)]
async fn notes_kept_while_the_database_refuses_connections_arrive_once_in_order(pool: PgPool) {
    migrated(&pool).await;
    let mut gate = Gate::new();
    let mut url = url::Url::parse(&support::db_url(&pool)).unwrap();
    url.set_port(Some(gate.port)).unwrap();
    let away = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(Duration::from_millis(500))
        .connect_lazy(url.as_str())
        .unwrap();
    let journal = Journal::new(away, "Live launch", "night-shift");
    let (tx, mut heard) = tokio::sync::mpsc::unbounded_channel();
    let pace = WriterPace {
        budget: Duration::from_secs(2),
        retry: Duration::from_millis(200),
    };
    let writer = Writer::spawn(journal, pace, move |outcome| tx.send(outcome).is_ok());
    for n in 0..5 {
        writer.send_event(PendingEvent::now(JournalEvent::Note {
            text: format!("kept {n}"),
        }));
    }
    // Refused: the notes wait, and the writer says how many.
    let first = heard.recv().await.unwrap();
    assert!(first.as_ref().is_err_and(|e| e.kept() >= 1), "{first:?}");
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM gonogo.journal WHERE kind = 'note'")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    assert_eq!(count().await, 0);
    gate.open().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let outcome = tokio::time::timeout_at(deadline, heard.recv())
            .await
            .unwrap()
            .unwrap();
        if outcome.is_ok() {
            break;
        }
    }
    let texts: Vec<String> = sqlx::query_scalar(
        "SELECT data->>'text' FROM gonogo.journal WHERE kind = 'note' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let want: Vec<String> = (0..5).map(|n| format!("kept {n}")).collect();
    assert_eq!(texts, want);
    assert_eq!(writer.close(Duration::from_secs(5)).await, Some(0));
    gate.close();
    assert_eq!(count().await, 5, "nothing written twice");
}
