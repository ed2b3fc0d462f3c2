//! The bottom of the cockpit's render side: what every render reads ([`View`]: theme, time,
//! masking, key names, size and the launch's read-only data), the ids shared by panes and the
//! shared pieces ([`Pane`], [`Command`], [`Level`], [`LaunchInfo`]), and the widgets several
//! panes draw with. Imports nothing from `tui/` but the leaf modules `theme` and `format`, so a
//! pane's render depends on this and on its own pane, never on the whole cockpit's state.

use super::format;
use super::theme::Theme;
use crate::gate::{Board, GateSpec, GateState, GateStatus};
use crate::text::Masker;
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use std::collections::BTreeSet;

/// What a key can be bound to: its `[keys]` name. The commands themselves are declared by
/// their rows in `bindings` (and each pane's `KEYS`); the type sits here so that a render can
/// name a command (to show its key) without depending on the actions commands run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Command(&'static str);

impl Command {
    /// Its name in `[keys]` and in the help.
    pub fn name(self) -> &'static str {
        self.0
    }

    /// For `bindings::commands!` only: a command is declared by its row.
    pub const fn declare(name: &'static str) -> Command {
        Command(name)
    }
}

/// Which pane the body shows, in tab order: each pane's id. A pane is registered in `panes!`
/// (`tui/panes/mod.rs`), which says what each id is (its title, its state, its entry points)
/// and fails to build if an id has no line there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Gates,
    Timeline,
    Cohort,
    Dispatch,
    Checklist,
    #[cfg(test)]
    Toy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warning,
}

/// What the launch is, for the header.
#[derive(Debug, Clone)]
pub struct LaunchInfo {
    pub name: String,
    pub environment: String,
    pub production: bool,
    pub decision_at: Option<DateTime<Utc>>,
    /// A viewer's cockpit: nothing that changes the launch is offered or run.
    pub read_only: bool,
}

/// The key a command is on, as shown to people: what a render needs of the keymap.
pub trait KeyNames {
    fn key_of(&self, command: Command) -> String;
}

/// What a render reads besides its own pane's state. Built once per frame by `render`.
#[derive(Clone, Copy)]
pub struct View<'a> {
    pub theme: &'a Theme,
    pub now: DateTime<Utc>,
    /// The masker for text as it is laid out, when masking is on.
    pub masker: Option<&'a Masker>,
    pub keys: &'a dyn KeyNames,
    /// The terminal's size: a pane's layout may depend on it (the Gates pane's history).
    pub size: (u16, u16),
    pub board: &'a Board,
    pub specs: &'a [GateSpec],
    pub launch: &'a LaunchInfo,
    /// Who is at the keyboard.
    pub operator: &'a str,
    /// Gates re-checked on request whose answer has not come back yet.
    pub checking: &'a BTreeSet<String>,
}

impl View<'_> {
    /// Email addresses are masked in everything drawn.
    pub fn masking(&self) -> bool {
        self.masker.is_some()
    }

    /// Text as it may be laid out: email addresses masked when masking is on, in any spelling,
    /// and the addresses the cockpit knows wherever they stand. Applied before layout, so a
    /// column or a wrap that cuts an address before its `@` cannot leave the local part
    /// readable; the frame-level pass in `render::mask` stays as the backstop.
    pub fn shown(&self, text: &str) -> String {
        match self.masker {
            Some(masker) => masker.mask(text),
            None => text.to_owned(),
        }
    }

    /// The first key of a command (`q`).
    pub fn key(&self, command: Command) -> String {
        self.keys.key_of(command)
    }

    pub fn spec(&self, id: &str) -> Option<&GateSpec> {
        self.specs.iter().find(|s| s.id == id)
    }
}

/// Where a scrolled view stands, when its text does not fit: `↓ more · lines 1–20 of 43`,
/// `lines 24–43 of 43 · end`; `None` when it all shows.
pub fn scroll_note(total: usize, scroll: u16, visible: usize) -> Option<String> {
    if total <= visible {
        return None;
    }
    let first = usize::from(scroll).min(total.saturating_sub(1)) + 1;
    let last = (usize::from(scroll) + visible).min(total);
    Some(if last < total {
        format!(" ↓ more · lines {first}–{last} of {total} ")
    } else {
        format!(" lines {first}–{last} of {total} · end ")
    })
}

/// A bordered view's wrapped text scrolled by `scroll` lines, saying on its bottom edge where
/// it stands when the text does not fit (every view that scrolls draws through this).
pub fn scrolled(
    theme: &Theme,
    lines: Vec<Line<'static>>,
    block: Block<'static>,
    area: Rect,
    scroll: u16,
) -> Paragraph<'static> {
    let wrap = Wrap { trim: false };
    let total = Paragraph::new(lines.clone())
        .wrap(wrap)
        .line_count(area.width.saturating_sub(2));
    let visible = usize::from(area.height.saturating_sub(2));
    let block = match scroll_note(total, scroll, visible) {
        Some(note) => block.title_bottom(Line::styled(note, theme.dim()).right_aligned()),
        None => block,
    };
    Paragraph::new(lines)
        .block(block)
        .wrap(wrap)
        .scroll((scroll, 0))
}

/// A text-entry modal at `popup`: its lines in `block`, and the cursor in the field that starts
/// `field_x` cells into row 3 of the text, `typed` cells (after the field's own scroll) in.
pub fn entry_modal(
    frame: &mut Frame,
    popup: Rect,
    lines: Vec<Line<'static>>,
    block: Block<'static>,
    field_x: u16,
    typed: u16,
) {
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        popup,
    );
    let x = popup.x + 1 + field_x + typed;
    frame.set_cursor_position(Position::new(
        x.min(popup.right().saturating_sub(2)),
        popup.y + 4,
    ));
}

/// A `width` × `height` rectangle centred in `area` (cut to it).
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// How old a gate's last check is, marked when it is late or stale: `(text, style, fresh)`.
/// `compact` keeps only the largest unit of the age (`STALE 6m`) for narrow columns.
pub fn age_mark(view: &View, gate: &GateStatus, compact: bool) -> (String, Style, bool) {
    let theme = view.theme;
    let Some(at) = gate.observed_at else {
        return ("never".into(), theme.aged(), false);
    };
    let age = format::span(at, view.now);
    let age = match age.split_once(' ') {
        Some((largest, _)) if compact => largest.to_owned(),
        _ => age,
    };
    let allowed = view
        .spec(&gate.id)
        .map(|s| s.every + s.timeout)
        .unwrap_or(gate.every);
    let late = (view.now - at).to_std().unwrap_or_default() > allowed;
    if gate.is_stale(view.now) {
        (format!("STALE {age}"), theme.error(), false)
    } else if late {
        (format!("late {age}"), theme.aged(), false)
    } else {
        (format!("{age} ago"), theme.dim(), true)
    }
}

/// The Checked column, given the gates re-checked on request whose answer has not come back.
/// A re-check in flight never hides that the value shown is old: a late or stale value keeps
/// its mark, prefixed with `↻`.
pub fn check_age(view: &View, checking: &BTreeSet<String>, gate: &GateStatus) -> (String, Style) {
    if !checking.contains(&gate.id) {
        let (text, style, _) = age_mark(view, gate, false);
        return (text, style);
    }
    match age_mark(view, gate, true) {
        (_, _, true) => ("checking…".into(), view.theme.dim()),
        (mark, style, false) => (format!("↻ {mark}"), style),
    }
}

/// A gate's detail or error worth a glance.
pub fn gate_note(view: &View, gate: &GateStatus) -> (String, Style) {
    let theme = view.theme;
    if let Some(error) = &gate.error {
        return (view.shown(error), theme.error());
    }
    if gate.state == GateState::Pending {
        let sustain = view.spec(&gate.id).and_then(|s| s.sustain);
        if let (Some(since), Some(sustain)) = (gate.failing_since(), sustain) {
            let of = crate::gate::format_duration_secs(sustain.as_secs_f64());
            return (
                format!("failing {} of {of}", format::span(since, view.now)),
                theme.state(GateState::Pending),
            );
        }
    }
    (
        view.shown(gate.detail.as_deref().unwrap_or_default()),
        theme.dim(),
    )
}

/// A gate's value as shown: `—` when there is none, marked when it is not current.
pub fn gate_value(theme: &Theme, gate: &GateStatus) -> (String, Style) {
    let text = gate.value_text();
    if gate.value.is_some() && gate.state == GateState::Unknown {
        (format!("{text}?"), theme.aged())
    } else {
        (text, theme.state(gate.state))
    }
}
