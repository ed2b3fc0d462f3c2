//! `gonogo note` and `gonogo timeline`: the shared journal from the command line. Both need
//! `[postgres]`; `timeline --follow` streams through the same live listener as the cockpit.

use super::{Failure, Outcome, load_config};
use crate::cli::{Cli, NoteArgs, TimelineArgs};
use crate::config::Config;
use crate::db::listen::{self, LiveSignal};
use crate::exit;
use crate::journal::{Entry, Journal, JournalEvent, JournalFilter, display};
use chrono::{DateTime, Utc};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// How often `--follow` reads the journal while live updates are paused.
const FOLLOW_POLL: Duration = Duration::from_secs(2);
/// Lines read per page while following.
const PAGE: i64 = 1_000;

/// The config and this launch's journal, reachable and migrated; `what` names the command for
/// the error that says what to configure.
pub(super) async fn open_journal(cli: &Cli, what: &str) -> Result<(Config, Journal), Failure> {
    open_shared(cli, what)
        .await
        .map(|(loaded, journal)| (loaded.config, journal))
}

/// [`open_journal`], keeping where the config was found (for paths relative to it).
pub(super) async fn open_shared(
    cli: &Cli,
    what: &str,
) -> Result<(crate::config::Loaded, Journal), Failure> {
    let loaded = load_config(cli)?;
    let config = &loaded.config;
    let pg = config.raw.postgres.as_ref().ok_or_else(|| {
        Failure::new(
            exit::CONFIG,
            format!(
                "`gonogo {what}` needs the shared journal: add a [postgres] section with the \
                 database's url to the config, then run `gonogo migrate`"
            ),
        )
    })?;
    let pool = crate::db::pool(&pg.url, crate::db::STATE_ACQUIRE_TIMEOUT)
        .map_err(|e| Failure::new(exit::CONFIG, config.redactor.redact(&e.to_string())))?;
    match crate::db::has_journal(&pool).await {
        Ok(true) => {}
        Ok(false) => {
            return Err(Failure::new(
                exit::CONFIG,
                format!(
                    "the journal does not exist yet in database {}; run `gonogo migrate`",
                    pg.url
                ),
            ));
        }
        Err(e) => {
            return Err(Failure::new(
                exit::UNAVAILABLE,
                format!(
                    "the database is unavailable ({}): {}",
                    pg.url,
                    config.redactor.redact(&e.to_string())
                ),
            ));
        }
    }
    let journal = Journal::new(pool, config.launch().name.0.clone(), cli.operator());
    Ok((loaded, journal))
}

/// `--since`: a duration ago (`8h`, `1h30m`) or an RFC 3339 time; anything else is exit 64
/// naming the value.
pub fn parse_since(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, Failure> {
    crate::config::since("--since", text, now).map_err(Failure::usage)
}

pub async fn note(cli: &Cli, args: &NoteArgs) -> Outcome {
    let text = crate::journal::clean_note(&args.text.join(" "))
        .map_err(|e| Failure::usage(e.to_string()))?;
    let (config, journal) = open_journal(cli, "note").await?;
    let id = journal
        .record_now(JournalEvent::Note { text })
        .await
        .map_err(|e| Failure::db(&config.redactor, &e))?;
    outln!(
        "note recorded in the journal (line {id}) by {}",
        journal.actor()
    );
    Ok(exit::OK)
}

pub async fn timeline(cli: &Cli, args: &TimelineArgs) -> Outcome {
    let since = args
        .since
        .as_deref()
        .map(|s| parse_since(s, Utc::now()))
        .transpose()?;
    let (config, journal) = open_journal(cli, "timeline").await?;
    let filter = JournalFilter {
        since,
        gate: args.gate.clone(),
        kind: args.kind.clone(),
        ..JournalFilter::default()
    };
    let lines = journal
        .read(&filter)
        .await
        .map_err(|e| Failure::db(&config.redactor, &e))?;
    // Following starts after the newest line there is, matching or not.
    let mut last_id = lines.iter().map(|e| e.id).max().unwrap_or(0);
    for entry in &lines {
        if !print_entry(entry, args.json) {
            return Ok(exit::OK);
        }
    }
    if !args.follow {
        return Ok(exit::OK);
    }
    if let Some(newest) = journal
        .recent(1)
        .await
        .map_err(|e| Failure::db(&config.redactor, &e))?
        .first()
    {
        last_id = last_id.max(newest.id);
    }
    follow(&config, &journal, &filter, last_id, args.json).await
}

/// Prints a line; false when stdout is gone (a closed pipe ends `--follow`).
fn print_entry(entry: &Entry, json: bool) -> bool {
    if json {
        match crate::text::to_json_line(&display::json(entry)) {
            Ok(line) => outln!("{line}"),
            Err(_) => true,
        }
    } else {
        outln!("{}", display::line(entry))
    }
}

fn matches(filter: &JournalFilter, entry: &Entry) -> bool {
    filter
        .gate
        .as_ref()
        .is_none_or(|g| entry.gate.as_ref() == Some(g))
        && filter.kind.as_ref().is_none_or(|k| &entry.kind == k)
}

/// Prints every new line until Ctrl-C or SIGTERM: woken by the listener, polling while it is
/// away, always reading after the last id printed so nothing is missed or doubled.
async fn follow(
    config: &Config,
    journal: &Journal,
    filter: &JournalFilter,
    mut last_id: i64,
    json: bool,
) -> Outcome {
    let mut stop = super::watch::StopSignals::new()?;
    let Some(pg) = config.raw.postgres.as_ref() else {
        return Ok(exit::OK);
    };
    let database = crate::db::Database::connect_lazy(&pg.url, crate::db::STATE_ACQUIRE_TIMEOUT)
        .map_err(|e| Failure::new(exit::CONFIG, config.redactor.redact(&e.to_string())))?;
    let (signals_tx, mut signals) = mpsc::unbounded_channel();
    let cancel = CancellationToken::new();
    let redactor = config.redactor.clone();
    let listener = tokio::spawn(listen::run(
        database,
        signals_tx,
        cancel.clone(),
        move |text| redactor.redact(text),
    ));
    let mut live = false;
    let mut gone = false;
    let mut poll = tokio::time::interval(FOLLOW_POLL);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let code = loop {
        if gone {
            break exit::OK;
        }
        let read = tokio::select! {
            _ = stop.recv() => break exit::OK,
            signal = signals.recv() => match signal {
                Some(LiveSignal::Connected) => {
                    if !live {
                        errln!("gonogo: live updates on");
                    }
                    live = true;
                    true
                }
                Some(LiveSignal::Journal { id, .. }) => id.is_none_or(|id| id > last_id),
                Some(LiveSignal::Disconnected(reason)) => {
                    live = false;
                    errln!(
                        "gonogo: live updates paused ({reason}); reading every {}s meanwhile",
                        FOLLOW_POLL.as_secs()
                    );
                    false
                }
                None => break exit::SOFTWARE,
            },
            _ = poll.tick(), if !live => true,
        };
        if !read {
            continue;
        }
        loop {
            match journal.after(last_id, PAGE).await {
                Ok(lines) => {
                    let full = lines.len() as i64 == PAGE;
                    for entry in &lines {
                        last_id = last_id.max(entry.id);
                        if matches(filter, entry) && !print_entry(entry, json) {
                            gone = true;
                        }
                    }
                    if !full {
                        break;
                    }
                }
                Err(e) => {
                    tracing::info!(error = %config.redactor.redact(&e.to_string()), "timeline read failed");
                    break;
                }
            }
        }
    };
    cancel.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(1), listener).await;
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::parse_since;
    use chrono::TimeZone;

    #[test]
    fn since_takes_durations_and_times_and_names_anything_else() {
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 11, 24, 12, 0, 0)
            .unwrap();
        let at = |h, m| chrono::Utc.with_ymd_and_hms(2026, 11, 24, h, m, 0).unwrap();
        assert_eq!(parse_since("8h", now).ok(), Some(at(4, 0)));
        assert_eq!(parse_since("1h30m", now).ok(), Some(at(10, 30)));
        assert_eq!(
            parse_since("2026-11-24T09:00:00Z", now).ok(),
            Some(at(9, 0))
        );
        assert_eq!(
            parse_since("2026-11-24T10:00:00+01:00", now).ok(),
            Some(at(9, 0))
        );
        for bad in ["yesterday", "-5m", "8", "", "2026-11-24", "999999999999h"] {
            let e = parse_since(bad, now).unwrap_err();
            assert_eq!(e.code, crate::exit::USAGE, "{bad}");
            assert!(e.message.contains(&format!("`{bad}`")), "{}", e.message);
        }
    }
}
