//! JSON for people's terminals and machines alike: every string escapes the characters that
//! must not reach a terminal raw (controls, bidi controls, zero-width and other invisible
//! characters) as `\uXXXX`, so `--json` stays lossless for a parser and inert on a screen.

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};
use std::io::{self, Write};

/// The value as one line of JSON with hostile characters escaped.
pub fn to_json_line<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    render(value, CompactFormatter)
}

/// The value as indented JSON with hostile characters escaped.
pub fn to_json_pretty<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    render(value, PrettyFormatter::new())
}

fn render<T: Serialize + ?Sized, F: Formatter>(
    value: &T,
    formatter: F,
) -> Result<String, serde_json::Error> {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, Escaping(formatter));
    value.serialize(&mut serializer)?;
    // The formatter writes only what serde_json gives it plus ASCII escapes: always UTF-8.
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn needs_escape(c: char) -> bool {
    super::is_unsafe(c) || super::is_invisible(c)
}

/// A formatter that escapes hostile characters inside strings and otherwise formats as `F`.
struct Escaping<F>(F);

impl<F: Formatter> Formatter for Escaping<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if !needs_escape(c) {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            start = i + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_characters_are_escaped_and_read_back_unchanged() {
        for c in [
            '\u{85}',
            '\u{9b}',
            '\u{7f}',
            '\u{202A}',
            '\u{202E}',
            '\u{2066}',
            '\u{2069}',
            '\u{200E}',
            '\u{200F}',
            '\u{200B}',
            '\u{200D}',
            '\u{2060}',
            '\u{FEFF}',
            '\u{2028}',
            '\u{E0041}',
            '\u{1b}',
        ] {
            let value =
                serde_json::json!({ "title": format!("ok{c}txt"), "list": [format!("{c}")] });
            for text in [
                to_json_line(&value).unwrap(),
                to_json_pretty(&value).unwrap(),
            ] {
                assert!(!text.contains(c), "{:?} raw in {text}", c);
                let back: serde_json::Value = serde_json::from_str(&text).unwrap();
                assert_eq!(back, value, "{c:?}");
            }
        }
        assert_eq!(
            to_json_line(&serde_json::json!({"a": "é ✅ \"q\""})).unwrap(),
            r#"{"a":"é ✅ \"q\""}"#
        );
    }
}
