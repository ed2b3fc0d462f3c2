//! `gonogo invites send` on 5,000 prepared messages, the release binary as a process:
//! over SMTP with the rate limit off to the rehearsal's in-process loopback server and to the
//! tests' aiosmtpd (goal ≥ 500 msg/s), through msmtp (one process per message, reported), the
//! rate limiter at 20/s over 60 s (goal within ±2 %), and the run's peak RSS (goal ≤ 50 MB).
//! Needs PostgreSQL at `DATABASE_URL`, msmtp, and `GONOGO_TEST_PYTHON` (aiosmtpd 1.4.6).

#[path = "support/launch_dir.rs"]
mod launch_dir;
#[path = "../tests/support/smtp.rs"]
#[allow(dead_code)]
mod smtp;
#[path = "support/mod.rs"]
mod support;

use launch_dir::{LaunchDir, Timed, median};

const MESSAGES: usize = 5_000;

async fn reset(pool: &sqlx::PgPool) {
    sqlx::query(
        "UPDATE gonogo.dispatch SET state = 'prepared', attempts = 0, next_attempt_at = NULL,
                run_id = NULL, sent_at = NULL, reason = NULL",
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("DELETE FROM gonogo.dispatch_pace")
        .execute(pool)
        .await
        .unwrap();
}

/// Messages sent, and their rate between the first and the last hand-over.
async fn sent_span(pool: &sqlx::PgPool) -> (i64, f64) {
    let (n, span): (i64, Option<f64>) = sqlx::query_as(
        "SELECT count(*), EXTRACT(EPOCH FROM max(sent_at) - min(sent_at))::float8
         FROM gonogo.dispatch WHERE state = 'sent'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    (n, (n - 1) as f64 / span.unwrap_or(f64::NAN))
}

fn send(dir: &LaunchDir, extra: &[&str]) -> Timed {
    let mut args = vec!["invites", "send", "--yes"];
    args.extend_from_slice(extra);
    let timed = dir.run(&args);
    assert!(
        matches!(timed.code, Some(0 | 2)),
        "{}{}",
        timed
            .stdout
            .lines()
            .rev()
            .take(5)
            .collect::<Vec<_>>()
            .join("\n"),
        timed.stderr
    );
    timed
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let db = support::BenchDb::create("send").await;
        let pool = db.pool().await;
        support::database::users(&pool, &[]).await;
        let demo = gonogo::demo::smtp::start(gonogo::demo::smtp::DemoSmtpScript::new())
            .await
            .expect("the demo SMTP server");
        let dir = LaunchDir::new(&db.url);
        let demo_transport = format!("smtp_url = \"{}?tls=none\"", demo.url());
        dir.configure(&demo_transport, "off");
        let file = dir.cohort(MESSAGES);
        let prepared = dir.run(&["invites", "prepare", file.to_str().unwrap(), "--batch", "b"]);
        assert_eq!(prepared.code, Some(0), "{}{}", prepared.stdout, prepared.stderr);

        println!("dispatch_send: {MESSAGES} messages, release binary (a 2-core machine shared with other builds)");
        let mut walls = Vec::new();
        let mut spans = Vec::new();
        let mut rss = Vec::new();
        for _ in 0..3 {
            reset(&pool).await;
            let before = demo.received_count();
            let timed = send(&dir, &[]);
            assert_eq!(demo.received_count() - before, MESSAGES as u64);
            let (n, rate) = sent_span(&pool).await;
            assert_eq!(n, MESSAGES as i64);
            walls.push(MESSAGES as f64 / timed.wall.as_secs_f64());
            spans.push(rate);
            rss.push(timed.peak_rss_kb as f64 / 1024.0);
        }
        println!(
            "  SMTP, rate off, in-process demo server: {:.0} msg/s over the whole process (runs {walls:.0?}), {:.0} msg/s between first and last hand-over; goal >= 500",
            median(walls.clone()),
            median(spans.clone())
        );
        println!("  peak RSS of the send run: median {:.1} MB (runs {rss:.1?}); goal <= 50 MB", median(rss.clone()));

        // The tests' aiosmtpd: a Python server writing two files per message.
        let server = smtp::SmtpServer::start(&[]);
        dir.configure(&format!("smtp_url = \"{}?tls=none\"", server.url()), "off");
        reset(&pool).await;
        let timed = send(&dir, &[]);
        assert_eq!(server.received_count(), MESSAGES);
        let (_, rate) = sent_span(&pool).await;
        println!(
            "  SMTP, rate off, aiosmtpd: {:.0} msg/s over the whole process, {rate:.0} msg/s between first and last; peak RSS {:.1} MB",
            MESSAGES as f64 / timed.wall.as_secs_f64(),
            timed.peak_rss_kb as f64 / 1024.0
        );

        // msmtp: one process per message, to the same aiosmtpd.
        let msmtp_count = 1_000;
        dir.configure(&format!("send_cmd = \"{}\"", server.msmtp_cmd()), "off");
        reset(&pool).await;
        let limit = msmtp_count.to_string();
        let timed = send(&dir, &["--limit", &limit]);
        let (n, rate) = sent_span(&pool).await;
        assert_eq!(n, msmtp_count);
        println!(
            "  msmtp -t (one process per message), rate off, {msmtp_count} messages: {:.0} msg/s over the whole process, {rate:.0} msg/s between first and last",
            msmtp_count as f64 / timed.wall.as_secs_f64()
        );

        // The rate limiter: 20/s for 60 s, to the demo server.
        dir.configure(&demo_transport, "off");
        reset(&pool).await;
        let timed = send(&dir, &["--rate", "20/s", "--limit", "1201"]);
        let (n, rate) = sent_span(&pool).await;
        assert_eq!(n, 1201);
        println!(
            "  rate limiter at 20/s: {n} messages in {:.1} s, {rate:.3} msg/s between first and last hand-over ({:+.2} %); goal within ±2 %",
            timed.wall.as_secs_f64(),
            (rate / 20.0 - 1.0) * 100.0
        );
        drop(server);
        pool.close().await;
        db.drop_now().await;
    });
}
