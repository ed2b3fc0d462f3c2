//! Email masking over everything drawn: one pass over the finished frame's rows, so no pane,
//! popup or input line can forget it. Each row is read as text (a wide character once, a
//! cell's combining marks with it) and cut by [`crate::text::Masker`], the one masker; the cuts
//! are written back over the cells they came from.

use crate::text::Masker;
use ratatui::buffer::Buffer;

/// The cells a symbol takes: one for ASCII (nearly every cell), its display width otherwise.
fn cells(symbol: &str) -> u16 {
    if symbol.len() == 1 {
        return 1;
    }
    let width = ratatui::text::Span::raw(symbol).width();
    u16::try_from(width).unwrap_or(1).max(1)
}

/// Masks every email address in the buffer, in place. Cell styles are kept; the masked text
/// is cut or padded to the cells the original used, so the layout does not move.
pub fn mask_buffer(buffer: &mut Buffer, masker: &Masker) {
    let area = buffer.area;
    let mut chars = Vec::with_capacity(usize::from(area.width));
    // For each character of the row: the first cell of its symbol and the cells it takes.
    let mut cell_of: Vec<(u16, u16)> = Vec::with_capacity(usize::from(area.width));
    for y in area.top()..area.bottom() {
        chars.clear();
        cell_of.clear();
        let mut x = area.left();
        while x < area.right() {
            let symbol = buffer[(x, y)].symbol();
            let width = cells(symbol);
            for c in symbol.chars() {
                chars.push(c);
                cell_of.push((x, width));
            }
            x = x.saturating_add(width);
        }
        for cut in masker.cuts(&chars) {
            let first = cell_of[cut.start].0;
            let (last, width) = cell_of[cut.end - 1];
            let end = last.saturating_add(width).min(area.right());
            let mut shown = cut.shown.chars();
            for cx in first..end {
                buffer[(cx, y)].set_char(shown.next().unwrap_or(' '));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::KnownAddresses;
    use ratatui::layout::Rect;
    use ratatui::style::{Color, Style};
    use std::sync::Arc;

    fn row(buffer: &Buffer, y: u16) -> String {
        (0..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol().to_owned())
            .collect()
    }

    fn masked(width: u16, text: &str, masker: &Masker) -> String {
        let mut buffer = Buffer::empty(Rect::new(0, 0, width, 1));
        buffer.set_string(0, 0, text, Style::new());
        mask_buffer(&mut buffer, masker);
        row(&buffer, 0)
    }

    #[test]
    fn masks_addresses_and_keeps_styles_and_width() {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 40, 2));
        buffer.set_string(0, 0, "mail olivia@veza.fr: bounced", Style::new());
        buffer.set_string(5, 0, "oli", Style::new().fg(Color::Red));
        buffer.set_string(0, 1, "│x@y.io│ ok", Style::new());
        mask_buffer(&mut buffer, &Masker::default());
        assert_eq!(row(&buffer, 0).trim_end(), "mail o***@v***.fr  : bounced");
        assert_eq!(buffer[(5, 0)].fg, Color::Red);
        // Longer when masked: cut to the cells the address used, never spilling over.
        assert_eq!(row(&buffer, 1).trim_end(), "│x***@y│ ok");
    }

    #[test]
    fn an_address_cut_short_by_a_column_is_still_masked() {
        let shown = masked(20, "olivia@veza", &Masker::default());
        assert!(!shown.contains("olivia"), "{shown}");
    }

    #[test]
    fn wide_characters_are_read_once_and_masked_over_both_cells() {
        let shown = masked(30, "to 山田太郎@例え.jp │ ok", &Masker::default());
        // 山田太郎@例え.jp takes 4×2 + 1 + 2×2 + 3 = 16 cells, all rewritten in place.
        assert_eq!(shown.trim_end(), format!("to ****@****.jp{:4} │ ok", ""));
        let shown = masked(30, "ｊｏｈｎ＠ｅｘ．ｃｏｍ ok", &Masker::default());
        assert!(!shown.contains('ｊ') && !shown.contains('ｏ'), "{shown}");
        assert!(shown.contains(" ok"), "{shown}");
    }

    #[test]
    fn characters_sharing_a_cell_do_not_split_the_address() {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 20, 1));
        buffer.set_string(0, 0, "jo", Style::new());
        buffer[(1, 0)].set_symbol("o\u{200D}");
        buffer.set_string(2, 0, "hn@ex.com", Style::new());
        mask_buffer(&mut buffer, &Masker::default());
        assert!(
            row(&buffer, 0).starts_with("j***@e***"),
            "{}",
            row(&buffer, 0)
        );
    }

    #[test]
    fn a_known_local_part_is_masked_without_its_at_sign() {
        let masker = Masker::new(vec![Arc::new(KnownAddresses::new([
            "alexandra.longname@mail.example",
        ]))]);
        let shown = masked(30, "│alexandra.longname│ sent", &masker);
        assert_eq!(shown.trim_end(), format!("│a***{:14}│ sent", ""));
        let shown = masked(30, "│alexandra.lo…│ sent", &masker);
        assert_eq!(shown.trim_end(), format!("│a***{:8}…│ sent", ""));
    }
}
