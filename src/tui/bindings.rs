//! The remappable commands as data: one row per command (its `[keys]` name, help, default keys,
//! where it works and the action it runs). The cockpit's own rows are here; each pane adds its
//! own (`panes::<name>::KEYS`), and [`rows`] lists them all in the order the help and the
//! `[keys]` errors show them. `keymap` builds its [`super::keymap::Keymap`] from them.

use super::action::{Action, Pane};
use super::keys::{Context, Panes};

use Context::{Cockpit, Detail, Help, ScreenShare};

pub(crate) use super::keys::commands;
use super::keys::{Bound, SHARING};
pub use super::keys::{COCKPIT, ENDS, EVERYWHERE, PANES, SAFE, SCROLLING, WRITES};

pub use super::kit::Command;

impl Command {
    /// The command a `[keys]` name means, if any.
    pub fn named(name: &str) -> Option<Command> {
        rows().map(|r| r.info().command).find(|c| c.name() == name)
    }
}

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
    Note = "note", ["n"], WRITES, PANES, All,
        "write an operator note to the journal" => Action::StartNote;
}

/// Every command, in the order the help lists them and `[keys]` errors name them: the
/// cockpit's, then each pane's own (`PaneKind::KEYS`) in tab order.
pub fn rows() -> impl Iterator<Item = &'static dyn Bound<Action>> {
    let shared = [NAVIGATION, COCKPIT_KEYS].into_iter().flatten();
    shared
        .map(|row| row as &'static dyn Bound<Action>)
        .chain(super::panes::key_rows())
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
