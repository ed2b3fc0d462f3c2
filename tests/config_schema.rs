//! `gonogo config schema` against gonogo itself: a real JSON Schema validator (draft 2020-12)
//! accepts every config gonogo accepts (the starter, what `init` writes, the fixtures, the README's
//! example, the rehearsal's generated config, one that sets every key), refuses the unknown keys
//! gonogo refuses, and the README's key table is the one the schema renders.

mod support;

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use support::cli::Env;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn fixture(name: &str) -> PathBuf {
    Path::new(ROOT).join("tests/fixtures/config").join(name)
}

/// The binary in a clean environment, with the variables the example configs read.
fn gonogo(env: &Env) -> Command {
    let mut cmd = env.cmd();
    cmd.env("DATABASE_URL", "postgres://gonogo:pw@db.internal:5432/veza")
        .env("SENTRY_AUTH_TOKEN", "sntrys_test_token_value")
        .env("PROM_URL", "https://prometheus.internal")
        .env("GITHUB_TOKEN", "ghp_test_token_value")
        .env("FRONTEND_URL", "https://veza.fr");
    cmd
}

fn stdout(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn schema_text() -> String {
    let home = Env::new();
    stdout(gonogo(&home).args(["config", "schema"]))
}

fn schema() -> Value {
    serde_json::from_str(&schema_text()).unwrap()
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft202012::new(&schema()).unwrap()
}

/// TOML as the JSON an editor's schema check sees: dates and times are strings.
fn to_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::from(s.as_str()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => Value::from(*f),
        toml::Value::Boolean(b) => Value::from(*b),
        toml::Value::Datetime(d) => Value::from(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        toml::Value::Table(table) => {
            Value::Object(table.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

fn toml_json(text: &str) -> Value {
    to_json(&toml::from_str::<toml::Value>(text).unwrap())
}

/// The schema's complaints about a config, one line each.
fn schema_errors(validator: &jsonschema::Validator, text: &str) -> Vec<String> {
    let instance = toml_json(text);
    validator
        .iter_errors(&instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// gonogo's verdict: `None` when `config check` accepts the file, else its stderr.
fn gonogo_refusal(path: &Path) -> Option<String> {
    let home = Env::new();
    let out = gonogo(&home)
        .args(["config", "check", "--config"])
        .arg(path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    match out.status.code() {
        Some(0) => None,
        Some(78) => Some(stderr),
        other => panic!(
            "config check of {} ended {other:?}: {stderr}",
            path.display()
        ),
    }
}

#[test]
fn the_schema_is_draft_2020_12_with_gonogos_defaults_and_every_key_described() {
    let schema = schema();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    jsonschema::meta::validate(&schema).unwrap();
    for (pointer, default) in [
        (
            "/properties/launch/properties/environment/default",
            "staging",
        ),
        ("/properties/defaults/properties/every/default", "30s"),
        ("/properties/defaults/properties/timeout/default", "15s"),
        ("/properties/alerts/properties/group_for/default", "2m"),
        ("/properties/alerts/properties/format/default", "json"),
        ("/properties/invites/properties/rate/default", "5/s"),
        (
            "/properties/invites/properties/expires_in/default",
            "30days",
        ),
        (
            "/properties/sentry/properties/url/default",
            "https://sentry.io/",
        ),
        ("/properties/decision/properties/rule/default", "unanimous"),
    ] {
        assert_eq!(
            schema.pointer(pointer),
            Some(&Value::from(default)),
            "{pointer}"
        );
    }
    assert_eq!(
        schema.pointer("/properties/cohort/properties/groups/default"),
        Some(&serde_json::json!({"creator": 5, "listener": 20}))
    );
    assert_eq!(schema["required"], serde_json::json!(["launch"]));
    for (path, key) in schema_keys(&schema) {
        assert!(
            key.get("description")
                .and_then(Value::as_str)
                .is_some_and(|d| d.len() > 10),
            "{path} has no description"
        );
        assert!(
            key.get("type").is_some() || key.get("enum").is_some() || key.get("oneOf").is_some(),
            "{path} has no type: {key}"
        );
    }
}

/// Every key of the schema as `section.key` (`gate.key` for `[[gate]]`), sections included.
fn schema_keys(schema: &Value) -> Vec<(String, &Value)> {
    let mut keys = Vec::new();
    for (name, section) in schema["properties"].as_object().unwrap() {
        keys.push((name.clone(), section));
        let table = section.get("items").unwrap_or(section);
        if name == "keys" {
            continue;
        }
        for (key, value) in table["properties"].as_object().into_iter().flatten() {
            keys.push((format!("{name}.{key}"), value));
        }
    }
    keys
}

fn readme_table() -> String {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let start = "<!-- keys: generated by `gonogo config schema --markdown` -->\n";
    let end = "<!-- end of keys -->";
    let from = readme
        .find(start)
        .expect("the README's key table start marker")
        + start.len();
    let to = readme[from..].find(end).expect("its end marker") + from;
    readme[from..to].to_owned()
}

#[test]
fn the_readme_key_table_is_the_one_the_schema_renders() {
    let home = Env::new();
    let rendered = stdout(gonogo(&home).args(["config", "schema", "--markdown"]));
    assert_eq!(
        readme_table().trim_end(),
        rendered.trim_end(),
        "README.md's key table is out of date: replace it with `gonogo config schema --markdown` \
         (the descriptions come from the doc comments in src/config/)"
    );
    // And row by row: every key of the schema is there with its own description.
    let schema = schema();
    let table = readme_table();
    for (path, key) in schema_keys(&schema) {
        let (section, name) = path.split_once('.').unwrap_or((&path, ""));
        let heading = if section == "gate" {
            "[[gate]]".to_owned()
        } else {
            format!("[{section}]")
        };
        let cell = if name.is_empty() {
            format!("| `{heading}` |")
        } else {
            format!("| `{heading} {name}` |")
        };
        let row = table
            .lines()
            .find(|l| l.starts_with(&cell))
            .unwrap_or_else(|| panic!("no README row for {path}"));
        let description = key["description"].as_str().unwrap();
        let words: Vec<&str> = description.split_whitespace().collect();
        assert!(
            row.ends_with(&format!("| {} |", words.join(" ").replace('|', "\\|"))),
            "{path}: {row}"
        );
    }
}

#[test]
fn init_writes_the_schema_line_and_the_schema_and_both_starters_pass_it() {
    let home = Env::new();
    let dir = home.path().join("ops");
    std::fs::create_dir_all(&dir).unwrap();
    let printed = stdout(gonogo(&home).args(["init", "ops"]));
    assert!(printed.contains("gonogo.schema.json"), "{printed}");
    let config = std::fs::read_to_string(dir.join("gonogo.toml")).unwrap();
    assert_eq!(
        config.lines().next(),
        Some("#:schema ./gonogo.schema.json"),
        "taplo reads the directive only at the top"
    );
    let written = std::fs::read_to_string(dir.join("gonogo.schema.json")).unwrap();
    assert_eq!(written, schema_text());
    let validator = validator();
    let starter = std::fs::read_to_string(Path::new(ROOT).join("assets/gonogo.toml")).unwrap();
    for (name, text) in [
        ("assets/gonogo.toml", &starter),
        ("init's gonogo.toml", &config),
    ] {
        let errors = schema_errors(&validator, text);
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
    assert_eq!(gonogo_refusal(&dir.join("gonogo.toml")), None);
    // A second init keeps the schema there (it may be the operator's own), `--force` rewrites it.
    std::fs::write(dir.join("gonogo.schema.json"), "{}").unwrap();
    std::fs::remove_file(dir.join("gonogo.toml")).unwrap();
    let printed = stdout(gonogo(&home).args(["init", "ops"]));
    assert!(printed.contains("kept the existing"), "{printed}");
    assert_eq!(
        std::fs::read_to_string(dir.join("gonogo.schema.json")).unwrap(),
        "{}"
    );
    stdout(gonogo(&home).args(["init", "ops", "--force"]));
    assert_eq!(
        std::fs::read_to_string(dir.join("gonogo.schema.json")).unwrap(),
        written
    );
}

/// Fixtures gonogo refuses for a key or a value the schema knows to be wrong too.
const SCHEMA_REFUSES: &[(&str, &str)] = &[
    ("unknown_key.toml", "treshold"),
    ("bad_environment.toml", "prod"),
    ("unknown_source.toml", "datadog"),
    ("key_not_for_source.toml", "/gate/0/json"),
];

#[test]
fn every_fixture_and_the_readme_example_get_the_same_answer_from_the_schema() {
    let validator = validator();
    let mut seen = 0;
    for entry in std::fs::read_dir(Path::new(ROOT).join("tests/fixtures/config")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        seen += 1;
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let refusal = gonogo_refusal(&path);
        if toml::from_str::<toml::Value>(&text).is_err() {
            assert!(refusal.is_some(), "{name} is not TOML, yet gonogo took it");
            continue;
        }
        let errors = schema_errors(&validator, &text);
        match SCHEMA_REFUSES.iter().find(|(f, _)| *f == name) {
            Some((_, named)) => {
                assert!(refusal.is_some(), "gonogo accepted {name}");
                assert!(
                    errors.iter().any(|e| e.contains(named)),
                    "the schema did not refuse {name} for {named}: {errors:#?}"
                );
            }
            // What the schema cannot see (a bad condition, a duplicate id, a duration's
            // syntax) gonogo refuses alone; whatever gonogo accepts, the schema accepts.
            None => assert!(errors.is_empty(), "{name}: {errors:#?}"),
        }
    }
    assert!(seen >= 12, "only {seen} fixtures found");
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let from = readme.find("## Config reference").unwrap();
    let example = &readme[from..];
    let start = example.find("```toml\n").unwrap() + "```toml\n".len();
    let end = example[start..].find("```").unwrap() + start;
    let errors = schema_errors(&validator, &example[start..end]);
    assert!(errors.is_empty(), "the README's example: {errors:#?}");
}

const BASE: &str = "[launch]\nname = \"x\"\n\n[[gate]]\nid = \"smoke\"\nsource = \"command\"\ncommand = [\"true\"]\npass = \"== 0\"\n";

#[test]
fn a_key_the_schema_does_not_know_is_refused_by_gonogo_naming_it_and_its_line() {
    let validator = validator();
    let cases: &[(&str, &str, usize)] = &[
        ("colour = \"red\"\n", "colour", 1),
        ("[launch]\nname = \"x\"\ncolour = \"red\"\n", "colour", 3),
        ("[defaults]\nevry = \"30s\"\n", "evry", 2),
        ("[alerts]\nbel = true\n", "bel", 2),
        ("[cohort]\nmin_row = 5\n", "min_row", 2),
        (
            "[invites]\nfrom = \"b@x.org\"\nsignup_url = \"u\"\nfrm = \"b@x.org\"\n",
            "frm",
            4,
        ),
        (
            "[decision]\nroles = [\"a\"]\nrules = \"majority\"\n",
            "rules",
            3,
        ),
        ("[checklist]\npaht = \"c.md\"\n", "paht", 2),
        ("[postgres]\nuri = \"postgres://x@h/db\"\n", "uri", 2),
        (
            "[[gate]]\nid = \"g\"\nsource = \"command\"\ncommand = [\"true\"]\npass = \"== 0\"\ntreshold = 3\n",
            "treshold",
            6,
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (extra, key, line) in cases {
        // The extra text opens the file (lines count from it); a [launch] of its own replaces
        // the base's.
        let text = match extra.strip_prefix("[launch]") {
            Some(_) => format!("{extra}{}", &BASE["[launch]\nname = \"x\"\n".len()..]),
            None => format!("{extra}{BASE}"),
        };
        let errors = schema_errors(&validator, &text);
        assert!(
            errors.iter().any(|e| e.contains(&format!("'{key}'"))),
            "the schema took `{key}`: {errors:#?}\n{text}"
        );
        let path = dir.path().join("gonogo.toml");
        std::fs::write(&path, &text).unwrap();
        let refusal = gonogo_refusal(&path).unwrap_or_else(|| panic!("gonogo took `{key}`"));
        assert!(
            refusal.contains(&format!("gonogo.toml:{line}:")) && refusal.contains(key),
            "`{key}` at line {line}: {refusal}"
        );
    }
    // A cockpit action that does not exist: both refuse it (`[keys]` is checked by every command).
    let text = format!("{BASE}\n[keys]\nno_such_action = \"x\"\n");
    let errors = schema_errors(&validator, &text);
    assert!(
        errors.iter().any(|e| e.contains("no_such_action")),
        "{errors:#?}"
    );
    let path = dir.path().join("gonogo.toml");
    std::fs::write(&path, &text).unwrap();
    let refusal = gonogo_refusal(&path).expect("gonogo took an unknown action");
    assert!(
        refusal.contains("gonogo.toml:11:") && refusal.contains("no_such_action"),
        "{refusal}"
    );
}

/// `section.key` for every key set in a config (`gate.key` across all its gates).
fn keys_set(value: &Value) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for (name, section) in value.as_object().unwrap() {
        keys.insert(name.clone());
        let tables: Vec<&Value> = match section {
            Value::Array(items) => items.iter().collect(),
            table => vec![table],
        };
        if name == "keys" {
            continue;
        }
        for table in tables {
            for key in table.as_object().into_iter().flatten().map(|(k, _)| k) {
                keys.insert(format!("{name}.{key}"));
            }
        }
    }
    keys
}

#[test]
fn a_config_setting_every_key_passes_both_and_covers_the_whole_schema() {
    let validator = validator();
    let text = std::fs::read_to_string(fixture("every_key.toml")).unwrap();
    // `send_cmd` and `smtp_url` exclude each other: the second variant sets the other one.
    let smtp = text.replace(
        "send_cmd = \"msmtp -t\"",
        "smtp_url = \"smtp://beta:${SENTRY_AUTH_TOKEN}@smtp.example.org:587\"",
    );
    assert_ne!(text, smtp);
    let dir = tempfile::tempdir().unwrap();
    let mut covered = BTreeSet::new();
    for (name, variant) in [("every_key", &text), ("every_key with smtp_url", &smtp)] {
        let errors = schema_errors(&validator, variant);
        assert!(errors.is_empty(), "{name}: {errors:#?}");
        let path = dir.path().join("gonogo.toml");
        std::fs::write(&path, variant).unwrap();
        assert_eq!(gonogo_refusal(&path), None, "{name}");
        covered.extend(keys_set(&toml_json(variant)));
    }
    let schema = schema();
    let documented: BTreeSet<String> = schema_keys(&schema).into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        covered, documented,
        "every_key.toml and the schema must name the same keys"
    );
}

#[test]
fn the_rehearsals_generated_config_passes_the_schema() {
    use gonogo::demo::{config, sim::Endpoints, world::StoryClock};
    let at: std::net::SocketAddr = "127.0.0.1:4000".parse().unwrap();
    let endpoints = Endpoints {
        sentry: at,
        prometheus: at,
        statuspage: at,
        github: at,
    };
    let clock = StoryClock::start(60.0);
    let checklist = Path::new("/tmp/demo/checklist.md");
    let text = config::toml_text(&config::Wiring {
        database_url: "postgres://u:pw@127.0.0.1:5/db",
        endpoints: &endpoints,
        clock: &clock,
        invites: None,
        checklist: Some(checklist),
        pager: Some("http://127.0.0.1:4001/hook"),
    });
    assert!(
        text.contains("[checklist]") && text.contains("webhook_url"),
        "{text}"
    );
    let errors = schema_errors(&validator(), &text);
    assert!(errors.is_empty(), "{errors:#?}\n{text}");
}
