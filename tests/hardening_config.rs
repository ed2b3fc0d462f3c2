//! Hostile configs and inputs: durations below their floor or past any launch, `[keys]` errors
//! and bytes that are not UTF-8 named at their position, `check` refusing what `config check`
//! refuses, bounded quotes of huge lines, `--json` that is always one document, and hostile
//! characters escaped in `--json`.

mod support;

use support::cli::{Env, command_gate, run};

fn gate_with(extra: &str) -> String {
    format!(
        "[[gate]]\nid = \"g\"\nsource = \"command\"\ncommand = [\"true\"]\npass = \"== 0\"\n{extra}"
    )
}

/// Every duration key refuses a value below its floor or past the ceiling, at its own line.
#[test]
fn durations_are_bounded_and_refused_at_their_line() {
    let cases = [
        ("every = \"1ns\"\n", "every", "floor"),
        ("every = \"199ms\"\n", "every", "floor"),
        ("timeout = \"1us\"\n", "timeout", "floor"),
        ("timeout = \"99ms\"\n", "timeout", "floor"),
        ("every = \"8days\"\n", "every", "longest"),
        ("timeout = \"100years\"\n", "timeout", "longest"),
        ("for = \"30days\"\n", "for", "longest"),
        ("every = \"99999999999999999999s\"\n", "every", "duration"),
    ];
    for (line, key, says) in cases {
        let env = Env::new();
        env.write_config(&gate_with(line));
        let (code, out, err) = run(&env, &["config", "check"]);
        assert_eq!(code, Some(78), "{line}: {out}{err}");
        // [launch] is two lines, the gate's own keys five more.
        assert!(err.contains("gonogo.toml:8:"), "{line}: {err}");
        assert!(err.contains(key) && err.contains(says), "{line}: {err}");
        let (code, _, _) = run(&env, &["check"]);
        assert_eq!(code, Some(78), "{line}");
    }
    for (section, line) in [
        ("[defaults]\nevery = \"10ms\"\n", 4),
        ("[defaults]\ntimeout = \"1ms\"\n", 4),
    ] {
        let env = Env::new();
        env.write_config(&format!("{section}{}", gate_with("")));
        let (code, _, err) = run(&env, &["config", "check"]);
        assert_eq!(code, Some(78), "{err}");
        assert!(err.contains(&format!("gonogo.toml:{line}:")), "{err}");
    }
    let env = Env::new();
    env.write_config(&gate_with(
        "every = \"200ms\"\ntimeout = \"100ms\"\nfor = \"1ms\"\n",
    ));
    let (code, out, err) = run(&env, &["config", "check"]);
    assert_eq!(
        code,
        Some(0),
        "the floors themselves are allowed: {out}{err}"
    );
}

/// `[keys]` errors name the entry's line, and `check` refuses a config `config check` refuses.
#[test]
fn keys_errors_have_positions_and_check_validates_them() {
    let cases = [
        (
            "[keys]\nquit = \"q\"\nnot_an_action = \"x\"\n",
            5,
            "unknown action",
        ),
        ("[keys]\n\"quit\" = \"ctrl-nope\"\n", 4, "quit"),
        ("[keys]\nhelp = \"q\"\n", 4, "bound to both"),
        ("[keys]\nquit = \"ctrl-q\"\n", 4, "Ctrl+letter"),
    ];
    for (keys, line, says) in cases {
        let env = Env::new();
        env.write_config(&format!(
            "{keys}\n{}",
            command_gate("ok", r#"["true"]"#, "")
        ));
        for command in [&["config", "check"][..], &["check"][..]] {
            let (code, out, err) = run(&env, command);
            assert_eq!(code, Some(78), "{command:?} {keys}: {out}{err}");
            assert!(
                err.contains(&format!("gonogo.toml:{line}:")),
                "{command:?} {keys}: {err}"
            );
            assert!(err.contains(says), "{command:?} {keys}: {err}");
        }
    }
}

/// Bytes that are not UTF-8 anywhere in the file: the error names line and column, echoes
/// nothing of the line.
#[test]
fn a_config_that_is_not_utf8_names_its_position() {
    for (before, line, column) in [
        ("", 3, 1),
        ("# comment \u{e9}\n", 4, 1),
        ("[[gate]]\nid = \"x", 4, 8),
    ] {
        let env = Env::new();
        let path = env.write_config(before);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend_from_slice(b"\xff\xfe secret-ish tail\n");
        std::fs::write(&path, bytes).unwrap();
        let (code, out, err) = run(&env, &["config", "check"]);
        assert_eq!(code, Some(78), "{out}{err}");
        assert!(
            err.contains(&format!(
                "gonogo.toml:{line}:{column}: the file is not valid UTF-8 (byte 0xFF)"
            )),
            "{err}"
        );
        assert!(!err.contains("secret-ish"), "{err}");
    }
}

/// An error quoting a huge line quotes a bounded excerpt of it.
#[test]
fn errors_quote_bounded_excerpts_of_huge_input() {
    let huge = "x".repeat(10 * 1024 * 1024);
    for body in [
        format!("[launch.extra]\nname = \"{huge}\"\n"),
        format!("{}every = \"{huge}\"\n", gate_with("")),
        format!("[keys]\nquit = \"{huge}\"\n{}", gate_with("")),
        format!("title = {huge}\n"),
    ] {
        let env = Env::new();
        env.write_config(&body);
        let (code, out, err) = run(&env, &["config", "check"]);
        assert_eq!(code, Some(78), "{}", &err[..err.len().min(300)]);
        assert!(
            out.len() + err.len() < 4_000,
            "{} bytes of error",
            err.len()
        );
    }
}

/// `cohort validate --json` prints one JSON document whatever happens: a report, or an error
/// object with the exit code (over `max_rows`, a missing file, a bad config).
#[test]
fn cohort_validate_json_is_always_a_document() {
    let env = Env::new();
    let csv = env.path().join("c.csv");
    std::fs::write(
        &csv,
        "email,cohort\na@x.io,creator\nb@x.io,creator\nc@x.io,creator\n",
    )
    .unwrap();
    let file = csv.to_str().unwrap();
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            "[cohort]\nmax_rows = 2\n".into(),
            vec!["cohort", "validate", "--json", "--offline", file],
        ),
        (
            String::new(),
            vec![
                "cohort",
                "validate",
                "--json",
                "--offline",
                "/no/such/file.csv",
            ],
        ),
        (
            "[cohort]\nmax_rows = \"many\"\n".into(),
            vec!["cohort", "validate", "--json", "--offline", file],
        ),
    ];
    for (config, args) in cases {
        env.write_config(&config);
        let (code, out, err) = run(&env, &args);
        assert_ne!(code, Some(0), "{out}{err}");
        let doc: serde_json::Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out:?} {err}"));
        assert_eq!(doc["status"], "error", "{doc}");
        assert_eq!(doc["exit_code"].as_i64().map(|c| c as i32), code, "{doc}");
        assert!(
            doc["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{doc}"
        );
    }
}

/// Hostile characters from a source (a command's output here) reach `--json` escaped, never raw,
/// and the plain output neutralised.
#[test]
fn hostile_characters_never_reach_json_or_the_terminal_raw() {
    let hostile = [
        "\u{202E}",
        "\u{2066}",
        "\u{2069}",
        "\u{200E}",
        "\u{200F}",
        "\u{200B}",
        "\u{FEFF}",
        "\u{85}",
        "\u{9B}",
        "\u{1b}[2J",
    ];
    for h in hostile {
        let env = Env::new();
        let script = format!("printf 'ok{h}txt\\n' >&2; exit 1");
        env.write_config(&format!(
            "[[gate]]\nid = \"h\"\ntitle = {}\nsource = \"command\"\ncommand = [\"sh\", \"-c\", {}]\npass = \"== 0\"\n",
            toml::Value::String(format!("T{h}itle")),
            toml::Value::String(script)
        ));
        let (_, json, err) = run(&env, &["check", "--json"]);
        let raw = h.trim_end_matches("[2J");
        assert!(!json.contains(raw), "{h:?} raw in --json: {json}");
        let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(doc["gates"][0]["title"].as_str().unwrap().starts_with('T'));
        let (_, out, _) = run(&env, &["check"]);
        assert!(!out.contains(raw), "{h:?} raw on the terminal: {out}{err}");
    }
}

/// Durations long enough to leave the calendar: a checklist `due` offset, `--due`, `--since`,
/// `--interval`. Each is refused naming its line or flag (never exit 101), and `config check`
/// says what is wrong with the checklist.
#[test]
fn durations_past_the_calendar_are_refused_by_line_or_flag() {
    let env = Env::new();
    env.write_config(&format!(
        "decision_at = \"2026-11-24T18:00:00Z\"\n[checklist]\npath = \"list.md\"\n{}",
        gate_with("")
    ));
    let list = env.path().join("list.md");
    for due in [
        "T-100000000years",
        "T+2years",
        "T-18446744073709551615s",
        "T+367d",
    ] {
        std::fs::write(
            &list,
            format!(
                "# L\n\n## S\n\n- [ ] fine <!-- due: T-1h -->\n- [ ] far <!-- due: {due} -->\n"
            ),
        )
        .unwrap();
        let (code, out, err) = run(&env, &["checklist"]);
        assert_eq!(code, Some(78), "{due}: {out}{err}");
        assert!(
            err.contains("list.md:6") && err.contains(due),
            "{due}: {err}"
        );
        let (code, out, err) = run(&env, &["config", "check"]);
        assert_eq!(code, Some(0), "{due}: {out}{err}");
        assert!(
            err.contains("checklist cannot be used") && err.contains("list.md:6"),
            "{due}: {err}"
        );
    }
    std::fs::write(&list, "# L\n\n## S\n\n- [ ] near <!-- due: T-366d -->\n").unwrap();
    let (code, out, err) = run(&env, &["checklist"]);
    assert_eq!(code, Some(2), "the longest offset is allowed: {out}{err}");
    for (args, flag) in [
        (&["checklist", "--due", "100000000years"][..], "--due"),
        (
            &["checklist", "--due", "99999999999999999999s"][..],
            "--due",
        ),
        (&["timeline", "--since", "100000000years"][..], "--since"),
        (&["handoff", "--since", "300000years"][..], "--since"),
        (
            &["alerts", "list", "--since", "100000000years"][..],
            "--since",
        ),
        (
            &["check", "--watch", "--interval", "18446744073709551615"][..],
            "--interval",
        ),
        (
            &["check", "--watch", "--interval", "604801"][..],
            "--interval",
        ),
    ] {
        let (code, out, err) = run(&env, args);
        assert_eq!(code, Some(64), "{args:?}: {out}{err}");
        assert!(err.contains(flag), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}
