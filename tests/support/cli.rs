//! Running the `gonogo` binary in tests: a temp home with its own config and log dir, and a
//! clean environment so nothing leaks in from the developer's shell.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
    pub fn write_config(&self, body: &str) -> PathBuf {
        let path = self.path().join("gonogo.toml");
        std::fs::write(&path, format!("{}{body}", super::LAUNCH)).unwrap();
        path
    }
    pub fn logs(&self) -> PathBuf {
        self.path().join("logs")
    }
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(self.bin());
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path())
            .env("GONOGO_LOG_DIR", self.logs())
            .current_dir(self.path());
        cmd
    }
    pub fn bin(&self) -> PathBuf {
        assert_cmd::cargo::cargo_bin("gonogo")
    }
}

pub fn command_gate(id: &str, argv: &str, extra: &str) -> String {
    format!(
        "[[gate]]\nid = \"{id}\"\ntitle = \"Gate {id}\"\nsource = \"command\"\ncommand = {argv}\npass = \"== 0\"\ntimeout = \"5s\"\n{extra}\n"
    )
}

/// Runs the binary: (exit code, stdout, stderr).
pub fn run(env: &Env, args: &[&str]) -> (Option<i32>, String, String) {
    let out = env.cmd().args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
