//! `gonogo invites send|status|resolve` against a real SMTP server (aiosmtpd) and through
//! Debian's real msmtp: every message received once and parsed, temporary refusals retried,
//! permanent ones `failed` with the reply, a connection lost after the body `unknown` and never
//! resent by a run, the status JSON and exit codes, confirmation rules, and secrets kept out of
//! every output.

mod support;

use sqlx::PgPool;
use std::collections::HashMap;
use std::time::Duration;
use support::dispatch::{Rig, assert_no_duplicates, bare};
use support::smtp::{Received, Rule, SmtpServer};

const WAIT: Duration = Duration::from_secs(30);

/// Checks one received message against its ledger row: parts, headers, Message-ID, the link.
fn check_received(got: &Received, row: &support::dispatch::Row) {
    assert_eq!(got.message_id.as_deref(), Some(bare(&row.message_id)));
    assert_eq!(got.to, vec![row.email.clone()]);
    assert_eq!(got.rcpts, vec![row.email.clone()]);
    assert_eq!(got.from, vec!["beta@veza.fr".to_owned()]);
    let subject = got.subject.as_deref().unwrap_or_default();
    assert!(subject.contains("Test launch"), "{subject}");
    let link = format!("https://veza.fr/signup?invite={}", row.code);
    let text = got.text.as_deref().expect("a text part");
    let html = got.html.as_deref().expect("an HTML part");
    assert!(text.contains(&link), "{text}");
    assert!(html.contains(&link), "{html}");
    for part in [subject, text, html] {
        assert!(!part.contains("{{") && !part.contains("{%"), "{part}");
    }
    let raw = String::from_utf8_lossy(&got.raw);
    assert!(raw.contains("multipart/alternative"), "{raw}");
    // The stored bytes went out as they are (lettre adds one CRLF before the final dot).
    let stored = std::fs::read(&row.eml_path).unwrap();
    assert!(
        got.raw.starts_with(&stored),
        "{} differs from its .eml",
        row.email
    );
}

fn by_email(rows: &[support::dispatch::Row]) -> HashMap<String, support::dispatch::Row> {
    rows.iter().map(|r| (r.email.clone(), r.clone())).collect()
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

#[sqlx::test(migrations = false)]
async fn smtp_send_retries_fails_doubts_and_never_resends(pool: PgPool) {
    let server = SmtpServer::start(&[
        ("temp1@example.org", Rule::Rcpt451Once),
        ("temp2@example.org", Rule::Rcpt451Once),
        ("perm1@example.org", Rule::Rcpt550),
        ("perm2@example.org", Rule::Data550),
        ("doubt@example.org", Rule::DropAfterData),
    ]);
    let rig = Rig::new(&pool).await;
    // At an operator's pace a run claims one message at a time, so the 451s' retries come due
    // between the refusals; five refusals in a row would pause the run (tested elsewhere).
    rig.configure(&Rig::smtp(&server.url()), "rate = \"50/s\"", "");
    // Prepared one by one so the ledger's order (the order of claims) is this one: refusals
    // between successes, never five in a row whatever the order concurrent inserts would take.
    let order = [
        "ok0", "temp1", "ok1", "temp2", "ok2", "perm1", "ok3", "perm2", "doubt",
    ];
    for (i, who) in order.iter().enumerate() {
        let row = format!("{who}@example.org,creator-fr,{who},");
        let file = rig.cohort(&format!("wave-{i}.csv"), &[row]);
        rig.prepare(&file, "wave");
    }

    let (code, out, _) = rig.run(&["invites", "status", "--json"]);
    assert_eq!(code, Some(2), "pending: {out}");
    let doc = json(&out);
    assert_eq!(doc["batches"][0]["batch"], "wave");
    assert_eq!(doc["batches"][0]["total"], 9);
    assert_eq!(doc["batches"][0]["counts"]["prepared"], 9);

    // --dry-run walks the claims and sends nothing; without a terminal or --yes, refused.
    let (code, out, err) = rig.run(&["invites", "send", "--dry-run"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(out.matches("would send:").count(), 9, "{out}");
    let (code, out, err) = rig.run(&["invites", "send"]);
    assert_eq!(code, Some(64), "{out}{err}");
    assert!(err.contains("--yes"), "{err}");
    server.wait_quiet(Duration::from_millis(300), Duration::from_secs(30));
    assert_eq!(server.received_count(), 0);
    assert_eq!(rig.states().await.get("prepared"), Some(&9));

    let (code, out, err) = rig.run(&["invites", "send", "--yes"]);
    assert_eq!(code, Some(1), "failures make exit 1:\n{out}{err}");
    assert!(
        out.contains("run finished: 6 sent, 2 failed, 1 unknown"),
        "{out}"
    );
    let ledger = rig.ledger().await;
    let rows = by_email(&ledger);
    let received = server.received();
    let ids: Vec<String> = received
        .iter()
        .filter_map(|r| r.message_id.clone())
        .collect();
    assert_eq!(ids.len(), received.len(), "every message has a Message-ID");
    assert_no_duplicates(&ids);
    // Sent ones and the one dropped after its body (stored) reached the server.
    assert_eq!(received.len(), 7, "{ids:?}");
    for got in &received {
        let row = &rows[&got.rcpts[0]];
        check_received(got, row);
    }
    for i in 0..4 {
        let row = &rows[&format!("ok{i}@example.org")];
        assert_eq!((row.state.as_str(), row.attempts), ("sent", 1));
    }
    for who in ["temp1", "temp2"] {
        let row = &rows[&format!("{who}@example.org")];
        assert_eq!((row.state.as_str(), row.attempts), ("sent", 2), "{row:?}");
    }
    for who in ["perm1", "perm2"] {
        let row = &rows[&format!("{who}@example.org")];
        assert_eq!(row.state, "failed", "{row:?}");
        assert!(
            row.reason.as_deref().unwrap_or("").contains("550"),
            "{row:?}"
        );
    }
    let doubt = &rows["doubt@example.org"];
    assert_eq!(doubt.state, "unknown", "{doubt:?}");
    assert_eq!(doubt.attempts, 1);

    // A second run sends nothing: unknown is never resent by itself.
    let (code, out, err) = rig.run(&["invites", "send", "--yes"]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.contains("nothing to send"), "{out}");
    server.wait_quiet(Duration::from_millis(300), Duration::from_secs(30));
    assert_eq!(server.received_count(), 7);

    let (code, out, _) = rig.run(&["invites", "status", "--batch", "wave", "--json"]);
    assert_eq!(code, Some(1), "{out}");
    let doc = json(&out);
    let counts = &doc["batches"][0]["counts"];
    for (state, n) in [
        ("prepared", 0),
        ("sending", 0),
        ("sent", 6),
        ("failed", 2),
        ("unknown", 1),
    ] {
        assert_eq!(counts[state], n, "{state}: {counts}");
    }
    let messages = doc["messages"].as_array().expect("messages with --batch");
    assert_eq!(messages.len(), 9);
    for m in messages {
        for key in [
            "batch",
            "email",
            "state",
            "message_id",
            "attempts",
            "reason",
            "updated_at",
        ] {
            assert!(m.get(key).is_some(), "{key} missing in {m}");
        }
        let row = &rows[m["email"].as_str().unwrap()];
        assert_eq!(m["state"], row.state.as_str());
        assert_eq!(m["message_id"], row.message_id.as_str());
    }

    // The operator settles the doubt as "send again": the next run hands it over again, the
    // same bytes with the same Message-ID.
    let (code, out, err) = rig.run(&[
        "invites",
        "resolve",
        "doubt@example.org",
        "--as",
        "retry",
        "--reason",
        "the server lost it",
    ]);
    assert_eq!(code, Some(0), "{out}{err}");
    let (code, out, err) = rig.run(&["invites", "send", "--yes"]);
    assert_eq!(code, Some(1), "{out}{err}");
    let received = server.wait_for(8, WAIT);
    let again: Vec<&Received> = received
        .iter()
        .filter(|r| r.rcpts == vec!["doubt@example.org".to_owned()])
        .collect();
    assert_eq!(again.len(), 2);
    assert_eq!(again[0].raw, again[1].raw);
    let (code, _, _) = rig.run(&[
        "invites",
        "resolve",
        "doubt@example.org",
        "--as",
        "sent",
        "--reason",
        "it arrived",
    ]);
    assert_eq!(code, Some(0));
    let kinds: Vec<String> = rig.journal().await.into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        kinds.iter().filter(|k| *k == "dispatch_resolve").count(),
        2,
        "{kinds:?}"
    );
    assert!(
        kinds.iter().filter(|k| *k == "dispatch_run").count() >= 4,
        "{kinds:?}"
    );
    let (code, _, _) = rig.run(&[
        "invites",
        "resolve",
        "ok0@example.org",
        "--as",
        "sent",
        "--reason",
        "x",
    ]);
    assert_eq!(code, Some(64), "a sent message is not unknown");
}

#[sqlx::test(migrations = false)]
async fn status_exits_0_once_everything_is_sent(pool: PgPool) {
    let server = SmtpServer::start(&[]);
    let rig = Rig::new(&pool).await;
    rig.configure(&Rig::smtp(&server.url()), "rate = \"off\"", "");
    let (code, out, _) = rig.run(&["invites", "status"]);
    assert_eq!(code, Some(2), "nothing prepared: {out}");
    rig.prepare(&rig.clean_cohort("c.csv", 4), "c");
    let (code, out, err) = rig.run(&["invites", "send", "--yes", "--limit", "3"]);
    assert_eq!(code, Some(2), "one left: {out}{err}");
    assert_eq!(server.received_count(), 3);
    let (code, out, err) = rig.run(&["invites", "send", "--yes"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let (code, out, _) = rig.run(&["invites", "status", "--json"]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(json(&out)["batches"][0]["counts"]["sent"], 4);
    let ids: Vec<String> = server
        .received()
        .into_iter()
        .filter_map(|r| r.message_id)
        .collect();
    assert_eq!(ids.len(), 4);
    assert_no_duplicates(&ids);
}

#[sqlx::test(migrations = false)]
async fn production_needs_the_launch_name_typed(pool: PgPool) {
    let server = SmtpServer::start(&[]);
    let rig = Rig::new(&pool).await;
    rig.configure(
        &Rig::smtp(&server.url()),
        "rate = \"off\"",
        "environment = \"production\"",
    );
    rig.prepare(&rig.clean_cohort("c.csv", 2), "c");
    let (code, out, err) = rig.run(&["invites", "send", "--yes"]);
    assert_eq!(code, Some(64), "{out}{err}");
    let (code, out, err) = rig.run(&["invites", "send", "--yes", "--confirm", "Wrong launch"]);
    assert_eq!(code, Some(64), "{out}{err}");
    server.wait_quiet(Duration::from_millis(300), Duration::from_secs(30));
    assert_eq!(server.received_count(), 0);
    assert_eq!(rig.states().await.get("prepared"), Some(&2));
    let (code, out, err) = rig.run(&["invites", "send", "--yes", "--confirm", "Test launch"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(server.received_count(), 2);
}

#[sqlx::test(migrations = false)]
async fn msmtp_accepts_retries_fails_and_doubts(pool: PgPool) {
    let server = SmtpServer::start(&[
        ("temp@example.org", Rule::Rcpt451Once),
        ("perm@example.org", Rule::Rcpt550),
        ("doubt@example.org", Rule::DropAfterData),
    ]);
    let rig = Rig::new(&pool).await;
    rig.configure(
        &format!("send_cmd = \"{}\"", server.msmtp_cmd()),
        "rate = \"off\"",
        "",
    );
    let file = rig.cohort(
        "m.csv",
        &[
            "ok@example.org,creator-fr,Ok,".into(),
            "temp@example.org,creator-fr,Temp,".into(),
            "perm@example.org,creator-fr,Perm,".into(),
            "doubt@example.org,creator-fr,Doubt,".into(),
        ],
    );
    rig.prepare(&file, "m");
    let (code, out, err) = rig.run(&["invites", "send", "--yes"]);
    assert_eq!(code, Some(1), "{out}{err}");
    let ledger = rig.ledger().await;
    let rows = by_email(&ledger);
    let state = |who: &str| {
        let r = &rows[&format!("{who}@example.org")];
        (
            r.state.clone(),
            r.attempts,
            r.reason.clone().unwrap_or_default(),
        )
    };
    assert_eq!(
        state("ok").0,
        "sent",
        "{:?}\n{}",
        state("ok"),
        server.msmtp_log()
    );
    let (s, attempts, _) = state("temp");
    assert_eq!((s.as_str(), attempts), ("sent", 2), "{:?}", state("temp"));
    let (s, _, reason) = state("perm");
    assert_eq!(s, "failed");
    assert!(reason.contains("550"), "{reason}");
    let (s, _, reason) = state("doubt");
    assert_eq!(s, "unknown", "{reason}");
    let received = server.received();
    assert_eq!(received.len(), 3);
    let ids: Vec<String> = received
        .iter()
        .filter_map(|r| r.message_id.clone())
        .collect();
    assert_no_duplicates(&ids);
    for got in &received {
        check_received(got, &rows[&got.rcpts[0]]);
    }
    let (code, out, _) = rig.run(&["invites", "send", "--yes"]);
    assert!(out.contains("nothing to send"), "{out}");
    assert_eq!(code, Some(1));
    assert_eq!(server.received_count(), 3);
}

#[sqlx::test(migrations = false)]
async fn an_smtp_password_never_leaves_the_config(pool: PgPool) {
    let password = "Pa55-w0rd_Secret-Value";
    let server = SmtpServer::start(&[]);
    let rig = Rig::new(&pool).await;
    rig.configure(
        &format!(
            "smtp_url = \"smtp://ops:${{SMTP_PASSWORD}}@127.0.0.1:{}?tls=none\"",
            server.port()
        ),
        "rate = \"off\"",
        "",
    );
    let file = rig.clean_cohort("s.csv", 6);
    let mut outputs = String::new();
    let mut run = |args: &[&str]| rig.run_with_password(password, &mut outputs, args);
    assert_eq!(
        run(&["invites", "prepare", file.to_str().unwrap(), "--json"]),
        Some(0)
    );
    run(&["invites", "preview"]);
    run(&["invites", "test-send", "me@example.org"]);
    run(&["invites", "send", "--dry-run"]);
    // The server offers no AUTH: every hand-over fails before the body, the run pauses.
    run(&["invites", "send", "--yes"]);
    run(&["invites", "status", "--json"]);
    run(&["config", "check"]);
    assert!(
        outputs.contains("ops:[redacted]@") || outputs.contains("[redacted]"),
        "{outputs}"
    );
    assert!(outputs.contains("paused"), "{outputs}");
    let encoded = "Pa55-w0rd_Secret-Value".replace('-', "%2D");
    for text in [password, encoded.as_str()] {
        assert!(
            !outputs.contains(text),
            "password in the output:\n{outputs}"
        );
    }
    let states = rig.states().await;
    assert_eq!(states.get("prepared"), Some(&6), "{states:?}");
    for row in rig.ledger().await {
        let eml = std::fs::read_to_string(&row.eml_path).unwrap();
        assert!(!eml.contains(password), "{}", row.eml_path);
        assert!(!row.reason.unwrap_or_default().contains(password));
    }
    for (kind, data) in rig.journal().await {
        assert!(!data.contains(password), "{kind}: {data}");
    }
    let history: Vec<String> = sqlx::query_scalar("SELECT detail FROM gonogo.dispatch_history")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(history.iter().all(|d| !d.contains(password)), "{history:?}");
    for log in std::fs::read_dir(rig.path().join("logs"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let text = std::fs::read_to_string(log.path()).unwrap_or_default();
        assert!(!text.contains(password), "{}", log.path().display());
    }
}
