//! Shared fixtures for the cockpit tests: a six-gate config, a state fed fixed results at fixed
//! times (so snapshots are stable), and drawing to a `TestBackend`.
#![allow(dead_code)]

#[allow(clippy::duplicate_mod)]
#[path = "../support/database.rs"]
pub mod database;

use chrono::{DateTime, TimeZone, Utc};
use gonogo::config::{Config, load_str};
use gonogo::gate::{GateResult, Observation, Value};
use gonogo::journal::Entry;
use gonogo::tui::keymap::Keymap;
use gonogo::tui::panes;
use gonogo::tui::state::State;
use gonogo::tui::theme::Theme;
use gonogo::tui::{Action, Effect, render, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use std::path::Path;

/// A dispatch section for [`CONFIG`] (its template is never read by the state-only tests).
pub const INVITES: &str = r#"
[invites]
template = "templates/beta_invite"
from = "Beta team <beta@example.org>"
signup_url = "https://app.example.org/signup?invite={{ code }}"
smtp_url = "smtp://relay:s3cr3t-relay-pw@smtp.example.org:587"
"#;

pub const CONFIG: &str = r#"
[launch]
name = "Beta soft launch"
environment = "production"
decision_at = "2026-11-24T18:00:00Z"

[postgres]
url = "postgres://gonogo@127.0.0.1:5432/launch"

[sentry]
org = "acme"
token = "sntrys_fixture_token_1234"

[prometheus]
url = "http://127.0.0.1:9090"

[[gate]]
id = "testers"
title = "Testers signed up"
source = "postgres"
query = "SELECT count(*) FROM beta_invites WHERE used_at IS NOT NULL"
pass = ">= 50"

[[gate]]
id = "sentry_p1"
title = "Sentry P1 issues"
source = "sentry"
query = "is:unresolved issue.priority:high"
pass = "== 0"

[[gate]]
id = "status_page"
title = "Status page"
source = "http"
url = "https://status.example.com/api/v2/status.json"
json = "/status/indicator"
pass = "== 'none'"

[[gate]]
id = "synthetic"
title = "Synthetic journey"
source = "prometheus"
query = 'min(probe_success{job="synthetic-journey"})'
pass = "== 1"
for = "5m"

[[gate]]
id = "k6_nightly"
title = "k6 nightly age"
source = "prometheus"
query = "time() - max(k6_nightly_last_success_timestamp_seconds)"
pass = "< 30h"
every = "60s"

[[gate]]
id = "high_issues"
title = "HIGH issues open"
source = "http"
url = "https://api.github.com/search/issues?q=label:severity-high"
json = "/total_count"
pass = "== 0"
required = false
"#;

pub const EMAIL: &str = "ops@example.com";

pub fn config() -> Config {
    load_str(CONFIG, Path::new("fixture.toml")).expect("fixture config is valid")
}

/// 2026-11-24 at the given UTC time.
pub fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, h, m, s).unwrap()
}

pub fn ok(gate: &str, when: DateTime<Utc>, value: Value, detail: Option<&str>) -> Action {
    Action::GateChecked(GateResult {
        gate: gate.into(),
        observed_at: when,
        outcome: Ok(Observation {
            value,
            detail: detail.map(str::to_owned),
        }),
    })
}

pub fn failed(gate: &str, when: DateTime<Utc>, error: &str) -> Action {
    Action::GateChecked(GateResult {
        gate: gate.into(),
        observed_at: when,
        outcome: Err(error.into()),
    })
}

/// A fresh state at 14:00:00, nothing checked yet.
pub fn empty_state() -> State {
    state_of(&config())
}

/// A fresh state of `config` at 14:00:00, operator `olivia`, nothing checked yet.
pub fn state_of(config: &Config) -> State {
    State::new(
        config,
        "olivia",
        false,
        Keymap::default(),
        Theme::plain(),
        at(14, 0, 0),
    )
}

/// The launch at 14:04:00: testers pass, a Sentry P1 is open, the synthetic journey is pending,
/// the k6 result is late, the GitHub gate errors with an email in its message.
pub fn state() -> (State, Vec<Effect>) {
    let mut state = empty_state();
    let mut effects = Vec::new();
    let actions = vec![
        ok("synthetic", at(14, 1, 0), Value::Number(0.0), None),
        ok("testers", at(14, 1, 0), Value::Number(41.0), None),
        ok("testers", at(14, 2, 0), Value::Number(48.0), None),
        ok("testers", at(14, 3, 30), Value::Number(57.0), None),
        ok(
            "sentry_p1",
            at(14, 3, 40),
            Value::Number(2.0),
            Some("TimeoutError: payment gateway timed out; KeyError: 'cohort'"),
        ),
        ok(
            "status_page",
            at(14, 3, 45),
            Value::Text("none".into()),
            None,
        ),
        ok("synthetic", at(14, 3, 30), Value::Number(0.0), None),
        ok("k6_nightly", at(14, 2, 20), Value::Number(97_920.0), None),
        failed(
            "high_issues",
            at(14, 3, 50),
            &format!("HTTP 401 from api.github.com: token of {EMAIL} expired"),
        ),
        Action::Tick(at(14, 4, 0)),
    ];
    for action in actions {
        effects.extend(update(&mut state, action));
    }
    (state, effects)
}

/// Journal lines as another cockpit wrote them, newest first.
pub fn journal_entries() -> Vec<Entry> {
    let entry = |id,
                 when,
                 gate: &str,
                 from: Option<gonogo::gate::GateState>,
                 to: Option<gonogo::gate::GateState>,
                 value: &str,
                 actor: &str,
                 message: &str| Entry {
        event: gonogo::journal::JournalEvent::from_parts(
            "gate",
            &serde_json::json!({}),
            gonogo::journal::GateColumns {
                gate: Some(gate),
                from: from.map(|s| s.as_str()),
                to: to.map(|s| s.as_str()),
                value: Some(value),
                message,
            },
        ),
        id,
        at: when,
        recorded_at: when,
        kind: "gate".into(),
        actor: actor.into(),
        gate: Some(gate.into()),
        from_state: from,
        to_state: to,
        value: Some(value.into()),
        message: message.into(),
        data: serde_json::json!({}),
    };
    use gonogo::gate::GateState::*;
    vec![
        entry(
            3,
            at(14, 3, 40),
            "sentry_p1",
            Some(Pass),
            Some(Fail),
            "2",
            "marc",
            "",
        ),
        entry(
            2,
            at(13, 58, 0),
            "high_issues",
            Some(Pass),
            Some(Unknown),
            "—",
            "marc",
            &format!("HTTP 401: token of {EMAIL} expired"),
        ),
        entry(
            1,
            at(13, 50, 0),
            "testers",
            None,
            Some(Pass),
            "52",
            "olivia",
            "",
        ),
    ]
}

/// The screen as text, one line per row, wide symbols counted once.
pub fn screen(buffer: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut skip = 0;
        let mut line = String::new();
        for x in 0..buffer.area.width {
            let cell = &buffer[(x, y)];
            if skip == 0 {
                line.push_str(cell.symbol());
            }
            skip = std::cmp::max(skip, unicode_width(cell.symbol())).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn unicode_width(symbol: &str) -> usize {
    // The symbols the cockpit draws that take two cells.
    if symbol
        .chars()
        .any(|c| matches!(c, '✅' | '🔴' | '🟡' | '⚪'))
    {
        2
    } else {
        1
    }
}

pub fn draw(state: &mut State, width: u16, height: u16) -> String {
    update(state, Action::Resize { width, height });
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| render(state, frame)).unwrap();
    screen(terminal.backend().buffer())
}

/// The fixture launch with some gates' titles replaced (`(title, new title)`, any characters),
/// `extra` TOML appended, and the testers gate read at 14:01.
pub fn state_titled(titles: &[(&str, &str)], extra: &str) -> State {
    let escaped = |text: &str| -> String {
        text.chars()
            .map(|c| match c {
                '"' | '\\' => format!("\\{c}"),
                ' '..='~' => c.to_string(),
                c => format!("\\U{:08X}", c as u32),
            })
            .collect()
    };
    let mut source = CONFIG.to_owned();
    for (title, new) in titles {
        source = source.replace(
            &format!("title = \"{title}\""),
            &format!("title = \"{}\"", escaped(new)),
        );
    }
    source.push_str(extra);
    let config = load_str(&source, Path::new("fixture.toml")).expect("titles stay valid TOML");
    let mut state = state_of(&config);
    update(
        &mut state,
        ok("testers", at(14, 1, 0), Value::Number(57.0), None),
    );
    state
}

/// Draws like [`draw`], reading each symbol at its real width: a wide character (CJK, fullwidth)
/// reads once, without the blank of its second cell, so text written in it can be searched for.
pub fn draw_wide(state: &mut State, width: u16, height: u16) -> String {
    update(state, Action::Resize { width, height });
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| render(state, frame)).unwrap();
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..height {
        let mut line = String::new();
        let mut x = 0;
        while x < width {
            let symbol = buffer[(x, y)].symbol();
            line.push_str(symbol);
            x += (ratatui::text::Span::raw(symbol).width() as u16).max(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Fixture cohorts for the Cohort pane: `pane_warn.csv` (soft findings only) and
/// `pane_blocked.csv` (a duplicate, a malformed email, a missing label, an ANSI escape in a name).
pub const COHORT_WARN: &str = "tests/fixtures/cohort/pane_warn.csv";
pub const COHORT_BLOCKED: &str = "tests/fixtures/cohort/pane_blocked.csv";

/// The load effect's answer for `path`, without a database (the pane's checks skipped).
pub fn cohort_answer(path: &str) -> Result<gonogo::tui::cohort::Loaded, String> {
    cohort_answer_keeping(path, 1000)
}

/// [`cohort_answer`] keeping up to `rows` rows for the table.
pub fn cohort_answer_keeping(
    path: &str,
    rows: usize,
) -> Result<gonogo::tui::cohort::Loaded, String> {
    use gonogo::cohort::{CohortSettings, DatabaseChecks, load_path};
    use gonogo::tui::cohort::{Loaded, SharedCohort};
    let mut cohort =
        load_path(Path::new(path), &CohortSettings::default(), rows).expect("fixture cohort loads");
    cohort.scan.report.database = DatabaseChecks::Skipped("no [postgres] in the config".into());
    Ok(Loaded {
        cohort: SharedCohort(std::sync::Arc::new(cohort)),
        database_error: None,
        overridden: gonogo::tui::cohort::Override::None,
    })
}

/// The load a `LoadCohort` action asked for, from its effects.
pub fn load_asked(effects: &[Effect]) -> gonogo::tui::cohort::LoadId {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Pane(panes::PaneJob::Cohort(panes::cohort::Job::LoadCohort {
                load, ..
            })) => Some(*load),
            _ => None,
        })
        .expect("a LoadCohort effect")
}

/// `:cohort PATH`, then the load effect's answer for it.
pub fn load_cohort(
    state: &mut State,
    path: &str,
    result: Result<gonogo::tui::cohort::Loaded, String>,
) {
    let load = load_asked(&update(
        state,
        Action::Pane(panes::PaneMsg::Cohort(panes::cohort::Msg::LoadCohort(
            path.into(),
        ))),
    ));
    update(
        state,
        Action::Pane(panes::PaneMsg::Cohort(panes::cohort::Msg::CohortLoaded {
            load,
            result,
        })),
    );
}

/// A state with `path` loaded into the Cohort pane, as `:cohort PATH` does.
pub fn state_with_cohort(path: &str) -> State {
    let (mut state, _) = state();
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Timeline(
            panes::timeline::Msg::TimelineLoaded(Ok(journal_entries())),
        )),
    );
    load_cohort(&mut state, path, cohort_answer(path));
    state
}

/// The fixture launch is in production: types its name in the confirmation modal and presses
/// Enter, as an operator does to let a mutation through.
pub fn confirm_launch(state: &mut State) -> Vec<Effect> {
    assert!(
        matches!(
            state.top_overlay(),
            Some(gonogo::tui::state::Overlay::Confirm { .. })
        ),
        "a confirmation is asked"
    );
    for c in "Beta soft launch".chars() {
        update(state, Action::Edit(tui_input::InputRequest::InsertChar(c)));
    }
    update(state, Action::Submit)
}

/// Shows the Checklist pane in a headless cockpit and moves its cursor to the item `text`.
pub fn select_item(driver: &mut gonogo::tui::driver::Driver, text: &str) {
    driver.dispatch(Action::ShowPane(gonogo::tui::Pane::Checklist));
    driver.dispatch(Action::Top);
    for _ in 0..driver.state.panes.checklist.rows.len() {
        if driver
            .state
            .panes
            .checklist
            .selected_item()
            .is_some_and(|i| i.text == text)
        {
            return;
        }
        driver.dispatch(Action::Move(1));
    }
    panic!("no item {text}");
}

/// Whether the cockpit knows of a frozen decision (the call's last record).
pub fn decided(state: &State) -> bool {
    state
        .panes
        .checklist
        .call
        .as_ref()
        .and_then(|c| c.last.as_ref())
        .is_some()
}

/// A launch with a checklist file, on the database at `url`, and one gate (`fresh`: the file
/// `marker` younger than an hour) that verifies the checklist item bound to it.
pub fn checklist_config(decision_at: &str, url: &str, checklist: &Path, marker: &Path) -> Config {
    let text = format!(
        "[launch]\nname = \"Call launch\"\ndecision_at = \"{decision_at}\"\n\n[postgres]\nurl = \"{url}\"\n\n\
         [checklist]\npath = \"{}\"\n\n\
         [[gate]]\nid = \"fresh\"\ntitle = \"Fresh file\"\nsource = \"file_age\"\npath = \"{}\"\npass = \"< 1h\"\nevery = \"1s\"\n",
        checklist.display(),
        marker.display()
    );
    load_str(&text, Path::new("call.toml")).unwrap()
}
