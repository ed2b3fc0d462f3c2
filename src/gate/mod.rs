//! Gates: what a gate is (spec), what a check returns (result), the per-gate state machine and the
//! overall verdict. Shared by `gonogo check` and the cockpit.

pub mod board;
pub mod condition;
pub mod spec;
pub mod sustain;

pub use board::{Board, GateStatus, Transition};
pub use condition::Condition;
pub use spec::{GateSpec, SourceSpec};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A value a source observed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Number(f64),
    Text(String),
}

impl Value {
    /// The value as a number: numbers as they are, text when it parses (Prometheus and Sentry
    /// send numbers as strings).
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            Value::Text(t) => match t.trim() {
                "NaN" => Some(f64::NAN),
                "+Inf" | "Inf" => Some(f64::INFINITY),
                "-Inf" => Some(f64::NEG_INFINITY),
                other => other.parse().ok(),
            },
        }
    }

    pub fn as_text(&self) -> String {
        match self {
            Value::Number(n) => format_number(*n),
            Value::Text(t) => t.clone(),
        }
    }

    pub fn display_quoted(&self) -> String {
        match self {
            Value::Number(n) => format_number(*n),
            Value::Text(t) => format!("'{}'", crate::text::sanitize_short(t, 40)),
        }
    }
}

/// Numbers as people read them: integers without decimals, others with at most three.
pub fn format_number(n: f64) -> String {
    if n.is_nan() {
        "NaN".into()
    } else if n.is_infinite() {
        if n > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        let s = format!("{n:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// Seconds as a short human duration: `27h 12m`, `5m 3s`, `42s`, `3d 4h`.
/// A poll interval as a person reads it: whole seconds from one second up (`3s`, not
/// `2s 857ms`), milliseconds below.
pub fn format_interval(interval: std::time::Duration) -> String {
    if interval < std::time::Duration::from_secs(1) {
        format!("{}ms", interval.as_millis())
    } else {
        format_duration_secs(interval.as_secs_f64())
    }
}

pub fn format_duration_secs(secs: f64) -> String {
    if !secs.is_finite() {
        return format_number(secs);
    }
    let negative = secs < 0.0;
    let total = secs.abs().round() as u64;
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    // Under two days, hours read better than days ("27h 12m" against a "< 30h" gate).
    let body = if h >= 48 {
        let (d, h) = (h / 24, h % 24);
        if h == 0 {
            format!("{d}d")
        } else {
            format!("{d}d {h}h")
        }
    } else {
        match (h, m, s) {
            (0, 0, s) => format!("{s}s"),
            (0, m, 0) => format!("{m}m"),
            (0, m, s) => format!("{m}m {s}s"),
            (h, 0, _) => format!("{h}h"),
            (h, m, _) => format!("{h}h {m}m"),
        }
    };
    if negative { format!("-{body}") } else { body }
}

/// What one check of one gate found.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub value: Value,
    /// Extra context for the operator (sanitized, secrets redacted), e.g. top Sentry titles.
    pub detail: Option<String>,
}

/// One check of one gate, as sent by a poller. Owned and timestamped.
#[derive(Debug, Clone)]
pub struct GateResult {
    pub gate: String,
    pub observed_at: DateTime<Utc>,
    /// `Err` holds why the gate could not be checked (sanitized, secrets redacted).
    pub outcome: Result<Observation, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GateState {
    Pass,
    Fail,
    /// Failing, but not yet for as long as the gate's `for`.
    Pending,
    /// Could not tell: error, timeout, no data, stale.
    Unknown,
}

impl GateState {
    pub fn symbol(self) -> &'static str {
        match self {
            GateState::Pass => "✅",
            GateState::Fail => "🔴",
            GateState::Pending => "🟡",
            GateState::Unknown => "⚪",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            GateState::Pass => "pass",
            GateState::Fail => "fail",
            GateState::Pending => "pending",
            GateState::Unknown => "unknown",
        }
    }
    pub fn parse(s: &str) -> Option<GateState> {
        match s {
            "pass" => Some(GateState::Pass),
            "fail" => Some(GateState::Fail),
            "pending" => Some(GateState::Pending),
            "unknown" => Some(GateState::Unknown),
            _ => None,
        }
    }
}

impl fmt::Display for GateState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    #[serde(rename = "GO")]
    Go,
    #[serde(rename = "NO-GO")]
    NoGo,
    #[serde(rename = "UNKNOWN")]
    Unknown,
}

impl Verdict {
    /// Any required gate failing is NO-GO; otherwise any required gate unknown is UNKNOWN;
    /// otherwise GO. Pending counts as passing (it is shown as a warning). Informational gates
    /// never decide, and no required gate at all is UNKNOWN: a GO must rest on a check.
    pub fn over<'a>(gates: impl IntoIterator<Item = (bool, GateState)> + 'a) -> Verdict {
        let (mut any_required, mut any_unknown) = (false, false);
        for (required, state) in gates {
            if !required {
                continue;
            }
            any_required = true;
            match state {
                GateState::Fail => return Verdict::NoGo,
                GateState::Unknown => any_unknown = true,
                GateState::Pass | GateState::Pending => {}
            }
        }
        if any_required && !any_unknown {
            Verdict::Go
        } else {
            Verdict::Unknown
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Go => "GO",
            Verdict::NoGo => "NO-GO",
            Verdict::Unknown => "UNKNOWN",
        }
    }

    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Go => crate::exit::OK,
            Verdict::NoGo => crate::exit::NO_GO,
            Verdict::Unknown => crate::exit::UNKNOWN,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use GateState::*;

    #[test]
    fn verdict_rules() {
        assert_eq!(Verdict::over([(true, Pass), (true, Pending)]), Verdict::Go);
        assert_eq!(
            Verdict::over([(true, Unknown), (true, Pass)]),
            Verdict::Unknown
        );
        assert_eq!(
            Verdict::over([(true, Unknown), (true, Fail)]),
            Verdict::NoGo
        );
        assert_eq!(Verdict::over([(false, Fail), (true, Pass)]), Verdict::Go);
        // Nothing required checked is never GO.
        assert_eq!(Verdict::over([(false, Pass)]), Verdict::Unknown);
        assert_eq!(Verdict::over([(false, Fail)]), Verdict::Unknown);
        assert_eq!(Verdict::over([]), Verdict::Unknown);
    }

    #[test]
    fn formats_numbers_and_durations() {
        assert_eq!(format_number(50.0), "50");
        assert_eq!(format_number(0.25), "0.25");
        assert_eq!(format_number(1.0 / 3.0), "0.333");
        assert_eq!(format_duration_secs(97_920.0), "27h 12m");
        assert_eq!(format_duration_secs(50.0 * 3600.0), "2d 2h");
        assert_eq!(format_duration_secs(-90.0), "-1m 30s");
        assert_eq!(format_duration_secs(3.0 * 3600.0 + 720.0), "3h 12m");
        assert_eq!(format_duration_secs(303.0), "5m 3s");
        assert_eq!(format_duration_secs(42.0), "42s");
        assert_eq!(format_duration_secs(108_000.0), "30h");
    }

    #[test]
    fn intervals_are_rounded_to_what_a_person_reads() {
        use std::time::Duration;
        assert_eq!(format_interval(Duration::from_millis(2857)), "3s");
        assert_eq!(format_interval(Duration::from_secs(90)), "1m 30s");
        assert_eq!(format_interval(Duration::from_millis(333)), "333ms");
    }

    #[test]
    fn text_values_read_as_numbers() {
        assert_eq!(Value::Text(" 12 ".into()).as_number(), Some(12.0));
        assert!(Value::Text("NaN".into()).as_number().unwrap().is_nan());
        assert_eq!(Value::Text("up".into()).as_number(), None);
    }
}
