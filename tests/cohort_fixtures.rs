//! One fixture per finding code (tests/fixtures/cohort), plus CRLF, BOM, quoted newlines and
//! hostile cells, through the library's streaming validator.

use gonogo::cohort::{self, Code, CohortSettings, Scan, Severity, Status};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cohort")
        .join(name)
}

fn scan(name: &str) -> Scan {
    let file = cohort::open(&fixture(name)).unwrap();
    cohort::validate(file, &CohortSettings::default()).unwrap()
}

/// (line, email) of every finding with this code.
fn found(scan: &Scan, code: Code) -> Vec<(Option<u64>, Option<String>)> {
    scan.report
        .findings
        .iter()
        .filter(|f| f.code == code)
        .map(|f| (f.line, f.email.clone()))
        .collect()
}

#[test]
fn clean_file_is_ok() {
    let s = scan("clean.csv");
    assert_eq!(s.report.status, Status::Ok, "{:?}", s.report.findings);
    assert_eq!((s.report.rows, s.report.valid_rows), (50, 50));
    assert_eq!(s.report.groups["creator"], 6);
    assert_eq!(s.report.groups["listener"], 22);
    assert_eq!(s.report.distribution["creator-podcast"], 3);
    assert_eq!(s.report.distribution.len(), 4);
    assert_eq!(s.emails.len(), 50);
    assert!(s.report.sha256.is_some());
}

#[test]
fn bad_header_missing_required_column_stops_reading() {
    let s = scan("bad_header.csv");
    assert_eq!(s.report.status, Status::Blocked);
    let f = &s.report.findings[0];
    assert_eq!((f.code, f.line), (Code::BadHeader, Some(1)));
    assert!(f.message.contains("`cohort` is missing"), "{}", f.message);
    assert_eq!(s.report.rows, 0, "rows are not read under a broken header");
}

#[test]
fn bad_header_duplicated_required_column() {
    let s = scan("bad_header_duplicate.csv");
    let f = &s.report.findings[0];
    assert_eq!(f.code, Code::BadHeader);
    assert!(
        f.message.contains("`email` appears 2 times"),
        "{}",
        f.message
    );
    assert_eq!(s.report.status, Status::Blocked);
}

#[test]
fn bad_encoding_names_the_line_and_reading_goes_on() {
    let s = scan("bad_encoding.csv");
    assert_eq!(found(&s, Code::BadEncoding), [(Some(5), None)]);
    assert_eq!(s.report.rows, 50);
    assert_eq!(s.report.valid_rows, 49);
    assert_eq!(s.report.status, Status::Blocked);
}

#[test]
fn utf16_file_is_bad_encoding_at_the_header() {
    let text = "email,cohort\nana@example.com,creator-x\n";
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let s = cohort::validate(&utf16[..], &CohortSettings::default()).unwrap();
    assert_eq!(found(&s, Code::BadEncoding), [(Some(1), None)]);
    assert_eq!(s.report.status, Status::Blocked);
}

#[test]
fn ragged_row() {
    let s = scan("ragged_row.csv");
    assert_eq!(found(&s, Code::RaggedRow), [(Some(5), None)]);
    assert_eq!(s.report.status, Status::Blocked);
}

#[test]
fn malformed_email_with_display_name() {
    let s = scan("malformed_email.csv");
    let f: Vec<_> = s
        .report
        .findings
        .iter()
        .filter(|f| f.code == Code::MalformedEmail)
        .collect();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].line, Some(5));
    assert_eq!(f[0].email.as_deref(), Some("Ana <ana@example.com>"));
    assert_eq!(s.report.status, Status::Blocked);
}

#[test]
fn duplicate_email_is_case_insensitive_and_names_the_first_line() {
    let s = scan("duplicate_email.csv");
    let f: Vec<_> = s
        .report
        .findings
        .iter()
        .filter(|f| f.code == Code::DuplicateEmail)
        .collect();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].line, Some(5));
    assert_eq!(f[0].message, "duplicate of line 2");
    assert_eq!(s.report.valid_rows, 49);
}

#[test]
fn missing_cohort() {
    let s = scan("missing_cohort.csv");
    assert_eq!(
        found(&s, Code::MissingCohort),
        [(Some(5), Some("creator3@example.com".into()))]
    );
}

#[test]
fn bad_cohort_label_too_long() {
    let s = scan("bad_cohort_label.csv");
    assert_eq!(found(&s, Code::BadCohortLabel).len(), 1);
    assert_eq!(found(&s, Code::BadCohortLabel)[0].0, Some(5));
}

#[test]
fn empty_file_and_header_only() {
    for name in ["empty_file.csv", "header_only.csv"] {
        let s = scan(name);
        let codes: Vec<Code> = s.report.findings.iter().map(|f| f.code).collect();
        assert_eq!(codes, [Code::EmptyFile], "{name}");
        assert_eq!(s.report.status, Status::Blocked, "{name}");
    }
}

#[test]
fn soft_threshold_fixtures_warn() {
    for (name, code) in [
        ("too_few_rows.csv", Code::TooFewRows),
        ("too_few_in_group.csv", Code::TooFewInGroup),
        ("too_few_labels.csv", Code::TooFewLabels),
        ("unknown_column.csv", Code::UnknownColumn),
    ] {
        let s = scan(name);
        let codes: Vec<Code> = s.report.findings.iter().map(|f| f.code).collect();
        assert_eq!(codes, [code], "{name}");
        assert_eq!(s.report.findings[0].severity, Severity::Soft);
        assert_eq!(s.report.status, Status::Warn, "{name}");
    }
    let s = scan("too_few_in_group.csv");
    assert!(
        s.report.findings[0].message.contains("`creator` has 2"),
        "{}",
        s.report.findings[0].message
    );
    assert_eq!(scan("unknown_column.csv").report.findings[0].line, Some(1));
}

#[test]
fn thresholds_come_from_the_settings() {
    let settings = CohortSettings {
        min_rows: 5,
        ..CohortSettings::default()
    };
    let file = cohort::open(&fixture("too_few_rows.csv")).unwrap();
    let s = cohort::validate(file, &settings).unwrap();
    assert_eq!(s.report.status, Status::Ok);
}

#[test]
fn crlf_bom_quoted_commas_and_case_insensitive_header() {
    let s = scan("crlf_bom.csv");
    assert_eq!(s.report.status, Status::Ok, "{:?}", s.report.findings);
    assert_eq!(s.report.valid_rows, 50);
    let mut names = Vec::new();
    cohort::validate_with(
        cohort::open(&fixture("crlf_bom.csv")).unwrap(),
        &CohortSettings::default(),
        |row| names.push((row.line, row.name.map(|n| n.into_owned()))),
    )
    .unwrap();
    assert_eq!(names[0], (2, Some("Creator 0, Jr.".into())));
    assert_eq!(names[49].0, 51);
}

#[test]
fn line_numbers_are_physical_lines_after_quoted_newlines() {
    let s = scan("quoted_newline.csv");
    // Record 4 (the malformed one) starts on line 6: record 3 spans lines 3 to 5.
    assert_eq!(
        found(&s, Code::MalformedEmail),
        [(Some(6), Some("not-an-email".into()))]
    );
}

#[test]
fn hostile_cells_are_neutralised_everywhere() {
    let loaded =
        cohort::load_path(&fixture("ansi_cell.csv"), &CohortSettings::default(), 10).unwrap();
    let row = &loaded.rows[0];
    assert!(!row.email.contains('\u{1b}'));
    assert!(!row.name.as_deref().unwrap().contains('\u{1b}'));
    assert!(!row.name.as_deref().unwrap().contains('\u{7}'));
    assert_eq!(row.codes, [Code::MalformedEmail]);
    let text = cohort::render_text(&loaded.scan.report, "ansi_cell.csv");
    assert!(!text.contains('\u{1b}'), "{text}");
    let json = serde_json::to_string(&loaded.scan.report).unwrap();
    assert!(!json.contains("\\u001b"), "{json}");
    assert_eq!(loaded.rows.len(), 10);
    assert!(loaded.rows_truncated);
}

#[test]
fn a_one_megabyte_field_is_a_clean_finding() {
    let mut input = b"email,cohort\n".to_vec();
    input.extend(b"ana@example.com,\"");
    input.extend(std::iter::repeat_n(b'x', 1024 * 1024));
    input.extend(b"\"\nbob@example.com,creator-x\n");
    let s = cohort::validate(&input[..], &CohortSettings::default()).unwrap();
    let ragged = found(&s, Code::RaggedRow);
    assert_eq!(ragged, [(Some(2), None)]);
    assert_eq!(s.report.rows, 2);
    assert_eq!(s.report.valid_rows, 1);
}

#[test]
fn a_runaway_line_streams_in_bounded_memory() {
    use std::io::Read;
    // 64 MiB without a newline, read lazily: skipped in fixed buffers, never held whole.
    let input = b"email,cohort\nana@example.com,\""
        .chain(std::io::repeat(b'x').take(64 << 20))
        .chain(&b"\"\nbob@example.com,creator-x\n"[..]);
    let s = cohort::validate(input, &CohortSettings::default()).unwrap();
    assert_eq!(found(&s, Code::RaggedRow), [(Some(2), None)]);
    assert_eq!(s.report.valid_rows, 1);
    assert!(s.report.bytes > 64 << 20);
}

#[test]
fn too_many_rows_is_refused() {
    let settings = CohortSettings {
        max_rows: 10,
        ..CohortSettings::default()
    };
    let file = cohort::open(&fixture("clean.csv")).unwrap();
    let err = cohort::validate(file, &settings).unwrap_err();
    assert!(
        err.to_string().contains("more than 10 rows (line 12)"),
        "{err}"
    );
}

#[test]
fn rendered_report_lists_findings_by_code_with_a_cap() {
    let mut input = b"email,cohort\n".to_vec();
    for i in 0..30 {
        input.extend(format!("bad{i},creator-x\n").as_bytes());
    }
    let s = cohort::validate(&input[..], &CohortSettings::default()).unwrap();
    let text = cohort::render_text(&s.report, "x.csv");
    assert!(text.contains("malformed_email (hard) ×30"), "{text}");
    assert!(text.contains("line 21: bad19 —"), "{text}");
    assert!(!text.contains("line 22:"), "{text}");
    assert!(text.contains("… and 10 more (see --json)"), "{text}");
    assert!(text.contains("STATUS: BLOCKED"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("listener") && l.ends_with(" 0  ≥20  LOW")),
        "{text}"
    );
}

#[test]
fn lone_cr_line_endings_number_each_line() {
    // Old spreadsheet exports end lines with a bare CR.
    let csv = b"email,cohort\rA@x.io,creator-a\rb@x.io,creator-b\ra@x.io,listener-c\r";
    let s = cohort::validate(&csv[..], &CohortSettings::default()).unwrap();
    assert_eq!(
        found(&s, Code::DuplicateEmail),
        [(Some(4), Some("a@x.io".into()))]
    );
    let duplicate = s
        .report
        .findings
        .iter()
        .find(|f| f.code == Code::DuplicateEmail)
        .unwrap();
    assert!(
        duplicate.message.contains("line 2"),
        "{}",
        duplicate.message
    );
}

/// A group minimum written in any case, non-ASCII included, applies to the group everywhere:
/// the finding, the text report and the cockpit's chart.
#[test]
fn group_minimums_match_the_group_in_any_case() {
    let settings = CohortSettings {
        min_rows: 1,
        min_labels: 1,
        groups: [("Éditeur".to_owned(), 3), ("PRESS".to_owned(), 1)].into(),
        ..CohortSettings::default()
    };
    let csv = "email,cohort\na@x.io,éditeur-vinyl\nb@x.io,ÉDITEUR-jazz\nc@x.io,Press-daily\n";
    let s = cohort::validate(csv.as_bytes(), &settings).unwrap();
    assert_eq!(s.report.groups["éditeur"], 2);
    let low: Vec<&str> = s
        .report
        .findings
        .iter()
        .filter(|f| f.code == Code::TooFewInGroup)
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(low.len(), 1, "{low:?}");
    assert!(
        low[0].contains("has 2 valid rows; it needs at least 3"),
        "{low:?}"
    );
    assert_eq!(settings.group_minimum("éditeur"), Some(3));
    assert_eq!(settings.group_minimum("ÉDITEUR"), Some(3));
    assert_eq!(settings.group_minimum("press"), Some(1));

    let text = cohort::render_text(&s.report, "x.csv");
    let line = |group: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(group))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(line("éditeur").ends_with(" 2  ≥3  LOW"), "{text}");
    assert!(line("press").ends_with(" 1  ≥1  ok"), "{text}");
    let group_rows = text
        .lines()
        .filter(|l| l.trim_start().starts_with("éditeur "))
        .count();
    assert_eq!(group_rows, 1, "one row per group: {text}");

    let chart = gonogo::tui::cohort::chart_groups(&s.report);
    assert_eq!(
        chart,
        [
            ("éditeur".to_owned(), 2, Some(3)),
            ("press".to_owned(), 1, Some(1))
        ]
    );
}

/// `malformed_email` checks the cell as written, so the operator must see it as written: the
/// whitespace around an address is shown (`␠`), control characters are neutralised, nothing
/// is trimmed away — in the cockpit's rows, the text report and the JSON.
#[test]
fn whitespace_around_an_email_is_shown_not_trimmed() {
    let csv = "email,cohort,sent_by\n ana@x.com,creator-a,\nbob@x.com  ,creator-a,\n\tcid@x.com,creator-a, ops@x.com\n";
    let path = std::env::temp_dir().join(format!("gonogo-ws-{}.csv", std::process::id()));
    std::fs::write(&path, csv).unwrap();
    let loaded = cohort::load_path(&path, &CohortSettings::default(), 10).unwrap();
    let _ = std::fs::remove_file(&path);
    let cells: Vec<(&str, Option<&str>)> = loaded
        .rows
        .iter()
        .map(|r| (r.email.as_str(), r.sent_by.as_deref()))
        .collect();
    assert_eq!(
        cells,
        [
            ("␠ana@x.com", Some("")),
            ("bob@x.com␠␠", Some("")),
            ("\u{FFFD}cid@x.com", Some("␠ops@x.com")),
        ]
    );
    for row in &loaded.rows {
        assert_eq!(row.codes[0], Code::MalformedEmail);
    }
    let text = cohort::render_text(&loaded.scan.report, "ws.csv");
    assert!(
        text.contains("line 2: ␠ana@x.com — email contains whitespace"),
        "{text}"
    );
    assert!(text.contains("line 3: bob@x.com␠␠ —"), "{text}");
    assert!(!text.contains('\t'), "{text}");
    let json = serde_json::to_value(&loaded.scan.report).unwrap();
    let emails: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "malformed_email")
        .filter_map(|f| f["email"].as_str())
        .collect();
    assert_eq!(emails, [" ana@x.com", "bob@x.com  ", "\u{FFFD}cid@x.com"]);
    // The last row's sent_by is malformed too: its own finding, naming the column.
    assert_eq!(
        loaded.rows[2].codes,
        [Code::MalformedEmail, Code::BadSentBy]
    );
    assert!(
        text.contains("sent_by `␠ops@x.com`: not a valid email: email contains whitespace"),
        "{text}"
    );
}

/// `sent_by` holds what `beta_invites.sent_by` holds: a `users.id` UUID, or a user's email.
#[test]
fn sent_by_takes_a_user_id_or_an_email_and_names_the_column_otherwise() {
    let csv = "email,cohort,sent_by\n\
        ana@x.com,creator-a,9b2f4c1e-52b6-4c3a-9d0e-3f1a2b4c5d6e\n\
        bob@x.com,creator-a,ops@veza.fm\n\
        cid@x.com,creator-a,42\n\
        dee@x.com,creator-a,9b2f4c1e-52b6\n\
        eve@x.com,creator-a,\n";
    let path = std::env::temp_dir().join(format!("gonogo-sender-{}.csv", std::process::id()));
    std::fs::write(&path, csv).unwrap();
    let loaded = cohort::load_path(&path, &CohortSettings::default(), 10).unwrap();
    let _ = std::fs::remove_file(&path);
    let flagged: Vec<(u64, &str)> = loaded
        .scan
        .report
        .findings
        .iter()
        .filter(|f| f.code == Code::BadSentBy)
        .map(|f| (f.line.unwrap(), f.message.as_str()))
        .collect();
    assert_eq!(
        flagged,
        [
            (
                4,
                "sent_by `42`: neither a users.id UUID nor a user's email"
            ),
            (
                5,
                "sent_by `9b2f4c1e-52b6`: neither a users.id UUID nor a user's email"
            ),
        ]
    );
    assert_eq!(
        Code::BadSentBy.severity(),
        Severity::Hard,
        "an unusable sender blocks"
    );
}
