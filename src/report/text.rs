//! Untrusted text on its way into the report (gate names, notes, alert titles, operators,
//! cohorts, all read back from the database): control characters replaced, email addresses
//! masked by the one masker, and Markdown's own characters escaped so a cell stays a cell.

use crate::text::{KnownAddresses, Masker, sanitize};
use std::sync::Arc;

/// The report's one way to clean text.
#[derive(Debug, Clone, Default)]
pub struct Clean {
    masker: Masker,
}

impl Clean {
    /// Masks addresses by their pattern and, anywhere they stand, the local parts of `known`
    /// (the ledger's recipients).
    pub fn new<'a>(known: impl IntoIterator<Item = &'a str>) -> Clean {
        Clean {
            masker: Masker::new(vec![Arc::new(KnownAddresses::new(known))]),
        }
    }

    /// Plain text (for a chart's label): one line, no control character, addresses masked.
    pub fn plain(&self, text: &str) -> String {
        self.masker.mask(&sanitize(text))
    }

    /// Text for Markdown, in a table cell or a list line: [`Clean::plain`], then every
    /// character Markdown could read as markup escaped with a backslash.
    pub fn md(&self, text: &str) -> String {
        let plain = self.plain(text);
        let mut out = String::with_capacity(plain.len());
        for c in plain.chars() {
            if matches!(
                c,
                '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '~' | '!' | '&'
            ) {
                out.push('\\');
            }
            out.push(c);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::Clean;

    #[test]
    fn cells_cannot_bend_a_table_or_hide_an_address() {
        let clean = Clean::new(["olivia@veza.fr"]);
        let md = clean.md("a | b\n<img src=x>\u{1b}[2J *bold* olivia wrote to olivia@veza.fr");
        assert!(!md.contains('\n') && !md.contains('\u{1b}'), "{md}");
        assert!(md.contains("a \\| b"), "{md}");
        assert!(md.contains("\\<img") && md.contains("\\*bold\\*"), "{md}");
        assert!(!md.contains("olivia"), "{md}");
    }
}
