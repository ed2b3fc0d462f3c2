//! `gonogo report`: the post-launch report written into a directory, `report.md` and the
//! charts it links, from the shared journal, the decision records and the dispatch ledger.

use super::journal_cmd::{open_journal, parse_since};
use super::{Failure, Outcome};
use crate::cli::{Cli, ReportArgs};
use crate::exit;
use chrono::{DateTime, Utc};
use std::path::Path;

/// Every chart file the report may write: one left out this time is removed, so a directory
/// written twice never links or holds a stale chart.
const CHART_FILES: [&str; 4] = [
    "verdict.svg",
    "gates.svg",
    "dispatch.svg",
    "redemptions.svg",
];

pub async fn run(cli: &Cli, args: &ReportArgs) -> Outcome {
    let now = match args.now.as_deref() {
        Some(text) => DateTime::parse_from_rfc3339(text.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| Failure::usage(format!("--now {text:?} is not an RFC 3339 time: {e}")))?,
        None => Utc::now(),
    };
    let since = args
        .since
        .as_deref()
        .map(|s| parse_since(s, now))
        .transpose()?;
    if since.is_some_and(|s| s > now) {
        return Err(Failure::usage(format!(
            "--since {:?} is in the future: the report covers a period up to now",
            args.since.as_deref().unwrap_or_default()
        )));
    }
    // Before any database work: a directory that cannot be written fails first.
    writable(&args.out).await?;
    let (config, journal) = open_journal(cli, "report").await?;
    let report = crate::report::gather(&journal, &config, since, now)
        .await
        .map_err(|e| Failure::db(&config.redactor, &e))?;
    let clean = crate::report::Clean::new(report.known.iter().map(String::as_str));
    let charts = crate::report::charts(&report, &clean)
        .map_err(|e| Failure::new(exit::SOFTWARE, format!("cannot draw {e}")))?;
    let markdown = crate::report::markdown(&report, &charts, &clean);
    for chart in charts.all() {
        write(&args.out, chart.file, &chart.svg).await?;
    }
    for file in CHART_FILES {
        if !charts.all().any(|c| c.file == file) {
            remove(&args.out, file).await?;
        }
    }
    write(&args.out, "report.md", &markdown).await?;
    errln!(
        "report written to {} ({})",
        args.out.join("report.md").display(),
        crate::plural::count(charts.all().count() as u64, "chart")
    );
    Ok(exit::OK)
}

fn out_error(dir: &Path, e: &std::io::Error) -> Failure {
    Failure::new(
        exit::IO,
        format!(
            "--out {}: cannot write the report there: {e}",
            crate::text::sanitize(&dir.display().to_string())
        ),
    )
}

/// Creates `dir` if needed and proves a file can be written in it.
async fn writable(dir: &Path) -> Result<(), Failure> {
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| out_error(dir, &e))?;
    let probe = dir.join(".gonogo-report-probe");
    tokio::fs::write(&probe, b"")
        .await
        .map_err(|e| out_error(dir, &e))?;
    tokio::fs::remove_file(&probe)
        .await
        .map_err(|e| out_error(dir, &e))
}

async fn write(dir: &Path, file: &str, text: &str) -> Result<(), Failure> {
    tokio::fs::write(dir.join(file), text)
        .await
        .map_err(|e| out_error(dir, &e))
}

async fn remove(dir: &Path, file: &str) -> Result<(), Failure> {
    match tokio::fs::remove_file(dir.join(file)).await {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(out_error(dir, &e)),
        _ => Ok(()),
    }
}
