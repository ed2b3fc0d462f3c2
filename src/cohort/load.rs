//! Loading a cohort file for the cockpit: the report plus the first rows, owned and sanitized,
//! so a pane can list rows with their findings without holding a million of them.

use super::cell::as_written;
use super::settings::CohortSettings;
use super::validate::{CohortError, Scan, validate_with};
use std::path::Path;

/// One data row, cells sanitized (safe to draw), with the codes of its findings. `email` and
/// `sent_by` are shown as written ([`super::as_written`]: `␠ana@x.com`), as the email rules
/// judged them; `cohort` and `name` are trimmed, as labels are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CohortRow {
    pub line: u64,
    pub email: String,
    pub cohort: String,
    pub name: Option<String>,
    pub sent_by: Option<String>,
    /// Every finding code of this row, sorted (a code twice when it was found twice): the
    /// file's, and the database checks' once they ran ([`CohortRow::add_code`]). Complete even
    /// when the report did not keep the finding itself ([`super::Report::findings_at`] has the
    /// kept ones, with their messages).
    pub codes: Vec<super::Code>,
}

impl CohortRow {
    /// Records one more finding code of this row, in order.
    pub fn add_code(&mut self, code: super::Code) {
        let at = self.codes.partition_point(|c| *c <= code);
        self.codes.insert(at, code);
    }
}

/// A validated file and the first `keep_rows` of its rows.
#[derive(Debug, Clone)]
pub struct LoadedCohort {
    pub path: String,
    pub scan: Scan,
    pub rows: Vec<CohortRow>,
    /// True when the file had more rows than were kept.
    pub rows_truncated: bool,
}

/// Cells longer than this are cut in [`CohortRow`]; the report keeps the findings whole.
const CELL_SHOWN_MAX: usize = 200;

/// Opens, streams and validates a file, keeping at most `keep_rows` rows. Blocking I/O: from
/// async code run it in `tokio::task::spawn_blocking`.
pub fn load_path(
    path: &Path,
    settings: &CohortSettings,
    keep_rows: usize,
) -> Result<LoadedCohort, CohortError> {
    let file = open(path)?;
    let mut rows = Vec::new();
    let mut truncated = false;
    let scan = validate_with(file, settings, |row| {
        if rows.len() >= keep_rows {
            truncated = true;
            return;
        }
        let clean = |s: &str| crate::text::sanitize_short(s, CELL_SHOWN_MAX);
        rows.push(CohortRow {
            line: row.line,
            email: as_written(&row.email, CELL_SHOWN_MAX),
            cohort: clean(&row.cohort),
            name: row.name.as_deref().map(clean),
            sent_by: row
                .sent_by
                .as_deref()
                .map(|s| as_written(s, CELL_SHOWN_MAX)),
            codes: {
                let mut codes: Vec<super::Code> = row.findings.iter().map(|f| f.code).collect();
                codes.sort();
                codes
            },
        });
    })?;
    if !truncated {
        list_unread_records(&mut rows, &scan.report, keep_rows);
    }
    Ok(LoadedCohort {
        path: path.display().to_string(),
        scan,
        rows,
        rows_truncated: truncated,
    })
}

/// Records whose cells could not be read (`ragged_row`, `bad_encoding`) have findings but no
/// cells: listed too, with empty cells and their codes, so every counted finding on a line can
/// be listed and opened. From the kept findings, in line order, up to `keep_rows` rows in all.
fn list_unread_records(rows: &mut Vec<CohortRow>, report: &super::Report, keep_rows: usize) {
    let mut unread: Vec<CohortRow> = Vec::new();
    for finding in &report.findings {
        let Some(line) = finding.line else { continue };
        if rows.binary_search_by_key(&line, |r| r.line).is_ok() {
            continue;
        }
        match unread.last_mut() {
            Some(row) if row.line == line => row.add_code(finding.code),
            _ => unread.push(CohortRow {
                line,
                email: String::new(),
                cohort: String::new(),
                name: None,
                sent_by: None,
                codes: vec![finding.code],
            }),
        }
    }
    let room = keep_rows.saturating_sub(rows.len());
    rows.extend(unread.into_iter().take(room));
    rows.sort_by_key(|r| r.line);
}

/// Opens a cohort file, refusing directories and other non-files with a clear message.
pub fn open(path: &Path) -> Result<std::fs::File, CohortError> {
    let shown = crate::text::sanitize(&path.display().to_string());
    let file = std::fs::File::open(path).map_err(|source| CohortError::Open {
        path: shown.clone(),
        source,
    })?;
    let meta = file.metadata().map_err(|source| CohortError::Open {
        path: shown.clone(),
        source,
    })?;
    if meta.is_dir() {
        return Err(CohortError::Open {
            path: shown,
            source: std::io::Error::other("it is a directory"),
        });
    }
    Ok(file)
}
