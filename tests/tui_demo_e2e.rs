//! End to end through the rehearsal: `gonogo demo` in a real terminal (tmux) starts its throwaway
//! PostgreSQL and simulated services, opens the cockpit, shows a verdict, answers help and pane
//! switches, quits on `q`, restores the terminal and removes its temp dir.

#[path = "support/tmux.rs"]
mod tmux;

use tmux::{Tmux, assert_restored};

fn verdict_in_header(screen: &str) -> bool {
    screen.lines().next().is_some_and(|header| {
        let header = header.trim_end();
        header.contains("DEMO") && (header.ends_with(" GO") || header.contains("NO-GO"))
    })
}

#[test]
fn the_demo_opens_the_cockpit_and_leaves_a_clean_terminal() {
    let dir = tempfile::tempdir().unwrap();
    // The throwaway PostgreSQL runs as the `postgres` user when we are root: it must be able to
    // reach its data dir inside this one.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let tmux = Tmux::start("demo-e2e", 120, 36);
    tmux.type_line(&format!(
        "clear; GONOGO_LOG_DIR={} TMPDIR={} {} demo --speed 30 --operator e2e; echo EXIT=$?",
        dir.path().join("logs").display(),
        dir.path().display(),
        env!("CARGO_BIN_EXE_gonogo"),
    ));

    let screen = tmux.wait_for("the demo cockpit with a verdict", verdict_in_header);
    assert!(screen.contains("Soft launch (DEMO)"), "{screen}");
    assert!(screen.contains("Testers signed up"), "{screen}");
    assert_eq!(tmux.format("#{alternate_on}"), "1");
    let throwaway: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("gonogo-demo-"))
        .collect();
    assert_eq!(
        throwaway.len(),
        1,
        "one throwaway PostgreSQL dir while running"
    );

    tmux.keys(&["?"]);
    tmux.wait_for("the help", |s| s.contains("Help · Esc closes"));
    tmux.keys(&["Escape"]);
    tmux.wait_for("the help to close", |s| !s.contains("Help · Esc closes"));

    // The timeline reads the throwaway database's journal: the story's beats are there.
    tmux.keys(&["2"]);
    tmux.wait_for("the shared timeline", |s| {
        s.contains("shared journal") && s.contains("gonogo demo")
    });
    // Every pane has something of the rehearsal's to show.
    tmux.keys(&["3"]);
    tmux.wait_for("the rehearsal's cohort reviewed", |s| {
        s.contains("cohort.csv") && s.contains("60 rows") && s.contains("database checks ran")
    });
    tmux.keys(&["4"]);
    tmux.wait_for("the rehearsal's send", |s| {
        s.contains("wave-1") && s.contains("@example.org")
    });
    tmux.keys(&["5"]);
    tmux.wait_for("the checklist and its roll call", |s| {
        s.contains("pre-flight checklist") && s.contains("Roll call")
    });
    tmux.keys(&["1"]);
    tmux.wait_for("the gates pane", |s| s.contains("Pass if"));

    tmux.keys(&["q"]);
    let after = tmux.wait_for("the exit", |s| s.contains("EXIT="));
    assert!(after.contains("EXIT=0"), "{after}");
    assert!(
        after.contains("e2e-prompt$"),
        "the shell prompt is back:\n{after}"
    );
    assert_restored(&tmux);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("gonogo-demo-"))
        .map(|e| e.path())
        .collect();
    assert!(
        left.is_empty(),
        "the throwaway PostgreSQL dir is removed: {left:?}"
    );
}
