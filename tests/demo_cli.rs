//! `gonogo demo --headless` end to end: the real binary starts a throwaway PostgreSQL (as the
//! `postgres` user when run as root), plays the story fast, prints NO-GO then GO, exits 0 and
//! removes its temp dir.

use assert_cmd::Command;
use std::time::Duration;

#[test]
fn headless_demo_plays_the_story_and_exits_with_go() {
    let logs = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("gonogo")
        .unwrap()
        .args(["demo", "--headless", "--speed", "80"])
        .env("GONOGO_LOG_DIR", logs.path())
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    let verdicts: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split_once(" VERDICT: ").map(|(_, v)| v))
        .collect();
    assert_eq!(verdicts.first(), Some(&"NO-GO"), "{stdout}");
    assert!(verdicts.contains(&"GO"), "{stdout}");
    assert!(
        stdout.contains("decision call — final VERDICT: GO"),
        "{stdout}"
    );
    assert!(stdout.contains("Soft launch (DEMO)"), "{stdout}");
    assert!(
        stdout.contains("🟡 Synthetic journey: pass → pending"),
        "{stdout}"
    );
    let dir = stdout
        .lines()
        .find_map(|l| {
            l.split_once("(throwaway, in ")
                .map(|(_, d)| d.trim_end_matches(')'))
        })
        .expect("the header names the throwaway database's directory");
    assert!(!std::path::Path::new(dir).exists(), "{dir} was not removed");
}

#[test]
fn a_bad_speed_is_a_usage_error() {
    let out = Command::cargo_bin("gonogo")
        .unwrap()
        .args(["demo", "--headless", "--speed", "0"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--speed"));
}
