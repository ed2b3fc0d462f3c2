//! A launch directory for the dispatch benchmarks: the default template, a config naming a
//! throwaway database and a transport, a clean cohort of N recipients, and the release binary
//! run against it (timed, with its peak RSS from `/usr/bin/time`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub struct LaunchDir {
    pub dir: tempfile::TempDir,
    pub db_url: String,
}

/// What one run of the binary took.
#[derive(Debug)]
pub struct Timed {
    pub wall: Duration,
    pub peak_rss_kb: u64,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl LaunchDir {
    pub fn new(db_url: &str) -> LaunchDir {
        let dir = tempfile::tempdir().expect("temp dir");
        let template = dir.path().join("templates/beta_invite");
        std::fs::create_dir_all(&template).unwrap();
        let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/templates/beta_invite");
        for part in ["subject.txt", "body.txt", "body.html"] {
            std::fs::copy(assets.join(part), template.join(part)).unwrap();
        }
        LaunchDir {
            dir,
            db_url: db_url.to_owned(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn configure(&self, transport: &str, rate: &str) {
        let text = format!(
            "[launch]\nname = \"Bench launch\"\n\n[postgres]\nurl = \"{}\"\n\n\
             [cohort]\nmin_rows = 1\nmin_labels = 1\n[cohort.groups]\n\n\
             [invites]\nfrom = \"Veza Beta <beta@veza.fr>\"\nreply_to = \"ops@veza.fr\"\n\
             signup_url = \"https://veza.fr/signup?invite={{{{ code }}}}\"\nout_dir = \"out\"\n\
             rate = \"{rate}\"\nretry = \"200ms\"\n{transport}\n",
            self.db_url
        );
        std::fs::write(self.path().join("gonogo.toml"), text).unwrap();
    }

    /// `n` clean recipients over five labels.
    pub fn cohort(&self, n: usize) -> PathBuf {
        let path = self.path().join("cohort.csv");
        let mut text = String::from("email,cohort,name,sent_by\n");
        let labels = [
            "creator-fr",
            "creator-be",
            "listener-jazz",
            "listener-folk",
            "press-fr",
        ];
        for i in 0..n {
            text.push_str(&format!(
                "person.{i}@example.org,{},Person {i},\n",
                labels[i % labels.len()]
            ));
        }
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Runs the release binary under `/usr/bin/time` (for the peak RSS).
    pub fn run(&self, args: &[&str]) -> Timed {
        let rss_file = self.path().join("rss.txt");
        let started = Instant::now();
        let out = Command::new("/usr/bin/time")
            .arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(&rss_file)
            .arg(env!("CARGO_BIN_EXE_gonogo"))
            .arg("--config")
            .arg(self.path().join("gonogo.toml"))
            .args(args)
            .env("GONOGO_LOG_DIR", self.path().join("logs"))
            .env("GONOGO_OPERATOR", "bench")
            .current_dir(self.path())
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run gonogo under /usr/bin/time");
        let wall = started.elapsed();
        let peak_rss_kb = std::fs::read_to_string(&rss_file)
            .ok()
            .and_then(|t| t.lines().last().and_then(|l| l.trim().parse().ok()))
            .unwrap_or(0);
        Timed {
            wall,
            peak_rss_kb,
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
