//! Postgres gates: the config's SQL runs in a READ ONLY transaction with a statement timeout, so
//! a gate can never change data, and must return exactly one row with one column.

use crate::gate::{Observation, Value};
use sqlx::PgPool;
use std::time::Duration;

pub async fn query_one(pool: &PgPool, sql: &str, timeout: Duration) -> Result<Observation, String> {
    let sql = sql.trim().trim_end_matches(';').trim();
    // Wrapping the query turns any column type (bigint, numeric, text, timestamptz) into JSON,
    // and refuses several statements: they cannot sit inside a subquery.
    let wrapped = format!("SELECT to_json(gonogo_gate) FROM ({sql}) AS gonogo_gate LIMIT 2");
    let mut tx = crate::db::read_only(pool, timeout)
        .await
        .map_err(|e| format!("postgres: {e}"))?;
    // Intervals then come out as ISO 8601 (`P1DT2H`), which reads back as seconds, so
    // `now() - max(used_at)` compares against `< 6h` like any other duration.
    sqlx::query("SET LOCAL intervalstyle = 'iso_8601'")
        .execute(&mut *tx)
        .await
        .map_err(|e| format!("postgres: {}", message(&e)))?;
    let rows: Vec<serde_json::Value> = sqlx::query_scalar(sqlx::AssertSqlSafe(wrapped))
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| format!("postgres: {}", message(&e)))?;
    // Nothing to keep: the transaction is read-only either way.
    let _ = tx.rollback().await;
    let row = match rows.as_slice() {
        [] => return Err("query returned no rows".into()),
        [row] => row,
        _ => {
            return Err(
                "query returned more than one row; it must return exactly one value".into(),
            );
        }
    };
    let columns = row.as_object().ok_or("query result is not a row")?;
    if columns.len() != 1 {
        return Err(format!(
            "query returned {} columns; it must return exactly one value",
            columns.len()
        ));
    }
    let (_, value) = columns.iter().next().ok_or("query returned no columns")?;
    let value = match value {
        serde_json::Value::Number(n) => Value::Number(n.as_f64().ok_or("number out of range")?),
        serde_json::Value::String(s) => match interval_seconds(s) {
            Some(secs) => Value::Number(secs),
            None => Value::Text(s.clone()),
        },
        serde_json::Value::Bool(b) => Value::Text(b.to_string()),
        serde_json::Value::Null => return Err("query returned NULL".into()),
        other => Value::Text(other.to_string()),
    };
    Ok(Observation {
        value,
        detail: None,
    })
}

/// Seconds in an interval as Postgres writes it with `intervalstyle = iso_8601` (`P1Y2M3DT4H5M6.5S`,
/// `PT-1M-30S`), counting months as 30 days and years as 365.25 days like
/// `extract(epoch FROM interval)`. Anything else is not an interval.
fn interval_seconds(text: &str) -> Option<f64> {
    const DAY: f64 = 86_400.0;
    let rest = text.strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((_, "")) => return None,
        Some((date, time)) => (date, Some(time)),
        None if rest.is_empty() => return None,
        None => (rest, None),
    };
    let mut total = sum_units(
        date,
        &[
            ('Y', 365.25 * DAY),
            ('M', 30.0 * DAY),
            ('W', 7.0 * DAY),
            ('D', DAY),
        ],
    )?;
    if let Some(time) = time {
        total += sum_units(time, &[('H', 3600.0), ('M', 60.0), ('S', 1.0)])?;
    }
    Some(total)
}

/// `1Y-2M3D` against ordered units: each unit at most once, in order, each with a number.
fn sum_units(part: &str, units: &[(char, f64)]) -> Option<f64> {
    let mut total = 0.0;
    let mut number = String::new();
    let mut next = 0;
    for c in part.chars() {
        if c.is_ascii_digit() || matches!(c, '.' | '-' | '+') {
            number.push(c);
            continue;
        }
        let found = next + units[next..].iter().position(|(unit, _)| *unit == c)?;
        total += number.parse::<f64>().ok()? * units[found].1;
        number.clear();
        next = found + 1;
    }
    number.is_empty().then_some(total)
}

fn message(e: &sqlx::Error) -> String {
    let e = crate::db::classify(e);
    match e.kind {
        crate::db::DbErrorKind::StatementTimeout => {
            "statement timeout: the query took longer than the gate's timeout".into()
        }
        _ => e.message,
    }
}

#[cfg(test)]
mod tests {
    use super::interval_seconds;

    #[test]
    fn iso_intervals_read_as_seconds_like_extract_epoch() {
        assert_eq!(interval_seconds("P1Y2M3DT4H5M6.5S"), Some(37_015_506.5));
        assert_eq!(interval_seconds("PT-1M-30S"), Some(-90.0));
        assert_eq!(interval_seconds("P-1DT2H"), Some(-86_400.0 + 7_200.0));
        assert_eq!(interval_seconds("PT0S"), Some(0.0));
        assert_eq!(interval_seconds("P2W"), Some(14.0 * 86_400.0));
    }

    #[test]
    fn other_text_is_not_an_interval() {
        for text in [
            "",
            "P",
            "PT",
            "P1",
            "PT5X",
            "P1D1D",
            "P1H",
            "ready",
            "Paris",
            "P1DT",
            "2026-11-22",
        ] {
            assert_eq!(interval_seconds(text), None, "{text:?}");
        }
    }
}
