//! Property: any address the cohort review accepts, spelled any way a screen can show it
//! (plain, quoted, fullwidth, with invisible characters, `%40`, wholly percent-encoded, a small
//! or fullwidth `@`, or its bare local part once the cohort holds it), inside any text, never
//! reaches a frame drawn by the real render in mask mode or in screen-share mode.

mod tui_support;

use gonogo::tui::panes;
use gonogo::tui::{Action, Pane, State, update};
use proptest::prelude::*;
use tui_support::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];
const HIDDEN: [char; 7] = [
    '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{00AD}', '\u{202E}',
];

#[derive(Debug, Clone, Copy)]
enum Spelling {
    Plain,
    Quoted,
    Fullwidth,
    FullwidthAt,
    SmallAt,
    Hidden(char),
    PercentAt,
    PercentAll,
    BareLocal,
}

fn spelling() -> impl Strategy<Value = Spelling> {
    prop_oneof![
        Just(Spelling::Plain),
        Just(Spelling::Quoted),
        Just(Spelling::Fullwidth),
        Just(Spelling::FullwidthAt),
        Just(Spelling::SmallAt),
        proptest::sample::select(&HIDDEN[..]).prop_map(Spelling::Hidden),
        Just(Spelling::PercentAt),
        Just(Spelling::PercentAll),
        Just(Spelling::BareLocal),
    ]
}

/// Addresses the cohort review accepts. Each local part joins letters and digits (or is CJK),
/// which nothing else on the cockpit's screen does, so finding it on screen means it leaked.
fn address() -> impl Strategy<Value = (String, String)> {
    let local = prop_oneof![
        "[a-z]{2,5}[0-9]{2,3}[a-z0-9._+-]{0,5}",
        "[a-zéüß]{2,4}[0-9]{2,3}",
        "[山田太郎花子鈴木]{2,5}",
    ];
    let domain = "[a-z]{3,8}\\.(com|org|fr)";
    (local, domain)
        .prop_map(|(local, domain)| (format!("{local}@{domain}"), local))
        .prop_filter("the cohort review accepts it", |(address, _)| {
            gonogo::cohort::check_email(address).is_ok()
        })
}

fn fullwidth(c: char) -> char {
    match c {
        '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
        c => c,
    }
}

fn spell(address: &str, local: &str, how: Spelling) -> String {
    let domain = &address[local.len() + 1..];
    match how {
        Spelling::Plain => address.to_owned(),
        Spelling::Quoted => format!("\"{local}\"@{domain}"),
        Spelling::Fullwidth => format!(
            "{}＠{domain}",
            local.chars().map(fullwidth).collect::<String>()
        ),
        Spelling::FullwidthAt => format!("{local}＠{domain}"),
        Spelling::SmallAt => format!("{local}﹫{domain}"),
        Spelling::Hidden(z) => {
            let mut out = String::new();
            for c in local.chars() {
                out.push(c);
                out.push(z);
            }
            format!("{out}@{domain}")
        }
        Spelling::PercentAt => format!("{local}%40{domain}"),
        Spelling::PercentAll => address.bytes().map(|b| format!("%{b:02X}")).collect(),
        Spelling::BareLocal => local.to_owned(),
    }
}

/// What a viewer reads on the screen: invisible characters dropped, fullwidth forms as ASCII,
/// escapes decoded (done here by hand, independent of the masker's own normalising).
fn readable(screen: &str) -> String {
    let folded: String = screen
        .chars()
        .filter(|c| !HIDDEN.contains(c) && *c != '\u{FFFD}')
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '﹫' => '@',
            c => c,
        })
        .collect();
    percent_encoding::percent_decode_str(&folded)
        .decode_utf8_lossy()
        .into_owned()
}

/// The fixture launch with `text` as a gate's title, a gate's error and a journal line's note,
/// and the cohort holding `address` when `cohort` says so.
fn state_showing(text: &str, address: &str, cohort: bool) -> State {
    let mut state = state_titled(&[("Testers signed up", text)], "");
    let mut journal = journal_entries();
    journal[1].message = text.to_owned();
    for action in [
        failed("sentry_p1", at(14, 2, 0), &format!("HTTP 500: {text}")),
        Action::Tick(at(14, 4, 0)),
        Action::Pane(panes::PaneMsg::Timeline(
            panes::timeline::Msg::TimelineLoaded(Ok(journal)),
        )),
    ] {
        update(&mut state, action);
    }
    if cohort {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cohort.csv");
        std::fs::write(&path, format!("email,cohort\n{address},wave-one\n")).unwrap();
        let path = path.to_string_lossy().into_owned();
        load_cohort(&mut state, &path, cohort_answer(&path));
        update(&mut state, Action::ShowPane(Pane::Gates));
    }
    state
}

/// Every view the address can reach: the Gates pane, the Timeline, the gate's detail, in mask
/// mode; and screen-share mode with `M` off.
fn views() -> Vec<(&'static str, Vec<Action>)> {
    vec![
        ("gates, masked", vec![Action::ToggleMask]),
        (
            "timeline, masked",
            vec![Action::ToggleMask, Action::ShowPane(Pane::Timeline)],
        ),
        (
            "detail, masked",
            vec![Action::ToggleMask, Action::Move(1), Action::Open],
        ),
        ("screen share", vec![Action::ToggleScreenShare]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn no_spelling_of_an_address_reaches_a_frame(
        (address, local) in address(),
        how in spelling(),
        before in "[A-Z :;,()✅中]{0,10}",
        open in proptest::sample::select(&[" ", "(", ": ", "<", "["][..]),
        close in proptest::sample::select(&[" ", ")", ", ", ">", "]"][..]),
        after in "[A-Z :;,()✅中]{0,10}",
        in_cohort in any::<bool>(),
    ) {
        let cohort = in_cohort || matches!(how, Spelling::BareLocal);
        let text = format!("{before}{open}{}{close}{after}", spell(&address, &local, how));
        for (view, actions) in views() {
            let mut state = state_showing(&text, &address, cohort);
            for action in actions {
                update(&mut state, action);
            }
            for (width, height) in SIZES {
                let screen = draw_wide(&mut state, width, height);
                let read = readable(&screen);
                for shown in [&screen, &read] {
                    prop_assert!(
                        !shown.contains(&local) && !shown.contains(&address),
                        "{view} {width}x{height}, {how:?} {text:?}: {local} readable in\n{screen}"
                    );
                }
            }
        }
    }
}

/// The unmasked cockpit shows the embedded address, so the property above is about masking.
#[test]
fn without_masking_the_address_is_on_screen() {
    let mut state = state_showing(
        "owner ab12@example.com (on call)",
        "ab12@example.com",
        false,
    );
    let screen = draw_wide(&mut state, 160, 48);
    assert!(screen.contains("ab12@example.com"), "{screen}");
    let mut state = state_showing("owner 山田@example.com", "山田@example.com", false);
    assert!(draw_wide(&mut state, 160, 48).contains("山田@example.com"));
}
