//! Keys: parsing key names (`q`, `ctrl-r`, `F5`, `shift-tab`), the default bindings, `[keys]`
//! overrides from the config, which bindings apply in which context and pane (a pane's own keys
//! are free in the other panes), and the help and footer entries generated from them.

use super::action::{Action, Pane};
pub use super::bindings::Command;
use super::bindings::{footer_commands, rows};
use super::keys::{Bound, Info};
pub use super::keys::{Context, Panes};
use Context::{Cockpit, Detail, Help, ScreenShare};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
use std::fmt;

/// One key as the keymap sees it: Shift is folded into the character (`P`) or the key (`BackTab`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            ctrl: false,
            alt: false,
        }
    }

    pub const fn char(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }

    pub fn from_event(event: &KeyEvent) -> Key {
        let code = match event.code {
            // Some terminals send Shift+Tab as Tab with SHIFT.
            KeyCode::Tab if event.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            other => other,
        };
        Key {
            code,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
            alt: event.modifiers.contains(KeyModifiers::ALT),
        }
    }

    /// Parses `q`, `P`, `?`, `ctrl-r`, `alt-x`, `shift-p`, `F5`, `enter`, `esc`, `tab`,
    /// `shift-tab`, `space`, `up`, `down`, `left`, `right`, `home`, `end`, `pgup`, `pgdn`.
    pub fn parse(text: &str) -> Result<Key, String> {
        let mut rest = text.trim();
        let (mut ctrl, mut alt, mut shift) = (false, false, false);
        loop {
            let lower = rest.to_ascii_lowercase();
            let prefix = ["ctrl-", "alt-", "shift-"]
                .into_iter()
                .find(|p| lower.starts_with(p) && rest.len() > p.len());
            match prefix {
                Some("ctrl-") => ctrl = true,
                Some("alt-") => alt = true,
                Some(_) => shift = true,
                None => break,
            }
            rest = &rest[prefix.map_or(0, str::len)..];
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) if !c.is_control() => {
                if shift {
                    KeyCode::Char(c.to_ascii_uppercase())
                } else if ctrl {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            _ => named(&rest.to_ascii_lowercase(), shift).ok_or_else(|| {
                format!("`{text}` is not a key (try `q`, `ctrl-r`, `F5`, `shift-tab`, `enter`)")
            })?,
        };
        Ok(Key { code, ctrl, alt })
    }

    /// A Ctrl+letter chord: tmux and vim users press these by reflex.
    pub fn is_ctrl_letter(&self) -> bool {
        self.ctrl && matches!(self.code, KeyCode::Char(c) if c.is_ascii_alphabetic())
    }
}

fn named(name: &str, shift: bool) -> Option<KeyCode> {
    Some(match name {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" if shift => KeyCode::BackTab,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "space" => KeyCode::Char(' '),
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pgup" | "pageup" => KeyCode::PageUp,
        "pgdn" | "pgdown" | "pagedown" => KeyCode::PageDown,
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "insert" | "ins" => KeyCode::Insert,
        f if f.starts_with('f') => match f[1..].parse::<u8>() {
            Ok(n @ 1..=24) => KeyCode::F(n),
            _ => return None,
        },
        _ => return None,
    })
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Insert => f.write_str("Ins"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// The contexts a key can be bound in (text entry takes every key as text).
const BOUND_CONTEXTS: [Context; 4] = [Cockpit, Detail, Help, ScreenShare];

/// A remappable command: what it does, its keys and where it works.
#[derive(Debug, Clone)]
pub struct Binding {
    pub command: Command,
    pub help: &'static str,
    pub keys: Vec<Key>,
    /// Ends the session or cannot be taken back: never allowed on a Ctrl+letter chord.
    pub destructive: bool,
    /// Changes the launch: a read-only cockpit leaves it out and refuses it.
    pub writes: bool,
    contexts: &'static [Context],
    pub panes: Panes,
    row: &'static dyn Bound<Action>,
}

impl Binding {
    /// Whether the binding works in `context` with `pane` in front.
    pub fn active_in(&self, context: Context, pane: Pane) -> bool {
        self.contexts.contains(&context) && (context != Cockpit || self.panes.contains(pane))
    }

    /// Its `[keys]` name.
    pub fn name(&self) -> &'static str {
        self.command.name()
    }

    pub fn action(&self) -> Action {
        self.row.action()
    }

    pub fn keys_text(&self) -> String {
        let keys: Vec<String> = self.keys.iter().map(Key::to_string).collect();
        keys.join(" ")
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeymapError {
    #[error("[keys]: unknown action `{name}`; known actions: {known}")]
    UnknownAction { name: String, known: String },
    #[error("[keys] {name} = \"{key}\": {reason}")]
    BadKey {
        name: String,
        key: String,
        reason: String,
    },
    #[error("[keys]: `{key}` is bound to both `{first}` and `{second}` ({place})")]
    Conflict {
        key: String,
        first: String,
        second: String,
        /// Where both would work: `in the Gates pane`, `in a detail view`.
        place: String,
    },
}

#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
    /// A viewer's cockpit: the commands that change the launch are neither offered (help,
    /// footer) nor run; their keys answer [`Action::ReadOnly`].
    read_only: bool,
}

impl Default for Keymap {
    fn default() -> Keymap {
        let bindings = rows()
            .map(|row| {
                let Info {
                    command,
                    help,
                    keys,
                    destructive,
                    writes,
                    contexts,
                    panes,
                } = *row.info();
                Binding {
                    command,
                    help,
                    keys: keys.iter().filter_map(|k| Key::parse(k).ok()).collect(),
                    destructive,
                    writes,
                    contexts,
                    panes,
                    row,
                }
            })
            .collect();
        Keymap {
            bindings,
            read_only: false,
        }
    }
}

impl Keymap {
    /// The default keymap with `[keys]` overrides: `name = "key"` or `name = "key1, key2"`
    /// replaces that action's keys.
    pub fn with_overrides(overrides: &BTreeMap<String, String>) -> Result<Keymap, KeymapError> {
        let mut keymap = Keymap::default();
        for (name, text) in overrides {
            let known = || {
                let names: Vec<&str> = keymap.bindings.iter().map(Binding::name).collect();
                names.join(", ")
            };
            let Some(index) = keymap.bindings.iter().position(|b| b.name() == name) else {
                return Err(KeymapError::UnknownAction {
                    name: crate::text::sanitize(name),
                    known: known(),
                });
            };
            let bad = |reason: String| KeymapError::BadKey {
                name: name.clone(),
                key: crate::text::sanitize(text),
                reason,
            };
            let mut keys = Vec::new();
            for part in text.split(',').map(str::trim) {
                // "," itself is a key: `a, ,` is unusual enough to need no support.
                let key = Key::parse(part).map_err(bad)?;
                if key.is_ctrl_letter() && keymap.bindings[index].destructive {
                    return Err(bad(format!(
                        "`{name}` ends the session and may not sit on a Ctrl+letter key (pressed by reflex in tmux and vim)"
                    )));
                }
                keys.push(key);
            }
            if keys.is_empty() {
                return Err(bad("no key given".into()));
            }
            keymap.bindings[index].keys = keys;
        }
        keymap.check_conflicts()?;
        Ok(keymap)
    }

    /// Two bindings may share a key only where they never both work: in different panes.
    fn check_conflicts(&self) -> Result<(), KeymapError> {
        for context in BOUND_CONTEXTS {
            for &pane in Pane::ALL {
                let active: Vec<&Binding> = self
                    .bindings
                    .iter()
                    .filter(|b| b.active_in(context, pane))
                    .collect();
                for (i, a) in active.iter().enumerate() {
                    for b in &active[i + 1..] {
                        if let Some(key) = a.keys.iter().find(|k| b.keys.contains(k)) {
                            return Err(KeymapError::Conflict {
                                key: key.to_string(),
                                first: a.name().into(),
                                second: b.name().into(),
                                place: place(context, pane),
                            });
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The same keys in a viewer's cockpit (`read_only`): what changes the launch is left out.
    pub fn viewing(mut self, read_only: bool) -> Keymap {
        self.read_only = read_only;
        self
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Whether this keymap offers and runs `binding` (a read-only one leaves out writes).
    fn offers(&self, binding: &Binding) -> bool {
        !(self.read_only && binding.writes)
    }

    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    pub fn binding(&self, command: Command) -> Option<&Binding> {
        self.bindings.iter().find(|b| b.command == command)
    }

    /// The first key of a command, as shown to people (`q`).
    pub fn key_of(&self, command: Command) -> String {
        self.binding(command)
            .and_then(|b| b.keys.first())
            .map(Key::to_string)
            .unwrap_or_else(|| "?".into())
    }

    /// What `key` does in `context` with `pane` in front: in a read-only cockpit, a command
    /// that changes the launch is answered by [`Action::ReadOnly`], never run.
    pub fn action_for(&self, context: Context, pane: Pane, key: Key) -> Option<Action> {
        self.bindings
            .iter()
            .find(|b| b.active_in(context, pane) && b.keys.contains(&key))
            .map(|b| match self.offers(b) {
                true => b.action(),
                false => Action::ReadOnly(b.command),
            })
    }

    /// The bindings the help lists with `pane` in front: the cockpit's own and that pane's
    /// (in a read-only cockpit, none that changes the launch).
    pub fn bindings_for(&self, pane: Pane) -> impl Iterator<Item = &Binding> {
        self.bindings
            .iter()
            .filter(move |b| b.panes.contains(pane) && self.offers(b))
    }

    /// `(keys, help)` for the footer of a context outside the panes (views over them, help,
    /// screen-share).
    pub fn footer(&self, context: Context) -> Vec<(String, &'static str)> {
        self.entries(footer_commands(context))
    }

    /// A footer's `(key, label)` entries for these commands, without the ones this keymap does
    /// not offer.
    fn entries(&self, commands: &[(Command, &'static str)]) -> Vec<(String, &'static str)> {
        commands
            .iter()
            .filter(|(command, _)| self.binding(*command).is_none_or(|b| self.offers(b)))
            .map(|(command, label)| (self.key_of(*command), *label))
            .collect()
    }

    /// The footer of a context with a pane in front: the pane's own commands, in its words.
    pub fn footer_in(&self, context: Context, pane: Pane) -> Vec<(String, &'static str)> {
        match super::panes::footer(pane, context) {
            Some(commands) => self.entries(commands),
            None => self.footer(context),
        }
    }
}

/// Where a conflict bites, for its message.
fn place(context: Context, pane: Pane) -> String {
    match context {
        Cockpit => format!("in the {} pane", pane.title()),
        Detail => "in a detail view".into(),
        Help => "in the help".into(),
        ScreenShare => "in screen-share mode".into(),
        Context::TextEntry => "while typing".into(),
    }
}

/// Validates a `[keys]` section (for `gonogo config check` and cockpit start-up).
pub fn validate(overrides: &BTreeMap<String, String>) -> Result<(), KeymapError> {
    Keymap::with_overrides(overrides).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn parses_key_names() {
        assert_eq!(Key::parse("q"), Ok(Key::char('q')));
        assert_eq!(Key::parse("P"), Ok(Key::char('P')));
        assert_eq!(Key::parse("shift-p"), Ok(Key::char('P')));
        let ctrl_r = Key::parse("ctrl-r").unwrap();
        assert!(ctrl_r.ctrl && ctrl_r.code == KeyCode::Char('r'));
        assert_eq!(Key::parse("F5"), Ok(Key::plain(KeyCode::F(5))));
        assert_eq!(Key::parse("shift-tab"), Ok(Key::plain(KeyCode::BackTab)));
        assert_eq!(Key::parse("-"), Ok(Key::char('-')));
        assert!(Key::parse("F99").is_err());
        assert!(Key::parse("hyper-q").is_err());
        assert_eq!(Key::parse("ctrl-r").unwrap().to_string(), "Ctrl-r");
    }

    #[test]
    fn overrides_replace_keys_and_errors_name_the_entry() {
        let km = Keymap::with_overrides(&map(&[("quit", "x, F10")])).unwrap();
        assert_eq!(
            km.action_for(Context::Cockpit, Pane::Gates, Key::char('x'))
                .map(|a| format!("{a:?}")),
            Some("Quit".into())
        );
        assert!(
            km.action_for(Context::Cockpit, Pane::Gates, Key::char('q'))
                .is_none()
        );
        let err = Keymap::with_overrides(&map(&[("qiut", "x")])).unwrap_err();
        assert!(err.to_string().contains("unknown action `qiut`"), "{err}");
        let err = Keymap::with_overrides(&map(&[("help", "hyper-h")])).unwrap_err();
        assert!(
            err.to_string().contains("[keys] help = \"hyper-h\""),
            "{err}"
        );
        let err = Keymap::with_overrides(&map(&[("quit", "ctrl-q")])).unwrap_err();
        assert!(err.to_string().contains("Ctrl+letter"), "{err}");
        let err = Keymap::with_overrides(&map(&[("mask", "r")])).unwrap_err();
        assert!(matches!(err, KeymapError::Conflict { .. }), "{err}");
    }

    #[test]
    fn every_command_has_one_default_binding_and_every_default_key_parses() {
        let rows: Vec<_> = rows().map(|r| *r.info()).collect();
        for row in &rows {
            let bound = rows.iter().filter(|r| r.command == row.command).count();
            assert_eq!(bound, 1, "{:?} has {bound} default bindings", row.command);
            assert_eq!(Command::named(row.command.name()), Some(row.command));
            for key in row.keys {
                assert!(Key::parse(key).is_ok(), "{:?}: `{key}`", row.command);
            }
        }
        // The cockpit's 36 and the test-only toy pane's one.
        assert_eq!(rows.len(), 37);
        // Each default key runs its own command's action, not a catch-all.
        let keymap = Keymap::default();
        for b in keymap.bindings() {
            let context = b.contexts[0];
            let pane = Pane::ALL
                .iter()
                .copied()
                .find(|p| b.panes.contains(*p))
                .unwrap();
            let action = keymap.action_for(context, pane, b.keys[0]);
            assert_eq!(
                action.map(|a| format!("{a:?}")),
                Some(format!("{:?}", b.action())),
                "{}",
                b.name()
            );
        }
        let action = |c| keymap.binding(c).map(|b| format!("{:?}", b.action()));
        assert_eq!(action(Command::RecheckAll).as_deref(), Some("RecheckAll"));
        assert_eq!(action(Command::Recheck).as_deref(), Some("Recheck"));
    }

    #[test]
    fn an_unknown_keys_name_is_an_error_naming_it() {
        assert_eq!(Command::named("recheck-all"), None);
        let err = Keymap::with_overrides(&map(&[("recheck-all", "X")])).unwrap_err();
        assert!(
            matches!(err, KeymapError::UnknownAction { ref name, .. } if name == "recheck-all")
        );
        assert!(err.to_string().contains("recheck_all"), "{err}");
    }

    #[test]
    fn no_default_destructive_binding_uses_ctrl() {
        for b in Keymap::default().bindings() {
            assert!(!b.keys.is_empty(), "{} has no key", b.name());
            assert!(b.keys.iter().all(|k| !k.ctrl), "{} uses Ctrl", b.name());
        }
    }
}
