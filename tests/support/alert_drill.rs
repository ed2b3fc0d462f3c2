//! Alert drills' parts: configs with a webhook on a loopback receiver, a gate flipped from a
//! table, cockpits stepped in-process, `check --watch` as a real child process (stopped or
//! killed), and the receiver's requests counted by alert id.

use super::quiet::Quiet;
use super::receiver::Receiver;
use gonogo::tui::CockpitOptions;
use gonogo::tui::driver::Driver;
use gonogo::tui::keymap::Keymap;
use sqlx::PgPool;
use std::collections::BTreeMap;
use std::time::Duration;

/// A gate that always passes.
pub const GATE: &str =
    "[[gate]]\nid = \"a\"\nsource = \"file_age\"\npath = \"/\"\npass = \"> 0s\"\n";

pub const SECRET: &str = "whsec-loopback-test";

pub fn alerts_section(port: u16, extra: &str) -> String {
    format!(
        "[alerts]\nwebhook_url = \"http://127.0.0.1:{port}/hook/T0K3N\"\nsigning_secret = \"{SECRET}\"\n{extra}\n"
    )
}

/// A launch on `url` alerting the receiver on `port`, with one required gate read from `flip`.
pub fn shared_config(url: &str, port: u16, group_for: &str, min: &str) -> String {
    format!(
        "[launch]\nname = \"Alert launch\"\n\n[postgres]\nurl = \"{url}\"\n\n{}\
         [[gate]]\nid = \"flip\"\ntitle = \"Flip gate\"\nsource = \"postgres\"\n\
         query = \"SELECT v FROM flip\"\npass = \"== 1\"\nevery = \"300ms\"\n",
        alerts_section(
            port,
            &format!("min_severity = \"{min}\"\ngroup_for = \"{group_for}\"\n")
        )
    )
}

pub async fn flip_table(pool: &PgPool) {
    sqlx::raw_sql("CREATE TABLE flip (v int NOT NULL); INSERT INTO flip VALUES (1)")
        .execute(pool)
        .await
        .unwrap();
}

pub async fn flip(pool: &PgPool, v: i32) {
    sqlx::query("UPDATE flip SET v = $1")
        .bind(v)
        .execute(pool)
        .await
        .unwrap();
}

/// A migrated database with the `flip` table, a receiver answering 200, and the config text.
pub async fn flip_launch(
    pool: &PgPool,
    group_for: &str,
    min: &str,
) -> (std::sync::Arc<Receiver>, String) {
    gonogo::db::migrate(pool).await.unwrap();
    flip_table(pool).await;
    let receiver = Receiver::new(SECRET, vec![]);
    let port = super::receiver::serve(receiver.clone()).port();
    let text = shared_config(&super::db_url(pool), port, group_for, min);
    (receiver, text)
}

pub fn cockpit(text: &str, operator: &str) -> Driver {
    let config = super::config(text);
    Driver::start(config, CockpitOptions::new(operator, Keymap::default())).unwrap()
}

/// Steps every cockpit (and ticks them) for `time`.
pub async fn run_for(drivers: &mut [&mut Driver], time: Duration) {
    let until = tokio::time::Instant::now() + time;
    while tokio::time::Instant::now() < until {
        for driver in drivers.iter_mut() {
            driver.step(Duration::from_millis(20)).await;
            driver.tick();
        }
    }
}

/// Steps the cockpits until each one's status of `gate` satisfies `seen`; fails the test
/// after `within`. `|g| g.observed_at.is_some()` is a cockpit's first look, which its alert
/// engine has been shown by then (the runner hands it the board in the same step).
pub async fn until_gate(
    drivers: &mut [&mut Driver],
    gate: &str,
    within: Duration,
    seen: impl Fn(&gonogo::gate::GateStatus) -> bool,
) {
    let until = tokio::time::Instant::now() + within;
    loop {
        let all = drivers
            .iter()
            .all(|d| d.state.board.get(gate).is_some_and(&seen));
        if all {
            return;
        }
        assert!(
            tokio::time::Instant::now() < until,
            "the cockpits' `{gate}` did not get there within {within:?}"
        );
        run_for(drivers, Duration::from_millis(50)).await;
    }
}

/// Each cockpit's first look at `gate`.
pub async fn until_first_look(drivers: &mut [&mut Driver], gate: &str) {
    until_gate(drivers, gate, Duration::from_secs(15), |g| {
        g.observed_at.is_some()
    })
    .await;
}

/// Steps the cockpits until the database shows `n` sessions waiting for an advisory lock
/// (the alert senders queued on a subject lock); fails the test after `within`.
pub async fn until_lock_waiters(
    pool: &PgPool,
    drivers: &mut [&mut Driver],
    n: i64,
    within: Duration,
) {
    let until = tokio::time::Instant::now() + within;
    loop {
        let (waiting,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted \
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        if waiting >= n {
            return;
        }
        assert!(
            tokio::time::Instant::now() < until,
            "{waiting} of {n} senders waiting for the subject lock after {within:?}"
        );
        run_for(drivers, Duration::from_millis(50)).await;
    }
}

/// Steps the cockpits until `done` holds (or `within` passes); whether it held.
pub async fn run_until(
    drivers: &mut [&mut Driver],
    within: Duration,
    mut done: impl FnMut() -> bool,
) -> bool {
    let until = tokio::time::Instant::now() + within;
    while !done() {
        if tokio::time::Instant::now() >= until {
            return false;
        }
        if drivers.is_empty() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        run_for(drivers, Duration::from_millis(100)).await;
    }
    true
}

/// Steps the cockpits until the receiver has had no new request, and none being answered, for
/// `period` (fails the test after `within`): before asserting that nothing (more) was sent.
pub async fn run_until_quiet(
    drivers: &mut [&mut Driver],
    receiver: &Receiver,
    period: Duration,
    within: Duration,
) {
    let (first, _) = receiver.activity();
    let mut quiet = Quiet::new("the webhook receiver", period, within, first);
    loop {
        if drivers.is_empty() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        run_for(drivers, Duration::from_millis(100)).await;
        let (seen, busy) = receiver.activity();
        if quiet.settled(seen, busy) {
            return;
        }
    }
}

/// Steps the cockpits until the receiver has `n` requests (or `within` passes).
pub async fn until_received(
    drivers: &mut [&mut Driver],
    receiver: &Receiver,
    n: usize,
    within: Duration,
) {
    run_until(drivers, within, || receiver.seen().len() >= n).await;
}

/// A child process stopped (SIGTERM, then waited for) however the test ends.
pub struct Stopped(pub std::process::Child);

impl Stopped {
    fn signal(&mut self, signal: nix::sys::signal::Signal) {
        let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(self.0.id() as i32), signal);
        let _ = self.0.wait();
    }

    pub fn stop(&mut self) {
        self.signal(nix::sys::signal::Signal::SIGTERM);
    }

    /// Dies as a process dies: no chance to let go of anything.
    pub fn kill(&mut self) {
        self.signal(nix::sys::signal::Signal::SIGKILL);
    }
}

impl Drop for Stopped {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `gonogo check --watch` on `config_text` as operator `cron`, its stdout in `watch.out`.
pub fn spawn_watch(env: &super::cli::Env, config_text: &str) -> Stopped {
    let path = env.path().join("gonogo.toml");
    std::fs::write(&path, config_text).unwrap();
    let out = std::fs::File::create(env.path().join("watch.out")).unwrap();
    let watch = std::process::Command::new(env.bin())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", env.path())
        .env("GONOGO_LOG_DIR", env.logs())
        .env("GONOGO_OPERATOR", "cron")
        .args(["--config", path.to_str().unwrap(), "check", "--watch"])
        .stdout(out)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    Stopped(watch)
}

/// How many requests came for each alert id (every one signed).
pub fn by_id(receiver: &Receiver) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for request in receiver.seen() {
        assert!(request.signature_ok, "{request:?}");
        *counts
            .entry(request.alert_id.unwrap_or_default())
            .or_default() += 1;
    }
    counts
}

/// A cockpit whose database refuses connections, alerting `receiver` on every change at once.
pub fn away_cockpit(receiver: &std::sync::Arc<Receiver>) -> Driver {
    let port = super::receiver::serve(receiver.clone()).port();
    let text = format!(
        "[launch]\nname = \"Away launch\"\n\n[postgres]\nurl = \"postgres://gonogo@127.0.0.1:{}/x\"\n\n{}{GATE}every = \"300ms\"\n",
        super::free_port(),
        alerts_section(port, "group_for = \"0s\"\n")
    );
    cockpit(&text, "alice")
}
