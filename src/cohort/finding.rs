//! Findings: the stable codes, their severity, and one finding (code, line, email, message).

use serde::Serialize;

/// Hard findings block the file; soft ones warn and may be overridden with a journaled `--force`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Hard,
    Soft,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Hard => "hard",
            Severity::Soft => "soft",
        }
    }
}

/// The stable finding codes. Scripts match on these strings: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    BadHeader,
    BadEncoding,
    RaggedRow,
    MalformedEmail,
    DuplicateEmail,
    MissingCohort,
    BadCohortLabel,
    BadSentBy,
    EmptyFile,
    TooFewRows,
    TooFewInGroup,
    TooFewLabels,
    ExistingUser,
    AlreadyInvited,
    UnknownColumn,
    LongName,
}

impl Code {
    pub const ALL: [Code; 16] = [
        Code::BadHeader,
        Code::BadEncoding,
        Code::RaggedRow,
        Code::MalformedEmail,
        Code::DuplicateEmail,
        Code::MissingCohort,
        Code::BadCohortLabel,
        Code::BadSentBy,
        Code::EmptyFile,
        Code::TooFewRows,
        Code::TooFewInGroup,
        Code::TooFewLabels,
        Code::ExistingUser,
        Code::AlreadyInvited,
        Code::UnknownColumn,
        Code::LongName,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::BadHeader => "bad_header",
            Code::BadEncoding => "bad_encoding",
            Code::RaggedRow => "ragged_row",
            Code::MalformedEmail => "malformed_email",
            Code::DuplicateEmail => "duplicate_email",
            Code::MissingCohort => "missing_cohort",
            Code::BadCohortLabel => "bad_cohort_label",
            Code::BadSentBy => "bad_sent_by",
            Code::EmptyFile => "empty_file",
            Code::TooFewRows => "too_few_rows",
            Code::TooFewInGroup => "too_few_in_group",
            Code::TooFewLabels => "too_few_labels",
            Code::ExistingUser => "existing_user",
            Code::AlreadyInvited => "already_invited",
            Code::UnknownColumn => "unknown_column",
            Code::LongName => "long_name",
        }
    }

    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == text)
    }

    pub fn severity(self) -> Severity {
        match self {
            Code::TooFewRows
            | Code::TooFewInGroup
            | Code::TooFewLabels
            | Code::ExistingUser
            | Code::AlreadyInvited
            | Code::UnknownColumn
            | Code::LongName => Severity::Soft,
            _ => Severity::Hard,
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Emails quoted in findings are cut to this many characters: a 60 KiB "email" must not be
/// copied into every report.
const EMAIL_SHOWN_MAX: usize = 330;

/// One thing wrong with the file. `line` is the physical line (1-based) where the record starts,
/// `None` for findings about the whole file. Text is already sanitized: it is safe to print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub line: Option<u64>,
    pub email: Option<String>,
    pub message: String,
}

impl Finding {
    pub fn new(code: Code, line: Option<u64>, email: Option<&str>, message: &str) -> Finding {
        Finding {
            code,
            severity: code.severity(),
            line,
            // Untrimmed: the email a rule judged, not a tidier one.
            email: email
                .filter(|e| !e.is_empty())
                .map(|e| super::cell::neutralised(e, EMAIL_SHOWN_MAX)),
            message: crate::text::sanitize(message),
        }
    }

    pub fn at(code: Code, line: u64, email: Option<&str>, message: &str) -> Finding {
        Finding::new(code, Some(line), email, message)
    }

    pub fn file(code: Code, message: &str) -> Finding {
        Finding::new(code, None, None, message)
    }

    pub fn is_hard(&self) -> bool {
        self.severity == Severity::Hard
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_serialize_as_their_names() {
        for code in Code::ALL {
            assert_eq!(Code::parse(code.as_str()), Some(code));
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::json!(code.as_str())
            );
        }
    }

    #[test]
    fn severities_follow_the_issue() {
        let soft: Vec<&str> = Code::ALL
            .into_iter()
            .filter(|c| c.severity() == Severity::Soft)
            .map(Code::as_str)
            .collect();
        assert_eq!(
            soft,
            [
                "too_few_rows",
                "too_few_in_group",
                "too_few_labels",
                "existing_user",
                "already_invited",
                "unknown_column",
                "long_name"
            ]
        );
    }

    #[test]
    fn finding_text_is_sanitized() {
        let f = Finding::at(
            Code::MalformedEmail,
            3,
            Some("a\u{1b}[31m@x.io"),
            "bad\u{1b}[2J",
        );
        assert!(!f.email.as_deref().unwrap().contains('\u{1b}'));
        assert!(!f.message.contains('\u{1b}'));
    }
}
