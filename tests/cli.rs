//! `gonogo check` as a process: every exit code, `--gate`, informational gates and the JSON shape.

mod support;

use support::cli::{Env, command_gate, run};

#[test]
fn exit_0_on_go() {
    let env = Env::new();
    env.write_config(&command_gate("ok", r#"["true"]"#, ""));
    let (code, out, err) = run(&env, &["check"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("✅ Gate ok"), "{out}");
    assert!(out.trim_end().ends_with("VERDICT: GO"), "{out}");
}

#[test]
fn exit_1_on_no_go() {
    let env = Env::new();
    env.write_config(&format!(
        "{}{}",
        command_gate("ok", r#"["true"]"#, ""),
        command_gate("bad", r#"["false"]"#, "")
    ));
    let (code, out, _) = run(&env, &["check"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("🔴 Gate bad"), "{out}");
    assert!(out.trim_end().ends_with("VERDICT: NO-GO"), "{out}");
}

#[test]
fn exit_2_on_unknown() {
    let env = Env::new();
    env.write_config(&format!(
        "{}{}",
        command_gate("ok", r#"["true"]"#, ""),
        command_gate("missing", r#"["gonogo-no-such-program"]"#, "")
    ));
    let (code, out, _) = run(&env, &["check"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("command not found"), "{out}");
    assert!(out.trim_end().ends_with("VERDICT: UNKNOWN"), "{out}");
}

#[test]
fn informational_gate_does_not_decide() {
    let env = Env::new();
    env.write_config(&format!(
        "{}{}",
        command_gate("ok", r#"["true"]"#, ""),
        command_gate("info", r#"["false"]"#, "required = false")
    ));
    let (code, out, _) = run(&env, &["check"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("(informational)"), "{out}");
}

#[test]
fn gate_flag_limits_the_pass() {
    let env = Env::new();
    env.write_config(&format!(
        "{}{}",
        command_gate("ok", r#"["true"]"#, ""),
        command_gate("bad", r#"["false"]"#, "")
    ));
    let (code, out, _) = run(&env, &["check", "--gate", "ok"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(!out.contains("Gate bad"), "{out}");
}

#[test]
fn exit_64_on_usage_errors() {
    let env = Env::new();
    env.write_config(&command_gate("ok", r#"["true"]"#, ""));
    for args in [
        vec!["check", "--bogus"],
        vec!["check", "--interval", "0"],
        vec!["check", "--interval", "soon"],
        vec!["frobnicate"],
        vec![],
    ] {
        let (code, out, err) = run(&env, &args);
        assert_eq!(code, Some(64), "{args:?}: {out}{err}");
    }
    let (code, _, err) = run(&env, &["check", "--gate", "nope"]);
    assert_eq!(code, Some(64));
    assert!(
        err.contains("nope") && err.contains("known gates: ok"),
        "{err}"
    );
    let (code, _, _) = run(&env, &["--help"]);
    assert_eq!(code, Some(0));
}

#[test]
fn exit_78_on_config_errors() {
    let env = Env::new();
    // Missing config.
    let (code, _, err) = run(&env, &["check"]);
    assert_eq!(code, Some(78), "{err}");
    // Bad config.
    env.write_config(
        "[[gate]]\nid = \"x\"\nsource = \"command\"\ncommand = [\"true\"]\npass = \"~= 1\"\n",
    );
    let (code, _, err) = run(&env, &["check"]);
    assert_eq!(code, Some(78), "{err}");
    assert!(err.contains("gonogo.toml:7:8"), "{err}");
    // Missing environment variable.
    env.write_config(&format!(
        "[postgres]\nurl = \"${{GONOGO_CLI_TEST_DB}}\"\n\n{}",
        command_gate("ok", r#"["true"]"#, "")
    ));
    let (code, _, err) = run(&env, &["check"]);
    assert_eq!(code, Some(78), "{err}");
    assert!(
        err.contains("GONOGO_CLI_TEST_DB") && err.contains(":4:7"),
        "{err}"
    );
}

#[test]
fn json_has_the_documented_shape() {
    let env = Env::new();
    let dir = env.path().join("files");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("report"), "{}").unwrap();
    env.write_config(&format!(
        "{}{}{}[[gate]]\nid = \"age\"\ntitle = \"Report age\"\nsource = \"file_age\"\npath = \"{}\"\npass = \"< 1h\"\nrequired = false\n",
        command_gate("ok", r#"["sh", "-c", "echo 0"]"#, ""),
        command_gate("bad", r#"["sh", "-c", "echo broken >&2; exit 3"]"#, ""),
        command_gate("missing", r#"["gonogo-no-such-program"]"#, ""),
        dir.join("report").display()
    ));
    let (code, out, err) = run(&env, &["check", "--json"]);
    assert_eq!(code, Some(1), "{out}{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("stdout is one JSON object");
    let top: Vec<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(top, vec!["checked_at", "gates", "verdict"]);
    assert_eq!(doc["verdict"], "NO-GO");
    chrono::DateTime::parse_from_rfc3339(doc["checked_at"].as_str().unwrap()).expect("RFC3339");
    let gates = doc["gates"].as_array().unwrap();
    assert_eq!(gates.len(), 4);
    for g in gates {
        for key in [
            "id",
            "title",
            "state",
            "value",
            "detail",
            "error",
            "observed_at",
            "required",
        ] {
            assert!(g.get(key).is_some(), "gate lacks `{key}`: {g}");
        }
        assert!(g["required"].is_boolean());
        chrono::DateTime::parse_from_rfc3339(g["observed_at"].as_str().unwrap()).expect("RFC3339");
    }
    let by_id = |id: &str| gates.iter().find(|g| g["id"] == id).unwrap();
    assert_eq!(by_id("ok")["state"], "pass");
    assert_eq!(by_id("ok")["value"], 0.0);
    assert_eq!(by_id("ok")["title"], "Gate ok");
    assert_eq!(by_id("bad")["state"], "fail");
    assert_eq!(by_id("bad")["value"], 3.0);
    assert_eq!(by_id("bad")["detail"], "broken");
    assert!(by_id("bad")["error"].is_null());
    assert_eq!(by_id("missing")["state"], "unknown");
    assert!(by_id("missing")["value"].is_null());
    assert!(
        by_id("missing")["error"]
            .as_str()
            .unwrap()
            .contains("command not found")
    );
    assert_eq!(by_id("age")["required"], false);
    assert_eq!(by_id("age")["state"], "pass");
}

#[test]
fn human_line_shows_symbol_title_value_condition_and_detail() {
    let env = Env::new();
    env.write_config(&command_gate(
        "smoke",
        r#"["sh", "-c", "echo checkout flow broken >&2; exit 3"]"#,
        "",
    ));
    let (code, out, _) = run(&env, &["check"]);
    assert_eq!(code, Some(1));
    let line = out.lines().next().unwrap();
    let parts: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        parts,
        vec![
            "🔴", "Gate", "smoke", "3", "==", "0", "checkout", "flow", "broken"
        ],
        "{line}"
    );
}
