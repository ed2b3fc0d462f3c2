//! `gonogo report` as a process against a seeded PostgreSQL at a fixed clock (`--now`): the
//! Markdown and each chart's SVG text as snapshots, each SVG rendered to PNG by Debian's
//! `rsvg-convert` at its stated size, untrusted text cleaned and addresses masked, secrets
//! kept out; an empty launch and a product table without `used_at` said in words, never as
//! empty charts; bad `--since`, `--now` and `--out` refused naming the flag.

mod support;

use chrono::{DateTime, TimeZone, Utc};
use gonogo::alerts::{AlertLine, Delivery, DeliveryOutcome, Severity};
use gonogo::config::DecisionSettings;
use gonogo::decision::{self, DecisionStore, Evidence, Freeze, GateSnapshot, VoteChoice};
use gonogo::gate::Transition;
use gonogo::gate::{GateState, Verdict};
use gonogo::journal::{Journal, JournalEvent, ObservedGate, PendingEvent};
use sqlx::PgPool;
use std::path::Path;
use std::process::Command;
use support::cli::{Env, command_gate, run};

const LAUNCH: &str = "Test launch";
const PASSWORD: &str = "Pg-Secret-9b1f2e";
const SINCE: &str = "2026-06-01T08:00:00Z";
const NOW: &str = "2026-06-01T20:00:00Z";

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, h, m, 0).unwrap()
}

/// The config: two required gates and an informational one whose title tries to bend a table.
fn env_for(pool: &PgPool) -> Env {
    let env = Env::new();
    let mut url = url::Url::parse(&support::db_url(pool)).unwrap();
    // Trust auth takes any password: the report must still never show it.
    url.set_password(Some(PASSWORD)).unwrap();
    env.write_config(&format!(
        "[postgres]\nurl = \"{url}\"\n\n{}{}[[gate]]\nid = \"status_page\"\n\
         title = \"Status | page <b>bold</b>\"\nsource = \"command\"\ncommand = [\"true\"]\n\
         pass = \"== 0\"\nrequired = false\n",
        command_gate("testers", r#"["true"]"#, ""),
        command_gate("sentry_p1", r#"["true"]"#, ""),
    ));
    env
}

/// A gate transition as a cockpit records it.
async fn gate(journal: &Journal, when: DateTime<Utc>, gate: &str, to: GateState, value: &str) {
    journal
        .record_transition(&Transition {
            gate: gate.into(),
            title: String::new(),
            required: gate != "status_page",
            at: when,
            from: GateState::Unknown,
            to,
            value: None,
            value_text: value.into(),
            error: None,
        })
        .await
        .unwrap();
}

async fn record(journal: &Journal, when: DateTime<Utc>, event: JournalEvent) {
    journal
        .record(&PendingEvent::new(when, event))
        .await
        .unwrap();
}

/// A launch day: gates going red and back, an alert, notes, sends and redemptions, a decision.
async fn seed(pool: &PgPool) {
    use GateState::*;
    gonogo::db::migrate(pool).await.unwrap();
    let alice = Journal::new(pool.clone(), LAUNCH, "alice");
    // Before the period: every gate green.
    for g in ["testers", "sentry_p1", "status_page"] {
        gate(&alice, at(6, 0), g, Pass, "0").await;
    }
    gate(&alice, at(9, 12), "sentry_p1", Fail, "3").await;
    record(
        &alice,
        at(9, 14),
        JournalEvent::Alert(AlertLine {
            id: "a1".into(),
            subject: "sentry_p1".into(),
            severity: Severity::Critical,
            title: "sentry_p1 is red | paging ops@example.com".into(),
            message: "3 P1 issues".into(),
            state: "fail".into(),
            changes: 1,
            raised_at: at(9, 14),
            coordinated: true,
            receiver: Some("https://hooks.example.com/…".into()),
        }),
    )
    .await;
    record(
        &alice,
        at(9, 15),
        JournalEvent::AlertDelivery(Delivery {
            alert_id: "a1".into(),
            outcome: DeliveryOutcome::Delivered,
            attempts: 1,
            status: Some(200),
            answer: String::new(),
            reason: String::new(),
            receiver: "https://hooks.example.com/…".into(),
            took_ms: 40,
        }),
    )
    .await;
    record(
        &alice,
        at(9, 30),
        JournalEvent::Note {
            text: "paged olivia@veza.fr | payments *on it*\u{1b}[2J".into(),
        },
    )
    .await;
    gate(&alice, at(10, 0), "sentry_p1", Pass, "0").await;
    gate(&alice, at(12, 0), "testers", Pending, "41").await;
    gate(&alice, at(13, 0), "testers", Pass, "57").await;
    gate(&alice, at(14, 30), "status_page", Unknown, "—").await;
    record(
        &alice,
        at(17, 40),
        JournalEvent::Note {
            text: "all green for the call".into(),
        },
    )
    .await;
    let observed = |gate: &str, state, since| ObservedGate {
        gate: gate.into(),
        state,
        value: Some("0".into()),
        error: None,
        since: Some(since),
        observed_at: at(19, 59),
        observer: "alice".into(),
    };
    alice
        .save_observations(&[
            observed("testers", Pass, at(13, 0)),
            observed("sentry_p1", Pass, at(10, 0)),
            observed("status_page", Unknown, at(14, 30)),
        ])
        .await
        .unwrap();
    ledger(pool).await;
    decide(pool).await;
}

/// A recipient, their cohort, when it was sent and when (if ever) it was redeemed.
type Sent = (&'static str, &'static str, (u32, u32), Option<(u32, u32)>);

/// Sends over three hours, and redemptions by two cohorts in this launch's invites only.
async fn ledger(pool: &PgPool) {
    let rows: [Sent; 7] = [
        ("ana@example.com", "creator-fr", (10, 5), Some((11, 20))),
        ("ben@example.com", "creator-fr", (10, 6), Some((12, 10))),
        ("cy@example.com", "press", (10, 7), None),
        ("dee@example.com", "press", (11, 1), Some((12, 40))),
        ("eve@example.com", "creator-fr", (11, 2), Some((12, 41))),
        ("fay@example.com", "press", (13, 3), None),
        ("gus@example.com", "creator-fr", (13, 4), Some((18, 0))),
    ];
    for (i, (email, cohort, sent, used)) in rows.into_iter().enumerate() {
        let invite = uuid::Uuid::new_v4();
        sqlx::query(
            "INSERT INTO public.beta_invites (id, code, email, cohort, used_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(invite)
        .bind(format!("CODE{i:012}"))
        .bind(email)
        .bind(cohort)
        .bind(used.map(|(h, m)| at(h, m)))
        .execute(pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO gonogo.dispatch (launch, batch, email, email_key, cohort, invite_id,
                 message_id, eml_path, eml_sha256, state, sent_at)
             VALUES ($1, 'wave-1', $2, $2, $3, $4, $5, 'x.eml', 'sha', 'sent', $6)",
        )
        .bind(LAUNCH)
        .bind(email)
        .bind(cohort)
        .bind(invite)
        .bind(format!("<{i}@gonogo.test>"))
        .bind(at(sent.0, sent.1))
        .execute(pool)
        .await
        .unwrap();
    }
    // Another launch's redemption is not this launch's funnel.
    sqlx::query(
        "INSERT INTO public.beta_invites (code, email, cohort, used_at)
         VALUES ('OTHERLAUNCH00001', 'zed@example.com', 'press', $1)",
    )
    .bind(at(12, 0))
    .execute(pool)
    .await
    .unwrap();
}

async fn decide(pool: &PgPool) {
    let settings = DecisionSettings::default();
    let store = DecisionStore::new(pool.clone(), LAUNCH, "bruno");
    for (i, role) in settings.roles.iter().enumerate() {
        let minute = 50 + u32::try_from(i).unwrap();
        decision::vote(
            &store,
            &settings,
            role,
            VoteChoice::Go,
            None,
            at(17, minute),
        )
        .await
        .unwrap();
    }
    let evidence = Evidence {
        verdict: Verdict::Go,
        gates: vec![GateSnapshot {
            id: "testers".into(),
            title: "Gate testers".into(),
            required: true,
            state: GateState::Pass,
            value: Some("57".into()),
            observed_at: Some(at(17, 59)),
        }],
        checklist: None,
    };
    let freeze = Freeze {
        settings: &settings,
        launch: LAUNCH,
        now: at(18, 0),
        override_gates: None,
    };
    decision::decide(&store, freeze, evidence).await.unwrap();
}

fn report(env: &Env, out: &Path, since: &str) -> (Option<i32>, String, String) {
    let out = out.to_str().unwrap();
    run(
        env,
        &[
            "report",
            "--operator",
            "carol",
            "--since",
            since,
            "--now",
            NOW,
            "--out",
            out,
        ],
    )
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.len() > 24, "a PNG has a header: {} bytes", png.len());
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&png[12..16], b"IHDR");
    let word = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (word(16), word(20))
}

/// The `width`/`height` the SVG states on its root element.
fn svg_size(svg: &str) -> (u32, u32) {
    let attr = |name: &str| -> u32 {
        let key = format!("{name}=\"");
        let start = svg
            .find(&key)
            .unwrap_or_else(|| panic!("no {name} in {svg:.200}"))
            + key.len();
        svg[start..].split('"').next().unwrap().parse().unwrap()
    };
    (attr("width"), attr("height"))
}

/// Renders `svg` with rsvg-convert and checks the PNG is there, non-empty, of the stated size.
fn renders_at_its_size(svg_path: &Path) {
    let svg = std::fs::read_to_string(svg_path).unwrap();
    let png_path = svg_path.with_extension("png");
    let status = Command::new("rsvg-convert")
        .arg("--format=png")
        .arg("--output")
        .arg(&png_path)
        .arg(svg_path)
        .status()
        .unwrap_or_else(|e| {
            panic!("rsvg-convert (Debian package librsvg2-bin, installed by scripts/test): {e}")
        });
    assert!(
        status.success(),
        "rsvg-convert failed on {}",
        svg_path.display()
    );
    let png = std::fs::read(&png_path).unwrap();
    assert!(
        png.len() > 1_000,
        "{} is {} bytes",
        png_path.display(),
        png.len()
    );
    assert_eq!(png_size(&png), svg_size(&svg), "{}", svg_path.display());
}

#[sqlx::test(migrations = false)]
async fn a_launch_day_reports_as_markdown_with_charts(pool: PgPool) {
    seed(&pool).await;
    let env = env_for(&pool);
    let out = env.path().join("out");
    let started = std::time::Instant::now();
    let (code, stdout, stderr) = report(&env, &out, SINCE);
    let took = started.elapsed();
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    eprintln!("gonogo report took {took:?} on the seeded launch");
    assert!(stderr.contains("(4 charts)"), "{stderr}");
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    for file in [
        "verdict.svg",
        "gates.svg",
        "dispatch.svg",
        "redemptions.svg",
    ] {
        assert!(md.contains(&format!("]({file})")), "{file} linked:\n{md}");
        let path = out.join(file);
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(!svg.contains(PASSWORD) && !svg.contains("olivia"), "{svg}");
        insta::assert_snapshot!(file.replace('.', "_"), svg);
        renders_at_its_size(&path);
    }
    assert!(!md.contains(PASSWORD), "{md}");
    assert!(!md.contains("olivia@") && !md.contains('\u{1b}'), "{md}");
    assert!(!md.contains("ops@example.com"), "{md}");
    assert!(!md.contains("<b>"), "no raw HTML: {md}");
    insta::assert_snapshot!("report_md", md);
    // The same data draws the same files.
    let again = env.path().join("again");
    let (code, _, stderr) = report(&env, &again, SINCE);
    assert_eq!(code, Some(0), "{stderr}");
    for file in [
        "report.md",
        "verdict.svg",
        "gates.svg",
        "dispatch.svg",
        "redemptions.svg",
    ] {
        assert_eq!(
            std::fs::read(out.join(file)).unwrap(),
            std::fs::read(again.join(file)).unwrap(),
            "{file} is deterministic"
        );
    }
}

#[sqlx::test(migrations = false)]
async fn an_empty_launch_says_so_and_draws_no_chart(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    let env = env_for(&pool);
    let out = env.path().join("out");
    // A chart left from an earlier report is not left lying next to this one.
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("verdict.svg"), "<svg/>").unwrap();
    let (code, stdout, stderr) = report(&env, &out, "12h");
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stderr.contains("(0 charts)"), "{stderr}");
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("No gate reading is on record for this period"),
        "{md}"
    );
    assert!(md.contains("No invitation was sent in the period"), "{md}");
    assert!(
        md.contains("No invitation of this launch was redeemed"),
        "{md}"
    );
    assert!(md.contains("No decision has been frozen"), "{md}");
    assert!(!md.contains(".svg"), "{md}");
    let files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, ["report.md"]);
}

#[sqlx::test(migrations = false)]
async fn without_used_at_the_funnel_is_said_to_be_unavailable(pool: PgPool) {
    seed(&pool).await;
    // A product whose table does not record redemptions.
    sqlx::query("ALTER TABLE public.beta_invites DROP COLUMN used_at")
        .execute(&pool)
        .await
        .unwrap();
    let env = env_for(&pool);
    let out = env.path().join("out");
    let (code, stdout, stderr) = report(&env, &out, SINCE);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("Redemption data is not available (the product's beta\\_invites table has no used\\_at column)"),
        "{md}"
    );
    assert!(!md.contains("redemptions.svg"), "{md}");
    assert!(!out.join("redemptions.svg").exists());
    assert!(out.join("dispatch.svg").exists());
}

#[test]
fn bad_flags_are_refused_naming_the_flag() {
    let env = Env::new();
    env.write_config("");
    let (code, _, err) = run(&env, &["report", "--since", "yesterday-ish"]);
    assert_eq!(code, Some(64), "{err}");
    assert!(
        err.contains("--since") && err.contains("yesterday-ish"),
        "{err}"
    );
    let (code, _, err) = run(&env, &["report", "--now", "noon"]);
    assert_eq!(code, Some(64), "{err}");
    assert!(err.contains("--now"), "{err}");
    // A directory under a regular file cannot be made, even by root.
    std::fs::write(env.path().join("plain"), "x").unwrap();
    let (code, _, err) = run(&env, &["report", "--out", "plain/report"]);
    assert_eq!(code, Some(74), "{err}");
    assert!(err.contains("--out plain/report"), "{err}");
}
