//! Findings stay bounded: a file where every row is bad keeps the exact count of each code but
//! stores only the first `FINDINGS_KEPT_PER_CODE` findings of it, and says how many it left out
//! (in the report, in `--json`); status and exit code follow the full counts.

use gonogo::cohort::{self, Code, CohortSettings, FINDINGS_KEPT_PER_CODE, Status};

const ROWS: u64 = 50_000;

/// No thresholds, so the findings are the rows' own.
fn settings() -> CohortSettings {
    CohortSettings {
        min_rows: 0,
        groups: Default::default(),
        min_labels: 0,
        ..CohortSettings::default()
    }
}

/// `ROWS` rows of one address (every row after the first is a duplicate), and every tenth row
/// also has a malformed `sent_by`.
fn duplicates() -> String {
    let mut csv = String::from("email,cohort,sent_by\n");
    for i in 0..ROWS {
        let sender = if i % 10 == 0 { "not an email" } else { "" };
        csv.push_str(&format!("Ana@Example.com,creator-a,{sender}\n"));
    }
    csv
}

#[test]
fn counts_are_exact_and_stored_findings_capped_per_code() {
    let scan = cohort::validate(duplicates().as_bytes(), &settings()).unwrap();
    let report = &scan.report;
    let duplicates = ROWS - 1;
    let malformed = ROWS / 10;
    assert_eq!(report.rows, ROWS);
    assert_eq!(report.valid_rows, 0);
    assert_eq!(report.status, Status::Blocked);
    assert_eq!(report.counts()[&Code::DuplicateEmail], duplicates);
    assert_eq!(report.counts()[&Code::BadSentBy], malformed);
    assert_eq!(report.hard_count(), duplicates + malformed);

    let kept = |code: Code| -> Vec<u64> {
        report
            .findings
            .iter()
            .filter(|f| f.code == code)
            .filter_map(|f| f.line)
            .collect()
    };
    let cap = FINDINGS_KEPT_PER_CODE as u64;
    // The first ones by line: the first row (line 2) is the original, duplicates start on line 3.
    assert_eq!(
        kept(Code::DuplicateEmail),
        (3..3 + cap).collect::<Vec<u64>>()
    );
    assert_eq!(
        kept(Code::BadSentBy),
        (0..cap).map(|i| 2 + 10 * i).collect::<Vec<u64>>()
    );
    // Memory: whatever the file, at most the cap per code (plus nothing else here).
    assert!(report.findings.len() <= FINDINGS_KEPT_PER_CODE * Code::ALL.len());
    assert_eq!(report.findings.len(), 2 * FINDINGS_KEPT_PER_CODE);
    assert_eq!(
        report.findings_omitted,
        [
            (Code::BadSentBy, malformed - cap),
            (Code::DuplicateEmail, duplicates - cap)
        ]
        .into()
    );
    // Still sorted by line, as findings_at needs.
    assert!(report.findings.windows(2).all(|w| w[0].line <= w[1].line));
}

#[test]
fn json_lists_the_kept_findings_and_says_how_many_were_left_out() {
    let scan = cohort::validate(duplicates().as_bytes(), &settings()).unwrap();
    let json = serde_json::to_value(&scan.report).unwrap();
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "distribution",
            "findings",
            "findings_omitted",
            "groups",
            "rows",
            "status",
            "valid_rows"
        ]
    );
    assert_eq!(json["status"], "blocked");
    assert_eq!(
        json["findings"].as_array().unwrap().len(),
        2 * FINDINGS_KEPT_PER_CODE
    );
    let cap = FINDINGS_KEPT_PER_CODE as u64;
    assert_eq!(
        json["findings_omitted"],
        serde_json::json!({"bad_sent_by": ROWS / 10 - cap, "duplicate_email": ROWS - 1 - cap})
    );
}

#[test]
fn a_small_file_omits_nothing() {
    let csv = "email,cohort\nana@example.com,creator-a\nana@example.com,creator-a\n";
    let scan = cohort::validate(csv.as_bytes(), &settings()).unwrap();
    assert!(scan.report.findings_omitted.is_empty());
    let json = serde_json::to_value(&scan.report).unwrap();
    assert_eq!(json["findings_omitted"], serde_json::json!({}));
}

#[test]
fn the_text_report_says_which_findings_were_left_out() {
    let scan = cohort::validate(duplicates().as_bytes(), &settings()).unwrap();
    let text = cohort::render_text(&scan.report, "dups.csv");
    let duplicates = ROWS - 1;
    assert!(
        text.contains(&format!("duplicate_email (hard) ×{duplicates}")),
        "{text}"
    );
    let omitted = duplicates - FINDINGS_KEPT_PER_CODE as u64;
    assert!(
        text.contains(&format!(
            "{omitted} not kept: only the first {FINDINGS_KEPT_PER_CODE} by line are listed, in --json too"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("{} hard", duplicates + ROWS / 10)),
        "{text}"
    );
}

/// Database findings arrive in no particular order: the kept ones are still the first by line.
#[test]
fn findings_added_out_of_order_keep_the_first_by_line() {
    let mut csv = String::from("email,cohort\n");
    for i in 0..3_000 {
        csv.push_str(&format!("user{i}@example.com,creator-a\n"));
    }
    let mut report = cohort::validate(csv.as_bytes(), &settings())
        .unwrap()
        .report;
    let status = report.status;
    let findings = (0..3_000u64)
        .rev()
        .map(|i| cohort::Finding::at(Code::ExistingUser, i + 2, None, "already a user"));
    report.add_findings(findings);
    assert_eq!(report.counts()[&Code::ExistingUser], 3_000);
    let lines: Vec<u64> = report
        .findings
        .iter()
        .filter(|f| f.code == Code::ExistingUser)
        .filter_map(|f| f.line)
        .collect();
    assert_eq!(
        lines,
        (2..2 + FINDINGS_KEPT_PER_CODE as u64).collect::<Vec<u64>>()
    );
    assert_eq!(report.findings_omitted[&Code::ExistingUser], 2_000);
    assert_eq!(status, Status::Ok);
    assert_eq!(report.status, Status::Warn);
    assert_eq!(report.soft_count(), 3_000);
}
