//! `file_age` gates: seconds since a file was last modified (a k6 report, a backup dump).

use crate::gate::{Observation, Value};
use chrono::{DateTime, Utc};
use std::path::Path;

pub async fn age(path: &Path, now: DateTime<Utc>) -> Result<Observation, String> {
    let shown = crate::text::sanitize(&path.display().to_string());
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("no such file: {shown}"),
            _ => format!("cannot read {shown}: {e}"),
        })?;
    let modified: DateTime<Utc> = meta
        .modified()
        .map_err(|e| format!("cannot read the modification time of {shown}: {e}"))?
        .into();
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
