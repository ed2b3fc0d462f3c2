//! Postgres gates: the config's SQL runs in a READ ONLY transaction with a statement timeout, so
//! a gate can never change data, and must return exactly one row with one column.

use crate::gate::{Observation, Value};
use sqlx::PgPool;
use std::time::Duration;

pub async fn query_one(pool: &PgPool, sql: &str, timeout: Duration) -> Result<Observation, String> {
    let sql = statement_body(sql);
    // Wrapping the query turns any column type (bigint, numeric, text, timestamptz) into JSON,
    // and refuses several statements: they cannot sit inside a subquery. The line breaks keep
    // a `--` comment inside the query from swallowing the closing parenthesis; the JSON comes
    // as text so that two columns of the same name stay two.
    let wrapped =
        format!("SELECT to_json(gonogo_gate)::text FROM (\n{sql}\n) AS gonogo_gate LIMIT 2");
    let mut tx = crate::db::read_only(pool, timeout)
        .await
        .map_err(|e| format!("postgres: {e}"))?;
    // Intervals then come out as ISO 8601 (`P1DT2H`), which reads back as seconds, so
    // `now() - max(used_at)` compares against `< 6h` like any other duration.
    sqlx::query("SET LOCAL intervalstyle = 'iso_8601'")
        .execute(&mut *tx)
        .await
        .map_err(|e| format!("postgres: {}", message(&e)))?;
    let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(wrapped))
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
    let value = one_column(row)?;
    let value = match &value {
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

/// The query without what follows its last token: a trailing `;` and trailing comments
/// (`-- …`, `/* … */`), found by a small lexer that knows quotes and dollar quotes, so
/// `SELECT 1; -- count` sits inside a subquery.
fn statement_body(sql: &str) -> &str {
    let bytes = sql.as_bytes();
    let (mut i, mut end) = (0, 0);
    while i < bytes.len() {
        let rest = &sql[i..];
        let skip = if rest.starts_with("--") {
            rest.find('\n').unwrap_or(rest.len())
        } else if let Some(comment) = rest.strip_prefix("/*") {
            comment.find("*/").map_or(rest.len(), |j| j + 4)
        } else if bytes[i].is_ascii_whitespace() {
            1
        } else {
            let token = match bytes[i] {
                b'\'' | b'"' => quoted(rest, bytes[i] as char),
                b'$' => dollar_quoted(rest).unwrap_or(1),
                _ => rest.chars().next().map_or(1, char::len_utf8),
            };
            // A `;` ends the statement; only what follows it says whether it was the last.
            if bytes[i] != b';' {
                end = i + token;
            }
            token
        };
        i += skip.max(1);
    }
    sql[..end.min(sql.len())].trim()
}

/// Length of a `'…'` or `"…"` token (a doubled quote stays inside), to the end if unclosed.
fn quoted(rest: &str, quote: char) -> usize {
    let mut chars = rest.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        if c == quote {
            if chars.peek().is_some_and(|(_, n)| *n == quote) {
                chars.next();
                continue;
            }
            return i + 1;
        }
    }
    rest.len()
}

/// Length of a `$tag$…$tag$` token, or `None` when the `$` opens none (`$1`).
fn dollar_quoted(rest: &str) -> Option<usize> {
    let close = rest[1..].find('$')? + 1;
    let tag = &rest[..=close];
    let name = &tag[1..tag.len() - 1];
    let valid = name
        .chars()
        .enumerate()
        .all(|(i, c)| c == '_' || c.is_alphabetic() || (i > 0 && c.is_ascii_digit()));
    if !valid {
        return None;
    }
    let body = &rest[tag.len()..];
    Some(
        body.find(tag)
            .map_or(rest.len(), |j| tag.len() + j + tag.len()),
    )
}

/// The one value of a row written as JSON text by `to_json`: exactly one column, or an error
/// naming the columns. Read as a list of pairs, so two columns of the same name count twice.
fn one_column(row_json: &str) -> Result<serde_json::Value, String> {
    let Columns(mut columns) =
        serde_json::from_str(row_json).map_err(|_| "query result is not a row".to_string())?;
    if columns.len() != 1 {
        let names: Vec<String> = columns
            .iter()
            .take(5)
            .map(|(name, _)| format!("`{}`", crate::text::sanitize_short(name, 40)))
            .collect();
        return Err(format!(
            "query returned {} columns ({}); it must return exactly one value",
            columns.len(),
            names.join(", ")
        ));
    }
    columns
        .pop()
        .map(|(_, value)| value)
        .ok_or_else(|| "query returned no columns".into())
}

/// A JSON object's entries in order, duplicates kept.
struct Columns(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for Columns {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Columns;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a row object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Columns, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Columns(entries))
            }
        }
        d.deserialize_map(Visit)
    }
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
    use super::{interval_seconds, one_column, statement_body};

    #[test]
    fn trailing_semicolons_and_comments_are_cut_outside_quotes() {
        let cases = [
            ("SELECT 1", "SELECT 1"),
            ("SELECT 1;", "SELECT 1"),
            ("SELECT 1 -- the count", "SELECT 1"),
            ("SELECT 1; -- the count", "SELECT 1"),
            ("SELECT 1 /* why */ ;  ", "SELECT 1"),
            ("SELECT 1\n-- one\n-- two\n", "SELECT 1"),
            ("SELECT '--not a comment'", "SELECT '--not a comment'"),
            ("SELECT 'it''s; -- x'", "SELECT 'it''s; -- x'"),
            ("SELECT \"a--b\" FROM t -- c", "SELECT \"a--b\" FROM t"),
            ("SELECT $$ -- ; $$ -- c", "SELECT $$ -- ; $$"),
            ("SELECT $q$ ; $q$;", "SELECT $q$ ; $q$"),
            (
                "SELECT count(*) FROM t WHERE x = $1 -- c",
                "SELECT count(*) FROM t WHERE x = $1",
            ),
            ("-- only a comment", ""),
            ("SELECT 'unclosed -- x", "SELECT 'unclosed -- x"),
            ("SELECT 1 /* unclosed", "SELECT 1"),
            ("SELECT 'é' -- ü", "SELECT 'é'"),
        ];
        for (sql, body) in cases {
            assert_eq!(statement_body(sql), body, "{sql:?}");
        }
    }

    #[test]
    fn a_row_must_hold_exactly_one_column_duplicates_counted() {
        assert_eq!(one_column(r#"{"n":5}"#).unwrap(), serde_json::json!(5));
        for (row, n) in [
            (r#"{"a":1,"a":2}"#, 2),
            (r#"{"a":1,"b":"x"}"#, 2),
            (r#"{"count":1,"count":2,"count":3}"#, 3),
            ("{}", 0),
        ] {
            let e = one_column(row).unwrap_err();
            assert!(e.contains(&format!("{n} columns")), "{row}: {e}");
        }
        assert!(one_column("[1]").is_err());
    }

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
