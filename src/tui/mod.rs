//! The cockpit: the full-screen terminal UI, and the only module that touches the terminal.
//!
//! Data flow: pollers (`monitor::Monitor`) send gate results down a channel; the event loop
//! (`event_loop`) turns terminal events, results, journal answers and a 1 Hz tick into
//! [`Action`]s; [`update`] applies each to the [`State`] (routing pane actions to their pane in
//! `panes`) and returns [`Effect`]s, which the effect runner (`effects`) carries out, tracking
//! its tasks, whose results come back as actions; [`render`] draws the state when it changed.

pub mod action;
mod bindings;
pub mod completeness;
pub mod confirm;
pub mod derived;
pub mod driver;
mod effects;
mod event_loop;
pub mod format;
pub mod input;
pub mod jobs;
pub mod keymap;
pub mod keys;
pub mod kit;
pub mod layout;
pub mod masking;
pub mod message;
pub mod notes;
pub mod overlay;
pub mod palette;
pub mod pane;
pub mod panes;
pub mod read_only;
pub mod render;
pub mod state;
pub mod terminal;
pub mod theme;
pub mod update;

pub use panes::{cohort, gates, timeline};

pub use action::{Action, Effect, Pane};
pub use keymap::{Keymap, KeymapError};
pub use render::render;
pub use state::State;
pub use update::update;

use crate::clock::Clock;
use crate::config::Config;

/// How to run the cockpit.
#[derive(Debug, Clone)]
pub struct CockpitOptions {
    /// Who is at the keyboard (header, journal lines).
    pub operator: String,
    /// Rehearsal: the header says DEMO.
    pub demo: bool,
    /// Where time comes from; `None` is the wall clock.
    pub clock: Option<Clock>,
    /// A cohort file to load into the Cohort pane at start (which brings that pane forward).
    pub cohort: Option<std::path::PathBuf>,
    /// Keep the first tab in front once the start-up actions (the cohort load) are done, rather
    /// than the pane they bring forward (the core names no pane).
    pub stay_on_first_tab: bool,
    /// The keys, built (and so validated) from the config's `[keys]` before the terminal is
    /// taken.
    pub keymap: Keymap,
    /// The config file, for paths relative to it (the invitation template, `.eml` files).
    pub config_path: Option<std::path::PathBuf>,
}

impl CockpitOptions {
    pub fn new(operator: impl Into<String>, keymap: Keymap) -> CockpitOptions {
        CockpitOptions {
            operator: operator.into(),
            keymap,
            demo: false,
            clock: None,
            cohort: None,
            stay_on_first_tab: false,
            config_path: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CockpitError {
    #[error("the config defines no [[gate]]; the cockpit has nothing to show")]
    NoGates,
    #[error(transparent)]
    Setup(#[from] crate::source::SetupError),
    #[error("terminal: {0}")]
    Terminal(#[from] std::io::Error),
}

impl CockpitError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CockpitError::NoGates | CockpitError::Setup(_) => crate::exit::CONFIG,
            CockpitError::Terminal(_) => crate::exit::IO,
        }
    }
}

/// Runs the cockpit until the operator quits (exit code 0) or the process is told to stop by
/// SIGTERM/SIGHUP (128 + the signal number). The terminal is restored on every way out.
pub async fn run(config: Config, options: CockpitOptions) -> Result<u8, CockpitError> {
    // On a worker thread, not the thread blocked in `block_on`: the clock's timer, the pollers'
    // answers and the loop then mostly wake on one thread, so an idle second costs one wake-up
    // instead of three (the worker's timer, the main thread, the timer driver again).
    match tokio::spawn(event_loop::run(config, options)).await {
        Ok(result) => result,
        // The panic hook has already restored the terminal and ends the process.
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => Ok(crate::exit::SOFTWARE),
    }
}
