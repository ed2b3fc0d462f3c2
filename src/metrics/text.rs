//! The Prometheus text exposition format (version 0.0.4): `# HELP` and `# TYPE` for each
//! family, one line per sample, label values and help texts escaped as the format says.

use std::fmt::Write;

/// The `Content-Type` of a scrape's answer.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// A metric family's type, as `# TYPE` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Gauge,
    Counter,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Gauge => "gauge",
            Kind::Counter => "counter",
        }
    }
}

/// Families and their samples, written in the order they are given; every sample carries the
/// `base` labels first (launch and environment), then its own.
pub struct Exposition {
    out: String,
    base: Vec<(&'static str, String)>,
}

impl Exposition {
    pub fn new(base: Vec<(&'static str, String)>) -> Exposition {
        Exposition {
            out: String::with_capacity(4096),
            base,
        }
    }

    /// Starts a family: its help line and its type. Families are written once each, before
    /// their samples (a family with no samples yet still says what it is).
    pub fn family(&mut self, name: &str, kind: Kind, help: &str) {
        let _ = writeln!(self.out, "# HELP {name} {}", escape_help(help));
        let _ = writeln!(self.out, "# TYPE {name} {}", kind.as_str());
    }

    /// One sample of the family last started.
    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.out.push_str(name);
        let all = self
            .base
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .chain(labels.iter().copied());
        for (i, (key, value)) in all.enumerate() {
            self.out.push(if i == 0 { '{' } else { ',' });
            let _ = write!(self.out, "{key}=\"{}\"", escape_label(value));
        }
        if !self.base.is_empty() || !labels.is_empty() {
            self.out.push('}');
        }
        let _ = writeln!(self.out, " {}", number(value));
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// A label value as the format wants it: backslash, double quote and line feed escaped. Other
/// control characters (an escape sequence in a batch name) become U+FFFD, so reading a scrape
/// in a terminal is safe.
pub fn escape_label(value: &str) -> String {
    escape(value, true)
}

/// A help text: backslash and line feed escaped (quotes stay as they are).
pub fn escape_help(text: &str) -> String {
    escape(text, false)
}

fn escape(text: &str, quote: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' if quote => out.push_str("\\\""),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A sample value: integers without a fraction, `NaN`, `+Inf` and `-Inf` as the format spells
/// them.
pub fn number(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_owned()
    } else if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.to_owned()
    } else {
        // Rust's shortest round-trip form: `0.1`, `42`, `-3.5`, never an exponent.
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_escape_backslash_quote_and_newline() {
        assert_eq!(escape_label(r#"a\b"c"#), r#"a\\b\"c"#);
        assert_eq!(escape_label("two\nlines"), "two\\nlines");
        assert_eq!(escape_label("esc\u{1b}[2J"), "esc\u{FFFD}[2J");
        assert_eq!(escape_label("wave 1 — créateurs"), "wave 1 — créateurs");
    }

    #[test]
    fn help_texts_escape_backslash_and_newline_but_not_quotes() {
        assert_eq!(escape_help("say \"GO\"\\\nnow"), "say \"GO\"\\\\\\nnow");
    }

    #[test]
    fn numbers_are_written_as_the_format_spells_them() {
        assert_eq!(number(1.0), "1");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(-2.5), "-2.5");
        assert_eq!(number(0.1), "0.1");
        assert_eq!(number(1e21), "1000000000000000000000");
        assert_eq!(number(f64::NAN), "NaN");
        assert_eq!(number(f64::INFINITY), "+Inf");
        assert_eq!(number(f64::NEG_INFINITY), "-Inf");
    }

    #[test]
    fn families_come_with_help_and_type_and_samples_keep_their_order() {
        let mut text = Exposition::new(vec![("launch", "L \"1\"".into())]);
        text.family("x_total", Kind::Counter, "How many.");
        text.sample("x_total", &[("outcome", "b")], 2.0);
        text.sample("x_total", &[("outcome", "a")], 1.0);
        text.family("y", Kind::Gauge, "A gauge.");
        let out = text.finish();
        assert_eq!(
            out,
            "# HELP x_total How many.\n\
             # TYPE x_total counter\n\
             x_total{launch=\"L \\\"1\\\"\",outcome=\"b\"} 2\n\
             x_total{launch=\"L \\\"1\\\"\",outcome=\"a\"} 1\n\
             # HELP y A gauge.\n\
             # TYPE y gauge\n"
        );
    }

    #[test]
    fn a_sample_without_labels_has_no_braces() {
        let mut text = Exposition::new(Vec::new());
        text.family("z", Kind::Gauge, "Z.");
        text.sample("z", &[], 3.0);
        assert!(text.finish().ends_with("\nz 3\n"));
    }
}
