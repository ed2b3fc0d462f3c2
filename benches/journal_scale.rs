//! A journal of 100,000 lines (`GONOGO_LINES` to change) over the last day: how long
//! `gonogo handoff --since 24h` takes as a process, and how long a cockpit takes from start to
//! its first full frame with the journal read (a headless driver drawing at 160x48). Medians
//! of 5 runs each.

#[path = "support/mod.rs"]
mod support;

use gonogo::config::load_str;
use gonogo::tui::driver::Driver;
use gonogo::tui::keymap::Keymap;
use gonogo::tui::timeline::TimelineSource;
use gonogo::tui::{CockpitOptions, render};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::Path;
use std::time::{Duration, Instant};

const GATES: &[&str] = &[
    "testers",
    "sentry_p1",
    "status_page",
    "synthetic",
    "k6_nightly",
    "backup",
];

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let lines: i64 = std::env::var("GONOGO_LINES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = runtime.block_on(support::BenchDb::create("scale"));
    runtime.block_on(async {
        let pool = db.pool().await;
        // Gate transitions alternating pass/fail per gate, notes in between, spread evenly
        // over the last 23 hours (all inside `--since 24h` however long the runs take).
        sqlx::query(
            "INSERT INTO gonogo.journal (at, launch, kind, actor, gate, from_state, to_state, value, message, data)
             SELECT now() - interval '23 hours' + (i * interval '23 hours' / $1),
                    'Scale launch',
                    CASE WHEN i % 5 = 0 THEN 'note' ELSE 'gate' END,
                    'op' || (i % 3),
                    CASE WHEN i % 5 = 0 THEN NULL ELSE ($2::text[])[1 + i % 6] END,
                    CASE WHEN i % 5 = 0 THEN NULL WHEN (i / 6) % 2 = 0 THEN 'pass' ELSE 'fail' END,
                    CASE WHEN i % 5 = 0 THEN NULL WHEN (i / 6) % 2 = 0 THEN 'fail' ELSE 'pass' END,
                    CASE WHEN i % 5 = 0 THEN NULL ELSE (i % 100)::text END,
                    CASE WHEN i % 5 = 0 THEN 'note number ' || i ELSE '' END,
                    CASE WHEN i % 5 = 0 THEN jsonb_build_object('text', 'note number ' || i)
                         ELSE jsonb_build_object('title', 'Gate', 'required', true) END
             FROM generate_series(1, $1) AS i",
        )
        .bind(lines)
        .bind(GATES.iter().map(|g| g.to_string()).collect::<Vec<_>>())
        .execute(&pool)
        .await
        .unwrap();
        sqlx::query("ANALYZE gonogo.journal").execute(&pool).await.unwrap();
        pool.close().await;
    });
    let dir = tempfile::tempdir().unwrap();
    let mut config = format!(
        "[launch]\nname = \"Scale launch\"\ndecision_at = \"2030-01-01T18:00:00Z\"\n\n[postgres]\nurl = \"{}\"\n",
        db.url
    );
    for gate in GATES {
        config.push_str(&format!(
            "\n[[gate]]\nid = \"{gate}\"\nsource = \"command\"\ncommand = [\"true\"]\npass = \"== 0\"\nevery = \"30s\"\n"
        ));
    }
    let config_path = dir.path().join("gonogo.toml");
    std::fs::write(&config_path, &config).unwrap();

    let mut handoff = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_gonogo"))
            .args([
                "--config",
                config_path.to_str().unwrap(),
                "handoff",
                "--since",
                "24h",
            ])
            .env("GONOGO_LOG_DIR", dir.path().join("logs"))
            .output()
            .unwrap();
        handoff.push(started.elapsed().as_secs_f64() * 1000.0);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let transitions = lines - lines / 5;
        assert!(
            text.contains(&format!("## Transitions ({transitions})")),
            "every transition is in the report"
        );
    }

    let mut first_frame = Vec::new();
    for _ in 0..5 {
        let config = load_str(&config, Path::new("bench.toml")).unwrap();
        let ms = runtime.block_on(async {
            let started = Instant::now();
            let options = CockpitOptions::new("reader", Keymap::default());
            let mut driver = Driver::start(config, options).unwrap();
            driver.dispatch(gonogo::tui::Action::Resize {
                width: 160,
                height: 48,
            });
            driver.dispatch(gonogo::tui::Action::ShowPane(gonogo::tui::Pane::Timeline));
            let read = driver
                .run_until(Duration::from_secs(10), |s| {
                    matches!(s.panes.timeline.source, TimelineSource::Journal { .. })
                })
                .await;
            assert!(read, "the journal was not read");
            let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
            terminal.draw(|frame| render(&driver.state, frame)).unwrap();
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            let screen = format!("{:?}", terminal.backend().buffer());
            assert!(
                screen.contains("note number"),
                "the frame shows journal lines"
            );
            driver.stop().await;
            ms
        });
        first_frame.push(ms);
    }
    runtime.block_on(db.drop_now());
    let (h50, _, hmax) = support::percentiles(handoff);
    let (f50, _, fmax) = support::percentiles(first_frame);
    println!("journal of {lines} lines over 24 h:");
    println!("  gonogo handoff --since 24h: median {h50:.0} ms (max {hmax:.0} ms), 5 runs");
    println!(
        "  cockpit start to first full frame (journal read, 160x48): median {f50:.0} ms (max {fmax:.0} ms), 5 runs"
    );
}
