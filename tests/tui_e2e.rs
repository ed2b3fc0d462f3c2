//! End to end: the real binary in a real terminal (tmux), on a config of local sources only
//! (file age, a command, an HTTP endpoint served by this test). Waits for the verdict, opens the
//! help, switches panes (the Cohort pane with a file given by `--cohort`), enters screen-share
//! mode, quits, and checks the terminal was restored.

#[path = "support/tmux.rs"]
mod tmux;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use tmux::{Tmux, assert_restored};

/// A status endpoint: answers every request with 200 and a small JSON body.
fn serve_status() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let body = r#"{"status":{"indicator":"none"}}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

fn write_config(dir: &Path, port: u16) -> std::path::PathBuf {
    let stamp = dir.join("backup.dump");
    std::fs::write(&stamp, b"x").unwrap();
    let config = format!(
        r#"
[launch]
name = "E2E launch"
environment = "staging"
decision_at = "2030-01-01T18:00:00Z"

[defaults]
every = "2s"
timeout = "2s"

[[gate]]
id = "backup"
title = "Last backup age"
source = "file_age"
path = "{}"
pass = "< 26h"

[[gate]]
id = "smoke"
title = "Smoke test"
source = "command"
command = ["sh", "-c", "echo 7"]
pass = "== 7"

[[gate]]
id = "status_page"
title = "Status page"
source = "http"
url = "http://127.0.0.1:{port}/api/v2/status.json"
json = "/status/indicator"
pass = "== 'none'"
"#,
        stamp.display()
    );
    let path = dir.join("gonogo.toml");
    std::fs::write(&path, config).unwrap();
    path
}

#[test]
fn cockpit_runs_in_a_real_terminal_and_restores_it_on_quit() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), serve_status());
    let tmux = Tmux::start("e2e", 100, 30);
    tmux.type_line(&format!(
        "clear; GONOGO_LOG_DIR={} {} tui --config {} --operator e2e --cohort {}/tests/fixtures/cohort/pane_warn.csv; echo EXIT=$?",
        dir.path().join("logs").display(),
        env!("CARGO_BIN_EXE_gonogo"),
        config.display(),
        env!("CARGO_MANIFEST_DIR")
    ));

    let screen = tmux.wait_for("the GO verdict", |s| {
        s.contains("E2E launch")
            && s.lines()
                .next()
                .is_some_and(|l| l.trim_end().ends_with(" GO"))
    });
    // A file given with --cohort opens on the Cohort pane; 1 shows the gates.
    assert!(screen.contains("pane_warn.csv"), "{screen}");
    tmux.keys(&["1"]);
    tmux.wait_for("the gates", |s| s.contains("Smoke test"));
    assert_eq!(
        tmux.format("#{alternate_on}"),
        "1",
        "the cockpit uses the alternate screen"
    );
    let title = tmux.format("#{pane_title}");
    assert_eq!(
        title, "gonogo: GO",
        "the terminal title carries the verdict"
    );

    tmux.keys(&["?"]);
    tmux.wait_for("the help", |s| {
        s.contains("Help · Esc closes") && s.contains("[recheck_all]")
    });
    tmux.keys(&["Escape"]);
    tmux.wait_for("the help to close", |s| !s.contains("Help · Esc closes"));

    tmux.keys(&["2"]);
    tmux.wait_for("the timeline", |s| {
        s.contains("local only") && s.contains("first: ✅ pass")
    });
    // --cohort loaded the file at start; without [postgres] an override is refused, saying why.
    tmux.keys(&["Tab"]);
    tmux.wait_for("the cohort pane", |s| {
        s.contains("WARN") && s.contains("ana@vinyl.example") && s.contains("creator")
    });
    tmux.keys(&["o"]);
    tmux.wait_for("the refusal", |s| {
        s.contains("no override without a record")
    });
    tmux.keys(&["Tab"]);
    tmux.wait_for("the dispatch pane", |s| {
        s.contains("dispatch unavailable: no [invites] in the config")
    });
    tmux.keys(&["Tab"]);
    tmux.wait_for("the checklist pane", |s| {
        s.contains("No [checklist] in the config")
    });
    tmux.keys(&["Tab"]);
    tmux.wait_for("the gates pane", |s| s.contains("Pass if"));

    tmux.keys(&["P"]);
    let shared = tmux.wait_for("screen-share mode", |s| {
        s.contains("screen-share · emails masked")
    });
    assert!(
        shared.contains('█') || shared.contains('▀'),
        "big verdict text:\n{shared}"
    );
    tmux.keys(&["P"]);
    tmux.wait_for("the cockpit again", |s| s.contains("Pass if"));

    // The drawing area follows the terminal: the footer on its last row, and the clock only
    // from 100 columns up.
    for (width, height, clock) in [(80u16, 24u16, false), (140, 40, true)] {
        tmux.resize(width, height);
        let screen = tmux.wait_for(&format!("the cockpit at {width}x{height}"), |s| {
            let lines: Vec<&str> = s.lines().collect();
            lines.len() == usize::from(height)
                && lines[0].trim_end().ends_with(" GO")
                && lines[0].contains(" UTC ") == clock
                && lines[usize::from(height) - 1].contains("q quit")
        });
        assert!(screen.contains("Pass if"), "{screen}");
    }

    tmux.keys(&["q"]);
    let after = tmux.wait_for("the exit", |s| s.contains("EXIT=0"));
    assert!(
        after.contains("e2e-prompt$"),
        "the shell prompt is back:\n{after}"
    );
    assert_restored(&tmux);
}

/// Starts the cockpit (`args` after the binary) through a shell that records its pid, sends it
/// `signal` once it is up, and checks the exit code and the terminal.
fn signal_restores_the_terminal(signal: &str, args: &str, expected_exit: u8) {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), serve_status());
    let tmux = Tmux::start(&format!("e2e-{signal}"), 100, 30);
    let pid_file = dir.path().join("pid");
    tmux.type_line(&format!(
        "clear; sh -c 'echo $$ > {}; exec env GONOGO_LOG_DIR={} {} {args} --config {}'; echo EXIT=$?",
        pid_file.display(),
        dir.path().join("logs").display(),
        env!("CARGO_BIN_EXE_gonogo"),
        config.display()
    ));
    tmux.wait_for("the cockpit", |s| s.contains("E2E launch"));
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let sent = Command::new("kill")
        .args([&format!("-{signal}"), pid.trim()])
        .status()
        .unwrap();
    assert!(sent.success());
    tmux.wait_for("the exit", |s| s.contains(&format!("EXIT={expected_exit}")));
    assert_restored(&tmux);
}

#[test]
fn sigterm_restores_the_terminal() {
    signal_restores_the_terminal("TERM", "tui", 143);
}

/// `tmux kill-window` sends SIGHUP. Also: `gonogo` with no command opens the cockpit.
#[test]
fn sighup_restores_the_terminal() {
    signal_restores_the_terminal("HUP", "", 129);
}
