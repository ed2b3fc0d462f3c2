//! Text shortened to fit says so (`…`) and never changes meaning: a count is shown whole or
//! not at all, and the header keeps its fields in place, the operator included, whatever the
//! verdict says.

mod tui_support;

use gonogo::gate::Value;
use gonogo::tui::{Action, Pane, update};
use tui_support::*;

fn header(screen: &str) -> String {
    screen.lines().next().unwrap_or_default().to_owned()
}

#[test]
fn the_header_keeps_the_operator_and_its_fields_in_place_as_the_verdict_changes() {
    let mut unknown = empty_state();
    let (mut one_red, _) = state();
    let (mut two_red, _) = state();
    update(
        &mut two_red,
        ok("testers", at(14, 3, 59), Value::Number(3.0), None),
    );
    let mut places = Vec::new();
    for state in [&mut unknown, &mut one_red, &mut two_red] {
        let line = header(&draw(state, 80, 24));
        assert!(line.contains("op olivia"), "{line}");
        assert!(line.contains("Beta soft launch"), "{line}");
        let countdown = line.find("T-").expect("the countdown is shown");
        places.push((line.find("op olivia").unwrap(), countdown));
    }
    assert!(header(&draw(&mut two_red, 80, 24)).contains("NO-GO · 2 red"));
    assert!(places.windows(2).all(|w| w[0] == w[1]), "{places:?}");
}

#[test]
fn a_long_launch_name_is_shortened_visibly_and_the_operator_stays() {
    let (mut state, _) = state();
    state.launch.name = "Beta soft launch of the vinyl-pressing marketplace".into();
    let line = header(&draw(&mut state, 80, 24));
    assert!(line.contains("op olivia"), "{line}");
    assert!(line.contains('…'), "{line}");
}

#[test]
fn a_cut_gate_detail_ends_in_an_ellipsis() {
    let (mut state, _) = state();
    let screen = draw(&mut state, 80, 24);
    let row = screen.lines().find(|l| l.contains("Sentry P1")).unwrap();
    assert!(row.ends_with('…'), "{row}");
    let wide = draw(&mut state, 160, 48);
    assert!(wide.contains("KeyError: 'cohort'"), "{wide}");
}

#[test]
fn a_label_count_is_never_cut_at_the_edge() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.csv");
    let mut csv = String::from("email,cohort\n");
    for label in [
        "listener-mailing-list",
        "creator-vinyl-pressing",
        "press-pitchfork",
        "creator-podcast",
    ] {
        for i in 0..20 {
            csv.push_str(&format!("{i}.{label}@example.com,{label}\n"));
        }
    }
    std::fs::write(&path, csv).unwrap();
    let path = path.to_str().unwrap().to_owned();
    let (mut state, _) = state();
    load_cohort(&mut state, &path, cohort_answer(&path));
    update(&mut state, Action::ShowPane(Pane::Cohort));
    // Every width, so that some edge falls between the digits of a count.
    for width in 80..=150 {
        let screen = draw(&mut state, width, 30);
        let line = screen
            .lines()
            .find(|l| l.starts_with(" rows 80/"))
            .unwrap_or_else(|| panic!("the labels line: {screen}"));
        let labels = line.rsplit(" · ").next().unwrap();
        for item in labels.split(", ") {
            for word in item.split(' ') {
                if word.chars().all(|c| c.is_ascii_digit()) {
                    assert_eq!(word, "20", "a cut count in {line:?}");
                }
            }
        }
    }
}
