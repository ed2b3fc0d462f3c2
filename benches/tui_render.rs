//! Render time of one full cockpit frame at 200x50 (gates pane, timeline, screen-share mode),
//! drawn into ratatui's `TestBackend` so the figure is the cockpit's own cost, not a terminal's.

#[path = "../tests/tui_support/mod.rs"]
mod tui_support;

use criterion::{Criterion, criterion_group, criterion_main};
use gonogo::tui::{Action, Pane, render, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn frames(c: &mut Criterion) {
    let views: [(&str, Vec<Action>); 3] = [
        ("gates", vec![]),
        ("timeline", vec![Action::ShowPane(Pane::Timeline)]),
        ("screen_share", vec![Action::ToggleScreenShare]),
    ];
    for (name, actions) in views {
        let (mut state, _) = tui_support::state();
        update(
            &mut state,
            Action::TimelineLoaded(Ok(tui_support::journal_entries())),
        );
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
