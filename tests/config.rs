//! The config through the real binary: valid and invalid fixtures (errors name the key and point
//! at line:column), the lookup order, `gonogo init`, and `config check` never showing a secret.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/config")
        .join(name)
}

/// The binary with a clean environment: nothing leaks in from the developer's shell.
fn gonogo(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("gonogo").unwrap();
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("xdg-config"))
        .env("GONOGO_LOG_DIR", home.join("logs"))
        .current_dir(home);
    cmd
}

const DB_PASSWORD: &str = "Pg-Pa55w0rd-9f3e";
const SENTRY_TOKEN: &str = "sntrys_eyJpYXQiOjE3ODh9_c2VudHJ5LXNlY3JldC10b2tlbg";
const GITHUB_TOKEN: &str = "ghp_R3alL00kingGitHubT0kenValue1234567";
const PROM_PASSWORD: &str = "glc_eyJvIjoiMTIzNDU2In0promsecret";

fn with_secrets(cmd: &mut Command) -> &mut Command {
    cmd.env(
        "DATABASE_URL",
        format!("postgres://gonogo:{DB_PASSWORD}@db.internal:5432/veza"),
    )
    .env("SENTRY_AUTH_TOKEN", SENTRY_TOKEN)
    .env("GITHUB_TOKEN", GITHUB_TOKEN)
    .env(
        "PROM_URL",
        format!("https://123456:{PROM_PASSWORD}@prometheus-prod.grafana.net/api/prom"),
    )
}

fn assert_no_secret(text: &str) {
    for secret in [DB_PASSWORD, SENTRY_TOKEN, GITHUB_TOKEN, PROM_PASSWORD] {
        assert!(!text.contains(secret), "secret {secret} leaked:\n{text}");
    }
}

#[test]
fn valid_fixture_passes_config_check_without_showing_secrets() {
    let home = tempfile::tempdir().unwrap();
    let out = with_secrets(gonogo(home.path()).args(["config", "check", "--config"]))
        .arg(fixture("valid_full.toml"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("is valid: 8 gates"), "{stdout}");
    assert!(stdout.contains("Veza v2.0.0 soft launch"));
    assert!(
        stdout.contains("db.internal"),
        "non-secret parts stay visible"
    );
    assert!(stdout.contains("[redacted]"));
    assert_no_secret(&stdout);
    assert_no_secret(&stderr);
}

/// `config check --config PATH` from `home`.
fn config_check(home: &Path, path: &Path) -> std::process::Output {
    gonogo(home)
        .args(["config", "check", "--config"])
        .arg(path)
        .output()
        .unwrap()
}

/// Runs `config check` on an invalid fixture: exit 78, and the message.
fn invalid(name: &str) -> String {
    let home = tempfile::tempdir().unwrap();
    let out = gonogo(home.path())
        .args(["config", "check", "--config"])
        .arg(fixture(name))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(78), "{name}: {stderr}");
    assert!(out.stdout.is_empty(), "{name}: nothing on stdout");
    stderr
}

fn assert_at(stderr: &str, name: &str, line_col: &str, words: &[&str]) {
    let location = format!("{}:{line_col}:", fixture(name).display());
    assert!(
        stderr.contains(&location),
        "expected {location} in:\n{stderr}"
    );
    for w in words {
        assert!(stderr.contains(w), "expected {w:?} in:\n{stderr}");
    }
}

#[test]
fn unknown_key_is_named_with_its_line() {
    assert_at(
        &invalid("unknown_key.toml"),
        "unknown_key.toml",
        "9:1",
        &["treshold"],
    );
}

#[test]
fn bad_condition_points_at_pass() {
    assert_at(
        &invalid("bad_condition.toml"),
        "bad_condition.toml",
        "8:8",
        &["gate `smoke`", "`pass`"],
    );
}

#[test]
fn missing_env_var_is_named_with_line_and_column() {
    assert_at(
        &invalid("missing_env.toml"),
        "missing_env.toml",
        "5:7",
        &["GONOGO_TEST_VARIABLE_NEVER_SET", "not set"],
    );
}

#[test]
fn unknown_source_lists_the_known_ones() {
    assert_at(
        &invalid("unknown_source.toml"),
        "unknown_source.toml",
        "6:10",
        &[
            "datadog",
            "postgres, prometheus, sentry, http, command, file_age",
        ],
    );
}

#[test]
fn key_that_does_not_apply_to_the_source() {
    assert_at(
        &invalid("key_not_for_source.toml"),
        "key_not_for_source.toml",
        "8:8",
        &["`json` does not apply to source `file_age`"],
    );
}

#[test]
fn sentry_gate_without_sentry_section() {
    assert_at(
        &invalid("missing_sentry_section.toml"),
        "missing_sentry_section.toml",
        "6:10",
        &["[sentry]"],
    );
}

#[test]
fn duplicate_gate_id() {
    assert_at(
        &invalid("duplicate_id.toml"),
        "duplicate_id.toml",
        "11:6",
        &["`smoke` is used twice"],
    );
}

#[test]
fn bad_and_zero_durations() {
    assert_at(
        &invalid("bad_duration.toml"),
        "bad_duration.toml",
        "9:9",
        &["`every`", "soon", "not a duration"],
    );
    assert_at(
        &invalid("zero_duration.toml"),
        "zero_duration.toml",
        "5:9",
        &["longer than zero"],
    );
}

#[test]
fn every_missing_variable_is_reported_in_one_run_with_its_line_as_written() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("vars.toml");
    std::fs::write(
        &path,
        format!(
            r#"[launch]
name = "${{GONOGO_T_LAUNCH}}"   # set by the deploy job

[postgres]
url = "postgres://gonogo:{DB_PASSWORD}@db.internal/${{GONOGO_T_DB}}"

[sentry]
org = "veza"
token = "${{GONOGO_T_TOKEN}}"   # from the vault
"#
        ),
    )
    .unwrap();
    let out = config_check(home.path(), &path);
    assert_eq!(out.status.code(), Some(78));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let shown = path.display();
    let expected = [
        format!("{shown}:2:8: environment variable `GONOGO_T_LAUNCH` is not set"),
        "2 | name = \"${GONOGO_T_LAUNCH}\"   # set by the deploy job".to_owned(),
        format!("{shown}:5:7: environment variable `GONOGO_T_DB` is not set"),
        "5 | url = \"postgres://gonogo:[redacted]@db.internal/${GONOGO_T_DB}\"".to_owned(),
        format!("{shown}:9:9: environment variable `GONOGO_T_TOKEN` is not set"),
        "9 | token = \"${GONOGO_T_TOKEN}\"   # from the vault".to_owned(),
    ];
    let mut from = 0;
    for line in &expected {
        let found = stderr[from..]
            .find(line.as_str())
            .unwrap_or_else(|| panic!("expected {line:?} after byte {from} in:\n{stderr}"));
        from += found + line.len();
    }
    assert_no_secret(&stderr);
}

#[test]
fn environment_outside_the_documented_set_is_an_error_naming_them() {
    let stderr = invalid("bad_environment.toml");
    assert_at(
        &stderr,
        "bad_environment.toml",
        "3:15",
        &["`prod`", "production, staging, development, demo"],
    );
    // The line is echoed as written, comment included.
    assert!(stderr.contains("# short for production"), "{stderr}");
    // Case and spaces are not forgiven either: `Production ` is not production.
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("spaced.toml");
    std::fs::write(
        &path,
        "[launch]\nname = \"x\"\nenvironment = \"Production \"\n",
    )
    .unwrap();
    let out = config_check(home.path(), &path);
    assert_eq!(out.status.code(), Some(78));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`Production `"));
}

#[test]
fn toml_syntax_error_has_a_location() {
    assert_at(&invalid("not_toml.toml"), "not_toml.toml", "1:8", &["`]`"]);
}

fn named_config(dir: &Path, name: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("gonogo.toml");
    std::fs::write(&path, format!("[launch]\nname = \"{name}\"\n")).unwrap();
    path
}

/// Which config `config check` read: the launch name it prints.
fn chosen(cmd: &mut Command) -> String {
    let out = cmd.args(["config", "check"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    ["from-flag", "from-env", "from-cwd", "from-xdg"]
        .into_iter()
        .find(|n| stdout.contains(n))
        .unwrap_or_else(|| panic!("no known config in {stdout}"))
        .to_owned()
}

#[test]
fn lookup_order_flag_env_cwd_xdg() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let flag = named_config(&h.join("flag"), "from-flag");
    let env = named_config(&h.join("env"), "from-env");
    named_config(h, "from-cwd");
    named_config(&h.join("xdg-config/gonogo"), "from-xdg");

    assert_eq!(
        chosen(
            gonogo(h)
                .arg("--config")
                .arg(&flag)
                .env("GONOGO_CONFIG", &env)
        ),
        "from-flag"
    );
    assert_eq!(chosen(gonogo(h).env("GONOGO_CONFIG", &env)), "from-env");
    assert_eq!(chosen(&mut gonogo(h)), "from-cwd");
    std::fs::remove_file(h.join("gonogo.toml")).unwrap();
    assert_eq!(chosen(&mut gonogo(h)), "from-xdg");
}

#[test]
fn no_config_anywhere_is_a_config_error_that_says_where_it_looked() {
    let home = tempfile::tempdir().unwrap();
    let out = gonogo(home.path())
        .args(["config", "check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(78));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("gonogo.toml") && stderr.contains("gonogo init"),
        "{stderr}"
    );
    assert!(stderr.contains("xdg-config/gonogo/gonogo.toml"), "{stderr}");
}

#[test]
fn explicit_config_that_does_not_exist_is_78() {
    let home = tempfile::tempdir().unwrap();
    let out = gonogo(home.path())
        .args(["check", "--config", "/nonexistent/gonogo.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(78));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/gonogo.toml"));
}

#[test]
fn init_writes_a_starter_that_config_check_accepts() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let out = gonogo(h).arg("init").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let written = std::fs::read_to_string(h.join("gonogo.toml")).unwrap();
    let gates = written.lines().filter(|l| *l == "[[gate]]").count();
    assert_eq!(gates, 6, "six gates of the seed");

    // Without its environment variables the starter names every one missing, in file order.
    let out = gonogo(h).args(["config", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(78));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let at: Vec<usize> = [
        "DATABASE_URL",
        "SENTRY_AUTH_TOKEN",
        "PROM_URL",
        "GITHUB_TOKEN",
    ]
    .iter()
    .map(|v| {
        stderr
            .find(&format!("`{v}` is not set"))
            .unwrap_or_else(|| panic!("{v} not named in:\n{stderr}"))
    })
    .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "file order: {stderr}");

    let out = with_secrets(gonogo(h).args(["config", "check"]))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("is valid: 6 gates"), "{stdout}");
    assert_no_secret(&stdout);
    assert_no_secret(&String::from_utf8_lossy(&out.stderr));
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    std::fs::write(h.join("gonogo.toml"), "# mine\n").unwrap();
    let out = gonogo(h).arg("init").output().unwrap();
    assert_eq!(out.status.code(), Some(78));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(h.join("gonogo.toml")).unwrap(),
        "# mine\n"
    );
    let out = gonogo(h).args(["init", "--force"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        std::fs::read_to_string(h.join("gonogo.toml"))
            .unwrap()
            .contains("[[gate]]")
    );
    // An explicit path works too.
    let out = gonogo(h).args(["init", "other.toml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(h.join("other.toml").is_file());
}

#[test]
fn config_check_hides_secrets_in_urls_headers_and_tokens() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let path = h.join("secrets.toml");
    std::fs::write(
        &path,
        r#"[launch]
name = "Secrets"

[postgres]
url = "${DATABASE_URL}"

[sentry]
org = "veza"
token = "${SENTRY_AUTH_TOKEN}"

[prometheus]
url = "${PROM_URL}"
headers = { X-Scope-OrgID = "tenant-1", Authorization = "Bearer ${GITHUB_TOKEN}" }

[[gate]]
id = "gh"
source = "http"
url = "https://api.github.com/search/issues?q=x&access_token=${GITHUB_TOKEN}"
headers = { Authorization = "Bearer ${GITHUB_TOKEN}", X-Api-Key = "${SENTRY_AUTH_TOKEN}" }
json = "/total_count"
pass = "== 0"
"#,
    )
    .unwrap();
    let out = with_secrets(gonogo(h).args(["config", "check", "--config"]))
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("tenant-1"),
        "non-secret headers stay: {stdout}"
    );
    assert_no_secret(&stdout);
}

#[test]
fn config_errors_never_echo_a_secret_line() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let path = h.join("bad.toml");
    // The token is written inline (not from the environment) on a line with an error.
    std::fs::write(
        &path,
        format!("[launch]\nname = \"x\"\n\n[sentry]\norg = \"veza\"\ntoken = \"{SENTRY_TOKEN}\"\ntokn = \"{SENTRY_TOKEN}\"\n"),
    )
    .unwrap();
    let out = gonogo(h)
        .args(["config", "check", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(78));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("tokn"), "{stderr}");
    assert_no_secret(&stderr);
}

#[test]
fn config_error_on_a_url_line_hides_its_password() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let path = h.join("bad.toml");
    std::fs::write(
        &path,
        format!("[launch]\nname = \"x\"\n\n[postgres]\nurl = \"postgres://gonogo:{DB_PASSWORD}@db.internal/${{GONOGO_TEST_DB_NAME_UNSET}}\"\n"),
    )
    .unwrap();
    let out = gonogo(h)
        .args(["config", "check", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(78));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("GONOGO_TEST_DB_NAME_UNSET") && stderr.contains(":5:7"),
        "{stderr}"
    );
    assert!(
        stderr.contains("db.internal"),
        "the line is still shown, redacted: {stderr}"
    );
    assert_no_secret(&stderr);
}
