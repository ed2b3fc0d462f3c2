//! `gonogo check`: every gate once (or `--watch`), a line per gate and the verdict, or JSON.
//! Transitions go to the journal when a database is configured.

use super::watch::{StopSignals, Watch};
use super::{Failure, Outcome, load_config};
use crate::cli::{CheckArgs, Cli};
use crate::clock::Clock;
use crate::clock::rfc3339;
use crate::config::Config;
use crate::gate::{Board, GateSpec, GateStatus, Transition, Verdict};
use crate::journal::{Backlog, FlushError, Journal};
use crate::metrics::Listener;
use crate::source::Sources;
use crate::text::Redactor;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::time::Duration;

/// Journal writes never hold up the verdict longer than this.
const JOURNAL_BUDGET: Duration = Duration::from_secs(3);

pub async fn run(cli: &Cli, args: &CheckArgs) -> Outcome {
    let watch = args.watch || std::env::var("LOOP").is_ok_and(|v| v == "1");
    if args.interval.is_some() && !watch {
        // A script asking for one pass must not be turned into an endless watch.
        return Err(Failure::usage(
            "--interval sets the pace of --watch; add --watch (or LOOP=1), or drop --interval \
             for a single pass",
        ));
    }
    let every = match watch {
        true => watch_interval(args.interval)?.map(Duration::from_secs),
        false => None,
    };
    if args.metrics.is_some() && !watch {
        return Err(Failure::usage(
            "--metrics serves the gates while they are watched; add --watch (or LOOP=1)",
        ));
    }
    let loaded = load_config(cli)?;
    let config = loaded.config;
    let gates = select_gates(&config, &args.gates)?;
    let metrics = metrics_listener(args)?;
    let sources = Sources::new(&config)?;
    let journal = match args.no_journal {
        false => sources.journal(&config.launch().name.0, &cli.operator()),
        true => None,
    };
    if watch {
        let watched = Watched {
            every,
            json: args.json,
            metrics,
        };
        return watch_loop(&config, &gates, sources, journal, watched).await;
    }
    let clock = Clock::System;
    let mut board = Board::new(&gates, clock.now());
    let mut transitions = Vec::new();
    // A signal drops the checks in flight, and with them their commands' process groups.
    let mut stop = StopSignals::new()?;
    let results = tokio::select! {
        results = crate::monitor::run_once(&sources, &gates, &clock) => results,
        code = stop.received() => {
            return Err(Failure::new(code, "interrupted before every gate was checked"));
        }
    };
    for result in results {
        transitions.extend(board.apply(result));
    }
    let checked_at = clock.now();
    let journal_note = match config.launch().read_only {
        true => Some("journal: not recorded ([launch] read_only = true)".to_owned()),
        false => record(journal.as_ref(), transitions, &config.redactor).await,
    };
    let unchecked = nothing_required(&config, &gates);
    if args.json {
        print_json(&board, checked_at, unchecked.as_deref());
    } else {
        print_table(&board);
        if let Some(note) = journal_note {
            outln!("{note}");
        }
        if let Some(why) = &unchecked {
            outln!("nothing required was checked: {why}");
        }
        outln!("VERDICT: {}", board.verdict());
    }
    Ok(board.verdict().exit_code())
}

/// `--interval`, else `$CHECK_INTERVAL`, checked like the flag.
fn watch_interval(flag: Option<u64>) -> Result<Option<u64>, Failure> {
    if flag.is_some() {
        return Ok(flag);
    }
    match std::env::var("CHECK_INTERVAL") {
        Ok(text) if !text.trim().is_empty() => crate::cli::parse_interval(&text)
            .map(Some)
            .map_err(|why| Failure::usage(format!("CHECK_INTERVAL: {why}"))),
        _ => Ok(None),
    }
}

/// `--metrics`, bound now so a taken port is said before anything is watched; an address
/// other than loopback needs `--metrics-public`.
fn metrics_listener(args: &CheckArgs) -> Result<Option<Listener>, Failure> {
    let Some(addr) = args.metrics else {
        return Ok(None);
    };
    crate::metrics::check_listen(addr, args.metrics_public, "--metrics-public")
        .map_err(|why| Failure::usage(format!("--metrics: {why}")))?;
    Listener::bind(addr)
        .map(Some)
        .map_err(|e| Failure::new(crate::exit::UNAVAILABLE, e.to_string()))
}

/// How the watch runs: its pace, its output, and the metrics endpoint it serves.
struct Watched {
    every: Option<Duration>,
    json: bool,
    metrics: Option<Listener>,
}

/// Why a pass over `gates` cannot decide anything, when none of them is required: the verdict
/// is then UNKNOWN (exit 2), never a GO that rests on no check. `config check` says the same.
pub(crate) fn nothing_required(config: &Config, gates: &[GateSpec]) -> Option<String> {
    if gates.iter().any(|g| g.required) {
        return None;
    }
    Some(if config.gates.is_empty() {
        "the config defines no [[gate]]".to_owned()
    } else if gates.len() == config.gates.len() {
        "every gate in the config is informational (required = false)".to_owned()
    } else {
        "the selected gates are informational (required = false)".to_owned()
    })
}

fn select_gates(config: &Config, wanted: &[String]) -> Result<Vec<GateSpec>, Failure> {
    if wanted.is_empty() {
        return Ok(config.gates.clone());
    }
    wanted
        .iter()
        .map(|id| {
            config.gate(id).cloned().ok_or_else(|| {
                let known: Vec<&str> = config.gates.iter().map(|g| g.id.as_str()).collect();
                Failure::usage(format!(
                    "no gate `{}`; known gates: {}",
                    crate::text::sanitize(id),
                    known.join(", ")
                ))
            })
        })
        .collect()
}

/// Records one pass's transitions through the same [`Backlog`] the watch and the cockpit use;
/// returns a note for the operator when the journal could not take them (a single pass keeps
/// nothing to retry, so the note says they were not recorded).
async fn record(
    journal: Option<&Journal>,
    transitions: Vec<Transition>,
    redactor: &Redactor,
) -> Option<String> {
    let journal = journal?;
    let mut backlog = Backlog::default();
    backlog.push(transitions);
    match backlog.flush(journal, JOURNAL_BUDGET).await {
        Ok(_) => None,
        Err(FlushError::Missing { .. }) => {
            Some("journal: not recorded (run `gonogo migrate` to create it)".into())
        }
        Err(FlushError::TimedOut { .. }) => {
            Some("journal: not recorded (the database did not answer in time)".into())
        }
        Err(FlushError::Failed { reason, .. }) => {
            let reason = redactor.redact(&reason);
            tracing::warn!(error = %reason, "journal write failed");
            Some(format!("journal: not recorded ({reason})"))
        }
        Err(e @ FlushError::GaveUp { .. }) => Some(format!("journal: not recorded ({e})")),
    }
}

async fn watch_loop(
    config: &Config,
    gates: &[GateSpec],
    sources: Sources,
    journal: Option<Journal>,
    watched: Watched,
) -> Outcome {
    let Watched {
        every,
        json,
        metrics,
    } = watched;
    // Registered before the first poll, so an early signal is not lost.
    let mut stop = StopSignals::new()?;
    if !json {
        outln!(
            "watching {} of {} (Ctrl-C to stop)",
            crate::plural::count(gates.len() as u64, "gate"),
            crate::text::sanitize(&config.launch().name.0)
        );
        if let Some(why) = nothing_required(config, gates) {
            outln!("nothing required is watched: {why}; the verdict stays UNKNOWN");
        }
    }
    let mut watch = Watch::start(config, gates, sources, journal, every, json, metrics)
        .map_err(|e| Failure::new(crate::exit::UNAVAILABLE, e.to_string()))?;
    loop {
        let step = tokio::select! {
            step = watch.next() => step,
            () = stop.recv() => break,
        };
        // Nobody reads any more (a closed pipe, a terminal gone): stop as on a signal.
        if !watch.report(step) {
            break;
        }
    }
    Ok(watch.finish().await.exit_code())
}

/// Prints one transition; false when stdout is gone.
pub(crate) fn print_transition(t: &Transition, json: bool) -> bool {
    if json {
        let line = serde_json::json!({
            "gate": t.gate, "at": rfc3339(t.at), "from": t.from, "to": t.to,
            "value": t.value, "error": t.error,
        });
        return outln!("{}", crate::text::to_json_line(&line).unwrap_or_default());
    }
    let reason = t
        .error
        .as_deref()
        .map(|e| format!(" — {e}"))
        .unwrap_or_default();
    let change = if t.from == t.to {
        format!("first check: {}", t.to)
    } else {
        format!("{} → {}", t.from, t.to)
    };
    outln!(
        "{} {} {}: {change} ({}){reason}",
        rfc3339(t.at),
        t.to.symbol(),
        crate::text::sanitize(&t.title),
        t.value_text
    )
}

fn print_table(board: &Board) {
    let width = board
        .gates()
        .iter()
        .map(|g| g.title.chars().count())
        .max()
        .unwrap_or(0);
    let value_width = board
        .gates()
        .iter()
        .map(|g| g.value_text().chars().count())
        .max()
        .unwrap_or(0);
    for g in board.gates() {
        let note = note(g);
        let optional = if g.required { "" } else { " (informational)" };
        outln!(
            "{} {:<width$}  {:>value_width$}  {:<10}{}{optional}",
            g.state.symbol(),
            crate::text::sanitize(&g.title),
            g.value_text(),
            g.condition.to_string(),
            note.map(|n| format!("  {n}")).unwrap_or_default(),
        );
    }
}

fn note(g: &GateStatus) -> Option<String> {
    match (&g.error, &g.detail) {
        (Some(e), _) => Some(e.clone()),
        (None, Some(d)) if g.state == crate::gate::GateState::Pending => {
            Some(format!("pending ({d})"))
        }
        (None, _) if g.state == crate::gate::GateState::Pending => {
            Some("pending: failing, not yet for long enough".into())
        }
        (None, Some(d)) => Some(d.clone()),
        (None, None) => None,
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    verdict: Verdict,
    checked_at: String,
    gates: Vec<JsonGate<'a>>,
    /// Only when no required gate was checked: why the verdict is UNKNOWN.
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

#[derive(Serialize)]
struct JsonGate<'a> {
    id: &'a str,
    title: &'a str,
    state: crate::gate::GateState,
    value: Option<&'a crate::gate::Value>,
    value_text: String,
    condition: String,
    detail: Option<&'a str>,
    error: Option<&'a str>,
    observed_at: Option<String>,
    required: bool,
}

fn print_json(board: &Board, checked_at: DateTime<Utc>, unchecked: Option<&str>) {
    let report = JsonReport {
        note: unchecked.map(|why| format!("nothing required was checked: {why}")),
        verdict: board.verdict(),
        checked_at: rfc3339(checked_at),
        gates: board
            .gates()
            .iter()
            .map(|g| JsonGate {
                id: &g.id,
                title: &g.title,
                state: g.state,
                // NaN and infinities are not JSON numbers: the text form carries them.
                value: g.value.as_ref().filter(|v| {
                    v.as_number().is_none_or(f64::is_finite)
                        || matches!(v, crate::gate::Value::Text(_))
                }),
                value_text: g.value_text(),
                condition: g.condition.to_string(),
                detail: g.detail.as_deref(),
                error: g.error.as_deref(),
                observed_at: g.observed_at.map(rfc3339),
                required: g.required,
            })
            .collect(),
    };
    match crate::text::to_json_pretty(&report) {
        Ok(text) => outln!("{text}"),
        Err(e) => errln!("error: cannot render JSON: {e}"),
    };
}
