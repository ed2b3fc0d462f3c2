//! The cockpit's [`Action`] and [`Effect`]: the shared vocabulary ([`super::message`]) carrying
//! any pane's own messages and jobs (`Action::Pane`, `Effect::Pane`), as `update`, the event
//! loop and the runner see them.

pub use super::kit::Pane;
use super::panes::{PaneJob, PaneMsg};

/// Something that happened, for `update` ([`super::message::Action`]) — an operator's intent or
/// news from the world — with any pane's message.
pub type Action = super::message::Action<PaneMsg>;

/// Work `update` wants done ([`super::message::Effect`]), with any pane's job.
pub type Effect = super::message::Effect<PaneJob>;
