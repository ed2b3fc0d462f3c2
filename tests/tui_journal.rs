//! The timeline is shared: transitions one cockpit records in the journal (real Postgres) show
//! in another cockpit's timeline, with who saw them, newest first.

mod tui_support;

use gonogo::gate::Value;
use gonogo::journal::Journal;
use gonogo::tui::panes;
use gonogo::tui::timeline::TimelineSource;
use gonogo::tui::{Action, Effect, update};
use sqlx::PgPool;
use tui_support::*;

#[sqlx::test(migrations = false)]
async fn a_second_cockpit_shows_the_first_ones_transitions(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    let launch = config().launch().name.0.clone();

    // Cockpit A sees results and records the transitions `update` hands it, as its event
    // loop's journal writer does.
    let (_, effects) = state();
    let journal_a = Journal::new(pool.clone(), launch.clone(), "alice");
    for effect in &effects {
        if let Effect::RecordTransitions(transitions) = effect {
            for t in transitions {
                journal_a.record_transition(t).await.unwrap();
            }
        }
    }

    // Cockpit B, on another machine, has seen nothing itself; its timeline reads the journal.
    let mut b = empty_state();
    let fx = update(&mut b, Action::Tick(at(14, 4, 0)));
    assert!(fx.contains(&Effect::Pane(panes::PaneJob::Timeline(
        panes::timeline::Job::LoadTimeline
    ))));
    let journal_b = Journal::new(pool.clone(), launch, "bruno");
    let entries = journal_b.recent(200).await.unwrap();
    update(
        &mut b,
        Action::Pane(panes::PaneMsg::Timeline(
            panes::timeline::Msg::TimelineLoaded(Ok(entries)),
        )),
    );
    assert!(matches!(
        b.panes.timeline.source,
        TimelineSource::Journal { .. }
    ));
    let rows = b.panes.timeline.rows();
    // Every gate's first state (a first check that failed is journaled as unknown too, so the
    // next operator sees it was never confirmed) plus testers turning green: seven lines.
    assert_eq!(rows.len(), 7, "{rows:#?}");
    assert!(rows.iter().all(|r| r.actor == "alice"));
    assert_eq!(
        rows[0].subject, "HIGH issues open",
        "newest first (14:03:50)"
    );
    assert_eq!(rows[1].subject, "Status page", "(14:03:45)");
    assert_eq!(rows[2].subject, "Sentry P1 issues");
    assert_eq!(rows[2].value, "2");
    assert!(rows.windows(2).all(|w| w[0].at >= w[1].at));
    let screen = {
        update(&mut b, Action::ShowPane(gonogo::tui::Pane::Timeline));
        draw(&mut b, 160, 48)
    };
    assert!(screen.contains("shared journal"), "{screen}");
    assert!(screen.contains("Testers signed up"), "{screen}");

    // B's own later transition is recorded once, however many cockpits see it.
    let fx = update(
        &mut b,
        ok("testers", at(14, 5, 0), Value::Number(60.0), None),
    );
    let Some(Effect::RecordTransitions(transitions)) = fx
        .iter()
        .find(|e| matches!(e, Effect::RecordTransitions(_)))
    else {
        panic!("no transition to record: {fx:?}");
    };
    let added = journal_b.record_transition(&transitions[0]).await.unwrap();
    assert!(
        !added,
        "testers is already `pass` in the journal (cockpit A recorded it)"
    );
}
