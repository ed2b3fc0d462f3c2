//! Small text formats the panes share: ages, clock times, the countdown and sparklines.

use chrono::{DateTime, Utc};

/// `42s`, `5m 3s`, `2h 10m` for a span of time (never negative).
pub fn span(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let secs = (to - from).num_seconds().max(0);
    crate::gate::format_duration_secs(secs as f64)
}

/// `14:03:12` when `at` is today (by `now`), else `11-21 14:03`.
pub fn clock(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    if at.date_naive() == now.date_naive() {
        at.format("%H:%M:%S").to_string()
    } else {
        at.format("%m-%d %H:%M").to_string()
    }
}

/// `T-3h 56m` before the decision call, `T+12m` after it.
pub fn countdown(decision_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<String> {
    let at = decision_at?;
    let secs = (at - now).num_seconds();
    let body = crate::gate::format_duration_secs(secs.unsigned_abs() as f64);
    Some(if secs >= 0 {
        format!("T-{body}")
    } else {
        format!("T+{body}")
    })
}

/// `1 finding`, `2 findings`, `0 findings`: the count and the noun that agrees with it.
pub fn counted(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The last `width` values as bars scaled between their own minimum and maximum.
pub fn sparkline(values: &[f64], width: usize) -> String {
    let values = &values[values.len().saturating_sub(width)..];
    let (min, max) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
    values
        .iter()
        .map(|v| {
            if max > min {
                let level = ((v - min) / (max - min) * 7.0).round() as usize;
                BARS[level.min(7)]
            } else {
                BARS[3]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sparkline_scales_and_keeps_the_newest() {
        assert_eq!(sparkline(&[0.0, 7.0, 3.5], 10), "▁█▅");
        assert_eq!(sparkline(&[1.0, 2.0, 5.0, 5.0], 2), "▄▄");
        assert_eq!(sparkline(&[], 5), "");
    }

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(counted(1, "finding", "findings"), "1 finding");
        assert_eq!(counted(0, "finding", "findings"), "0 findings");
        assert_eq!(counted(2, "gate", "gates"), "2 gates");
    }

    #[test]
    fn countdown_before_and_after() {
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 18, 0, 0).unwrap();
        let before = Utc.with_ymd_and_hms(2026, 11, 24, 14, 4, 0).unwrap();
        assert_eq!(countdown(Some(at), before).unwrap(), "T-3h 56m");
        let after = Utc.with_ymd_and_hms(2026, 11, 24, 18, 12, 0).unwrap();
        assert_eq!(countdown(Some(at), after).unwrap(), "T+12m");
        assert_eq!(countdown(None, after), None);
    }
}
