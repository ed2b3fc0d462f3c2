//! `file_age` gates: seconds since a file was last modified (a k6 report, a backup dump).

use crate::gate::{Observation, Value};
use chrono::{DateTime, Utc};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// A file time as UTC, `None` past the calendar's range (tmpfs takes any 64-bit mtime; the
/// plain conversion would panic on it).
fn utc(t: SystemTime) -> Option<DateTime<Utc>> {
    let millis = match t.duration_since(UNIX_EPOCH) {
        Ok(after) => i128::try_from(after.as_millis()).ok()?,
        Err(before) => -i128::try_from(before.duration().as_millis()).ok()?,
    };
    DateTime::from_timestamp_millis(i64::try_from(millis).ok()?)
}

pub async fn age(path: &Path, now: DateTime<Utc>) -> Result<Observation, String> {
    let shown = crate::text::sanitize(&path.display().to_string());
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("no such file: {shown}"),
            _ => format!("cannot read {shown}: {e}"),
        })?;
    let modified = meta
        .modified()
        .map_err(|e| format!("cannot read the modification time of {shown}: {e}"))?;
    let modified = utc(modified).ok_or_else(|| {
        format!("the modification time of {shown} is out of range (millions of years away)")
    })?;
    let secs = (now - modified).num_milliseconds() as f64 / 1000.0;
    Ok(Observation {
        // A clock skewed into the future reads as "just now", not a negative age.
        value: Value::Number(secs.max(0.0).floor()),
        detail: Some(format!(
            "modified {}",
            modified.format("%Y-%m-%d %H:%M:%S UTC")
        )),
    })
}
