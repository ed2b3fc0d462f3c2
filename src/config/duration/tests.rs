//! Every duration the parsers accept, moved across the dates gonogo uses: never a panic, and
//! either a date or an error that names the flag or the config line.

use super::*;
use proptest::prelude::*;
use std::path::Path;

/// The dates durations are added to or taken from: now, the ends of what RFC 3339 (and so a
/// `decision_at` or a `--since`) can write, and the ends of chrono's calendar.
fn dates() -> Vec<DateTime<Utc>> {
    let rfc = |t: &str| DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&Utc);
    vec![
        Utc::now(),
        rfc("0000-01-01T00:00:00Z"),
        rfc("9999-12-31T23:59:59Z"),
        DateTime::<Utc>::MIN_UTC,
        DateTime::<Utc>::MAX_UTC,
    ]
}

/// Duration text as people (and typos) write it: huge and tiny numbers in every unit
/// humantime knows, alone or several together.
fn duration_text() -> impl Strategy<Value = String> {
    let unit = prop::sample::select(vec![
        "ns", "us", "ms", "s", "sec", "m", "min", "h", "hr", "d", "day", "days", "w", "week", "M",
        "month", "y", "year", "years",
    ]);
    let number = prop_oneof![0u64..100, 0u64..1_000_000, any::<u64>()];
    prop::collection::vec((number, unit), 1..4).prop_map(|parts| {
        parts
            .into_iter()
            .map(|(n, u)| format!("{n}{u}"))
            .collect::<Vec<_>>()
            .join(" ")
    })
}

const GATE: &str =
    "[[gate]]\nid = \"g\"\nsource = \"command\"\ncommand = [\"true\"]\npass = \"== 0\"\n";

/// A config setting one duration key; its problems must name the key's line.
fn config_with(section: &str, line: &str) -> String {
    format!("[launch]\nname = \"x\"\n{section}{line}\n{GATE}")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn flags_take_every_duration_without_panicking(text in duration_text()) {
        for now in dates() {
            match since("--since", &text, now) {
                Ok(at) => prop_assert!(at <= now),
                Err(why) => prop_assert!(why.starts_with("--since `"), "{why}"),
            }
            match window_end("--due", &text, now) {
                Ok(end) => prop_assert!(end > now),
                Err(why) => prop_assert!(why.starts_with("--due"), "{why}"),
            }
            if let Ok(d) = parse_duration(&text) {
                let _ = (later(now, d), earlier(now, d));
            }
        }
    }

    #[test]
    fn checklist_offsets_resolve_on_every_decision_time(text in duration_text()) {
        for sign in ['-', '+'] {
            let written = format!("T{sign}{text}");
            let Ok(due) = crate::checklist::Due::parse(&written) else { continue };
            for (i, at) in dates().into_iter().enumerate() {
                let resolved = due.resolve(Some(at));
                // Any decision_at the config can write has every accepted offset on its calendar.
                if i < 3 {
                    prop_assert!(resolved.is_some(), "{written} from {at}");
                }
            }
        }
    }

    #[test]
    fn bounded_durations_leave_room_for_every_multiple_the_code_takes(text in duration_text()) {
        for key in ["every", "timeout", "for"] {
            if let Ok(d) = parse_bounded(key, &text) {
                // Staleness (3 intervals), alert windows (UNKNOWN_INTERVALS), every + timeout.
                prop_assert!(d.checked_mul(10).is_some());
                prop_assert!(d.checked_add(MAX_DURATION).is_some());
                for now in dates().into_iter().take(3) {
                    prop_assert!(later(now, d * 10).is_some());
                }
            }
        }
        let seconds = text.split(|c: char| !c.is_ascii_digit()).next().unwrap_or_default();
        if let Ok(n) = crate::cli::parse_interval(seconds) {
            let every = std::time::Duration::from_secs(n);
            prop_assert!(every <= MAX_DURATION && every.checked_mul(10).is_some());
        }
    }

    #[test]
    fn config_durations_are_refused_at_their_line_or_fit_the_calendar(text in duration_text()) {
        let cases = [
            ("[defaults]\n", "every"),
            ("[defaults]\n", "timeout"),
            ("[alerts]\n", "group_for"),
            (
                "[invites]\nfrom = \"Beta <beta@example.org>\"\nsignup_url = \"https://x.test/{{ code }}\"\n",
                "expires_in",
            ),
            ("[invites]\nfrom = \"Beta <beta@example.org>\"\nsignup_url = \"u\"\n", "retry"),
        ];
        for (section, key) in cases {
            let config = config_with(section, &format!("{key} = \"{text}\""));
            let line = config.lines().position(|l| l.starts_with(key)).unwrap() + 1;
            match crate::config::load_str(&config, Path::new("t.toml")) {
                Ok(loaded) => {
                    if let Some(invites) = &loaded.raw.invites {
                        for now in dates().into_iter().take(3) {
                            prop_assert!(later(now, invites.expires_in).is_some());
                        }
                    }
                }
                Err(crate::config::ConfigError::Invalid { problems, .. }) => {
                    prop_assert!(problems.iter().any(|p| p.line == line), "{key} = {text}: {problems:?}");
                }
                Err(other) => prop_assert!(false, "{key} = {text}: {other}"),
            }
        }
    }
}

#[test]
fn flags_name_themselves_when_the_calendar_ends() {
    let now = Utc::now();
    let e = window_end("--due", "100000000years", now).unwrap_err();
    assert!(
        e.contains("--due `100000000years`") && e.contains("latest date"),
        "{e}"
    );
    let e = since("--since", "100000000years", now).unwrap_err();
    assert!(
        e.contains("--since `100000000years`") && e.contains("earliest"),
        "{e}"
    );
    let e = window_end("--due", "99999999999999999999s", now).unwrap_err();
    assert!(e.starts_with("--due: "), "{e}");
    assert!(window_end("--due", "1h", now).is_ok());
    assert!(since("--since", "2026-11-24T09:00:00Z", now).is_ok());
    let e = crate::cli::parse_interval("604801").unwrap_err();
    assert!(e.contains("at most 604800"), "{e}");
    assert_eq!(crate::cli::parse_interval("604800"), Ok(604_800));
}
