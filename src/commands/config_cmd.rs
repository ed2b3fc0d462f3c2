//! `gonogo init` (write the starter config) and `gonogo config check` (validate and show it).

use super::{Failure, Outcome, load_config};
use crate::cli::{Cli, InitArgs};
use crate::exit;
use std::io::Write;

/// The commented starter config with the six gates of the acceptance gate.
pub const STARTER: &str = include_str!("../../assets/gonogo.toml");

pub fn init(args: &InitArgs) -> Outcome {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if args.force {
        options.create(true).truncate(true);
    } else {
        // create_new: never clobber an operator's config, even in a race.
        options.create_new(true);
    }
    let shown = args.path.display();
    let mut file = options.open(&args.path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => Failure::new(
            exit::CONFIG,
            format!("{shown} already exists; pass --force to overwrite it"),
        ),
        _ => Failure::new(exit::IO, format!("cannot write {shown}: {e}")),
    })?;
    file.write_all(STARTER.as_bytes())
        .map_err(|e| Failure::new(exit::IO, format!("cannot write {shown}: {e}")))?;
    outln!("wrote {shown}");
    outln!(
        "next: set DATABASE_URL, SENTRY_AUTH_TOKEN, PROM_URL and GITHUB_TOKEN, then run `gonogo config check`"
    );
    Ok(exit::OK)
}

pub fn check(cli: &Cli) -> Outcome {
    let loaded = load_config(cli)?;
    outln!(
        "# {} is valid: {} gates",
        loaded.path.display(),
        loaded.config.gates.len()
    );
    out!("{}", loaded.config.to_redacted_toml());
    Ok(exit::OK)
}
