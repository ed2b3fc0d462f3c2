//! `for` semantics through the real monitor under paused tokio time: pollers, the channel and the
//! board, with a `file_age` gate whose value the test switches by setting the file's mtime.
//! (file_age reads metadata on the blocking pool, which holds paused time still while it runs,
//! so no check can time out spuriously; socket-based sources cannot promise that.)

mod support;

use chrono::{DateTime, Utc};
use gonogo::gate::{Board, GateResult, GateState, Verdict};
use gonogo::monitor::{Clock, Monitor};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use tokio::sync::mpsc;

fn set_age(path: &Path, age: Duration) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(SystemTime::now() - age)
        .unwrap();
}

const FRESH: Duration = Duration::from_secs(0);
const OLD: Duration = Duration::from_secs(2 * 3600);

struct Rig {
    _dir: tempfile::TempDir,
    file: PathBuf,
    board: Board,
    rx: mpsc::Receiver<GateResult>,
    monitor: Monitor,
    start: DateTime<Utc>,
}

impl Rig {
    fn new(sustain: &str) -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("k6-report.json");
        std::fs::write(&file, "{}").unwrap();
        set_age(&file, OLD);
        let text = format!(
            "{}[[gate]]\nid = \"k6\"\nsource = \"file_age\"\npath = \"{}\"\npass = \"< 1h\"\n\
             every = \"10s\"\ntimeout = \"5s\"\n{sustain}\n",
            support::LAUNCH,
            file.display()
        );
        let cfg = support::config(&text);
        let start = Utc::now();
        let clock = Clock::tokio_from(start);
        let (tx, rx) = mpsc::channel(16);
        let monitor = Monitor::spawn(support::sources(&cfg), &cfg.gates, clock, None, tx);
        Rig {
            _dir: dir,
            file,
            board: Board::new(&cfg.gates, start),
            rx,
            monitor,
            start,
        }
    }

    /// Receives the next poll; returns (seconds since start, state after it).
    async fn next(&mut self) -> (i64, GateState) {
        let result = self.rx.recv().await.expect("a result");
        let at = (result.observed_at - self.start).num_seconds();
        self.board.apply(result);
        (at, self.board.get("k6").unwrap().state)
    }
}

#[tokio::test(start_paused = true)]
async fn failing_gate_is_pending_until_for_elapses_then_red() {
    let mut rig = Rig::new("for = \"1m\"");
    let mut timeline = Vec::new();
    loop {
        let (at, state) = rig.next().await;
        timeline.push((at, state));
        if state == GateState::Fail {
            break;
        }
        assert!(at < 600, "never turned red: {timeline:?}");
    }
    assert_eq!(
        timeline,
        vec![
            (0, GateState::Pending),
            (10, GateState::Pending),
            (20, GateState::Pending),
            (30, GateState::Pending),
            (40, GateState::Pending),
            (50, GateState::Pending),
            (60, GateState::Fail),
        ]
    );
    assert_eq!(rig.board.verdict(), Verdict::NoGo);
    // One passing check clears it at once.
    set_age(&rig.file, FRESH);
    assert_eq!(rig.next().await, (70, GateState::Pass));
    assert_eq!(rig.board.verdict(), Verdict::Go);
}

#[tokio::test(start_paused = true)]
async fn one_pass_resets_the_for_timer() {
    let mut rig = Rig::new("for = \"30s\"");
    assert_eq!(rig.next().await, (0, GateState::Pending));
    assert_eq!(rig.next().await, (10, GateState::Pending));
    assert_eq!(rig.board.verdict(), Verdict::Go, "pending counts as pass");
    set_age(&rig.file, FRESH);
    assert_eq!(rig.next().await, (20, GateState::Pass));
    set_age(&rig.file, OLD);
    // The failing run starts again at 30s: red at 60s, not at 30s.
    assert_eq!(rig.next().await, (30, GateState::Pending));
    assert_eq!(rig.next().await, (40, GateState::Pending));
    assert_eq!(rig.next().await, (50, GateState::Pending));
    assert_eq!(rig.next().await, (60, GateState::Fail));
    let since = rig.board.get("k6").unwrap().failing_since().unwrap();
    assert_eq!((since - rig.start).num_seconds(), 30);
}

#[tokio::test(start_paused = true)]
async fn without_for_a_failing_gate_is_red_at_once() {
    let mut rig = Rig::new("");
    assert_eq!(rig.next().await, (0, GateState::Fail));
}

#[tokio::test(start_paused = true)]
async fn a_stopped_poller_makes_the_gate_stale_after_three_intervals() {
    let mut rig = Rig::new("");
    set_age(&rig.file, FRESH);
    assert_eq!(rig.next().await, (0, GateState::Pass));
    rig.monitor.stop();
    let at = |secs| rig.start + chrono::Duration::seconds(secs);
    assert!(
        rig.board.refresh(at(30)).is_empty(),
        "30s old at a 10s interval is not stale yet"
    );
    let now = at(31);
    let transitions = rig.board.refresh(now);
    assert_eq!(transitions.len(), 1);
    assert_eq!(transitions[0].to, GateState::Unknown);
    assert_eq!(rig.board.verdict(), Verdict::Unknown);
}

#[tokio::test(start_paused = true)]
async fn recheck_polls_before_the_interval() {
    let mut rig = Rig::new("");
    assert_eq!(rig.next().await.0, 0);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(rig.monitor.recheck("k6"));
    assert!(!rig.monitor.recheck("nope"));
    assert_eq!(rig.next().await.0, 3);
}

/// The same `for` semantics with an HTTP gate whose answer the test switches: a loopback server
/// in the same paused runtime (it never sleeps, so no timer races the request).
#[tokio::test(start_paused = true)]
async fn http_gate_pending_then_red_then_reset_under_paused_time() {
    use axum::routing::get;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    let healthy = Arc::new(AtomicU64::new(0));
    let answer = healthy.clone();
    let router = axum::Router::new().route(
        "/health",
        get(move || {
            let v = answer.load(Ordering::SeqCst);
            async move { format!("{{\"healthy\":{v}}}") }
        }),
    );
    let addr = support::serve(router).await;
    let text = format!(
        "{}[[gate]]\nid = \"api\"\nsource = \"http\"\nurl = \"http://{addr}/health\"\njson = \"/healthy\"\n\
         pass = \"== 1\"\nevery = \"10s\"\ntimeout = \"5s\"\nfor = \"30s\"\n",
        support::LAUNCH
    );
    let cfg = support::config(&text);
    let start = Utc::now();
    let (tx, mut rx) = mpsc::channel(16);
    let _monitor = Monitor::spawn(
        support::sources(&cfg),
        &cfg.gates,
        Clock::tokio_from(start),
        None,
        tx,
    );
    let mut board = Board::new(&cfg.gates, start);
    let mut next = async || {
        let r = rx.recv().await.expect("a result");
        assert!(r.outcome.is_ok(), "{:?}", r.outcome);
        let at = (r.observed_at - start).num_seconds();
        board.apply(r);
        (at, board.get("api").unwrap().state)
    };
    assert_eq!(next().await, (0, GateState::Pending));
    assert_eq!(next().await, (10, GateState::Pending));
    assert_eq!(next().await, (20, GateState::Pending));
    assert_eq!(next().await, (30, GateState::Fail));
    healthy.store(1, Ordering::SeqCst);
    assert_eq!(next().await, (40, GateState::Pass));
    healthy.store(0, Ordering::SeqCst);
    assert_eq!(next().await, (50, GateState::Pending));
    healthy.store(1, Ordering::SeqCst);
    assert_eq!(next().await, (60, GateState::Pass), "one pass resets");
    healthy.store(0, Ordering::SeqCst);
    assert_eq!(next().await, (70, GateState::Pending));
    assert_eq!(next().await, (80, GateState::Pending));
    assert_eq!(next().await, (90, GateState::Pending));
    assert_eq!(next().await, (100, GateState::Fail));
}
