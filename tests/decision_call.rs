//! The decision call against a real PostgreSQL: ticks with their journal lines, votes by role
//! (the last one counts, a NO-GO needs a note, an unknown role is refused), freezing with and
//! against the gates, the next round after a decision, and a record rewritten with its trigger
//! disabled caught by the chain check, and the handoff carrying the record's hash. Plus the
//! record's Markdown as a snapshot.

mod support;

use chrono::{TimeZone, Utc};
use gonogo::checklist;
use gonogo::checklist::ChecklistStore;
use gonogo::config::DecisionSettings;
use gonogo::decision::DecisionStore;
use gonogo::decision::{
    self, DecideError, Evidence, Freeze, GateSnapshot, Outcome, VoteChoice, VoteError,
};
use gonogo::gate::{GateState, Verdict};
use sqlx::PgPool;

const LAUNCH: &str = "Call launch";

fn settings() -> DecisionSettings {
    DecisionSettings::default()
}

fn evidence(verdict: Verdict) -> Evidence {
    let at = Utc.with_ymd_and_hms(2026, 11, 24, 17, 59, 30).unwrap();
    let state = match verdict {
        Verdict::Go => GateState::Pass,
        Verdict::NoGo => GateState::Fail,
        Verdict::Unknown => GateState::Unknown,
    };
    Evidence {
        verdict,
        gates: vec![GateSnapshot {
            id: "testers".into(),
            title: "Testers signed up".into(),
            required: true,
            state,
            value: Some("57".into()),
            observed_at: Some(at),
        }],
        checklist: None,
    }
}

fn freeze<'a>(
    s: &'a DecisionSettings,
    now: chrono::DateTime<Utc>,
    over: Option<&'a str>,
) -> Freeze<'a> {
    Freeze {
        settings: s,
        launch: LAUNCH,
        now,
        override_gates: over,
    }
}

async fn all_vote(store: &DecisionStore, s: &DecisionSettings, choice: VoteChoice) {
    for role in &s.roles {
        let note = (choice == VoteChoice::NoGo).then_some("db replication lag");
        decision::vote(store, s, role, choice, note, Utc::now())
            .await
            .unwrap();
    }
}

#[sqlx::test(migrations = false)]
async fn ticks_are_shared_and_journaled(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    let c = checklist::parse(
        "## D-day\n- [ ] Backup fresh\n- [ ] Testers in <!-- gate: testers -->\n",
        "c.md",
        &["testers"],
    )
    .unwrap();
    let alice = ChecklistStore::new(pool.clone(), LAUNCH, "alice");
    let now = Utc::now();
    let t = checklist::actions::tick(&alice, &c.items[0], Some("pgbackrest ok\u{1b}[2J"), now)
        .await
        .unwrap();
    assert_eq!(
        t.note.as_deref(),
        Some("pgbackrest ok[2J"),
        "control characters stripped"
    );
    let refused = checklist::actions::tick(&alice, &c.items[1], None, now)
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("the gate `testers`"),
        "{refused}"
    );
    let long = "x".repeat(2_001);
    let refused = checklist::actions::tick(&alice, &c.items[0], Some(&long), now)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("2001 characters"), "{refused}");

    let bruno = ChecklistStore::new(pool.clone(), LAUNCH, "bruno");
    let ticks = bruno.ticks().await.unwrap();
    assert_eq!(ticks.len(), 1);
    assert_eq!((ticks[0].by.as_str(), ticks[0].ticked), ("alice", true));
    let no_reason = checklist::actions::untick(&bruno, &c.items[0], ticks.first(), "  ", now).await;
    assert!(matches!(
        no_reason,
        Err(checklist::ActionError::ReasonRequired)
    ));
    checklist::actions::untick(&bruno, &c.items[0], ticks.first(), "wrong stanza", now)
        .await
        .unwrap();
    let ticks = alice.ticks().await.unwrap();
    assert_eq!((ticks[0].by.as_str(), ticks[0].ticked), ("bruno", false));
    assert_eq!(ticks[0].note.as_deref(), Some("wrong stanza"));

    let lines: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT kind, actor, message FROM gonogo.journal WHERE launch = $1 ORDER BY id",
    )
    .bind(LAUNCH)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        lines,
        vec![
            (
                "checklist_tick".into(),
                "alice".into(),
                "ticked \"Backup fresh\": pgbackrest ok[2J".into()
            ),
            (
                "checklist_untick".into(),
                "bruno".into(),
                "unticked \"Backup fresh\": wrong stanza".into()
            ),
        ]
    );
}

#[sqlx::test(migrations = false)]
async fn the_roll_call_freezes_into_chained_records(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    let s = settings();
    let alice = DecisionStore::new(pool.clone(), LAUNCH, "alice");
    let bruno = DecisionStore::new(pool.clone(), LAUNCH, "bruno");

    let e = decision::vote(
        &alice,
        &s,
        "release manager",
        VoteChoice::Go,
        None,
        Utc::now(),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, VoteError::UnknownRole { .. }));
    assert!(
        e.to_string()
            .contains("tech lead, product lead, on-call engineer"),
        "{e}"
    );
    assert_eq!(e.exit_code(), 64);
    let e = decision::vote(&alice, &s, "tech lead", VoteChoice::NoGo, None, Utc::now())
        .await
        .unwrap_err();
    assert!(matches!(e, VoteError::NoGoNeedsNote));

    decision::vote(
        &alice,
        &s,
        "Tech  Lead",
        VoteChoice::NoGo,
        Some("p1 open"),
        Utc::now(),
    )
    .await
    .unwrap();
    let e = decision::decide(&bruno, freeze(&s, Utc::now(), None), evidence(Verdict::Go))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, DecideError::Missing { round: 1, missing } if missing == &["product lead", "on-call engineer"]),
        "{e}"
    );
    // The last vote of a role counts.
    decision::vote(&bruno, &s, "tech lead", VoteChoice::Go, None, Utc::now())
        .await
        .unwrap();
    decision::vote(&bruno, &s, "product lead", VoteChoice::Go, None, Utc::now())
        .await
        .unwrap();
    decision::vote(
        &alice,
        &s,
        "on-call engineer",
        VoteChoice::Go,
        None,
        Utc::now(),
    )
    .await
    .unwrap();
    let (round, votes) = alice.roll_call().await.unwrap();
    assert_eq!((round, votes.len()), (1, 3));
    assert!(votes.iter().all(|v| v.vote == VoteChoice::Go));

    // GO against gates that are not GO needs the override.
    let e = decision::decide(
        &alice,
        freeze(&s, Utc::now(), None),
        evidence(Verdict::Unknown),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            e,
            DecideError::GatesDisagree {
                verdict: Verdict::Unknown
            }
        ),
        "{e}"
    );
    let first = decision::decide(
        &alice,
        freeze(&s, Utc::now(), Some("status page vendor outage, not ours")),
        evidence(Verdict::Unknown),
    )
    .await
    .unwrap();
    assert_eq!(first.body.number, 1);
    assert_eq!(first.body.outcome, Outcome::Go);
    assert!(first.body.gates_overridden);
    assert_eq!(first.body.prev_hash, None);
    let json = serde_json::to_value(&first).unwrap();
    for key in [
        "number",
        "outcome",
        "decided_at",
        "decided_by",
        "votes",
        "gates",
        "checklist",
        "hash",
        "prev_hash",
    ] {
        assert!(json.get(key).is_some(), "{key} missing: {json}");
    }

    // After a decision a new round starts: a NO-GO's fix-pass ends in another call.
    let (round, votes) = bruno.roll_call().await.unwrap();
    assert_eq!((round, votes.len()), (2, 0));
    all_vote(&bruno, &s, VoteChoice::NoGo).await;
    let second = decision::decide(
        &bruno,
        freeze(&s, Utc::now(), None),
        evidence(Verdict::NoGo),
    )
    .await
    .unwrap();
    assert_eq!(second.body.number, 2);
    assert_eq!(second.body.outcome, Outcome::NoGo);
    assert!(!second.body.gates_overridden);
    assert_eq!(second.body.prev_hash.as_deref(), Some(first.hash.as_str()));

    let stored = alice.decisions().await.unwrap();
    assert_eq!(decision::verify_chain(LAUNCH, &stored), Ok(2));
    let shown = alice.decision(Some(1)).await.unwrap().unwrap();
    assert_eq!(shown.hash, first.hash);
    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT kind FROM gonogo.journal WHERE launch = $1 AND kind = 'decision' ORDER BY id",
    )
    .bind(LAUNCH)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(kinds.len(), 2);
}

#[sqlx::test(migrations = false)]
async fn a_record_rewritten_behind_the_trigger_is_caught(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    let s = settings();
    let store = DecisionStore::new(pool.clone(), LAUNCH, "alice");
    for _ in 0..3 {
        all_vote(&store, &s, VoteChoice::NoGo).await;
        decision::decide(
            &store,
            freeze(&s, Utc::now(), None),
            evidence(Verdict::NoGo),
        )
        .await
        .unwrap();
    }
    // The trigger refuses changes and deletions.
    for sql in [
        "UPDATE gonogo.decisions SET outcome = 'go' WHERE number = 2",
        "DELETE FROM gonogo.decisions WHERE number = 3",
        "TRUNCATE gonogo.decisions",
    ] {
        let e = sqlx::query(sql).execute(&pool).await.unwrap_err();
        assert!(e.to_string().contains("insert-only"), "{sql}: {e}");
    }
    assert_eq!(
        decision::verify_chain(LAUNCH, &store.decisions().await.unwrap()),
        Ok(3)
    );

    // The owner disables it and rewrites record 2's outcome, text and all.
    sqlx::query("ALTER TABLE gonogo.decisions DISABLE TRIGGER decisions_insert_only")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE gonogo.decisions SET outcome = 'go',
           record = replace(record, '\"outcome\":\"NO-GO\"', '\"outcome\":\"GO\"')
         WHERE number = 2",
    )
    .execute(&pool)
    .await
    .unwrap();
    let problem = decision::verify_chain(LAUNCH, &store.decisions().await.unwrap()).unwrap_err();
    assert_eq!(problem.number(), Some(2), "{problem}");
    assert!(problem.to_string().contains("does not hash"), "{problem}");

    // Re-hashing record 2 does not help: record 3 still names the old hash.
    let records = store.decisions().await.unwrap();
    let rehashed =
        gonogo::decision::record::chain_hash(records[1].prev_hash.as_deref(), &records[1].record);
    sqlx::query("UPDATE gonogo.decisions SET hash = $1 WHERE number = 2")
        .bind(&rehashed)
        .execute(&pool)
        .await
        .unwrap();
    let problem = decision::verify_chain(LAUNCH, &store.decisions().await.unwrap()).unwrap_err();
    assert_eq!(problem.number(), Some(3), "{problem}");

    // A column changed alone is caught too.
    sqlx::query("UPDATE gonogo.decisions SET decided_by = 'mallory' WHERE number = 1")
        .execute(&pool)
        .await
        .unwrap();
    let problem = decision::verify_chain(LAUNCH, &store.decisions().await.unwrap()).unwrap_err();
    assert_eq!(problem.number(), Some(1), "{problem}");
}

#[test]
fn the_record_reads_well_as_markdown() {
    let at = Utc.with_ymd_and_hms(2026, 11, 24, 18, 4, 0).unwrap();
    let vote = |role: &str, v: VoteChoice, by: &str, note: Option<&str>| decision::Vote {
        role: role.into(),
        vote: v,
        by: by.into(),
        at: at - chrono::TimeDelta::minutes(2),
        note: note.map(str::to_owned),
    };
    let body = decision::RecordBody {
        number: 1,
        launch: "Veza v2 soft launch".into(),
        outcome: Outcome::Go,
        rule: "unanimous".into(),
        decided_at: at,
        decided_by: "olivia".into(),
        verdict: Verdict::Unknown,
        gates_overridden: true,
        override_reason: Some("status page vendor outage | not ours".into()),
        votes: vec![
            vote(
                "tech lead",
                VoteChoice::Go,
                "alice",
                Some("gates green since 17:00"),
            ),
            vote("product lead", VoteChoice::Go, "bruno", None),
            vote("on-call engineer", VoteChoice::Go, "olivia", None),
        ],
        gates: evidence(Verdict::Go).gates,
        checklist: Some(decision::ChecklistSummary {
            done: 38,
            total: 39,
            sections: vec![decision::SectionSummary {
                path: vec!["D+0 18:00 UTC — decision call".into()],
                done: 4,
                total: 5,
            }],
            open: vec![decision::OpenItem {
                id: "3fa2c1d0".into(),
                section: vec!["D+0 18:00 UTC — decision call".into()],
                text: "Decision logged in the launch report".into(),
                state: checklist::ItemState::Open,
                due: None,
            }],
        }),
        prev_hash: None,
    };
    let record = decision::DecisionRecord::seal(body);
    insta::assert_snapshot!(
        "decision_record_markdown",
        decision::record::markdown(&record)
    );
}

#[sqlx::test(migrations = false)]
async fn the_handoff_report_has_the_checklist_and_the_roll_call(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("list.md"),
        "## D-day\n- [ ] Backup fresh\n- [ ] Rollback plan reviewed <!-- due: 2020-01-01T00:00:00Z -->\n- [ ] Gone from the file\n",
    )
    .unwrap();
    let text = format!(
        "[launch]\nname = \"{LAUNCH}\"\n[postgres]\nurl = \"{}\"\n[checklist]\npath = \"list.md\"\n[[gate]]\nid = \"g\"\nsource = \"command\"\ncommand = [\"true\"]\npass = \"== 0\"\n",
        support::db_url(&pool)
    );
    let config = gonogo::config::load_str(&text, &dir.path().join("gonogo.toml")).unwrap();
    let list = checklist::load_configured(&config).unwrap();
    let alice = ChecklistStore::new(pool.clone(), LAUNCH, "alice");
    checklist::actions::tick(&alice, &list.items[0], Some("pgbackrest ok"), Utc::now())
        .await
        .unwrap();
    checklist::actions::tick(&alice, &list.items[2], None, Utc::now())
        .await
        .unwrap();
    std::fs::write(
        dir.path().join("list.md"),
        "## D-day\n- [ ] Backup fresh\n- [ ] Rollback plan reviewed <!-- due: 2020-01-01T00:00:00Z -->\n",
    )
    .unwrap();
    let s = settings();
    let store = DecisionStore::new(pool.clone(), LAUNCH, "bruno");
    decision::vote(&store, &s, "tech lead", VoteChoice::Go, None, Utc::now())
        .await
        .unwrap();
    let journal = gonogo::journal::Journal::new(pool.clone(), LAUNCH, "carla");
    let report = gonogo::handoff::gather(&journal, &config, None, Utc::now())
        .await
        .unwrap();
    let text = gonogo::handoff::markdown(&report);
    assert!(text.contains("## Checklist: 1/2 done, 1 overdue"), "{text}");
    assert!(text.contains("- [x] Backup fresh — alice"), "{text}");
    assert!(
        text.contains("Rollback plan reviewed") && text.contains("**overdue**"),
        "{text}"
    );
    assert!(
        text.contains("Removed from the file (was ticked by alice): Gone from the file"),
        "{text}"
    );
    assert!(text.contains("## Roll call (call 1): 1/3 voted"), "{text}");
    assert!(text.contains("- **product lead**: not voted yet"), "{text}");
    let json = serde_json::to_value(&report).unwrap();
    let sections: Vec<&str> = json["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["section"].as_str())
        .collect();
    assert!(
        sections.ends_with(&["checklist", "roll_call"]),
        "{sections:?}"
    );

    // Once frozen, the report carries the record's hash, the anchor to keep elsewhere.
    all_vote(&store, &s, VoteChoice::NoGo).await;
    let frozen = decision::decide(
        &store,
        freeze(&s, Utc::now(), None),
        evidence(Verdict::NoGo),
    )
    .await
    .unwrap();
    let report = gonogo::handoff::gather(&journal, &config, None, Utc::now())
        .await
        .unwrap();
    let text = gonogo::handoff::markdown(&report);
    assert!(text.contains("## Decision 1: NO-GO"), "{text}");
    assert!(
        text.contains(&format!("Record hash: `{}`", frozen.hash)),
        "{text}"
    );
}
