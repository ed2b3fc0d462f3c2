//! How the commands write: lines to stdout and stderr that never panic (a closed pipe is a
//! `false`, not a crash), and JSON documents, a failure's included, for scripts.

use super::Failure;
use crate::exit;

/// `println!` that never panics: a closed pipe or a terminal that went away is a `false` the
/// caller may heed (a watch stops), not a crash that skips the journal's last write.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let written = writeln!(std::io::stdout().lock(), $($arg)*).is_ok();
        written
    }};
}

/// [`outln!`] without the line break.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        let written = write!(stdout, $($arg)*).and_then(|()| stdout.flush()).is_ok();
        written
    }};
}

/// `eprintln!` that never panics.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let written = writeln!(std::io::stderr().lock(), $($arg)*).is_ok();
        written
    }};
}

/// `value` as pretty JSON on stdout.
pub fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let text = crate::text::to_json_pretty(value)
        .map_err(|e| Failure::new(exit::SOFTWARE, format!("cannot render JSON: {e}")))?;
    outln!("{text}");
    Ok(())
}

/// A failure as the JSON document `--json` promises a script even when the command fails:
/// `{"status": "error", "exit_code": N, "error": "…"}`. `error` is the message as given (the
/// caller has redacted it).
pub fn print_error_json(code: u8, error: &str) {
    let doc = serde_json::json!({"status": "error", "exit_code": code, "error": error});
    outln!("{}", crate::text::to_json_pretty(&doc).unwrap_or_default());
}
