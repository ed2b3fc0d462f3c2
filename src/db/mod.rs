//! The database layer: the pools (built here only, sized for their users), the two kinds of
//! transaction gonogo opens, classified errors, migrations and the live listener. The stores
//! that own gonogo's SQL live with their domains (`journal`, `invite::ledger`, `alerts`,
//! `checklist`, `decision`) and build on this module, which names none of them. Nothing
//! outside this module builds a pool; nothing under `src/tui/` names `sqlx`.

pub mod call;
mod error;
pub mod listen;

pub use error::{DbError, DbErrorKind, classify};

use crate::config::ConfigUrl;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};
use std::str::FromStr;
use std::time::Duration;

static MIGRATIONS: Migrator = sqlx::migrate!("./migrations");

/// Connections for gate and cohort queries (the config's SQL). Pollers wait for one of these,
/// never for one of gonogo's own, so a burst of slow gates cannot hold up an operator's write.
pub const GATE_CONNECTIONS: u32 = 6;
/// Connections for gonogo's own state: the journal writer, timeline and handoff reads, and the
/// dispatch and checklist work to come. The live listener has a connection of its own besides.
pub const STATE_CONNECTIONS: u32 = 6;
/// How long gonogo's own calls wait for a connection before saying the database is away.
pub const STATE_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// The database as gonogo uses it: one pool for the config's SQL, one for gonogo's own state,
/// and what the live listener needs to open its own connection.
#[derive(Clone)]
pub struct Database {
    gates: PgPool,
    state: PgPool,
    options: PgConnectOptions,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Database { .. }")
    }
}

impl Database {
    /// Builds the pools lazily: nothing connects until a query runs, so a down database shows
    /// up as unknown gates and a pending journal, never as a cockpit that will not start.
    /// `gate_acquire` is how long a gate query may wait for a connection (its own timeout).
    pub fn connect_lazy(url: &ConfigUrl, gate_acquire: Duration) -> Result<Database, DbError> {
        Database::connect_lazy_as(url, gate_acquire, false)
    }

    /// [`Database::connect_lazy`]; `read_only`: every connection is opened with
    /// `default_transaction_read_only`, so the server itself refuses any write a viewer's
    /// cockpit might still attempt (reads, `LISTEN` and advisory locks work as before).
    pub fn connect_lazy_as(
        url: &ConfigUrl,
        gate_acquire: Duration,
        read_only: bool,
    ) -> Result<Database, DbError> {
        let mut options = options(url)?;
        if read_only {
            options = options.options([("default_transaction_read_only", "on")]);
        }
        let gates = PgPoolOptions::new()
            .max_connections(GATE_CONNECTIONS)
            .acquire_timeout(gate_acquire)
            .connect_lazy_with(options.clone().application_name("gonogo gates"));
        let state = PgPoolOptions::new()
            .max_connections(STATE_CONNECTIONS)
            .acquire_timeout(STATE_ACQUIRE_TIMEOUT)
            .connect_lazy_with(options.clone().application_name("gonogo"));
        Ok(Database {
            gates,
            state,
            options,
        })
    }

    /// One pool for both uses, as a test's database gives it.
    pub fn from_pool(pool: PgPool) -> Database {
        let options = pool.connect_options().as_ref().clone();
        Database {
            gates: pool.clone(),
            state: pool,
            options,
        }
    }

    /// The pool for the config's SQL (gates, cohort checks): use [`read_only`] on it.
    pub fn gates(&self) -> &PgPool {
        &self.gates
    }

    /// The pool for gonogo's own tables.
    pub fn state(&self) -> &PgPool {
        &self.state
    }

    /// What the listener connects with (its own connection, outside both pools).
    pub(crate) fn listen_options(&self) -> PgConnectOptions {
        self.options.clone().application_name("gonogo listener")
    }
}

/// One pool of gonogo's own size, for a command that makes a few calls and exits (`migrate`,
/// `note`, `cohort validate`, the demo's setup).
pub fn pool(url: &ConfigUrl, acquire_timeout: Duration) -> Result<PgPool, DbError> {
    Ok(PgPoolOptions::new()
        .max_connections(STATE_CONNECTIONS)
        .acquire_timeout(acquire_timeout)
        .connect_lazy_with(options(url)?.application_name("gonogo")))
}

fn options(url: &ConfigUrl) -> Result<PgConnectOptions, DbError> {
    let options = PgConnectOptions::from_str(url.expose()).map_err(|e| {
        DbError::new(
            DbErrorKind::Client,
            format!("invalid database URL {url}: {}", scrub(url, &e.to_string())),
        )
    })?;
    // The driver's default (`prefer`) tries TLS first; to this machine (loopback or a socket)
    // that buys nothing and costs a TLS setup per connection. An explicit `sslmode` stands.
    let local = matches!(
        options.get_host(),
        "127.0.0.1" | "::1" | "[::1]" | "localhost"
    ) || options.get_host().starts_with('/');
    if local && !url.expose().contains("sslmode=") {
        return Ok(options.ssl_mode(sqlx::postgres::PgSslMode::Disable));
    }
    Ok(options)
}

/// Removes the URL (and so its password) from a driver message.
fn scrub(url: &ConfigUrl, message: &str) -> String {
    message.replace(url.expose(), &url.to_string())
}

/// Opens a transaction for SQL from the config: `READ ONLY`, so a gate or a cohort check can
/// never change data, with `statement_timeout` set for its statements.
pub async fn read_only(
    pool: &PgPool,
    timeout: Duration,
) -> Result<Transaction<'static, Postgres>, DbError> {
    reachable(pool, timeout).await?;
    let mut tx = pool.begin_with("BEGIN READ ONLY").await?;
    set_statement_timeout(&mut tx, timeout).await?;
    Ok(tx)
}

/// Opens a transaction for gonogo's own writes, with `statement_timeout` set, so a lock held
/// elsewhere turns into an error the caller can retry instead of a write that hangs.
pub async fn writing(
    pool: &PgPool,
    timeout: Duration,
) -> Result<Transaction<'static, Postgres>, DbError> {
    reachable(pool, timeout).await?;
    let mut tx = pool.begin().await?;
    set_statement_timeout(&mut tx, timeout).await?;
    Ok(tx)
}

async fn set_statement_timeout(
    tx: &mut Transaction<'static, Postgres>,
    timeout: Duration,
) -> Result<(), DbError> {
    let ms = timeout.as_millis().clamp(1, i32::MAX as u128).to_string();
    sqlx::query("SELECT set_config('statement_timeout', $1, true)")
        .bind(ms)
        .execute(&mut **tx)
        .await?;
    Ok(())
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

/// Fails at once, naming host and port, when the database's server refuses connections or
/// cannot be found: the pool would otherwise retry a refused connection until its acquire
/// timeout and then say only that it timed out. With a connection already open, over a Unix
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
    let message = match tokio::time::timeout(within, connect).await {
        Ok(Ok(_)) | Err(_) => return Ok(()),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => format!(
            "connection refused by {host}:{port}: nothing listens there; is PostgreSQL running, \
             and is [postgres] url right?"
        ),
        Ok(Err(e)) => format!("cannot reach {host}:{port}: {e}"),
    };
    Err(DbError::new(DbErrorKind::Unavailable, message))
}

/// Applies pending migrations; returns how many were applied.
pub async fn migrate(pool: &PgPool) -> Result<usize, DbError> {
    reachable(pool, Duration::from_secs(5)).await?;
    let migrator = migrator();
    // An unreachable database fails here, once, rather than after a second wait in the migrator.
    let before = applied_count(pool).await?;
    migrator.run(pool).await.map_err(|e| match e {
        sqlx::migrate::MigrateError::Execute(e) => classify(&e),
        other => DbError::new(DbErrorKind::Refused, format!("migration failed: {other}")),
    })?;
    let after = applied_count(pool).await?;
    Ok(after.saturating_sub(before))
}

async fn applied_count(pool: &PgPool) -> Result<usize, DbError> {
    let exists: Option<String> =
        sqlx::query_scalar("SELECT to_regclass('gonogo._sqlx_migrations')::text")
            .fetch_one(pool)
            .await?;
    if exists.is_none() {
        return Ok(0);
    }
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM gonogo._sqlx_migrations WHERE success")
        .fetch_one(pool)
        .await?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// True when gonogo's schema exists (`gonogo migrate` has run).
pub async fn has_journal(pool: &PgPool) -> Result<bool, DbError> {
    let found: Option<String> = sqlx::query_scalar("SELECT to_regclass('gonogo.journal')::text")
        .fetch_one(pool)
        .await?;
    Ok(found.is_some())
}
