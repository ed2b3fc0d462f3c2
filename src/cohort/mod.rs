//! Cohort review: reading the beta cohort CSV, email rules, distribution, collisions -> report.
//!
//! UI-free; the headless `gonogo cohort validate` and the cockpit's Cohort pane share it.
//!
//! # Using it
//! 1. **Validate a file**: [`load_path`] opens and streams it, returns a [`LoadedCohort`] with the
//!    [`Scan`] (report + seen emails) and the first `keep_rows` rows as owned, sanitized
//!    [`CohortRow`]s (line, email, cohort, name, sent_by, codes). It is blocking I/O: call it from
//!    `tokio::task::spawn_blocking`. For any other source, or to see every row as it streams
//!    past, use [`validate_with`]`(reader, settings, |row: RowView| …)`: it calls back once per
//!    data row with borrowed, **unsanitized** cells and that row's findings, and keeps nothing
//!    of the row itself. [`validate`] is the same without a callback.
//! 2. **Database checks** (async): [`check_database`]`(pool, &mut scan.report, &scan.emails,
//!    timeout)` adds `existing_user` / `already_invited` findings, each on the line where the
//!    email first appears, and sets [`Report::database`]; [`check_database_with`] also shows
//!    each finding to a callback, kept or not (the cockpit marks its listed rows with them).
//!    The users query and the invites query each run once and stream; emails are lowercased
//!    in Rust on both sides ([`fold_case`]). Until it runs, the report says the checks were
//!    skipped.
//! 3. **Read the [`Report`]**: `status` (`ok|warn|blocked`, [`Status::exit_code`]), `rows`,
//!    `valid_rows`, `distribution` (label → valid rows), `groups` (group → valid rows),
//!    `thresholds` (the [`CohortSettings`] used: `min_rows`, `groups`, `min_labels`), and
//!    `findings` sorted by line (file-wide ones, `line: None`, first). Each [`Finding`] has
//!    `code`, `severity`, `line`, `email`, `message`, already sanitized. The report keeps at
//!    most [`FINDINGS_KEPT_PER_CODE`] findings of each code (the first by line) and counts the
//!    rest: [`Report::counts`] and the status are exact, `findings_omitted` says what was left
//!    out. Helpers: [`Report::by_code`], [`Report::findings_at`]`(line)` (the kept findings of
//!    a row, with messages; a [`CohortRow`]'s `codes` has all its codes), [`Report::summary_line`],
//!    [`render_text`].
//! 4. **Override** (soft-only reports): [`record_override`]`(journal, report, file, reason)`
//!    writes a `cohort_override` journal line with operator, file, SHA-256, counts and findings.
//!    It refuses a blocked report.
//!
//! # Guarantees
//! Memory is bounded by the map of seen emails (lowercased → first line) plus at most
//! [`FINDINGS_KEPT_PER_CODE`] findings per code;
//! records over [`reader::MAX_RECORD_BYTES`] are skipped without buffering, fields over
//! [`reader::MAX_FIELD_BYTES`] are `ragged_row` findings, files over `[cohort] max_rows` rows
//! are refused. Line numbers are physical lines where a record starts (a quoted field with
//! newlines makes them differ from record numbers). No input makes it panic.
//!
//! # Rules worth knowing
//! Emails are checked as written (a trailing space is malformed) and shown as written (the
//! space as `␠`, see [`as_written`]), duplicates are case-insensitive
//! among well-formed emails, labels are trimmed, groups are lowercased. Distribution counts valid
//! rows only. A duplicated optional column (`name`, `sent_by`) is a `bad_header` too: which one
//! is meant is ambiguous. A non-empty `sent_by` that is neither a `users.id` UUID nor an email
//! is a `bad_sent_by`.

mod cell;
mod collisions;
mod email;
mod finding;
mod kept;
mod load;
mod overrides;
pub mod reader;
mod render;
mod report;
mod seen;
mod settings;
mod validate;

pub use cell::{VISIBLE_SPACE, as_written};
pub use collisions::{
    CollisionError, check_database, check_database_with, checks_deadline, find as find_collisions,
};
pub use email::check as check_email;
pub use finding::{Code, Finding, Severity};
pub use kept::FINDINGS_KEPT_PER_CODE;
pub use load::{CohortRow, LoadedCohort, load_path, open};
pub use overrides::{
    AppliedOverride, OVERRIDE_KIND, OverrideError, apply_override, override_reason, record_override,
};
pub use render::{LINES_PER_CODE, render_text};
pub use report::{CodeFindings, DatabaseChecks, Report, Status};
pub use seen::{SeenEmails, fold_case};
pub use settings::{CohortSettings, group_key};
pub use validate::{
    CohortError, MAX_LABEL_CHARS, MAX_NAME_CHARS, RowView, Scan, group_of, validate, validate_with,
};
