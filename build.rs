//! Stamps the binary with the commit it was built from (`gonogo --version`): git's short hash
//! and commit date when this crate is a git checkout, else `$GONOGO_COMMIT`, else `unknown`, so a
//! crate built from a tarball still builds.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=GONOGO_COMMIT");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let commit = from_git(&manifest_dir)
        .or_else(from_env)
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=GONOGO_BUILD_COMMIT={commit}");
}

/// `abc1234 2026-12-07` from git, or None when git or the checkout is absent. Registers the
/// files whose change means a new commit, so the value never goes stale.
fn from_git(dir: &Path) -> Option<String> {
    // A tarball unpacked inside some other repository must not take that repository's commit.
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same(Path::new(&top), dir) {
        return None;
    }
    watch_head(dir);
    let hash = git(dir, &["rev-parse", "--short", "HEAD"])?;
    let date = git(dir, &["show", "-s", "--format=%cd", "--date=short", "HEAD"])?;
    Some(format!("{hash} {date}"))
}

/// HEAD moves when a branch is checked out; the branch's ref (loose, or in packed-refs) when a
/// commit is made. `--git-path` resolves each for a linked worktree too.
fn watch_head(dir: &Path) {
    let path_of = |name: &str| git(dir, &["rev-parse", "--git-path", name]).map(|p| dir.join(p));
    // A path that does not exist would make cargo rerun this script on every build.
    for path in ["HEAD", "packed-refs"].into_iter().filter_map(path_of) {
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    let Some(reference) = git(dir, &["symbolic-ref", "-q", "HEAD"]) else {
        return; // a detached HEAD: the HEAD file itself holds the commit
    };
    let Some(path) = path_of(&reference) else {
        return;
    };
    if path.exists() {
        println!("cargo:rerun-if-changed={}", path.display());
    } else if let Some(folder) = path.parent().filter(|p| p.is_dir()) {
        // Only packed today: the next commit writes the loose file into this folder.
        println!("cargo:rerun-if-changed={}", folder.display());
    }
}

fn from_env() -> Option<String> {
    let value = std::env::var("GONOGO_COMMIT").ok()?;
    // It ends up in `--version` and the man page: printable ASCII on one line, kept short.
    let clean: String = value
        .trim()
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(64)
        .collect();
    (!clean.is_empty()).then_some(clean)
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}
