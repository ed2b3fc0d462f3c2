//! How a cohort cell is shown: as written. Email rules check a cell untrimmed, so the space
//! `malformed_email` complains about must stay visible (`␠`); control characters are
//! neutralised, long cells cut.

/// Stands for whitespace before or after a cell's text.
pub const VISIBLE_SPACE: char = '␠';

/// The cell with every character that must not reach a terminal (controls, tabs and line
/// breaks included) replaced by `\u{FFFD}`, nothing trimmed, cut to `max` characters (`…`).
/// For data (a finding's email in `--json`), where surrounding spaces are plain to see.
pub fn neutralised(cell: &str, max: usize) -> String {
    // One character past `max` is enough to know a cut is due.
    crate::text::cut(
        &cell.chars().map(neutral).take(max + 1).collect::<String>(),
        max,
    )
}

/// [`neutralised`], with the whitespace before and after the text made visible as
/// [`VISIBLE_SPACE`] and characters that take no room on screen (a zero-width space, a BOM in
/// mid-file) shown as `\u{FFFD}`: for people (the cockpit's rows, the text report), who must
/// see why `ana@x.com` is malformed.
pub fn as_written(cell: &str, max: usize) -> String {
    let text = cell.trim();
    let before = cell.len() - cell.trim_start().len();
    let after = cell.trim_end().len();
    let lead = cell[..before].chars().map(edge);
    let tail = cell[after.max(before)..].chars().map(edge);
    let shown: String = lead
        .chain(text.chars().map(visible))
        .chain(tail)
        .take(max + 1)
        .collect();
    crate::text::cut(&shown, max)
}

fn visible(c: char) -> char {
    if crate::text::is_invisible(c) {
        '\u{FFFD}'
    } else {
        neutral(c)
    }
}

fn neutral(c: char) -> char {
    if crate::text::is_unsafe(c) {
        '\u{FFFD}'
    } else {
        c
    }
}

fn edge(c: char) -> char {
    if crate::text::is_unsafe(c) {
        '\u{FFFD}'
    } else {
        VISIBLE_SPACE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surrounding_whitespace_is_visible_and_controls_neutralised() {
        assert_eq!(as_written(" ana@x.com", 50), "␠ana@x.com");
        assert_eq!(as_written("ana@x.com \u{a0}", 50), "ana@x.com␠␠");
        assert_eq!(
            as_written("\tana@x.com\r\n", 50),
            "\u{FFFD}ana@x.com\u{FFFD}\u{FFFD}"
        );
        assert_eq!(as_written("a\u{1b}[31m b", 50), "a\u{FFFD}[31m b");
        assert_eq!(as_written("   ", 50), "␠␠␠");
        assert_eq!(as_written("", 50), "");
        assert_eq!(neutralised(" a\tb ", 50), " a\u{FFFD}b ");
    }

    #[test]
    fn characters_that_take_no_room_are_shown_to_people_and_kept_in_data() {
        assert_eq!(
            as_written("ana@example.com\u{200B}", 50),
            "ana@example.com\u{FFFD}"
        );
        assert_eq!(as_written("a\u{FEFF}na@x.io", 50), "a\u{FFFD}na@x.io");
        assert_eq!(
            as_written("ana@ex\u{AD}ample.com", 50),
            "ana@ex\u{FFFD}ample.com"
        );
        assert_eq!(neutralised("ana@x.io\u{200B}", 50), "ana@x.io\u{200B}");
        assert_eq!(as_written("élodie@café.fr", 50), "élodie@café.fr");
    }

    #[test]
    fn long_cells_are_cut_with_an_ellipsis() {
        assert_eq!(as_written("abcdef", 4), "abc…");
        assert_eq!(as_written("abcd", 4), "abcd");
        assert_eq!(as_written(" abcdef", 4), "␠ab…");
        assert_eq!(neutralised("abcdef", 1), "…");
    }
}
