//! The text as the masker reads it: Unicode compatibility folding (`＠` is `@`, fullwidth
//! letters are ASCII), invisible characters removed, `%XX` escapes decoded; each character
//! remembers the original characters it came from, so a cut maps back onto the spelling shown.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// The normalised characters and, for each, the original characters `[start, end)` it stands for.
pub(super) struct Normalised {
    pub chars: Vec<char>,
    pub origin: Vec<(usize, usize)>,
}

impl Normalised {
    /// The original characters covered by normalised `[start, end)` (`end > start`).
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        (self.origin[start].0, self.origin[end - 1].1)
    }
}

/// Characters that show as nothing (or as the stand-in [`super::super::sanitize`] puts for
/// one): left out, so `jo\u{200B}hn@example.com` reads as the address it looks like.
pub(super) fn is_hidden(c: char) -> bool {
    super::super::is_invisible(c) || matches!(c, '\u{202A}'..='\u{202E}' | '\u{FFFD}')
}

pub(super) fn normalise(original: &[char]) -> Normalised {
    let mut out = Normalised {
        chars: Vec::with_capacity(original.len()),
        origin: Vec::with_capacity(original.len()),
    };
    let mut i = 0;
    while i < original.len() {
        if original[i] == '%'
            && let Some(used) = decode_escapes(original, i, &mut out)
        {
            i += used;
            continue;
        }
        push_folded(original[i], (i, i + 1), &mut out);
        i += 1;
    }
    out
}

fn push_folded(c: char, origin: (usize, usize), out: &mut Normalised) {
    // `…` stays the cut mark it is (folded, it would read as three dots of an address).
    if c.is_ascii() || c == '…' {
        out.chars.push(c);
        out.origin.push(origin);
        return;
    }
    if is_hidden(c) {
        return;
    }
    // Box drawing, arrows, emoji and most letters are their own compatibility form: the quick
    // check's table says so without running the normaliser (it runs on every cell of a frame).
    if is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes {
        out.chars.push(c);
        out.origin.push(origin);
        return;
    }
    for folded in std::iter::once(c).nfkc() {
        if !is_hidden(folded) {
            out.chars.push(folded);
            out.origin.push(origin);
        }
    }
}

/// Decodes the run of `%XX` escapes at `at` as far as it spells UTF-8 (`%40` is `@`,
/// `%EF%BC%A0` is `＠`, folded in turn); how many original characters it used, or `None` when
/// the first escape decodes to nothing.
fn decode_escapes(original: &[char], at: usize, out: &mut Normalised) -> Option<usize> {
    let hex = |i: usize| original.get(i).and_then(|c| c.to_digit(16));
    let mut bytes = Vec::new();
    let mut i = at;
    while original.get(i) == Some(&'%') {
        let (Some(high), Some(low)) = (hex(i + 1), hex(i + 2)) else {
            break;
        };
        bytes.push((high * 16 + low) as u8);
        i += 3;
    }
    let text = match std::str::from_utf8(&bytes) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).ok()?,
    };
    if text.is_empty() {
        return None;
    }
    let mut used = 0;
    for c in text.chars() {
        let escapes = c.len_utf8();
        push_folded(c, (at + 3 * used, at + 3 * (used + escapes)), out);
        used += escapes;
    }
    Some(3 * used)
}
