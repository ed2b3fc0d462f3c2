//! Counted nouns in operator-facing text: `1 finding`, `2 findings`, never `finding(s)`.

/// `n` and the noun, singular for exactly one: `count(1, "finding")` is `1 finding`.
pub fn count(n: u64, singular: &str) -> String {
    count_as(n, singular, &format!("{singular}s"))
}

/// [`count`] for a noun whose plural is not `+s` (`entry`/`entries`).
pub fn count_as(n: u64, singular: &str, plural: &str) -> String {
    format!("{n} {}", noun(n, singular, plural))
}

/// The noun alone, for phrases where the number sits elsewhere (`3 hard and 1 soft finding`).
pub fn noun<'a>(n: u64, singular: &'a str, plural: &'a str) -> &'a str {
    if n == 1 { singular } else { plural }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_everything_else_plural() {
        assert_eq!(count(1, "finding"), "1 finding");
        assert_eq!(count(0, "finding"), "0 findings");
        assert_eq!(count(2, "required gate"), "2 required gates");
        assert_eq!(count_as(1, "entry", "entries"), "1 entry");
        assert_eq!(count_as(3, "entry", "entries"), "3 entries");
        assert_eq!(noun(1, "is", "are"), "is");
    }
}
