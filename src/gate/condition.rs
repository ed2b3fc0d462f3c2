//! The `pass` condition grammar: `OP OPERAND`, where OP is `== != < <= > >=` and OPERAND a number,
//! a duration (`30h`, `1h30m`, compared as seconds) or a quoted string (`'none'`, `"UP"`).

use crate::gate::Value;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }

    fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Op::Eq => ordering == Equal,
            Op::Ne => ordering != Equal,
            Op::Lt => ordering == Less,
            Op::Le => ordering != Greater,
            Op::Gt => ordering == Greater,
            Op::Ge => ordering != Less,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Number(f64),
    /// A duration, held in seconds; the gate's value is read as seconds too.
    Duration(f64),
    Text(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub op: Op,
    pub operand: Operand,
    /// Canonical text as the operator wrote the operand (`< 30h`, not `< 108000`).
    shown: String,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConditionError {
    #[error("condition is empty; write e.g. `>= 50`, `== 0`, `< 30h` or `== 'none'`")]
    Empty,
    #[error("condition `{0}` must start with one of == != < <= > >=")]
    NoOperator(String),
    #[error("condition `{0}` has no value after the operator")]
    NoOperand(String),
    #[error("`{0}` is not a number, a duration (30h, 15m) or a quoted string")]
    BadOperand(String),
    #[error("unterminated string in condition `{0}`")]
    Unterminated(String),
    #[error("strings only compare with == or !=, not {0}")]
    OrderedString(&'static str),
}

impl Condition {
    pub fn parse(input: &str) -> Result<Condition, ConditionError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(ConditionError::Empty);
        }
        let (op, rest) =
            split_operator(text).ok_or_else(|| ConditionError::NoOperator(text.into()))?;
        let rest = rest.trim();
        if rest.is_empty() {
            return Err(ConditionError::NoOperand(text.into()));
        }
        let operand = parse_operand(rest)?;
        if matches!(operand, Operand::Text(_)) && !matches!(op, Op::Eq | Op::Ne) {
            return Err(ConditionError::OrderedString(op.symbol()));
        }
        let shown = match &operand {
            Operand::Text(t) => format!("{} '{t}'", op.symbol()),
            _ => format!("{} {rest}", op.symbol()),
        };
        Ok(Condition { op, operand, shown })
    }

    /// Evaluates the condition. `Err` explains why the value cannot be judged (the gate is then
    /// unknown, never pass or fail).
    pub fn evaluate(&self, value: &Value) -> Result<bool, String> {
        match &self.operand {
            Operand::Number(want) | Operand::Duration(want) => {
                let got = value.as_number().ok_or_else(|| self.not_a_number(value))?;
                if got.is_nan() {
                    return Err("value is NaN".into());
                }
                let ordering = got
                    .partial_cmp(want)
                    .ok_or_else(|| "value cannot be compared".to_string())?;
                Ok(self.op.holds(ordering))
            }
            Operand::Text(want) => {
                let got = value.as_text();
                Ok(self.op.holds(got.as_str().cmp(want.as_str())))
            }
        }
    }

    fn not_a_number(&self, value: &Value) -> String {
        let shown = value.display_quoted();
        let is_timestamp = chrono::DateTime::parse_from_rfc3339(value.as_text().trim()).is_ok();
        if is_timestamp && self.is_duration() {
            // The usual slip: `max(used_at)` where the age, `now() - max(used_at)`, was meant.
            return format!(
                "value {shown} is a point in time, not a duration: make the query return its \
                 age (`now() - max(…)` in SQL, `time() - …` in PromQL)"
            );
        }
        format!("value {shown} is not a number")
    }

    /// True when values of this gate are durations in seconds.
    pub fn is_duration(&self) -> bool {
        matches!(self.operand, Operand::Duration(_))
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

fn split_operator(text: &str) -> Option<(Op, &str)> {
    const OPS: [(&str, Op); 6] = [
        ("==", Op::Eq),
        ("!=", Op::Ne),
        ("<=", Op::Le),
        (">=", Op::Ge),
        ("<", Op::Lt),
        (">", Op::Gt),
    ];
    OPS.iter()
        .find_map(|(sym, op)| text.strip_prefix(sym).map(|rest| (*op, rest)))
}

fn parse_operand(text: &str) -> Result<Operand, ConditionError> {
    if let Some(quote) = text.chars().next().filter(|c| *c == '\'' || *c == '"') {
        let body = &text[1..];
        let end = body
            .find(quote)
            .ok_or_else(|| ConditionError::Unterminated(text.into()))?;
        if !body[end + 1..].trim().is_empty() {
            return Err(ConditionError::BadOperand(text.into()));
        }
        return Ok(Operand::Text(body[..end].to_owned()));
    }
    if let Ok(number) = text.parse::<f64>()
        && number.is_finite()
    {
        return Ok(Operand::Number(number));
    }
    if text.starts_with(|c: char| c.is_ascii_digit())
        && let Ok(duration) = humantime::parse_duration(text)
    {
        return Ok(Operand::Duration(duration.as_secs_f64()));
    }
    Err(ConditionError::BadOperand(text.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(cond: &str, value: Value) -> Result<bool, String> {
        Condition::parse(cond).unwrap().evaluate(&value)
    }

    #[test]
    fn parses_each_operator_and_operand_kind() {
        let c = Condition::parse(">= 50").unwrap();
        assert_eq!((c.op, c.operand), (Op::Ge, Operand::Number(50.0)));
        let c = Condition::parse("<30h").unwrap();
        assert_eq!(
            (c.op, c.operand.clone()),
            (Op::Lt, Operand::Duration(108_000.0))
        );
        assert!(c.is_duration());
        let c = Condition::parse("== 'none'").unwrap();
        assert_eq!(c.operand, Operand::Text("none".into()));
        let c = Condition::parse("!= \"DOWN\"").unwrap();
        assert_eq!(
            (c.op, c.operand.clone()),
            (Op::Ne, Operand::Text("DOWN".into()))
        );
        assert_eq!(
            Condition::parse("<= -1.5").unwrap().operand,
            Operand::Number(-1.5)
        );
        assert_eq!(
            Condition::parse("> 1h30m").unwrap().operand,
            Operand::Duration(5400.0)
        );
    }

    #[test]
    fn rejects_malformed_conditions_with_reasons() {
        assert_eq!(Condition::parse("  "), Err(ConditionError::Empty));
        assert!(matches!(
            Condition::parse("50"),
            Err(ConditionError::NoOperator(_))
        ));
        assert!(matches!(
            Condition::parse("=> 5"),
            Err(ConditionError::NoOperator(_))
        ));
        assert!(matches!(
            Condition::parse(">="),
            Err(ConditionError::NoOperand(_))
        ));
        assert!(matches!(
            Condition::parse("== fifty"),
            Err(ConditionError::BadOperand(_))
        ));
        assert!(matches!(
            Condition::parse("== 'none"),
            Err(ConditionError::Unterminated(_))
        ));
        assert!(matches!(
            Condition::parse("== 'a' b"),
            Err(ConditionError::BadOperand(_))
        ));
        assert_eq!(
            Condition::parse("< 'b'"),
            Err(ConditionError::OrderedString("<"))
        );
        assert!(matches!(
            Condition::parse("== inf"),
            Err(ConditionError::BadOperand(_))
        ));
    }

    #[test]
    fn evaluates_numbers_durations_and_strings() {
        assert_eq!(eval(">= 50", Value::Number(50.0)), Ok(true));
        assert_eq!(eval(">= 50", Value::Number(49.0)), Ok(false));
        assert_eq!(eval("== 0", Value::Text("0".into())), Ok(true));
        assert_eq!(eval("< 30h", Value::Number(29.0 * 3600.0)), Ok(true));
        assert_eq!(eval("< 30h", Value::Number(31.0 * 3600.0)), Ok(false));
        assert_eq!(eval("== 'none'", Value::Text("none".into())), Ok(true));
        assert_eq!(eval("== 'none'", Value::Text("major".into())), Ok(false));
        assert_eq!(eval("!= 'DOWN'", Value::Text("UP".into())), Ok(true));
        assert_eq!(eval("== 200", Value::Number(503.0)), Ok(false));
        assert_eq!(eval("< 10", Value::Number(f64::NEG_INFINITY)), Ok(true));
    }

    #[test]
    fn unjudgeable_values_are_errors_not_verdicts() {
        assert!(eval(">= 50", Value::Text("many".into())).is_err());
        assert!(eval("== 1", Value::Number(f64::NAN)).is_err());
    }

    #[test]
    fn displays_canonically() {
        assert_eq!(Condition::parse(">=50").unwrap().to_string(), ">= 50");
        assert_eq!(Condition::parse("<30h").unwrap().to_string(), "< 30h");
        assert_eq!(Condition::parse("== \"x\"").unwrap().to_string(), "== 'x'");
    }

    #[test]
    fn a_timestamp_against_a_duration_says_to_query_its_age() {
        // What `to_json(timestamptz)` gives for `SELECT max(used_at) …`.
        let at = Value::Text("2026-11-22T09:15:02.123456+00:00".into());
        let why = eval("< 30h", at.clone()).unwrap_err();
        assert!(why.contains("is a point in time, not a duration"), "{why}");
        assert!(why.contains("now() - max(…)"), "{why}");
        let why = eval("< 30", at).unwrap_err();
        assert_eq!(
            why,
            "value '2026-11-22T09:15:02.123456+00:00' is not a number"
        );
    }
}
