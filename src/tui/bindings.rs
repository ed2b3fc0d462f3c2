//! The remappable commands as data: one row per command (its `[keys]` name, help, default keys,
//! where it works and the action it runs). The cockpit's own rows are here; each pane adds its
//! own (`panes::<name>::KEYS`), and [`rows`] lists them all in the order the help and the
//! `[keys]` errors show them. `keymap` builds its [`super::keymap::Keymap`] from them.

use super::action::{Action, Pane};
use super::keymap::{Context, Panes};

use Context::{Cockpit, Detail, Help, ScreenShare};

pub const EVERYWHERE: &[Context] = &[Cockpit, Detail, Help, ScreenShare];
pub const PANES: &[Context] = &[Cockpit, Detail];
pub const SCROLLING: &[Context] = &[Cockpit, Detail, Help];
/// Only with the panes in front and nothing over them (a pane's own keys).
pub const COCKPIT: &[Context] = &[Cockpit];
const SHARING: &[Context] = &[Cockpit, Detail, ScreenShare];

pub use super::kit::Command;

impl Command {
    /// The command a `[keys]` name means, if any.
    pub fn named(name: &str) -> Option<Command> {
        rows().map(|r| r.command).find(|c| c.name() == name)
    }
}

/// One command: everything the keymap, the help and the footers know about it.
#[derive(Debug)]
pub struct Row {
    pub command: Command,
    pub help: &'static str,
    pub keys: &'static [&'static str],
    /// Ends the session: never allowed on a Ctrl+letter chord.
    pub destructive: bool,
    pub contexts: &'static [Context],
    pub panes: Panes,
    pub action: fn() -> Action,
}

/// Whether a command ends the session (the Ctrl+letter rule), as rows spell it.
pub const ENDS: bool = true;
pub const SAFE: bool = false;

/// Declares commands, one row each: `Name = "name", [keys], destructive, contexts, panes,
/// "help" => action;`. Makes `Command::Name` and a `&[Row]` table called `$table`.
macro_rules! commands {
    ($table:ident: $($cmd:ident = $name:literal, [$($key:literal),*], $ends:expr, $contexts:expr,
        $panes:expr, $help:literal => $action:expr;)*) => {
        #[allow(non_upper_case_globals)]
        impl $crate::tui::bindings::Command {
            $(pub const $cmd: $crate::tui::bindings::Command =
                $crate::tui::bindings::Command::declare($name);)*
        }
        pub const $table: &[$crate::tui::bindings::Row] = &[$($crate::tui::bindings::Row {
            command: $crate::tui::bindings::Command::$cmd,
            help: $help,
            keys: &[$($key),*],
            destructive: $ends,
            contexts: $contexts,
            panes: $panes,
            action: || $action,
        },)*];
    };
}
pub(crate) use commands;

use Panes::{All, Only};
/// Panes whose rows are (or name) gates.
const GATE_ROWS: Panes = Only(&[Pane::Gates, Pane::Timeline]);

commands! { NAVIGATION:
    Help = "help", ["?"], SAFE, EVERYWHERE, All, "show or hide this help" => Action::ToggleHelp;
    Quit = "quit", ["q"], ENDS, EVERYWHERE, All, "quit gonogo" => Action::Quit;
    NextPane = "next_pane", ["tab"], SAFE, PANES, All, "next pane" => Action::NextPane;
    PrevPane = "prev_pane", ["shift-tab"], SAFE, PANES, All, "previous pane" => Action::PrevPane;
    Gates = "gates", ["1"], SAFE, PANES, All, "gates pane" => Action::ShowPane(Pane::Gates);
    Timeline = "timeline", ["2"], SAFE, PANES, All,
        "timeline pane" => Action::ShowPane(Pane::Timeline);
    Cohort = "cohort", ["3"], SAFE, PANES, All, "cohort pane" => Action::ShowPane(Pane::Cohort);
    Dispatch = "dispatch", ["4"], SAFE, PANES, All,
        "dispatch pane" => Action::ShowPane(Pane::Dispatch);
    Checklist = "checklist", ["5"], SAFE, PANES, All,
        "checklist pane" => Action::ShowPane(Pane::Checklist);
    Down = "down", ["j", "down"], SAFE, SCROLLING, All, "move down" => Action::Move(1);
    Up = "up", ["k", "up"], SAFE, SCROLLING, All, "move up" => Action::Move(-1);
    Top = "top", ["g", "home"], SAFE, SCROLLING, All, "first row" => Action::Top;
    Bottom = "bottom", ["G", "end"], SAFE, SCROLLING, All, "last row" => Action::Bottom;
    PageDown = "page_down", ["pgdn"], SAFE, SCROLLING, All, "page down" => Action::PageDown;
    PageUp = "page_up", ["pgup"], SAFE, SCROLLING, All, "page up" => Action::PageUp;
    Open = "open", ["enter"], SAFE, COCKPIT, All, "open the gate or cohort row" => Action::Open;
    Back = "back", ["esc"], SAFE, EVERYWHERE, All, "close / go back" => Action::Back;
    Filter = "filter", ["/"], SAFE, COCKPIT, All,
        "filter gates / search cohort rows" => Action::StartFilter;
}

commands! { COCKPIT_KEYS:
    Palette = "palette", [":"], SAFE, PANES, All, "command palette" => Action::StartPalette;
    ScreenShare = "screen_share", ["P"], SAFE, SHARING, All,
        "screen-share mode" => Action::ToggleScreenShare;
    Mask = "mask", ["M"], SAFE, PANES, All, "mask email addresses" => Action::ToggleMask;
    Recheck = "recheck", ["r"], SAFE, PANES, GATE_ROWS,
        "re-check this gate now" => Action::Recheck;
    RecheckAll = "recheck_all", ["R"], SAFE, SHARING, All,
        "re-check every gate now" => Action::RecheckAll;
    Note = "note", ["n"], SAFE, PANES, All,
        "write an operator note to the journal" => Action::StartNote;
}

/// Every command, in the order the help lists them and `[keys]` errors name them (the pane
/// rows sit where they always have).
pub fn rows() -> impl Iterator<Item = &'static Row> {
    use super::panes::{checklist, cohort, dispatch};
    [
        NAVIGATION,
        cohort::KEYS,
        dispatch::KEYS,
        COCKPIT_KEYS,
        checklist::KEYS,
    ]
    .into_iter()
    .flatten()
}

/// What the footer offers in each context outside the panes, in its words.
pub(super) fn footer_commands(context: Context) -> &'static [(Command, &'static str)] {
    match context {
        // Each pane offers its own (`panes::footer`).
        Cockpit | Context::TextEntry => &[],
        Detail => &[
            (Command::Back, "back"),
            (Command::Recheck, "re-check"),
            (Command::Down, "down"),
            (Command::Up, "up"),
            (Command::Help, "help"),
            (Command::Quit, "quit"),
        ],
        Help => &[
            (Command::Back, "back"),
            (Command::Down, "down"),
            (Command::Up, "up"),
            (Command::Quit, "quit"),
        ],
        ScreenShare => &[
            (Command::ScreenShare, "share"),
            (Command::Back, "back"),
            (Command::RecheckAll, "re-check all"),
            (Command::Quit, "quit"),
        ],
    }
}
