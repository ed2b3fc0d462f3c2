//! `gonogo invites prepare` on 5,000 recipients (the review with its database checks, 5,000
//! inserts, rendering, 5,000 private files), the release binary timed as a process (goal:
//! ≤ 5 s), side by side with the seed's loop of one `psql` INSERT per recipient on the same file
//! (goal: ≥ 20× faster). Needs PostgreSQL at `DATABASE_URL` (default the local one).

#[path = "support/launch_dir.rs"]
mod launch_dir;
#[path = "support/mod.rs"]
mod support;

use launch_dir::{LaunchDir, median};
use std::time::Instant;

const RECIPIENTS: usize = 5_000;
const RUNS: usize = 5;

async fn reset(pool: &sqlx::PgPool, dir: &LaunchDir) {
    sqlx::query("TRUNCATE gonogo.dispatch_history, gonogo.dispatch, public.beta_invites")
        .execute(pool)
        .await
        .unwrap();
    let _ = std::fs::remove_dir_all(dir.path().join("out"));
    let _ = std::fs::remove_dir_all(dir.path().join("seed-out"));
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let db = support::BenchDb::create("prepare").await;
        let pool = db.pool().await;
        support::database::users(&pool, &[]).await;
        let dir = LaunchDir::new(&db.url);
        dir.configure("send_cmd = \"true\"", "off");
        let file = dir.cohort(RECIPIENTS);
        let file_arg = file.to_str().unwrap();

        let mut gonogo = Vec::new();
        let mut seed = Vec::new();
        for run in 0..RUNS {
            reset(&pool, &dir).await;
            let timed = dir.run(&["invites", "prepare", file_arg, "--batch", "bench"]);
            assert_eq!(timed.code, Some(0), "{}{}", timed.stdout, timed.stderr);
            assert!(timed.stdout.contains("5000 prepared"), "{}", timed.stdout);
            gonogo.push(timed.wall.as_secs_f64());
            // The seed loop is slow (about 400 s here): one run, beside gonogo's first.
            if run == 0 {
                reset(&pool, &dir).await;
                let started = Instant::now();
                let status = std::process::Command::new("bash")
                    .arg(concat!(
                        env!("CARGO_MANIFEST_DIR"),
                        "/benches/compare/seed_prepare.sh"
                    ))
                    .arg(&db.url)
                    .arg(&file)
                    .arg(dir.path().join("seed-out"))
                    .status()
                    .unwrap();
                seed.push(started.elapsed().as_secs_f64());
                assert!(status.success());
                let n: i64 = sqlx::query_scalar("SELECT count(*) FROM beta_invites")
                    .fetch_one(&pool)
                    .await
                    .unwrap();
                assert_eq!(n, RECIPIENTS as i64);
            }
        }
        let g = median(gonogo.clone());
        let s = median(seed.clone());
        println!("dispatch_prepare: {RECIPIENTS} recipients, release binary, wall seconds per run");
        println!("  gonogo invites prepare: median {g:.2} s  (runs {gonogo:.2?}), goal <= 5 s");
        println!("  seed loop (psql per INSERT): median {s:.2} s  (runs {seed:.2?})");
        println!("  ratio seed / gonogo: {:.1}x, goal >= 20x", s / g);
        pool.close().await;
        db.drop_now().await;
    });
}
