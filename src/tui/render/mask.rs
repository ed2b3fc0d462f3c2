//! Email masking over everything drawn: one pass over the finished frame's cells, so no pane,
//! popup or input line can forget it. Uses [`crate::text::mask_emails`], the one masking
//! function.

use ratatui::buffer::Buffer;

/// Characters that can be part of an address, so a run of them is masked as one word.
fn is_address_char(symbol: &str) -> bool {
    let mut chars = symbol.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => c.is_alphanumeric() || "@._%+-'!#$&*/=?^`{|}~".contains(c),
        _ => false,
    }
}

/// Masks every email address in the buffer, in place. Cell styles are kept; the masked word is
/// cut or padded to the cells the original used, so the layout does not move.
pub fn mask_buffer(buffer: &mut Buffer) {
    let area = buffer.area;
    for y in area.top()..area.bottom() {
        let mut x = area.left();
        while x < area.right() {
            if !is_address_char(buffer[(x, y)].symbol()) {
                x += 1;
                continue;
            }
            let start = x;
            let mut word = String::new();
            while x < area.right() && is_address_char(buffer[(x, y)].symbol()) {
                word.push_str(buffer[(x, y)].symbol());
                x += 1;
            }
            if word.contains('@') {
                let masked = crate::text::mask_emails(&word);
                if masked != word {
                    let mut replacement = masked.chars();
                    for cx in start..x {
                        let c = replacement.next().unwrap_or(' ');
                        buffer[(cx, y)].set_char(c);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::{Color, Style};

    fn row(buffer: &Buffer, y: u16) -> String {
        (0..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol().to_owned())
            .collect()
    }

    #[test]
    fn masks_addresses_and_keeps_styles_and_width() {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 40, 2));
        buffer.set_string(0, 0, "mail olivia@veza.fr: bounced", Style::new());
        buffer.set_string(5, 0, "oli", Style::new().fg(Color::Red));
        buffer.set_string(0, 1, "│x@y.io│ ok", Style::new());
        mask_buffer(&mut buffer);
        assert_eq!(row(&buffer, 0).trim_end(), "mail o***@v***.fr  : bounced");
        assert_eq!(buffer[(5, 0)].fg, Color::Red);
        // Longer when masked: cut to the cells the address used, never spilling over.
        assert_eq!(row(&buffer, 1).trim_end(), "│x***@y│ ok");
    }

    #[test]
    fn an_address_cut_short_by_a_column_is_still_masked() {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 20, 1));
        buffer.set_string(0, 0, "olivia@veza", Style::new());
        mask_buffer(&mut buffer);
        assert!(!row(&buffer, 0).contains("olivia"), "{}", row(&buffer, 0));
    }
}
