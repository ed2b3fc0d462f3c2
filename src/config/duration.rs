//! Durations: the one parser of `30s` / `5m` / `1h30m`, the bounds each key and flag holds
//! them to, and the only way a date is moved by a duration — checked, so a duration too long
//! for the calendar is an error naming its line or flag, never a panic.

use chrono::{DateTime, TimeDelta, Utc};

/// Gates are polled at most this often: faster floods the journal and spins the CPU.
pub const MIN_EVERY: std::time::Duration = std::time::Duration::from_millis(200);
/// No check gets less time than this: below it, nothing but a timeout can come back.
pub const MIN_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(100);
/// No interval, timeout or `for` is longer than this (a week is past any launch).
pub const MAX_DURATION: std::time::Duration = std::time::Duration::from_secs(7 * 86_400);

/// [`parse_duration`] within the bounds of `key` (`every`, `timeout`, `for`).
pub fn parse_bounded(key: &str, text: &str) -> Result<std::time::Duration, String> {
    let d = parse_duration(text)?;
    let floor = match key {
        "every" => MIN_EVERY,
        "timeout" => MIN_TIMEOUT,
        _ => std::time::Duration::ZERO,
    };
    let show = |d: std::time::Duration| humantime::format_duration(d).to_string();
    if d < floor {
        return Err(format!(
            "`{}` is below the floor for `{key}`, {}",
            crate::text::sanitize_short(text, 40),
            show(floor)
        ));
    }
    if d > MAX_DURATION {
        return Err(format!(
            "`{}` is longer than the longest `{key}`, {}",
            crate::text::sanitize_short(text, 40),
            show(MAX_DURATION)
        ));
    }
    Ok(d)
}

/// Parses `30s`, `5m`, `1h30m`; zero is refused (a zero interval would spin).
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let shown = crate::text::sanitize_short(text, 40);
    let d = humantime::parse_duration(text.trim())
        .map_err(|e| format!("`{shown}` is not a duration like 30s, 5m or 1h30m ({e})"))?;
    if d.is_zero() {
        return Err(format!("`{shown}` must be longer than zero"));
    }
    Ok(d)
}

/// `at` moved forward by `by`; `None` when that leaves the dates chrono can hold.
pub fn later(at: DateTime<Utc>, by: std::time::Duration) -> Option<DateTime<Utc>> {
    at.checked_add_signed(TimeDelta::from_std(by).ok()?)
}

/// `at` moved back by `by`; `None` when that leaves the dates chrono can hold.
pub fn earlier(at: DateTime<Utc>, by: std::time::Duration) -> Option<DateTime<Utc>> {
    at.checked_sub_signed(TimeDelta::from_std(by).ok()?)
}

/// A `--since`-style flag: a duration ago (`8h`, `1h30m`) or an RFC 3339 time. Errors name
/// the flag and the value.
pub fn since(flag: &str, text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let trimmed = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(trimmed) {
        return Ok(at.with_timezone(&Utc));
    }
    let shown = crate::text::sanitize_short(text, 60);
    let ago = humantime::parse_duration(trimmed).map_err(|_| {
        format!(
            "{flag} `{shown}` is neither a duration (30m, 8h, 1h30m) nor an RFC 3339 time \
             (2026-11-24T09:00:00Z)"
        )
    })?;
    earlier(now, ago).ok_or_else(|| {
        format!("{flag} `{shown}` reaches back before the earliest date gonogo can hold")
    })
}

/// A `--due`-style flag: the end of a window that starts `now` and lasts the duration given.
pub fn window_end(flag: &str, text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let length = parse_duration(text).map_err(|why| format!("{flag}: {why}"))?;
    later(now, length).ok_or_else(|| {
        format!(
            "{flag} `{}` reaches past the latest date gonogo can hold",
            crate::text::sanitize_short(text, 40)
        )
    })
}

#[cfg(test)]
mod tests;
