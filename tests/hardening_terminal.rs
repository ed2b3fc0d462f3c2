//! The cockpit's terminal goes away under it (the tmux session is closed): the rehearsal leaves
//! through its normal way out — no panic, its throwaway database stopped and removed.

#[path = "support/tmux.rs"]
mod tmux;

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};
use tmux::Tmux;

fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
    })
}

fn leftovers(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("gonogo-demo-"))
        .collect()
}

#[test]
fn closing_the_tmux_session_under_the_demo_cockpit_cleans_up() {
    let dir = tempfile::tempdir().unwrap();
    // The throwaway server may run as another user: it must reach its directory.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let temp = dir.path().join("tmp");
    std::fs::create_dir(&temp).unwrap();
    std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(0o777)).unwrap();
    let logs = dir.path().join("logs");
    let pid_file = dir.path().join("pid");
    let tmux = Tmux::start("gone", 120, 40);
    tmux.type_line(&format!(
        "clear; sh -c 'echo $$ > {}; exec env TMPDIR={} GONOGO_LOG_DIR={} {} demo --speed 30'",
        pid_file.display(),
        temp.display(),
        logs.display(),
        env!("CARGO_BIN_EXE_gonogo"),
    ));
    tmux.wait_for("the demo cockpit", |s| s.contains("DEMO"));
    assert_eq!(
        leftovers(&temp).len(),
        1,
        "the throwaway database is in TMPDIR"
    );
    let pid: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    drop(tmux); // kill-server: the terminal is gone.
    let deadline = Instant::now() + Duration::from_secs(30);
    while alive(pid) {
        assert!(Instant::now() < deadline, "gonogo did not leave");
        std::thread::sleep(Duration::from_millis(100));
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while !leftovers(&temp).is_empty() {
        assert!(
            Instant::now() < deadline,
            "throwaway data left behind: {:?}",
            leftovers(&temp)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut log = String::new();
    for file in std::fs::read_dir(&logs).unwrap() {
        log.push_str(&std::fs::read_to_string(file.unwrap().path()).unwrap());
    }
    assert!(!log.contains("panicked"), "{log}");
}
