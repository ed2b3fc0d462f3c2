//! The Cohort pane against real Postgres: the load effect runs the database checks, and an
//! override made in the pane goes through the effect into the journal, where the timeline (this
//! cockpit's and any other's) reads it back with the operator's reason.

mod tui_support;

use gonogo::cohort::Code;
use gonogo::journal::Journal;
use gonogo::text::Redactor;
use gonogo::tui::cohort::{self, Override};
use gonogo::tui::panes;
use gonogo::tui::{Action, Effect, Pane, update};
use sqlx::PgPool;
use std::time::Duration;
use tui_input::InputRequest;
use tui_support::*;

#[sqlx::test(migrations = false)]
async fn an_override_in_the_pane_lands_in_the_journal_and_the_timeline(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    database::users(&pool, &["HAL@jazz.example"]).await;
    let redactor = Redactor::default();

    // `:cohort PATH` asks for the load effect; the effect validates and checks the database.
    let (mut state, _) = state();
    // The timeline's first read (asked for at start-up) has answered.
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Timeline(
            panes::timeline::Msg::TimelineLoaded(Ok(Vec::new())),
        )),
    );
    let fx = update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(panes::cohort::Msg::LoadCohort(
            COHORT_WARN.into(),
        ))),
    );
    let load = load_asked(&fx);
    let loaded = cohort::load(
        COHORT_WARN.into(),
        Default::default(),
        Some((
            gonogo::db::Database::from_pool(pool.clone()),
            Duration::from_secs(5),
        )),
        None,
        &redactor,
    )
    .await;
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(panes::cohort::Msg::CohortLoaded {
            load,
            result: loaded,
        })),
    );
    let view = state.panes.cohort.loaded().expect("loaded");
    let report = &view.cohort.0.scan.report;
    assert!(
        report.database.describe().contains("ran"),
        "{:?}",
        report.database
    );
    let at_hal: Vec<Code> = report.findings_at(7).iter().map(|f| f.code).collect();
    assert_eq!(at_hal, [Code::ExistingUser]);
    assert!(report.can_override(), "existing_user is soft");

    // `o`, a reason, Enter, the launch name (production), Enter: the journal effect, run as
    // the event loop runs it.
    assert_eq!(state.pane, Pane::Cohort);
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Cohort(
            panes::cohort::Msg::StartCohortOverride,
        )),
    );
    for c in "hal is staff, invited on purpose".chars() {
        update(&mut state, Action::Edit(InputRequest::InsertChar(c)));
    }
    update(&mut state, Action::Submit);
    let fx = confirm_launch(&mut state);
    let Some(Effect::Pane(panes::PaneJob::Cohort(panes::cohort::Job::RecordCohortOverride {
        cohort: file,
        reason,
    }))) = fx
        .iter()
        .find(|e| {
            matches!(
                e,
                Effect::Pane(panes::PaneJob::Cohort(
                    panes::cohort::Job::RecordCohortOverride { .. }
                ))
            )
        })
        .cloned()
    else {
        panic!("no override effect: {fx:?}");
    };
    let launch = config().launch().name.0.clone();
    let journal = Journal::new(pool.clone(), launch.clone(), "olivia");
    let answer = cohort::record_override(&journal, &file, &reason, &redactor).await;
    let fx = update(&mut state, answer.map(panes::PaneMsg::Cohort));
    assert!(
        fx.contains(&Effect::Pane(panes::PaneJob::Timeline(
            panes::timeline::Job::LoadTimeline
        ))),
        "{fx:?}"
    );
    assert!(matches!(
        &state.panes.cohort.loaded().unwrap().overridden,
        Override::Recorded { by, reason, .. }
            if by == "olivia" && reason == "hal is staff, invited on purpose"
    ));

    // Another cockpit's timeline reads it back: who, what, and the reason in the data.
    let entries = Journal::new(pool.clone(), launch, "bruno")
        .recent(200)
        .await
        .unwrap();
    let entry = entries
        .iter()
        .find(|e| e.kind == gonogo::cohort::OVERRIDE_KIND)
        .expect("the override is in the journal");
    assert_eq!(entry.actor, "olivia");
    let entry_id = entry.id;
    assert!(entry.message.contains("pane_warn.csv"), "{}", entry.message);
    assert_eq!(entry.data["reason"], "hal is staff, invited on purpose");
    assert_eq!(entry.data["counts"]["existing_user"], 1);
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Timeline(
            panes::timeline::Msg::TimelineLoaded(Ok(entries)),
        )),
    );
    update(&mut state, Action::ShowPane(Pane::Timeline));
    let screen = draw(&mut state, 160, 48);
    assert!(screen.contains("cohort_override"), "{screen}");

    // The pane says it was overridden, by whom and why.
    update(&mut state, Action::ShowPane(Pane::Cohort));
    let screen = draw(&mut state, 160, 48);
    assert!(
        screen.contains("overridden by olivia: hal is staff, invited on purpose"),
        "{screen}"
    );

    // The next shift loads the same file: the pane finds the override in the journal.
    let bruno = Journal::new(pool.clone(), config().launch().name.0.clone(), "bruno");
    let answer = cohort::load(
        COHORT_WARN.into(),
        Default::default(),
        Some((
            gonogo::db::Database::from_pool(pool.clone()),
            Duration::from_secs(5),
        )),
        Some(&bruno),
        &redactor,
    )
    .await;
    let mut next = empty_state();
    next.operator = "bruno".into();
    load_cohort(&mut next, COHORT_WARN, answer);
    assert!(matches!(
        &next.panes.cohort.loaded().unwrap().overridden,
        Override::Recorded { by, reason, entry }
            if by == "olivia" && reason == "hal is staff, invited on purpose" && *entry == entry_id
    ));
    update(
        &mut next,
        Action::Pane(panes::PaneMsg::Cohort(
            panes::cohort::Msg::StartCohortOverride,
        )),
    );
    assert!(
        next.overlays.is_empty(),
        "no second override of the same file"
    );
    // A new user since: the same file now has another finding, which the old override never
    // covered; the pane says so and lets bruno override again.
    database::add_users(&pool, &["dan@vinyl.example"]).await;
    let answer = cohort::load(
        COHORT_WARN.into(),
        Default::default(),
        Some((
            gonogo::db::Database::from_pool(pool.clone()),
            Duration::from_secs(5),
        )),
        Some(&bruno),
        &redactor,
    )
    .await;
    load_cohort(&mut next, COHORT_WARN, answer);
    assert!(matches!(
        &next.panes.cohort.loaded().unwrap().overridden,
        Override::Outdated { by, .. } if by == "olivia"
    ));
    let screen = draw(&mut next, 160, 48);
    assert!(
        screen.contains("when the findings were different"),
        "{screen}"
    );
    update(
        &mut next,
        Action::Pane(panes::PaneMsg::Cohort(
            panes::cohort::Msg::StartCohortOverride,
        )),
    );
    assert!(matches!(
        next.top_overlay(),
        Some(gonogo::tui::state::Overlay::Pane(panes::PaneModal::Cohort(
            panes::cohort::Modal::Override(_)
        )))
    ));
    update(&mut next, Action::Back);

    // A different file (another hash) has no override.
    let answer = cohort::load(
        COHORT_BLOCKED.into(),
        Default::default(),
        None,
        Some(&bruno),
        &redactor,
    )
    .await;
    load_cohort(&mut next, COHORT_BLOCKED, answer);
    assert_eq!(
        next.panes.cohort.loaded().unwrap().overridden,
        Override::None
    );
}

#[sqlx::test(migrations = false)]
async fn a_broken_users_query_is_shown_as_failed_database_checks(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    // No `users` table: the default query fails; the file's own findings still show.
    let answer = cohort::load(
        COHORT_BLOCKED.into(),
        Default::default(),
        Some((
            gonogo::db::Database::from_pool(pool.clone()),
            Duration::from_secs(5),
        )),
        None,
        &Redactor::default(),
    )
    .await;
    let (mut state, _) = state();
    load_cohort(&mut state, COHORT_BLOCKED, answer);
    let view = state
        .panes
        .cohort
        .loaded()
        .expect("loaded despite the database");
    assert!(view.completeness.failed());
    let screen = draw(&mut state, 160, 48);
    assert!(screen.contains("database checks failed"), "{screen}");
    assert!(screen.contains("duplicate_email"), "{screen}");
}
