//! `gonogo` / `gonogo tui`: load the config and open the cockpit.

use super::{Failure, Outcome, load_config};
use crate::cli::Cli;
use crate::tui::CockpitOptions;
use std::io::IsTerminal;

pub async fn run(cli: &Cli, cohort: Option<std::path::PathBuf>, read_only: bool) -> Outcome {
    let mut loaded = load_config(cli)?;
    // The flag only ever adds the restriction: a viewer's config saying `read_only` stays so.
    loaded.config.raw.launch.read_only |= read_only;
    let keymap = super::keymap(&loaded.config, &loaded.path)?;
    // Checked before anything touches the terminal: from cron or a pipe, not one escape
    // sequence may land in the output.
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(Failure::usage(
            "the cockpit needs a terminal; from scripts and cron use `gonogo check` \
             (see `gonogo --help`)",
        ));
    }
    let mut options = CockpitOptions::new(cli.operator(), keymap);
    options.cohort = cohort;
    options.config_path = Some(loaded.path.clone());
    crate::tui::run(loaded.config, options)
        .await
        .map_err(|e| Failure::new(e.exit_code(), e.to_string()))
}
