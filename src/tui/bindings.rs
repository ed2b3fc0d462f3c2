//! The default key bindings (name, help, keys, contexts) and what each footer offers: the
//! table `keymap` builds its [`super::keymap::Keymap`] from.

use super::keymap::Context;

use Context::{Cockpit, Detail, Help, ScreenShare};

const EVERYWHERE: &[Context] = &[Cockpit, Detail, Help, ScreenShare];
const PANES: &[Context] = &[Cockpit, Detail];
const SCROLLING: &[Context] = &[Cockpit, Detail, Help];

/// (name, help, default keys, destructive, contexts)
type DefaultBinding = (
    &'static str,
    &'static str,
    &'static [&'static str],
    bool,
    &'static [Context],
);

pub(super) const DEFAULTS: &[DefaultBinding] = &[
    ("help", "show or hide this help", &["?"], false, EVERYWHERE),
    ("quit", "quit gonogo", &["q"], true, EVERYWHERE),
    ("next_pane", "next pane", &["tab"], false, PANES),
    ("prev_pane", "previous pane", &["shift-tab"], false, PANES),
    ("gates", "gates pane", &["1"], false, PANES),
    ("timeline", "timeline pane", &["2"], false, PANES),
    ("cohort", "cohort pane", &["3"], false, PANES),
    ("down", "move down", &["j", "down"], false, SCROLLING),
    ("up", "move up", &["k", "up"], false, SCROLLING),
    ("top", "first row", &["g", "home"], false, SCROLLING),
    ("bottom", "last row", &["G", "end"], false, SCROLLING),
    ("page_down", "page down", &["pgdn"], false, SCROLLING),
    ("page_up", "page up", &["pgup"], false, SCROLLING),
    (
        "open",
        "open the gate or cohort row",
        &["enter"],
        false,
        &[Cockpit],
    ),
    ("back", "close / go back", &["esc"], false, EVERYWHERE),
    (
        "filter",
        "filter gates / search cohort rows",
        &["/"],
        false,
        &[Cockpit],
    ),
    (
        "cohort_code",
        "cohort rows: next finding code",
        &["c"],
        false,
        &[Cockpit],
    ),
    (
        "override",
        "override cohort soft findings",
        &["o"],
        false,
        &[Cockpit],
    ),
    (
        "palette",
        "command palette",
        &[":"],
        false,
        &[Cockpit, Detail],
    ),
    (
        "screen_share",
        "screen-share mode",
        &["P"],
        false,
        &[Cockpit, Detail, ScreenShare],
    ),
    ("mask", "mask email addresses", &["M"], false, PANES),
    ("recheck", "re-check this gate now", &["r"], false, PANES),
    (
        "recheck_all",
        "re-check every gate now",
        &["R"],
        false,
        &[Cockpit, Detail, ScreenShare],
    ),
];

/// What the footer offers in each context, by binding name.
pub(super) fn footer_names(context: Context) -> &'static [&'static str] {
    match context {
        Cockpit => &[
            "help",
            "open",
            "filter",
            "palette",
            "recheck",
            "screen_share",
            "mask",
            "quit",
        ],
        Detail => &["back", "recheck", "down", "up", "help", "quit"],
        Help => &["back", "down", "up", "quit"],
        ScreenShare => &["screen_share", "back", "recheck_all", "quit"],
        Context::TextEntry => &[],
    }
}

pub(super) const COHORT_FOOTER: &[&str] = &[
    "help",
    "open",
    "filter",
    "cohort_code",
    "override",
    "palette",
    "mask",
    "quit",
];

/// The footer's short word for a binding.
pub(super) fn short_help(name: &str) -> &'static str {
    match name {
        "help" => "help",
        "open" => "detail",
        "filter" => "filter",
        "palette" => "command",
        "recheck" => "re-check",
        "recheck_all" => "re-check all",
        "screen_share" => "share",
        "mask" => "mask",
        "quit" => "quit",
        "back" => "back",
        "down" => "down",
        "up" => "up",
        _ => "",
    }
}
