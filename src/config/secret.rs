//! String types read from the config: `${VAR}` interpolation at parse time, and [`Secret`], a value
//! that cannot print itself.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Expands `${VAR}` from the environment. `$$` is a literal `$`. A missing variable is an error
/// naming it (never its would-be value).
pub fn interpolate(raw: &str, lookup: impl Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(stripped) = after.strip_prefix('$') {
            out.push('$');
            rest = stripped;
        } else if let Some(body) = after.strip_prefix('{') {
            let Some(end) = body.find('}') else {
                return Err("unterminated `${` (write `$$` for a literal dollar sign)".into());
            };
            let name = &body[..end];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!(
                    "`${{{name}}}` is not a valid environment variable name"
                ));
            }
            match lookup(name) {
                Some(value) => out.push_str(&value),
                None => return Err(format!("environment variable `{name}` is not set")),
            }
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

pub(super) fn env_lookup(name: &str) -> Option<String> {
    let value = std::env::var(name).ok()?;
    // `${API_TOKEN}` in a query, a command or a title is still a secret wherever it lands.
    if crate::text::is_secret_name(name) && !value.is_empty() {
        SECRET_VALUES.with(|found| found.borrow_mut().push(value.clone()));
    }
    Some(value)
}

thread_local! {
    /// Values of secret-named variables expanded while a config is read on this thread.
    static SECRET_VALUES: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The values of secret-named `${VAR}`s (`*TOKEN*`, `*KEY*`, `*PASSWORD*`, …) expanded on this
/// thread since the last call: the config registers them with its redactor.
pub fn take_secret_values() -> Vec<String> {
    SECRET_VALUES.with(|found| std::mem::take(&mut *found.borrow_mut()))
}

/// A config string with `${VAR}` already expanded.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct EnvString(pub String);

impl EnvString {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for EnvString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for EnvString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for EnvString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        interpolate(&raw, env_lookup)
            .map(EnvString)
            .map_err(serde::de::Error::custom)
    }
}

impl Serialize for EnvString {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// A credential from the config. Debug, Display and Serialize all print `[redacted]`; the only way
/// to the value is [`Secret::expose`], which is greppable.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        EnvString::deserialize(d).map(|s| Secret(s.0))
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "TOKEN" => Some("abc".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn interpolates_and_escapes() {
        assert_eq!(interpolate("Bearer ${TOKEN}", env).unwrap(), "Bearer abc");
        assert_eq!(interpolate("${EMPTY}x", env).unwrap(), "x");
        assert_eq!(interpolate("cost $$5 $x", env).unwrap(), "cost $5 $x");
    }

    #[test]
    fn missing_variable_names_it() {
        let err = interpolate("${NOPE_NOT_SET}", env).unwrap_err();
        assert!(err.contains("NOPE_NOT_SET"), "{err}");
        assert!(interpolate("${BAD NAME}", env).is_err());
        assert!(interpolate("${OPEN", env).is_err());
    }

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s} {s:?}"), "[redacted] [redacted]");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"[redacted]\"");
    }
}
