//! `gonogo vote`, `gonogo decide` and `gonogo decision show|verify`: the roll call and the
//! frozen, hash-chained decision records from the command line.

use super::checklist::db_failure;
use super::journal_cmd::open_journal;
use super::{Failure, Outcome};
use crate::cli::{Cli, DecideArgs, DecisionCommand, ReportFormat, VoteArgs, VoteValue};
use crate::config::Config;
use crate::decision::DecisionStore;
use crate::decision::{self, DecisionRecord, Evidence, Freeze, RollCall, VoteChoice};
use crate::exit;
use crate::gate::Board;
use chrono::Utc;

async fn open(cli: &Cli, what: &str) -> Result<(Config, DecisionStore), Failure> {
    let (config, journal) = open_journal(cli, what).await?;
    let store = DecisionStore::new(journal.pool().clone(), journal.launch(), journal.actor());
    Ok((config, store))
}

pub async fn vote(cli: &Cli, args: &VoteArgs) -> Outcome {
    let (config, store) = open(cli, "vote").await?;
    let settings = &config.raw.decision;
    let choice = match args.vote {
        VoteValue::Go => VoteChoice::Go,
        VoteValue::NoGo => VoteChoice::NoGo,
    };
    if settings.role(&args.role).is_none() {
        let e = decision::VoteError::UnknownRole {
            given: crate::text::sanitize_short(&args.role, 60),
            roles: settings.roles.clone(),
        };
        return Err(Failure::new(e.exit_code(), e.to_string()));
    }
    super::confirm::confirm(config.launch(), "the vote", &args.confirm)?;
    let (round, cast) = decision::vote(
        &store,
        settings,
        &args.role,
        choice,
        args.note.as_deref(),
        Utc::now(),
    )
    .await
    .map_err(|e| match &e {
        decision::VoteError::Db(db) => db_failure(&config, db),
        other => Failure::new(other.exit_code(), other.to_string()),
    })?;
    let (_, votes) = store
        .roll_call()
        .await
        .map_err(|e| db_failure(&config, &e))?;
    let call = RollCall::new(settings, round, &votes);
    let waiting = call.missing();
    outln!(
        "{} votes {} in call {round} (as {})",
        cast.role,
        cast.vote.shout(),
        cast.by
    );
    if waiting.is_empty() {
        outln!("every role has voted: `gonogo decide` freezes the decision");
    } else {
        outln!("waiting for: {}", waiting.join(", "));
    }
    Ok(exit::OK)
}

pub async fn decide(cli: &Cli, args: &DecideArgs) -> Outcome {
    if args.reason.is_some() && !args.override_gates {
        return Err(Failure::usage(
            "--reason explains --override-gates; add --override-gates or drop --reason",
        ));
    }
    let (config, store) = open(cli, "decide").await?;
    let settings = &config.raw.decision;
    let (round, votes) = store
        .roll_call()
        .await
        .map_err(|e| db_failure(&config, &e))?;
    let call = RollCall::new(settings, round, &votes);
    if !call.missing().is_empty() {
        let e = decision::DecideError::Missing {
            round,
            missing: call.missing().into_iter().map(str::to_owned).collect(),
        };
        return Err(Failure::new(e.exit_code(), e.to_string()));
    }
    let override_reason = match (args.override_gates, &args.reason) {
        (true, Some(reason)) => Some(reason.as_str()),
        (true, None) => {
            let e = decision::DecideError::OverrideNeedsReason;
            return Err(Failure::new(e.exit_code(), e.to_string()));
        }
        (false, _) => None,
    };
    super::confirm::confirm(config.launch(), "freezing the decision", &args.confirm)?;
    let evidence = gather_evidence(&config, &store).await?;
    let freeze = Freeze {
        settings,
        launch: &config.launch().name.0,
        now: Utc::now(),
        override_gates: override_reason,
    };
    let record = decision::decide(&store, freeze, evidence)
        .await
        .map_err(|e| match &e {
            decision::DecideError::Db(db) => db_failure(&config, db),
            other => Failure::new(other.exit_code(), other.to_string()),
        })?;
    print_record(&record, args.json)?;
    errln!(
        "keep the record hash outside the database (the launch ticket, the chat): \
         `gonogo decision verify --expect {}` checks the chain still holds it",
        record.hash
    );
    Ok(record.body.outcome.exit_code())
}

/// The evidence for the call: every gate checked once now, and the checklist as it stands.
async fn gather_evidence(config: &Config, store: &DecisionStore) -> Result<Evidence, Failure> {
    let clock = crate::clock::Clock::System;
    let mut board = Board::new(&config.gates, clock.now());
    let sources = crate::source::Sources::new(config)?;
    for result in crate::monitor::run_once(&sources, &config.gates, &clock).await {
        board.apply(result);
    }
    let checklist = match crate::checklist::load_configured(config) {
        Ok(list) => {
            let ticks_store = crate::checklist::ChecklistStore::new(
                store.pool().clone(),
                config.launch().name.0.clone(),
                store.actor(),
            );
            let ticks = ticks_store
                .ticks()
                .await
                .map_err(|e| db_failure(config, &e))?;
            let state = |g: &str| {
                board
                    .get(g)
                    .map_or(crate::gate::GateState::Unknown, |s| s.state)
            };
            let view = crate::checklist::view(
                &list,
                &ticks,
                state,
                config.launch().decision_at,
                Utc::now(),
            );
            Some(decision::record::checklist_summary(&view))
        }
        Err(crate::checklist::ChecklistError::NotConfigured) => None,
        Err(e) => {
            errln!("warning: the record holds no checklist: {e}");
            None
        }
    };
    Ok(Evidence {
        verdict: board.verdict(),
        gates: decision::record::gate_snapshot(&board),
        checklist,
    })
}

fn print_record(record: &DecisionRecord, json: bool) -> Result<(), Failure> {
    if json {
        super::output::print_json(record)?;
    } else {
        out!("{}", decision::record::markdown(record));
    }
    Ok(())
}

pub async fn run(cli: &Cli, command: &DecisionCommand) -> Outcome {
    match command {
        DecisionCommand::Show { number, format } => {
            let (config, store) = open(cli, "decision show").await?;
            let stored = store
                .decision(*number)
                .await
                .map_err(|e| db_failure(&config, &e))?;
            let Some(stored) = stored else {
                return Err(Failure::usage(match number {
                    Some(n) => format!("there is no decision {n} for this launch"),
                    None => "no decision has been frozen for this launch yet".to_owned(),
                }));
            };
            let record =
                DecisionRecord::from_stored(stored.record, stored.hash).map_err(|why| {
                    Failure::new(exit::NO_GO, format!("decision {}: {why}", stored.number))
                })?;
            print_record(&record, *format == ReportFormat::Json)?;
            Ok(exit::OK)
        }
        DecisionCommand::Verify { expect } => verify(cli, expect.as_deref()).await,
    }
}

async fn verify(cli: &Cli, expect: Option<&str>) -> Outcome {
    let expect = expect
        .map(decision::verify::parse_anchor)
        .transpose()
        .map_err(Failure::usage)?;
    let (config, store) = open(cli, "decision verify").await?;
    let (records, lines) = store
        .records_and_lines()
        .await
        .map_err(|e| db_failure(&config, &e))?;
    let verified = decision::verify(store.launch(), &records, &lines, expect.as_deref())
        .map_err(|problem| Failure::new(exit::NO_GO, problem.to_string()))?;
    outln!(
        "{} verified: the chain is intact and each record matches its journal line",
        crate::plural::count(verified.count as u64, "decision record")
    );
    if let Some((number, hash)) = &verified.head {
        outln!("newest: decision {number}, hash {hash}");
    }
    if let (Some(anchor), Some(hash)) = (verified.anchor, &expect) {
        let after = verified.count.saturating_sub(anchor as usize);
        if after == 0 {
            outln!("the chain ends at {hash} (decision {anchor}), as expected");
        } else {
            outln!(
                "the chain passes {hash} (decision {anchor}); {} came after it",
                crate::plural::count(after as u64, "record")
            );
        }
    }
    Ok(exit::OK)
}
