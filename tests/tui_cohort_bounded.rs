//! The Cohort pane when the report kept only the first findings of a code: a listed row still
//! shows every code it has (file and database ones), and its detail says when a message was not
//! kept, never "this row is fine".

mod tui_support;

use gonogo::cohort::{Code, FINDINGS_KEPT_PER_CODE};
use gonogo::text::Redactor;
use gonogo::tui::panes;
use gonogo::tui::state::Overlay;
use gonogo::tui::{Action, update};
use sqlx::PgPool;
use std::path::Path;
use std::time::Duration;
use tui_support::*;

const ROWS: u64 = 3_000;

/// One address `ROWS` times, in changing case: every row after the first is a duplicate.
fn write_duplicates(dir: &Path) -> std::path::PathBuf {
    let mut csv = String::from("email,cohort\n");
    for i in 0..ROWS {
        let email = if i % 2 == 0 {
            "ana@example.com"
        } else {
            "ANA@example.com"
        };
        csv.push_str(&format!("{email},creator-a\n"));
    }
    let path = dir.join("dups.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

/// `ROWS` distinct addresses, every one already a user.
fn write_users(dir: &Path) -> std::path::PathBuf {
    let mut csv = String::from("email,cohort\n");
    for i in 0..ROWS {
        csv.push_str(&format!("user{i}@example.com,creator-a\n"));
    }
    let path = dir.join("users.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

async fn loaded_state(path: &Path, database: Option<(PgPool, Duration)>) -> gonogo::tui::State {
    let result = gonogo::tui::cohort::load(
        path.to_path_buf(),
        Default::default(),
        database.map(|(pool, t)| (gonogo::db::Database::from_pool(pool), t)),
        None,
        &Redactor::default(),
    )
    .await;
    let (mut state, _) = state();
    load_cohort(&mut state, path.to_str().unwrap(), result);
    assert!(state.panes.cohort.loaded().is_some(), "the file loads");
    state
}

/// Opens the detail of the row on `line` (rows are listed from line 2) and draws it.
fn detail_of(state: &mut gonogo::tui::State, line: u64) -> String {
    while !state.overlays.is_empty() {
        update(state, Action::Back);
    }
    update(state, Action::Top);
    update(state, Action::Move((line - 2) as i32));
    assert_eq!(
        state.panes.cohort.selected_row().map(|r| r.line),
        Some(line)
    );
    update(state, Action::Open);
    assert!(matches!(
        state.top_overlay(),
        Some(Overlay::Pane(panes::PaneModal::Cohort(panes::cohort::Modal::Row { line: l, .. }))) if *l == line
    ));
    draw(state, 160, 48)
}

#[tokio::test]
async fn rows_past_the_kept_findings_still_show_their_codes() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = loaded_state(&write_duplicates(dir.path()), None).await;
    let report = &state.panes.cohort.loaded().unwrap().cohort.0.scan.report;
    assert_eq!(report.counts()[&Code::DuplicateEmail], ROWS - 1);
    assert!(report.findings_omitted[&Code::DuplicateEmail] > 0);

    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(
            panes::cohort::Msg::FilterCohortCode(Some(Code::DuplicateEmail)),
        )),
    );
    assert_eq!(state.panes.cohort.visible_rows().len() as u64, ROWS - 1);
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(
            panes::cohort::Msg::FilterCohortCode(None),
        )),
    );

    let line = 2_500;
    assert!(line > FINDINGS_KEPT_PER_CODE as u64 + 2);
    let screen = detail_of(&mut state, line);
    assert!(screen.contains("duplicate_email"), "{screen}");
    assert!(!screen.contains("this row is fine"), "{screen}");
    assert!(screen.contains("not kept"), "{screen}");
    // A kept one still has its message.
    let screen = detail_of(&mut state, 4);
    assert!(screen.contains("duplicate of line 2"), "{screen}");
}

#[sqlx::test(migrations = false)]
async fn rows_past_the_kept_database_findings_still_show_them(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    database::users(&pool, &[]).await;
    sqlx::query(
        "INSERT INTO users (email) SELECT 'USER' || i || '@example.com' FROM generate_series(0, $1) AS i",
    )
    .bind(ROWS as i64)
    .execute(&pool)
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let database = Some((pool.clone(), Duration::from_secs(10)));
    let mut state = loaded_state(&write_users(dir.path()), database).await;
    let view = state.panes.cohort.loaded().unwrap();
    assert_eq!(
        view.completeness,
        gonogo::tui::completeness::Completeness::Complete
    );
    let report = &view.cohort.0.scan.report;
    assert_eq!(report.counts()[&Code::ExistingUser], ROWS);
    assert_eq!(
        report.findings_omitted[&Code::ExistingUser],
        ROWS - FINDINGS_KEPT_PER_CODE as u64
    );
    assert!(
        view.cohort
            .0
            .rows
            .iter()
            .all(|r| r.codes == [Code::ExistingUser])
    );
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(
            panes::cohort::Msg::FilterCohortCode(Some(Code::ExistingUser)),
        )),
    );
    assert_eq!(state.panes.cohort.visible_rows().len() as u64, ROWS);
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(
            panes::cohort::Msg::FilterCohortCode(None),
        )),
    );
    let screen = detail_of(&mut state, 2_900);
    assert!(screen.contains("existing_user"), "{screen}");
    assert!(!screen.contains("this row is fine"), "{screen}");
}
