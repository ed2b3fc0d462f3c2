//! `gonogo alerts test` and `gonogo alerts list`: one test alert through the same claim,
//! signing, retries and journal as real ones, and what was sent for this launch.

use super::journal_cmd::{open_journal, parse_since};
use super::{Failure, Outcome, load_config};
use crate::alerts::{AlertLine, DeliveryOutcome, Engine, Severity, Trigger, Webhook, context};
use crate::alerts::{AlertRow, AlertStore, Claim};
use crate::cli::{AlertsCommand, AlertsListArgs, AlertsTestArgs, Cli};
use crate::exit;
use crate::journal::{Journal, JournalEvent};
use chrono::Utc;
use std::time::Duration;

/// The most the database may take for one call before the test goes on without it.
const DB_BUDGET: Duration = Duration::from_secs(5);

pub async fn run(cli: &Cli, command: &AlertsCommand) -> Outcome {
    match command {
        AlertsCommand::Test(args) => test(cli, args).await,
        AlertsCommand::List(args) => list(cli, args).await,
    }
}

async fn test(cli: &Cli, args: &AlertsTestArgs) -> Outcome {
    let config = load_config(cli)?.config;
    let redactor = config.redactor.clone();
    let webhook = Webhook::from_config(&config.raw.alerts, &redactor)
        .map_err(|e| Failure::new(exit::SOFTWARE, redactor.redact(&e)))?
        .ok_or_else(|| {
            Failure::new(
                exit::CONFIG,
                "no webhook to test: set [alerts] webhook_url in the config \
                 (e.g. webhook_url = \"${OPS_ALERT_WEBHOOK_URL}\")",
            )
        })?
        .with_timing(
            Duration::from_secs(1),
            args.within,
            crate::alerts::ATTEMPT_TIMEOUT,
        );
    let operator = cli.operator();
    let journal = reachable_journal(cli, &config).await;
    let mut engine = Engine::new(
        context(&config, "alerts test", &operator),
        Duration::ZERO,
        Severity::Info,
    );
    let now = Utc::now();
    engine.raise(
        Trigger::Test {
            severity: args.severity,
            by: crate::text::sanitize(&operator),
        },
        now,
    );
    let Some(mut alert) = engine.flush(now).pop() else {
        return Err(Failure::new(exit::SOFTWARE, "the test alert was not built"));
    };
    // Each test is its own subject: two operators testing at once both get through.
    alert.subject = format!("test:{}", &alert.id[..8]);
    let origin = engine.context().origin.clone();
    let mut coordinated = false;
    if let Some(journal) = &journal {
        if let Ok(Ok(Some(entry))) = tokio::time::timeout(DB_BUDGET, journal.on_shift()).await {
            let on_shift = crate::text::sanitize(&entry.actor);
            alert.metadata.insert("on_shift".into(), on_shift.into());
        }
        let store = AlertStore::new(journal.pool().clone(), journal.launch());
        // Held for the whole test, which renews nothing: no cockpit takes it over meanwhile.
        let lease = args.within + crate::alerts::ATTEMPT_TIMEOUT + DB_BUDGET;
        let claim = tokio::time::timeout(
            DB_BUDGET,
            store.claim(&mut alert, &origin, Duration::ZERO, lease),
        );
        coordinated = matches!(claim.await, Ok(Ok(Claim::Claimed)));
    }
    alert
        .metadata
        .insert("coordinated".into(), coordinated.into());
    let line = AlertLine::of(&alert, coordinated, Some(webhook.receiver().to_owned()));
    if let Some(journal) = &journal {
        journal
            .record_now(JournalEvent::Alert(line))
            .await
            .map_err(|e| Failure::db(&config.redactor, &e))?;
    }
    outln!(
        "sending test alert {} ({}, {} format) to {} …",
        alert.id,
        alert.severity,
        format_name(webhook.format()),
        webhook.receiver()
    );
    let delivery = webhook.deliver(&alert).await;
    if let Some(journal) = &journal {
        if coordinated {
            let store = AlertStore::new(journal.pool().clone(), journal.launch());
            let _ = tokio::time::timeout(DB_BUDGET, store.finish(&delivery)).await;
        }
        journal
            .record_now(JournalEvent::AlertDelivery(delivery.clone()))
            .await
            .map_err(|e| Failure::db(&config.redactor, &e))?;
    }
    let status = delivery
        .status
        .map_or("no answer".to_owned(), |s| format!("HTTP {s}"));
    outln!(
        "receiver answered: {status} after {} in {} ms",
        crate::plural::count(u64::from(delivery.attempts), "attempt"),
        delivery.took_ms
    );
    if !delivery.answer.is_empty() {
        outln!("answer: {}", redactor.redact(&delivery.answer));
    }
    match delivery.outcome {
        DeliveryOutcome::Delivered => {
            let signed = if config.raw.alerts.signing_secret.is_some() {
                "signed"
            } else {
                "unsigned (no signing_secret)"
            };
            outln!("delivered, {signed}");
            Ok(exit::OK)
        }
        DeliveryOutcome::GaveUp | DeliveryOutcome::Failed => Err(Failure::new(
            exit::UNAVAILABLE,
            format!(
                "the test alert was not delivered: {}",
                redactor.redact(&delivery.reason)
            ),
        )),
    }
}

/// The journal when `[postgres]` is configured and reachable; otherwise the test goes on
/// without it and says so.
async fn reachable_journal(cli: &Cli, config: &crate::config::Config) -> Option<Journal> {
    let pg = config.raw.postgres.as_ref()?;
    let pool = crate::db::pool(&pg.url, DB_BUDGET).ok()?;
    match tokio::time::timeout(DB_BUDGET, crate::db::has_journal(&pool)).await {
        Ok(Ok(true)) => Some(Journal::new(
            pool,
            config.launch().name.0.clone(),
            cli.operator(),
        )),
        Ok(Ok(false)) => {
            errln!("note: the journal does not exist yet (run `gonogo migrate`); not recorded");
            None
        }
        _ => {
            errln!("note: the database is unavailable; the test alert is sent but not recorded");
            None
        }
    }
}

fn format_name(format: crate::alerts::Format) -> &'static str {
    match format {
        crate::alerts::Format::Json => "json",
        crate::alerts::Format::Slack => "slack",
        crate::alerts::Format::Discord => "discord",
    }
}

async fn list(cli: &Cli, args: &AlertsListArgs) -> Outcome {
    let since = args
        .since
        .as_deref()
        .map(|s| parse_since(s, Utc::now()))
        .transpose()?;
    let (config, journal) = open_journal(cli, "alerts list").await?;
    let store = AlertStore::new(journal.pool().clone(), journal.launch());
    let rows = store
        .list(since)
        .await
        .map_err(|e| Failure::db(&config.redactor, &e))?;
    if !args.json && rows.is_empty() {
        outln!(
            "no alerts for this launch{}",
            if since.is_some() {
                " in that period"
            } else {
                ""
            }
        );
    }
    for row in &rows {
        let written = if args.json {
            let value = serde_json::to_value(row).unwrap_or_default();
            outln!("{}", crate::text::to_json_line(&value).unwrap_or_default())
        } else {
            outln!("{}", text_line(row))
        };
        if !written {
            break;
        }
    }
    Ok(exit::OK)
}

/// `2026-12-01T12:00:00Z  critical  delivered (HTTP 200, 1 attempt)  Veza: … — alice@host`.
fn text_line(row: &AlertRow) -> String {
    let delivery = match row.delivery.as_deref() {
        None => "sending".to_owned(),
        Some("none") => "no webhook".to_owned(),
        Some(outcome) => {
            let status = row
                .http_status
                .map_or(String::new(), |s| format!("HTTP {s}, "));
            format!(
                "{} ({status}{})",
                outcome.replace('_', " "),
                crate::plural::count(u64::try_from(row.attempts).unwrap_or(0), "attempt")
            )
        }
    };
    let clean = crate::text::sanitize;
    let by = match row.holder.as_deref() {
        Some(holder) if holder != row.claimed_by => {
            format!(
                "{}, taken over by {}",
                clean(&row.claimed_by),
                clean(holder)
            )
        }
        _ => clean(&row.claimed_by),
    };
    format!(
        "{}  {:<8}  {:<28}  {} — {by} [{}]",
        crate::clock::rfc3339(row.claimed_at),
        clean(&row.severity),
        delivery,
        clean(&row.title),
        clean(&row.id)
    )
}
