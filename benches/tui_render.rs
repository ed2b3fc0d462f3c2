//! Render time of one full cockpit frame at 200x50 (gates pane, timeline, screen-share mode,
//! mask mode with and without 20,000 known addresses),
//! drawn into ratatui's `TestBackend` so the figure is the cockpit's own cost, not a terminal's.

#[path = "../tests/tui_support/mod.rs"]
mod tui_support;

use criterion::{Criterion, criterion_group, criterion_main};
use gonogo::tui::panes;
use gonogo::tui::{Action, Pane, render, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// A cohort of `rows` addresses, loaded as `:cohort` does: the masker's known set.
fn load_big_cohort(state: &mut gonogo::tui::State, dir: &std::path::Path, rows: usize) {
    let path = dir.join("cohort.csv");
    let mut csv = String::from("email,cohort\n");
    for i in 0..rows {
        csv.push_str(&format!("tester.{i}@mail{}.example,wave\n", i % 97));
    }
    std::fs::write(&path, csv).unwrap();
    let path = path.to_string_lossy().into_owned();
    tui_support::load_cohort(
        state,
        &path,
        tui_support::cohort_answer_keeping(&path, rows),
    );
    assert_eq!(
        state.masker.masker().known_len(),
        rows,
        "every address known"
    );
    update(state, Action::ShowPane(Pane::Gates));
}

fn frames(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let views: [(&str, Vec<Action>, usize); 6] = [
        ("gates", vec![], 0),
        ("timeline", vec![Action::ShowPane(Pane::Timeline)], 0),
        ("screen_share", vec![Action::ToggleScreenShare], 0),
        // Mask mode: the masker reads every row of every frame.
        ("gates_masked", vec![Action::ToggleMask], 0),
        ("gates_masked_20k_known", vec![Action::ToggleMask], 20_000),
        (
            "screen_share_20k_known",
            vec![Action::ToggleScreenShare],
            20_000,
        ),
    ];
    for (name, actions, known) in views {
        let (mut state, _) = tui_support::state();
        update(
            &mut state,
            Action::Pane(panes::PaneMsg::Timeline(
                panes::timeline::Msg::TimelineLoaded(Ok(tui_support::journal_entries())),
            )),
        );
        if known > 0 {
            load_big_cohort(&mut state, dir.path(), known);
        }
        update(
            &mut state,
            Action::Resize {
                width: 200,
                height: 50,
            },
        );
        for action in actions {
            update(&mut state, action);
        }
        let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap();
        c.bench_function(&format!("render_200x50_{name}"), |b| {
            b.iter(|| {
                // A full redraw each time: clear so ratatui cannot skip unchanged cells.
                terminal.clear().unwrap();
                terminal.draw(|frame| render(&state, frame)).unwrap();
            })
        });
    }
}

criterion_group!(benches, frames);
criterion_main!(benches);
