//! CPU used by an idle cockpit: the release binary runs in a 200x50 tmux window with six local
//! gates (file age, commands, an HTTP endpoint) and a postgres gate, its journal and live
//! listener connected to a throwaway database, for 120 s (`GONOGO_IDLE_SECONDS` to change); its
//! utime+stime from /proc/PID/stat over that span gives the % of one core.
//! `GONOGO_IDLE_BASELINE=/path/to/gonogo` runs an earlier build beside it for a paired figure.

#[path = "support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

fn tmux(socket: &str, args: &[&str]) -> String {
    let out = Command::new("tmux")
        .arg("-L")
        .arg(socket)
        .args(args)
        .output()
        .expect("tmux is needed for this benchmark");
    assert!(
        out.status.success(),
        "tmux {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// utime + stime of a process (every thread, ended ones too), in clock ticks. The kernel
/// scales the two so their sum is the scheduler's exact runtime, so a longer run only
/// sharpens the figure: one tick (10 ms) over 120 s is 0.008 % of a core.
fn cpu_ticks(pid: &str) -> u64 {
    let stat =
        std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("the cockpit is running");
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after the name.
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// Voluntary context switches of the process's live threads: how often it woke up.
fn wakeups(pid: &str) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("status")).ok())
        .flat_map(|status| {
            status
                .lines()
                .filter_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
                .filter_map(|n| n.trim().parse::<u64>().ok())
                .collect::<Vec<_>>()
        })
        .sum()
}

fn clock_ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100)
}

fn serve_status() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let body = r#"{"status":{"indicator":"none"},"total_count":0}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

fn main() {
    // `cargo bench` passes libtest flags; a plain `--list` must not start a 60 s run.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let seconds: u64 = std::env::var("GONOGO_IDLE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(120);
    let dir = tempfile::tempdir().unwrap();
    let stamp = dir.path().join("backup.dump");
    std::fs::write(&stamp, b"x").unwrap();
    let port = serve_status();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = runtime.block_on(support::BenchDb::create("idle"));
    // GONOGO_IDLE_NO_DB=1: the same six local gates without the database, for comparison.
    let with_db = std::env::var("GONOGO_IDLE_NO_DB").is_err();
    let database = if with_db {
        format!(
            "[postgres]\nurl = \"{}\"\n\n[[gate]]\nid = \"testers_db\"\nsource = \"postgres\"\nquery = \"SELECT 57\"\npass = \">= 50\"\n",
            db.url
        )
    } else {
        String::new()
    };
    let config = format!(
        r#"
[launch]
name = "Idle launch"
decision_at = "2030-01-01T18:00:00Z"

[defaults]
every = "10s"

{database}
[[gate]]
id = "backup"
source = "file_age"
path = "{stamp}"
pass = "< 26h"

[[gate]]
id = "backup_copy"
source = "file_age"
path = "{stamp}"
pass = "< 30h"

[[gate]]
id = "smoke"
source = "command"
command = ["true"]
pass = "== 0"

[[gate]]
id = "testers"
source = "command"
command = ["echo", "57"]
pass = ">= 50"

[[gate]]
id = "status_page"
source = "http"
url = "http://127.0.0.1:{port}/status.json"
json = "/status/indicator"
pass = "== 'none'"

[[gate]]
id = "high_issues"
source = "http"
url = "http://127.0.0.1:{port}/search"
json = "/total_count"
pass = "== 0"
"#,
        stamp = stamp.display(),
    );
    let config_path = dir.path().join("gonogo.toml");
    std::fs::write(&config_path, config).unwrap();

    // GONOGO_IDLE_BASELINE=/path/to/an/earlier/gonogo: that build runs beside this one, on the
    // same config at the same time, so both figures see the same machine.
    let mut cockpits = vec![("this build", env!("CARGO_BIN_EXE_gonogo").to_owned())];
    if let Ok(baseline) = std::env::var("GONOGO_IDLE_BASELINE") {
        cockpits.push(("baseline", baseline));
    }
    let running: Vec<Cockpit> = cockpits
        .iter()
        .enumerate()
        .map(|(i, (_, binary))| Cockpit::start(i, binary, dir.path(), &config_path))
        .collect();
    // Let start-up and the first round of checks pass: the figure is for the idle state.
    std::thread::sleep(Duration::from_secs(5));
    let mut screens = Vec::new();
    for cockpit in &running {
        tmux(&cockpit.socket, &["send-keys", "-t", "idle", "2"]);
        std::thread::sleep(Duration::from_secs(1));
        screens.push(tmux(&cockpit.socket, &["capture-pane", "-p", "-t", "idle"]));
        tmux(&cockpit.socket, &["send-keys", "-t", "idle", "1"]);
    }
    for screen in &screens {
        assert!(
            screen.contains("Idle launch"),
            "the cockpit did not start:\n{screen}"
        );
        assert!(
            !with_db || screen.contains("· live"),
            "the cockpit's live listener is not connected:\n{screen}"
        );
    }
    let start_ticks: Vec<u64> = running.iter().map(|c| cpu_ticks(&c.pid)).collect();
    let start_wakeups: Vec<u64> = running.iter().map(|c| wakeups(&c.pid)).collect();
    let started = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds));
    let used: Vec<u64> = running
        .iter()
        .zip(&start_ticks)
        .map(|(c, start)| cpu_ticks(&c.pid) - start)
        .collect();
    let woke: Vec<u64> = running
        .iter()
        .zip(&start_wakeups)
        .map(|(c, start)| wakeups(&c.pid).saturating_sub(*start))
        .collect();
    let elapsed = started.elapsed().as_secs_f64();
    for cockpit in &running {
        let _ = Command::new("tmux")
            .args(["-L", &cockpit.socket, "kill-server"])
            .output();
    }
    runtime.block_on(db.drop_now());
    let what = if with_db {
        "seven gates every 10s (one postgres), journal and live listener connected"
    } else {
        "six local gates every 10s, no database"
    };
    for (((name, _), ticks), woke) in cockpits.iter().zip(used).zip(woke) {
        let cpu_seconds = ticks as f64 / clock_ticks_per_second() as f64;
        println!(
            "idle cockpit ({name}), {what}, 200x50: {cpu_seconds:.2} s CPU over {elapsed:.0} s = {:.3}% of one core, {:.1} wake-ups/s",
            100.0 * cpu_seconds / elapsed,
            woke as f64 / elapsed
        );
    }
}

/// A cockpit running in a tmux server of its own.
struct Cockpit {
    socket: String,
    pid: String,
}

impl Cockpit {
    fn start(n: usize, binary: &str, dir: &std::path::Path, config: &std::path::Path) -> Cockpit {
        let socket = format!("gonogo-idle-{}-{n}", std::process::id());
        let command = format!(
            "GONOGO_LOG_DIR={} {binary} tui --config {}",
            dir.join(format!("logs-{n}")).display(),
            config.display()
        );
        tmux(
            &socket,
            &[
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "idle",
                "-x",
                "200",
                "-y",
                "50",
                &format!("exec env {command}"),
            ],
        );
        let pid = tmux(
            &socket,
            &["display-message", "-p", "-t", "idle", "#{pane_pid}"],
        );
        Cockpit { socket, pid }
    }
}
