//! Property tests: no input makes the validator panic or misreport, any hard finding blocks,
//! and the command's exit code follows the status.

use gonogo::cohort::{self, CohortSettings, Severity, Status};
use proptest::prelude::*;

fn settings() -> CohortSettings {
    CohortSettings::default()
}

/// Cells that exercise the reader and the rules: good and bad emails, quotes, separators,
/// newlines, control and non-UTF-8 bytes.
fn cell() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"ana@example.com".to_vec()),
        Just(b"ANA@example.com".to_vec()),
        Just(b"creator-vinyl".to_vec()),
        Just(b"listener-jazz".to_vec()),
        Just(b"\"quoted, with comma\"".to_vec()),
        Just(b"\"multi\nline\"".to_vec()),
        Just(b"\"unterminated".to_vec()),
        Just(b"\x1b[31m".to_vec()),
        Just(b"\xff\xfe".to_vec()),
        Just(b"\0".to_vec()),
        Just(b"".to_vec()),
        "[a-z@.<> -]{0,12}".prop_map(String::into_bytes),
        proptest::collection::vec(any::<u8>(), 0..8),
    ]
}

fn csv_like() -> impl Strategy<Value = Vec<u8>> {
    let header = prop_oneof![
        Just(b"email,cohort".to_vec()),
        Just(b"\xEF\xBB\xBFEmail,Cohort,name".to_vec()),
        Just(b"email,cohort,sent_by,extra".to_vec()),
        Just(b"email,email,cohort".to_vec()),
        Just(b"cohort".to_vec()),
    ];
    let row = proptest::collection::vec(cell(), 0..5);
    let newline = prop_oneof![
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\r".to_vec())
    ];
    (header, proptest::collection::vec((row, newline), 0..20)).prop_map(|(header, rows)| {
        let mut out = header;
        out.push(b'\n');
        for (cells, nl) in rows {
            out.extend(cells.join(&b","[..]));
            out.extend(nl);
        }
        out
    })
}

fn check_invariants(input: &[u8]) {
    let scan = cohort::validate(input, &settings()).expect("in-memory input cannot fail to read");
    let report = &scan.report;
    // LF, CRLF and a lone CR each end a line.
    let breaks = input
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\r' || (b == b'\n' && (i == 0 || input[i - 1] != b'\r')))
        .count();
    let lines = breaks as u64 + 1;
    let hard = report.findings.iter().any(|f| f.severity == Severity::Hard);
    match report.status {
        Status::Blocked => assert!(hard),
        Status::Warn => assert!(!hard && !report.findings.is_empty()),
        Status::Ok => assert!(report.findings.is_empty()),
    }
    if hard {
        assert_eq!(report.status, Status::Blocked);
        assert_eq!(report.status.exit_code(), 1);
    }
    assert!(report.valid_rows <= report.rows);
    assert_eq!(
        report.distribution.values().sum::<u64>(),
        report.valid_rows,
        "every valid row is counted once"
    );
    for f in &report.findings {
        if let Some(line) = f.line {
            assert!(line >= 1 && line <= lines, "line {line} of {lines}");
        }
        assert!(!f.message.chars().any(gonogo::text::is_unsafe));
        if let Some(email) = &f.email {
            assert!(!email.chars().any(gonogo::text::is_unsafe));
        }
    }
    let text = cohort::render_text(report, "x.csv");
    assert!(!text.contains('\u{1b}'));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..600)) {
        check_invariants(&input);
    }

    #[test]
    fn csv_like_input_keeps_the_invariants(input in csv_like()) {
        check_invariants(&input);
    }
}

proptest! {
    // Each case runs the binary: few cases, but through the real exit code.
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn the_exit_code_follows_the_status(input in csv_like()) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("cohort.csv");
        std::fs::write(&file, &input).unwrap();
        let expected = cohort::validate(&input[..], &settings()).unwrap().report.status;
        let out = assert_cmd::cargo::cargo_bin_cmd!("gonogo")
            .current_dir(dir.path())
            .env_remove("GONOGO_CONFIG")
            .env_remove("FORCE")
            .env("HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path())
            .env("GONOGO_LOG_DIR", dir.path().join("log"))
            .args(["cohort", "validate", "cohort.csv", "--offline", "--json", "--force", "--reason", "prop"])
            .output()
            .unwrap();
        let code = out.status.code().unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        prop_assert_eq!(json["status"].as_str().unwrap(), expected.as_str());
        // --force is there on purpose: a blocked file must still exit 1, and with no database
        // to record the override a soft-only file keeps its exit 2.
        match expected {
            Status::Blocked => prop_assert_eq!(code, 1),
            Status::Warn => prop_assert_eq!(code, 2),
            Status::Ok => prop_assert_eq!(code, 0),
        }
    }
}
