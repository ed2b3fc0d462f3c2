//! `gonogo check --watch` as a process: state changes and verdict lines, `LOOP=1` and
//! `CHECK_INTERVAL`, JSON lines, and stopping on SIGINT with the last verdict's exit code.

mod support;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, SystemTime};
use support::cli::Env;

/// A running `gonogo check --watch`: its stdout lines arrive on a channel.
struct Watch {
    child: std::process::Child,
    out: support::lines::Lines,
}

impl Watch {
    fn start(env: &Env, args: &[&str], vars: &[(&str, &str)]) -> Watch {
        Watch::spawn(std::process::Command::new(env.bin()), env, args, vars)
    }

    /// As under `nohup`: started with SIGHUP ignored.
    fn start_ignoring_hangup(env: &Env, args: &[&str]) -> Watch {
        let mut cmd = std::process::Command::new("sh");
        cmd.arg("-c")
            .arg("trap '' HUP; exec \"$0\" \"$@\"")
            .arg(env.bin());
        Watch::spawn(cmd, env, args, &[])
    }

    fn spawn(
        mut cmd: std::process::Command,
        env: &Env,
        args: &[&str],
        vars: &[(&str, &str)],
    ) -> Watch {
        use std::os::unix::process::CommandExt;
        // The test runner may itself run under nohup (SIGHUP ignored, inherited by children);
        // start from the default so each test decides.
        // SAFETY: only the async-signal-safe signal(2) runs between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                use nix::sys::signal::{SigHandler, Signal, signal};
                signal(Signal::SIGHUP, SigHandler::SigDfl)?;
                Ok(())
            });
        }
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", env.path())
            .env("GONOGO_LOG_DIR", env.logs())
            .current_dir(env.path())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let out = support::lines::Lines::of(&mut child);
        Watch { child, out }
    }

    /// Waits for a line containing `needle` (at most 20s).
    fn expect(&mut self, needle: &str) -> String {
        self.out.expect(needle, Duration::from_secs(20))
    }

    /// Like [`Watch::expect`], but a line already read counts too: for output whose order
    /// against the lines waited for before is not fixed.
    fn expect_seen(&mut self, needle: &str) -> String {
        match self.out.seen.iter().find(|line| line.contains(needle)) {
            Some(line) => line.clone(),
            None => self.expect(needle),
        }
    }

    /// Ctrl-C, then the exit code.
    fn interrupt(self) -> Option<i32> {
        self.signal("-INT")
    }

    /// Sends `signal` (as `kill` takes it), then the exit code.
    fn signal(mut self, signal: &str) -> Option<i32> {
        let status = std::process::Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            if std::time::Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("gonogo --watch did not stop on {signal}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A test that fails must not leave its gonogo running: it would keep its test database open.
impl Drop for Watch {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn set_age(path: &Path, age: Duration) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(SystemTime::now() - age)
        .unwrap();
}

fn file_gate_env() -> (Env, PathBuf) {
    let env = Env::new();
    let file = env.path().join("k6-report.json");
    std::fs::write(&file, "{}").unwrap();
    set_age(&file, Duration::from_secs(7200));
    env.write_config(&format!(
        "[[gate]]\nid = \"k6\"\ntitle = \"k6 nightly age\"\nsource = \"file_age\"\npath = \"{}\"\npass = \"< 1h\"\n",
        file.display()
    ));
    (env, file)
}

#[test]
fn watch_prints_state_changes_and_verdicts_until_sigint() {
    let (env, file) = file_gate_env();
    let mut watch = Watch::start(&env, &["check", "--watch", "--interval", "1"], &[]);
    watch.expect("unknown → fail");
    watch.expect("VERDICT: NO-GO");
    set_age(&file, Duration::ZERO);
    let line = watch.expect("fail → pass");
    assert!(line.contains("k6 nightly age"), "{line}");
    watch.expect("VERDICT: GO");
    assert_eq!(
        watch.interrupt(),
        Some(0),
        "exit code of the last verdict (GO)"
    );
}

#[test]
fn loop_and_check_interval_env_work_like_the_flags() {
    let (env, file) = file_gate_env();
    let mut watch = Watch::start(&env, &["check"], &[("LOOP", "1"), ("CHECK_INTERVAL", "1")]);
    watch.expect("watching 1 gate of");
    watch.expect("VERDICT: NO-GO");
    // A one-second interval: the change shows up within a few seconds, not the 30s default.
    set_age(&file, Duration::ZERO);
    watch.expect("fail → pass");
    set_age(&file, Duration::from_secs(7200));
    watch.expect("pass → fail");
    watch.expect("VERDICT: NO-GO");
    assert_eq!(
        watch.interrupt(),
        Some(1),
        "exit code of the last verdict (NO-GO)"
    );
}

#[test]
fn a_closed_terminal_stops_the_watch_with_the_verdict_code() {
    let (env, _file) = file_gate_env();
    let mut watch = Watch::start(&env, &["check", "--watch", "--interval", "1"], &[]);
    watch.expect("VERDICT: NO-GO");
    // SIGHUP (tmux kill-window) and SIGTERM end it like Ctrl-C, not with a signal's death.
    assert_eq!(watch.signal("-HUP"), Some(1));
}

#[test]
fn under_nohup_a_hangup_does_not_stop_the_watch() {
    let (env, file) = file_gate_env();
    let mut watch = Watch::start_ignoring_hangup(&env, &["check", "--watch", "--interval", "1"]);
    watch.expect("VERDICT: NO-GO");
    let status = std::process::Command::new("kill")
        .args(["-HUP", &watch.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    set_age(&file, Duration::ZERO);
    watch.expect("fail → pass");
    assert_eq!(watch.child.try_wait().unwrap(), None, "still running");
    assert_eq!(watch.interrupt(), Some(0));
}

#[test]
fn watch_json_prints_one_object_per_line() {
    let (env, _file) = file_gate_env();
    let mut watch = Watch::start(
        &env,
        &["check", "--watch", "--json", "--interval", "1"],
        &[],
    );
    let t = watch.expect("\"gate\"");
    let t: serde_json::Value = serde_json::from_str(&t).unwrap();
    assert_eq!(
        (t["gate"].as_str(), t["to"].as_str()),
        (Some("k6"), Some("fail"))
    );
    let v = watch.expect("\"verdict\"");
    let v: serde_json::Value = serde_json::from_str(&v).unwrap();
    assert_eq!(v["verdict"], "NO-GO");
    assert_eq!(watch.interrupt(), Some(1));
}

/// The database is there but the journal is not (no `gonogo migrate` yet): the watch keeps its
/// transitions, says so once, and writes them in order as soon as the journal exists.
#[sqlx::test(migrations = false)]
async fn watch_keeps_transitions_until_the_journal_can_take_them(pool: sqlx::PgPool) {
    let (env, file) = file_gate_env();
    let gates = std::fs::read_to_string(env.path().join("gonogo.toml")).unwrap();
    let body = gates
        .split_once("[[gate]]")
        .map(|(_, gate)| format!("[[gate]]{gate}"))
        .unwrap();
    env.write_config(&format!(
        "[postgres]\nurl = \"{}\"\n\n{body}",
        support::db_url(&pool)
    ));
    let mut watch = Watch::start(
        &env,
        &["check", "--watch", "--interval", "1", "--operator", "carol"],
        &[],
    );
    watch.expect("unknown → fail");
    watch.expect("journal: not recorded yet: the journal does not exist yet");
    set_age(&file, Duration::ZERO);
    watch.expect("fail → pass");
    let (code, out, err) = support::cli::run(&env, &["migrate"]);
    assert_eq!(code, Some(0), "{out}{err}");
    // The kept transitions go in on the 15 s retry or with the next transition, whichever comes
    // first on a busy machine; either way in the order they happened.
    set_age(&file, Duration::from_secs(7200));
    watch.expect("pass → fail");
    watch.expect_seen("journal: recording again (");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let rows = loop {
        let rows: Vec<(String, Option<String>, String)> = sqlx::query_as(
            "SELECT to_state, from_state, actor FROM gonogo.journal WHERE gate = 'k6' ORDER BY id",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        if rows.len() >= 3 || std::time::Instant::now() > deadline {
            break rows;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        rows,
        vec![
            ("fail".into(), None, "carol".into()),
            ("pass".into(), Some("fail".into()), "carol".into()),
            ("fail".into(), Some("pass".into()), "carol".into()),
        ]
    );
    assert_eq!(watch.interrupt(), Some(1));
}

/// A journal database that accepts connections and never answers must not slow the watch: gate
/// changes print as they happen while the journal waits on its own.
#[test]
fn a_hanging_journal_database_does_not_hold_up_the_watch() {
    let (env, file) = file_gate_env();
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let gates = std::fs::read_to_string(env.path().join("gonogo.toml")).unwrap();
    let body = gates
        .split_once("[[gate]]")
        .map(|(_, gate)| format!("[[gate]]{gate}"))
        .unwrap();
    env.write_config(&format!(
        "[postgres]\nurl = \"postgres://gonogo@127.0.0.1:{port}/veza\"\n\n{body}"
    ));
    let mut watch = Watch::start(&env, &["check", "--watch", "--interval", "1"], &[]);
    watch.expect("unknown → fail");
    for (age, change) in [
        (Duration::ZERO, "fail → pass"),
        (Duration::from_secs(7200), "pass → fail"),
        (Duration::ZERO, "fail → pass"),
    ] {
        set_age(&file, age);
        let asked = std::time::Instant::now();
        watch.expect(change);
        // One poll interval, plus ample slack for a loaded machine; a watch waiting on the
        // journal (3 s per attempt, on every step) falls further behind each time.
        assert!(
            asked.elapsed() < Duration::from_secs(8),
            "{change} took {:?}",
            asked.elapsed()
        );
    }
    drop(silent);
    assert_eq!(watch.interrupt(), Some(0));
}
