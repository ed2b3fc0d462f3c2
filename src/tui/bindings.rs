//! The remappable commands (each its `[keys]` name and the action it runs), the default key
//! bindings (help, keys, contexts, panes) and what the footers outside the panes offer: the
//! table `keymap` builds its [`super::keymap::Keymap`] from. Each pane's footer is its own
//! (`panes::<name>::FOOTER`).

use super::action::{Action, Pane};
use super::keymap::{Context, Panes};

use Context::{Cockpit, Detail, Help, ScreenShare};

const EVERYWHERE: &[Context] = &[Cockpit, Detail, Help, ScreenShare];
const PANES: &[Context] = &[Cockpit, Detail];
const SCROLLING: &[Context] = &[Cockpit, Detail, Help];

/// What a key can be bound to (the enum is in `kit`, so a render can name a command without
/// depending on actions). The matches below have no catch-all: a command without a name or an
/// action does not compile, and a `[keys]` name that is none of these is a config error.
pub use super::kit::Command;

impl Command {
    pub const ALL: [Command; 36] = [
        Command::Help,
        Command::Quit,
        Command::NextPane,
        Command::PrevPane,
        Command::Gates,
        Command::Timeline,
        Command::Cohort,
        Command::Down,
        Command::Up,
        Command::Top,
        Command::Bottom,
        Command::PageDown,
        Command::PageUp,
        Command::Open,
        Command::Back,
        Command::Filter,
        Command::CohortCode,
        Command::Override,
        Command::Palette,
        Command::ScreenShare,
        Command::Mask,
        Command::Recheck,
        Command::RecheckAll,
        Command::Note,
        Command::Dispatch,
        Command::StartSend,
        Command::PauseSend,
        Command::RetryFailed,
        Command::ReviewUnknown,
        Command::DispatchFilter,
        Command::Checklist,
        Command::Tick,
        Command::Untick,
        Command::OpenItems,
        Command::Vote,
        Command::Decide,
    ];

    /// The command a `[keys]` name means, if any.
    pub fn named(name: &str) -> Option<Command> {
        Command::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Its name in `[keys]` and in the help.
    pub fn name(self) -> &'static str {
        match self {
            Command::Help => "help",
            Command::Quit => "quit",
            Command::NextPane => "next_pane",
            Command::PrevPane => "prev_pane",
            Command::Gates => "gates",
            Command::Timeline => "timeline",
            Command::Cohort => "cohort",
            Command::Down => "down",
            Command::Up => "up",
            Command::Top => "top",
            Command::Bottom => "bottom",
            Command::PageDown => "page_down",
            Command::PageUp => "page_up",
            Command::Open => "open",
            Command::Back => "back",
            Command::Filter => "filter",
            Command::CohortCode => "cohort_code",
            Command::Override => "override",
            Command::Palette => "palette",
            Command::ScreenShare => "screen_share",
            Command::Mask => "mask",
            Command::Recheck => "recheck",
            Command::RecheckAll => "recheck_all",
            Command::Note => "note",
            Command::Dispatch => "dispatch",
            Command::StartSend => "start_send",
            Command::PauseSend => "pause_send",
            Command::RetryFailed => "retry_failed",
            Command::ReviewUnknown => "review_unknown",
            Command::DispatchFilter => "dispatch_filter",
            Command::Checklist => "checklist",
            Command::Tick => "tick",
            Command::Untick => "untick",
            Command::OpenItems => "open_items",
            Command::Vote => "vote",
            Command::Decide => "decide",
        }
    }

    pub fn action(self) -> Action {
        match self {
            Command::Help => Action::ToggleHelp,
            Command::Quit => Action::Quit,
            Command::NextPane => Action::NextPane,
            Command::PrevPane => Action::PrevPane,
            Command::Gates => Action::ShowPane(Pane::Gates),
            Command::Timeline => Action::ShowPane(Pane::Timeline),
            Command::Cohort => Action::ShowPane(Pane::Cohort),
            Command::Down => Action::Move(1),
            Command::Up => Action::Move(-1),
            Command::Top => Action::Top,
            Command::Bottom => Action::Bottom,
            Command::PageDown => Action::PageDown,
            Command::PageUp => Action::PageUp,
            Command::Open => Action::Open,
            Command::Back => Action::Back,
            Command::Filter => Action::StartFilter,
            Command::CohortCode => Action::CycleCohortCode,
            Command::Override => Action::StartCohortOverride,
            Command::Palette => Action::StartPalette,
            Command::ScreenShare => Action::ToggleScreenShare,
            Command::Mask => Action::ToggleMask,
            Command::Recheck => Action::Recheck,
            Command::RecheckAll => Action::RecheckAll,
            Command::Note => Action::StartNote,
            Command::Dispatch => Action::ShowPane(Pane::Dispatch),
            Command::StartSend => Action::StartSend,
            Command::PauseSend => Action::PauseSend,
            Command::RetryFailed => Action::RetryFailed,
            Command::ReviewUnknown => Action::ReviewUnknown,
            Command::DispatchFilter => Action::CycleDispatchFilter,
            Command::Checklist => Action::ShowPane(Pane::Checklist),
            Command::Tick => Action::StartTick,
            Command::Untick => Action::StartUntick,
            Command::OpenItems => Action::ToggleOpenItems,
            Command::Vote => Action::StartVote(String::new()),
            Command::Decide => Action::StartDecide(String::new()),
        }
    }

    /// The footer's short word for it.
    pub fn short_help(self) -> &'static str {
        match self {
            Command::Help => "help",
            Command::Quit => "quit",
            Command::Open => "detail",
            Command::Back => "back",
            Command::Filter => "filter",
            Command::Palette => "command",
            Command::Recheck => "re-check",
            Command::RecheckAll => "re-check all",
            Command::ScreenShare => "share",
            Command::Mask => "mask",
            Command::Down => "down",
            Command::Up => "up",
            Command::CohortCode => "code",
            Command::Override => "override",
            Command::NextPane => "next",
            Command::PrevPane => "previous",
            Command::Gates => "gates",
            Command::Timeline => "timeline",
            Command::Cohort => "cohort",
            Command::Top => "top",
            Command::Bottom => "bottom",
            Command::PageDown => "page down",
            Command::PageUp => "page up",
            Command::Note => "note",
            Command::Dispatch => "dispatch",
            Command::StartSend => "send",
            Command::PauseSend => "pause",
            Command::RetryFailed => "retry failed",
            Command::ReviewUnknown => "unknowns",
            Command::DispatchFilter => "state",
            Command::Checklist => "checklist",
            Command::Tick => "tick",
            Command::Untick => "untick",
            Command::OpenItems => "open only",
            Command::Vote => "vote",
            Command::Decide => "freeze",
        }
    }
}

/// (command, help, default keys, destructive, contexts, panes)
type DefaultBinding = (
    Command,
    &'static str,
    &'static [&'static str],
    bool,
    &'static [Context],
    Panes,
);

use Panes::{All, Only};
/// The Cohort pane's own keys.
const COHORT: Panes = Only(&[Pane::Cohort]);
/// The Dispatch pane's own keys.
const DISPATCH: Panes = Only(&[Pane::Dispatch]);
/// The Checklist pane's own keys.
const CHECKLIST: Panes = Only(&[Pane::Checklist]);
/// Panes whose rows are (or name) gates.
const GATE_ROWS: Panes = Only(&[Pane::Gates, Pane::Timeline]);

pub(super) const DEFAULTS: &[DefaultBinding] = &[
    (
        Command::Help,
        "show or hide this help",
        &["?"],
        false,
        EVERYWHERE,
        All,
    ),
    (Command::Quit, "quit gonogo", &["q"], true, EVERYWHERE, All),
    (Command::NextPane, "next pane", &["tab"], false, PANES, All),
    (
        Command::PrevPane,
        "previous pane",
        &["shift-tab"],
        false,
        PANES,
        All,
    ),
    (Command::Gates, "gates pane", &["1"], false, PANES, All),
    (
        Command::Timeline,
        "timeline pane",
        &["2"],
        false,
        PANES,
        All,
    ),
    (Command::Cohort, "cohort pane", &["3"], false, PANES, All),
    (
        Command::Dispatch,
        "dispatch pane",
        &["4"],
        false,
        PANES,
        All,
    ),
    (
        Command::Checklist,
        "checklist pane",
        &["5"],
        false,
        PANES,
        All,
    ),
    (
        Command::Down,
        "move down",
        &["j", "down"],
        false,
        SCROLLING,
        All,
    ),
    (Command::Up, "move up", &["k", "up"], false, SCROLLING, All),
    (
        Command::Top,
        "first row",
        &["g", "home"],
        false,
        SCROLLING,
        All,
    ),
    (
        Command::Bottom,
        "last row",
        &["G", "end"],
        false,
        SCROLLING,
        All,
    ),
    (
        Command::PageDown,
        "page down",
        &["pgdn"],
        false,
        SCROLLING,
        All,
    ),
    (Command::PageUp, "page up", &["pgup"], false, SCROLLING, All),
    (
        Command::Open,
        "open the gate or cohort row",
        &["enter"],
        false,
        &[Cockpit],
        All,
    ),
    (
        Command::Back,
        "close / go back",
        &["esc"],
        false,
        EVERYWHERE,
        All,
    ),
    (
        Command::Filter,
        "filter gates / search cohort rows",
        &["/"],
        false,
        &[Cockpit],
        All,
    ),
    (
        Command::CohortCode,
        "cohort rows: next finding code",
        &["c"],
        false,
        &[Cockpit],
        COHORT,
    ),
    (
        Command::Override,
        "override cohort soft findings",
        &["o"],
        false,
        &[Cockpit],
        COHORT,
    ),
    (
        Command::StartSend,
        "dispatch: start or resume sending (confirm by typing the count)",
        &["s"],
        true,
        &[Cockpit],
        DISPATCH,
    ),
    (
        Command::PauseSend,
        "dispatch: pause this cockpit's send run",
        &["p"],
        false,
        &[Cockpit],
        DISPATCH,
    ),
    (
        Command::RetryFailed,
        "dispatch: put failed messages back to be sent",
        &["F"],
        true,
        &[Cockpit],
        DISPATCH,
    ),
    (
        Command::ReviewUnknown,
        "dispatch: review the unknown messages",
        &["u"],
        false,
        &[Cockpit],
        DISPATCH,
    ),
    (
        Command::DispatchFilter,
        "dispatch: next state in the log",
        &["f"],
        false,
        &[Cockpit],
        DISPATCH,
    ),
    (
        Command::Palette,
        "command palette",
        &[":"],
        false,
        &[Cockpit, Detail],
        All,
    ),
    (
        Command::ScreenShare,
        "screen-share mode",
        &["P"],
        false,
        &[Cockpit, Detail, ScreenShare],
        All,
    ),
    (
        Command::Mask,
        "mask email addresses",
        &["M"],
        false,
        PANES,
        All,
    ),
    (
        Command::Recheck,
        "re-check this gate now",
        &["r"],
        false,
        PANES,
        GATE_ROWS,
    ),
    (
        Command::RecheckAll,
        "re-check every gate now",
        &["R"],
        false,
        &[Cockpit, Detail, ScreenShare],
        All,
    ),
    (
        Command::Note,
        "write an operator note to the journal",
        &["n"],
        false,
        PANES,
        All,
    ),
    (
        Command::Tick,
        "tick the checklist item (optional note)",
        &["space"],
        false,
        &[Cockpit],
        CHECKLIST,
    ),
    (
        Command::Untick,
        "untick the checklist item (reason required)",
        &["u"],
        false,
        &[Cockpit],
        CHECKLIST,
    ),
    (
        Command::OpenItems,
        "checklist: only the items not done / all",
        &["o"],
        false,
        &[Cockpit],
        CHECKLIST,
    ),
    (
        Command::Vote,
        "vote GO / NO-GO for a role",
        &["v"],
        false,
        &[Cockpit],
        CHECKLIST,
    ),
    (
        Command::Decide,
        "freeze the decision once every role voted",
        &["D"],
        false,
        &[Cockpit],
        CHECKLIST,
    ),
];

/// What the footer offers in each context outside the panes.
pub(super) fn footer_commands(context: Context) -> &'static [Command] {
    match context {
        // Each pane offers its own (`panes::footer`).
        Cockpit => &[],
        Detail => &[
            Command::Back,
            Command::Recheck,
            Command::Down,
            Command::Up,
            Command::Help,
            Command::Quit,
        ],
        Help => &[Command::Back, Command::Down, Command::Up, Command::Quit],
        ScreenShare => &[
            Command::ScreenShare,
            Command::Back,
            Command::RecheckAll,
            Command::Quit,
        ],
        Context::TextEntry => &[],
    }
}
