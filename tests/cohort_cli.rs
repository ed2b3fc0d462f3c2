//! `gonogo cohort validate` as an operator runs it: every exit code, the JSON shape, hostile
//! cells kept off the terminal, and `--force` (refused, warned or journaled).

mod support;

use assert_cmd::Command;
use gonogo::journal::Journal;
use predicates::prelude::*;
use sqlx::PgPool;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cohort")
        .join(name)
}

/// The binary in an empty directory with no config anywhere it would look.
fn gonogo(dir: &Path) -> Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("gonogo");
    cmd.current_dir(dir)
        .env_remove("GONOGO_CONFIG")
        .env_remove("FORCE")
        .env_remove("FORCE_REASON")
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("xdg"))
        .env("GONOGO_LOG_DIR", dir.join("log"));
    cmd
}

fn validate(dir: &Path, file: &str, extra: &[&str]) -> Command {
    let mut cmd = gonogo(dir);
    cmd.args(["cohort", "validate"])
        .arg(fixture(file))
        .args(extra);
    cmd
}

#[test]
fn clean_file_without_any_config_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    validate(dir.path(), "clean.csv", &["--offline"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("50 rows, 50 valid"))
        .stdout(predicate::str::contains(
            "database checks skipped (--offline)",
        ))
        .stdout(predicate::str::contains("STATUS: OK"));
    validate(dir.path(), "clean.csv", &[])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no config file"));
}

#[test]
fn hard_findings_exit_1_with_lines() {
    let dir = tempfile::tempdir().unwrap();
    validate(dir.path(), "duplicate_email.csv", &["--offline"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("duplicate_email (hard) ×1"))
        .stdout(predicate::str::contains(
            "line 5: Creator0@Example.com — duplicate of line 2",
        ))
        .stdout(predicate::str::contains("STATUS: BLOCKED"));
}

#[test]
fn soft_findings_only_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    validate(dir.path(), "too_few_in_group.csv", &["--offline"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("STATUS: WARN"));
}

#[test]
fn usage_errors_exit_64() {
    let dir = tempfile::tempdir().unwrap();
    gonogo(dir.path())
        .args(["cohort", "validate"])
        .assert()
        .code(64);
    validate(dir.path(), "clean.csv", &["--frobnicate"])
        .assert()
        .code(64);
}

#[test]
fn config_errors_exit_78_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gonogo.toml");
    std::fs::write(
        &config,
        "[launch]\nname = \"beta\"\n[cohort]\nmin_row = 10\n",
    )
    .unwrap();
    validate(dir.path(), "clean.csv", &["--offline"])
        .assert()
        .code(78)
        .stderr(predicate::str::contains("min_row"));
    // An explicit config that does not exist is an error, not "no config".
    validate(dir.path(), "clean.csv", &["--config", "missing.toml"])
        .assert()
        .code(78);
}

#[test]
fn thresholds_come_from_the_config() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("gonogo.toml"),
        "[launch]\nname = \"beta\"\n[cohort]\nmin_rows = 60\n",
    )
    .unwrap();
    validate(dir.path(), "clean.csv", &["--offline"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "50 valid rows; the cohort needs at least 60",
        ));
}

#[test]
fn unreadable_file_exits_74() {
    let dir = tempfile::tempdir().unwrap();
    gonogo(dir.path())
        .args(["cohort", "validate", "nope.csv", "--offline"])
        .assert()
        .code(74)
        .stderr(predicate::str::contains("cannot open nope.csv"));
    gonogo(dir.path())
        .args(["cohort", "validate", ".", "--offline"])
        .assert()
        .code(74)
        .stderr(predicate::str::contains("directory"));
}

#[test]
fn json_has_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    let out = validate(dir.path(), "quoted_newline.csv", &["--offline", "--json"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("database checks skipped"))
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "distribution",
            "findings",
            "findings_omitted",
            "groups",
            "override",
            "rows",
            "status",
            "valid_rows"
        ]
    );
    assert_eq!(v["findings_omitted"], serde_json::json!({}));
    assert!(v["override"].is_null(), "no --force, no override");
    assert_eq!(v["status"], "blocked");
    assert_eq!(v["rows"], 50);
    assert_eq!(v["valid_rows"], 49);
    assert_eq!(v["groups"]["creator"], 5);
    assert_eq!(v["distribution"]["press-pitchfork"], 22);
    assert_eq!(
        v["findings"],
        serde_json::json!([{"code": "too_few_rows", "severity": "soft", "line": null,
            "email": null, "message": "49 valid rows; the cohort needs at least 50"},
            {"code": "malformed_email", "severity": "hard", "line": 6,
            "email": "not-an-email", "message": "email has no @"}])
    );
}

#[test]
fn json_lists_every_finding_beyond_the_human_cap() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("many.csv");
    let mut text = String::from("email,cohort\n");
    for i in 0..45 {
        text.push_str(&format!("bad{i},creator-x\n"));
    }
    std::fs::write(&file, text).unwrap();
    let out = gonogo(dir.path())
        .args(["cohort", "validate", "many.csv", "--offline", "--json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let malformed = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "malformed_email")
        .count();
    assert_eq!(malformed, 45);
}

/// Past the per-code cap, findings are counted, not kept: both outputs say how many were left
/// out, and the exit code follows the full count.
#[test]
fn findings_past_the_cap_are_counted_and_said_to_be_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.csv");
    let mut text = String::from("email,cohort\n");
    for i in 0..1_200 {
        text.push_str(&format!("bad{i},creator-x\n"));
    }
    std::fs::write(&file, text).unwrap();
    let out = gonogo(dir.path())
        .args(["cohort", "validate", "bad.csv", "--offline", "--json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let malformed = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "malformed_email")
        .count();
    assert_eq!(malformed, gonogo::cohort::FINDINGS_KEPT_PER_CODE);
    assert_eq!(
        v["findings_omitted"],
        serde_json::json!({"malformed_email": 200})
    );
    gonogo(dir.path())
        .args(["cohort", "validate", "bad.csv", "--offline"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("malformed_email (hard) ×1200"))
        .stdout(predicate::str::contains("1200 hard"))
        .stdout(predicate::str::contains("… and 1180 more; 200 not kept"));
}

#[test]
fn ansi_escapes_in_cells_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    for extra in [&["--offline"][..], &["--offline", "--json"][..]] {
        validate(dir.path(), "ansi_cell.csv", extra)
            .assert()
            .code(1)
            .stdout(predicate::str::contains("\u{1b}").not())
            .stderr(predicate::str::contains("\u{1b}").not());
    }
}

#[test]
fn force_never_unblocks_hard_findings() {
    let dir = tempfile::tempdir().unwrap();
    validate(dir.path(), "ragged_row.csv", &["--offline", "--force"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("does not unblock hard findings"));
    validate(dir.path(), "ragged_row.csv", &["--offline"])
        .env("FORCE", "1")
        .assert()
        .code(1);
}

#[test]
fn force_without_a_journal_is_never_applied() {
    let dir = tempfile::tempdir().unwrap();
    validate(
        dir.path(),
        "too_few_rows.csv",
        &["--force", "--reason", "r"],
    )
    .assert()
    .code(78)
    .stderr(predicate::str::contains("must be recorded in the journal"));
    // An override nothing can record never lets the file through, not even with --offline.
    validate(
        dir.path(),
        "too_few_rows.csv",
        &["--offline", "--force", "--reason", "r"],
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains("--force NOT applied"));
    validate(dir.path(), "too_few_rows.csv", &["--offline"])
        .env("FORCE", "1")
        .env("FORCE_REASON", "r")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force NOT applied"));
    validate(dir.path(), "too_few_rows.csv", &["--offline"])
        .env("FORCE", "0")
        .assert()
        .code(2);
}

fn config_for(dir: &Path, url: &str) -> PathBuf {
    launch_config(dir, "[launch]\nname = \"beta-test\"\n", url)
}

fn launch_config(dir: &Path, launch: &str, url: &str) -> PathBuf {
    let path = dir.join("gonogo.toml");
    std::fs::write(
        &path,
        format!("{launch}[postgres]\nurl = \"{url}\"\n[defaults]\ntimeout = \"5s\"\n"),
    )
    .unwrap();
    path
}

async fn with_users(pool: &PgPool) {
    support::database::users(pool, &["Listener3@example.org"]).await;
    gonogo::db::migrate(pool).await.unwrap();
}

#[sqlx::test(migrations = false)]
async fn database_collisions_warn_and_force_is_journaled(pool: PgPool) {
    with_users(&pool).await;
    let dir = tempfile::tempdir().unwrap();
    config_for(dir.path(), &support::db_url(&pool));
    validate(dir.path(), "clean.csv", &[])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("existing_user (soft) ×1"))
        .stdout(predicate::str::contains("line 11: listener3@example.org"))
        .stdout(predicate::str::contains("database checks ran (50 distinct"));
    // --offline skips the checks: clean.
    validate(dir.path(), "clean.csv", &["--offline"])
        .assert()
        .code(0);
    validate(
        dir.path(),
        "clean.csv",
        &[
            "--force",
            "--operator",
            "maya",
            "--reason",
            "bob asked for a second invite",
        ],
    )
    .assert()
    .code(0)
    .stdout(predicate::str::contains(
        "OVERRIDE APPLIED: soft findings accepted by maya; journal entry",
    ));
    let journal = Journal::new(pool.clone(), "beta-test", "reader");
    let entries = journal.recent(10).await.unwrap();
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    let absolute = std::fs::canonicalize(fixture("clean.csv")).unwrap();
    assert_eq!(e.data["file"], absolute.to_str().unwrap());
    assert_eq!(e.kind, "cohort_override");
    assert_eq!(e.actor, "maya");
    use sha2::Digest;
    let sha = hex::encode(sha2::Sha256::digest(
        std::fs::read(fixture("clean.csv")).unwrap(),
    ));
    assert_eq!(e.data["sha256"], sha.as_str());
    assert_eq!(e.data["operator"], "maya");
    assert_eq!(e.data["reason"], "bob asked for a second invite");
    assert_eq!(e.data["counts"]["existing_user"], 1);
    assert_eq!(e.data["findings_total"], 1);
    assert_eq!(e.data["findings_omitted"], serde_json::json!({}));
    assert_eq!(e.data["findings"][0]["line"], 11);
    assert!(e.message.contains("existing_user×1"), "{}", e.message);
    // A blocked file is never journaled as overridden.
    validate(dir.path(), "ragged_row.csv", &["--force"])
        .assert()
        .code(1);
    assert_eq!(journal.recent(10).await.unwrap().len(), 1);
}

#[sqlx::test(migrations = false)]
async fn force_fails_closed_when_the_journal_is_missing(pool: PgPool) {
    // Users exist but `gonogo migrate` never ran: neither beta_invites nor the journal exist.
    let dir = tempfile::tempdir().unwrap();
    config_for(dir.path(), &support::db_url(&pool));
    validate(
        dir.path(),
        "too_few_rows.csv",
        &["--offline", "--force", "--reason", "r"],
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains("override NOT recorded"))
    .stderr(predicate::str::contains("gonogo migrate"));
}

#[test]
fn unreachable_database_exits_69_and_suggests_offline() {
    let dir = tempfile::tempdir().unwrap();
    config_for(
        dir.path(),
        "postgres://postgres:hunter2secret@127.0.0.1:1/nope",
    );
    let started = std::time::Instant::now();
    validate(dir.path(), "clean.csv", &[])
        .assert()
        .code(69)
        .stderr(predicate::str::contains("--offline"))
        .stderr(predicate::str::contains(
            "connection refused by 127.0.0.1:1",
        ))
        .stderr(predicate::str::contains("timed out").not())
        .stderr(predicate::str::contains("hunter2secret").not());
    // Said at once, not after the 10s connection budget.
    assert!(started.elapsed() < std::time::Duration::from_secs(4));
}

fn production_config(dir: &Path, url: &str) {
    launch_config(
        dir,
        "[launch]\nname = \"Veza v2 soft launch\"\nenvironment = \"production\"\n",
        url,
    );
}

#[sqlx::test(migrations = false)]
async fn an_override_needs_a_reason_and_says_it_was_applied(pool: PgPool) {
    with_users(&pool).await;
    let dir = tempfile::tempdir().unwrap();
    config_for(dir.path(), &support::db_url(&pool));
    let journal = Journal::new(pool.clone(), "beta-test", "reader");
    for blank in [vec!["--force"], vec!["--force", "--reason", "  "]] {
        validate(dir.path(), "clean.csv", &blank)
            .assert()
            .code(64)
            .stderr(predicate::str::contains("--force NOT applied"))
            .stderr(predicate::str::contains("needs a reason"))
            .stderr(predicate::str::contains("$FORCE_REASON"));
    }
    assert!(journal.recent(10).await.unwrap().is_empty());
    // $FORCE_REASON is a reason; --json says the override was applied, by whom, where.
    let out = validate(dir.path(), "clean.csv", &["--force", "--json"])
        .env("FORCE_REASON", "second invite is intended")
        .env("GONOGO_OPERATOR", "ines")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let entries = journal.recent(10).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(v["override"]["by"], "ines");
    assert_eq!(v["override"]["journal_entry"], entries[0].id);
    assert_eq!(v["override"]["reason"], "second invite is intended");
    assert_eq!(v["override"]["sha256"], entries[0].data["sha256"]);
    assert!(
        std::path::Path::new(v["override"]["path"].as_str().unwrap()).is_absolute(),
        "{v}"
    );
    assert_eq!(entries[0].data["reason"], "second invite is intended");
}

#[sqlx::test(migrations = false)]
async fn operator_defaults_to_the_login_name_without_user(pool: PgPool) {
    with_users(&pool).await;
    let dir = tempfile::tempdir().unwrap();
    config_for(dir.path(), &support::db_url(&pool));
    validate(
        dir.path(),
        "clean.csv",
        &["--force", "--reason", "cron run"],
    )
    .env_remove("USER")
    .env_remove("GONOGO_OPERATOR")
    .assert()
    .code(0);
    let login = nix::unistd::User::from_uid(nix::unistd::getuid())
        .unwrap()
        .unwrap()
        .name;
    let journal = Journal::new(pool.clone(), "beta-test", "reader");
    let entries = journal.recent(10).await.unwrap();
    assert_eq!(entries[0].actor, login);
    assert_ne!(entries[0].actor, "unknown");
}

#[sqlx::test(migrations = false)]
async fn production_overrides_need_the_launch_name_typed(pool: PgPool) {
    with_users(&pool).await;
    let dir = tempfile::tempdir().unwrap();
    production_config(dir.path(), &support::db_url(&pool));
    let journal = Journal::new(pool.clone(), "Veza v2 soft launch", "reader");
    let force = ["--force", "--reason", "ok by ops"];
    // No terminal (assert_cmd pipes stdin) and no --confirm: refused, nothing recorded.
    validate(dir.path(), "clean.csv", &force)
        .assert()
        .code(64)
        .stderr(predicate::str::contains(
            "--confirm \"Veza v2 soft launch\"",
        ));
    validate(
        dir.path(),
        "clean.csv",
        &[&force[..], &["--confirm", "veza"]].concat(),
    )
    .assert()
    .code(64)
    .stderr(predicate::str::contains("`veza` is not the launch name"));
    assert!(journal.recent(10).await.unwrap().is_empty());
    validate(
        dir.path(),
        "clean.csv",
        &[&force[..], &["--confirm", "Veza v2 soft launch"]].concat(),
    )
    .assert()
    .code(0)
    .stdout(predicate::str::contains("OVERRIDE APPLIED"));
    assert_eq!(journal.recent(10).await.unwrap().len(), 1);
}

#[test]
fn counts_in_the_report_read_as_english() {
    let dir = tempfile::tempdir().unwrap();
    let clean = std::fs::read_to_string(fixture("clean.csv")).unwrap();
    let mut lines = clean.lines();
    let mut csv = format!("{},extra\n", lines.next().unwrap());
    for line in lines {
        csv.push_str(&format!("{line},x\n"));
    }
    let path = dir.path().join("one_soft.csv");
    std::fs::write(&path, csv).unwrap();
    gonogo(dir.path())
        .args(["cohort", "validate", "--offline"])
        .arg(&path)
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "50 rows, 50 valid, 0 hard and 1 soft finding\n",
        ));
}
