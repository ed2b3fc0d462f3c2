//! The help popup, generated from the keymap (so remapped keys show as remapped): the
//! cockpit's keys and those of the pane in front, then the palette's command list.

use crate::tui::keymap::Keymap;
use crate::tui::kit::{self, Command, View};
use crate::tui::palette;
use crate::tui::panes::Pane;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear};

/// The help with `pane` in front, scrolled by `scroll` lines.
pub fn render(
    keymap: &Keymap,
    pane: Pane,
    scroll: u16,
    view: &View,
    frame: &mut Frame,
    area: Rect,
) {
    let theme = view.theme;
    let mut lines = vec![Line::styled("Keys", theme.title())];
    for b in keymap.bindings_for(pane) {
        lines.push(Line::from(vec![
            Span::styled(format!("{:>14}  ", b.keys_text()), theme.key()),
            Span::raw(b.help),
            Span::styled(format!("  [{}]", b.name()), theme.dim()),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Commands (after :)", theme.title()));
    for (command, help) in palette::commands(keymap.is_read_only()) {
        lines.push(Line::from(vec![
            Span::styled(format!("{command:>14}  "), theme.key()),
            Span::raw(help),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Mouse: the wheel scrolls, a click selects a row or a tab.",
        theme.dim(),
    ));
    lines.push(Line::styled(
        "Remap keys in the [keys] section of gonogo.toml, e.g. quit = \"x\".",
        theme.dim(),
    ));
    let width = area.width.saturating_sub(4).min(72);
    let height = area.height.saturating_sub(2).min(lines.len() as u16 + 2);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    let block = Block::bordered().title(Span::styled(
        format!(" Help · {} closes ", view.key(Command::Back)),
        theme.title(),
    ));
    frame.render_widget(Clear, popup);
    frame.render_widget(kit::scrolled(theme, lines, block, popup, scroll), popup);
}
