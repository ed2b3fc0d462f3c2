//! `gonogo invites prepare` as an operator runs it, on a real database: the codes in
//! `beta_invites`, the ledger rows and their `.eml` files (mode 0600, SHA-256, a parsed
//! multipart/alternative message), reruns that add only what is missing, template errors that
//! write nothing, a failed recipient retried alone, hostile cells that cannot add a header, and
//! the cohort review's hard and soft findings.

mod support;

use mail_parser::{HeaderName, MessageParser, MimeHeaders};
use sha2::Digest;
use sqlx::PgPool;
use std::os::unix::fs::PermissionsExt;
use support::dispatch::{Rig, bare};

const ALPHABET: &str = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A transport that is never used by prepare (but must exist for the config to be whole).
const NO_SEND: &str = "send_cmd = \"true\"";

fn header_names(raw: &[u8]) -> Vec<String> {
    let message = MessageParser::default().parse(raw).expect("parse the .eml");
    message
        .headers()
        .iter()
        .map(|h| h.name().to_ascii_lowercase())
        .collect()
}

fn eml_files(rig: &Rig) -> Vec<std::path::PathBuf> {
    let out = rig.path().join("out");
    let mut files = Vec::new();
    for batch in std::fs::read_dir(&out).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(batch.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            files.push(f.path());
        }
    }
    files
}

#[sqlx::test(migrations = false)]
async fn prepare_writes_codes_ledger_rows_and_private_messages(pool: PgPool) {
    let rig = Rig::new(&pool).await;
    rig.configure(NO_SEND, "", "");
    let file = rig.clean_cohort("wave1.csv", 3);
    let out = rig.prepare(&file, "wave1");
    assert!(
        out.contains("3 prepared, 0 already in the batch, 0 failed"),
        "{out}"
    );

    let rows = rig.ledger().await;
    assert_eq!(rows.len(), 3);
    assert_eq!(rig.invites_count().await, 3);
    let mut codes = std::collections::HashSet::new();
    for row in &rows {
        assert_eq!(row.state, "prepared");
        assert_eq!(row.batch, "wave1");
        assert_eq!(row.code.len(), 16, "{}", row.code);
        assert!(
            row.code.chars().all(|c| ALPHABET.contains(c)),
            "{}",
            row.code
        );
        assert!(codes.insert(row.code.clone()), "code {} twice", row.code);
        let bytes = std::fs::read(&row.eml_path).expect("the .eml exists");
        assert_eq!(hex::encode(sha2::Sha256::digest(&bytes)), row.eml_sha256);
        let mode = std::fs::metadata(&row.eml_path)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{} has mode {mode:o}", row.eml_path);

        let message = MessageParser::default().parse(&bytes).expect("parse");
        let ct = message.content_type().expect("a Content-Type");
        assert_eq!(
            (ct.ctype(), ct.subtype()),
            ("multipart", Some("alternative")),
            "{ct:?}"
        );
        let text = message.body_text(0).expect("a text part").into_owned();
        let html = message.body_html(0).expect("an HTML part").into_owned();
        assert_eq!(message.text_body.len(), 1);
        assert_eq!(message.html_body.len(), 1);
        let link = format!("https://veza.fr/signup?invite={}", row.code);
        assert!(text.contains(&link), "{text}");
        assert!(html.contains(&link), "{html}");
        for body in [&text, &html] {
            assert!(!body.contains("{{") && !body.contains("{%"), "{body}");
        }
        assert_eq!(
            message
                .to()
                .and_then(|a| a.first())
                .and_then(|a| a.address()),
            Some(row.email.as_str())
        );
        assert_eq!(
            message
                .from()
                .and_then(|a| a.first())
                .and_then(|a| a.address()),
            Some("beta@veza.fr")
        );
        assert_eq!(
            message
                .reply_to()
                .and_then(|a| a.first())
                .and_then(|a| a.address()),
            Some("ops@veza.fr")
        );
        let subject = message.subject().expect("a subject");
        assert!(subject.contains("Test launch"), "{subject}");
        assert!(!subject.contains("{{"), "{subject}");
        assert!(message.date().is_some(), "no Date");
        assert_eq!(message.message_id(), Some(bare(&row.message_id)));
        assert!(row.message_id.ends_with("@veza.fr>"), "{}", row.message_id);
        let names = header_names(&bytes);
        for name in ["to", "from", "reply-to", "subject", "date", "message-id"] {
            assert_eq!(
                names.iter().filter(|n| *n == name).count(),
                1,
                "{name}: {names:?}"
            );
        }
    }

    // The same file and batch again: nothing new.
    let out = rig.prepare(&file, "wave1");
    assert!(out.contains("0 prepared, 3 already in the batch"), "{out}");
    assert_eq!(rig.invites_count().await, 3);
    // Two more recipients appended: only they are added.
    let file = rig.clean_cohort("wave1.csv", 5);
    let out = rig.prepare(&file, "wave1");
    assert!(out.contains("2 prepared, 3 already in the batch"), "{out}");
    assert_eq!(rig.invites_count().await, 5);
    assert_eq!(rig.ledger().await.len(), 5);
    let kinds: Vec<String> = rig.journal().await.into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        kinds.iter().filter(|k| *k == "invites_prepared").count(),
        3,
        "{kinds:?}"
    );
}

#[sqlx::test(migrations = false)]
async fn template_errors_name_the_file_and_line_and_write_nothing(pool: PgPool) {
    let rig = Rig::new(&pool).await;
    rig.configure(NO_SEND, "", "");
    let file = rig.clean_cohort("c.csv", 3);
    let template = rig.path().join("templates/beta_invite");
    let original = std::fs::read_to_string(template.join("body.txt")).unwrap();

    std::fs::write(
        template.join("body.txt"),
        "Hello,\n\nYour code: {{ code }}\nSee {{ singup_url }}\n",
    )
    .unwrap();
    let (code, out, err) = rig.run(&["invites", "prepare", file.to_str().unwrap()]);
    assert_eq!(code, Some(78), "{out}{err}");
    assert!(err.contains("body.txt line 4"), "{err}");
    assert!(err.contains("undefined"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");

    std::fs::write(template.join("body.txt"), &original).unwrap();
    std::fs::write(
        template.join("body.html"),
        "<p>Hello</p>\n<p>\n{% if code %}<b>{{ code }}</b>\n</p>\n",
    )
    .unwrap();
    let (code, out, err) = rig.run(&["invites", "prepare", file.to_str().unwrap()]);
    assert_eq!(code, Some(78), "{out}{err}");
    assert!(err.contains("body.html line"), "{err}");

    assert_eq!(rig.invites_count().await, 0);
    assert!(rig.ledger().await.is_empty());
    assert!(eml_files(&rig).is_empty(), "{:?}", eml_files(&rig));
}

#[sqlx::test(migrations = false)]
async fn a_failed_recipient_is_listed_with_its_line_and_retried_alone(pool: PgPool) {
    let rig = Rig::new(&pool).await;
    rig.configure(NO_SEND, "", "");
    sqlx::query("INSERT INTO users (email) VALUES ('lead@veza.fr')")
        .execute(&pool)
        .await
        .unwrap();
    let file = rig.cohort(
        "c.csv",
        &[
            "ana@example.org,creator-fr,Ana,lead@veza.fr".into(),
            "bob@example.org,creator-fr,Bob,nobody@veza.fr".into(),
            "cleo@example.org,creator-fr,Cleo,".into(),
        ],
    );
    let (code, out, err) = rig.run(&["invites", "prepare", file.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        out.contains("2 prepared, 0 already in the batch, 1 failed"),
        "{out}"
    );
    assert!(out.contains("line 3: bob@example.org"), "{out}");
    assert!(out.contains("nobody@veza.fr"), "{out}");
    let emails: Vec<String> = rig.ledger().await.into_iter().map(|r| r.email).collect();
    assert_eq!(emails.len(), 2, "{emails:?}");
    assert!(!emails.contains(&"bob@example.org".to_owned()));
    assert_eq!(rig.invites_count().await, 2);
    assert_eq!(eml_files(&rig).len(), 2, "the failed one's file is removed");

    sqlx::query("INSERT INTO users (email) VALUES ('nobody@veza.fr')")
        .execute(&pool)
        .await
        .unwrap();
    let (code, out, err) = rig.run(&["invites", "prepare", file.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("1 prepared, 2 already in the batch, 0 failed"),
        "{out}"
    );
    assert_eq!(rig.invites_count().await, 3);
    let sent_by: Option<uuid::Uuid> =
        sqlx::query_scalar("SELECT sent_by FROM beta_invites WHERE email = 'bob@example.org'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let nobody: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'nobody@veza.fr'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(sent_by, Some(nobody));
}

#[sqlx::test(migrations = false)]
async fn hostile_names_cannot_add_or_bend_a_header(pool: PgPool) {
    let rig = Rig::new(&pool).await;
    rig.configure(NO_SEND, "", "");
    let file = rig.cohort(
        "c.csv",
        &[
            "ana@example.org,creator-fr,\"Ana\r\nBcc: victim@evil.test\r\nX-Injected: 1\",".into(),
            "bob@example.org,creator-fr,\"Bob\nSubject: pwned\",".into(),
            "cleo@example.org,creator-fr,\"Cleo\u{7}\u{1b}[31m <x@evil.test>\",".into(),
        ],
    );
    let out = rig.prepare(&file, "hostile");
    assert!(out.contains("3 prepared"), "{out}");
    for row in rig.ledger().await {
        let raw = std::fs::read(&row.eml_path).unwrap();
        let names = header_names(&raw);
        assert!(
            !names.iter().any(|n| n == "bcc" || n == "x-injected"),
            "{}: {names:?}",
            row.email
        );
        assert_eq!(
            names.iter().filter(|n| *n == "subject").count(),
            1,
            "{names:?}"
        );
        assert_eq!(names.iter().filter(|n| *n == "to").count(), 1, "{names:?}");
        let message = MessageParser::default().parse(&raw).unwrap();
        let to = message.to().expect("To");
        assert_eq!(to.iter().count(), 1, "{to:?}");
        assert_eq!(
            to.first().and_then(|a| a.address()),
            Some(row.email.as_str())
        );
        // The name is the subject's first words (its line breaks made harmless), never a header.
        let subject = message.subject().unwrap_or_default();
        assert!(
            subject.ends_with(", your invitation to the Test launch beta"),
            "{subject:?}"
        );
        assert!(
            !subject.contains('\n') && !subject.contains('\r'),
            "{subject:?}"
        );
        let head = String::from_utf8_lossy(&raw);
        let head = head.split("\r\n\r\n").next().unwrap();
        assert!(
            !head.contains("\u{1b}") && !head.contains("\u{7}"),
            "{head:?}"
        );
        assert!(
            message
                .header_values(HeaderName::Other("Bcc".into()))
                .next()
                .is_none()
        );
    }
}

#[sqlx::test(migrations = false)]
async fn hard_findings_refuse_and_soft_ones_need_force_with_a_reason(pool: PgPool) {
    let rig = Rig::new(&pool).await;
    rig.configure(NO_SEND, "", "");
    let bad = rig.cohort(
        "bad.csv",
        &[
            "ana@example.org,creator-fr,Ana,".into(),
            "not-an-email,creator-fr,Bob,".into(),
        ],
    );
    let (code, out, err) = rig.run(&["invites", "prepare", bad.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.contains("malformed_email"), "{out}");
    assert!(err.contains("blocks this file"), "{err}");
    assert_eq!(rig.invites_count().await, 0);

    sqlx::query("INSERT INTO users (email) VALUES ('bob@example.org')")
        .execute(&pool)
        .await
        .unwrap();
    let soft = rig.cohort(
        "soft.csv",
        &[
            "ana@example.org,creator-fr,Ana,".into(),
            "bob@example.org,creator-fr,Bob,".into(),
        ],
    );
    let (code, out, err) = rig.run(&["invites", "prepare", soft.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.contains("existing_user"), "{out}");
    assert!(err.contains("--force --reason"), "{err}");
    assert_eq!(rig.invites_count().await, 0);
    assert!(eml_files(&rig).is_empty());

    let (code, _, err) = rig.run(&["invites", "prepare", soft.to_str().unwrap(), "--force"]);
    assert_eq!(code, Some(64), "--force without --reason: {err}");
    let (code, out, err) = rig.run(&[
        "invites",
        "prepare",
        soft.to_str().unwrap(),
        "--force",
        "--reason",
        "bob asked to be invited again",
    ]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(rig.invites_count().await, 2);
    let overrides: Vec<String> = rig
        .journal()
        .await
        .into_iter()
        .filter(|(k, _)| k == "cohort_override")
        .map(|(_, d)| d)
        .collect();
    assert_eq!(overrides.len(), 1, "{overrides:?}");
    assert!(
        overrides[0].contains("bob asked to be invited again"),
        "{overrides:?}"
    );
}

/// Two prepares of one batch at once (two operators): each recipient once, and every row's
/// `.eml` there and matching its SHA-256 — the one that lost a recipient removes only its own file.
#[sqlx::test(migrations = false)]
async fn two_prepares_at_once_leave_every_row_its_own_file(pool: PgPool) {
    let rig = Rig::new(&pool).await;
    rig.configure(NO_SEND, "", "");
    let file = rig.clean_cohort("wave1.csv", 40);
    let path = file.to_str().unwrap();
    let args = ["invites", "prepare", path, "--batch", "wave1"];
    let (first, second) = tokio::join!(rig.run_async(&args), rig.run_async(&args));
    for (code, out, err) in [&first, &second] {
        assert!(matches!(code, Some(0) | Some(1)), "{out}{err}");
    }
    let rows = rig.ledger().await;
    assert_eq!(rows.len(), 40, "each recipient once");
    for row in &rows {
        let bytes = std::fs::read(&row.eml_path)
            .unwrap_or_else(|e| panic!("{} is gone: {e}", row.eml_path));
        assert_eq!(
            hex::encode(sha2::Sha256::digest(&bytes)),
            row.eml_sha256,
            "{} is another prepare's file",
            row.eml_path
        );
    }
    assert_eq!(
        eml_files(&rig).len(),
        40,
        "no file left over: {:?}",
        eml_files(&rig)
    );
}
