//! Text hygiene for anything untrusted or secret: control-character stripping, secret redaction,
//! URL credential redaction, email masking, and JSON that carries no raw invisible character.

mod json;
mod mask;
mod redactor;

pub use json::{to_json_line, to_json_pretty};
pub use mask::{Cut, KnownAddresses, Masker, mask_emails};
pub use redactor::{CommandSecrets, REDACTED, Redactor, command_secrets, redact_url};

/// Replaces control characters (C0, DEL, C1, and the ESC that starts ANSI sequences), bidi
/// controls and zero-width characters so untrusted text cannot move the cursor, change colours,
/// forge lines or read differently from what it is in a terminal, a log or a header.
/// Tabs and newlines become spaces: every caller shows the text on one line.
pub fn sanitize(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(' '),
            c if is_unsafe(c) || is_zero_width(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// [`sanitize`] for text already owned: returned as it is (no copy) when nothing needs
/// replacing, which is almost always, so reading a long journal does not copy every line.
pub fn sanitize_owned(input: String) -> String {
    let clean = input
        .chars()
        .all(|c| !matches!(c, '\t' | '\n' | '\r') && !is_unsafe(c) && !is_zero_width(c));
    if clean { input } else { sanitize(&input) }
}

/// [`sanitize`] for text whose line breaks matter (a multi-line error): each line is cleaned,
/// the breaks between them kept.
pub fn sanitize_lines(input: &str) -> String {
    input.lines().map(sanitize).collect::<Vec<_>>().join("\n")
}

/// Like [`sanitize`] but also cuts the text to at most `max` characters, marking the cut with `…`.
/// Text that may hold a secret goes through [`Redactor::excerpt`] instead, which redacts first.
pub fn sanitize_short(input: &str, max: usize) -> String {
    cut(&sanitize(input.trim()), max)
}

/// `text` whole when it has at most `max` characters, else its first `max - 1` and a closing
/// `…`, so a cut always shows. Counts characters (never splits one), not terminal cells: the
/// cockpit fits text to cells with its own `fit`.
pub fn cut(text: &str, max: usize) -> String {
    cut_after(text, max, false)
}

/// [`cut`] of what is left after the caller already dropped a tail (`already_cut`): the mark is
/// then due even when what is left fits.
pub(crate) fn cut_after(text: &str, max: usize, already_cut: bool) -> String {
    if !already_cut && text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// True for characters that must never reach a terminal: C0/C1 controls, DEL, bidi controls
/// (embeddings, overrides, isolates and the direction marks) that can make text read differently
/// from what it is, and the Unicode line and paragraph separators.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{061C}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// Zero-width characters: spaces, joiners, word joiners, invisible operators, the BOM. They
/// hide inside a value (`ok\u{200B}` is not `ok`) and show as nothing.
pub fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{180E}' | '\u{FEFF}'
    )
}

/// Format characters and fillers that render as nothing: zero-width spaces and joiners,
/// direction marks, word joiners, the BOM, the soft hyphen, variation selectors, tags.
pub fn is_invisible(c: char) -> bool {
    is_zero_width(c)
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FFA0}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// True when the text holds any character [`sanitize`] would replace (tabs and newlines included).
pub fn has_control(input: &str) -> bool {
    input.chars().any(is_unsafe)
}

/// The largest index at most `i` that falls on a character boundary of `text`.
pub(crate) fn floor_char_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// True for names (headers, query parameters, keys) whose values are credentials.
pub fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "auth",
        "token",
        "secret",
        "password",
        "passwd",
        "key",
        "cookie",
        "session",
        "signature",
    ]
    .iter()
    .any(|word| lower.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_counts_characters_and_never_splits_one() {
        assert_eq!(cut("short", 5), "short");
        assert_eq!(cut("longer", 5), "long…");
        assert_eq!(cut("anything", 0), "…");
        // Wide and multi-byte characters count one each; the result stays valid UTF-8.
        assert_eq!(cut("日本語のテキスト", 4), "日本語…");
        assert_eq!(cut("🚀🚀🚀🚀", 3), "🚀🚀…");
        // A combining mark is a character of its own: cut before it, the base stays.
        let decomposed = "e\u{301}e\u{301}e\u{301}";
        assert_eq!(cut(decomposed, 6), decomposed);
        assert_eq!(cut(decomposed, 4), "e\u{301}e…");
        for max in 0..12 {
            let shown = cut("ab日\u{301}🚀c\u{200D}d", max);
            assert!(shown.chars().count() <= max.max(1), "{max}: {shown}");
        }
        assert_eq!(cut_after("fits", 10, true), "fits…");
    }

    #[test]
    fn sanitize_neutralises_ansi_and_newlines() {
        assert_eq!(sanitize("a\x1b[31mred\nb"), "a\u{FFFD}[31mred b");
        assert_eq!(sanitize("ok\u{202E}txt"), "ok\u{FFFD}txt");
        assert_eq!(sanitize("plain é ✅"), "plain é ✅");
    }

    #[test]
    fn sanitize_neutralises_every_hostile_class() {
        let hostile = [
            ('\u{1b}', "ESC"),
            ('\u{7f}', "DEL"),
            ('\u{85}', "C1 NEL"),
            ('\u{9b}', "C1 CSI"),
            ('\u{202A}', "LRE"),
            ('\u{202E}', "RLO"),
            ('\u{2066}', "LRI"),
            ('\u{2069}', "PDI"),
            ('\u{200E}', "LRM"),
            ('\u{200F}', "RLM"),
            ('\u{061C}', "ALM"),
            ('\u{200B}', "ZWSP"),
            ('\u{200D}', "ZWJ"),
            ('\u{2060}', "WJ"),
            ('\u{FEFF}', "BOM"),
            ('\u{2028}', "LSEP"),
        ];
        for (c, name) in hostile {
            let shown = sanitize(&format!("ok{c}txt"));
            assert_eq!(shown, "ok\u{FFFD}txt", "{name}");
            assert!(!shown.contains(c), "{name}");
        }
    }

    #[test]
    fn sanitize_lines_keeps_breaks_and_cleans_each_line() {
        assert_eq!(sanitize_lines("a\x1b[2J\n  b\tc"), "a\u{FFFD}[2J\n  b c");
    }

    #[test]
    fn sanitize_short_cuts_with_ellipsis() {
        assert_eq!(sanitize_short("abcdef", 4), "abc…");
        assert_eq!(sanitize_short("abc", 4), "abc");
    }
}
