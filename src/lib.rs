//! gonogo's UI-free core: config, gates, sources, monitor, journal and cohort review, shared by the
//! headless commands and the cockpit (`tui`, the only module that touches the terminal).

pub mod alerts;
pub mod checklist;
pub mod cli;
pub mod clock;
pub mod cohort;
pub mod commands;
pub mod config;
pub mod confirm;
pub mod db;
pub mod decision;
pub mod demo;
pub mod exit;
pub mod gate;
pub mod handoff;
pub mod invite;
pub mod journal;
pub mod logging;
pub mod metrics;
pub mod monitor;
pub mod plural;
pub mod process;
pub mod report;
pub mod session;
pub mod source;
pub mod text;
pub mod tui;
