//! The event loop: starts the pollers and the effect runner, then `select!`s over terminal
//! events, gate results, effect results, signals and a 1 Hz tick; draws only when the state
//! changed; at the end, drains the runner and says what was left undone.

use super::action::Action;
use super::driver::Driver;
use super::effects::QUIT_DEADLINE;
use super::{CockpitError, CockpitOptions, input, render, terminal, update};
use crate::config::Config;
use crossterm::event::EventStream;
use futures::StreamExt;
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};

pub async fn run(config: Config, options: CockpitOptions) -> Result<u8, CockpitError> {
    let initial_cohort = options.cohort.clone();
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
    pending.extend(initial_cohort.map(Action::LoadCohort));
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);

    let code = 'run: loop {
        for action in pending.drain(..) {
            for effect in update(&mut state, action) {
                if runner.run(effect, &monitor) {
                    break 'run crate::exit::OK;
                }
            }
        }
        if state.dirty {
            session.terminal.draw(|frame| render(&state, frame))?;
            state.dirty = false;
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
            _ = tick.tick() => Some(Action::Tick(clock.now())),
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
    // Work still under way gets a short last chance; the terminal is already back, so what is
    // left undone can be said.
    for line in runner.drain(QUIT_DEADLINE).await {
        eprintln!("{line}");
    }
    Ok(code)
}
