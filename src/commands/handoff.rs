//! `gonogo handoff`: the shift report on stdout or in a file, as Markdown or JSON; `--take-over`
//! then records that this operator takes over the shift.

use super::journal_cmd::{open_journal, parse_since};
use super::{Failure, Outcome};
use crate::cli::{Cli, HandoffArgs, ReportFormat};
use crate::exit;
use crate::journal::JournalEvent;
use chrono::Utc;

pub async fn run(cli: &Cli, args: &HandoffArgs) -> Outcome {
    let now = Utc::now();
    let since = args
        .since
        .as_deref()
        .map(|s| parse_since(s, now))
        .transpose()?;
    let (config, journal) = open_journal(cli, "handoff").await?;
    let report = crate::handoff::gather(&journal, &config, since, now)
        .await
        .map_err(|e| Failure::db(&config.redactor, &e))?;
    let text = match args.format {
        ReportFormat::Markdown => crate::handoff::markdown(&report),
        ReportFormat::Json => {
            let mut json = crate::text::to_json_pretty(&report)
                .map_err(|e| Failure::new(exit::SOFTWARE, e.to_string()))?;
            json.push('\n');
            json
        }
    };
    match &args.out {
        Some(path) => {
            tokio::fs::write(path, &text).await.map_err(|e| {
                Failure::new(exit::IO, format!("cannot write {}: {e}", path.display()))
            })?;
            errln!("handoff report written to {}", path.display());
        }
        None => {
            out!("{text}");
        }
    }
    if args.take_over {
        let previous = report.on_shift.as_ref();
        let event = JournalEvent::ShiftTakeover {
            from: previous.map(|s| s.operator.clone()),
            from_since: previous.map(|s| s.since),
        };
        let line = event.summary(journal.actor());
        journal
            .record_now(event)
            .await
            .map_err(|e| Failure::db(&config.redactor, &e))?;
        errln!("{line}");
    }
    Ok(exit::OK)
}
