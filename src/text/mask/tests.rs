//! Each spelling of an address the masker must see through, and what it must leave alone.

use super::*;

fn known(addresses: &[&str]) -> Masker {
    Masker::new(vec![Arc::new(KnownAddresses::new(
        addresses.iter().copied(),
    ))])
}

/// Each `(text, masked)` pair, masked by the pattern alone.
fn masks(cases: &[(&str, &str)]) {
    for (text, masked) in cases {
        assert_eq!(mask_emails(text), *masked, "{text:?}");
    }
}

#[test]
fn masks_every_plain_address() {
    masks(&[
        ("olivia@veza.fr", "o***@v***.fr"),
        (
            "to a.b+c@mail.example.com, x@y.io.",
            "to a***@m***.com, x***@y***.io.",
        ),
        ("no address @ here", "no address @ here"),
        ("olivia@veza", "o***@***"),
        ("olivia@", "o***@***"),
        ("plain text, 100% sure", "plain text, 100% sure"),
    ]);
}

#[test]
fn masking_twice_reads_the_same() {
    // Text masked before layout and again by the frame pass reads the same.
    for text in [
        "olivia@veza.fr",
        "to a.b+c@mail.example.com, x@y.io.",
        "olivia@veza",
        "\"john doe\"@example.com",
        "山田@例え.jp",
    ] {
        let once = mask_emails(text);
        assert_eq!(mask_emails(&once), once, "{text}");
    }
}

#[test]
fn a_quoted_local_part_is_masked_whole() {
    assert_eq!(
        mask_emails("from \"john doe\"@example.com today"),
        "from j***@e***.com today"
    );
    assert_eq!(mask_emails("\"john.q\"@example.com"), "j***@e***.com");
}

#[test]
fn a_wide_local_part_is_masked() {
    let masked = mask_emails("reply to 山田太郎@example.jp now");
    assert_eq!(masked, "reply to ****@e***.jp now");
    let masked = mask_emails("ｊｏｈｎ@example.com");
    assert_eq!(masked, "j***@e***.com");
}

#[test]
fn invisible_characters_inside_do_not_split_the_address() {
    for hidden in [
        '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{00AD}', '\u{202E}',
        '\u{FE0F}', '\u{FFFD}',
    ] {
        let text = format!("by jo{hidden}hn{hidden}@exa{hidden}mple.com.");
        let masked = mask_emails(&text);
        assert_eq!(masked, "by j***@e***.com.", "U+{:04X}", hidden as u32);
    }
}

#[test]
fn a_fullwidth_or_small_at_sign_is_an_at_sign() {
    masks(&[
        ("john＠example.com", "j***@e***.com"),
        ("john﹫example.com", "j***@e***.com"),
        ("ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ", "j***@e***.com"),
    ]);
}

#[test]
fn percent_escapes_are_read_as_what_they_encode() {
    masks(&[
        ("mailto:john%40example.com", "mailto:j***@e***.com"),
        ("john%2Edoe%40example%2Ecom", "j***@e***.com"),
        ("ja%C3%AFr%40example.com", "j***@e***.com"),
        ("john%EF%BC%A0example.com", "j***@e***.com"),
        // A broken escape is text.
        ("50%zz done", "50%zz done"),
    ]);
}

#[test]
fn cuts_cover_exactly_the_original_spelling() {
    let text: Vec<char> = "a jo\u{200B}hn%40ex.com b".chars().collect();
    let cuts = Masker::default().cuts(&text);
    assert_eq!(cuts.len(), 1);
    let covered: String = text[cuts[0].start..cuts[0].end].iter().collect();
    assert_eq!(covered, "jo\u{200B}hn%40ex.com");
}

#[test]
fn known_local_parts_are_masked_without_an_at_sign() {
    let masker = known(&["ana.maria@vinyl.example", "ben@jazz.example", "x@y.io"]);
    assert_eq!(
        masker.mask("sent by ana.maria, then Ben."),
        "sent by a***, then B***."
    );
    // Inside another word it is another word.
    assert_eq!(masker.mask("benefit banana"), "benefit banana");
    // Cut to its column, the @ gone.
    assert_eq!(masker.mask("ana.ma… │ ok"), "a***… │ ok");
    // Spelled wide or with hidden characters, still known.
    assert_eq!(masker.mask("ｂｅｎ wrote"), "b*** wrote");
    assert_eq!(masker.mask("b\u{200B}en wrote"), "b*** wrote");
    // One-letter local parts are not hunted for on their own.
    assert_eq!(masker.mask("x marks"), "x marks");
}

#[test]
fn known_addresses_need_an_at_sign_and_ignore_quotes_and_case() {
    let set = KnownAddresses::new(["olivia", "\"Jo Ann\"@example.com", "ANA@x.io"]);
    assert_eq!(set.len(), 2);
    let masker = Masker::new(vec![Arc::new(set)]);
    assert_eq!(masker.mask("jo ann and ana"), "j*** and a***");
    assert_eq!(masker.mask("olivia"), "olivia");
}

#[test]
fn a_quoted_local_part_holding_an_at_sign_is_one_address() {
    masks(&[("to \"a@b\"@example.com now", "to a***@e***.com now")]);
}

proptest::proptest! {
    /// Text built from the characters the masker reads specially never makes it panic, and its
    /// cuts are in order, apart and inside the text.
    #[test]
    fn cuts_are_ordered_apart_and_inside_any_text(
        text in "[a-z0-9@\"%.…＠﹫\u{200B}\u{FB01}\u{FF41}山 -]{0,40}",
        known_text in "[a-z@.]{0,12}",
    ) {
        let masker = Masker::new(vec![Arc::new(KnownAddresses::new([known_text.as_str()]))]);
        let chars: Vec<char> = text.chars().collect();
        let cuts = masker.cuts(&chars);
        let mut next = 0;
        for cut in &cuts {
            proptest::prop_assert!(
                next <= cut.start && cut.start < cut.end && cut.end <= chars.len(),
                "{text:?}: {cuts:?}"
            );
            proptest::prop_assert!(cut.shown.is_ascii());
            next = cut.end;
        }
        masker.mask(&text);
    }
}
