//! An item's bindings, written in an HTML comment at its end (invisible on GitHub):
//! `<!-- gate: testers, due: T-1h, role: on-call engineer -->`.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

/// What one item's comments say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Binding {
    pub gate: Option<String>,
    pub due: Option<Due>,
    pub role: Option<String>,
}

/// No item is due further than this from the decision call (a year covers any launch plan);
/// beyond it, an offset is a typo — and one large enough would leave the calendar.
pub const MAX_DUE_OFFSET: std::time::Duration = std::time::Duration::from_secs(366 * 86_400);

/// A deadline: relative to `[launch] decision_at` (`T-72h`, `T+0`) or a fixed time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Due {
    /// Offset from the decision time (negative: before it).
    Relative(#[serde(serialize_with = "relative_text")] TimeDelta),
    At(DateTime<Utc>),
}

fn relative_text<S: serde::Serializer>(d: &TimeDelta, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&Due::Relative(*d).to_string())
}

impl Due {
    /// The deadline as a time; a relative one needs the decision time.
    pub fn resolve(&self, decision_at: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
        match self {
            Due::At(at) => Some(*at),
            // Checked although parsing bounds the offset: no deadline beats a panic.
            Due::Relative(offset) => decision_at.and_then(|d| d.checked_add_signed(*offset)),
        }
    }

    pub(crate) fn parse(text: &str) -> Result<Due, String> {
        let text = text.trim();
        if let Ok(at) = DateTime::parse_from_rfc3339(text) {
            return Ok(Due::At(at.with_timezone(&Utc)));
        }
        let bad = || {
            format!(
                "due `{}` is neither T-72h / T-1h / T+0 (relative to [launch] decision_at) nor an \
                 RFC 3339 time",
                crate::text::sanitize_short(text, 60)
            )
        };
        let rest = text
            .strip_prefix('T')
            .or_else(|| text.strip_prefix('t'))
            .ok_or_else(bad)?;
        let (sign, amount) = match rest.chars().next() {
            Some('-') => (-1, &rest[1..]),
            Some('+') => (1, &rest[1..]),
            _ => return Err(bad()),
        };
        let amount = amount.trim();
        let offset = if amount == "0" {
            std::time::Duration::ZERO
        } else {
            humantime::parse_duration(amount).map_err(|_| bad())?
        };
        if offset > MAX_DUE_OFFSET {
            return Err(format!(
                "due `{}` is further from [launch] decision_at than the longest offset, {}",
                crate::text::sanitize_short(text, 60),
                humantime::format_duration(MAX_DUE_OFFSET)
            ));
        }
        let offset = TimeDelta::from_std(offset).map_err(|_| bad())?;
        Ok(Due::Relative(offset * sign))
    }
}

impl std::fmt::Display for Due {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Due::At(at) => write!(f, "{}", crate::clock::rfc3339(*at)),
            Due::Relative(d) => {
                let sign = if *d < TimeDelta::zero() { '-' } else { '+' };
                let secs = d.num_seconds().unsigned_abs();
                if secs == 0 {
                    return f.write_str("T+0");
                }
                let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
                write!(f, "T{sign}")?;
                for (n, unit) in [(h, 'h'), (m, 'm'), (s, 's')] {
                    if n > 0 {
                        write!(f, "{n}{unit}")?;
                    }
                }
                Ok(())
            }
        }
    }
}

/// The keys a binding comment may hold.
pub const KEYS: [&str; 3] = ["gate", "due", "role"];

/// Reads the bindings out of an item's inline HTML. Comments without a `key:` are not bindings
/// (`<!-- prettier-ignore -->`); an unknown key or gate is an error.
pub fn parse_comments(html: &str, known_gates: &[&str]) -> Result<Binding, String> {
    let mut binding = Binding::default();
    let mut rest = html;
    while let Some(start) = rest.find("<!--") {
        let after = &rest[start + 4..];
        let Some(end) = after.find("-->") else {
            break;
        };
        let body = after[..end].trim();
        rest = &after[end + 3..];
        if !body.contains(':') {
            continue;
        }
        for part in body.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((key, value)) = part.split_once(':') else {
                return Err(format!(
                    "`{}` in a binding comment is not `key: value`",
                    crate::text::sanitize_short(part, 60)
                ));
            };
            let (key, value) = (key.trim().to_lowercase(), value.trim());
            if value.is_empty() {
                return Err(format!("binding `{key}` has no value"));
            }
            match key.as_str() {
                "gate" => {
                    if !known_gates.contains(&value) {
                        return Err(format!(
                            "unknown gate `{}` in a binding; the config's gates are: {}",
                            crate::text::sanitize_short(value, 60),
                            known_gates.join(", ")
                        ));
                    }
                    binding.gate = Some(value.to_owned());
                }
                "due" => binding.due = Some(Due::parse(value)?),
                "role" => binding.role = Some(crate::text::sanitize_short(value, 80)),
                other => {
                    return Err(format!(
                        "unknown binding key `{}`; the keys are {}",
                        crate::text::sanitize_short(other, 40),
                        KEYS.join(", ")
                    ));
                }
            }
        }
    }
    Ok(binding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_combine_and_times_parse() {
        let b = parse_comments(
            "<!-- gate: testers, due: T-1h, role: on-call engineer -->",
            &["testers"],
        )
        .unwrap();
        assert_eq!(b.gate.as_deref(), Some("testers"));
        assert_eq!(b.due, Some(Due::Relative(TimeDelta::hours(-1))));
        assert_eq!(b.role.as_deref(), Some("on-call engineer"));
        let b = parse_comments("<!-- due: 2026-11-24T17:00:00Z -->", &[]).unwrap();
        assert_eq!(b.due.unwrap().to_string(), "2026-11-24T17:00:00Z");
        assert_eq!(Due::parse("T+0").unwrap().to_string(), "T+0");
        assert_eq!(Due::parse("T-72h").unwrap().to_string(), "T-72h");
        assert_eq!(Due::parse("T-1h30m").unwrap().to_string(), "T-1h30m");
    }

    #[test]
    fn unknown_keys_and_gates_are_errors_and_plain_comments_are_not_bindings() {
        assert!(parse_comments("<!-- prettier-ignore -->", &[]).unwrap() == Binding::default());
        let e = parse_comments("<!-- colour: red -->", &[]).unwrap_err();
        assert!(e.contains("unknown binding key `colour`"), "{e}");
        let e = parse_comments("<!-- gate: nope -->", &["testers"]).unwrap_err();
        assert!(
            e.contains("unknown gate `nope`") && e.contains("testers"),
            "{e}"
        );
        let e = parse_comments("<!-- due: tomorrow -->", &[]).unwrap_err();
        assert!(e.contains("due `tomorrow`"), "{e}");
    }

    #[test]
    fn offsets_past_a_year_are_refused_and_resolving_never_overflows() {
        assert!(Due::parse("T-366d").is_ok());
        for text in [
            "T-367d",
            "T+2years",
            "T-100000000years",
            "T+18446744073709551615s",
        ] {
            let e = Due::parse(text).unwrap_err();
            assert!(
                e.contains(text) && e.contains("longest offset"),
                "{text}: {e}"
            );
        }
        let far = Due::Relative(TimeDelta::days(366));
        assert_eq!(far.resolve(Some(DateTime::<Utc>::MAX_UTC)), None);
        assert_eq!(
            Due::Relative(-TimeDelta::days(1)).resolve(Some(DateTime::<Utc>::MIN_UTC)),
            None
        );
    }
}
