//! [`ConfigUrl`]: a URL from the config that shows itself with credentials redacted.

use crate::config::secret::EnvString;
use crate::text::{Redactor, is_secret_name, redact_url};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A URL from the config, `${VAR}` expanded. Debug, Display and Serialize show it redacted;
/// [`ConfigUrl::expose`] gives the real one to the client that connects.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct ConfigUrl(String);

impl ConfigUrl {
    pub fn new(raw: impl Into<String>) -> Self {
        ConfigUrl(raw.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// `host` or `host:port` as written (never the credentials), for messages that must say
    /// which server did not answer.
    pub fn host_and_port(&self) -> Option<String> {
        let url = url::Url::parse(&self.0).ok()?;
        let host = crate::text::sanitize(url.host_str()?);
        Some(match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host,
        })
    }

    /// Registers the credentials this URL carries: the password as written and decoded, the
    /// Basic credential the HTTP client builds from `user:password@`, token-like query values.
    pub fn register_secrets(&self, redactor: &Redactor) {
        let Ok(url) = url::Url::parse(self.0.trim()) else {
            // Unparsable: no client will use it, and it is never shown; its parts still are
            // secrets if they appear anywhere.
            if let Some((userinfo, _)) = self.0.rsplit_once('@')
                && let Some((_, password)) = userinfo.rsplit_once(':')
            {
                redactor.add(password);
            }
            return;
        };
        if let Some(password) = url.password() {
            let user = decode(url.username());
            let password = decode(password);
            redactor.add(url.password().unwrap_or_default());
            redactor.add_basic(&user, &password);
        }
        for (key, value) in url.query_pairs() {
            if is_secret_name(&key) {
                redactor.add(&value);
            }
        }
    }

    /// [`ConfigUrl::register_secrets`] for an `smtp(s)://` URL, and the forms SMTP AUTH sends
    /// its login in (the user and password decoded, as the transport sends them).
    pub fn register_smtp_secrets(&self, redactor: &Redactor) {
        self.register_secrets(redactor);
        if let Ok(url) = url::Url::parse(self.0.trim())
            && let Some(password) = url.password()
        {
            redactor.add_smtp_auth(&decode(url.username()), &decode(password));
        }
    }

    /// The URL parsed as an `http(s)` URL with a host: the one check `config check`, `check`
    /// and every HTTP client share.
    pub fn web(&self) -> Result<url::Url, String> {
        let url = url::Url::parse(self.0.trim()).map_err(|e| format!("{self} ({e})"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("{self} is not an http(s) URL"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(format!("{self} has no host"));
        }
        Ok(url)
    }
}

/// Percent-decoding as the HTTP client does before it builds a Basic credential.
pub(crate) fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

impl fmt::Debug for ConfigUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", redact_url(&self.0))
    }
}

impl fmt::Display for ConfigUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_url(&self.0))
    }
}

impl<'de> Deserialize<'de> for ConfigUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = EnvString::deserialize(d)?;
        Ok(ConfigUrl(value.0))
    }
}

impl Serialize for ConfigUrl {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&redact_url(&self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_password_and_token_query() {
        let url = ConfigUrl::new("https://u:p%40ssw0rd@h/x?token=tk-123456&a=b");
        let r = Redactor::default();
        url.register_secrets(&r);
        assert_eq!(
            r.redact("p%40ssw0rd p@ssw0rd tk-123456"),
            "[redacted] [redacted] [redacted]"
        );
        assert!(!format!("{url} {url:?}").contains("ssw0rd"));
    }
}
