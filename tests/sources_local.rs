//! `command` and `file_age` sources through the real `Sources::check`: numbers on stdout, exit
//! codes, missing programs, hung processes killed at the timeout, fresh/old/missing files.

mod support;

use gonogo::gate::{GateState, Value};
use std::time::{Duration, Instant, SystemTime};
use support::{check, config, error_of, state_of, value_of};

fn command_gate(id: &str, argv: &str, pass: &str, timeout: &str) -> String {
    format!(
        "[[gate]]\nid = \"{id}\"\nsource = \"command\"\ncommand = {argv}\npass = \"{pass}\"\ntimeout = \"{timeout}\"\n\n"
    )
}

#[tokio::test]
async fn command_printing_a_number_gives_that_number() {
    let text = format!(
        "{}{}",
        support::LAUNCH,
        command_gate("n", r#"["sh", "-c", "echo 42.5; exit 3"]"#, "> 40", "5s")
    );
    let cfg = config(&text);
    let result = check(&cfg, "n").await;
    assert_eq!(value_of(&result), Value::Number(42.5));
    assert_eq!(state_of(&cfg, result), GateState::Pass);
}

#[tokio::test]
async fn command_exit_code_is_the_value() {
    let text = format!(
        "{}{}{}",
        support::LAUNCH,
        command_gate("t", r#"["true"]"#, "== 0", "5s"),
        command_gate(
            "f",
            r#"["sh", "-c", "echo smoke test failed >&2; exit 7"]"#,
            "== 0",
            "5s"
        ),
    );
    let cfg = config(&text);
    let result = check(&cfg, "t").await;
    assert_eq!(value_of(&result), Value::Number(0.0));
    let result = check(&cfg, "f").await;
    assert_eq!(value_of(&result), Value::Number(7.0));
    assert_eq!(
        result.outcome.as_ref().unwrap().detail.as_deref(),
        Some("smoke test failed")
    );
    assert_eq!(state_of(&cfg, result), GateState::Fail);
}

#[tokio::test]
async fn command_not_found_is_unknown() {
    let text = format!(
        "{}{}",
        support::LAUNCH,
        command_gate("nf", r#"["gonogo-no-such-program-xyz"]"#, "== 0", "5s")
    );
    let cfg = config(&text);
    let result = check(&cfg, "nf").await;
    assert!(error_of(&result).contains("command not found"));
    assert_eq!(state_of(&cfg, result), GateState::Unknown);
}

#[tokio::test]
async fn hanging_command_is_killed_at_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("pid");
    let script = format!("echo $$ > {}; exec sleep 60", pidfile.display());
    let text = format!(
        "{}{}",
        support::LAUNCH,
        command_gate(
            "hang",
            &format!("[\"sh\", \"-c\", \"{script}\"]"),
            "== 0",
            "1s"
        )
    );
    let cfg = config(&text);
    let started = tokio::time::Instant::now();
    let checking = tokio::spawn({
        let cfg = cfg.clone();
        async move { check(&cfg, "hang").await }
    });
    // Once the command runs, tokio's clock is paused: it then moves only to the gate's deadline
    // (nothing else can end the check), so `took` is that deadline whatever the machine's load.
    // Were the command waited for instead, the paused clock would stay where it was.
    let running = Instant::now() + Duration::from_secs(10);
    while std::fs::read_to_string(&pidfile)
        .unwrap_or_default()
        .trim()
        .is_empty()
    {
        assert!(Instant::now() < running, "the command never started");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::pause();
    let result = checking.await.unwrap();
    let took = started.elapsed();
    tokio::time::resume();
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_millis(1500),
        "took {took:?}, timeout 1s"
    );
    assert!(error_of(&result).contains("timed out"));
    assert_eq!(state_of(&cfg, result), GateState::Unknown);
    let pid = std::fs::read_to_string(&pidfile).unwrap();
    let pid = pid.trim();
    // The child is killed when the check is dropped; give the kernel a moment to reap it.
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let alive = std::process::Command::new("kill")
            .args(["-0", pid])
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap()
            .success();
        let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| s.contains(") Z "))
            .unwrap_or(true);
        if !alive || zombie {
            break;
        }
        assert!(Instant::now() < deadline, "process {pid} outlived its gate");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn file_gate(id: &str, path: &std::path::Path, pass: &str) -> String {
    format!(
        "[[gate]]\nid = \"{id}\"\nsource = \"file_age\"\npath = \"{}\"\npass = \"{pass}\"\n\n",
        path.display()
    )
}

#[tokio::test]
async fn file_age_of_fresh_and_old_files() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh.json");
    let old = dir.path().join("old.json");
    std::fs::write(&fresh, "{}").unwrap();
    std::fs::write(&old, "{}").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&old)
        .unwrap()
        .set_modified(SystemTime::now() - Duration::from_secs(40 * 3600))
        .unwrap();
    let text = format!(
        "{}{}{}",
        support::LAUNCH,
        file_gate("fresh", &fresh, "< 30h"),
        file_gate("old", &old, "< 30h")
    );
    let cfg = config(&text);
    let result = check(&cfg, "fresh").await;
    assert!(value_of(&result).as_number().unwrap() < 5.0);
    assert_eq!(state_of(&cfg, result), GateState::Pass);
    let result = check(&cfg, "old").await;
    let age = value_of(&result).as_number().unwrap();
    assert!((40.0 * 3600.0..40.0 * 3600.0 + 5.0).contains(&age), "{age}");
    assert_eq!(state_of(&cfg, result), GateState::Fail);
}

#[tokio::test]
async fn file_age_set_by_touch_d() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("k6-report.json");
    let status = std::process::Command::new("touch")
        .args(["-d", "2 hours ago"])
        .arg(&file)
        .status()
        .unwrap();
    assert!(status.success());
    let text = format!("{}{}", support::LAUNCH, file_gate("k6", &file, "< 1h"));
    let cfg = config(&text);
    let result = check(&cfg, "k6").await;
    let age = value_of(&result).as_number().unwrap();
    assert!((7200.0..7210.0).contains(&age), "{age}");
    assert_eq!(state_of(&cfg, result), GateState::Fail);
}

#[tokio::test]
async fn missing_file_is_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}{}",
        support::LAUNCH,
        file_gate("gone", &dir.path().join("nope.dump"), "< 26h")
    );
    let cfg = config(&text);
    let result = check(&cfg, "gone").await;
    assert!(error_of(&result).contains("no such file"));
    assert_eq!(state_of(&cfg, result), GateState::Unknown);
}
