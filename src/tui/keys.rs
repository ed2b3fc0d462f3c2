//! Keys as data, below everything that runs them: where the keyboard is ([`Context`]), which
//! panes a key works in ([`Panes`]), and the [`Row`] that declares one command (`commands!`),
//! generic over the action it runs, so that a pane declares its own keys with its own
//! messages. `bindings` holds the cockpit's rows and `keymap` builds the keymap from all rows.

use super::kit::{Command, Pane};
use Context::{Cockpit, Detail, Help, ScreenShare};

/// Where the keyboard is: each context has its own set of active bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// The panes, nothing open on top.
    Cockpit,
    /// A gate's detail view.
    Detail,
    /// The key help.
    Help,
    /// Screen-share mode.
    ScreenShare,
    /// Typing a filter or a command: keys are text, not bindings.
    TextEntry,
}

/// Which panes a binding works in when the panes have the keyboard ([`Context::Cockpit`]).
#[derive(Debug, Clone, Copy)]
pub enum Panes {
    /// Every pane: the cockpit's own keys.
    All,
    /// Only these panes: their keys are free (and may mean something else) in the others.
    Only(&'static [Pane]),
}

impl Panes {
    pub fn contains(self, pane: Pane) -> bool {
        match self {
            Panes::All => true,
            Panes::Only(panes) => panes.contains(&pane),
        }
    }
}

pub const EVERYWHERE: &[Context] = &[Cockpit, Detail, Help, ScreenShare];
pub const PANES: &[Context] = &[Cockpit, Detail];
pub const SCROLLING: &[Context] = &[Cockpit, Detail, Help];
/// Only with the panes in front and nothing over them (a pane's own keys).
pub const COCKPIT: &[Context] = &[Cockpit];
pub const SHARING: &[Context] = &[Cockpit, Detail, ScreenShare];

/// What running a command does beyond the screen, as rows spell it: whether it is destructive
/// (ends the session, or cannot be taken back: never on a Ctrl+letter chord) and whether it
/// changes the launch (a read-only cockpit leaves it out and refuses it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    pub destructive: bool,
    pub writes: bool,
}

/// Only the screen changes.
pub const SAFE: Kind = Kind {
    destructive: false,
    writes: false,
};
/// Ends the session (quit).
pub const ENDS: Kind = Kind {
    destructive: true,
    writes: false,
};
/// Changes the launch: a journal line, a tick, a vote, a pause.
pub const WRITES: Kind = Kind {
    destructive: false,
    writes: true,
};
/// Changes the launch in a way that cannot be taken back (sending mail).
pub const SENDS: Kind = Kind {
    destructive: true,
    writes: true,
};

/// What the keymap, the help and the footers know about one command, besides what it runs.
#[derive(Debug, Clone, Copy)]
pub struct Info {
    pub command: Command,
    pub help: &'static str,
    pub keys: &'static [&'static str],
    /// Ends the session or cannot be taken back: never allowed on a Ctrl+letter chord.
    pub destructive: bool,
    /// Changes the launch: absent from a read-only cockpit, and refused there.
    pub writes: bool,
    pub contexts: &'static [Context],
    pub panes: Panes,
}

/// One command: its [`Info`] and the action it runs (`A`: the cockpit's or a pane's).
#[derive(Debug)]
pub struct Row<A: 'static> {
    pub info: Info,
    pub action: fn() -> A,
}

/// A row as the keymap holds it: whatever its own action type, it runs the cockpit's `A`.
pub trait Bound<A>: Sync + std::fmt::Debug {
    fn info(&self) -> &Info;
    fn action(&self) -> A;
}

impl<A: std::fmt::Debug> Bound<A> for Row<A> {
    fn info(&self) -> &Info {
        &self.info
    }

    fn action(&self) -> A {
        (self.action)()
    }
}

/// Declares commands, one row each: `Name = "name", [keys], kind, contexts, panes,
/// "help" => action;` (kind: [`SAFE`], [`ENDS`], [`WRITES`], [`SENDS`]). Makes `Command::Name`
/// and a `&[Row]` table called `$table`.
macro_rules! commands {
    ($table:ident: $($cmd:ident = $name:literal, [$($key:literal),*], $kind:expr, $contexts:expr,
        $panes:expr, $help:literal => $action:expr;)*) => {
        #[allow(non_upper_case_globals)]
        impl $crate::tui::kit::Command {
            $(pub const $cmd: $crate::tui::kit::Command =
                $crate::tui::kit::Command::declare($name);)*
        }
        pub const $table: &[$crate::tui::keys::Row<Action>] = &[$($crate::tui::keys::Row {
            info: $crate::tui::keys::Info {
                command: $crate::tui::kit::Command::$cmd,
                help: $help,
                keys: &[$($key),*],
                destructive: $kind.destructive,
                writes: $kind.writes,
                contexts: $contexts,
                panes: $panes,
            },
            action: || $action,
        },)*];
    };
}
pub(crate) use commands;
