//! The decision call's figures: a 2,000-item checklist parsed and drawn as the Checklist pane's
//! first frame (goal: ≤ 100 ms), and a tick in one cockpit visible in another (goal: ≤ 1 s p95),
//! both cockpits headless drivers on one real database. `GONOGO_TICKS` sets how many ticks
//! (default 100). Prints medians/percentiles; the machine may be loaded by other builds.

#[path = "support/mod.rs"]
mod support;

use gonogo::config::load_str;
use gonogo::tui::driver::Driver;
use gonogo::tui::keymap::Keymap;
use gonogo::tui::panes;
use gonogo::tui::state::State;
use gonogo::tui::theme::Theme;
use gonogo::tui::{Action, CockpitOptions, Pane, render, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn big_checklist(items: usize) -> String {
    let mut text = String::from("# A big launch\n");
    for s in 0..items / 50 {
        text.push_str(&format!("\n## Phase {s}\n\n### Part {s}\n\n"));
        for i in 0..50 {
            let binding = match i % 10 {
                0 => " <!-- gate: smoke -->".to_owned(),
                1 => format!(" <!-- due: T-{i}m, role: tech lead -->"),
                _ => String::new(),
            };
            text.push_str(&format!(
                "- [ ] Item {i} of phase {s}: check the thing{binding}\n"
            ));
        }
    }
    text
}

fn first_frame(dir: &Path) -> Vec<f64> {
    let path = dir.join("big.md");
    std::fs::write(&path, big_checklist(2_000)).unwrap();
    let config = load_str(
        &format!(
            "[launch]\nname = \"Big\"\ndecision_at = \"2030-01-01T18:00:00Z\"\n[checklist]\npath = \"{}\"\n[[gate]]\nid = \"smoke\"\nsource = \"command\"\ncommand = [\"true\"]\npass = \"== 0\"\n",
            path.display()
        ),
        Path::new("bench.toml"),
    )
    .unwrap();
    let mut ms = Vec::new();
    for _ in 0..30 {
        let started = Instant::now();
        let list = gonogo::checklist::load_configured(&config).unwrap();
        assert_eq!(list.items.len(), 2_000);
        let mut state = State::new(
            &config,
            "bench",
            false,
            Keymap::default(),
            Theme::plain(),
            chrono::Utc::now(),
        );
        update(
            &mut state,
            Action::Resize {
                width: 160,
                height: 48,
            },
        );
        update(
            &mut state,
            Action::Pane(panes::PaneMsg::Checklist(
                panes::checklist::Msg::ChecklistLoaded(Ok(Arc::new(list))),
            )),
        );
        update(&mut state, Action::ShowPane(Pane::Checklist));
        let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
        terminal.draw(|frame| render(&state, frame)).unwrap();
        ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    ms
}

fn tick_latency(runtime: &tokio::runtime::Runtime, dir: &Path, ticks: usize) -> Vec<f64> {
    let db = runtime.block_on(support::BenchDb::create("ticks"));
    let path = dir.join("ticks.md");
    let mut text = String::from("## Ticks\n");
    for i in 0..ticks {
        text.push_str(&format!("- [ ] Tick number {i:04}\n"));
    }
    std::fs::write(&path, text).unwrap();
    let config_text = format!(
        "[launch]\nname = \"Tick launch\"\n[postgres]\nurl = \"{}\"\n[checklist]\npath = \"{}\"\n[[gate]]\nid = \"smoke\"\nsource = \"command\"\ncommand = [\"true\"]\npass = \"== 0\"\nevery = \"30s\"\n",
        db.url,
        path.display()
    );
    let latencies = runtime.block_on(async {
        let config = load_str(&config_text, Path::new("bench.toml")).unwrap();
        let mut writer = Driver::start(
            config.clone(),
            CockpitOptions::new("writer", Keymap::default()),
        )
        .unwrap();
        let mut reader =
            Driver::start(config, CockpitOptions::new("reader", Keymap::default())).unwrap();
        for d in [&mut writer, &mut reader] {
            let ready = d
                .run_until(Duration::from_secs(15), |s| {
                    s.panes.checklist.view.is_some()
                        && s.panes.checklist.call.is_some()
                        && s.panes.timeline.live == gonogo::tui::timeline::Live::On
                })
                .await;
            assert!(ready, "a cockpit never got ready");
        }
        let keys: Vec<String> = writer
            .state
            .panes
            .checklist
            .checklist()
            .unwrap()
            .items
            .iter()
            .map(|i| i.key.clone())
            .collect();
        let mut latencies = Vec::new();
        for key in keys {
            let started = Instant::now();
            writer.dispatch(Action::Pane(panes::PaneMsg::Checklist(
                panes::checklist::Msg::TickItem {
                    key: key.clone(),
                    note: String::new(),
                },
            )));
            let deadline = started + Duration::from_secs(10);
            loop {
                let seen = reader
                    .state
                    .panes
                    .checklist
                    .tick_of(&key)
                    .is_some_and(|t| t.ticked);
                if seen {
                    break;
                }
                assert!(Instant::now() < deadline, "a tick never arrived");
                writer.step(Duration::from_millis(1)).await;
                reader.step(Duration::from_millis(2)).await;
            }
            latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        writer.stop().await;
        reader.stop().await;
        latencies
    });
    runtime.block_on(db.drop_now());
    latencies
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (p50, p95, max) = support::percentiles(first_frame(dir.path()));
    println!(
        "checklist, 2,000 items: parse + first frame at 160x48: median {p50:.1} ms, p95 {p95:.1} ms, max {max:.1} ms (goal ≤ 100 ms)"
    );
    let ticks: usize = std::env::var("GONOGO_TICKS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (p50, p95, max) = support::percentiles(tick_latency(&runtime, dir.path(), ticks));
    println!(
        "tick in one cockpit -> in another's state, {ticks} ticks: p50 {p50:.1} ms, p95 {p95:.1} ms, max {max:.1} ms (goal p95 ≤ 1 s)"
    );
}
