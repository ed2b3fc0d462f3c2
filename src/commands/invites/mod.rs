//! `gonogo invites prepare|preview|test-send|resolve` (`send` and `status` in their own files):
//! the headless twin of the Dispatch pane, on the same core ([`crate::invite`]).

mod send;
mod status;

use super::{Failure, Outcome};
use crate::cli::{
    Cli, InvitesCommand, InvitesPrepareArgs, InvitesPreviewArgs, InvitesResolveArgs,
    InvitesTestSendArgs, ResolveAs,
};
use crate::config::Config;
use crate::exit;
use crate::invite::{self, Ledger, Setup, prepare::PrepareError};
use crate::journal::{Journal, JournalEvent};
use sqlx::PgPool;
use std::time::Duration;

/// The longest a test send waits for its journal line before saying it was not journaled.
const JOURNAL_WAIT: Duration = Duration::from_secs(10);

pub async fn run(cli: &Cli, command: &InvitesCommand) -> Outcome {
    match command {
        InvitesCommand::Prepare(args) => prepare(cli, args).await,
        InvitesCommand::Preview(args) => preview(cli, args).await,
        InvitesCommand::TestSend(args) => test_send(cli, args).await,
        InvitesCommand::Send(args) => send::run(cli, args).await,
        InvitesCommand::Status(args) => status::run(cli, args).await,
        InvitesCommand::Resolve(args) => resolve(cli, args).await,
    }
}

/// What every dispatch command works from: the config, `[invites]` checked, the database
/// (reachable, migrated), this launch's ledger and journal.
struct Opened {
    pub config: Config,
    pub setup: Setup,
    pub pool: PgPool,
    pub ledger: Ledger,
    pub journal: Journal,
}

async fn open(cli: &Cli) -> Result<Opened, Failure> {
    let (loaded, journal) = super::journal_cmd::open_shared(cli, "invites").await?;
    let config = loaded.config;
    let setup =
        Setup::new(&config, &loaded.path).map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    let pool = journal.pool().clone();
    Ok(Opened {
        ledger: Ledger::new(pool.clone(), journal.launch()),
        journal,
        setup,
        pool,
        config,
    })
}

async fn prepare(cli: &Cli, args: &InvitesPrepareArgs) -> Outcome {
    let opened = open(cli).await?;
    let batch = args
        .batch
        .clone()
        .unwrap_or_else(|| invite::default_batch(&args.file));
    invite::check_batch_name(&batch).map_err(Failure::usage)?;
    if args.force {
        super::confirm::confirm(opened.config.launch(), "the cohort override", &args.confirm)?;
    }
    let options = invite::PrepareOptions {
        file: args.file.clone(),
        batch,
        force: args.force,
        reason: args.reason.clone(),
        operator: cli.operator(),
        timeout: opened.config.raw.defaults.timeout,
    };
    let result = invite::prepare(
        &opened.setup,
        &opened.pool,
        &opened.journal,
        &options,
        &opened.config.raw.cohort,
    )
    .await;
    let redact = |text: &str| opened.config.redactor.redact(text);
    let report = match result {
        Ok(report) => report,
        Err(e) => {
            let code = match &e {
                PrepareError::Blocked(_) | PrepareError::NeedsForce(_) => exit::NO_GO,
                PrepareError::Template(_) | PrepareError::Message(_) => exit::CONFIG,
                PrepareError::Cohort(_) | PrepareError::Files(_) => exit::IO,
                PrepareError::Override(_) => exit::USAGE,
                PrepareError::Database(_) => exit::UNAVAILABLE,
            };
            if let PrepareError::Blocked(report) | PrepareError::NeedsForce(report) = &e
                && !args.json
            {
                out!(
                    "{}",
                    crate::cohort::render_text(report, &args.file.display().to_string())
                );
            }
            if args.json {
                super::output::print_error_json(code, &redact(&e.to_string()));
            }
            return Err(Failure::new(code, redact(&e.to_string())));
        }
    };
    let code = if report.failed.is_empty() {
        exit::OK
    } else {
        exit::NO_GO
    };
    if args.json {
        super::output::print_json(&report)?;
        return Ok(code);
    }
    outln!(
        "batch {}: {} prepared, {} already in the batch, {} failed (of {} recipients); .eml files in {}",
        report.batch,
        report.prepared,
        report.skipped,
        report.failed.len(),
        report.recipients,
        crate::text::sanitize(&report.out_dir)
    );
    for f in &report.failed {
        outln!("  line {}: {}: {}", f.line, f.email, redact(&f.reason));
    }
    if !report.failed.is_empty() {
        outln!("run prepare again with the same file and batch to retry just these");
    }
    Ok(code)
}

async fn preview(cli: &Cli, args: &InvitesPreviewArgs) -> Outcome {
    let opened = open(cli).await?;
    let row = opened
        .ledger
        .find(args.email.as_deref(), args.batch.as_deref())
        .await
        .map_err(|e| Failure::db(&opened.config.redactor, &e))?
        .ok_or_else(|| {
            Failure::new(
                exit::USAGE,
                "no prepared message matches: run `gonogo invites prepare COHORT.csv` first (or check --batch/--email)",
            )
        })?;
    let bytes = std::fs::read(opened.setup.eml_file(&row.batch, &row.eml_path)).map_err(|e| {
        Failure::new(
            exit::IO,
            format!("cannot read {}: {e}", crate::text::sanitize(&row.eml_path)),
        )
    })?;
    let shown = invite::message::preview(&bytes, args.html)
        .ok_or_else(|| Failure::new(exit::SOFTWARE, "the stored .eml cannot be parsed"))?;
    outln!(
        "# batch {}, state {}, {}",
        row.batch,
        row.state,
        crate::text::sanitize(&row.eml_path)
    );
    out!("{shown}");
    Ok(exit::OK)
}

async fn test_send(cli: &Cli, args: &InvitesTestSendArgs) -> Outcome {
    let opened = open(cli).await?;
    let mut transport = opened
        .setup
        .transport()
        .map_err(|e| Failure::new(exit::CONFIG, opened.config.redactor.redact(&e.to_string())))?;
    let template = opened
        .setup
        .template()
        .map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    let to =
        invite::message::recipient(&args.to, None).map_err(|e| Failure::usage(e.to_string()))?;
    let code = invite::code::fresh()?;
    let vars = invite::template::Variables {
        email: args.to.trim().to_owned(),
        name: "Test recipient".into(),
        cohort: "test".into(),
        code,
        expires_at: opened
            .setup
            .expires_at(chrono::Utc::now())
            .map_err(|why| Failure::new(exit::CONFIG, why))?
            .format("%Y-%m-%d %H:%M UTC")
            .to_string(),
        launch: opened.setup.launch.clone(),
    };
    let rendered = template
        .render(&vars)
        .map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    let mut rendered = rendered;
    rendered.subject = format!("[TEST] {}", rendered.subject);
    let bytes = invite::message::build(
        &opened.setup.sender,
        to,
        &rendered,
        &opened.setup.sender.new_message_id(),
        std::time::SystemTime::now(),
    )
    .map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    let outcome = transport
        .send(
            &opened.setup.sender.from.email,
            &args.to,
            &bytes,
            opened.setup.settings.send_timeout,
        )
        .await;
    transport.close().await;
    let detail = opened.config.redactor.redact(outcome.detail());
    let event = JournalEvent::TestSend {
        to: crate::text::sanitize_short(args.to.trim(), 200),
        outcome: outcome.state().to_string(),
        detail: detail.clone(),
    };
    let record = opened.journal.record_now(event);
    let recorded = crate::db::call::db_call(JOURNAL_WAIT, &opened.config.redactor, record).await;
    if let Err(why) = recorded {
        errln!("note: the test send was not journaled: {why}");
    }
    outln!(
        "test invitation to {} via {}: {} ({detail})",
        crate::text::sanitize(args.to.trim()),
        transport.describe(),
        outcome.state()
    );
    Ok(if matches!(outcome, invite::Outcome::Accepted(_)) {
        exit::OK
    } else {
        exit::NO_GO
    })
}

async fn resolve(cli: &Cli, args: &InvitesResolveArgs) -> Outcome {
    let reason = crate::journal::clean_note(&args.reason)
        .map_err(|e| Failure::usage(format!("--reason: {e}")))?;
    let opened = open(cli).await?;
    let keys: Vec<String> = args
        .emails
        .iter()
        .map(|e| crate::cohort::fold_case(e.trim()))
        .collect();
    let to = match args.settle_as {
        ResolveAs::Sent => invite::MessageState::Sent,
        ResolveAs::Retry => invite::MessageState::Prepared,
    };
    if to == "prepared" {
        let held = opened
            .ledger
            .claimers_alive(&keys)
            .await
            .map_err(|e| Failure::db(&opened.config.redactor, &e))?;
        for h in &held {
            errln!(
                "{}: {}{}",
                crate::text::sanitize(&h.email),
                crate::text::sanitize(&h.why),
                if args.force { " (forced)" } else { "" }
            );
        }
        if !held.is_empty() && !args.force {
            return Err(Failure::usage(format!(
                "nothing changed: {} message(s) could still be handed over by the run that claimed them; check that run (`gonogo invites status` shows it stalled with its pid: let it end, or stop it), wait until its lease has passed, or pass --force with --reason",
                held.len()
            )));
        }
    }
    let why = format!(
        "resolved by {} as {}{}: {reason}",
        cli.operator(),
        if to == "sent" { "sent" } else { "retry" },
        if args.force { " (forced)" } else { "" }
    );
    let settled = opened
        .ledger
        .resolve(&keys, to, &why)
        .await
        .map_err(|e| Failure::db(&opened.config.redactor, &e))?;
    let event = JournalEvent::DispatchResolve {
        emails: settled.clone(),
        settled_as: if to == "sent" {
            "sent".into()
        } else {
            "retry".into()
        },
        reason: if args.force {
            format!("forced past a run that could still hand it over: {reason}")
        } else {
            reason
        },
    };
    if !settled.is_empty() {
        opened
            .journal
            .record_now(event)
            .await
            .map_err(|e| Failure::db(&opened.config.redactor, &e))?;
    }
    for email in &settled {
        outln!(
            "{}: {}",
            crate::text::sanitize(email),
            if to == "sent" {
                "sent"
            } else {
                "back to prepared"
            }
        );
    }
    let settled_keys: Vec<String> = settled
        .iter()
        .map(|e| crate::cohort::fold_case(e))
        .collect();
    let missing: Vec<&String> = args
        .emails
        .iter()
        .filter(|e| !settled_keys.contains(&crate::cohort::fold_case(e.trim())))
        .collect();
    for email in &missing {
        errln!(
            "{}: not an unknown message of this launch (nothing changed)",
            crate::text::sanitize(email)
        );
    }
    Ok(if missing.is_empty() {
        exit::OK
    } else {
        exit::USAGE
    })
}
