//! Fault drills for senders that are frozen, not dead: the real binary, a real database and a
//! real SMTP server (aiosmtpd). A sender is frozen with SIGSTOP mid-transaction (before the
//! final dot, after it), or its heartbeats are held back by a row lock while it waits on the
//! SMTP server; a second sender works meanwhile (from "another machine", `GONOGO_DISPATCH_HOST`,
//! when it must be able to declare the first dead); then the first wakes up. What must hold:
//! no Message-ID received twice, every received message recorded, a late answer kept, and
//! `resolve --as retry` refused while the claimer could still hand the message over.
//!
//! Leases are short here (`GONOGO_DISPATCH_LEASE=1s`: margin 333 ms, dead after 1.33 s).

mod support;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use sqlx::PgPool;
use std::process::Child;
use std::time::{Duration, Instant};
use support::dispatch::{Rig, assert_received_once_and_recorded, wait_exit};
use support::smtp::{Rule, SmtpServer};

const LEASE: &str = "1s";
const FAR: &str = "another-machine.test";
const LIMIT: Duration = Duration::from_secs(60);

fn signal(child: &Child, sig: Signal) {
    kill(Pid::from_raw(child.id() as i32), sig).expect("signal the sender");
}

/// `gonogo ARGS` with the short lease, as a sender on this machine or (`host`) another one.
fn command(rig: &Rig, host: Option<&str>, args: &[&str]) -> std::process::Command {
    let mut cmd = rig.command();
    cmd.env("GONOGO_DISPATCH_LEASE", LEASE).args(args);
    if let Some(host) = host {
        cmd.env("GONOGO_DISPATCH_HOST", host);
    }
    cmd
}

fn spawn(rig: &Rig, tag: &str, host: Option<&str>, args: &[&str]) -> Child {
    let out = std::fs::File::create(rig.path().join(format!("{tag}.out"))).unwrap();
    let err = std::fs::File::create(rig.path().join(format!("{tag}.err"))).unwrap();
    command(rig, host, args)
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("start gonogo")
}

fn run(rig: &Rig, host: Option<&str>, args: &[&str]) -> (Option<i32>, String) {
    let out = command(rig, host, args).output().expect("run gonogo");
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// Polls until `done` or fails after [`LIMIT`].
async fn until<F, Fut>(what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !done().await {
        assert!(started.elapsed() < LIMIT, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn server_saw(server: &SmtpServer, stage: &str, addr: &str) -> bool {
    server
        .replies()
        .iter()
        .any(|r| r.stage == stage && r.addr == addr)
}

fn received_for(server: &SmtpServer, to: &str) -> bool {
    server
        .received()
        .iter()
        .any(|r| r.rcpts.iter().any(|a| a == to))
}

async fn run_outcome(pool: &PgPool, n: usize) -> Option<String> {
    let rows: Vec<(Option<String>,)> =
        sqlx::query_as("SELECT outcome FROM gonogo.dispatch_run ORDER BY started_at")
            .fetch_all(pool)
            .await
            .unwrap();
    rows.get(n).and_then(|r| r.0.clone())
}

async fn history_of(pool: &PgPool, email: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT h.state, h.detail FROM gonogo.dispatch_history h
         JOIN gonogo.dispatch d ON d.id = h.dispatch_id WHERE d.email = $1 ORDER BY h.id",
    )
    .bind(email)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// Frozen before the final dot (waiting on RCPT), declared dead by a sender on another machine
/// after lease + margin, its message settled `retry` and delivered by that sender, then woken:
/// it stops short of the dot, records its late answer, and nothing arrives twice. Its other,
/// never-marked claims went back to `prepared` (not `unknown`) and were sent by the other.
#[sqlx::test(migrations = false)]
async fn a_sender_frozen_before_the_dot_and_declared_dead_never_delivers_on_waking(pool: PgPool) {
    let frozen_at = "user0@example.org";
    let server = SmtpServer::start(&[(frozen_at, Rule::StallRcpt(Duration::from_millis(500)))]);
    let rig = Rig::new(&pool).await;
    rig.configure(&Rig::smtp(&server.url()), "rate = \"off\"", "");
    rig.prepare(&rig.clean_cohort("frozen.csv", 60), "frozen");
    let mut a = spawn(&rig, "a", None, &["invites", "send", "--yes"]);
    until("the first sender at RCPT", || async {
        server_saw(&server, "rcpt_wait", frozen_at)
    })
    .await;
    signal(&a, Signal::SIGSTOP);

    // From this machine the frozen sender is alive: stalled, never declared dead.
    let (_, said) = run(&rig, None, &["invites", "status"]);
    assert!(!said.contains("died"), "{said}");
    until("the stall shown by status", || async {
        let (_, said) = run(&rig, None, &["invites", "status"]);
        said.contains(&format!("stalled: pid {}", a.id()))
    })
    .await;
    assert_eq!(
        run_outcome(&pool, 0).await,
        None,
        "declared dead while alive"
    );
    // From another machine, once lease + margin passed, it is dead.
    until("the frozen sender declared dead", || async {
        let _ = run(&rig, Some(FAR), &["invites", "status"]);
        run_outcome(&pool, 0).await.as_deref() == Some("died")
    })
    .await;
    let states = rig.states().await;
    assert_eq!(
        states.get("unknown"),
        Some(&1),
        "only the marked one: {states:?}"
    );
    assert_eq!(states.get("sending"), None, "{states:?}");
    // From this machine, its process alive: refused, exit 64, saying why.
    let (code, said) = run(
        &rig,
        None,
        &[
            "invites", "resolve", frozen_at, "--as", "retry", "--reason", "drill",
        ],
    );
    assert_eq!(code, Some(64), "{said}");
    assert!(said.contains("still alive on this machine"), "{said}");
    assert!(said.contains("--force"), "{said}");
    // From the other machine its lease is long past: allowed.
    let (code, said) = run(
        &rig,
        Some(FAR),
        &[
            "invites", "resolve", frozen_at, "--as", "retry", "--reason", "drill",
        ],
    );
    assert_eq!(code, Some(0), "{said}");

    let (code, said) = run(&rig, Some(FAR), &["invites", "send", "--yes"]);
    assert_eq!(code, Some(0), "{said}");
    assert_eq!(server.received_count(), 60);
    signal(&a, Signal::SIGCONT);
    wait_exit(&mut a, LIMIT);
    let said_a = rig.output_of("a");
    assert!(said_a.contains("run stopped"), "{said_a}");
    assert_eq!(server.received_count(), 60, "{said_a}");
    assert_received_once_and_recorded(&rig, &server).await;
    assert_eq!(rig.states().await.get("sent"), Some(&60));
    let history = history_of(&pool, frozen_at).await;
    println!("the woken sender's history line: {history:?}");
    assert!(
        history
            .iter()
            .any(|(s, d)| s == "late" && d.contains("it would have been prepared")),
        "{history:?}"
    );
    let (_, said) = run(&rig, None, &["invites", "status"]);
    assert!(said.contains("late answers"), "{said}");
}

/// Frozen after the final dot (the server stored the message, its reply is late), declared
/// dead, put back by an operator on another machine; on waking its 250 is not dropped: the
/// message is recorded `sent` (not sent again), with a late line in its history and the
/// journal.
#[sqlx::test(migrations = false)]
async fn a_late_delivery_of_a_run_declared_dead_is_recorded(pool: PgPool) {
    let frozen_at = "user0@example.org";
    let server =
        SmtpServer::start(&[(frozen_at, Rule::StallAfterData(Duration::from_millis(800)))]);
    let rig = Rig::new(&pool).await;
    rig.configure(&Rig::smtp(&server.url()), "rate = \"off\"", "");
    rig.prepare(&rig.clean_cohort("late.csv", 20), "late");
    let mut a = spawn(&rig, "a", None, &["invites", "send", "--yes"]);
    until("the stalled message stored", || async {
        received_for(&server, frozen_at)
    })
    .await;
    signal(&a, Signal::SIGSTOP);
    until("the frozen sender declared dead", || async {
        let _ = run(&rig, Some(FAR), &["invites", "status"]);
        run_outcome(&pool, 0).await.as_deref() == Some("died")
    })
    .await;
    let (code, said) = run(
        &rig,
        Some(FAR),
        &[
            "invites", "resolve", frozen_at, "--as", "retry", "--reason", "drill",
        ],
    );
    assert_eq!(code, Some(0), "{said}");
    signal(&a, Signal::SIGCONT);
    wait_exit(&mut a, LIMIT);
    let (code, said) = run(&rig, Some(FAR), &["invites", "send", "--yes"]);
    assert_eq!(code, Some(0), "{said}");
    assert_eq!(server.received_count(), 20);
    assert_received_once_and_recorded(&rig, &server).await;
    let history = history_of(&pool, frozen_at).await;
    assert!(
        history.iter().any(|(s, d)| s == "late"
            && d.contains("delivered by a run declared dead: possible duplicate")),
        "{history:?}"
    );
    let journal = rig.journal().await;
    assert!(
        journal
            .iter()
            .any(|(k, d)| k == "dispatch_run" && d.contains("late_answer")),
        "{journal:?}"
    );
    let (_, said) = run(&rig, None, &["invites", "status", "--json"]);
    let status: serde_json::Value = serde_json::from_str(&said).expect("status JSON");
    assert_eq!(status["late"][0]["email"], frozen_at, "{status}");
}

/// Its heartbeats held back by a lock on its run row while it waits on a slow RCPT: the lease
/// runs out mid-transaction, so it stops before the final dot and hands the message back; once
/// the database answers again it carries on, and every message arrives once.
#[sqlx::test(migrations = false)]
async fn a_sender_whose_heartbeats_stall_stops_before_the_dot(pool: PgPool) {
    let slow = "user0@example.org";
    let server = SmtpServer::start(&[(slow, Rule::StallRcpt(Duration::from_millis(2500)))]);
    let rig = Rig::new(&pool).await;
    rig.configure(&Rig::smtp(&server.url()), "rate = \"off\"", "");
    rig.prepare(&rig.clean_cohort("stall.csv", 10), "stall");
    let mut a = spawn(&rig, "a", None, &["invites", "send", "--yes"]);
    until("the sender at RCPT", || async {
        server_saw(&server, "rcpt_wait", slow)
    })
    .await;
    let mut lock = pool.begin().await.unwrap();
    sqlx::query("SELECT id FROM gonogo.dispatch_run FOR UPDATE")
        .execute(&mut *lock)
        .await
        .unwrap();
    until("the hand-over stopped short of the dot", || async {
        history_of(&pool, slow)
            .await
            .iter()
            .any(|(s, d)| s == "prepared" && d.contains("final dot"))
    })
    .await;
    assert!(
        !received_for(&server, slow),
        "a message went past the fence"
    );
    lock.rollback().await.unwrap();
    let code = wait_exit(&mut a, LIMIT);
    assert_eq!(code, Some(0), "{}", rig.output_of("a"));
    assert_eq!(server.received_count(), 10);
    assert_received_once_and_recorded(&rig, &server).await;
}

/// `resolve --as retry` while the claiming run may still hold its lease (a row turned
/// `unknown` by another machine's clock, say): refused; `--force --reason` puts it back and
/// says so in the history and the journal.
#[sqlx::test(migrations = false)]
async fn resolve_retry_waits_for_the_claimers_lease_unless_forced(pool: PgPool) {
    let server = SmtpServer::start(&[]);
    let rig = Rig::new(&pool).await;
    rig.configure(&Rig::smtp(&server.url()), "rate = \"off\"", "");
    rig.prepare(&rig.clean_cohort("held.csv", 2), "held");
    let run_id = uuid::Uuid::new_v4();
    sqlx::query(
        "INSERT INTO gonogo.dispatch_run (id, launch, operator, host, pid, lease_ms, margin_ms,
             ended_at, outcome)
         SELECT $1, launch, 'other', $2, 4242, 600000, 200000, now(), 'died'
         FROM gonogo.dispatch LIMIT 1",
    )
    .bind(run_id)
    .bind(FAR)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE gonogo.dispatch SET state = 'unknown', run_id = $1, orphaned = true
         WHERE email = 'user0@example.org'",
    )
    .bind(run_id)
    .execute(&pool)
    .await
    .unwrap();
    let args = [
        "invites",
        "resolve",
        "user0@example.org",
        "--as",
        "retry",
        "--reason",
        "checked the relay",
    ];
    let (code, said) = run(&rig, None, &args);
    assert_eq!(code, Some(64), "{said}");
    assert!(said.contains("may still hold its lease"), "{said}");
    assert_eq!(rig.states().await.get("unknown"), Some(&1));
    let forced: Vec<&str> = args.iter().copied().chain(["--force"]).collect();
    let (code, said) = run(&rig, None, &forced);
    assert_eq!(code, Some(0), "{said}");
    assert_eq!(rig.states().await.get("prepared"), Some(&2));
    let history = history_of(&pool, "user0@example.org").await;
    assert!(
        history
            .iter()
            .any(|(s, d)| s == "prepared" && d.contains("(forced)")),
        "{history:?}"
    );
    let journal = rig.journal().await;
    assert!(
        journal
            .iter()
            .any(|(k, d)| k == "dispatch_resolve" && d.contains("forced past a run")),
        "{journal:?}"
    );
    // `sent` never needs the claimer gone: it sends nothing.
    sqlx::query("UPDATE gonogo.dispatch SET state = 'unknown', orphaned = true WHERE email = 'user1@example.org'")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE gonogo.dispatch SET run_id = $1 WHERE email = 'user1@example.org'")
        .bind(run_id)
        .execute(&pool)
        .await
        .unwrap();
    let (code, said) = run(
        &rig,
        None,
        &[
            "invites",
            "resolve",
            "user1@example.org",
            "--as",
            "sent",
            "--reason",
            "seen in the relay log",
        ],
    );
    assert_eq!(code, Some(0), "{said}");
}
