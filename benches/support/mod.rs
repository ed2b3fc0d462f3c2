//! A throwaway database for a benchmark: created on the server `DATABASE_URL` names (default
//! the local one), migrated, dropped when the value goes.
#![allow(dead_code)]

#[path = "../../tests/support/database.rs"]
pub mod database;

use sqlx::{Connection, Executor, PgConnection};

pub struct BenchDb {
    pub url: String,
    admin: String,
    name: String,
}

impl BenchDb {
    pub async fn create(tag: &str) -> BenchDb {
        let admin = database::database_url();
        let name = format!("gonogo_bench_{tag}_{}", std::process::id());
        let mut conn = PgConnection::connect(&admin)
            .await
            .expect("PostgreSQL for the benchmark");
        conn.execute(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name}"
        )))
        .await
        .unwrap();
        conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .unwrap();
        let url = database::url_for(&name);
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        gonogo::db::migrate(&pool).await.unwrap();
        pool.close().await;
        BenchDb { url, admin, name }
    }

    pub async fn pool(&self) -> sqlx::PgPool {
        sqlx::PgPool::connect(&self.url).await.unwrap()
    }

    pub async fn drop_now(self) {
        if let Ok(mut conn) = PgConnection::connect(&self.admin).await {
            let _ = conn
                .execute(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                )))
                .await;
        }
    }
}

/// Median and 95th percentile of durations in milliseconds.
pub fn percentiles(mut ms: Vec<f64>) -> (f64, f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((ms.len() as f64 - 1.0) * p).round() as usize];
    (at(0.5), at(0.95), ms[ms.len() - 1])
}
