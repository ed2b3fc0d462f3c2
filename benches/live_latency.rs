//! Live latency between cockpits: from `gonogo note` returning (the process has exited) to the
//! note being in another cockpit's state, over 200 notes (`GONOGO_NOTES` to change), with that
//! cockpit a headless driver on the same database. Prints p50, p95 and the maximum.

#[path = "support/mod.rs"]
mod support;

use gonogo::config::load_str;
use gonogo::tui::CockpitOptions;
use gonogo::tui::driver::Driver;
use gonogo::tui::keymap::Keymap;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let notes: usize = std::env::var("GONOGO_NOTES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = runtime.block_on(support::BenchDb::create("live"));
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[launch]\nname = \"Latency launch\"\n\n[postgres]\nurl = \"{}\"\n\n[[gate]]\nid = \"smoke\"\nsource = \"command\"\ncommand = [\"true\"]\npass = \"== 0\"\nevery = \"30s\"\n",
        db.url
    );
    let config_path = dir.path().join("gonogo.toml");
    std::fs::write(&config_path, &config).unwrap();

    // The other cockpit: records when each note first appears in its state.
    let seen: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let cockpit = {
        let (seen, stop) = (seen.clone(), stop.clone());
        let config = load_str(&config, Path::new("bench.toml")).unwrap();
        runtime.spawn(async move {
            let options = CockpitOptions::new("reader", Keymap::default());
            let mut driver = Driver::start(config, options).unwrap();
            let live = driver
                .run_until(Duration::from_secs(10), |s| {
                    s.panes.timeline.live == gonogo::tui::timeline::Live::On
                        && s.panes.timeline.last_id.is_some()
                })
                .await;
            assert!(live, "the reader never went live");
            seen.lock().unwrap().insert("ready".into(), Instant::now());
            let mut known = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                driver.step(Duration::from_millis(50)).await;
                let rows = driver.state.panes.timeline.rows();
                if rows.len() != known {
                    known = rows.len();
                    let now = Instant::now();
                    let mut seen = seen.lock().unwrap();
                    for row in rows.iter().filter(|r| r.kind == "note") {
                        seen.entry(row.message.clone()).or_insert(now);
                    }
                }
            }
            driver.stop().await;
        })
    };
    // The first note makes the reader's timeline non-empty (it has a last id to follow).
    let note = |text: &str| {
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_gonogo"))
            .args([
                "--config",
                config_path.to_str().unwrap(),
                "--operator",
                "writer",
                "note",
                text,
            ])
            .env("GONOGO_LOG_DIR", dir.path().join("logs"))
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
        Instant::now()
    };
    note("warm-up");
    let deadline = Instant::now() + Duration::from_secs(15);
    while !seen.lock().unwrap().contains_key("ready") {
        assert!(Instant::now() < deadline, "the reader never went live");
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut latencies = Vec::with_capacity(notes);
    for n in 0..notes {
        let text = format!("latency {n}");
        let returned = note(&text);
        let deadline = returned + Duration::from_secs(10);
        let arrived = loop {
            if let Some(at) = seen.lock().unwrap().get(&text) {
                break *at;
            }
            assert!(Instant::now() < deadline, "{text} never arrived");
            std::thread::sleep(Duration::from_millis(1));
        };
        // Arriving before the process was reaped counts as no wait at all.
        latencies.push(arrived.saturating_duration_since(returned).as_secs_f64() * 1000.0);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    runtime.block_on(cockpit).unwrap();
    runtime.block_on(db.drop_now());
    let (p50, p95, max) = support::percentiles(latencies);
    println!(
        "live latency, `gonogo note` returned -> in another cockpit's state, {notes} notes: p50 {p50:.1} ms, p95 {p95:.1} ms, max {max:.1} ms"
    );
}
