//! The cockpit's terminal goes away under it (the tmux session is closed): the rehearsal leaves
//! through its normal way out — no panic, its throwaway database stopped and removed.

#[path = "support/tmux.rs"]
mod tmux;

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};
use tmux::{Tmux, alive};

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

/// Output that nobody reads any more (a closed pipe): a one-shot `check` and a `--watch` end
/// without a panic, the watch as if stopped by a signal.
#[test]
fn a_closed_stdout_never_panics() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gonogo.toml");
    std::fs::write(
        &config,
        "[launch]\nname = \"x\"\n\n[[gate]]\nid = \"flip\"\nsource = \"command\"\ncommand = [\"sh\", \"-c\", \"test $(( $(date +%s) % 2 )) = 0\"]\npass = \"== 0\"\nevery = \"200ms\"\n",
    )
    .unwrap();
    let gonogo = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_gonogo"))
            .args(args)
            .arg("--config")
            .arg(&config)
            .env("GONOGO_LOG_DIR", dir.path().join("logs"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    for args in [&["check"][..], &["check", "--json"][..]] {
        let mut child = gonogo(args);
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(matches!(out.status.code(), Some(0..=2)), "{args:?}: {err}");
    }
    let mut child = gonogo(&["check", "--watch", "--no-journal"]);
    let mut first = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("watching"), "{first}");
    drop(child.stdout.take());
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the watch kept running with nobody reading"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(status.code().is_some(), "ended by a signal: {status:?}");
}

/// Gate titles (TOML-escaped) spelling addresses the ways a shared screen must not show:
/// fullwidth, a CJK local part, a zero-width space inside, `%40`, and a cohort address's bare
/// local part.
const SPELLED_TITLES: [(&str, &str); 5] = [
    ("owner", "Owner \\uFF4A\\uFF4F\\uFF48\\uFF4E\\uFF20veza.fr"),
    ("on_call", "On call \\u5C71\\u7530@veza.fr"),
    ("pager", "Pager bea\\u200Btrice@veza.fr"),
    ("docs", "Docs by dan%40veza.fr"),
    ("press", "Press kit from carla.longname"),
];

/// A launch whose gates (each one passing command) carry [`SPELLED_TITLES`].
fn spelled_config() -> String {
    let mut config = String::from("[launch]\nname = \"Mask launch\"\n");
    for (id, title) in SPELLED_TITLES {
        config.push_str(&format!(
            "\n[[gate]]\nid = \"{id}\"\ntitle = \"{title}\"\nsource = \"command\"\ncommand = [\"sh\", \"-c\", \"echo 7\"]\npass = \"== 7\"\n"
        ));
    }
    config
}

/// In a real terminal (tmux), `M` and screen-share mode leave none of those addresses
/// readable, as the terminal itself draws them.
#[test]
fn a_real_terminal_shows_no_address_in_any_spelling_while_masking() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gonogo.toml");
    std::fs::write(&config, spelled_config()).unwrap();
    let cohort = dir.path().join("cohort.csv");
    std::fs::write(&cohort, "email,cohort\ncarla.longname@veza.fr,press\n").unwrap();
    let tmux = Tmux::start("mask", 140, 40);
    tmux.type_line(&format!(
        "clear; GONOGO_LOG_DIR={} {} tui --config {} --operator e2e --cohort {}",
        dir.path().join("logs").display(),
        env!("CARGO_BIN_EXE_gonogo"),
        config.display(),
        cohort.display(),
    ));
    tmux.wait_for("the cohort pane", |s| s.contains("carla.longname@veza.fr"));
    tmux.keys(&["1"]);
    let plain = tmux.wait_for("the gates", |s| s.contains("Press kit from"));
    for shown in [
        "ｊｏｈｎ＠veza.fr",
        "山田@veza.fr",
        "dan%40veza.fr",
        "carla.longname",
    ] {
        assert!(plain.contains(shown), "{shown} unmasked:\n{plain}");
    }
    let readable = [
        "ｊｏｈｎ",
        "山田",
        "bea",
        "trice",
        "dan%40",
        "carla",
        "longname",
    ];
    tmux.keys(&["M"]);
    let masked = tmux.wait_for("mask mode", |s| s.contains("[emails masked]"));
    tmux.keys(&["P"]);
    let shared = tmux.wait_for("screen-share mode", |s| {
        s.contains("screen-share · emails masked")
    });
    for (mode, screen) in [("mask", &masked), ("screen share", &shared)] {
        for local in readable {
            assert!(
                !screen.contains(local),
                "{mode}: {local} readable:\n{screen}"
            );
        }
        assert!(screen.contains("j***@v***.fr"), "{mode}:\n{screen}");
    }
}
