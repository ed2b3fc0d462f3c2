//! The checklist's store: `gonogo.checklist_ticks`, each item's latest tick or untick, written
//! together with its journal line in one transaction (so every cockpit hears of it through the
//! journal's notification, and the table and the journal never disagree).

use super::{Item, Tick};
use crate::db::{DbError, DbErrorKind};
use crate::journal::{JournalEvent, PendingEvent, WRITE_TIMEOUT, insert_event};
use chrono::{DateTime, Utc};
use sqlx::PgPool;

/// The checklist ticks of one launch, written as one operator.
#[derive(Debug, Clone)]
pub struct ChecklistStore {
    pool: PgPool,
    launch: String,
    actor: String,
}

/// A `gonogo.checklist_ticks` row.
#[derive(sqlx::FromRow)]
struct TickRow {
    item_key: String,
    item_id: String,
    section: Vec<String>,
    text: String,
    ticked: bool,
    by_operator: String,
    at: DateTime<Utc>,
    note: Option<String>,
}

impl From<TickRow> for Tick {
    fn from(r: TickRow) -> Tick {
        Tick {
            item_key: r.item_key,
            item_id: r.item_id,
            section: r.section,
            text: r.text,
            ticked: r.ticked,
            by: r.by_operator,
            at: r.at,
            note: r.note,
        }
    }
}

impl ChecklistStore {
    pub fn new(pool: PgPool, launch: impl Into<String>, actor: impl Into<String>) -> Self {
        ChecklistStore {
            pool,
            launch: launch.into(),
            actor: actor.into(),
        }
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Every item's latest tick or untick.
    pub async fn ticks(&self) -> Result<Vec<Tick>, DbError> {
        let rows: Vec<TickRow> = sqlx::query_as(
            "SELECT item_key, item_id, section, text, ticked, by_operator, at, note
             FROM gonogo.checklist_ticks WHERE launch = $1 ORDER BY at, item_key",
        )
        .bind(&self.launch)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Tick::from).collect())
    }

    /// Records a tick (`ticked`, optional note) or an untick (its reason as `note`), with its
    /// journal line. Returns the tick as stored.
    pub async fn set(
        &self,
        item: &Item,
        ticked: bool,
        note: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<Tick, DbError> {
        let event = if ticked {
            JournalEvent::ChecklistTick {
                item: item.id.clone(),
                section: item.section.clone(),
                text: item.text.clone(),
                note: note.map(str::to_owned),
            }
        } else {
            JournalEvent::ChecklistUntick {
                item: item.id.clone(),
                section: item.section.clone(),
                text: item.text.clone(),
                reason: note.unwrap_or_default().to_owned(),
            }
        };
        let mut tx = crate::db::writing(&self.pool, WRITE_TIMEOUT).await?;
        sqlx::query(
            "INSERT INTO gonogo.checklist_ticks
               (launch, item_key, item_id, section, text, ticked, by_operator, at, note)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (launch, item_key) DO UPDATE SET
               item_id = EXCLUDED.item_id, section = EXCLUDED.section, text = EXCLUDED.text,
               ticked = EXCLUDED.ticked, by_operator = EXCLUDED.by_operator, at = EXCLUDED.at,
               note = EXCLUDED.note",
        )
        .bind(&self.launch)
        .bind(&item.key)
        .bind(&item.id)
        .bind(&item.section)
        .bind(&item.text)
        .bind(ticked)
        .bind(&self.actor)
        .bind(at)
        .bind(note)
        .execute(&mut *tx)
        .await?;
        let line = insert_event(
            &mut *tx,
            &self.launch,
            &self.actor,
            &PendingEvent::new(at, event),
        )
        .await?;
        if line.is_none() {
            return Err(DbError::new(
                DbErrorKind::UniqueViolation,
                "the tick's journal line already exists",
            ));
        }
        tx.commit().await?;
        Ok(Tick {
            item_key: item.key.clone(),
            item_id: item.id.clone(),
            section: item.section.clone(),
            text: item.text.clone(),
            ticked,
            by: self.actor.clone(),
            at,
            note: note.map(str::to_owned),
        })
    }
}
