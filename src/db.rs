//! The database: connection pool and migrations (the product's `beta_invites` and gonogo's own
//! `gonogo` schema).

use crate::config::ConfigUrl;
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

static MIGRATIONS: Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("invalid database URL {url}: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("database: {0}")]
    Query(String),
    #[error("migration failed: {0}")]
    Migrate(String),
    #[error(
        "connection refused by {host}:{port}: nothing listens there; is PostgreSQL running, and is [postgres] url right?"
    )]
    Refused { host: String, port: u16 },
    #[error("cannot reach {host}:{port}: {reason}")]
    Unreachable {
        host: String,
        port: u16,
        reason: String,
    },
}

/// Fails at once, naming host and port, when the database's server refuses connections or
/// cannot be found: the pool would otherwise retry a refused connection until its acquire
/// timeout and then say only "timed out". With a connection already open, or over a Unix
/// socket, or when the server merely answers slowly, this says nothing and the pool decides.
pub async fn reachable(pool: &PgPool, within: Duration) -> Result<(), DbError> {
    if pool.size() > 0 {
        return Ok(());
    }
    let options = pool.connect_options();
    if options.get_socket().is_some() {
        return Ok(());
    }
    let (host, port) = (options.get_host().to_owned(), options.get_port());
    let connect = tokio::net::TcpStream::connect((host.as_str(), port));
    match tokio::time::timeout(within, connect).await {
        Ok(Ok(_)) | Err(_) => Ok(()),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            Err(DbError::Refused { host, port })
        }
        Ok(Err(e)) => Err(DbError::Unreachable {
            host,
            port,
            reason: e.to_string(),
        }),
    }
}

/// Opens a pool lazily: nothing connects until a query runs, so a down database shows up as
/// unknown gates, never as a cockpit that will not start.
pub fn pool(url: &ConfigUrl, acquire_timeout: Duration) -> Result<PgPool, DbError> {
    let options = PgConnectOptions::from_str(url.expose()).map_err(|e| DbError::BadUrl {
        url: url.to_string(),
        reason: scrub(url, &e.to_string()),
    })?;
    let options = options.application_name("gonogo");
    Ok(PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(acquire_timeout)
        .connect_lazy_with(options))
}

/// Removes the URL (and so its password) from a driver message.
fn scrub(url: &ConfigUrl, message: &str) -> String {
    message.replace(url.expose(), &url.to_string())
}

/// The migrator, with its bookkeeping table inside the `gonogo` schema so the product's own
/// schema gains nothing but `beta_invites`.
pub fn migrator() -> Migrator {
    let mut migrator = Migrator {
        migrations: MIGRATIONS.migrations.clone(),
        ..Migrator::DEFAULT
    };
    migrator.create_schema("gonogo");
    migrator.dangerous_set_table_name("gonogo._sqlx_migrations");
    migrator
}

/// Applies pending migrations; returns how many were applied.
pub async fn migrate(pool: &PgPool) -> Result<usize, DbError> {
    reachable(pool, Duration::from_secs(5)).await?;
    let migrator = migrator();
    // An unreachable database fails here, once, rather than after a second wait in the migrator.
    let before = applied_count(pool).await?;
    migrator
        .run(pool)
        .await
        .map_err(|e| DbError::Migrate(e.to_string()))?;
    let after = applied_count(pool).await?;
    Ok(after.saturating_sub(before))
}

async fn applied_count(pool: &PgPool) -> Result<usize, DbError> {
    let query = |e: sqlx::Error| DbError::Query(e.to_string());
    let exists: Option<String> =
        sqlx::query_scalar("SELECT to_regclass('gonogo._sqlx_migrations')::text")
            .fetch_one(pool)
            .await
            .map_err(query)?;
    if exists.is_none() {
        return Ok(0);
    }
    sqlx::query_scalar::<_, i64>("SELECT count(*) FROM gonogo._sqlx_migrations WHERE success")
        .fetch_one(pool)
        .await
        .map(|n| n as usize)
        .map_err(query)
}

/// True when gonogo's schema exists (`gonogo migrate` has run).
pub async fn has_journal(pool: &PgPool) -> Result<bool, DbError> {
    let found: Option<String> = sqlx::query_scalar("SELECT to_regclass('gonogo.journal')::text")
        .fetch_one(pool)
        .await
        .map_err(|e| DbError::Query(e.to_string()))?;
    Ok(found.is_some())
}
