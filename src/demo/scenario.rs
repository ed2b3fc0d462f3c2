//! Plays the script: waits for each beat's (accelerated) time, changes the simulated world or
//! inserts testers into `beta_invites`, notes the beat in the journal, and publishes progress.

use super::config::{DEMO_COHORT, LAUNCH_NAME};
use super::script::{Beat, Event, SCRIPT, TESTERS_AT_START};
use super::world::SharedWorld;
use sqlx::PgPool;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// The journal's actor for the story's beats.
const NARRATOR: &str = "gonogo demo";

/// Rows the rehearsal owns: its testers (its cohort label and its code prefix, both) and the
/// invites its dispatch prepared (in its launch's ledger).
const DEMO_ROWS: &str = "(cohort = $1 AND code LIKE 'DEMO-REHEARSAL-%') \
    OR id IN (SELECT invite_id FROM gonogo.dispatch WHERE launch = $2)";

/// How many `beta_invites` rows are not the rehearsal's own. A database holding any is a real
/// one: the demo's redeemed testers would be counted by its real gates, so it is refused.
pub async fn foreign_invites(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM public.beta_invites WHERE NOT ({DEMO_ROWS})"
    )))
    .bind(DEMO_COHORT)
    .bind(LAUNCH_NAME)
    .fetch_one(pool)
    .await
}

/// Removes the rehearsal's own invites, dispatch ledger and alerts (and nothing else).
pub async fn clear(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM public.beta_invites WHERE {DEMO_ROWS}"
    )))
    .bind(DEMO_COHORT)
    .bind(LAUNCH_NAME)
    .execute(pool)
    .await?;
    for table in [
        "dispatch_history",
        "dispatch",
        "dispatch_run",
        "dispatch_pace",
        // The rehearsal's alerts: left behind, the next one's first look would find its verdict
        // already said.
        "alerts",
    ] {
        let sql = match table {
            "dispatch_history" => "DELETE FROM gonogo.dispatch_history WHERE dispatch_id IN \
                 (SELECT id FROM gonogo.dispatch WHERE launch = $1)"
                .to_owned(),
            other => format!("DELETE FROM gonogo.{other} WHERE launch = $1"),
        };
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(LAUNCH_NAME)
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// Clears what an earlier rehearsal left in this database and seats the opening testers.
pub async fn prepare(pool: &PgPool) -> Result<(), sqlx::Error> {
    clear(pool).await?;
    sqlx::query("DELETE FROM gonogo.journal WHERE launch = $1")
        .bind(LAUNCH_NAME)
        .execute(pool)
        .await?;
    ensure_users(pool).await?;
    sign_up(pool, 0, TESTERS_AT_START).await
}

/// The product's `users` table, for the cohort checks (`:cohort FILE` runs every one of them
/// in the rehearsal): created with a few demo users when the database has none, and left
/// exactly as it is when it has one.
pub async fn ensure_users(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DO $$
         BEGIN
             IF to_regclass('public.users') IS NULL THEN
                 CREATE TABLE public.users (
                     id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
                     email      VARCHAR(320) NOT NULL UNIQUE,
                     created_at TIMESTAMPTZ  NOT NULL DEFAULT NOW()
                 );
                 INSERT INTO public.users (email)
                 SELECT 'tester' || n || '@example.com' FROM generate_series(1, 3) AS n;
             END IF;
         END
         $$",
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Testers `from + 1 ..= to` redeem their invites: real rows, counted by the real `postgres` gate.
async fn sign_up(pool: &PgPool, from: u32, to: u32) -> Result<(), sqlx::Error> {
    if to <= from {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO public.beta_invites (code, email, cohort, used_at, created_at)
         SELECT 'DEMO-REHEARSAL-' || lpad(n::text, 6, '0'),
                'tester' || n || '@example.com', $1, now(), now() - interval '3 days'
         FROM generate_series($2::int, $3::int) AS n",
    )
    .bind(DEMO_COHORT)
    .bind((from + 1) as i32)
    .bind(to as i32)
    .execute(pool)
    .await?;
    Ok(())
}

/// Plays every beat in order; `played` counts the beats played so far (all of them = the story
/// is over). Stops early when `cancel` fires.
pub async fn play(
    pool: PgPool,
    world: SharedWorld,
    played: watch::Sender<usize>,
    cancel: CancellationToken,
) {
    let journal = crate::journal::Journal::new(pool.clone(), LAUNCH_NAME, NARRATOR);
    // A simulated operator on shift, so the rehearsal shows take-overs and notes as well.
    let operator = crate::journal::Journal::new(pool.clone(), LAUNCH_NAME, DEMO_OPERATOR);
    let mut testers = TESTERS_AT_START;
    for (i, beat) in SCRIPT.iter().enumerate() {
        let due = world.clock.instant_at(beat.at);
        tokio::select! {
            () = tokio::time::sleep_until(due) => {}
            () = cancel.cancelled() => return,
        }
        perform(&pool, &world, beat, &mut testers).await;
        if let Some(event) = operator_action(i, beat)
            && let Err(e) = operator.record_now(event).await
        {
            tracing::info!(error = %e, "demo operator's line not journaled");
        }
        let data = serde_json::json!({ "story_offset_secs": beat.at.as_secs() });
        if let Err(e) = journal
            .record_event(super::summary::STORY_KIND, beat.says, data)
            .await
        {
            tracing::info!(error = %e, "demo beat not journaled");
        }
        played.send_replace(i + 1);
    }
}

/// The simulated operator: takes over the shift as the story opens, and writes a note when
/// the P1 opens.
const DEMO_OPERATOR: &str = "marc";

fn operator_action(index: usize, beat: &Beat) -> Option<crate::journal::JournalEvent> {
    use crate::journal::JournalEvent;
    match (index, beat.event) {
        (0, _) => Some(JournalEvent::ShiftTakeover {
            from: None,
            from_since: None,
        }),
        (_, Event::SentryP1Opens) => Some(JournalEvent::Note {
            text: "Paged the payments team about the P1; rollback owner is on standby.".into(),
        }),
        _ => None,
    }
}

async fn perform(pool: &PgPool, world: &SharedWorld, beat: &Beat, testers: &mut u32) {
    match beat.event {
        Event::Testers(total) => match sign_up(pool, *testers, total).await {
            Ok(()) => *testers = total,
            Err(e) => tracing::warn!(error = %e, "demo testers could not sign up"),
        },
        event => {
            let now = world.clock.story_now();
            world.lock().apply(event, now);
        }
    }
}
