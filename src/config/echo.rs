//! The config line shown under a problem: as written, comments included, with only real
//! credentials replaced. A `${VAR}` reference is no credential (its value is not on the line),
//! so it stays visible: it is usually what the operator has to fix.

use crate::text::{is_secret_name, sanitize};

const REDACTED: &str = "[redacted]";

/// Keys gonogo knows whose values are never credentials.
const PLAIN_KEYS: &[&str] = &[
    "name",
    "environment",
    "decision_at",
    "org",
    "every",
    "timeout",
    "bell",
    "format",
    "min_severity",
    "group_for",
    "id",
    "title",
    "source",
    "pass",
    "required",
    "for",
    "query",
    "project",
    "stats_period",
    "method",
    "json",
    "command",
    "path",
    "min_rows",
    "min_labels",
    "max_rows",
    "existing_users_query",
];

/// How the strings owned by one key are shown.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Owner {
    /// A key that never holds a credential: as written.
    Plain,
    /// A URL: its password and token-like query values go, the rest stays.
    Url,
    /// A credential (`token`, `Authorization`) or a key gonogo does not know (`tokn`): shown only
    /// when its secret part comes from the environment.
    Guarded,
}

fn owner_of(key: &str, top_level: bool) -> Owner {
    let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
    if is_secret_name(key) {
        Owner::Guarded
    } else if key == "url" {
        Owner::Url
    } else if PLAIN_KEYS.contains(&key) || !top_level {
        // Inside an inline table (`headers`), a key that is not credential-like is plain.
        Owner::Plain
    } else {
        Owner::Guarded
    }
}

/// The line as it may be shown.
pub fn shown_line(line: &str) -> String {
    let line = line.trim_end();
    let Some(eq) = line.find('=') else {
        return sanitize(line);
    };
    let (key, rest) = line.split_at(eq);
    let mut out = String::with_capacity(line.len());
    out.push_str(key);
    let mut owner = owner_of(key, true);
    let mut chars = rest.char_indices().peekable();
    let mut word_start: Option<usize> = None;
    while let Some((i, c)) = chars.next() {
        match c {
            '"' | '\'' => {
                let (end, closed) = string_end(rest, i, c);
                let body = &rest[i + 1..if closed { end - 1 } else { end }];
                out.push(c);
                out.push_str(&shown_string(body, owner));
                if closed {
                    out.push(c);
                }
                while chars.peek().is_some_and(|(j, _)| *j < end) {
                    chars.next();
                }
            }
            '#' => {
                out.push_str(&rest[i..]);
                break;
            }
            c if c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '+' | ':') => {
                word_start.get_or_insert(i);
                let next_is_word = chars.peek().is_some_and(|(_, n)| {
                    n.is_alphanumeric() || matches!(n, '_' | '-' | '.' | '+' | ':')
                });
                if !next_is_word {
                    let start = word_start.take().unwrap_or(i);
                    let word = &rest[start..i + c.len_utf8()];
                    let is_key = rest[i + c.len_utf8()..].trim_start().starts_with('=');
                    if is_key {
                        owner = owner_of(word, false);
                        out.push_str(word);
                    } else if owner == Owner::Guarded && !matches!(word, "true" | "false") {
                        // A bare credential (`token = 42`).
                        out.push_str(REDACTED);
                    } else {
                        out.push_str(word);
                    }
                }
            }
            c => out.push(c),
        }
    }
    sanitize(&out)
}

/// The byte index just past the string starting at `start`, and whether it was closed (an
/// unterminated string runs to the end of the line).
fn string_end(text: &str, start: usize, quote: char) -> (usize, bool) {
    let mut escaped = false;
    for (j, c) in text[start + 1..].char_indices() {
        match c {
            '\\' if quote == '"' && !escaped => escaped = true,
            c if c == quote && !escaped => return (start + 1 + j + 1, true),
            _ => escaped = false,
        }
    }
    (text.len(), false)
}

fn shown_string(body: &str, owner: Owner) -> String {
    match owner {
        Owner::Plain => without_bearer_tokens(body),
        Owner::Url => url_without_credentials(body),
        Owner::Guarded if from_environment(body) => body.to_owned(),
        Owner::Guarded => REDACTED.to_owned(),
    }
}

/// True when the secret part of a value is a `${VAR}` reference: only a scheme word (`Bearer`,
/// `Basic`, `token`) and spaces are written around it.
fn from_environment(body: &str) -> bool {
    if !body.contains("${") {
        return false;
    }
    let mut rest = String::new();
    let mut remaining = body;
    while let Some(start) = remaining.find("${") {
        rest.push_str(&remaining[..start]);
        match remaining[start..].find('}') {
            Some(end) => remaining = &remaining[start + end + 1..],
            None => return false,
        }
    }
    rest.push_str(remaining);
    let rest = rest.trim();
    rest.is_empty() || ["Bearer", "Basic", "token", "Token"].contains(&rest)
}

fn without_bearer_tokens(body: &str) -> String {
    match body.split_once("Bearer ") {
        Some((before, token)) if !from_environment(token) => format!("{before}Bearer {REDACTED}"),
        _ => body.to_owned(),
    }
}

/// The URL as written, minus a literal password and the values of token-like query parameters.
fn url_without_credentials(body: &str) -> String {
    // A URL that does not parse may hold its credentials anywhere: none of it is shown.
    if !body.contains("${") && body.contains('@') && url::Url::parse(body).is_err() {
        return "[redacted URL]".to_owned();
    }
    let mut shown = body.to_owned();
    if let Some(scheme_end) = shown.find("://") {
        let authority_start = scheme_end + 3;
        let authority_end = shown[authority_start..]
            .find(['/', '?', '#'])
            .map_or(shown.len(), |i| authority_start + i);
        if let Some(at) = shown[authority_start..authority_end].rfind('@') {
            let userinfo = &shown[authority_start..authority_start + at];
            if let Some((user, password)) = userinfo.split_once(':')
                && !from_environment(password)
            {
                let replaced = format!("{user}:{REDACTED}");
                shown.replace_range(authority_start..authority_start + at, &replaced);
            }
        }
    }
    let Some(query_start) = shown.find('?') else {
        return shown;
    };
    let (head, query) = shown.split_at(query_start + 1);
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if is_secret_name(k) && !from_environment(v) => format!("{k}={REDACTED}"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{head}{}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lines_are_shown_as_written_with_their_comments() {
        assert_eq!(
            shown_line("environment = \"prod\"   # short for production"),
            "environment = \"prod\"   # short for production"
        );
        assert_eq!(
            shown_line("[[gate]]  # the smoke test"),
            "[[gate]]  # the smoke test"
        );
    }

    #[test]
    fn environment_references_stay_and_literal_credentials_go() {
        assert_eq!(
            shown_line("token = \"${SENTRY_AUTH_TOKEN}\" # from the vault"),
            "token = \"${SENTRY_AUTH_TOKEN}\" # from the vault"
        );
        assert_eq!(
            shown_line("token = \"sntrys_abc123\""),
            "token = \"[redacted]\""
        );
        assert_eq!(shown_line("token = 42"), "token = [redacted]");
        assert_eq!(
            shown_line("tokn = \"sntrys_abc123\""),
            "tokn = \"[redacted]\""
        );
        assert_eq!(
            shown_line(
                "headers = { X-Scope-OrgID = \"tenant\", Authorization = \"Bearer ghp_x1\" }"
            ),
            "headers = { X-Scope-OrgID = \"tenant\", Authorization = \"[redacted]\" }"
        );
        assert_eq!(
            shown_line("headers = { Authorization = \"Bearer ${GITHUB_TOKEN}\" }"),
            "headers = { Authorization = \"Bearer ${GITHUB_TOKEN}\" }"
        );
    }

    #[test]
    fn urls_lose_only_their_literal_credentials() {
        assert_eq!(
            shown_line("url = \"postgres://gonogo:Pa55@db.internal/${DB_NAME}\" # prod"),
            "url = \"postgres://gonogo:[redacted]@db.internal/${DB_NAME}\" # prod"
        );
        assert_eq!(
            shown_line("url = \"https://u:${PROM_PASSWORD}@prom/api?access_token=abc&q=1\""),
            "url = \"https://u:${PROM_PASSWORD}@prom/api?access_token=[redacted]&q=1\""
        );
    }

    #[test]
    fn an_unterminated_string_is_still_guarded() {
        assert_eq!(shown_line("token = \"sntrys_abc"), "token = \"[redacted]");
        assert_eq!(shown_line("title = \"Smoke"), "title = \"Smoke");
    }

    #[test]
    fn a_hash_inside_a_string_is_no_comment() {
        assert_eq!(
            shown_line("token = \"abc#def\" # note"),
            "token = \"[redacted]\" # note"
        );
    }
}
