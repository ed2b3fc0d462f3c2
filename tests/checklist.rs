//! The checklist core on the seed's own files: the pre-flight checklist (sections, items,
//! counts), the Weldr plan (nested items already `[x]`), bindings, identity across edits, and
//! the view that lays ticks and gate states over them.

use chrono::{TimeZone, Utc};
use gonogo::checklist::{self, ChecklistError, ItemState, Tick};
use gonogo::gate::GateState;

const SEED: &str = include_str!("fixtures/checklist/SOFT_LAUNCH_BETA_2026_CHECKLIST.md");
const WELDR: &str = include_str!("fixtures/checklist/weldr_soft_launch_plan.md");
const STARTER: &str = include_str!("../assets/checklist.md");
const GATES: &[&str] = &[
    "testers",
    "sentry_p1",
    "status_page",
    "synthetic",
    "k6_nightly",
    "high_issues",
];

fn decision_at() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 18, 0, 0).unwrap()
}

#[test]
fn the_seed_checklist_loads_as_it_is() {
    let c = checklist::parse(SEED, "seed.md", &[]).unwrap();
    assert_eq!(
        c.title.as_deref(),
        Some("Soft-launch beta — pre-flight checklist")
    );
    let sections: Vec<(String, usize)> = c
        .sections
        .iter()
        .map(|path| {
            let n = c.items.iter().filter(|i| &i.section == path).count();
            (path.join(" / "), n)
        })
        .collect();
    let want = [
        ("T-72h checklist (3 days before send) / Database", 3),
        ("T-72h checklist (3 days before send) / Cohort CSV", 3),
        (
            "T-72h checklist (3 days before send) / Email infrastructure",
            3,
        ),
        (
            "T-72h checklist (3 days before send) / Backend invite-redemption path",
            4,
        ),
        (
            "T-72h checklist (3 days before send) / Acceptance-gate monitoring",
            2,
        ),
        ("T-72h checklist (3 days before send) / Communications", 4),
        (
            "D-day checklist (the day of send) / Last hour before send",
            5,
        ),
        ("D-day checklist (the day of send) / Send", 4),
        ("D-day checklist (the day of send) / Hour 1 post-send", 3),
        (
            "D-day checklist (the day of send) / Every 4 h during the bêta window",
            3,
        ),
        ("D+0 18:00 UTC — decision call", 5),
    ];
    let want: Vec<(String, usize)> = want.iter().map(|(p, n)| (p.to_string(), *n)).collect();
    assert_eq!(sections, want);
    assert_eq!(c.items.len(), 39);
    assert!(c.items.iter().all(|i| !i.done_in_file && i.gate.is_none()));
    // A code block inside an item is not its text; the text after it is.
    let first = &c.items[0];
    assert_eq!(first.line, 11);
    assert_eq!(
        first.text,
        "migrations/990_beta_invites.sql applied to staging. Verify with: Expected: 0 (table exists, empty)."
    );
    // Ids are unique and stable.
    let mut ids: Vec<&str> = c.items.iter().map(|i| i.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 39);
}

#[test]
fn the_weldr_plan_loads_with_its_done_items() {
    let c = checklist::parse(WELDR, "weldr.md", &[]).unwrap();
    let done = c.items.iter().filter(|i| i.done_in_file).count();
    let open = c.items.len() - done;
    assert_eq!((done, open), (15, 7), "{:#?}", c.items);
    assert!(
        c.items.iter().any(|i| i.depth == 1),
        "nested items are items"
    );
    let view = checklist::view(&c, &[], |_| GateState::Unknown, None, decision_at());
    assert_eq!((view.done, view.total), (15, 22));
    let first = view.items().next().unwrap();
    assert_eq!(first.state, ItemState::Done);
    assert_eq!(first.by.as_deref(), Some("the file"));
}

#[test]
fn the_starter_checklist_binds_the_starter_gates() {
    let c = checklist::parse(STARTER, "starter.md", GATES).unwrap();
    assert_eq!(c.items.len(), 39);
    let mut gates = c.gates();
    gates.sort();
    let mut want: Vec<String> = GATES.iter().map(|g| g.to_string()).collect();
    want.sort();
    assert_eq!(gates, want);
    assert!(c.items.iter().filter(|i| i.due.is_some()).count() >= 4);
    // Without the gates in the config, the starter names the line of each unknown gate.
    let Err(ChecklistError::Invalid { problems, .. }) =
        checklist::parse(STARTER, "starter.md", &["testers"])
    else {
        panic!("unknown gates must be refused");
    };
    assert_eq!(problems.len(), 5, "{problems:?}");
    assert!(problems[0].1.contains("unknown gate"), "{problems:?}");
}

fn tick(item: &checklist::Item, ticked: bool, by: &str) -> Tick {
    Tick {
        item_key: item.key.clone(),
        item_id: item.id.clone(),
        section: item.section.clone(),
        text: item.text.clone(),
        ticked,
        by: by.into(),
        at: decision_at() - chrono::TimeDelta::hours(3),
        note: Some("checked".into()),
    }
}

#[test]
fn ticks_gates_and_deadlines_make_the_state() {
    let text = "## Call\n- [ ] Backup fresh <!-- due: T-1h -->\n- [ ] Testers in <!-- gate: testers -->\n- [x] Rota done\n- [ ] Later <!-- due: T+0 -->\n- [ ] Gone soon\n";
    let c = checklist::parse(text, "c.md", &["testers"]).unwrap();
    let now = decision_at() - chrono::TimeDelta::minutes(30);
    let gone = checklist::parse("## Call\n- [ ] Removed item\n", "c.md", &[]).unwrap();
    let ticks = vec![
        tick(&c.items[0], true, "alice"),
        tick(&c.items[2], false, "bruno"),
        tick(&gone.items[0], true, "carla"),
    ];
    let passing = |g: &str| {
        if g == "testers" {
            GateState::Pass
        } else {
            GateState::Unknown
        }
    };
    let view = checklist::view(&c, &ticks, passing, Some(decision_at()), now);
    let states: Vec<ItemState> = view.items().map(|i| i.state).collect();
    assert_eq!(
        states,
        vec![
            ItemState::Done,
            ItemState::Verified,
            ItemState::Open, // unticked by bruno: the file's [x] no longer counts
            ItemState::Open,
            ItemState::Open,
        ]
    );
    assert_eq!(view.items().next().unwrap().by.as_deref(), Some("alice"));
    assert_eq!(view.removed.len(), 1);
    assert_eq!(view.removed[0].by, "carla");
    assert_eq!((view.done, view.total), (2, 5));

    // A gate turning red un-verifies its item; a deadline passing makes an open item overdue.
    let red = |_: &str| GateState::Fail;
    let later = decision_at() + chrono::TimeDelta::minutes(1);
    let view = checklist::view(&c, &ticks, red, Some(decision_at()), later);
    let states: Vec<ItemState> = view.items().map(|i| i.state).collect();
    assert_eq!(
        states,
        vec![
            ItemState::Done,
            ItemState::Open,
            ItemState::Open,
            ItemState::Overdue,
            ItemState::Open,
        ]
    );
    assert_eq!(
        view.items().nth(1).unwrap().gate_state,
        Some(GateState::Fail)
    );
}

#[test]
fn reordering_and_reformatting_keep_ticks_and_new_words_make_a_new_item() {
    let a = checklist::parse(
        "## S\n### T\n- [ ] Backup **fresh**\n- [ ] Other\n",
        "c.md",
        &[],
    )
    .unwrap();
    let b = checklist::parse(
        "## S\n### T\n- [ ] Other\n-   [ ]   backup   fresh\n",
        "c.md",
        &[],
    )
    .unwrap();
    let ticks = vec![tick(&a.items[0], true, "alice")];
    let view = checklist::view(&b, &ticks, |_| GateState::Unknown, None, decision_at());
    let fresh = view.items().find(|i| i.text == "backup fresh").unwrap();
    assert_eq!(fresh.state, ItemState::Done);
    assert!(view.removed.is_empty());
    let c = checklist::parse("## S\n### T\n- [ ] Backup is fresh\n", "c.md", &[]).unwrap();
    let view = checklist::view(&c, &ticks, |_| GateState::Unknown, None, decision_at());
    assert_eq!(view.items().next().unwrap().state, ItemState::Open);
    assert_eq!(view.removed[0].text, "Backup fresh");
}

#[test]
fn items_are_found_by_id_or_a_unique_piece_of_text() {
    let c = checklist::parse(SEED, "seed.md", &[]).unwrap();
    let item = &c.items[5];
    assert!(matches!(checklist::resolve(&c, &item.id), checklist::Resolved::One(i) if i == item));
    assert!(
        matches!(checklist::resolve(&c, &item.id[..5]), checklist::Resolved::One(i) if i == item)
    );
    assert!(matches!(
        checklist::resolve(&c, "pagerduty incident"),
        checklist::Resolved::One(i) if i.text == "No PagerDuty incident open."
    ));
    let Err(e) = checklist::find(&c, "validate-cohort.sh") else {
        panic!("ambiguous");
    };
    let text = e.to_string();
    assert!(text.contains("matches 3 items"), "{text}");
    assert_eq!(e.exit_code(), 64);
    assert!(matches!(
        checklist::find(&c, "nothing like this"),
        Err(checklist::ActionError::NotFound(_))
    ));
}

#[test]
fn bad_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.md");
    let e = checklist::load(&missing, &[]).unwrap_err();
    assert!(matches!(e, ChecklistError::Missing { .. }));
    assert!(e.to_string().contains("nope.md"), "{e}");
    assert_eq!(e.exit_code(), 74);
    let latin1 = dir.path().join("latin1.md");
    std::fs::write(&latin1, b"## S\n- [ ] caf\xe9\n").unwrap();
    let e = checklist::load(&latin1, &[]).unwrap_err();
    assert!(
        e.to_string()
            .contains("latin1.md:2: the file is not valid UTF-8"),
        "{e}"
    );
    let dup =
        checklist::parse("## S\n- [ ] One\n\n## S\n- [ ]   one\n", "dup.md", &[]).unwrap_err();
    assert!(
        dup.to_string()
            .contains("dup.md:5: duplicate item: the same section and text as line 2"),
        "{dup}"
    );
    let hostile = checklist::parse(
        "## S\u{1b}[2J\n- [ ] Tick \u{1b}]0;pwned\u{7} me\n",
        "h.md",
        &[],
    )
    .unwrap();
    assert!(!hostile.items[0].text.chars().any(|c| c.is_control()));
    assert!(!hostile.sections[0][0].chars().any(|c| c.is_control()));
}

#[test]
fn two_thousand_items_parse_quickly() {
    let mut text = String::from("# Big\n");
    for s in 0..40 {
        text.push_str(&format!("## Section {s}\n"));
        for i in 0..50 {
            text.push_str(&format!(
                "- [ ] Item {i} of section {s} <!-- due: T-{i}m -->\n"
            ));
        }
    }
    let started = std::time::Instant::now();
    let c = checklist::parse(&text, "big.md", &[]).unwrap();
    let view = checklist::view(
        &c,
        &[],
        |_| GateState::Unknown,
        Some(decision_at()),
        decision_at(),
    );
    assert_eq!(view.total, 2_000);
    // Generous for a loaded debug build; the benchmark measures the release figure.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn the_decision_section_is_checked_at_its_line() {
    let text = "[launch]\nname = \"x\"\n\n[decision]\nroles = [\"tech lead\", \"Tech Lead\"]\nrule = \"unanimous\"\n";
    let e = gonogo::config::load_str(text, std::path::Path::new("t.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("t.toml:4:1: [decision] roles: `Tech Lead` is listed twice"),
        "{e}"
    );
    let e = gonogo::config::load_str(
        "[launch]\nname = \"x\"\n[decision]\nroles = []\n",
        std::path::Path::new("t.toml"),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("t.toml:3:1: [decision] roles is empty"), "{e}");
    let e = gonogo::config::load_str(
        "[launch]\nname = \"x\"\n[decision]\nrule = \"loudest\"\n",
        std::path::Path::new("t.toml"),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("t.toml:4") && e.contains("loudest"), "{e}");
    let config = gonogo::config::load_str(
        "[launch]\nname = \"x\"\n[checklist]\npath = \"list.md\"\n",
        &std::path::Path::new("/etc/ops").join("gonogo.toml"),
    )
    .unwrap();
    assert_eq!(
        config.checklist_path.as_deref(),
        Some(std::path::Path::new("/etc/ops/list.md"))
    );
}
