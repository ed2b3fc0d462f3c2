//! The redactor: every secret the process knows, in every form gonogo sends it (as written,
//! percent-encoded, JSON-escaped, inside a Basic credential), removed from text before it is
//! shown, shortened or logged; and URLs shown with their credentials redacted.

use super::{cut_after, floor_char_boundary, is_secret_name, sanitize};
use aho_corasick::{AhoCorasick, MatchKind};
use base64::Engine;
use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use std::sync::{Arc, RwLock};

mod command;
pub use command::{CommandSecrets, command_secrets};

pub const REDACTED: &str = "[redacted]";

/// The set of secret values known to this process (tokens, passwords, header values from the
/// config) and the forms gonogo derives from them. Every error or detail string shown to a
/// person passes through [`Redactor::redact`] or [`Redactor::excerpt`], so a library or a server
/// that echoes a URL, a header or a credential cannot leak a secret.
#[derive(Clone, Default)]
pub struct Redactor {
    inner: Arc<RwLock<Known>>,
}

#[derive(Default)]
struct Known {
    secrets: Vec<String>,
    /// Leftmost-longest over every secret: one pass, a secret holding another removed whole.
    matcher: Option<AhoCorasick>,
    longest: usize,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secrets themselves.
        let n = self.inner.read().map(|k| k.secrets.len()).unwrap_or(0);
        write!(f, "Redactor({n} secrets)")
    }
}

impl Redactor {
    /// Every secret any config loaded in this process holds: the log file, the last-resort
    /// error line and text shown straight from the config are redacted with it.
    pub fn process() -> &'static Redactor {
        static PROCESS: std::sync::OnceLock<Redactor> = std::sync::OnceLock::new();
        PROCESS.get_or_init(Redactor::default)
    }

    /// Remembers a secret and the forms it may travel in. No secret is too short to redact:
    /// a one-letter password shreds messages, which beats leaking it.
    pub fn add(&self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        let mut forms = vec![secret.to_owned()];
        forms.extend(encoded_forms(secret));
        self.insert(forms);
    }

    /// Remembers a `user:password` pair sent as HTTP Basic authentication: the password and the
    /// base64 credential built from the pair (what a server echoing `Authorization` shows).
    pub fn add_basic(&self, user: &str, password: &str) {
        self.add(password);
        self.add_base64(&format!("{user}:{password}"));
    }

    /// Remembers an SMTP login: the password, and each form SMTP AUTH sends it in — PLAIN's
    /// base64 of `\0user\0password`, LOGIN's base64 of the password alone — for a server that
    /// echoes the exchange in a reply (stored in the ledger, the journal, the log).
    pub fn add_smtp_auth(&self, user: &str, password: &str) {
        if password.is_empty() {
            return;
        }
        self.add(password);
        self.add_base64(&format!("\0{user}\0{password}"));
        self.add_base64(password);
    }

    /// `data` in base64, padded or not, standard or URL-safe.
    fn add_base64(&self, data: &str) {
        let engines = [
            base64::engine::general_purpose::STANDARD,
            base64::engine::general_purpose::STANDARD_NO_PAD,
            base64::engine::general_purpose::URL_SAFE,
            base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ];
        let encoded: Vec<String> = engines.iter().map(|e| e.encode(data)).collect();
        for form in encoded {
            self.add(&form);
        }
    }

    /// Registers everything in `other` here too (the process-wide log redactor learns a
    /// config's secrets this way).
    pub fn absorb(&self, other: &Redactor) {
        if Arc::ptr_eq(&self.inner, &other.inner) {
            return;
        }
        let secrets = other
            .inner
            .read()
            .map(|k| k.secrets.clone())
            .unwrap_or_default();
        self.insert(secrets);
    }

    fn insert(&self, forms: Vec<String>) {
        let Ok(mut known) = self.inner.write() else {
            return;
        };
        let before = known.secrets.len();
        for form in forms {
            if !form.is_empty() && !known.secrets.contains(&form) {
                known.secrets.push(form);
            }
        }
        if known.secrets.len() == before {
            return;
        }
        known.longest = known.secrets.iter().map(String::len).max().unwrap_or(0);
        known.matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&known.secrets)
            .ok();
    }

    /// The text with every known secret replaced, nothing else changed.
    pub fn redact_raw(&self, input: &str) -> String {
        let Ok(known) = self.inner.read() else {
            // A poisoned lock means a writer panicked mid-update: show nothing rather than risk it.
            return REDACTED.to_owned();
        };
        match &known.matcher {
            Some(matcher) => matcher.replace_all(input, &vec![REDACTED; known.secrets.len()]),
            None => input.to_owned(),
        }
    }

    /// Returns the text with every known secret replaced, and control characters neutralised.
    pub fn redact(&self, input: &str) -> String {
        sanitize(&self.redact_raw(input))
    }

    /// [`Redactor::redact`] for text whose line breaks matter (a rendered config, a report).
    pub fn redact_multiline(&self, input: &str) -> String {
        input
            .lines()
            .map(|line| self.redact(line))
            .collect::<Vec<_>>()
            .join("\n")
            + if input.ends_with('\n') { "\n" } else { "" }
    }

    /// At most `max` characters of the text for a message: redacted first, then neutralised,
    /// then shortened, so a secret cut at the edge never shows its first part. The one way to
    /// shorten text that may hold a secret.
    pub fn excerpt(&self, input: &str, max: usize) -> String {
        // A secret starting inside the part shown lies whole inside this window.
        let longest = self.inner.read().map(|k| k.longest).unwrap_or(0);
        let window = max.saturating_mul(4).saturating_add(longest);
        let end = floor_char_boundary(input, window);
        let redacted = self.redact(&input[..end]);
        cut_after(redacted.trim(), max, end < input.len())
    }

    /// [`Redactor::excerpt`] of a body that may not be UTF-8.
    pub fn body_excerpt(&self, body: &[u8], max: usize) -> String {
        let longest = self.inner.read().map(|k| k.longest).unwrap_or(0);
        let window = max.saturating_mul(4).saturating_add(longest);
        let head = &body[..body.len().min(window)];
        let text = String::from_utf8_lossy(head);
        let shown = self.excerpt(&text, max);
        if head.len() < body.len() && !shown.ends_with('…') {
            cut_after(&shown, max, true)
        } else {
            shown
        }
    }
}

/// The forms a secret takes on the wire or in a document: percent-encoded (strict, as a URL's
/// userinfo writes it, as a form writes it), decoded when written encoded, JSON-escaped.
fn encoded_forms(secret: &str) -> Vec<String> {
    let mut forms = vec![
        utf8_percent_encode(secret, NON_ALPHANUMERIC).to_string(),
        url::form_urlencoded::byte_serialize(secret.as_bytes()).collect(),
    ];
    forms.push(lowercase_escapes(&forms[0]));
    if let Ok(mut url) = url::Url::parse("http://host/")
        && url.set_password(Some(secret)).is_ok()
        && let Some(password) = url.password()
    {
        forms.push(password.to_owned());
    }
    if let Ok(decoded) = percent_decode_str(secret).decode_utf8() {
        forms.push(decoded.into_owned());
    }
    if let Ok(json) = serde_json::to_string(secret) {
        forms.push(json.trim_matches('"').to_owned());
    }
    forms.retain(|f| f != secret && !f.is_empty());
    forms
}

/// `%2F` written `%2f`: servers echo either.
fn lowercase_escapes(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut hex_left = 0;
    for c in encoded.chars() {
        if c == '%' {
            hex_left = 2;
            out.push(c);
        } else if hex_left > 0 {
            hex_left -= 1;
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Shows a URL with its password and any credential-like query parameter replaced. A URL that
/// does not parse is not shown at all: `[redacted URL]` and why it did not parse.
pub fn redact_url(raw: &str) -> String {
    let mut url = match url::Url::parse(raw.trim()) {
        Ok(url) => url,
        Err(e) => return format!("[redacted URL] ({e})"),
    };
    if url.password().is_some() {
        let _ = url.set_password(Some(REDACTED));
    }
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let value = if is_secret_name(&k) {
                REDACTED.to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), value)
        })
        .collect();
    if !pairs.is_empty() {
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    // The URL encoder writes the marker as `%5Bredacted%5D`; show it as people read it.
    sanitize(&url.as_str().replace("%5Bredacted%5D", REDACTED))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redactor_removes_secrets_longest_first() {
        let r = Redactor::default();
        r.add("tok");
        r.add("sekret-token");
        r.add("sekret");
        assert_eq!(
            r.redact("Bearer sekret-token and sekret"),
            "Bearer [redacted] and [redacted]"
        );
        assert_eq!(r.redact("tok"), "[redacted]");
    }

    /// Secrets of every length, written in every form gonogo sends, never survive.
    #[test]
    fn every_length_and_form_of_a_secret_is_redacted() {
        let secrets = [
            "x",
            "ab",
            "p@ss",
            "hunter22",
            "sp ace/slash+plus?&=",
            "ünï-cødé-pässwörd",
            "quote\"back\\slash",
            "a-very-long-token-0123456789abcdefghijklmnopqrstuvwxyz-0123456789",
        ];
        for secret in secrets {
            let r = Redactor::default();
            r.add(secret);
            let forms = [
                secret.to_owned(),
                utf8_percent_encode(secret, NON_ALPHANUMERIC).to_string(),
                lowercase_escapes(&utf8_percent_encode(secret, NON_ALPHANUMERIC).to_string()),
                url::form_urlencoded::byte_serialize(secret.as_bytes()).collect(),
                serde_json::to_string(secret).unwrap(),
            ];
            for form in forms {
                let shown = r.redact(&format!("echo: {form} end"));
                assert!(!shown.contains(&form), "{secret:?} as {form:?}: {shown}");
                assert!(shown.contains(REDACTED), "{secret:?}: {shown}");
            }
        }
    }

    #[test]
    fn a_basic_credential_built_from_a_pair_is_redacted() {
        let r = Redactor::default();
        r.add_basic("grafana-123", "glc/key==");
        let b64 = base64::engine::general_purpose::STANDARD.encode("grafana-123:glc/key==");
        let shown = r.redact(&format!("you sent Authorization: Basic {b64}"));
        assert!(!shown.contains(&b64), "{shown}");
        assert_eq!(shown, "you sent Authorization: Basic [redacted]");
    }

    /// Redact first, then shorten: a secret straddling the cut never leaves its first part.
    #[test]
    fn every_form_smtp_auth_sends_is_redacted() {
        use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
        let r = Redactor::default();
        r.add_smtp_auth("mailer@veza.fr", "pa:ss/wörd");
        let plain = STANDARD.encode("\0mailer@veza.fr\0pa:ss/wörd");
        let login = STANDARD.encode("pa:ss/wörd");
        for reply in [
            format!("535 5.7.8 AUTH PLAIN {plain} refused"),
            format!("334 {login}"),
            format!("535 {} no", STANDARD_NO_PAD.encode("pa:ss/wörd")),
            "535 pa:ss/wörd is wrong".to_owned(),
        ] {
            let shown = r.redact(&reply);
            assert!(shown.contains(REDACTED), "{shown}");
            assert!(
                !shown.contains("ss/w") && !shown.contains(&login[..8]),
                "{shown}"
            );
        }
        // The user name alone is not a secret.
        assert_eq!(r.redact("334 mailer@veza.fr"), "334 mailer@veza.fr");
    }

    #[test]
    fn excerpts_redact_before_they_cut() {
        let secret = "S3CRET-abcdefghijklmnop";
        let r = Redactor::default();
        r.add(secret);
        for at in 0..40 {
            let text = format!("{}{secret}{}", "x".repeat(at), "y".repeat(50));
            for max in [5, 10, 20, 30] {
                let shown = r.excerpt(&text, max);
                assert!(shown.chars().count() <= max, "{shown}");
                for n in 3..=secret.len() {
                    assert!(!shown.contains(&secret[..n]), "at {at} max {max}: {shown}");
                }
                let body = r.body_excerpt(text.as_bytes(), max);
                for n in 3..=secret.len() {
                    assert!(!body.contains(&secret[..n]), "at {at} max {max}: {body}");
                }
            }
        }
        assert_eq!(r.excerpt("short", 10), "short");
        assert_eq!(r.body_excerpt(&[b'a'; 100], 10), "aaaaaaaaa…");
    }

    #[test]
    fn redact_url_hides_password_and_token_params() {
        let shown = redact_url("postgres://app:hunter22@db.internal:5432/prod?sslmode=require");
        assert_eq!(
            shown,
            "postgres://app:[redacted]@db.internal:5432/prod?sslmode=require"
        );
        let shown = redact_url("https://h/x?access_token=abc123&q=1");
        assert_eq!(shown, "https://h/x?access_token=[redacted]&q=1");
    }

    #[test]
    fn an_unparsable_url_shows_nothing_of_itself() {
        for raw in [
            "postgres://app:hunter22@db:99999/x",
            "https://user:pa ss@[::1/x",
            "http://u:p@:80",
            "hunter22@db.internal",
            "://:hunter22@",
        ] {
            let shown = redact_url(raw);
            assert!(shown.starts_with("[redacted URL] ("), "{raw}: {shown}");
            assert!(
                !shown.contains("hunter22") && !shown.contains("pa ss"),
                "{shown}"
            );
        }
    }
}
