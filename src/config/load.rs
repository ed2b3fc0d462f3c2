//! Finding and reading the config: lookup order, parse and validation errors with file:line:column.

use super::{Config, RawConfig, gates};
use crate::text::{Redactor, sanitize_short};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A problem's message and the line it quotes are cut to these many characters: a config with
/// a 10 MB line gets an error of a few lines.
const MESSAGE_SHOWN: usize = 400;
const LINE_SHOWN: usize = 160;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("no config file found (looked in: {}); run `gonogo init` to write a starter config", list(.searched))]
    NotFound { searched: Vec<PathBuf> },
    #[error("cannot read config {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", render_problems(.path, .problems))]
    Invalid {
        path: PathBuf,
        problems: Vec<Problem>,
    },
}

fn list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One thing wrong with the config, located in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// The offending line of the file as written, credentials redacted.
    pub source_line: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

fn render_problems(path: &Path, problems: &[Problem]) -> String {
    let mut out = String::new();
    for (i, p) in problems.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("{}:{p}", path.display()));
        if let Some(line) = &p.source_line {
            out.push_str(&format!("\n    {:>4} | {line}", p.line));
        }
    }
    out
}

/// A config and the file it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub path: PathBuf,
    pub config: Config,
}

/// Lookup order: `--config PATH`, `$GONOGO_CONFIG`, `./gonogo.toml`, the XDG config dir.
pub fn find_config(explicit: Option<&Path>) -> Result<PathBuf, ConfigError> {
    if let Some(path) = explicit {
        return Ok(path.to_path_buf());
    }
    if let Some(path) = std::env::var_os("GONOGO_CONFIG").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    let mut searched = vec![PathBuf::from("./gonogo.toml")];
    if let Some(dirs) = directories::ProjectDirs::from("", "", "gonogo") {
        searched.push(dirs.config_dir().join("gonogo.toml"));
    }
    searched
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .ok_or(ConfigError::NotFound { searched })
}

pub fn load(explicit: Option<&Path>) -> Result<Loaded, ConfigError> {
    let path = find_config(explicit)?;
    let bytes = std::fs::read(&path).map_err(|source| ConfigError::Read {
        path: path.clone(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|e| ConfigError::Invalid {
        path: path.clone(),
        problems: vec![not_utf8(&e)],
    })?;
    let config = load_str(&text, &path)?;
    Ok(Loaded { path, config })
}

/// Parses and validates config text; `path` is only used in messages.
pub fn load_str(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let invalid = |problems| ConfigError::Invalid {
        path: path.to_path_buf(),
        problems,
    };
    // Left over from a config that failed to parse on this thread: not this one's.
    super::secret::take_secret_values();
    let missing = super::missing_env::missing_variables(text, super::secret::env_lookup);
    if !missing.is_empty() {
        return Err(invalid(
            missing
                .iter()
                .map(|m| {
                    let message = format!("environment variable `{}` is not set", m.name);
                    problem(text, m.offset..m.offset, &message)
                })
                .collect(),
        ));
    }
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        invalid(vec![problem(text, span, e.message().trim())])
    })?;
    let section_problems = validate_sections(&raw, text);
    if !section_problems.is_empty() {
        return Err(invalid(section_problems));
    }
    let gates = gates::validate(&raw).map_err(|errors| {
        invalid(
            errors
                .into_iter()
                .map(|e| problem(text, e.span, &e.message))
                .collect(),
        )
    })?;
    let redactor = Redactor::default();
    register_secrets(&raw, &gates, &redactor);
    for value in super::secret::take_secret_values() {
        redactor.add(&value);
    }
    crate::text::Redactor::process().absorb(&redactor);
    let key_positions = key_positions(&raw, text);
    let checklist_path = raw.checklist.as_ref().map(|c| {
        let dir = path.parent().unwrap_or(Path::new(""));
        dir.join(&c.path)
    });
    Ok(Config {
        raw,
        gates,
        redactor,
        key_positions,
        checklist_path,
    })
}

/// Where the first byte that is not UTF-8 sits. The line is not echoed: it may hold a secret.
fn not_utf8(e: &std::string::FromUtf8Error) -> Problem {
    let valid = e.utf8_error().valid_up_to();
    let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]);
    let byte = e.as_bytes().get(valid).copied().unwrap_or(0);
    let mut found = problem(
        &prefix,
        valid..valid,
        &format!("the file is not valid UTF-8 (byte 0x{byte:02X}); save it as UTF-8"),
    );
    found.source_line = None;
    found
}

/// The line and column of each `[keys]` entry (bare or quoted), else of the section itself.
fn key_positions(
    raw: &RawConfig,
    text: &str,
) -> std::collections::BTreeMap<String, (usize, usize)> {
    let section = text
        .find("[keys]")
        .or_else(|| key_line(text, 0, "keys"))
        .unwrap_or(0);
    raw.keys
        .keys()
        .map(|action| {
            let at = key_line(text, section, action).unwrap_or(section);
            let found = problem(text, at..at, "");
            (action.clone(), (found.line, found.column))
        })
        .collect()
}

/// Checks the URLs and headers of `[postgres]`, `[sentry]` and `[prometheus]`; problems point at
/// the section's header line.
fn validate_sections(raw: &RawConfig, text: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    let at_section = |section: &str, message: String| {
        let start = text.find(&format!("[{section}]")).unwrap_or(0);
        problem(text, start..start, &message)
    };
    if let Some(sentry) = &raw.sentry {
        if let Err(why) = sentry.url.web() {
            problems.push(at_section("sentry", format!("[sentry] url: {why}")));
        }
        if sentry.token.is_empty() {
            problems.push(at_section("sentry", "[sentry] token is empty".into()));
        }
    }
    if let Some(prom) = &raw.prometheus {
        if let Err(why) = prom.url.web() {
            problems.push(at_section("prometheus", format!("[prometheus] url: {why}")));
        }
        for (name, value) in prom.headers.iter() {
            if let Err(why) = gates::check_header(name, value) {
                problems.push(at_section(
                    "prometheus",
                    format!("[prometheus] headers: {why}"),
                ));
            }
        }
    }
    if let Some(invites) = &raw.invites {
        for why in invites.problems() {
            problems.push(at_section("invites", why));
        }
    }
    let cohort_at = text.find("[cohort").unwrap_or(0);
    for group in raw.cohort.groups.keys() {
        if group.is_empty() || group.contains('-') {
            let at = key_line(text, cohort_at, group)
                .or_else(|| {
                    text[cohort_at..]
                        .find(group.as_str())
                        .map(|i| cohort_at + i)
                })
                .filter(|_| !group.is_empty())
                .unwrap_or(cohort_at);
            problems.push(problem(
                text,
                at..at,
                &format!(
                    "[cohort.groups] `{group}` can never match: a group is the part of a label \
                     before its first `-` (`creator` for `creator-vinyl-pressing`)"
                ),
            ));
        }
    }
    for why in raw.decision.problems() {
        problems.push(at_section("decision", why));
    }
    let alerts_at = text.find("[alerts]").unwrap_or(0);
    for (key, message) in raw.alerts.problems() {
        let at = key_line(text, alerts_at, key).unwrap_or(alerts_at);
        let mut found = problem(text, at..at, &message);
        // The line holds the URL or the secret.
        found.source_line = None;
        problems.push(found);
    }
    if let Some(metrics) = &raw.metrics {
        let metrics_at = text.find("[metrics]").unwrap_or(0);
        for (key, message) in metrics.problems() {
            let at = key_line(text, metrics_at, key).unwrap_or(metrics_at);
            problems.push(problem(text, at..at, &message));
        }
    }
    if let Some(pg) = &raw.postgres {
        let scheme_ok = ["postgres://", "postgresql://"]
            .iter()
            .any(|p| pg.url.expose().starts_with(p));
        if !scheme_ok {
            problems.push(at_section(
                "postgres",
                format!(
                    "[postgres] url `{}` must start with postgres:// or postgresql://",
                    pg.url
                ),
            ));
        } else if let Err(e) =
            <sqlx::postgres::PgConnectOptions as std::str::FromStr>::from_str(pg.url.expose())
        {
            // The driver's own parser, the one the connection uses: what passes here connects.
            let secrets = Redactor::default();
            pg.url.register_secrets(&secrets);
            let reason = secrets.redact(&e.to_string().replace(pg.url.expose(), ""));
            problems.push(at_section(
                "postgres",
                format!("[postgres] url `{}` is not valid: {reason}", pg.url),
            ));
        }
    }
    problems
}

/// Where a line from `from` on sets `key` (bare or quoted): a config problem about a key points
/// at its own line, not at another value that happens to contain the same text.
fn key_line(text: &str, from: usize, key: &str) -> Option<usize> {
    let forms = [format!("\"{key}\""), format!("'{key}'"), key.to_owned()];
    let mut offset = from;
    for line in text.get(from..)?.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let sets_key = forms.iter().any(|form| {
            trimmed
                .strip_prefix(form.as_str())
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        });
        if sets_key {
            return Some(offset + line.len() - trimmed.len());
        }
        offset += line.len();
    }
    None
}

fn register_secrets(raw: &RawConfig, gates: &[crate::gate::GateSpec], redactor: &Redactor) {
    raw.alerts.register_secrets(redactor);
    if let Some(pg) = &raw.postgres {
        pg.url.register_secrets(redactor);
    }
    if let Some(sentry) = &raw.sentry {
        sentry.url.register_secrets(redactor);
        redactor.add(sentry.token.expose());
    }
    if let Some(prom) = &raw.prometheus {
        prom.url.register_secrets(redactor);
        prom.headers.register_secrets(redactor);
    }
    if let Some(invites) = &raw.invites {
        if let Some(url) = &invites.smtp_url {
            url.register_smtp_secrets(redactor);
        }
        let on_command_line = invites.command_line_secrets();
        let user = on_command_line.user.as_deref().unwrap_or_default();
        for secret in &on_command_line.secrets {
            redactor.add_smtp_auth(user, secret);
        }
    }
    for gate in gates {
        if let crate::gate::SourceSpec::Http { url, headers, .. } = &gate.source {
            url.register_secrets(redactor);
            headers.register_secrets(redactor);
        }
    }
}

fn problem(text: &str, span: Range<usize>, message: &str) -> Problem {
    let start = span.start.min(text.len());
    let before = &text[..floor_char_boundary(text, start)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    let source_line = text.lines().nth(line - 1).map(super::echo::shown_line);
    Problem {
        line,
        column,
        message: sanitize_short(message, MESSAGE_SHOWN),
        source_line: source_line.map(|l| sanitize_short(&l, LINE_SHOWN)),
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<Problem> {
        match load_str(text, Path::new("t.toml")) {
            Err(ConfigError::Invalid { problems, .. }) => problems,
            other => panic!("expected problems, got {other:?}"),
        }
    }

    const GATE: &str =
        "[[gate]]\nid = \"a\"\nsource = \"file_age\"\npath = \"/x\"\npass = \"< 1h\"\n";

    #[test]
    fn decision_at_accepts_quoted_and_bare_datetimes_with_offset() {
        for written in [
            "\"2026-11-24T18:00:00Z\"",
            "2026-11-24T18:00:00Z",
            "2026-11-24T19:00:00+01:00",
        ] {
            let text = format!("[launch]\nname = \"x\"\ndecision_at = {written}\n{GATE}");
            let config = load_str(&text, Path::new("t.toml")).unwrap();
            assert_eq!(
                config.launch().decision_at.unwrap().to_rfc3339(),
                "2026-11-24T18:00:00+00:00"
            );
        }
        let p = problems(&format!(
            "[launch]\nname = \"x\"\ndecision_at = 2026-11-24T18:00:00\n{GATE}"
        ));
        assert_eq!(p[0].line, 3);
        assert!(p[0].message.contains("UTC offset"), "{}", p[0].message);
    }

    #[test]
    fn unknown_keys_point_at_their_line() {
        let p = problems(&format!("[launch]\nname = \"x\"\ncolour = \"red\"\n{GATE}"));
        assert_eq!((p[0].line, p[0].column), (3, 1));
        assert!(p[0].message.contains("colour"), "{}", p[0].message);
    }

    #[test]
    fn section_urls_and_headers_are_checked() {
        let p = problems(&format!(
            "[launch]\nname = \"x\"\n[prometheus]\nurl = \"localhost:9090\"\nheaders = {{ \"Bad Name\" = \"v\" }}\n{GATE}"
        ));
        assert_eq!(p.len(), 2);
        assert!(p.iter().all(|p| p.line == 3));
        assert!(p[0].message.contains("not an http(s) URL"));
        assert!(p[1].message.contains("Bad Name"));
    }

    #[test]
    fn a_line_holding_a_credential_is_not_echoed() {
        let p = problems("[launch]\nname = \"x\"\n[sentry]\norg = \"o\"\ntoken = 42\n");
        assert_eq!(p[0].line, 5);
        assert_eq!(p[0].source_line.as_deref(), Some("token = [redacted]"));
    }

    #[test]
    fn secrets_on_the_send_command_line_are_redacted_in_every_auth_form() {
        use base64::Engine;
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let text = format!(
            "[launch]\nname = \"x\"\n[invites]\nfrom = \"b@x.org\"\nsignup_url = \"u\"\n\
             send_cmd = \"ssmtp -au me -ap hunter2-pw -t\"\n{GATE}"
        );
        let config = load_str(&text, Path::new("t.toml")).unwrap();
        for form in [
            "hunter2-pw".to_owned(),
            b64("hunter2-pw"),
            b64("\0me\0hunter2-pw"),
        ] {
            let shown = config.redactor.redact(&format!("535 {form} refused"));
            assert_eq!(shown, "535 [redacted] refused", "{form}");
        }
        assert!(!config.to_redacted_toml().contains("hunter2"));
    }

    #[test]
    fn a_cohort_group_holding_a_dash_is_refused_at_its_line() {
        let text = format!(
            "{}[cohort.groups]\ncreator = 5\n\"creator-vinyl\" = 3\n",
            "[launch]\nname = \"x\"\n\n"
        );
        let p = problems(&text);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].line, 6, "{p:?}");
        assert!(
            p[0].message.contains("`creator-vinyl` can never match"),
            "{p:?}"
        );
        // Another value holding the same text does not take the blame.
        let text = "[launch]\nname = \"x\"\n\n[cohort]\nexisting_users_query = \"SELECT email FROM users WHERE tag <> 'press-x'\"\n\n[cohort.groups]\ncreator = 5\n'press-x' = 2\n";
        let p = problems(text);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].line, 9, "{p:?}");
    }
}
