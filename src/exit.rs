//! Process exit codes shared by every command, so scripts and cron can tell outcomes apart.

/// The verdict was GO, or the command succeeded.
pub const OK: u8 = 0;
/// NO-GO, or a cohort file with a blocking finding.
pub const NO_GO: u8 = 1;
/// UNKNOWN, or a cohort file with soft findings only.
pub const UNKNOWN: u8 = 2;
/// Command-line usage error (sysexits EX_USAGE). Clap's own exit 2 would collide with UNKNOWN.
pub const USAGE: u8 = 64;
/// A required service (database, mail transport) could not be reached (EX_UNAVAILABLE).
pub const UNAVAILABLE: u8 = 69;
/// An internal failure the operator cannot fix by editing input, or a database call the
/// database refused or failed once reached (EX_SOFTWARE).
pub const SOFTWARE: u8 = 70;
/// An input file (other than the config) could not be read or written (EX_IOERR).
pub const IO: u8 = 74;
/// Configuration error (EX_CONFIG).
pub const CONFIG: u8 = 78;

/// The code for a database call that failed: [`UNAVAILABLE`] when the database could not be
/// reached, [`SOFTWARE`] when it was reached and refused or failed the call. The one mapping
/// every command uses (README, "Exit codes").
pub const fn database(unreachable: bool) -> u8 {
    if unreachable { UNAVAILABLE } else { SOFTWARE }
}
