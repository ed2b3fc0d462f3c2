//! Email masking for every text the screen shows: addresses are found on a normalised form of
//! the text ([`normal`]: compatibility folding, invisible characters removed, `%XX` decoded,
//! quoted local parts read whole) and the cuts mapped back onto the original spelling; the local
//! parts of the addresses gonogo knows are masked wherever they stand, `@` or not.

mod normal;
#[cfg(test)]
mod tests;

use aho_corasick::{AhoCorasick, MatchKind};
use normal::normalise;
use std::collections::BTreeSet;
use std::sync::Arc;
use unicode_normalization::char::is_combining_mark;

/// A quoted local part is read back to its opening quote at most this far (RFC 5321's limit,
/// quotes included).
const MAX_QUOTED_CHARS: usize = 66;
/// Known local parts shorter than this are not looked for on their own: a masked one-letter
/// word would read the same.
const MIN_KNOWN_LOCAL_CHARS: usize = 2;

/// One stretch of the original text to hide, in characters `[start, end)`, and what to show
/// in its place: ASCII only, so a cell-by-cell writer never has to think about widths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    pub start: usize,
    pub end: usize,
    pub shown: String,
}

/// Addresses gonogo has read (the cohort, the dispatch ledger, operators): their local parts,
/// normalised and lower-cased, searched for in one pass.
#[derive(Debug, Clone, Default)]
pub struct KnownAddresses {
    search: Option<AhoCorasick>,
    locals: BTreeSet<String>,
}

impl KnownAddresses {
    /// The known set of `addresses`; text without an `@` adds nothing.
    pub fn new<'a>(addresses: impl IntoIterator<Item = &'a str>) -> KnownAddresses {
        let mut locals = BTreeSet::new();
        for address in addresses {
            let chars: Vec<char> = address.chars().collect();
            let normalised = normalise(&chars);
            let Some(at) = normalised.chars.iter().rposition(|&c| c == '@') else {
                continue;
            };
            let local: String = normalised.chars[..at]
                .iter()
                .filter(|&&c| c != '"')
                .flat_map(|c| c.to_lowercase())
                .collect();
            if local.chars().count() >= MIN_KNOWN_LOCAL_CHARS {
                locals.insert(local);
            }
        }
        let search = (!locals.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .ascii_case_insensitive(true)
                    .build(&locals)
                    .ok()
            })
            .flatten();
        KnownAddresses { search, locals }
    }

    pub fn len(&self) -> usize {
        self.locals.len()
    }

    pub fn is_empty(&self) -> bool {
        self.locals.is_empty()
    }

    /// True when `run` (lower-cased) starts some known local part: what is left of one cut to
    /// its column.
    fn starts_a_local(&self, run: &str) -> bool {
        self.locals
            .range::<str, _>((std::ops::Bound::Included(run), std::ops::Bound::Unbounded))
            .next()
            .is_some_and(|local| local.starts_with(run))
    }
}

/// The one masker: the address pattern, plus the known addresses it was given.
#[derive(Debug, Clone, Default)]
pub struct Masker {
    known: Vec<Arc<KnownAddresses>>,
}

impl Masker {
    pub fn new(known: Vec<Arc<KnownAddresses>>) -> Masker {
        Masker {
            known: known.into_iter().filter(|k| !k.is_empty()).collect(),
        }
    }

    /// How many local parts the masker knows, over its sets.
    pub fn known_len(&self) -> usize {
        self.known.iter().map(|k| k.len()).sum()
    }

    /// `text` with every address masked: `olivia@veza.fr` becomes `o***@v***.fr`.
    pub fn mask(&self, text: &str) -> String {
        if self.known.is_empty() && !may_hold_address(text.chars()) {
            return text.to_owned();
        }
        let chars: Vec<char> = text.chars().collect();
        let cuts = self.cuts(&chars);
        if cuts.is_empty() {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        let mut next = 0;
        for cut in cuts {
            // Cuts never overlap; should two share a character, the second starts after it.
            out.extend(&chars[next..cut.start.max(next)]);
            out.push_str(&cut.shown);
            next = cut.end.max(next);
        }
        out.extend(&chars[next..]);
        out
    }

    /// What to hide in `original`, in order and never overlapping.
    pub fn cuts(&self, original: &[char]) -> Vec<Cut> {
        if self.known.is_empty() && !may_hold_address(original.iter().copied()) {
            return Vec::new();
        }
        // Frame rows of borders and padding hold no word at all (most of a tall frame).
        if !original.iter().any(|c| c.is_alphanumeric()) {
            return Vec::new();
        }
        let text = normalise(original);
        let mut spans = addresses(&text.chars);
        if !self.known.is_empty() {
            self.known_locals(&text.chars, &mut spans);
            self.cut_locals(&text.chars, &mut spans);
            spans.sort_by_key(|s| s.0);
        }
        spans
            .into_iter()
            .map(|(start, end, shown)| {
                let (start, end) = text.original_span(start, end);
                Cut { start, end, shown }
            })
            .collect()
    }

    /// Known local parts standing as a word of their own (`ana` in `ana wrote`, not in
    /// `banana`), found in the normalised text.
    fn known_locals(&self, chars: &[char], spans: &mut Vec<(usize, usize, String)>) {
        let mut starts = Vec::with_capacity(chars.len() + 1);
        let mut haystack = String::with_capacity(chars.len());
        for &c in chars {
            starts.push(haystack.len());
            haystack.push(c);
        }
        starts.push(haystack.len());
        let char_at = |byte: usize| starts.binary_search(&byte).ok();
        for known in &self.known {
            let Some(search) = &known.search else {
                continue;
            };
            for found in search.find_iter(&haystack) {
                let (Some(start), Some(end)) = (char_at(found.start()), char_at(found.end()))
                else {
                    continue;
                };
                if stands_alone(chars, start, end) && !overlaps(spans, start, end) {
                    spans.push((start, end, masked_local(chars[start])));
                }
            }
        }
    }

    /// A word cut to its column (`alexandra.lo…`) that starts a known local part.
    fn cut_locals(&self, chars: &[char], spans: &mut Vec<(usize, usize, String)>) {
        for (mark, _) in chars.iter().enumerate().filter(|(_, c)| **c == '…') {
            let start = scan_local_back(chars, mark);
            if mark - start < MIN_KNOWN_LOCAL_CHARS || overlaps(spans, start, mark) {
                continue;
            }
            let run: String = chars[start..mark]
                .iter()
                .flat_map(|c| c.to_lowercase())
                .collect();
            if self.known.iter().any(|k| k.starts_a_local(&run)) {
                spans.push((start, mark, masked_local(chars[start])));
            }
        }
    }
}

/// Masks every address in `text` by the pattern alone (no known addresses).
pub fn mask_emails(text: &str) -> String {
    Masker::default().mask(text)
}

/// Whether the text can spell an `@` at all: one itself, an escape, or one of the two
/// characters whose compatibility form is `@` (fullwidth and small).
fn may_hold_address(mut chars: impl Iterator<Item = char>) -> bool {
    chars.any(|c| matches!(c, '@' | '%' | '\u{FF20}' | '\u{FE6B}'))
}

fn is_local_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c) || "._%+-'!#$&*/=?^`{|}~".contains(c)
}

fn is_domain_char(c: char) -> bool {
    // `*` belongs to a domain already masked, so masking twice changes nothing.
    c.is_alphanumeric() || is_combining_mark(c) || matches!(c, '.' | '-' | '*')
}

fn scan_local_back(chars: &[char], at: usize) -> usize {
    let mut start = at;
    while start > 0 && is_local_char(chars[start - 1]) {
        start -= 1;
    }
    start
}

/// Where the local part before the `@` at `at` starts: its opening quote when it is quoted
/// (`"john doe"@example.com`), else the first address character.
fn local_start(chars: &[char], at: usize) -> usize {
    if at > 0 && chars[at - 1] == '"' {
        let close = at - 1;
        let floor = close.saturating_sub(MAX_QUOTED_CHARS);
        if let Some(open) = chars[floor..close].iter().rposition(|&c| c == '"') {
            return floor + open;
        }
    }
    scan_local_back(chars, at)
}

fn domain_end(chars: &[char], from: usize) -> usize {
    let mut end = from;
    while end < chars.len() && is_domain_char(chars[end]) {
        end += 1;
    }
    // A sentence-ending dot is not part of the domain.
    while end > from && chars[end - 1] == '.' {
        end -= 1;
    }
    end
}

/// Every `local@domain` in the normalised text, masked. No dot needed: an address cut short
/// by a column (`olivia@veza`) is still masked.
fn addresses(chars: &[char]) -> Vec<(usize, usize, String)> {
    let mut spans: Vec<(usize, usize, String)> = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        if chars[at] != '@' {
            at += 1;
            continue;
        }
        let start = local_start(chars, at);
        let end = domain_end(chars, at + 1);
        if start == at {
            at += 1;
            continue;
        }
        let first = chars[start..at]
            .iter()
            .copied()
            .find(|&c| c != '"')
            .unwrap_or('*');
        let domain: String = chars[at + 1..end].iter().collect();
        let shown = format!("{}@{}", masked_local(first), mask_domain(&domain));
        // A quoted local part holding an `@` (`"a@b"@c.io`) reaches back over what was read as
        // addresses: one address, masked whole.
        let mut start = start;
        while let Some(last) = spans.last().filter(|last| start < last.1) {
            start = start.min(last.0);
            spans.pop();
        }
        spans.push((start, end, shown));
        at = end.max(at + 1);
    }
    spans
}

fn overlaps(spans: &[(usize, usize, String)], start: usize, end: usize) -> bool {
    spans.iter().any(|s| s.0 < end && start < s.1)
}

/// The match `[start, end)` is a word of its own: no address character touches it, save a
/// following `@`, a cut mark, or a sentence's closing dot.
fn stands_alone(chars: &[char], start: usize, end: usize) -> bool {
    let before = start == 0 || !is_local_char(chars[start - 1]);
    let after = match chars.get(end) {
        None | Some('@') => true,
        Some('.') => chars.get(end + 1).is_none_or(|&c| !is_local_char(c)),
        Some(&c) => !is_local_char(c),
    };
    before && after
}

fn shown_initial(c: char) -> char {
    if c.is_ascii_alphanumeric() { c } else { '*' }
}

fn masked_local(first: char) -> String {
    format!("{}***", shown_initial(first))
}

fn mask_domain(domain: &str) -> String {
    match domain.rsplit_once('.') {
        Some((name, tld)) => {
            let first = name.chars().next().map_or('*', shown_initial);
            if tld.chars().all(|c| c.is_ascii_alphanumeric()) && !tld.is_empty() {
                format!("{first}***.{tld}")
            } else {
                format!("{first}***.***")
            }
        }
        None => "***".to_owned(),
    }
}
