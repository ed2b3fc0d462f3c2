//! [`DbError`]: every database failure, classified once by SQLSTATE or driver error kind, so
//! callers decide between retrying and reporting without reading driver messages.

/// What kind of failure a database call met. The kinds callers act on; the message says the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbErrorKind {
    /// 57014: the statement ran past its `statement_timeout`.
    StatementTimeout,
    /// 25006: a write inside a `READ ONLY` transaction.
    ReadOnly,
    /// 42P01: a table the query names does not exist.
    MissingTable,
    /// 23505: a unique constraint refused the row.
    UniqueViolation,
    /// 40001 / 40P01: serialization failure or deadlock; the transaction can be run again.
    Conflict,
    /// No connection could be had: refused, unreachable, the pool timed out waiting.
    Unavailable,
    /// The connection broke while a call was on it (its outcome may be unknown).
    ConnectionLost,
    /// Any other refusal by the server (syntax, permissions, constraint other than unique).
    Refused,
    /// The driver could not decode a value, or another client-side failure.
    Client,
}

/// A database failure. The message never holds the connection URL; callers that show it pass it
/// through the config's redactor as well, since a server may echo a statement's parameters.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct DbError {
    pub kind: DbErrorKind,
    /// The SQLSTATE, when the server sent one.
    pub code: Option<String>,
    pub message: String,
}

impl DbError {
    pub fn new(kind: DbErrorKind, message: impl Into<String>) -> DbError {
        DbError {
            kind,
            code: None,
            message: message.into(),
        }
    }

    /// Worth running again as it is: a conflict, a lost or unavailable connection, a timeout.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            DbErrorKind::Conflict
                | DbErrorKind::Unavailable
                | DbErrorKind::ConnectionLost
                | DbErrorKind::StatementTimeout
        )
    }

    /// The database could not be reached at all (exit 69 material), as opposed to a query it
    /// refused.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self.kind,
            DbErrorKind::Unavailable | DbErrorKind::ConnectionLost
        )
    }

    /// A missing table: gonogo's own means `gonogo migrate` has not run; a product table is the
    /// product's to create.
    pub fn is_missing_table(&self) -> bool {
        self.kind == DbErrorKind::MissingTable
    }
}

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> DbError {
        classify(&e)
    }
}

/// Classifies a driver error.
pub fn classify(e: &sqlx::Error) -> DbError {
    match e {
        sqlx::Error::Database(d) => {
            let code = d.code().map(|c| c.into_owned());
            let kind = match code.as_deref() {
                Some("57014") => DbErrorKind::StatementTimeout,
                Some("25006") => DbErrorKind::ReadOnly,
                Some("42P01") => DbErrorKind::MissingTable,
                Some("23505") => DbErrorKind::UniqueViolation,
                Some("40001" | "40P01") => DbErrorKind::Conflict,
                // Class 08 (connection exception), 57P01-03 (admin shutdown, crash, cannot
                // connect now), 53300 (too many connections).
                Some(c) if c.starts_with("08") => DbErrorKind::ConnectionLost,
                Some("57P01" | "57P02") => DbErrorKind::ConnectionLost,
                Some("57P03" | "53300") => DbErrorKind::Unavailable,
                _ => DbErrorKind::Refused,
            };
            let message = match kind {
                DbErrorKind::StatementTimeout => {
                    "statement timeout: the query took longer than its time limit".to_owned()
                }
                DbErrorKind::ReadOnly => format!("{} (this query runs read-only)", d.message()),
                _ => d.message().to_owned(),
            };
            DbError {
                kind,
                code,
                message,
            }
        }
        sqlx::Error::PoolTimedOut => DbError::new(
            DbErrorKind::Unavailable,
            "cannot connect to the database (no connection within the time limit)",
        ),
        sqlx::Error::PoolClosed => {
            DbError::new(DbErrorKind::Unavailable, "the database pool is closed")
        }
        sqlx::Error::Io(io) => {
            let kind = match io.kind() {
                std::io::ErrorKind::ConnectionRefused
                | std::io::ErrorKind::NotFound
                | std::io::ErrorKind::AddrNotAvailable
                | std::io::ErrorKind::HostUnreachable
                | std::io::ErrorKind::NetworkUnreachable => DbErrorKind::Unavailable,
                _ => DbErrorKind::ConnectionLost,
            };
            DbError::new(kind, format!("database connection: {io}"))
        }
        sqlx::Error::Tls(reason) => {
            DbError::new(DbErrorKind::Unavailable, format!("database TLS: {reason}"))
        }
        sqlx::Error::Protocol(reason) => DbError::new(
            DbErrorKind::ConnectionLost,
            format!("database protocol: {reason}"),
        ),
        sqlx::Error::WorkerCrashed => DbError::new(
            DbErrorKind::ConnectionLost,
            "the database connection's worker stopped",
        ),
        other => DbError::new(DbErrorKind::Client, other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_split_into_unreachable_and_lost() {
        let refused = sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert_eq!(classify(&refused).kind, DbErrorKind::Unavailable);
        assert!(classify(&refused).is_unavailable());
        let reset = sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionReset));
        assert_eq!(classify(&reset).kind, DbErrorKind::ConnectionLost);
        assert!(classify(&reset).is_retryable());
        assert_eq!(
            classify(&sqlx::Error::PoolTimedOut).kind,
            DbErrorKind::Unavailable
        );
        let decode = sqlx::Error::ColumnNotFound("x".into());
        assert_eq!(classify(&decode).kind, DbErrorKind::Client);
        assert!(!classify(&decode).is_retryable());
    }
}
