//! The shift handoff report built from fixed journal lines and observations at a fixed clock:
//! its Markdown (snapshot) and the numbers behind it (time red and unknown, verdict changes,
//! what needs attention).

mod tui_support;

use gonogo::gate::{GateState, Verdict};
use gonogo::handoff::{self, AttentionWhy, HandoffInputs, Period, PeriodBasis, Section};
use gonogo::journal::{CohortOverride, Entry, GateChange, JournalEvent, ObservedGate};
use tui_support::{at, config};

fn gate(
    id: i64,
    when: (u32, u32),
    gate: &str,
    from: Option<GateState>,
    to: GateState,
    value: &str,
    by: &str,
) -> Entry {
    Entry::from_event(
        id,
        at(when.0, when.1, 0),
        by,
        JournalEvent::Gate(GateChange {
            gate: gate.into(),
            title: String::new(),
            required: true,
            from,
            to,
            value: Some(value.into()),
            error: None,
        }),
    )
}

fn observed(
    gate: &str,
    state: GateState,
    value: &str,
    since: (u32, u32),
    seen: (u32, u32),
) -> ObservedGate {
    ObservedGate {
        gate: gate.into(),
        state,
        value: Some(value.into()),
        error: None,
        since: Some(at(since.0, since.1, 0)),
        observed_at: at(seen.0, seen.1, 0),
        observer: "alice".into(),
    }
}

fn report() -> handoff::HandoffReport {
    use GateState::*;
    let config = config();
    let takeover = Entry::from_event(
        10,
        at(6, 0, 0),
        "alice",
        JournalEvent::ShiftTakeover {
            from: Some("marc".into()),
            from_since: None,
        },
    );
    let lines = vec![
        takeover.clone(),
        gate(11, (9, 12), "sentry_p1", Some(Pass), Fail, "1", "alice"),
        Entry::from_event(
            12,
            at(9, 30, 0),
            "alice",
            JournalEvent::Note {
                text: "paged the payments team | on it".into(),
            },
        ),
        gate(13, (10, 0), "sentry_p1", Some(Fail), Pass, "0", "alice"),
        Entry::from_event(
            14,
            at(11, 0, 0),
            "alice",
            JournalEvent::CohortOverride(CohortOverride {
                file: "cohort.csv".into(),
                sha256: "3f9a0c1b2d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4".into(),
                reason: Some("press list is small by design".into()),
                details: Default::default(),
            }),
        ),
        gate(15, (13, 40), "sentry_p1", Some(Pass), Fail, "2", "marc"),
        gate(
            16,
            (13, 50),
            "high_issues",
            Some(Pass),
            Unknown,
            "—",
            "marc",
        ),
    ];
    let before = vec![
        gate(1, (5, 0), "testers", None, Pass, "48", "marc"),
        gate(2, (5, 0), "sentry_p1", None, Pass, "0", "marc"),
        gate(3, (5, 0), "status_page", None, Pass, "'none'", "marc"),
    ];
    let observations = vec![
        observed("testers", Pass, "57", (5, 0), (14, 3)),
        observed("sentry_p1", Fail, "2", (13, 40), (14, 3)),
        observed("status_page", Pass, "'none'", (5, 0), (14, 3)),
        observed("synthetic", Pending, "0", (14, 0), (14, 3)),
        // Last seen an hour ago with a 60 s interval: stale.
        observed("k6_nightly", Pass, "27h 12m", (5, 0), (13, 0)),
    ];
    handoff::build(HandoffInputs {
        launch: "Beta soft launch".into(),
        environment: "production".into(),
        decision_at: config.launch().decision_at,
        gates: &config.gates,
        written_by: "bruno".into(),
        now: at(14, 4, 0),
        period: Period {
            since: at(6, 0, 0),
            until: at(14, 4, 0),
            basis: PeriodBasis::TakeOver { by: "alice".into() },
        },
        before,
        lines,
        observations,
        on_shift: Some(takeover),
    })
}

#[test]
fn the_markdown_reads_as_a_shift_report() {
    insta::assert_snapshot!(handoff::markdown(&report()));
}

#[test]
fn time_red_and_unknown_and_the_verdicts_path_come_from_the_journal() {
    let report = report();
    let gates = report
        .sections
        .iter()
        .find_map(|s| match s {
            Section::Gates { gates } => Some(gates.clone()),
            _ => None,
        })
        .unwrap();
    let row = |id: &str| gates.iter().find(|g| g.id == id).unwrap().clone();
    // Red 09:12–10:00 and 13:40–14:04.
    assert_eq!(row("sentry_p1").red_seconds, 48 * 60 + 24 * 60);
    // Nothing recorded for synthetic before or during the period: unknown throughout.
    assert_eq!(
        row("synthetic").unknown_seconds,
        (14 * 60 + 4 - 6 * 60) * 60
    );
    assert!(row("k6_nightly").stale);
    assert_eq!(row("k6_nightly").state, GateState::Unknown);
    assert!(!row("testers").stale);
    let Section::Verdict(verdict) = &report.sections[0] else {
        panic!("verdict first")
    };
    assert_eq!(verdict.now, Verdict::NoGo);
    let path: Vec<(Verdict, Verdict)> = verdict.changes.iter().map(|c| (c.from, c.to)).collect();
    // Required gates never recorded (synthetic, k6_nightly) keep the verdict UNKNOWN until
    // a red gate makes it NO-GO.
    assert_eq!(
        path,
        [
            (Verdict::Unknown, Verdict::NoGo),
            (Verdict::NoGo, Verdict::Unknown),
            (Verdict::Unknown, Verdict::NoGo)
        ]
    );
    let Section::Attention { items } = &report.sections[1] else {
        panic!("attention second")
    };
    let why: Vec<(&str, AttentionWhy)> = items
        .iter()
        .map(|a| (a.gate.as_str(), a.why.clone()))
        .collect();
    assert_eq!(why[0], ("sentry_p1", AttentionWhy::Red));
    assert!(why.contains(&("k6_nightly", AttentionWhy::Stale)));
    assert!(
        why.contains(&("high_issues", AttentionWhy::Stale)),
        "never observed: {why:?}"
    );
}
