//! Every finding code the Cohort pane's summary counts can be listed: the code key cycles
//! through each, and the filter shows its rows (records that could not be read included) or,
//! for a code about the whole file, its messages.

mod tui_support;

use gonogo::cohort::Code;
use gonogo::tui::panes;
use gonogo::tui::{Action, Pane, update};
use tui_support::*;

const FIXTURES: [&str; 6] = [
    "tests/fixtures/cohort/ragged_row.csv",
    "tests/fixtures/cohort/bad_encoding.csv",
    "tests/fixtures/cohort/too_few_rows.csv",
    "tests/fixtures/cohort/too_few_in_group.csv",
    COHORT_BLOCKED,
    COHORT_WARN,
];

fn loaded(path: &str) -> gonogo::tui::State {
    let mut state = state_with_cohort(path);
    update(&mut state, Action::ShowPane(Pane::Cohort));
    state
}

/// Presses the code key until the filter shows `code`; panics if the cycle never reaches it.
fn cycle_to(state: &mut gonogo::tui::State, code: Code) {
    update(
        state,
        Action::Pane(panes::PaneMsg::Cohort(
            panes::cohort::Msg::FilterCohortCode(None),
        )),
    );
    for _ in 0..=Code::ALL.len() {
        update(
            state,
            Action::Pane(panes::PaneMsg::Cohort(panes::cohort::Msg::CycleCohortCode)),
        );
        if state.panes.cohort.code_filter() == Some(code) {
            return;
        }
    }
    panic!("the code key never reaches {code}");
}

#[test]
fn every_counted_code_is_reached_by_the_code_key_and_listed() {
    let mut seen = Vec::new();
    for path in FIXTURES {
        let mut state = loaded(path);
        let report = state
            .panes
            .cohort
            .loaded()
            .unwrap()
            .cohort
            .0
            .scan
            .report
            .clone();
        assert!(!report.counts().is_empty(), "{path} has findings");
        for &code in report.counts().keys() {
            seen.push(code);
            cycle_to(&mut state, code);
            let rows: Vec<Vec<Code>> = state
                .panes
                .cohort
                .visible_rows()
                .iter()
                .map(|r| r.codes.clone())
                .collect();
            let screen = draw(&mut state, 160, 48);
            if rows.is_empty() {
                let message = report
                    .findings
                    .iter()
                    .find(|f| f.code == code && f.line.is_none())
                    .unwrap_or_else(|| panic!("{path}: {code} counted, nothing listed"));
                assert!(
                    screen.contains(&format!("{code} is about the whole file")),
                    "{screen}"
                );
                let start: String = message.message.chars().take(30).collect();
                assert!(screen.contains(&start), "{start} not shown: {screen}");
            } else {
                assert!(rows.iter().all(|r| r.contains(&code)), "{path} {code}");
                assert!(screen.contains(code.as_str()), "{screen}");
            }
        }
    }
    for code in [Code::RaggedRow, Code::BadEncoding, Code::TooFewRows] {
        assert!(seen.contains(&code), "no fixture counts {code}");
    }
}

#[test]
fn a_ragged_record_is_a_row_whose_detail_says_why() {
    let mut state = loaded("tests/fixtures/cohort/ragged_row.csv");
    cycle_to(&mut state, Code::RaggedRow);
    let lines: Vec<u64> = state
        .panes
        .cohort
        .visible_rows()
        .iter()
        .map(|r| r.line)
        .collect();
    assert_eq!(lines, [5]);
    update(&mut state, Action::Open);
    let detail = draw(&mut state, 160, 48);
    assert!(detail.contains("ragged_row"), "{detail}");
    assert!(detail.contains("the header has 3"), "{detail}");
}
