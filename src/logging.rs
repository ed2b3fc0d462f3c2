//! Logging: tracing to a daily file in the XDG state dir (never the terminal, which belongs to
//! the output or the cockpit). `RUST_LOG` is honoured; `GONOGO_LOG_DIR` moves the files. Every
//! line, the libraries' included (sqlx statements, HTTP client traces), passes through the
//! process-wide [`Redactor::process`] on its way to the file.

use crate::text::Redactor;
use std::io::Write;
use std::path::PathBuf;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Makes writers that redact each formatted event (the formatter writes one event per call).
struct Redacting<M>(M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Redacting<M> {
    type Writer = RedactingWriter<M::Writer>;
    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter(self.0.make_writer())
    }
}

struct RedactingWriter<W>(W);

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // Redacted, then neutralised line by line: a library's line may carry a server's text.
        let mut line = Redactor::process().redact_multiline(&String::from_utf8_lossy(buf));
        if !line.ends_with('\n') {
            line.push('\n');
        }
        self.0.write_all(line.as_bytes())?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Where log files go.
pub fn log_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("GONOGO_LOG_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let dirs = directories::ProjectDirs::from("", "", "gonogo")?;
    Some(
        dirs.state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .join("logs"),
    )
}

/// Starts file logging. Keep the guard alive until exit so buffered lines are written.
/// An error says why logging is off; the caller carries on without it.
pub fn init() -> Result<(WorkerGuard, PathBuf), String> {
    let dir = log_dir().ok_or("no home directory for logs (set GONOGO_LOG_DIR)")?;
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("cannot create log dir {}: {e}", dir.display()))?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("gonogo")
        .filename_suffix("log")
        .build(&dir)
        .map_err(|e| format!("cannot open a log file in {}: {e}", dir.display()))?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("gonogo=info,warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Redacting(writer))
        .with_ansi(false)
        .try_init()
        .map_err(|e| format!("logging already started: {e}"))?;
    Ok((guard, dir))
}
