//! The streaming validator: header, then every record once, in bounded memory (the only state
//! that grows is the map of seen emails, lowercased, to the line where each first appeared;
//! findings are counted, and kept only up to a cap per code).

use super::email;
use super::finding::{Code, Finding};
use super::kept::FindingStore;
use super::reader::{Fields, Record, RecordReader};
use super::report::Report;
use super::seen::SeenEmails;
use super::settings::{CohortSettings, group_key};
use std::borrow::Cow;
use std::io::Read;

/// A cohort label longer than this (in characters) is refused: `beta_invites.cohort VARCHAR(64)`.
pub const MAX_LABEL_CHARS: usize = 64;
/// A recipient name longer than this (in characters) is a finding and is cut to it.
pub const MAX_NAME_CHARS: usize = 200;
/// After this many lines that are not UTF-8 the file is clearly not UTF-8 text: stop reading.
const MAX_ENCODING_FINDINGS: usize = 1000;

#[derive(Debug, thiserror::Error)]
pub enum CohortError {
    #[error("cannot open {path}: {source}")]
    Open {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot read the cohort file: {0}")]
    Read(#[from] std::io::Error),
    #[error(
        "the file has more than {limit} rows (line {line}); raise [cohort] max_rows if this is really a cohort"
    )]
    TooManyRows { limit: u64, line: u64 },
}

/// One data row as it streams past, with its findings. Cells are the file's text, untrusted:
/// pass them through [`crate::text::sanitize`] before showing them.
#[derive(Debug)]
pub struct RowView<'a> {
    pub line: u64,
    pub email: Cow<'a, str>,
    pub cohort: Cow<'a, str>,
    pub name: Option<Cow<'a, str>>,
    pub sent_by: Option<Cow<'a, str>>,
    /// Findings of this row from the file itself (database findings come later, by line).
    pub findings: &'a [Finding],
}

/// What one pass over the file produced: the report and the emails for the database checks.
#[derive(Debug, Clone)]
pub struct Scan {
    pub report: Report,
    pub emails: SeenEmails,
}

struct Columns {
    count: usize,
    email: usize,
    cohort: usize,
    name: Option<usize>,
    sent_by: Option<usize>,
}

/// Validates a cohort CSV from any reader, calling `on_row` for every data row that has fields
/// (oversized records are findings only). Runs synchronously: from async code, call it inside
/// `tokio::task::spawn_blocking`.
pub fn validate_with<R: Read>(
    input: R,
    settings: &CohortSettings,
    mut on_row: impl FnMut(RowView<'_>),
) -> Result<Scan, CohortError> {
    let mut reader = RecordReader::new(input);
    let mut report = Report::new(settings.clone());
    let mut findings = FindingStore::default();
    let mut emails = SeenEmails::default();
    let columns = match reader.next_record()? {
        None => {
            findings.push(Finding::file(
                Code::EmptyFile,
                "the file is empty: it needs a header (email,cohort) and rows",
            ));
            None
        }
        Some(Record::Oversized { line, reason }) => {
            findings.push(Finding::at(
                Code::BadHeader,
                line,
                None,
                &format!("the header cannot be read: {reason}"),
            ));
            None
        }
        Some(Record::Fields(fields)) => header(&fields, &mut findings),
    };
    if let Some(columns) = columns {
        let complete = rows(
            &mut reader,
            &columns,
            settings,
            &mut report,
            &mut findings,
            &mut emails,
            &mut on_row,
        )?;
        if complete && report.rows == 0 {
            findings.push(Finding::file(
                Code::EmptyFile,
                "the file has a header but no rows",
            ));
        } else if complete {
            for finding in report.threshold_findings() {
                findings.push(finding);
            }
        }
    }
    report.sha256 = reader.sha256();
    report.bytes = reader.bytes();
    report.set_findings(findings);
    Ok(Scan { report, emails })
}

/// Validates without looking at rows: the headless command's path.
pub fn validate<R: Read>(input: R, settings: &CohortSettings) -> Result<Scan, CohortError> {
    validate_with(input, settings, |_| {})
}

fn header(fields: &Fields<'_>, findings: &mut FindingStore) -> Option<Columns> {
    let line = fields.line;
    let mut names = Vec::with_capacity(fields.len());
    for raw in fields.iter() {
        match std::str::from_utf8(raw) {
            Ok(text) if !text.contains('\0') => names.push(text.trim().to_lowercase()),
            _ => {
                findings.push(Finding::at(
                    Code::BadEncoding,
                    line,
                    None,
                    "the header is not UTF-8 text (a UTF-16 or binary file?); save the file as UTF-8 CSV",
                ));
                return None;
            }
        }
    }
    let find = |wanted: &str| -> Vec<usize> {
        names
            .iter()
            .enumerate()
            .filter(|(_, n)| n.as_str() == wanted)
            .map(|(i, _)| i)
            .collect()
    };
    let mut ok = true;
    let mut single = |wanted: &str, required: bool, findings: &mut FindingStore| {
        let found = find(wanted);
        match found.as_slice() {
            [] if required => {
                ok = false;
                findings.push(Finding::at(
                    Code::BadHeader,
                    line,
                    None,
                    &format!(
                        "required column `{wanted}` is missing (header: {})",
                        names.join(",")
                    ),
                ));
                None
            }
            [] => None,
            [one] => Some(*one),
            [_, ..] => {
                ok = false;
                findings.push(Finding::at(
                    Code::BadHeader,
                    line,
                    None,
                    &format!("column `{wanted}` appears {} times", found.len()),
                ));
                None
            }
        }
    };
    let email = single("email", true, findings);
    let cohort = single("cohort", true, findings);
    let name = single("name", false, findings);
    let sent_by = single("sent_by", false, findings);
    for (i, n) in names.iter().enumerate() {
        if !matches!(n.as_str(), "email" | "cohort" | "name" | "sent_by") {
            let what = if n.is_empty() {
                format!("column {} has no name; it is ignored", i + 1)
            } else {
                format!("unknown column `{n}` is ignored (known: email, cohort, sent_by, name)")
            };
            findings.push(Finding::at(Code::UnknownColumn, line, None, &what));
        }
    }
    match (ok, email, cohort) {
        (true, Some(email), Some(cohort)) => Some(Columns {
            count: names.len(),
            email,
            cohort,
            name,
            sent_by,
        }),
        _ => None,
    }
}

/// Reads every data row; returns whether the whole file was read.
fn rows<R: Read>(
    reader: &mut RecordReader<R>,
    columns: &Columns,
    settings: &CohortSettings,
    report: &mut Report,
    findings: &mut FindingStore,
    emails: &mut SeenEmails,
    on_row: &mut impl FnMut(RowView<'_>),
) -> Result<bool, CohortError> {
    let mut row_findings: Vec<Finding> = Vec::new();
    let mut encoding_findings = 0usize;
    while let Some(record) = reader.next_record()? {
        report.rows += 1;
        let fields = match record {
            Record::Oversized { line, reason } => {
                if report.rows > settings.max_rows {
                    return Err(CohortError::TooManyRows {
                        limit: settings.max_rows,
                        line,
                    });
                }
                findings.push(Finding::at(Code::RaggedRow, line, None, &reason));
                continue;
            }
            Record::Fields(fields) => fields,
        };
        let line = fields.line;
        if report.rows > settings.max_rows {
            return Err(CohortError::TooManyRows {
                limit: settings.max_rows,
                line,
            });
        }
        if fields.len() != columns.count {
            findings.push(Finding::at(
                Code::RaggedRow,
                line,
                None,
                &format!(
                    "{}, the header has {} (an unquoted comma?)",
                    crate::plural::count(fields.len() as u64, "field"),
                    columns.count
                ),
            ));
            continue;
        }
        let Some(cells) = decode(&fields, columns) else {
            encoding_findings += 1;
            findings.push(Finding::at(
                Code::BadEncoding,
                line,
                None,
                "the line is not UTF-8 text or holds a NUL byte",
            ));
            if encoding_findings >= MAX_ENCODING_FINDINGS {
                findings.push(Finding::file(
                    Code::BadEncoding,
                    &format!(
                        "stopped reading after {MAX_ENCODING_FINDINGS} lines that are not UTF-8 text; save the file as UTF-8 CSV"
                    ),
                ));
                return Ok(false);
            }
            continue;
        };
        row_findings.clear();
        check_row(
            line,
            cells.email,
            cells.cohort.trim(),
            cells.sent_by,
            emails,
            &mut row_findings,
        );
        if row_findings.is_empty() {
            report.valid_rows += 1;
            count(report, cells.cohort.trim());
        }
        // After the count: a long name is sent (cut), so the row still counts as valid.
        if let Some(found) = long_name(line, cells.email, cells.name) {
            row_findings.push(found);
        }
        on_row(RowView {
            line,
            email: Cow::Borrowed(cells.email),
            cohort: Cow::Borrowed(cells.cohort),
            name: cells.name.map(Cow::Borrowed),
            sent_by: cells.sent_by.map(Cow::Borrowed),
            findings: &row_findings,
        });
        for finding in row_findings.drain(..) {
            findings.push(finding);
        }
    }
    Ok(true)
}

/// The cells gonogo reads, as text.
struct Cells<'a> {
    email: &'a str,
    cohort: &'a str,
    name: Option<&'a str>,
    sent_by: Option<&'a str>,
}

/// Checks every field is UTF-8 without NUL (each validated once) and returns the known cells;
/// `None` when the line is not clean text.
fn decode<'a>(fields: &Fields<'a>, columns: &Columns) -> Option<Cells<'a>> {
    let (mut email, mut cohort, mut name, mut sent_by) = ("", "", None, None);
    for (i, raw) in fields.iter().enumerate() {
        if memchr::memchr(0, raw).is_some() {
            return None;
        }
        let text = std::str::from_utf8(raw).ok()?;
        if i == columns.email {
            email = text;
        } else if i == columns.cohort {
            cohort = text;
        } else if Some(i) == columns.name {
            name = Some(text);
        } else if Some(i) == columns.sent_by {
            sent_by = Some(text);
        }
    }
    Some(Cells {
        email,
        cohort,
        name,
        sent_by,
    })
}

fn check_row(
    line: u64,
    email: &str,
    cohort: &str,
    sent_by: Option<&str>,
    emails: &mut SeenEmails,
    findings: &mut Vec<Finding>,
) {
    match email::check(email) {
        Err(why) => findings.push(Finding::at(Code::MalformedEmail, line, Some(email), &why)),
        Ok(()) => {
            if let Some(first) = emails.insert(email, line) {
                findings.push(Finding::at(
                    Code::DuplicateEmail,
                    line,
                    Some(email),
                    &format!("duplicate of line {first}"),
                ));
            }
        }
    }
    if cohort.is_empty() {
        findings.push(Finding::at(
            Code::MissingCohort,
            line,
            Some(email),
            "no cohort label",
        ));
    } else if crate::text::has_control(cohort) {
        findings.push(Finding::at(
            Code::BadCohortLabel,
            line,
            Some(email),
            "cohort label contains control characters",
        ));
    } else if cohort.len() > MAX_LABEL_CHARS && cohort.chars().count() > MAX_LABEL_CHARS {
        findings.push(Finding::at(
            Code::BadCohortLabel,
            line,
            Some(email),
            &format!("cohort label is over {MAX_LABEL_CHARS} characters"),
        ));
    }
    if let Some(sender) = sent_by.filter(|s| !s.is_empty())
        && let Err(why) = check_sender(sender)
    {
        findings.push(Finding::at(
            Code::BadSentBy,
            line,
            Some(email),
            &format!("sent_by `{}`: {why}", super::cell::as_written(sender, 80)),
        ));
    }
}

/// A `sent_by` cell holds what `beta_invites.sent_by` holds, a `users.id` UUID, or the email of
/// a user (resolved to its id when invites are prepared).
fn check_sender(sender: &str) -> Result<(), String> {
    if sqlx::types::Uuid::try_parse(sender).is_ok() {
        return Ok(());
    }
    if sender.contains('@') {
        return email::check(sender).map_err(|why| format!("not a valid email: {why}"));
    }
    Err("neither a users.id UUID nor a user's email".into())
}

/// A `name` over [`MAX_NAME_CHARS`]: soft, as the message goes out with the name cut there
/// (a header line stays far below the 998-octet limit however the name is encoded).
fn long_name(line: u64, email: &str, name: Option<&str>) -> Option<Finding> {
    let chars = name?.trim().chars().count();
    (chars > MAX_NAME_CHARS).then(|| {
        Finding::at(
            Code::LongName,
            line,
            Some(email),
            &format!(
                "the name is {chars} characters; messages address it by its first {MAX_NAME_CHARS}"
            ),
        )
    })
}

/// The group of a label: the part before the first `-`, as [`group_key`] names it.
pub fn group_of(label: &str) -> Cow<'_, str> {
    group_key(label.split('-').next().unwrap_or(label))
}

fn count(report: &mut Report, label: &str) {
    match report.distribution.get_mut(label) {
        Some(n) => *n += 1,
        None => {
            report.distribution.insert(label.to_owned(), 1);
        }
    }
    let group = group_of(label);
    match report.groups.get_mut(group.as_ref()) {
        Some(n) => *n += 1,
        None => {
            report.groups.insert(group.into_owned(), 1);
        }
    }
}
