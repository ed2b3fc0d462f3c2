//! Colours and styles, in one place; `NO_COLOR` turns every colour off and keeps emphasis.

use crate::gate::{GateState, Verdict};
use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colours unless `NO_COLOR` is set to anything non-empty (<https://no-color.org>).
    pub fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme { color: !no_color }
    }

    pub fn plain() -> Theme {
        Theme { color: false }
    }

    fn fg(&self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    fn badge(&self, bg: Color) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(bg)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
        }
    }

    pub fn state(&self, state: GateState) -> Style {
        match state {
            GateState::Pass => self.fg(Color::Green),
            GateState::Fail => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            GateState::Pending => self.fg(Color::Yellow),
            GateState::Unknown => self.fg(Color::Gray),
        }
    }

    pub fn verdict(&self, verdict: Verdict) -> Style {
        match verdict {
            Verdict::Go => self.badge(Color::Green),
            Verdict::NoGo => self.badge(Color::Red),
            Verdict::Unknown => self.badge(Color::Gray),
        }
    }

    pub fn verdict_text(&self, verdict: Verdict) -> Style {
        match verdict {
            Verdict::Go => self.fg(Color::Green),
            Verdict::NoGo => self.fg(Color::Red),
            Verdict::Unknown => self.fg(Color::Gray),
        }
        .add_modifier(Modifier::BOLD)
    }

    pub fn environment(&self, production: bool) -> Style {
        if production {
            self.badge(Color::Red)
        } else {
            self.badge(Color::Cyan)
        }
    }

    pub fn demo(&self) -> Style {
        self.badge(Color::Magenta)
    }

    pub fn header(&self) -> Style {
        if self.color {
            Style::new().bg(Color::DarkGray).fg(Color::White)
        } else {
            Style::new()
        }
    }

    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    /// Data that is late or stale: never to be mistaken for fresh.
    pub fn aged(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red)
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn active_tab(&self) -> Style {
        self.fg(Color::Cyan)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_keeps_emphasis_but_sets_no_colour() {
        let plain = Theme::plain();
        for style in [
            plain.state(GateState::Fail),
            plain.verdict(Verdict::NoGo),
            plain.environment(true),
            plain.aged(),
            plain.header(),
        ] {
            assert_eq!((style.fg, style.bg), (None, None), "{style:?}");
        }
        assert!(
            plain
                .verdict(Verdict::NoGo)
                .add_modifier
                .contains(Modifier::REVERSED)
        );
        let colored = Theme { color: true };
        assert_eq!(colored.environment(true).bg, Some(Color::Red));
    }
}
