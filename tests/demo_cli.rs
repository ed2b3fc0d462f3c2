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
    // Intervals as a person reads them (at 80x 250ms; at 7x `3s`, never `2s 857ms`).
    assert!(
        stdout.contains(": 6 gates, checked every 250ms, "),
        "{stdout}"
    );
    // The day ends with a one-screen summary, after the final verdict.
    let (_, summary) = stdout
        .split_once("── the day in summary: Soft launch (DEMO) ──\n")
        .unwrap_or_else(|| panic!("no summary in:\n{stdout}"));
    assert!(summary.lines().count() <= 20, "one screen:\n{summary}");
    assert!(summary.contains("20 of 20 beats"), "{summary}");
    assert!(summary.contains("verdict: NO-GO → GO"), "{summary}");
    assert!(summary.contains("✅ Testers signed up"), "{summary}");
    assert!(summary.contains("story beats"), "{summary}");
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

/// A headless rehearsal running in the background with its own temp dir: stdout lines on a channel.
struct Running {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Running {
    fn start(temp: &std::path::Path) -> Running {
        use std::io::BufRead;
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("gonogo"))
            .args(["demo", "--headless", "--speed", "5"])
            .env("TMPDIR", temp)
            .env("GONOGO_LOG_DIR", temp.join("logs"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Running { child, lines }
    }

    /// The throwaway database's directory, from the header.
    fn database_dir(&self) -> std::path::PathBuf {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(60))
                .expect("the header names the throwaway database");
            if let Some((_, dir)) = line.split_once("(throwaway, in ") {
                return dir.trim_end_matches(')').into();
            }
        }
    }
}

/// A failing test must not leave a rehearsal running.
impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Gone, or a zombie nobody reaps: either way no longer a server.
fn is_gone(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

#[test]
fn a_killed_demo_takes_its_server_along_and_the_next_removes_its_directory() {
    use std::os::unix::fs::PermissionsExt;
    let temp = tempfile::tempdir().unwrap();
    // Run as root, the server is the `postgres` user: it must reach its directory in here.
    std::fs::set_permissions(temp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut first = Running::start(temp.path());
    let dir = first.database_dir();
    let postmaster = std::fs::read_to_string(dir.join("data").join("postmaster.pid")).unwrap();
    let server = postmaster.lines().next().unwrap().trim().to_owned();
    assert!(
        !is_gone(&server),
        "the server runs while the rehearsal does"
    );
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !is_gone(&server) {
        assert!(
            std::time::Instant::now() < deadline,
            "the server outlived a SIGKILLed gonogo"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(dir.exists(), "nothing could remove it yet");

    let mut second = Running::start(temp.path());
    let second_dir = second.database_dir();
    assert_ne!(second_dir, dir);
    assert!(
        !dir.exists(),
        "the next rehearsal removed {}",
        dir.display()
    );
    let pid = second.child.id().to_string();
    std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    let status = second.child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(!second_dir.exists(), "Ctrl-C cleans up");
}

#[test]
fn the_database_url_can_come_from_the_environment_and_its_password_stays_hidden() {
    let logs = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = Command::cargo_bin("gonogo")
        .unwrap()
        .args(["demo", "--headless"])
        .env("GONOGO_LOG_DIR", logs.path())
        .env(
            "GONOGO_DEMO_DATABASE_URL",
            format!("postgres://rehearsal:Env-Pa55-demo@127.0.0.1:{port}/veza"),
        )
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(69), "{all}");
    assert!(
        all.contains(&format!(
            "rehearsal database at postgres://rehearsal:[redacted]@127.0.0.1:{port}/veza"
        )),
        "the variable was used instead of a throwaway server: {all}"
    );
    assert!(!all.contains("Env-Pa55-demo"), "{all}");
}
