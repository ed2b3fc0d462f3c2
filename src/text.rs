//! Text hygiene for anything untrusted or secret: control-character stripping, secret redaction,
//! URL credential redaction and email masking.

use std::sync::{Arc, RwLock};

/// Replaces control characters (C0, DEL, C1, and the ESC that starts ANSI sequences) so untrusted
/// text cannot move the cursor, change colours or forge lines in a terminal, a log or a header.
/// Tabs and newlines become spaces: every caller shows the text on one line.
pub fn sanitize(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(' '),
            c if is_unsafe(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// [`sanitize`] for text whose line breaks matter (a multi-line error): each line is cleaned,
/// the breaks between them kept.
pub fn sanitize_lines(input: &str) -> String {
    input.lines().map(sanitize).collect::<Vec<_>>().join("\n")
}

/// Like [`sanitize`] but also cuts the text to at most `max` characters, marking the cut with `…`.
pub fn sanitize_short(input: &str, max: usize) -> String {
    let clean = sanitize(input.trim());
    if clean.chars().count() <= max {
        return clean;
    }
    let mut cut: String = clean.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// True for characters that must never reach a terminal: C0/C1 controls, DEL, and bidi overrides
/// that can make text read differently from what it is.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// True when the text holds any character [`sanitize`] would replace (tabs and newlines included).
pub fn has_control(input: &str) -> bool {
    input.chars().any(is_unsafe)
}

const REDACTED: &str = "[redacted]";

/// The set of secret values known to this process (tokens, passwords, header values from the
/// config). Every error or detail string shown to a person passes through [`Redactor::redact`],
/// so a library that echoes a URL or a header cannot leak a secret.
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Arc<RwLock<Vec<String>>>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secrets themselves.
        let n = self.secrets.read().map(|s| s.len()).unwrap_or(0);
        write!(f, "Redactor({n} secrets)")
    }
}

impl Redactor {
    /// Remembers a secret. Very short values are ignored: redacting "a" would shred every message.
    pub fn add(&self, secret: &str) {
        if secret.len() < 4 {
            return;
        }
        if let Ok(mut secrets) = self.secrets.write()
            && !secrets.iter().any(|s| s == secret)
        {
            secrets.push(secret.to_owned());
            // Longest first, so a secret containing another is removed whole.
            secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
    }

    /// Returns the text with every known secret replaced, and control characters neutralised.
    pub fn redact(&self, input: &str) -> String {
        let mut out = input.to_owned();
        if let Ok(secrets) = self.secrets.read() {
            for secret in secrets.iter() {
                if out.contains(secret.as_str()) {
                    out = out.replace(secret.as_str(), REDACTED);
                }
            }
        }
        sanitize(&out)
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
}

/// Shows a URL with its password and any credential-like query parameter replaced.
pub fn redact_url(raw: &str) -> String {
    let Ok(mut url) = url::Url::parse(raw) else {
        // Not a URL we understand: show nothing that could be a credential.
        return match raw.split_once('@') {
            Some((_, host)) => format!("{REDACTED}@{}", sanitize(host)),
            None => sanitize(raw),
        };
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

/// Masks every email address in the text: `olivia@veza.fr` becomes `o***@v***.fr`.
/// One function for all rendered text, so screen-share mode cannot miss a pane.
pub fn mask_emails(input: &str) -> String {
    if !input.contains('@') {
        return input.to_owned();
    }
    let chars: Vec<char> = input.chars().collect();
    let mut out = String::with_capacity(input.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '@' {
            let local_start = scan_back(&chars, i);
            let domain_end = scan_forward(&chars, i + 1);
            let domain: String = chars[i + 1..domain_end].iter().collect();
            // No dot needed: an address cut short by a column (`olivia@veza`) is still masked.
            if local_start < i {
                // Drop the local part already copied, then write the masked form.
                let local_len = i - local_start;
                for _ in 0..local_len {
                    out.pop();
                }
                out.push(chars[local_start]);
                out.push_str("***@");
                out.push_str(&mask_domain(&domain));
                i = domain_end;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

fn is_email_char(c: char) -> bool {
    c.is_alphanumeric() || "._%+-'!#$&*/=?^`{|}~".contains(c)
}

fn scan_back(chars: &[char], at: usize) -> usize {
    let mut start = at;
    while start > 0 && is_email_char(chars[start - 1]) {
        start -= 1;
    }
    start
}

fn scan_forward(chars: &[char], from: usize) -> usize {
    let mut end = from;
    // `*` belongs to a domain already masked, so masking twice changes nothing.
    while end < chars.len()
        && (chars[end].is_alphanumeric() || matches!(chars[end], '.' | '-' | '*'))
    {
        end += 1;
    }
    // A sentence-ending dot is not part of the domain.
    while end > from && chars[end - 1] == '.' {
        end -= 1;
    }
    end
}

fn mask_domain(domain: &str) -> String {
    match domain.rsplit_once('.') {
        Some((name, tld)) => {
            let first = name.chars().next().unwrap_or('*');
            format!("{first}***.{tld}")
        }
        None => "***".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_neutralises_ansi_and_newlines() {
        assert_eq!(sanitize("a\x1b[31mred\nb"), "a\u{FFFD}[31mred b");
        assert_eq!(sanitize("ok\u{202E}txt"), "ok\u{FFFD}txt");
        assert_eq!(sanitize("plain é ✅"), "plain é ✅");
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
        // Too short to be redacted safely.
        assert_eq!(r.redact("tok"), "tok");
    }

    #[test]
    fn redact_url_hides_password_and_token_params() {
        let shown = redact_url("postgres://app:hunter22@db.internal:5432/prod?sslmode=require");
        assert!(!shown.contains("hunter22"), "{shown}");
        assert!(shown.contains("app:"), "{shown}");
        assert_eq!(
            shown,
            "postgres://app:[redacted]@db.internal:5432/prod?sslmode=require"
        );
        let shown = redact_url("https://h/x?access_token=abc123&q=1");
        assert!(!shown.contains("abc123"), "{shown}");
        assert!(shown.contains("q=1"));
        assert_eq!(shown, "https://h/x?access_token=[redacted]&q=1");
    }

    #[test]
    fn mask_emails_masks_every_address() {
        assert_eq!(mask_emails("olivia@veza.fr"), "o***@v***.fr");
        assert_eq!(
            mask_emails("to a.b+c@mail.example.com, x@y.io."),
            "to a***@m***.com, x***@y***.io."
        );
        assert_eq!(mask_emails("no address @ here"), "no address @ here");
        assert_eq!(mask_emails("olivia@veza"), "o***@***");
        // Idempotent: text masked before layout and again by the frame pass reads the same.
        for text in [
            "olivia@veza.fr",
            "to a.b+c@mail.example.com, x@y.io.",
            "olivia@veza",
        ] {
            let once = mask_emails(text);
            assert_eq!(mask_emails(&once), once);
        }
        assert_eq!(mask_emails("olivia@"), "o***@***");
    }
}
