//! Operator notes and reasons as they may be journaled: cleaned of control characters and
//! bounded by [`NOTE_LIMIT`].

/// The longest note or reason an operator may write, in characters.
pub const NOTE_LIMIT: usize = 2_000;

/// Why a note (or a reason) cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("the note is empty")]
    Empty,
    #[error(
        "the note is {0} characters long; at most {NOTE_LIMIT} are allowed (nothing was written)"
    )]
    TooLong(usize),
}

/// An operator's text as it may be journaled: control characters stripped (line breaks kept as
/// spaces), at most [`NOTE_LIMIT`] characters, not empty.
pub fn clean_note(text: &str) -> Result<String, NoteError> {
    let cleaned: String = text
        .chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .filter(|c| !crate::text::is_unsafe(*c))
        .collect();
    let cleaned = cleaned.trim().to_owned();
    let count = cleaned.chars().count();
    if count == 0 {
        return Err(NoteError::Empty);
    }
    if count > NOTE_LIMIT {
        return Err(NoteError::TooLong(count));
    }
    Ok(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_cleaned_and_bounded() {
        assert_eq!(
            clean_note("  ok\u{1b}[2J\nnext\u{7} "),
            Ok("ok[2J next".into())
        );
        assert_eq!(clean_note("\u{1b}\u{7}  "), Err(NoteError::Empty));
        let long = "é".repeat(NOTE_LIMIT + 1);
        assert_eq!(clean_note(&long), Err(NoteError::TooLong(NOTE_LIMIT + 1)));
        assert!(clean_note(&"é".repeat(NOTE_LIMIT)).is_ok());
    }
}
