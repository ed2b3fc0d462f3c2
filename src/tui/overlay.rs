//! The views stacked over the panes ([`Overlay`]), generic over the pane modal and the action
//! they carry, so that a pane can open the shared ones (a gate's detail, a report) and its own
//! without naming the cockpit's types.

use tui_input::Input;

/// Views stacked over the panes; the top one has the keyboard. The shared ones are here; each
/// pane's own are its `Modal`, carried as [`Overlay::Pane`].
#[derive(Debug, Clone)]
pub enum Overlay<M, A> {
    Detail {
        gate: String,
        scroll: u16,
    },
    Help {
        scroll: u16,
    },
    Filter(Input),
    Palette(Input),
    /// Typing an operator note for the journal.
    Note(Input),
    /// A report to read (the shift handoff), scrolled by this many lines.
    Report {
        title: String,
        text: String,
        scroll: u16,
    },
    /// Production: the action waits until the launch's name is typed ([`super::confirm`]).
    Confirm {
        action: Box<A>,
        input: Input,
    },
    /// A pane's own modal (its `Modal`): the pane handles its input, Enter and drawing.
    Pane(M),
}

impl<M, A> From<M> for Overlay<M, A> {
    fn from(modal: M) -> Overlay<M, A> {
        Overlay::Pane(modal)
    }
}

impl<M, A> Overlay<M, A> {
    /// The same view with its modal and action turned into others (the registry lifts a
    /// pane's views into the cockpit's).
    pub fn map<N, B>(
        self,
        modal: impl FnOnce(M) -> N,
        action: impl FnOnce(A) -> B,
    ) -> Overlay<N, B> {
        match self {
            Overlay::Pane(m) => Overlay::Pane(modal(m)),
            Overlay::Confirm { action: a, input } => Overlay::Confirm {
                action: Box::new(action(*a)),
                input,
            },
            Overlay::Detail { gate, scroll } => Overlay::Detail { gate, scroll },
            Overlay::Help { scroll } => Overlay::Help { scroll },
            Overlay::Filter(input) => Overlay::Filter(input),
            Overlay::Palette(input) => Overlay::Palette(input),
            Overlay::Note(input) => Overlay::Note(input),
            Overlay::Report {
                title,
                text,
                scroll,
            } => Overlay::Report {
                title,
                text,
                scroll,
            },
        }
    }
}
