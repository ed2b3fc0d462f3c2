//! The Cohort pane's `update()` logic: loading as an effect, the answer into the state, the code
//! filter, the search, the row detail, and overriding soft findings (refused when blocked or
//! without a journal; the modal's reason becomes the journal effect).

mod tui_support;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use gonogo::cohort::{Code, Status};
use gonogo::tui::cohort::{CohortFile, Override};
use gonogo::tui::panes;
use gonogo::tui::state::{Level, Overlay};
use gonogo::tui::{Action, Effect, Pane, input, update};
use tui_input::InputRequest;
use tui_support::*;

fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn press(state: &mut gonogo::tui::State, c: char) -> Vec<Effect> {
    match input::action_for_event(state, &key(c)) {
        Some(action) => update(state, action),
        None => Vec::new(),
    }
}

fn type_text(state: &mut gonogo::tui::State, text: &str) {
    for c in text.chars() {
        update(state, Action::Edit(InputRequest::InsertChar(c)));
    }
}

fn emails(state: &gonogo::tui::State) -> Vec<String> {
    state
        .panes
        .cohort
        .visible_rows()
        .iter()
        .map(|r| r.email.clone())
        .collect()
}

fn status_text(state: &gonogo::tui::State) -> String {
    state
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

#[test]
fn the_palette_loads_a_file_as_an_effect_and_shows_loading() {
    let (mut state, _) = state();
    update(&mut state, Action::StartPalette);
    type_text(&mut state, "cohort tests/fixtures/cohort/pane_warn.csv");
    let fx = update(&mut state, Action::Submit);
    assert!(
        fx.iter().any(
            |e| matches!(e, Effect::Pane(panes::PaneJob::Cohort(panes::cohort::Job::LoadCohort { path, .. })) if path.as_os_str() == COHORT_WARN)
        ),
        "{fx:?}"
    );
    assert_eq!(state.pane, Pane::Cohort);
    assert!(
        matches!(&state.panes.cohort.file(), CohortFile::Loading { path, .. } if path == COHORT_WARN)
    );
}

#[test]
fn key_3_and_tab_reach_the_cohort_pane() {
    let (mut state, _) = state();
    press(&mut state, '3');
    assert_eq!(state.pane, Pane::Cohort);
    update(&mut state, Action::ShowPane(Pane::Timeline));
    update(&mut state, Action::NextPane);
    assert_eq!(state.pane, Pane::Cohort);
    update(&mut state, Action::StartPalette);
    type_text(&mut state, "gates");
    update(&mut state, Action::Submit);
    update(&mut state, Action::StartPalette);
    type_text(&mut state, "cohort");
    let fx = update(&mut state, Action::Submit);
    assert_eq!(state.pane, Pane::Cohort);
    assert!(!fx.iter().any(|e| matches!(
        e,
        Effect::Pane(panes::PaneJob::Cohort(
            panes::cohort::Job::LoadCohort { .. }
        ))
    )));
}

#[test]
fn a_load_result_fills_the_pane_and_says_the_summary() {
    let state = state_with_cohort(COHORT_BLOCKED);
    let view = state.panes.cohort.loaded().expect("loaded");
    let report = &view.cohort.0.scan.report;
    assert_eq!(report.status, Status::Blocked);
    assert_eq!(state.panes.cohort.visible_rows().len(), 10);
    let status = state.status.as_ref().unwrap();
    assert_eq!(status.level, Level::Warning);
    assert!(
        status.text.contains("blocked: 10 rows, 7 valid"),
        "{}",
        status.text
    );
    // The ANSI escape in a name cell never reaches the state's rows.
    assert!(
        view.cohort
            .0
            .rows
            .iter()
            .all(|r| { !r.name.as_deref().unwrap_or("").contains('\u{1b}') })
    );
}

#[test]
fn a_failed_load_is_a_message_not_a_crash() {
    let (mut state, _) = state();
    load_cohort(
        &mut state,
        "missing.csv",
        Err("cannot open missing.csv: No such file".into()),
    );
    assert!(
        matches!(&state.panes.cohort.file(), CohortFile::Failed { path, .. } if path == "missing.csv")
    );
    assert!(
        status_text(&state).contains("cohort not loaded"),
        "{}",
        status_text(&state)
    );
    // Nothing to filter, open or override: each says so or does nothing.
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(panes::cohort::Msg::CycleCohortCode)),
    );
    update(&mut state, Action::Open);
    assert!(state.overlays.is_empty());
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(
            panes::cohort::Msg::StartCohortOverride,
        )),
    );
    assert!(state.overlays.is_empty());
    assert!(status_text(&state).contains("no cohort loaded"));
}

#[test]
fn the_code_filter_cycles_through_row_codes_and_back() {
    let mut state = state_with_cohort(COHORT_BLOCKED);
    press(&mut state, 'c');
    assert_eq!(state.panes.cohort.code_filter(), Some(Code::MalformedEmail));
    assert_eq!(emails(&state), ["not-an-email"]);
    press(&mut state, 'c');
    assert_eq!(state.panes.cohort.code_filter(), Some(Code::DuplicateEmail));
    assert_eq!(emails(&state), ["Ana@Vinyl.example"]);
    press(&mut state, 'c');
    assert_eq!(state.panes.cohort.code_filter(), Some(Code::MissingCohort));
    // A code about the whole file is counted, so it is in the cycle too.
    press(&mut state, 'c');
    assert_eq!(state.panes.cohort.code_filter(), Some(Code::TooFewRows));
    assert!(emails(&state).is_empty());
    press(&mut state, 'c');
    assert_eq!(state.panes.cohort.code_filter(), Some(Code::TooFewInGroup));
    press(&mut state, 'c');
    assert_eq!(state.panes.cohort.code_filter(), None);
    assert_eq!(emails(&state).len(), 10);
    // :cohort-filter names a code; a wrong one lists the codes.
    update(&mut state, Action::StartPalette);
    type_text(&mut state, "cohort-filter duplicate_email");
    update(&mut state, Action::Submit);
    assert_eq!(emails(&state), ["Ana@Vinyl.example"]);
    update(&mut state, Action::StartPalette);
    type_text(&mut state, "cohort-filter dup");
    update(&mut state, Action::Submit);
    assert!(status_text(&state).contains("no finding code `dup`"));
    assert_eq!(state.panes.cohort.code_filter(), Some(Code::DuplicateEmail));
}

#[test]
fn slash_searches_email_and_label_and_escape_clears() {
    let mut state = state_with_cohort(COHORT_BLOCKED);
    press(&mut state, '/');
    assert!(matches!(
        state.top_overlay(),
        Some(Overlay::Pane(panes::PaneModal::Cohort(
            panes::cohort::Modal::Search(_)
        )))
    ));
    type_text(&mut state, "VINYL");
    assert_eq!(
        emails(&state),
        [
            "ana@vinyl.example",
            "dan@vinyl.example",
            "Ana@Vinyl.example"
        ]
    );
    update(&mut state, Action::Submit);
    assert_eq!(
        state.panes.cohort.search(),
        "VINYL",
        "Enter keeps the search"
    );
    update(&mut state, Action::StartFilter);
    update(&mut state, Action::Edit(InputRequest::DeleteLine));
    type_text(&mut state, "jazz-club");
    assert!(
        emails(&state).is_empty(),
        "no such label in the blocked file"
    );
    update(&mut state, Action::Back);
    assert_eq!(state.panes.cohort.search(), "");
    assert_eq!(emails(&state).len(), 10);
    // The gates filter is untouched by the cohort search.
    assert_eq!(state.panes.gates.filter(), "");
}

#[test]
fn enter_opens_the_selected_row_and_escape_closes_it() {
    let mut state = state_with_cohort(COHORT_BLOCKED);
    update(&mut state, Action::Move(5));
    assert_eq!(state.panes.cohort.selected_row().unwrap().line, 7);
    update(&mut state, Action::Open);
    assert!(matches!(
        state.top_overlay(),
        Some(Overlay::Pane(panes::PaneModal::Cohort(
            panes::cohort::Modal::Row { line: 7, .. }
        )))
    ));
    update(&mut state, Action::Back);
    assert!(state.overlays.is_empty());
    // At 80x24 the table shows ten rows under its two header lines: a page is ten.
    update(&mut state, Action::Top);
    update(
        &mut state,
        Action::Resize {
            width: 80,
            height: 24,
        },
    );
    update(&mut state, Action::PageDown);
    assert_eq!(state.panes.cohort.selected, 9);
    update(&mut state, Action::Top);
    update(
        &mut state,
        Action::Resize {
            width: 80,
            height: 20,
        },
    );
    update(&mut state, Action::PageDown);
    assert_eq!(state.panes.cohort.selected, 6, "six rows fit at 80x20");
    update(&mut state, Action::Bottom);
    assert_eq!(state.panes.cohort.selected, 9);
    update(&mut state, Action::Move(1));
    assert_eq!(state.panes.cohort.selected, 9);
}

#[test]
fn override_is_refused_when_blocked_and_says_why() {
    let mut state = state_with_cohort(COHORT_BLOCKED);
    let fx = press(&mut state, 'o');
    assert!(
        fx.iter().all(|e| matches!(e, Effect::SetTitle(_))),
        "{fx:?}"
    );
    assert!(state.overlays.is_empty());
    let text = status_text(&state);
    assert!(
        text.contains("blocked: 3 hard findings cannot be overridden"),
        "{text}"
    );
}

#[test]
fn override_is_refused_without_a_journal_or_outside_the_pane() {
    let mut state = state_with_cohort(COHORT_WARN);
    state.panes.cohort.database = false;
    press(&mut state, 'o');
    assert!(state.overlays.is_empty());
    assert!(
        status_text(&state).contains("add [postgres]"),
        "{}",
        status_text(&state)
    );
    state.panes.cohort.database = true;
    update(&mut state, Action::ShowPane(Pane::Gates));
    // `o` is the Cohort pane's key: elsewhere it is free, and the action itself says where.
    assert!(input::action_for_event(&state, &key('o')).is_none());
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(
            panes::cohort::Msg::StartCohortOverride,
        )),
    );
    assert!(state.overlays.is_empty());
    assert!(status_text(&state).contains("Cohort pane, which 3 shows"));
}

#[test]
fn the_override_modal_needs_a_reason_then_asks_for_the_journal_line() {
    let mut state = state_with_cohort(COHORT_WARN);
    press(&mut state, 'o');
    assert!(matches!(
        state.top_overlay(),
        Some(Overlay::Pane(panes::PaneModal::Cohort(
            panes::cohort::Modal::Override(_)
        )))
    ));
    // While typing, letters are text: `q` does not quit.
    assert!(!press(&mut state, 'q').contains(&Effect::Quit));
    update(&mut state, Action::Edit(InputRequest::DeletePrevChar));
    let fx = update(&mut state, Action::Submit);
    assert!(!fx.iter().any(|e| matches!(
        e,
        Effect::Pane(panes::PaneJob::Cohort(
            panes::cohort::Job::RecordCohortOverride { .. }
        ))
    )));
    assert!(
        matches!(
            state.top_overlay(),
            Some(Overlay::Pane(panes::PaneModal::Cohort(
                panes::cohort::Modal::Override(_)
            )))
        ),
        "empty reason: stays open"
    );
    type_text(&mut state, "  small first wave, agreed with marc  ");
    let fx = update(&mut state, Action::Submit);
    assert!(
        !fx.iter().any(|e| matches!(
            e,
            Effect::Pane(panes::PaneJob::Cohort(
                panes::cohort::Job::RecordCohortOverride { .. }
            ))
        )),
        "production: nothing is recorded before the launch name is typed"
    );
    // A wrong name keeps the modal open and says what to type.
    type_text(&mut state, "beta");
    update(&mut state, Action::Submit);
    assert!(matches!(state.top_overlay(), Some(Overlay::Confirm { .. })));
    assert!(status_text(&state).contains("Type the launch name Beta soft launch exactly"));
    for _ in 0..4 {
        update(&mut state, Action::Edit(InputRequest::DeletePrevChar));
    }
    let fx = confirm_launch(&mut state);
    let (cohort, reason) =
        fx.iter()
            .find_map(|e| match e {
                Effect::Pane(panes::PaneJob::Cohort(
                    panes::cohort::Job::RecordCohortOverride { cohort, reason },
                )) => Some((cohort, reason)),
                _ => None,
            })
            .expect("the journal effect");
    assert_eq!(reason, "small first wave, agreed with marc");
    assert_eq!(cohort.0.path, COHORT_WARN);
    assert!(state.overlays.is_empty());
    let sha = cohort.0.scan.report.sha256.clone();
    assert!(matches!(
        state.panes.cohort.loaded().unwrap().overridden,
        Override::Recording { .. }
    ));
    // A second `o` while recording is refused.
    press(&mut state, 'o');
    assert!(state.overlays.is_empty());

    // The journal took it: the pane says who and why, and the timeline re-reads the journal.
    let fx = update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(
            panes::cohort::Msg::CohortOverridden {
                sha256: sha,
                result: Ok(42),
            },
        )),
    );
    assert!(reads_journal(&fx), "{fx:?}");
    assert_eq!(
        state.panes.cohort.loaded().unwrap().overridden,
        Override::Recorded {
            by: "olivia".into(),
            reason: "small first wave, agreed with marc".into(),
            entry: 42
        }
    );
    press(&mut state, 'o');
    assert!(status_text(&state).contains("already overridden by olivia"));
}

#[test]
fn a_failed_override_write_is_not_applied_and_escape_cancels_the_modal() {
    let mut state = state_with_cohort(COHORT_WARN);
    press(&mut state, 'o');
    update(&mut state, Action::Back);
    assert!(state.overlays.is_empty());
    press(&mut state, 'o');
    type_text(&mut state, "ok");
    update(&mut state, Action::Submit);
    confirm_launch(&mut state);
    let sha = state
        .panes
        .cohort
        .loaded()
        .unwrap()
        .cohort
        .0
        .scan
        .report
        .sha256
        .clone();
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(
            panes::cohort::Msg::CohortOverridden {
                sha256: sha,
                result: Err("the database did not answer in time".into()),
            },
        )),
    );
    assert_eq!(
        state.panes.cohort.loaded().unwrap().overridden,
        Override::None
    );
    assert!(status_text(&state).contains("NOT recorded"));
}

#[tokio::test]
async fn the_load_effect_validates_and_says_the_database_checks_were_skipped() {
    let result = gonogo::tui::cohort::load(
        COHORT_BLOCKED.into(),
        Default::default(),
        None,
        None,
        &gonogo::text::Redactor::default(),
    )
    .await;
    let mut state = empty_state();
    load_cohort(&mut state, COHORT_BLOCKED, result);
    let report = &state
        .panes
        .cohort
        .loaded()
        .expect("loaded")
        .cohort
        .0
        .scan
        .report;
    assert_eq!(report.rows, 10);
    assert!(report.database.describe().contains("no [postgres]"));
    let missing = gonogo::tui::cohort::load(
        "tests/fixtures/cohort/no_such.csv".into(),
        Default::default(),
        None,
        None,
        &gonogo::text::Redactor::default(),
    )
    .await;
    assert!(matches!(missing, Err(ref e) if e.contains("no_such.csv")));
}

#[test]
fn an_override_during_a_timeline_read_reads_again_on_the_next_tick() {
    let mut state = state_with_cohort(COHORT_WARN);
    update(&mut state, Action::Tick(at(14, 4, 6)));
    assert!(state.panes.timeline.loading, "a read is under way");
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(
            panes::cohort::Msg::StartCohortOverride,
        )),
    );
    type_text(&mut state, "why not");
    update(&mut state, Action::Submit);
    confirm_launch(&mut state);
    let sha256 = state
        .panes
        .cohort
        .loaded()
        .unwrap()
        .cohort
        .0
        .scan
        .report
        .sha256
        .clone();
    let fx = update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(
            panes::cohort::Msg::CohortOverridden {
                sha256,
                result: Ok(7),
            },
        )),
    );
    assert!(!reads_journal(&fx), "one read at a time");
    // The read under way may predate the override: a second read follows it at once.
    let fx = update(
        &mut state,
        Action::Pane(panes::PaneMsg::Timeline(
            panes::timeline::Msg::TimelineLoaded(Ok(Vec::new())),
        )),
    );
    assert!(reads_journal(&fx), "{fx:?}");
}

fn reads_journal(fx: &[Effect]) -> bool {
    fx.iter().any(|e| {
        matches!(
            e,
            Effect::Pane(panes::PaneJob::Timeline(panes::timeline::Job::LoadTimeline))
                | Effect::Pane(panes::PaneJob::Timeline(
                    panes::timeline::Job::LoadTimelineAfter(_)
                ))
        )
    })
}

#[test]
fn an_answer_for_another_file_is_ignored() {
    let mut state = state_with_cohort(COHORT_WARN);
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(
            panes::cohort::Msg::StartCohortOverride,
        )),
    );
    type_text(&mut state, "why not");
    update(&mut state, Action::Submit);
    load_cohort(&mut state, COHORT_BLOCKED, cohort_answer(COHORT_BLOCKED));
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(
            panes::cohort::Msg::CohortOverridden {
                sha256: Some("0".repeat(64)),
                result: Ok(9),
            },
        )),
    );
    assert_eq!(
        state.panes.cohort.loaded().unwrap().overridden,
        Override::None
    );
}

#[test]
fn a_click_selects_the_cohort_row_under_it() {
    let mut state = state_with_cohort(COHORT_BLOCKED);
    let screen = draw(&mut state, 80, 24);
    let row = screen
        .lines()
        .position(|l| l.starts_with("4      carla@pitchfork.example"))
        .expect("carla's row is drawn") as u16;
    update(&mut state, Action::Click { column: 10, row });
    assert_eq!(state.panes.cohort.selected_row().unwrap().line, 4);
    let header = row - 3;
    update(
        &mut state,
        Action::Click {
            column: 10,
            row: header,
        },
    );
    assert_eq!(
        state.panes.cohort.selected_row().unwrap().line,
        4,
        "the table header is not a row"
    );
}

#[test]
fn the_answer_to_a_replaced_load_is_ignored_and_paths_are_shown_clean() {
    let (mut state, _) = state();
    let blocked = load_asked(&update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(panes::cohort::Msg::LoadCohort(
            COHORT_BLOCKED.into(),
        ))),
    ));
    let warn = load_asked(&update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(panes::cohort::Msg::LoadCohort(
            COHORT_WARN.into(),
        ))),
    ));
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(panes::cohort::Msg::CohortLoaded {
            load: blocked,
            result: cohort_answer(COHORT_BLOCKED),
        })),
    );
    assert!(
        matches!(state.panes.cohort.file(), CohortFile::Loading { .. }),
        "still waiting for pane_warn"
    );
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(panes::cohort::Msg::CohortLoaded {
            load: warn,
            result: cohort_answer(COHORT_WARN),
        })),
    );
    assert_eq!(state.panes.cohort.loaded().unwrap().path, COHORT_WARN);

    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(panes::cohort::Msg::LoadCohort(
            "evil\u{1b}[2J.csv".into(),
        ))),
    );
    let CohortFile::Loading { path, .. } = &state.panes.cohort.file() else {
        panic!("loading");
    };
    assert!(!path.contains('\u{1b}'), "{path:?}");
}

#[test]
fn cohort_keys_are_remappable_and_the_footer_follows() {
    use gonogo::tui::keymap::{Context, Keymap, KeymapError};
    use std::collections::BTreeMap;
    let keys: BTreeMap<String, String> = [("override", "O"), ("cohort_code", "F")]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let keymap = Keymap::with_overrides(&keys).unwrap();
    let footer = keymap.footer_in(Context::Cockpit, Pane::Cohort);
    assert!(
        footer.contains(&("O".to_string(), "override")),
        "{footer:?}"
    );
    assert!(footer.contains(&("F".to_string(), "code")), "{footer:?}");
    let mut state = state_with_cohort(COHORT_WARN);
    state.keymap = keymap;
    press(&mut state, 'o');
    assert!(state.overlays.is_empty(), "o is no longer bound");
    press(&mut state, 'O');
    assert!(matches!(
        state.top_overlay(),
        Some(Overlay::Pane(panes::PaneModal::Cohort(
            panes::cohort::Modal::Override(_)
        )))
    ));
    let clash: BTreeMap<String, String> = [("mask".to_string(), "o".to_string())].into();
    assert!(matches!(
        Keymap::with_overrides(&clash),
        Err(KeymapError::Conflict { .. })
    ));
}

#[test]
fn a_superseded_load_failing_does_not_overwrite_the_newer_load() {
    let (mut state, _) = state();
    let old = load_asked(&update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(panes::cohort::Msg::LoadCohort(
            "old.csv".into(),
        ))),
    ));
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(panes::cohort::Msg::LoadCohort(
            COHORT_WARN.into(),
        ))),
    );
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(panes::cohort::Msg::CohortLoaded {
            load: old,
            result: Err("cannot open old.csv: No such file".into()),
        })),
    );
    assert!(
        matches!(&state.panes.cohort.file(), CohortFile::Loading { path, .. } if path == COHORT_WARN),
        "still waiting for pane_warn"
    );
    // The same file asked for twice (edited in between): only the second answer counts.
    let mut again = empty_state();
    let first = load_asked(&update(
        &mut again,
        Action::Pane(panes::PaneMsg::Cohort(panes::cohort::Msg::LoadCohort(
            COHORT_WARN.into(),
        ))),
    ));
    let second = load_asked(&update(
        &mut again,
        Action::Pane(panes::PaneMsg::Cohort(panes::cohort::Msg::LoadCohort(
            COHORT_WARN.into(),
        ))),
    ));
    let answer = |load, result| {
        Action::Pane(panes::PaneMsg::Cohort(panes::cohort::Msg::CohortLoaded {
            load,
            result,
        }))
    };
    update(&mut again, answer(first, cohort_answer(COHORT_BLOCKED)));
    assert!(matches!(
        again.panes.cohort.file(),
        CohortFile::Loading { .. }
    ));
    update(&mut again, answer(second, cohort_answer(COHORT_WARN)));
    let report = &again.panes.cohort.loaded().unwrap().cohort.0.scan.report;
    assert_eq!(report.status, Status::Warn);
}

#[test]
fn a_home_path_in_the_palette_is_left_to_the_effect() {
    let (mut state, _) = state();
    update(&mut state, Action::StartPalette);
    type_text(&mut state, "cohort ~/beta.csv");
    let fx = update(&mut state, Action::Submit);
    assert!(
        fx.iter().any(
            |e| matches!(e, Effect::Pane(panes::PaneJob::Cohort(panes::cohort::Job::LoadCohort { path, .. })) if path.as_os_str() == "~/beta.csv")
        ),
        "{fx:?}"
    );
    let home = std::path::Path::new("/home/olivia");
    let expand = |p: &str| gonogo::tui::cohort::expand_home(p.as_ref(), Some(home));
    assert_eq!(expand("~/beta.csv"), home.join("beta.csv"));
    assert_eq!(expand("beta.csv"), std::path::Path::new("beta.csv"));
    assert_eq!(expand("~bruno/x.csv"), std::path::Path::new("~bruno/x.csv"));
    let no_home = gonogo::tui::cohort::expand_home("~/x.csv".as_ref(), None);
    assert_eq!(no_home, std::path::Path::new("~/x.csv"));
}

#[test]
fn a_long_cohort_draws_the_rows_around_the_selection() {
    use gonogo::tui::cohort::{Loaded, ROWS_KEPT, SharedCohort};
    let mut file = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    {
        use std::io::Write;
        writeln!(file, "email,cohort").unwrap();
        for i in 0..ROWS_KEPT {
            writeln!(file, "tester{i:05}@vinyl.example,listener-jazz").unwrap();
        }
    }
    let path = file.path().to_str().unwrap().to_owned();
    let cohort = gonogo::cohort::load_path(file.path(), &Default::default(), ROWS_KEPT).unwrap();
    let mut state = empty_state();
    let result = Ok(Loaded {
        cohort: SharedCohort(std::sync::Arc::new(cohort)),
        database_error: None,
        overridden: Override::None,
    });
    load_cohort(&mut state, &path, result);
    assert_eq!(state.panes.cohort.visible_rows().len(), ROWS_KEPT);
    let screen = draw(&mut state, 80, 24);
    assert!(screen.contains("tester00000@"), "{screen}");
    update(&mut state, Action::Bottom);
    let screen = draw(&mut state, 80, 24);
    assert!(screen.contains("tester19999@"), "{screen}");
    assert!(!screen.contains("tester00000@"), "{screen}");
    // The rows drawn are the rows a click selects.
    let row = screen
        .lines()
        .position(|l| l.contains("tester19990@"))
        .expect("drawn") as u16;
    update(&mut state, Action::Click { column: 10, row });
    assert_eq!(state.panes.cohort.selected, 19_990);
    update(&mut state, Action::PageUp);
    let screen = draw(&mut state, 80, 24);
    let selected = state.panes.cohort.selected_row().unwrap().email.clone();
    assert!(screen.contains(&selected), "{selected} in\n{screen}");
}

#[test]
fn a_space_before_an_email_is_visible_and_still_masked() {
    let path = std::env::temp_dir().join(format!("gonogo-ws-pane-{}.csv", std::process::id()));
    std::fs::write(&path, "email,cohort\n olivia@veza.fr,creator-a\n").unwrap();
    let mut state = state_with_cohort(path.to_str().unwrap());
    let _ = std::fs::remove_file(&path);
    let screen = draw(&mut state, 160, 48);
    assert!(screen.contains("␠olivia@veza.fr"), "{screen}");
    update(&mut state, Action::ToggleMask);
    let screen = draw(&mut state, 160, 48);
    assert!(screen.contains("␠o***@v***.fr"), "{screen}");
    assert!(!screen.contains("olivia@veza"), "{screen}");
}
