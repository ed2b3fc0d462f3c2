//! `[invites]`: where the invitation template lives, who it is from, the transport (a sendmail
//! command or an SMTP URL), the pace and the retry schedule of a send run.

use super::{ConfigUrl, EnvString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The send command when neither `send_cmd` nor `$SEND_CMD` says otherwise.
pub const DEFAULT_SEND_CMD: &str = "msmtp -t";

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitesConfig {
    /// A directory holding `subject.txt`, `body.txt` and `body.html`, relative to the config.
    #[serde(default = "default_template")]
    pub template: EnvString,
    /// The sender, e.g. `"Veza <beta@veza.fr>"`.
    #[serde(deserialize_with = "mailbox")]
    pub from: EnvString,
    /// Optional `Reply-To` address.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "optional_mailbox"
    )]
    pub reply_to: Option<EnvString>,
    /// A template itself: `{{ code }}` becomes the recipient's code.
    pub signup_url: EnvString,
    /// Where the `.eml` files go, in `out_dir/<batch>/`; relative to the config.
    #[serde(default = "default_out_dir")]
    pub out_dir: EnvString,
    /// `beta_invites.expires_at` is now plus this (1h to 366d).
    #[schemars(with = "String")]
    #[serde(
        default = "default_expires_in",
        serialize_with = "duration_text",
        deserialize_with = "expires_in"
    )]
    pub expires_in: Duration,
    /// Optional: the `users.id` (a UUID) written to `beta_invites.sent_by`; a CSV `sent_by`
    /// column wins (an email there is looked up in `users`).
    #[schemars(with = "Option<String>")]
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "user_id"
    )]
    pub sent_by: Option<uuid::Uuid>,
    /// The launch's total sending rate: `5/s`, `300/m`, `1000/h` (from 1/h to 10000/s) or
    /// `off`.
    #[serde(default)]
    pub rate: Rate,
    /// The sendmail-compatible command messages are handed to (default `$SEND_CMD` if set,
    /// else `msmtp -t`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_cmd: Option<EnvString>,
    /// Send over SMTP instead of `send_cmd`: `smtp://user:${SMTP_PASSWORD}@host:587`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smtp_url: Option<ConfigUrl>,
    /// The first retry after a temporary refusal; each next one waits twice as long, up to 15m.
    // 15m is `MAX_RETRY`.
    #[schemars(with = "String")]
    #[serde(
        default = "default_retry",
        serialize_with = "duration_text",
        deserialize_with = "retry"
    )]
    pub retry: Duration,
    /// How long one hand-over (a command run, or one SMTP step) may take (1s to 10m).
    #[schemars(with = "String")]
    #[serde(
        default = "default_send_timeout",
        serialize_with = "duration_text",
        deserialize_with = "send_timeout"
    )]
    pub send_timeout: Duration,
}

/// Retries never wait longer than this.
pub const MAX_RETRY: Duration = Duration::from_secs(15 * 60);

impl InvitesConfig {
    pub fn template_dir(&self, base: &Path) -> PathBuf {
        base.join(self.template.as_str())
    }
    pub fn out_dir(&self, base: &Path) -> PathBuf {
        base.join(self.out_dir.as_str())
    }
    /// The send command as written (or `$SEND_CMD`, or [`DEFAULT_SEND_CMD`]), when no
    /// `smtp_url` replaces it.
    pub fn send_command(&self) -> Option<String> {
        if self.smtp_url.is_some() {
            return None;
        }
        Some(match &self.send_cmd {
            Some(cmd) => cmd.as_str().to_owned(),
            None => std::env::var("SEND_CMD")
                .ok()
                .filter(|c| !c.trim().is_empty())
                .unwrap_or_else(|| DEFAULT_SEND_CMD.to_owned()),
        })
    }
    /// Secrets the send command passes as option values (`--password=…`), and the login it
    /// passes with them: every user of the machine can read them in `ps`. Registered with the
    /// redactor (with the SMTP AUTH forms the command may send), and warned about.
    pub fn command_line_secrets(&self) -> crate::text::CommandSecrets {
        let argv = self
            .send_command()
            .and_then(|cmd| shlex::split(&cmd))
            .unwrap_or_default();
        crate::text::command_secrets(&argv)
    }

    /// Problems `config check` reports at the section: both transports set, an SMTP URL that
    /// does not parse, a send command that does not split.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.send_cmd.is_some() && self.smtp_url.is_some() {
            problems.push("[invites] sets both send_cmd and smtp_url: keep one".to_owned());
        }
        if let Some(url) = &self.smtp_url
            && let Err(why) = smtp_url_problem(url)
        {
            problems.push(format!("[invites] smtp_url: {why}"));
        }
        if let Some(cmd) = &self.send_cmd {
            match shlex::split(cmd.as_str()) {
                Some(argv) if argv.is_empty() => {
                    problems.push("[invites] send_cmd is empty".to_owned())
                }
                Some(_) => {}
                None => problems.push("[invites] send_cmd: unbalanced quotes".to_owned()),
            }
        }
        problems
    }
}

/// `smtp://` (STARTTLS required) or `smtps://` (TLS from the start), with a host.
pub fn smtp_url_problem(url: &ConfigUrl) -> Result<url::Url, String> {
    let parsed =
        url::Url::parse(url.expose().trim()).map_err(|e| format!("{url} is not a URL ({e})"))?;
    if !matches!(parsed.scheme(), "smtp" | "smtps") {
        return Err(format!("{url} is not an smtp:// or smtps:// URL"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("{url} has no host"));
    }
    Ok(parsed)
}

/// Messages per second a send run hands over, for the whole launch; `off` for no limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate(pub Option<f64>);

impl Default for Rate {
    fn default() -> Self {
        Rate(Some(5.0))
    }
}

impl Rate {
    /// The gap between two hand-overs, `None` when unlimited.
    pub fn interval(self) -> Option<Duration> {
        self.0
            .map(|per_second| Duration::from_secs_f64(1.0 / per_second))
    }
    /// `5/s`, `300/m`, `1000/h`, or `off`.
    pub fn parse(text: &str) -> Result<Rate, String> {
        let shown = crate::text::sanitize_short(text, 40);
        let trimmed = text.trim();
        if trimmed == "off" {
            return Ok(Rate(None));
        }
        let (count, unit) = trimmed
            .split_once('/')
            .ok_or_else(|| format!("`{shown}` is not a rate like 5/s, 300/m or off"))?;
        let count: f64 = count.trim().parse().map_err(|_| {
            let count = crate::text::sanitize_short(count.trim(), 20);
            format!("`{shown}`: `{count}` is not a number")
        })?;
        let seconds = match unit.trim() {
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            other => {
                return Err(format!(
                    "`{shown}`: `{}` is not a unit (s, m or h)",
                    crate::text::sanitize_short(other, 10)
                ));
            }
        };
        let per_second = count / seconds;
        // At least one an hour: a gap beyond that is a typo, and one past `Duration`'s range
        // would end the run.
        if !per_second.is_finite() || !(1.0 / 3600.0..=10_000.0).contains(&per_second) {
            return Err(format!(
                "`{shown}` must be at least 1/h and at most 10000/s (or `off`)"
            ));
        }
        Ok(Rate(Some(per_second)))
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            None => f.write_str("off"),
            Some(r) if r >= 1.0 => write!(f, "{}/s", trim_number(r)),
            Some(r) => write!(f, "{}/m", trim_number(r * 60.0)),
        }
    }
}

fn trim_number(n: f64) -> String {
    let text = format!("{n:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = EnvString::deserialize(d)?;
        Rate::parse(text.as_str()).map_err(serde::de::Error::custom)
    }
}

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

fn default_template() -> EnvString {
    EnvString("templates/beta_invite".into())
}
fn default_out_dir() -> EnvString {
    EnvString("out".into())
}
fn default_expires_in() -> Duration {
    Duration::from_secs(30 * 86_400)
}
fn default_retry() -> Duration {
    Duration::from_secs(30)
}
fn default_send_timeout() -> Duration {
    Duration::from_secs(60)
}

fn duration_text<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&humantime::format_duration(*d).to_string())
}

fn within<'de, D: Deserializer<'de>>(
    d: D,
    least: Duration,
    most: Duration,
) -> Result<Duration, D::Error> {
    let text = EnvString::deserialize(d)?;
    let value = super::parse_duration(text.as_str()).map_err(serde::de::Error::custom)?;
    if value < least || value > most {
        return Err(serde::de::Error::custom(format!(
            "`{}` must be between {} and {}",
            crate::text::sanitize_short(text.as_str(), 40),
            humantime::format_duration(least),
            humantime::format_duration(most)
        )));
    }
    Ok(value)
}

fn expires_in<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    within(
        d,
        Duration::from_secs(3600),
        Duration::from_secs(366 * 86_400),
    )
}
fn retry<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    within(d, Duration::from_millis(100), MAX_RETRY)
}
fn send_timeout<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    within(d, Duration::from_secs(1), Duration::from_secs(600))
}

fn mailbox<'de, D: Deserializer<'de>>(d: D) -> Result<EnvString, D::Error> {
    let text = EnvString::deserialize(d)?;
    text.as_str()
        .parse::<lettre::message::Mailbox>()
        .map_err(|e| {
            serde::de::Error::custom(format!(
                "`{}` is not an address like \"Name <beta@example.org>\" ({e})",
                crate::text::sanitize_short(text.as_str(), 80)
            ))
        })?;
    Ok(text)
}

fn optional_mailbox<'de, D: Deserializer<'de>>(d: D) -> Result<Option<EnvString>, D::Error> {
    mailbox(d).map(Some)
}

fn user_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<uuid::Uuid>, D::Error> {
    let text = EnvString::deserialize(d)?;
    uuid::Uuid::parse_str(text.as_str().trim())
        .map(Some)
        .map_err(|_| {
            serde::de::Error::custom(format!(
                "`{}` is not a users.id (a UUID)",
                crate::text::sanitize_short(text.as_str(), 60)
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::Rate;

    #[test]
    fn rates_read_per_unit_and_refuse_nonsense() {
        assert_eq!(Rate::parse("5/s").unwrap(), Rate(Some(5.0)));
        assert_eq!(Rate::parse(" 300/m ").unwrap(), Rate(Some(5.0)));
        assert_eq!(Rate::parse("off").unwrap(), Rate(None));
        assert_eq!(Rate::parse("300/m").unwrap().to_string(), "5/s");
        assert_eq!(Rate::parse("30/h").unwrap().to_string(), "0.5/m");
        // The slowest rate accepted still gives a gap `Duration` can hold.
        assert_eq!(
            Rate::parse("1/h").unwrap().interval(),
            Some(std::time::Duration::from_secs(3600))
        );
        for bad in [
            "5", "0/s", "-1/s", "5/d", "x/s", "NaN/s", "inf/s", "100000/s", "1e-20/s", "0.5/h",
        ] {
            assert!(Rate::parse(bad).is_err(), "{bad} was accepted");
        }
    }
}
