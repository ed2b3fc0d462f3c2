//! The rehearsal's decision call: a starter checklist with gate-bound and due items, simulated
//! operators ticking items as the day goes, one item left to turn overdue, and a roll call the
//! simulated leads open near the end, leaving the on-call engineer's vote (and the freeze) to
//! whoever is at the keyboard.

use super::config::LAUNCH_NAME;
use super::script::{STORY_LENGTH, at};
use super::world::StoryClock;
use crate::checklist::Checklist;
use crate::checklist::ChecklistStore;
use crate::decision::DecisionStore;
use crate::decision::VoteChoice;
use sqlx::PgPool;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The item nobody ticks: it turns overdue at this story time.
pub const OVERDUE_AT: Duration = at(10, 0);
/// The item's text.
pub const OVERDUE_ITEM: &str = "Rollback plan reviewed with the on-call engineer";

/// The rehearsal's checklist, with the overdue item's deadline at [`OVERDUE_AT`] on the wall
/// clock.
pub fn checklist_text(clock: &StoryClock) -> String {
    let overdue = crate::clock::rfc3339(clock.wall_at(OVERDUE_AT));
    format!(
        "# Soft launch (DEMO) — pre-flight checklist

## T-72h checklist

### Database

- [x] `990_beta_invites.sql` applied to staging
- [ ] Backup-freshness OK on both environments <!-- role: on-call engineer -->

### Cohort and email

- [ ] `gonogo cohort validate` exits 0 on the final cohort <!-- role: product lead -->
- [ ] Test send to the operator's own address renders correctly

## D-day checklist

### Last hour before send

- [ ] Most recent k6 nightly green (within 30 h) <!-- gate: k6_nightly -->
- [ ] No pending high-severity Sentry issue <!-- gate: sentry_p1 -->
- [ ] Status page operational <!-- gate: status_page -->
- [ ] Synthetic checkout journey green <!-- gate: synthetic, due: T+0 -->
- [ ] {OVERDUE_ITEM} <!-- due: {overdue}, role: tech lead -->

### Hour 1 post-send

- [ ] 50 testers signed up <!-- gate: testers -->
- [ ] No severity-high issue open <!-- gate: high_issues -->
- [ ] Discord `#beta-feedback` has an \"I'm in\" message

## D+0 decision call

- [ ] Tech lead, product lead, on-call engineer all on the call <!-- due: T+0 -->
- [ ] Decision frozen with `gonogo decide` (D in the Checklist pane)
"
    )
}

/// What a simulated operator does at a story time.
enum Step {
    Tick(&'static str, &'static str, Option<&'static str>),
    Vote(&'static str, &'static str, VoteChoice, Option<&'static str>),
}

const STEPS: &[(Duration, Step)] = &[
    (
        at(2, 30),
        Step::Tick(
            "marc",
            "Backup-freshness",
            Some("pgbackrest info: full 6h old"),
        ),
    ),
    (
        at(5, 0),
        Step::Tick(
            "dana",
            "cohort validate",
            Some("exit 0 on cohort-final.csv"),
        ),
    ),
    (at(8, 0), Step::Tick("marc", "Test send", None)),
    (
        at(18, 0),
        Step::Tick("dana", "I'm in", Some("first message 3 min after the send")),
    ),
    (at(20, 0), Step::Tick("marc", "all on the call", None)),
    (
        at(22, 0),
        Step::Vote("dana", "product lead", VoteChoice::Go, None),
    ),
    (
        at(22, 30),
        Step::Vote(
            "marc",
            "tech lead",
            VoteChoice::Go,
            Some("gates green since 21:00"),
        ),
    ),
];

/// Removes what an earlier rehearsal left of the call (ticks, votes; decisions are insert-only
/// and stay, so a rerun's roll call is the next call).
pub async fn prepare(pool: &PgPool) -> Result<(), sqlx::Error> {
    for table in ["gonogo.checklist_ticks", "gonogo.votes"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE launch = $1"
        )))
        .bind(LAUNCH_NAME)
        .execute(pool)
        .await?;
    }
    Ok(())
}

/// Plays the operators' steps until the decision call or `cancel`.
pub async fn play(
    pool: PgPool,
    clock: StoryClock,
    checklist: Checklist,
    settings: crate::config::DecisionSettings,
    cancel: CancellationToken,
) {
    for (story_at, step) in STEPS {
        if *story_at > STORY_LENGTH {
            break;
        }
        tokio::select! {
            () = tokio::time::sleep_until(clock.instant_at(*story_at)) => {}
            () = cancel.cancelled() => return,
        }
        let now = chrono::Utc::now();
        let outcome = match step {
            Step::Tick(who, text, note) => {
                let store = ChecklistStore::new(pool.clone(), LAUNCH_NAME, *who);
                match crate::checklist::find(&checklist, text) {
                    Ok(item) => crate::checklist::actions::tick(&store, item, *note, now)
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                }
            }
            Step::Vote(who, role, vote, note) => {
                let store = DecisionStore::new(pool.clone(), LAUNCH_NAME, *who);
                crate::decision::vote(&store, &settings, role, *vote, *note, now)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
        };
        if let Err(why) = outcome {
            tracing::info!(%why, "demo operator's step not recorded");
        }
    }
}
