//! Installing gonogo like a real tool: `--version` names the version and the commit, `cargo install`
//! gives a working binary, and the Debian package (`scripts/package`) holds the binary, the man page,
//! the shell completions and the starter files at their standard paths.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_gonogo");

/// `cargo install` relinks `<target>/debug/gonogo` (without the dev-dependencies' features) while
/// the package test packages that file: one at a time.
static TARGET_BIN: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The target directory the test suite built into (`BIN` is `<target>/debug/gonogo`).
fn target_dir() -> PathBuf {
    Path::new(BIN)
        .parent()
        .and_then(Path::parent)
        .expect("the binary lives in <target>/debug")
        .to_path_buf()
}

fn run(cmd: &mut Command) -> Output {
    let shown = format!("{cmd:?}");
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {shown}: {e}"));
    assert!(
        out.status.success(),
        "{shown} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stdout(cmd: &mut Command) -> String {
    String::from_utf8(run(cmd).stdout).expect("UTF-8 output")
}

fn git(args: &[&str]) -> String {
    stdout(Command::new("git").args(args).current_dir(root()))
        .trim()
        .to_string()
}

/// What `--version` must say for this checkout: `gonogo 0.1.0 (abc1234 2026-12-07)`.
fn expected_version() -> String {
    let hash = git(&["rev-parse", "--short", "HEAD"]);
    let date = git(&["show", "-s", "--format=%cd", "--date=short", "HEAD"]);
    format!("gonogo {} ({hash} {date})", env!("CARGO_PKG_VERSION"))
}

fn version_of(bin: &Path) -> String {
    stdout(Command::new(bin).arg("--version"))
        .trim()
        .to_string()
}

#[test]
fn version_names_the_cargo_version_and_the_checked_out_commit() {
    assert_eq!(version_of(Path::new(BIN)), expected_version());
    // Cargo.toml's own text, not just the env var cargo derives from it.
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let line = format!("version = \"{}\"", env!("CARGO_PKG_VERSION"));
    assert!(manifest.lines().any(|l| l == line), "Cargo.toml has {line}");
}

#[test]
fn cargo_install_from_the_checkout_gives_a_working_binary() {
    let _bin = TARGET_BIN.lock().unwrap_or_else(|e| e.into_inner());
    let prefix = tempfile::tempdir().unwrap();
    let started = Instant::now();
    // --debug and the suite's own target dir reuse what the tests already built: no release
    // build in CI. The first run still rebuilds the crates whose features the dev-dependencies
    // widen (tokio, sqlx, reqwest, …: about 3.5 min on 2 busy cores); later runs take a second.
    // --offline: everything it needs was fetched for that build.
    run(Command::new(env!("CARGO"))
        .args(["install", "--locked", "--offline", "--debug", "--path"])
        .arg(root())
        .arg("--root")
        .arg(prefix.path())
        .arg("--target-dir")
        .arg(target_dir()));
    eprintln!("cargo install took {:.1?}", started.elapsed());
    let installed = prefix.path().join("bin/gonogo");
    assert_eq!(version_of(&installed), expected_version());
}

fn require(tool: &str, args: &[&str], install: &str) {
    let works = Command::new(tool)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        works,
        "`{tool} {}` does not run: {install} (scripts/test installs it)",
        args.join(" ")
    );
}

/// Every path the package must hold (as `dpkg-deb -c` lists them, without the leading `.`).
const PATHS: [&str; 12] = [
    "/usr/bin/gonogo",
    "/usr/share/man/man1/gonogo.1.gz",
    "/usr/share/bash-completion/completions/gonogo",
    "/usr/share/zsh/vendor-completions/_gonogo",
    "/usr/share/fish/vendor_completions.d/gonogo.fish",
    "/usr/share/doc/gonogo/gonogo.toml",
    "/usr/share/doc/gonogo/SOFT_LAUNCH_BETA_2026_CHECKLIST.md",
    "/usr/share/doc/gonogo/templates/beta_invite/subject.txt",
    "/usr/share/doc/gonogo/templates/beta_invite/body.txt",
    "/usr/share/doc/gonogo/templates/beta_invite/body.html",
    "/usr/share/doc/gonogo/README.md",
    "/usr/share/doc/gonogo/copyright",
];

#[test]
fn the_debian_package_holds_the_binary_man_page_completions_and_starters() {
    require(
        "cargo",
        &["deb", "--version"],
        "cargo-deb is missing: cargo install --locked cargo-deb --version 3.8.0",
    );
    require("dpkg-deb", &["--version"], "apt-get install dpkg");
    require("man", &["--version"], "apt-get install man-db groff-base");

    let _bin = TARGET_BIN.lock().unwrap_or_else(|e| e.into_inner());
    let started = Instant::now();
    // The debug binary the suite built, packaged as it is: seconds, not a release build.
    let out = stdout(
        Command::new(root().join("scripts/package"))
            .args(["--debug", "--no-build"])
            .env("CARGO_TARGET_DIR", target_dir()),
    );
    eprintln!("scripts/package took {:.1?}", started.elapsed());
    let deb = PathBuf::from(out.lines().last().expect("the package's path").trim());
    assert!(
        deb.is_file() && deb.extension().is_some_and(|e| e == "deb"),
        "scripts/package printed {deb:?}"
    );

    let listing = stdout(Command::new("dpkg-deb").arg("-c").arg(&deb));
    let listed: Vec<&str> = listing
        .lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .map(|p| p.trim_start_matches('.'))
        .collect();
    for path in PATHS {
        assert!(
            listed.contains(&path),
            "{path} is not in the package:\n{listing}"
        );
    }

    let dir = tempfile::tempdir().unwrap();
    run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(dir.path()));
    let file = |p: &str| dir.path().join(p.trim_start_matches('/'));
    let bin = file("/usr/bin/gonogo");
    assert_eq!(version_of(&bin), expected_version());

    let man = stdout(
        Command::new("man")
            .arg("-l")
            .arg(file("/usr/share/man/man1/gonogo.1.gz"))
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "100")
            .env("LC_ALL", "C.UTF-8"),
    );
    // The page is justified: compare with runs of spaces folded to one.
    let words = man.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "NAME gonogo - A terminal cockpit for launch day",
        "SUBCOMMANDS gonogo-check(1) Check every gate once",
        "gonogo-invites(1)",
    ] {
        assert!(
            words.contains(expected),
            "man -l shows {expected:?}:\n{man}"
        );
    }
    assert!(
        man.contains(env!("CARGO_PKG_VERSION")),
        "the page names the version:\n{man}"
    );

    // Generated files are what the packaged binary generates; the starters are the repo's.
    let page = stdout(
        Command::new("gzip")
            .arg("-dc")
            .arg(file("/usr/share/man/man1/gonogo.1.gz")),
    );
    assert_eq!(page, stdout(Command::new(&bin).arg("man")), "the man page");
    for (shell, path) in [("bash", PATHS[2]), ("zsh", PATHS[3]), ("fish", PATHS[4])] {
        let packaged = std::fs::read_to_string(file(path)).unwrap();
        let generated = stdout(Command::new(&bin).args(["completions", shell]));
        assert_eq!(packaged, generated, "{shell} completions at {path}");
        assert!(packaged.contains("gonogo"), "{path} completes gonogo");
    }
    for (repo, path) in [
        ("assets/gonogo.toml", PATHS[5]),
        ("assets/checklist.md", PATHS[6]),
        ("assets/templates/beta_invite/body.txt", PATHS[8]),
    ] {
        let packaged = std::fs::read(file(path)).unwrap();
        assert_eq!(
            packaged,
            std::fs::read(root().join(repo)).unwrap(),
            "{path} is {repo}"
        );
    }
    eprintln!("the package test took {:.1?}", started.elapsed());
}

/// build.rs compiled on its own and run where a tarball would be unpacked: no checkout of its own
/// (here: a folder inside this checkout, whose commit it must not take), then with no git at all.
#[test]
fn the_build_script_falls_back_to_gonogo_commit_then_unknown_outside_a_checkout() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("build-script");
    run(Command::new("rustc")
        .args(["--edition", "2024", "-o"])
        .arg(&script)
        .arg(root().join("build.rs")));
    let unpacked = tempfile::tempdir_in(target_dir()).unwrap();
    let stamp = |commit: Option<&str>, path: &std::ffi::OsStr| {
        let mut cmd = Command::new(&script);
        cmd.env("CARGO_MANIFEST_DIR", unpacked.path())
            .env("PATH", path)
            .env_remove("GONOGO_COMMIT");
        if let Some(commit) = commit {
            cmd.env("GONOGO_COMMIT", commit);
        }
        let out = stdout(&mut cmd);
        let line = out
            .lines()
            .find_map(|l| l.strip_prefix("cargo:rustc-env=GONOGO_BUILD_COMMIT="))
            .unwrap_or_else(|| panic!("no GONOGO_BUILD_COMMIT in:\n{out}"))
            .to_string();
        assert!(
            !out.contains("rerun-if-changed"),
            "nothing of git to watch:\n{out}"
        );
        line
    };
    let path = std::env::var_os("PATH").unwrap_or_default();
    assert_eq!(stamp(None, &path), "unknown");
    assert_eq!(
        stamp(Some("abc1234 2026-12-01\n"), &path),
        "abc1234 2026-12-01"
    );
    assert_eq!(
        stamp(Some("abc\x1b[2J"), &path),
        "abc[2J",
        "control characters dropped"
    );
    assert_eq!(stamp(None, std::ffi::OsStr::new("/nonexistent")), "unknown");
}
