//! The command line's side of [`crate::confirm`]: `--confirm NAME`, or on a terminal a prompt to
//! type the launch name; without either, a refusal that says how to confirm.

use super::Failure;
use crate::cli::ConfirmArgs;
use crate::config::Launch;
use std::io::{BufRead, IsTerminal, Write};

/// Lets `action` proceed under the production rule, asking on a terminal when `--confirm` was
/// not given. A refusal is a usage error (exit 64): nothing was changed.
pub fn confirm(launch: &Launch, action: &str, args: &ConfirmArgs) -> Result<(), Failure> {
    if !crate::confirm::needed(launch) {
        return Ok(());
    }
    let typed = match &args.typed {
        Some(typed) => Some(typed.clone()),
        None if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() => {
            prompt(launch, action)
        }
        None => None,
    };
    crate::confirm::check(launch, action, typed.as_deref())
        .map_err(|e| Failure::usage(e.to_string()))
}

/// Asks on stderr, reads one line from stdin; a closed stdin is no answer.
fn prompt(launch: &Launch, action: &str) -> Option<String> {
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "production: type the launch name to confirm {action} (\"{}\"): ",
        crate::text::sanitize(launch.name.as_str())
    );
    let _ = err.flush();
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line),
    }
}
