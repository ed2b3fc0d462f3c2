//! A real terminal for end-to-end tests: the cockpit runs inside a private tmux server, keys are
//! sent with send-keys, the screen is read with capture-pane, the program in the pane found by pid.
#![allow(dead_code)]

use std::process::{Command, Output};
use std::time::{Duration, Instant};

pub struct Tmux {
    pub socket: String,
}

impl Tmux {
    /// A private tmux server with one `width`x`height` shell whose prompt reads `e2e-prompt$ `.
    pub fn start(name: &str, width: u16, height: u16) -> Tmux {
        let tmux = Tmux {
            socket: format!("gonogo-{name}-{}", std::process::id()),
        };
        let (width, height) = (width.to_string(), height.to_string());
        tmux.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-x",
            &width,
            "-y",
            &height,
            "sh",
        ]);
        tmux.type_line("PS1='e2e-prompt$ '");
        tmux
    }

    /// Resizes the window, as a tmux client of another size attaching would.
    pub fn resize(&self, width: u16, height: u16) {
        let (width, height) = (width.to_string(), height.to_string());
        self.run(&["resize-window", "-t", "e2e", "-x", &width, "-y", &height]);
    }

    pub fn run(&self, args: &[&str]) -> Output {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux must be installed for this test");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    pub fn capture(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "e2e"]).stdout).into_owned()
    }

    pub fn format(&self, format: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", "e2e", format]);
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        for key in keys {
            self.run(&["send-keys", "-t", "e2e", key]);
            // A lone Esc followed at once by a key reads as Alt+key; real hands are slower.
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    pub fn type_line(&self, line: &str) {
        self.run(&["send-keys", "-t", "e2e", "-l", line]);
        self.run(&["send-keys", "-t", "e2e", "Enter"]);
    }

    pub fn wait_for(&self, what: &str, found: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.capture();
            if found(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

/// The pid of the process a shell in `tmux` started as `sh -c 'echo $$ > pid_file; exec …'`,
/// once it is the `gonogo` binary itself (not the shell before its exec).
pub fn gonogo_pid(pid_file: &std::path::Path) -> i32 {
    let gonogo = std::fs::canonicalize(env!("CARGO_BIN_EXE_gonogo")).unwrap();
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let pid = std::fs::read_to_string(pid_file)
            .ok()
            .and_then(|p| p.trim().parse::<i32>().ok());
        let exe = pid.and_then(|p| std::fs::read_link(format!("/proc/{p}/exe")).ok());
        if let Some(pid) = pid
            && exe.as_deref() == Some(gonogo.as_path())
        {
            return pid;
        }
        assert!(Instant::now() < until, "no gonogo: {pid:?} {exe:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether `pid` is still a process (not gone, not a zombie waiting for its shell).
pub fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
    })
}

/// The terminal is as the shell left it: main screen, no mouse capture, cursor on, cooked mode.
pub fn assert_restored(tmux: &Tmux) {
    assert_eq!(tmux.format("#{alternate_on}"), "0", "alternate screen left");
    assert!(
        !tmux.format("#{pane_title}").starts_with("gonogo:"),
        "no verdict is left in the title once the cockpit is gone"
    );
    assert_eq!(tmux.format("#{mouse_any_flag}"), "0", "mouse capture off");
    assert_eq!(tmux.format("#{cursor_flag}"), "1", "cursor visible");

    tmux.type_line(
        "printf 'FLAGS:%s:END\\n' \"$(stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo|isig)' | tr '\\n' ' ')\"",
    );
    let stty = tmux.wait_for("stty", |s| {
        s.lines()
            .any(|l| l.starts_with("FLAGS:") && l.ends_with(":END"))
    });
    let line = stty
        .lines()
        .find(|l| l.starts_with("FLAGS:") && l.ends_with(":END"))
        .unwrap()
        .trim_start_matches("FLAGS:")
        .trim_end_matches(":END");
    for flag in ["icanon", "isig", "echo"] {
        assert!(
            line.split_whitespace().any(|w| w == flag),
            "terminal left raw ({flag} off): {line}"
        );
    }
}
