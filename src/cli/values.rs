//! The values flags take, checked as clap parses them: intervals, speeds, retry windows and
//! severities, each refused with what it accepts.

/// A whole number of seconds, at least one (a zero interval would poll without pause) and at
/// most a config `every` may be ([`crate::config::MAX_DURATION`]): staleness and alert
/// windows are multiples of it.
pub fn parse_interval(text: &str) -> Result<u64, String> {
    let most = crate::config::MAX_DURATION.as_secs();
    match text.trim().parse::<u64>() {
        Ok(0) => Err("the interval must be at least 1 second".into()),
        Ok(n) if n > most => Err(format!(
            "the interval must be at most {most} seconds (a week), the longest `every`"
        )),
        Ok(n) => Ok(n),
        Err(_) => Err(format!(
            "`{}` is not a whole number of seconds, like 5 or 60",
            crate::text::sanitize_short(text, 40)
        )),
    }
}

pub(super) fn parse_speed(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(n) if n.is_finite() && n > 0.0 && n <= crate::demo::MAX_SPEED => Ok(n),
        _ => Err(format!(
            "expected a number above 0 and at most {}, like 7 or 60",
            crate::demo::MAX_SPEED
        )),
    }
}

pub(super) fn parse_retry_window(text: &str) -> Result<std::time::Duration, String> {
    let window = crate::config::parse_duration(text)?;
    if window > crate::alerts::GIVE_UP_AFTER {
        return Err("at most 10m, the longest a real alert is retried".to_owned());
    }
    Ok(window)
}

pub(super) fn parse_severity(text: &str) -> Result<crate::alerts::Severity, String> {
    crate::alerts::Severity::parse(text.trim()).ok_or_else(|| {
        format!(
            "`{}` is not a severity; use info, warning or critical",
            crate::text::sanitize_short(text, 40)
        )
    })
}

/// An IP address and port for `--metrics` (whether it may be other than loopback is the
/// command's to say, with `--metrics-public`).
pub(super) fn parse_listen(text: &str) -> Result<std::net::SocketAddr, String> {
    text.trim().parse().map_err(|_| {
        format!(
            "`{}` is not an IP address and port like 127.0.0.1:9464",
            crate::text::sanitize_short(text, 40)
        )
    })
}
