//! `gonogo migrate`: applies the migrations to the configured database.

use super::{Failure, Outcome, load_config};
use crate::cli::Cli;
use crate::exit;
use std::time::Duration;

pub async fn run(cli: &Cli) -> Outcome {
    let loaded = load_config(cli)?;
    let pg = loaded
        .config
        .raw
        .postgres
        .as_ref()
        .ok_or_else(|| Failure::new(exit::CONFIG, "the config has no [postgres] section"))?;
    let pool = crate::db::pool(&pg.url, Duration::from_secs(10))
        .map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    let redact = |e: crate::db::DbError| loaded.config.redactor.redact(&e.to_string());
    let applied = crate::db::migrate(&pool).await.map_err(|e| {
        Failure::new(
            exit::UNAVAILABLE,
            format!("{} (database {})", redact(e), pg.url),
        )
    })?;
    match applied {
        0 => outln!("database {} is up to date", pg.url),
        n => outln!(
            "applied {} to {}",
            crate::plural::count(n as u64, "migration"),
            pg.url
        ),
    };
    Ok(exit::OK)
}
