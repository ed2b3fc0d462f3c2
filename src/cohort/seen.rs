//! The set of emails seen so far: the only part of a validation that grows with the file.
//! Lowercased emails live end to end in one string (no allocation per email, and about half
//! the memory of a map of `String`s); a hash table of offsets points into it.

use hashbrown::HashTable;
use hashbrown::hash_table::Entry;
use std::hash::BuildHasher;

#[derive(Debug, Clone, Copy)]
struct Slot {
    start: usize,
    end: usize,
    line: u64,
}

/// Emails seen in valid rows, lowercased, each with the line of its first appearance.
#[derive(Clone, Default)]
pub struct SeenEmails {
    arena: String,
    table: HashTable<Slot>,
    // Randomly seeded per process; much faster than SipHash on a million emails.
    hasher: foldhash::fast::RandomState,
}

impl std::fmt::Debug for SeenEmails {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SeenEmails({} emails)", self.len())
    }
}

/// How emails compare: the local part lowercased character by character (full Unicode,
/// whatever the product database's collation would do), the domain in its ASCII (punycode)
/// form, so `ana@bücher.example` and `ana@xn--bcher-kva.example` are one mailbox. Every
/// comparison of emails goes through here.
pub fn fold_case(email: &str) -> String {
    let mut out = String::with_capacity(email.len());
    push_folded(&mut out, email);
    out
}

pub(crate) fn push_folded(out: &mut String, email: &str) {
    if email.is_ascii() {
        // An ASCII domain is already its ASCII form (`xn--` labels included).
        out.extend(email.bytes().map(|b| b.to_ascii_lowercase() as char));
        return;
    }
    let (local, domain) = match email.rsplit_once('@') {
        Some((local, domain)) => (local, Some(domain)),
        None => (email, None),
    };
    out.extend(local.chars().flat_map(char::to_lowercase));
    if let Some(domain) = domain {
        out.push('@');
        match idna::domain_to_ascii(domain) {
            Ok(ascii) => out.push_str(&ascii),
            // Not a domain IDNA can spell: compared as written, lowercased.
            Err(_) => out.extend(domain.chars().flat_map(char::to_lowercase)),
        }
    }
}

impl SeenEmails {
    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Remembers `email` (any case) first seen on `line`; if it was already seen, returns the
    /// line where it first appeared and remembers nothing.
    pub fn insert(&mut self, email: &str, line: u64) -> Option<u64> {
        let SeenEmails {
            arena,
            table,
            hasher,
        } = self;
        let start = arena.len();
        push_folded(arena, email);
        let end = arena.len();
        let key = &arena[start..end];
        let hash = hasher.hash_one(key);
        let first = match table.entry(
            hash,
            |s| &arena[s.start..s.end] == key,
            |s| hasher.hash_one(&arena[s.start..s.end]),
        ) {
            Entry::Occupied(slot) => Some(slot.get().line),
            Entry::Vacant(slot) => {
                slot.insert(Slot { start, end, line });
                None
            }
        };
        if first.is_some() {
            arena.truncate(start);
        }
        first
    }

    /// The line where this email (any case) first appeared.
    pub fn line_of(&self, email: &str) -> Option<u64> {
        self.line_of_folded(&fold_case(email))
    }

    /// [`SeenEmails::line_of`] for an email already passed through [`fold_case`].
    pub(crate) fn line_of_folded(&self, key: &str) -> Option<u64> {
        let hash = self.hasher.hash_one(key);
        self.table
            .find(hash, |s| &self.arena[s.start..s.end] == key)
            .map(|s| s.line)
    }

    /// Every email (lowercased) with its first line, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.table
            .iter()
            .map(|s| (&self.arena[s.start..s.end], s.line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_line_wins_case_insensitively() {
        let mut seen = SeenEmails::default();
        assert_eq!(seen.insert("Ana@Example.com", 2), None);
        assert_eq!(seen.insert("bob@example.com", 3), None);
        assert_eq!(seen.insert("ANA@EXAMPLE.COM", 9), Some(2));
        assert_eq!(seen.insert("josé@example.fr", 10), None);
        assert_eq!(seen.insert("JOSÉ@example.fr", 11), Some(10));
        assert_eq!(seen.len(), 3);
        assert_eq!(seen.line_of("ana@example.com"), Some(2));
        assert_eq!(seen.line_of("BOB@example.com"), Some(3));
        assert_eq!(seen.line_of("zed@example.com"), None);
        let mut all: Vec<(&str, u64)> = seen.iter().collect();
        all.sort();
        assert_eq!(
            all,
            [
                ("ana@example.com", 2),
                ("bob@example.com", 3),
                ("josé@example.fr", 10)
            ]
        );
    }

    #[test]
    fn many_emails_survive_rehashing() {
        let mut seen = SeenEmails::default();
        for i in 0..10_000u64 {
            assert_eq!(seen.insert(&format!("user{i}@example.com"), i + 2), None);
        }
        for i in (0..10_000u64).step_by(97) {
            assert_eq!(seen.insert(&format!("USER{i}@example.com"), 0), Some(i + 2));
        }
        assert_eq!(seen.len(), 10_000);
    }
}
