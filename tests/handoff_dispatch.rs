//! The handoff report's dispatch section against a real ledger: per batch its counts, the
//! unknowns to settle and the failures, and a ledger that cannot be read said as such.

mod support;

use gonogo::config::load_str;
use gonogo::handoff::{self, Section};
use gonogo::journal::Journal;
use sqlx::PgPool;
use std::path::Path;

fn config(url: &str) -> gonogo::config::Config {
    let text = format!(
        "[launch]\nname = \"Handoff launch\"\n\n[postgres]\nurl = \"{url}\"\n\n\
         [invites]\nfrom = \"Beta <beta@example.org>\"\nsignup_url = \"https://x.test/?c={{{{ code }}}}\"\n\n\
         [[gate]]\nid = \"one\"\ntitle = \"One\"\nsource = \"postgres\"\nquery = \"SELECT 1\"\npass = \"== 1\"\n"
    );
    load_str(&text, Path::new("h.toml")).unwrap()
}

async fn message(pool: &PgPool, email: &str, state: &str, reason: Option<&str>) {
    sqlx::query(
        "WITH invite AS (INSERT INTO public.beta_invites (code, email, cohort)
                         VALUES (upper(substr(md5($1), 1, 16)), $1, 'creator-fr') RETURNING id)
         INSERT INTO gonogo.dispatch (launch, batch, email, email_key, cohort, invite_id, message_id,
                                      eml_path, eml_sha256, state, reason)
         SELECT 'Handoff launch', 'wave-1', $1, lower($1), 'creator-fr', invite.id,
                '<' || $1 || '>', '/nowhere', 'x', $2, $3 FROM invite",
    )
    .bind(email)
    .bind(state)
    .bind(reason)
    .execute(pool)
    .await
    .unwrap();
}

#[sqlx::test(migrations = false)]
async fn the_report_has_the_ledger_and_what_needs_an_operator(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    for i in 0..3 {
        message(
            &pool,
            &format!("sent{i}@example.org"),
            "sent",
            Some("250 ok"),
        )
        .await;
    }
    message(&pool, "waiting@example.org", "prepared", None).await;
    message(
        &pool,
        "gone@example.org",
        "failed",
        Some("550 5.1.1 no such mailbox"),
    )
    .await;
    message(
        &pool,
        "doubt@example.org",
        "unknown",
        Some("after the body: connection lost"),
    )
    .await;
    let config = config(&support::db_url(&pool));
    let journal = Journal::new(pool.clone(), "Handoff launch", "olivia");
    let report = handoff::gather(&journal, &config, None, chrono::Utc::now())
        .await
        .unwrap();
    let Some(Section::Dispatch(section)) = report.sections.last() else {
        panic!("no dispatch section: {:?}", report.sections);
    };
    assert_eq!(section.batches.len(), 1);
    let b = &section.batches[0];
    assert_eq!(
        (b.sent, b.pending, b.failed, b.unknown, b.total),
        (3, 1, 1, 1, 6)
    );
    let md = handoff::markdown(&report);
    assert!(md.contains("## Invite dispatch"), "{md}");
    assert!(md.contains("| wave-1 | 3 | 1 | 1 | 1 | 6 |"), "{md}");
    assert!(
        md.contains("doubt@example.org (wave-1): after the body: connection lost"),
        "{md}"
    );
    assert!(
        md.contains("gone@example.org (wave-1): 550 5.1.1 no such mailbox"),
        "{md}"
    );
    let json = serde_json::to_value(&report).unwrap();
    let dispatch = json["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["section"] == "dispatch")
        .expect("a dispatch section in the JSON");
    assert_eq!(dispatch["unknown"][0]["email"], "doubt@example.org");
}

#[sqlx::test(migrations = false)]
async fn a_config_without_invites_has_no_dispatch_section(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    let url = support::db_url(&pool);
    let text = format!(
        "[launch]\nname = \"Handoff launch\"\n\n[postgres]\nurl = \"{url}\"\n\n\
         [[gate]]\nid = \"one\"\ntitle = \"One\"\nsource = \"postgres\"\nquery = \"SELECT 1\"\npass = \"== 1\"\n"
    );
    let config = load_str(&text, Path::new("h.toml")).unwrap();
    let journal = Journal::new(pool.clone(), "Handoff launch", "olivia");
    let report = handoff::gather(&journal, &config, None, chrono::Utc::now())
        .await
        .unwrap();
    assert!(
        !report
            .sections
            .iter()
            .any(|s| matches!(s, Section::Dispatch(_)))
    );
}
