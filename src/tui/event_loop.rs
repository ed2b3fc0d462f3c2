//! The event loop: starts the pollers and the effect runner, then `select!`s over terminal
//! events, gate results, effect results, signals and a 1 Hz tick; draws only when the state
//! changed, as soon as [`Redraw`] asks; at the end, drains the runner and says what was left
//! undone.

use super::action::{Action, Pane};
use super::driver::Driver;
use super::effects::QUIT_DEADLINE;
use super::state::Redraw;
use super::{CockpitError, CockpitOptions, input, render, terminal, update};
use crate::config::Config;
use crossterm::event::EventStream;
use futures::StreamExt;
use std::io::Write;
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};

/// Every this many ticks the terminal's size is read again.
const SIZE_CHECK_TICKS: u64 = 10;

pub async fn run(config: Config, options: CockpitOptions) -> Result<u8, CockpitError> {
    let initial_cohort = options.cohort.clone();
    let first_pane = options.stay_on_first_tab.then(|| Pane::ALL[0]);
    let driver = Driver::start_with(config, options, true)?;
    let (mut state, clock, mut runner, monitor, mut results, mut actions) = driver.into_parts();
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    // Raw mode turns a keyboard Ctrl-C into a key; this is `kill -INT` from a supervisor.
    let mut sigint = signal(SignalKind::interrupt())?;

    let mut session = terminal::enter()?;
    let size = session.terminal.size()?;
    let mut pending = vec![Action::Resize {
        width: size.width,
        height: size.height,
    }];
    pending.extend(initial_cohort.map(|path| super::panes::cohort::Msg::LoadCohort(path).into()));
    pending.extend(first_pane.map(Action::ShowPane));
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut ticks: u64 = 0;

    let code = 'run: loop {
        for action in pending.drain(..) {
            for effect in update(&mut state, action) {
                if runner.run(effect, &monitor) {
                    break 'run crate::exit::OK;
                }
            }
        }
        if state.redraw == Redraw::Now {
            // A terminal that went away (a closed tmux session) fails the write: leave through
            // the normal way out, so pollers stop and a rehearsal removes its throwaway data.
            let drawn = terminal::fit(&mut session.terminal, state.size).and_then(|()| {
                session
                    .terminal
                    .draw(|frame| render(&state, frame))
                    .map(drop)
            });
            if let Err(e) = drawn {
                tracing::error!(error = %e, "cannot draw on the terminal; the cockpit stops");
                break 'run crate::exit::IO;
            }
            state.redraw = Redraw::Clean;
        }
        let action = tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => input::action_for_event(&state, &event),
                // The terminal cannot be read: say so in the log and exit non-zero, never as a
                // normal quit.
                Some(Err(e)) => {
                    tracing::error!(error = %e, "cannot read the terminal; the cockpit stops");
                    break 'run crate::exit::IO;
                }
                // The terminal went away (SIGHUP's usual companion): nothing left to draw on.
                None => break 'run 128 + 1,
            },
            Some(result) = results.recv() => Some(Action::GateChecked(result)),
            Some(action) = actions.recv() => Some(action),
            _ = tick.tick() => {
                ticks += 1;
                // Resize events carry the size; this read now and then catches one missed.
                if ticks.is_multiple_of(SIZE_CHECK_TICKS)
                    && let Ok((width, height)) = terminal::size()
                    && (width, height) != state.size
                {
                    pending.push(Action::Resize { width, height });
                }
                Some(Action::Tick(clock.now()))
            }
            _ = sigterm.recv() => break 'run 128 + 15,
            _ = sighup.recv() => break 'run 128 + 1,
            _ = sigint.recv() => break 'run 128 + 2,
        };
        pending.extend(action);
        // Take whatever else is already waiting, so a burst (every poller answering at start-up)
        // costs one frame, not one per result.
        while pending.len() < 64 {
            match results.try_recv() {
                Ok(result) => pending.push(Action::GateChecked(result)),
                Err(_) => break,
            }
        }
        while let Ok(action) = actions.try_recv() {
            pending.push(action);
        }
    };
    monitor.stop();
    drop(session);
    // Work still under way gets a short last chance; the terminal is already back (or gone),
    // so what is left undone is logged and said, and a failed write is not worth a panic.
    for line in runner.drain(QUIT_DEADLINE).await {
        tracing::warn!("{line}");
        let _ = writeln!(std::io::stderr(), "{line}");
    }
    Ok(code)
}
