//! Whether a pane's result covers all the work it stands for, and the one way every pane draws
//! that: a result with part of its work undone is never shown as clean, passed or complete.
//!
//! A pane keeps a [`Completeness`] next to its result (the Cohort pane's database checks; a
//! dispatch count that could not be read, a checklist whose gates are unknown) and draws it
//! with [`Completeness::line`] and [`Completeness::badge`], so every pane says it the same way.

use super::theme::Theme;
use ratatui::style::Style;
use ratatui::text::Line;

/// How much of a result's work ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completeness {
    /// Every check ran.
    Complete,
    /// Left out by the setup (no database configured): said plainly, as the CLI says it; the
    /// result is as good as the checks that ran.
    Skipped { what: String, why: String },
    /// Part of the work was meant to run and did not: the result is not OK, whatever the rest
    /// found.
    Failed { what: String, why: String },
}

impl Completeness {
    /// True when part of the work was meant to run and did not.
    pub fn failed(&self) -> bool {
        matches!(self, Completeness::Failed { .. })
    }

    /// One plain sentence naming what was not checked and why; `None` when everything ran.
    pub fn sentence(&self) -> Option<String> {
        match self {
            Completeness::Complete => None,
            Completeness::Skipped { what, why } => Some(format!("Not checked: {what}; {why}.")),
            Completeness::Failed { what, why } => {
                Some(format!("Not checked: {what}, because {why}."))
            }
        }
    }

    /// The sentence as a line: the warning colour when the work failed, dim when it was left
    /// out by the setup.
    pub fn line(&self, theme: &Theme) -> Option<Line<'static>> {
        let style = match self {
            Completeness::Complete => return None,
            Completeness::Skipped { .. } => theme.dim(),
            Completeness::Failed { .. } => theme.aged(),
        };
        self.sentence()
            .map(|text| Line::styled(format!(" {text}"), style))
    }

    /// The status badge of a result: its own label and style, except that a result that would
    /// be clean does not say so when its work failed.
    pub fn badge(&self, theme: &Theme, clean: bool, label: &str, style: Style) -> (String, Style) {
        if clean && self.failed() {
            (" NOT CHECKED ".to_owned(), theme.aged())
        } else {
            (format!(" {} ", label.to_uppercase()), style)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed() -> Completeness {
        Completeness::Failed {
            what: "existing users".into(),
            why: "the database refused the connection".into(),
        }
    }

    #[test]
    fn a_failed_check_is_never_a_clean_badge() {
        let theme = Theme::plain();
        let ok = theme.dim();
        let (label, style) = failed().badge(&theme, true, "ok", ok);
        assert_eq!(label, " NOT CHECKED ");
        assert_eq!(style, theme.aged());
        let (label, _) = failed().badge(&theme, false, "blocked", ok);
        assert_eq!(label, " BLOCKED ");
        let (label, _) = Completeness::Complete.badge(&theme, true, "ok", ok);
        assert_eq!(label, " OK ");
    }

    #[test]
    fn the_sentence_names_what_and_why_in_one_plain_sentence() {
        assert_eq!(
            failed().sentence().unwrap(),
            "Not checked: existing users, because the database refused the connection."
        );
        assert_eq!(Completeness::Complete.sentence(), None);
        let line = failed().line(&Theme::plain()).unwrap();
        assert_eq!(line.style, Theme::plain().aged());
    }
}
