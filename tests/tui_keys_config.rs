//! `[keys]` remapping is validated: a bad section is a config error (exit 78) naming the entry,
//! from `gonogo config check` and from the cockpit before it touches the terminal.

use assert_cmd::Command;
use predicates::str::contains;

fn config_with_keys(keys: &str) -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().unwrap();
    let text = format!(
        r#"
[launch]
name = "Keys"

[keys]
{keys}

[[gate]]
id = "smoke"
source = "command"
command = ["true"]
pass = "== 0"
"#
    );
    std::fs::write(file.path(), text).unwrap();
    file
}

fn gonogo(args: &[&str], config: &tempfile::NamedTempFile) -> assert_cmd::assert::Assert {
    Command::cargo_bin("gonogo")
        .unwrap()
        .args(args)
        .arg("--config")
        .arg(config.path())
        .env("GONOGO_LOG_DIR", std::env::temp_dir())
        .assert()
}

#[test]
fn config_check_rejects_unknown_actions_and_bad_keys() {
    let config = config_with_keys("qiut = \"x\"");
    gonogo(&["config", "check"], &config)
        .code(78)
        .stderr(contains("unknown action `qiut`"))
        .stderr(contains("recheck_all"));
    let config = config_with_keys("help = \"hyper-h\"");
    gonogo(&["config", "check"], &config)
        .code(78)
        .stderr(contains(
            "[keys] help = \"hyper-h\": `hyper-h` is not a key",
        ));
}

#[test]
fn quit_may_not_sit_on_a_ctrl_letter() {
    let config = config_with_keys("quit = \"ctrl-q\"");
    gonogo(&["config", "check"], &config)
        .code(78)
        .stderr(contains("Ctrl+letter"));
}

#[test]
fn the_cockpit_refuses_a_bad_keymap_before_taking_the_terminal() {
    let config = config_with_keys("mask = \"r\"");
    gonogo(&["tui"], &config)
        .code(78)
        .stderr(contains("`r` is bound to both"));
}

#[test]
fn a_valid_remap_passes_config_check() {
    let config = config_with_keys("quit = \"x, F10\"\nrecheck = \"F5\"");
    gonogo(&["config", "check"], &config).code(0);
}
