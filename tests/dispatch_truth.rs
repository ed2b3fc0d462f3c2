//! What a send run tells, against a real SMTP server (aiosmtpd): a run bound to the messages
//! confirmed (one prepared after waits, retries of the confirmed ones still go), a greylisted
//! message refused again and again not pausing the run and counted once, a batch's first send
//! journaled as a start, the `Date:` of the hand-over the same on every attempt, and a second
//! sender following the launch's rate.

mod support;

use gonogo::config::invites::Rate;
use gonogo::invite::{Ledger, RunProgress, SendOptions, Setup, send};
use gonogo::journal::Journal;
use sqlx::PgPool;
use std::time::Duration;
use support::dispatch::Rig;
use support::smtp::{Rule, SmtpServer};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

fn setup_of(rig: &Rig) -> Setup {
    let text = std::fs::read_to_string(rig.config_path()).unwrap();
    let config = gonogo::config::load_str(&text, &rig.config_path()).expect("config");
    Setup::new(&config, &rig.config_path()).expect("setup")
}

async fn attempts_of(pool: &PgPool, email: &str) -> i32 {
    sqlx::query_scalar("SELECT attempts FROM gonogo.dispatch WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrations = false)]
async fn a_confirmed_run_sends_what_was_confirmed_and_a_greylisted_message_does_not_pause_it(
    pool: PgPool,
) {
    let server = SmtpServer::start(&[("grey@example.org", Rule::Rcpt451)]);
    let rig = Rig::new(&pool).await;
    rig.configure(&Rig::smtp(&server.url()), "rate = \"off\"", "");
    let first = rig.cohort(
        "wave.csv",
        &[
            "grey@example.org,creator-fr,Grey,".into(),
            "ana@example.org,creator-fr,Ana,".into(),
        ],
    );
    rig.prepare(&first, "wave");
    let setup = setup_of(&rig);
    let ledger = Ledger::new(pool.clone(), setup.launch.clone());
    let journal = Journal::new(pool.clone(), setup.launch.clone(), "tester");
    // What the operator confirmed: the batch's messages as read now.
    let counts = ledger.counts().await.unwrap();
    let (count, up_to) = (counts[0].counts.prepared, counts[0].last_id);
    assert_eq!(count, 2);
    // Someone prepares one more into the batch after the confirmation.
    let more = rig.cohort(
        "wave.csv",
        &[
            "grey@example.org,creator-fr,Grey,".into(),
            "ana@example.org,creator-fr,Ana,".into(),
            "late@example.org,creator-fr,Late,".into(),
        ],
    );
    rig.prepare(&more, "wave");
    let options = SendOptions {
        batch: Some("wave".into()),
        limit: Some(count),
        up_to: Some(up_to),
        rate: Rate(None),
        operator: "tester".into(),
        wait_for_retries: true,
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let cancel = CancellationToken::new();
    let run = send::run(&setup, &ledger, &journal, &options, tx, cancel.clone());
    let watch = async {
        // The greylisted message is refused again and again (retries 200 ms, doubling): more
        // than the pause's five, and the run goes on.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while attempts_of(&pool, "grey@example.org").await < 7 {
            assert!(tokio::time::Instant::now() < deadline, "no retries");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        cancel.cancel();
    };
    let (end, ()) = tokio::join!(run, watch);
    let end = end.expect("the run");
    assert_eq!(end.outcome, "stopped", "not paused: {end:?}");
    assert_eq!(end.sent, 1, "{end:?}");
    assert_eq!(
        end.retried, 1,
        "one message to retry, counted once: {end:?}"
    );
    assert_eq!(server.received_count(), 1);
    let late: (String, i32) = sqlx::query_as(
        "SELECT state, attempts FROM gonogo.dispatch WHERE email = 'late@example.org'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        late,
        ("prepared".into(), 0),
        "prepared after the confirmation"
    );
    let mut refused = 0;
    while let Ok(p) = rx.try_recv() {
        if let RunProgress::Message { email, state, .. } = p
            && email == "grey@example.org"
        {
            assert_eq!(state, "prepared");
            refused += 1;
        }
    }
    assert!(refused >= 7, "{refused}");
    // The date it goes out with is set once and kept for every attempt.
    let dated: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM gonogo.dispatch WHERE wire_date IS NOT NULL AND email <> 'late@example.org'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(dated, 2);
    let phases = rig.run_lines().await;
    assert!(phases[0].contains("\"start\""), "{phases:?}");
}

#[sqlx::test(migrations = false)]
async fn a_second_sender_follows_the_launch_rate(pool: PgPool) {
    let server = SmtpServer::start(&[]);
    let rig = Rig::new(&pool).await;
    rig.configure(&Rig::smtp(&server.url()), "rate = \"2/s\"", "");
    rig.prepare(&rig.clean_cohort("two.csv", 2), "two");
    let setup = setup_of(&rig);
    let ledger = Ledger::new(pool.clone(), setup.launch.clone());
    let journal = Journal::new(pool.clone(), setup.launch.clone(), "tester");
    // A first sender (another machine's) is going at 2/s.
    ledger
        .start_run(
            uuid::Uuid::new_v4(),
            None,
            "ana",
            "elsewhere",
            gonogo::invite::lease::LeaseTerms::from_env(),
            "2/s",
        )
        .await
        .unwrap();
    let options = SendOptions {
        batch: Some("two".into()),
        limit: None,
        up_to: None,
        rate: Rate(Some(50.0)),
        operator: "tester".into(),
        wait_for_retries: false,
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let end = send::run(
        &setup,
        &ledger,
        &journal,
        &options,
        tx,
        CancellationToken::new(),
    )
    .await
    .expect("the run");
    assert_eq!(end.sent, 2, "{end:?}");
    let Some(RunProgress::Started { rate, followed, .. }) = rx.recv().await else {
        panic!("no start");
    };
    assert_eq!(rate.to_string(), "2/s");
    assert_eq!(followed.as_deref(), Some("ana@elsewhere"));
    let (_, out, _) = rig.run(&["invites", "status", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["rate"], "2/s", "{doc}");
}

/// The rig's config with the cohort needing `min_rows` valid rows.
fn needing_rows(rig: &Rig, min_rows: u64) {
    let text = std::fs::read_to_string(rig.config_path()).unwrap();
    let text = text.replace("min_rows = 1\n", &format!("min_rows = {min_rows}\n"));
    std::fs::write(rig.config_path(), text).unwrap();
}

fn wave(rig: &Rig, name: &str, from: usize, n: usize) -> std::path::PathBuf {
    let rows: Vec<String> = (from..from + n)
        .map(|i| format!("user{i}@example.org,creator-fr,User {i},"))
        .collect();
    rig.cohort(name, &rows)
}

#[sqlx::test(migrations = false)]
async fn a_follow_up_wave_is_reviewed_against_the_launch_cohort(pool: PgPool) {
    let rig = Rig::new(&pool).await;
    rig.configure("send_cmd = \"true\"", "", "");
    needing_rows(&rig, 5);
    let small = wave(&rig, "second.csv", 10, 2);
    let path = small.to_str().unwrap();
    // Alone, two rows are too few.
    let (code, out, err) = rig.run(&["invites", "prepare", path, "--batch", "second"]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        out.contains("too_few_rows") || err.contains("too_few_rows"),
        "{out}{err}"
    );
    // After a first wave of five, the launch's cohort has seven: no finding.
    rig.prepare(&wave(&rig, "first.csv", 0, 5), "first");
    let (code, out, err) = rig.run(&["invites", "prepare", path, "--batch", "second", "--json"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["prepared"], 2, "{doc}");
    assert_eq!(doc["review"]["status"], "ok", "{doc}");
    // The file's own numbers are still its own.
    assert_eq!(doc["review"]["valid_rows"], 2, "{doc}");
}

#[sqlx::test(migrations = false)]
async fn an_override_on_the_record_for_the_same_file_is_honoured_by_prepare(pool: PgPool) {
    let rig = Rig::new(&pool).await;
    rig.configure("send_cmd = \"true\"", "", "");
    needing_rows(&rig, 10);
    let file = wave(&rig, "few.csv", 0, 3);
    let path = file.to_str().unwrap();
    let (code, out, err) = rig.run(&[
        "cohort",
        "validate",
        path,
        "--force",
        "--reason",
        "a small press wave, agreed",
    ]);
    assert!(matches!(code, Some(0 | 2)), "{out}{err}");
    let (code, out, err) = rig.run(&["invites", "prepare", path, "--json"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["prepared"], 3, "{doc}");
    assert!(doc["override_entry"].as_i64().is_some(), "{doc}");
    // Another file (other bytes) is not covered by it (and six rows are still too few).
    let other = wave(&rig, "other.csv", 20, 3);
    let (code, out, err) = rig.run(&["invites", "prepare", other.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{out}{err}");
}
