//! The Cohort pane never calls a file clean when its database checks did not run: for each
//! way they fail against a real PostgreSQL (a query error, a missing table, a database that
//! refuses connections, a query slower than the timeout) the pane says what was not checked and
//! why, in the warning colour, and its status is not OK. With the checks running (the demo's
//! `users` table) the same file is clean.

mod tui_support;

use gonogo::cohort::CohortSettings;
use gonogo::text::Redactor;
use gonogo::tui::completeness::Completeness;
use gonogo::tui::state::Level;
use gonogo::tui::{Action, Pane, update};
use sqlx::PgPool;
use std::time::Duration;
use tui_support::*;

const CLEAN: &str = "tests/fixtures/cohort/clean.csv";

async fn loaded(settings: CohortSettings, pool: PgPool, timeout: Duration) -> gonogo::tui::State {
    let answer = gonogo::tui::cohort::load(
        CLEAN.into(),
        settings,
        Some((gonogo::db::Database::from_pool(pool), timeout)),
        None,
        &Redactor::default(),
    )
    .await;
    let (mut state, _) = state();
    load_cohort(&mut state, CLEAN, answer);
    update(&mut state, Action::ShowPane(Pane::Cohort));
    state
}

/// The file is not shown clean: the badge, the sentence and the status message say so.
fn assert_not_cleared(state: &mut gonogo::tui::State, why: &str) {
    let view = state.panes.cohort.loaded().expect("the file itself loads");
    assert!(
        view.completeness.failed(),
        "checks failed but {:?}",
        view.completeness
    );
    let status = state.status.clone().expect("a message on load");
    assert_eq!(status.level, Level::Warning, "{}", status.text);
    assert!(status.text.contains("not cleared"), "{}", status.text);
    assert!(
        !status.text.contains('('),
        "one plain sentence: {}",
        status.text
    );
    for (width, height) in [(80, 24), (160, 48)] {
        let screen = draw(state, width, height);
        assert!(screen.contains("NOT CHECKED"), "{screen}");
        assert!(!screen.contains(" OK "), "{screen}");
        assert!(!screen.contains("clean: nothing blocks"), "{screen}");
        if width == 160 {
            assert!(
                screen.contains("Not checked: existing users and pending invites, because"),
                "{screen}"
            );
            assert!(screen.contains(why), "{why} not said: {screen}");
        }
    }
    // The row detail does not call a row fine either.
    update(state, Action::Open);
    let detail = draw(state, 160, 48);
    assert!(!detail.contains("this row is fine"), "{detail}");
    assert!(detail.contains("were not checked"), "{detail}");
    update(state, Action::Back);
}

/// A `users` table, and this query for the existing users, with this statement timeout.
async fn with_users_query(pool: PgPool, query: &str, timeout: Duration) -> gonogo::tui::State {
    gonogo::db::migrate(&pool).await.unwrap();
    database::users(&pool, &[]).await;
    let settings = CohortSettings {
        existing_users_query: query.into(),
        ..CohortSettings::default()
    };
    loaded(settings, pool, timeout).await
}

#[sqlx::test(migrations = false)]
async fn a_query_error_is_not_a_clean_file(pool: PgPool) {
    let query = "SELECT email FROM users WHERE 1 / 0 = 1";
    let mut state = with_users_query(pool, query, Duration::from_secs(5)).await;
    assert_not_cleared(&mut state, "division by zero");
}

#[sqlx::test(migrations = false)]
async fn a_missing_users_table_is_not_a_clean_file(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    let mut state = loaded(CohortSettings::default(), pool, Duration::from_secs(5)).await;
    assert_not_cleared(&mut state, "users");
}

#[tokio::test]
async fn a_database_refusing_connections_is_not_a_clean_file() {
    // Nothing listens on port 1: every connection is refused.
    let pool = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(Duration::from_secs(2))
        .connect_lazy("postgres://postgres@127.0.0.1:1/postgres")
        .unwrap();
    let mut state = loaded(CohortSettings::default(), pool, Duration::from_secs(1)).await;
    assert_not_cleared(&mut state, "database checks failed");
}

#[sqlx::test(migrations = false)]
async fn a_query_slower_than_the_timeout_is_not_a_clean_file(pool: PgPool) {
    let query = "SELECT email FROM users, pg_sleep(5)";
    let mut state = with_users_query(pool, query, Duration::from_secs(1)).await;
    assert_not_cleared(&mut state, "timeout");
}

#[sqlx::test(migrations = false)]
async fn with_the_demo_users_table_every_check_runs_and_the_file_is_clean(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    gonogo::demo::scenario::ensure_users(&pool).await.unwrap();
    let mut state = loaded(CohortSettings::default(), pool, Duration::from_secs(5)).await;
    let view = state.panes.cohort.loaded().unwrap();
    assert_eq!(view.completeness, Completeness::Complete);
    assert_eq!(state.status.as_ref().unwrap().level, Level::Info);
    let screen = draw(&mut state, 160, 48);
    assert!(screen.contains(" OK "), "{screen}");
    assert!(screen.contains("clean: nothing blocks invites"), "{screen}");
    assert!(!screen.contains("NOT CHECKED"), "{screen}");
}
