//! What the post-launch report reads from the ledger: messages sent per hour, and invitations
//! redeemed per hour per cohort, where the product's `beta_invites.used_at` is there to say so.

use super::Ledger;
use crate::db::DbError;
use chrono::{DateTime, Utc};

/// How many in one UTC hour (and, for redemptions, one cohort; empty for sends).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct HourCount {
    pub hour: DateTime<Utc>,
    pub cohort: String,
    pub n: i64,
}

/// The redemptions of this launch's invitations, or why there is nothing to count them by.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Redemptions {
    /// Per hour and cohort (empty: none redeemed in the period).
    Hours { hours: Vec<HourCount> },
    /// The product's table does not record redemptions.
    Unavailable { why: String },
}

impl Ledger {
    /// Messages handed over for good in `[since, until)`, per UTC hour, oldest first.
    pub async fn sent_per_hour(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<HourCount>, DbError> {
        // Hours counted on the epoch, so the server's time zone never moves a bucket.
        let rows = sqlx::query_as(
            "SELECT to_timestamp(floor(extract(epoch FROM sent_at) / 3600) * 3600) AS hour,
                    ''::text AS cohort, count(*) AS n
             FROM gonogo.dispatch
             WHERE launch = $1 AND state = 'sent' AND sent_at >= $2 AND sent_at < $3
             GROUP BY 1 ORDER BY 1",
        )
        .bind(&self.launch)
        .bind(since)
        .bind(until)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// This launch's invitations redeemed in `[since, until)` (`beta_invites.used_at`), per
    /// UTC hour and cohort; unavailable when the product's table has no `used_at`.
    pub async fn redemptions_per_hour(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Redemptions, DbError> {
        let recorded: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM information_schema.columns
                            WHERE table_schema = 'public' AND table_name = 'beta_invites'
                              AND column_name = 'used_at')",
        )
        .fetch_one(&self.pool)
        .await?;
        if !recorded {
            return Ok(Redemptions::Unavailable {
                why: "the product's beta_invites table has no used_at column".to_owned(),
            });
        }
        let hours = sqlx::query_as(
            "SELECT to_timestamp(floor(extract(epoch FROM b.used_at) / 3600) * 3600) AS hour,
                    d.cohort, count(DISTINCT b.id) AS n
             FROM gonogo.dispatch d JOIN public.beta_invites b ON b.id = d.invite_id
             WHERE d.launch = $1 AND b.used_at >= $2 AND b.used_at < $3
             GROUP BY 1, 2 ORDER BY 1, 2",
        )
        .bind(&self.launch)
        .bind(since)
        .bind(until)
        .fetch_all(&self.pool)
        .await?;
        Ok(Redemptions::Hours { hours })
    }
}
