//! `update()` unit tests: an action in, the state and effects out. No terminal, no I/O.

mod tui_support;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use gonogo::gate::{GateState, Value};
use gonogo::journal::{Entry, JournalEvent, LiveSignal};
use gonogo::tui::keymap::Keymap;
use gonogo::tui::panes;
use gonogo::tui::state::{Overlay, Redraw, View};
use gonogo::tui::timeline::TimelineSource;
use gonogo::tui::{Action, Effect, Pane, input, update};
use tui_input::InputRequest;
use tui_support::*;

fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn type_text(state: &mut gonogo::tui::State, text: &str) {
    for c in text.chars() {
        update(state, Action::Edit(InputRequest::InsertChar(c)));
    }
}

#[test]
fn results_record_transitions_set_the_title_and_ring_the_bell_per_red_gate() {
    let (state, effects) = state();
    assert_eq!(state.board.verdict(), gonogo::gate::Verdict::NoGo);
    assert!(effects.contains(&Effect::SetTitle("gonogo: NO-GO (1 red)".into())));
    let recorded: usize = effects
        .iter()
        .map(|e| match e {
            Effect::RecordTransitions(t) => t.len(),
            _ => 0,
        })
        .sum();
    // synthetic → pending, testers → fail → pass, sentry_p1 → fail, status_page and k6 → pass;
    // high_issues errored from the start: its first result is reported as unknown all the same,
    // so the journal learns it was never confirmed.
    assert_eq!(recorded, 7);
    // testers turned red at 14:01, sentry_p1 at 14:03:40; the pending synthetic journey did not.
    assert_eq!(effects.iter().filter(|e| **e == Effect::Bell).count(), 2);
    assert_eq!(state.title, "gonogo: NO-GO (1 red)");
}

#[test]
fn no_bell_when_alerts_bell_is_off_or_the_gate_is_informational() {
    let mut state = empty_state();
    state.bell = false;
    let fx = update(
        &mut state,
        ok("sentry_p1", at(14, 1, 0), Value::Number(3.0), None),
    );
    assert!(!fx.contains(&Effect::Bell));
    let mut state = empty_state();
    let fx = update(
        &mut state,
        ok("high_issues", at(14, 1, 0), Value::Number(3.0), None),
    );
    assert!(
        !fx.contains(&Effect::Bell),
        "informational gates never ring"
    );
    assert!(fx.iter().any(|e| matches!(e, Effect::RecordTransitions(_))));
}

#[test]
fn the_title_is_set_only_when_it_changes() {
    let mut state = empty_state();
    let first = update(&mut state, Action::Tick(at(14, 0, 1)));
    assert!(first.contains(&Effect::SetTitle("gonogo: UNKNOWN (5 unknown)".into())));
    let second = update(&mut state, Action::Tick(at(14, 0, 2)));
    assert!(!second.iter().any(|e| matches!(e, Effect::SetTitle(_))));
}

#[test]
fn panes_cycle_and_digits_jump() {
    let (mut state, _) = state();
    update(&mut state, Action::NextPane);
    assert_eq!(state.pane, Pane::Timeline);
    update(&mut state, Action::NextPane);
    assert_eq!(state.pane, Pane::Cohort);
    update(&mut state, Action::NextPane);
    assert_eq!(state.pane, Pane::Dispatch);
    update(&mut state, Action::NextPane);
    assert_eq!(state.pane, Pane::Checklist);
    update(&mut state, Action::NextPane);
    assert_eq!(state.pane, Pane::Gates);
    update(&mut state, Action::PrevPane);
    assert_eq!(state.pane, Pane::Checklist);
    let action = input::action_for_event(&state, &key('1')).unwrap();
    update(&mut state, action);
    assert_eq!(state.pane, Pane::Gates);
}

#[test]
fn selection_moves_within_bounds_and_enter_opens_the_detail() {
    let (mut state, _) = state();
    update(&mut state, Action::Move(-1));
    assert_eq!(state.panes.gates.selected, 0);
    update(&mut state, Action::Bottom);
    assert_eq!(state.panes.gates.selected, 5);
    update(&mut state, Action::Move(1));
    assert_eq!(state.panes.gates.selected, 5);
    update(&mut state, Action::Top);
    update(&mut state, Action::Move(3));
    update(&mut state, Action::Open);
    assert!(
        matches!(state.top_overlay(), Some(Overlay::Detail { gate, .. }) if gate == "synthetic")
    );
    // r in the detail re-checks the gate being shown.
    let fx = update(&mut state, Action::Recheck);
    assert!(fx.contains(&Effect::Recheck("synthetic".into())));
    assert!(state.checking.contains("synthetic"));
    update(&mut state, Action::Back);
    assert!(state.overlays.is_empty());
}

#[test]
fn a_result_clears_the_checking_mark() {
    let (mut state, _) = state();
    update(&mut state, Action::RecheckAll);
    assert_eq!(state.checking.len(), 6);
    update(
        &mut state,
        ok("testers", at(14, 4, 5), Value::Number(58.0), None),
    );
    assert!(!state.checking.contains("testers"));
    assert_eq!(state.checking.len(), 5);
}

#[test]
fn filter_narrows_the_list_and_escape_clears_it() {
    let (mut state, _) = state();
    update(&mut state, Action::StartFilter);
    assert_eq!(state.context(), gonogo::tui::keymap::Context::TextEntry);
    // While typing, `q` is a letter, not quit.
    let q = input::action_for_event(&state, &key('q')).unwrap();
    assert!(matches!(q, Action::Edit(InputRequest::InsertChar('q'))));
    type_text(&mut state, "SENTRY");
    let ids: Vec<&str> = state
        .visible_gates()
        .iter()
        .map(|g| g.id.as_str())
        .collect();
    assert_eq!(ids, ["sentry_p1"]);
    update(&mut state, Action::Submit);
    assert_eq!(
        state.panes.gates.filter(),
        "SENTRY",
        "Enter keeps the filter"
    );
    assert!(state.overlays.is_empty());
    update(&mut state, Action::Back);
    assert_eq!(state.panes.gates.filter(), "");
    assert_eq!(state.visible_gates().len(), 6);
}

#[test]
fn palette_commands_run_and_unknown_ones_say_so() {
    let (mut state, _) = state();
    let run = |state: &mut gonogo::tui::State, line: &str| {
        update(state, Action::StartPalette);
        type_text(state, line);
        update(state, Action::Submit)
    };
    let fx = run(&mut state, "recheck synthetic");
    assert!(fx.contains(&Effect::Recheck("synthetic".into())));
    run(&mut state, "timeline");
    assert_eq!(state.pane, Pane::Timeline);
    run(&mut state, "open k6_nightly");
    assert!(
        matches!(state.top_overlay(), Some(Overlay::Detail { gate, .. }) if gate == "k6_nightly")
    );
    update(&mut state, Action::Back);
    run(&mut state, "frobnicate");
    let status = state.status.clone().unwrap();
    assert!(
        status.text.contains("unknown command `:frobnicate`"),
        "{}",
        status.text
    );
    run(&mut state, "recheck nosuch");
    assert!(
        state
            .status
            .clone()
            .unwrap()
            .text
            .contains("no gate `nosuch`")
    );
    assert!(run(&mut state, "quit").contains(&Effect::Quit));
}

#[test]
fn screen_share_masks_and_escape_leaves_it() {
    let (mut state, _) = state();
    update(&mut state, Action::ToggleHelp);
    update(&mut state, Action::ToggleScreenShare);
    assert_eq!(state.view, View::ScreenShare);
    assert!(state.overlays.is_empty());
    assert!(state.masking());
    update(&mut state, Action::Back);
    assert_eq!(state.view, View::Cockpit);
    assert!(!state.masking());
    update(&mut state, Action::ToggleMask);
    assert!(state.masking());
}

#[test]
fn ctrl_c_does_not_quit() {
    let (mut state, _) = state();
    let event = Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    let action = input::action_for_event(&state, &event).unwrap();
    let fx = update(&mut state, action);
    assert!(!fx.contains(&Effect::Quit));
    assert!(state.status.unwrap().text.contains("press q to quit"));
}

#[test]
fn remapped_keys_drive_the_same_actions() {
    let (mut state, _) = state();
    let overrides = [("quit".to_string(), "x".to_string())].into();
    state.keymap = Keymap::with_overrides(&overrides).unwrap();
    assert!(input::action_for_event(&state, &key('q')).is_none());
    let action = input::action_for_event(&state, &key('x')).unwrap();
    assert!(update(&mut state, action).contains(&Effect::Quit));
}

#[test]
fn the_timeline_reads_only_what_follows_its_last_line_and_polls_only_while_not_live() {
    let (mut state, effects) = state();
    assert!(effects.contains(&Effect::Pane(panes::PaneJob::Timeline(
        panes::timeline::Job::LoadTimeline
    ))));
    assert!(state.panes.timeline.loading);
    let fx = update(&mut state, Action::Tick(at(14, 4, 6)));
    assert!(!reads(&fx), "one read at a time");
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Timeline(
            panes::timeline::Msg::TimelineLoaded(Ok(journal_entries())),
        )),
    );
    assert_eq!(
        state.panes.timeline.source,
        TimelineSource::Journal {
            read_at: at(14, 4, 6)
        }
    );
    assert_eq!(state.panes.timeline.rows().len(), 3);
    assert_eq!(state.panes.timeline.rows()[0].subject, "Sentry P1 issues");
    // Not live yet: every five seconds, only the lines after the last one read (id 3).
    let fx = update(&mut state, Action::Tick(at(14, 4, 7)));
    assert!(
        fx.contains(&Effect::Pane(panes::PaneJob::Timeline(
            panes::timeline::Job::LoadTimelineAfter(3)
        ))),
        "{fx:?}"
    );
    assert!(
        !fx.contains(&Effect::Pane(panes::PaneJob::Timeline(
            panes::timeline::Job::LoadTimeline
        ))),
        "never the whole page again"
    );
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Timeline(
            panes::timeline::Msg::TimelineAppended(Ok(Vec::new())),
        )),
    );
    let fx = update(&mut state, Action::Tick(at(14, 4, 9)));
    assert!(!reads(&fx), "not due yet");
    // Live: the clock no longer reads; a notification does, and only what follows.
    let fx = update(&mut state, Action::Live(LiveSignal::Connected));
    assert!(
        fx.contains(&Effect::Pane(panes::PaneJob::Timeline(
            panes::timeline::Job::LoadTimelineAfter(3)
        ))),
        "catch up after connecting"
    );
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Timeline(
            panes::timeline::Msg::TimelineAppended(Ok(Vec::new())),
        )),
    );
    assert!(!reads(&update(&mut state, Action::Tick(at(14, 4, 30)))));
    let note = Entry::from_event(
        4,
        at(14, 4, 31),
        "bruno",
        JournalEvent::Note {
            text: "db failover rehearsed".into(),
        },
    );
    let fx = update(
        &mut state,
        Action::Live(LiveSignal::Journal {
            id: Some(4),
            kind: "note".into(),
        }),
    );
    assert!(
        fx.contains(&Effect::Pane(panes::PaneJob::Timeline(
            panes::timeline::Job::LoadTimelineAfter(3)
        ))),
        "{fx:?}"
    );
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Timeline(
            panes::timeline::Msg::TimelineAppended(Ok(vec![note])),
        )),
    );
    assert_eq!(
        state.panes.timeline.rows()[0].message,
        "db failover rehearsed"
    );
    assert_eq!(state.panes.timeline.last_id, Some(4));
    // A notification for a line already read reads nothing.
    let fx = update(
        &mut state,
        Action::Live(LiveSignal::Journal {
            id: Some(4),
            kind: "note".into(),
        }),
    );
    assert!(!reads(&fx));
    // Paused: polling again, and the operator is told once.
    update(
        &mut state,
        Action::Live(LiveSignal::Disconnected("connection reset".into())),
    );
    assert!(state.status.as_ref().unwrap().text.contains("paused"));
    let fx = update(&mut state, Action::Tick(at(14, 4, 40)));
    assert!(
        fx.contains(&Effect::Pane(panes::PaneJob::Timeline(
            panes::timeline::Job::LoadTimelineAfter(4)
        ))),
        "{fx:?}"
    );
    // Live again, then a read fails: said once, and the clock reads until the journal answers.
    update(&mut state, Action::Live(LiveSignal::Connected));
    state.status = None;
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Timeline(
            panes::timeline::Msg::TimelineAppended(Err("connection reset".into())),
        )),
    );
    assert!(matches!(
        state.panes.timeline.source,
        TimelineSource::Unavailable { .. }
    ));
    assert!(state.status.as_ref().unwrap().text.contains("unavailable"));
    let fx = update(&mut state, Action::Tick(at(14, 4, 50)));
    assert!(
        fx.contains(&Effect::Pane(panes::PaneJob::Timeline(
            panes::timeline::Job::LoadTimelineAfter(4)
        ))),
        "{fx:?}"
    );
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Timeline(
            panes::timeline::Msg::TimelineAppended(Ok(Vec::new())),
        )),
    );
    assert!(matches!(
        state.panes.timeline.source,
        TimelineSource::Journal { .. }
    ));
    assert!(!reads(&update(&mut state, Action::Tick(at(14, 5, 30)))));
}

fn reads(fx: &[Effect]) -> bool {
    fx.iter().any(|e| {
        matches!(
            e,
            Effect::Pane(panes::PaneJob::Timeline(panes::timeline::Job::LoadTimeline))
                | Effect::Pane(panes::PaneJob::Timeline(
                    panes::timeline::Job::LoadTimelineAfter(_)
                ))
        )
    })
}

#[test]
fn journal_failures_fall_back_to_local_history_with_one_message() {
    let (mut state, _) = state();
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Timeline(
            panes::timeline::Msg::TimelineLoaded(Err("connection refused".into())),
        )),
    );
    assert!(matches!(
        state.panes.timeline.source,
        TimelineSource::Unavailable { .. }
    ));
    assert_eq!(
        state.panes.timeline.rows().len(),
        7,
        "this cockpit's own transitions"
    );
    let status = state.status.clone().unwrap();
    assert!(
        status
            .text
            .contains("The journal is unavailable: connection refused.")
    );
    state.status = None;
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Timeline(
            panes::timeline::Msg::TimelineLoaded(Err("connection refused".into())),
        )),
    );
    assert!(state.status.is_none(), "the same failure is announced once");
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Timeline(
            panes::timeline::Msg::JournalRecorded(Err("relation missing".into())),
        )),
    );
    assert!(state.status.unwrap().text.contains("not taking lines"));
}

#[test]
fn without_a_database_the_timeline_is_local_and_nothing_is_recorded() {
    let text = r#"
[launch]
name = "Local"

[[gate]]
id = "testers"
title = "Testers"
source = "command"
command = ["echo", "60"]
pass = ">= 50"
"#;
    let config = gonogo::config::load_str(text, std::path::Path::new("x.toml")).unwrap();
    let mut state = gonogo::tui::State::new(
        &config,
        "olivia",
        false,
        Keymap::default(),
        gonogo::tui::theme::Theme::plain(),
        at(14, 0, 0),
    );
    let fx = update(
        &mut state,
        ok("testers", at(14, 1, 0), Value::Number(60.0), None),
    );
    assert!(!fx.iter().any(|e| matches!(
        e,
        Effect::RecordTransitions(_)
            | Effect::Pane(panes::PaneJob::Timeline(panes::timeline::Job::LoadTimeline))
    )));
    let fx = update(&mut state, Action::Tick(at(14, 1, 10)));
    assert!(!fx.contains(&Effect::Pane(panes::PaneJob::Timeline(
        panes::timeline::Job::LoadTimeline
    ))));
    assert_eq!(state.panes.timeline.source, TimelineSource::LocalOnly);
    assert_eq!(state.panes.timeline.rows()[0].to, Some(GateState::Pass));
}

#[test]
fn old_results_turn_gates_unknown_on_the_tick() {
    let (mut state, _) = state();
    let fx = update(&mut state, Action::Tick(at(14, 10, 0)));
    assert_eq!(
        state.board.get("testers").unwrap().state,
        GateState::Unknown
    );
    assert!(fx.iter().any(|e| matches!(e, Effect::RecordTransitions(_))));
    assert!(
        state
            .board
            .get("testers")
            .unwrap()
            .error
            .as_deref()
            .unwrap()
            .starts_with("stale")
    );
}

#[test]
fn clicks_select_rows_and_tabs() {
    let (mut state, _) = state();
    update(
        &mut state,
        Action::Resize {
            width: 120,
            height: 30,
        },
    );
    // Row 0 header, 1 tabs, 2 table header, 3 first gate.
    update(&mut state, Action::Click { column: 10, row: 5 });
    assert_eq!(state.panes.gates.selected, 2);
    update(
        &mut state,
        Action::Click {
            column: 10,
            row: 25,
        },
    );
    assert_eq!(
        state.panes.gates.selected, 2,
        "a click below the rows selects nothing"
    );
    update(&mut state, Action::Click { column: 12, row: 1 });
    assert_eq!(state.pane, Pane::Timeline);
    let scrolled = input::action_for_event(
        &state,
        &Event::Mouse(crossterm::event::MouseEvent {
            kind: crossterm::event::MouseEventKind::ScrollDown,
            column: 0,
            row: 5,
            modifiers: KeyModifiers::NONE,
        }),
    );
    assert!(matches!(scrolled, Some(Action::Move(1))));
}

#[test]
fn only_visible_changes_mark_the_state_dirty() {
    let (mut state, _) = state();
    state.redraw = Redraw::Clean;
    update(&mut state, Action::Click { column: 0, row: 0 });
    assert_eq!(
        state.redraw,
        Redraw::Clean,
        "a click on nothing redraws nothing"
    );
    update(&mut state, Action::Tick(at(14, 4, 1)));
    assert_eq!(state.redraw, Redraw::Now, "the clock moves once a second");
}

#[test]
fn a_reading_that_changes_no_state_waits_for_the_clock_and_the_rest_draws_at_once() {
    let mut state = empty_state();
    update(
        &mut state,
        ok("testers", at(14, 0, 1), Value::Number(41.0), None),
    );
    assert_eq!(
        state.redraw,
        Redraw::Now,
        "a gate's first reading draws at once"
    );

    state.redraw = Redraw::Clean;
    update(
        &mut state,
        ok("testers", at(14, 0, 11), Value::Number(42.0), None),
    );
    assert_eq!(
        state.redraw,
        Redraw::WithTheClock,
        "still failing, a new value: the next second's frame shows it"
    );
    update(&mut state, Action::Tick(at(14, 0, 12)));
    assert_eq!(state.redraw, Redraw::Now, "the clock's frame carries it");

    state.redraw = Redraw::Clean;
    update(
        &mut state,
        ok("testers", at(14, 0, 21), Value::Number(57.0), None),
    );
    assert_eq!(state.redraw, Redraw::Now, "fail to pass is drawn at once");

    state.redraw = Redraw::Clean;
    update(&mut state, Action::RecheckGate("testers".into()));
    state.redraw = Redraw::Clean;
    update(
        &mut state,
        ok("testers", at(14, 0, 25), Value::Number(58.0), None),
    );
    assert_eq!(
        state.redraw,
        Redraw::Now,
        "a re-check the operator asked for is drawn at once"
    );

    state.redraw = Redraw::Clean;
    update(
        &mut state,
        ok("testers", at(14, 0, 31), Value::Number(58.0), None),
    );
    update(&mut state, Action::StartPalette);
    assert_eq!(
        state.redraw,
        Redraw::Now,
        "a key after a routine reading draws both"
    );
}

#[test]
fn control_characters_in_titles_never_reach_the_screen() {
    let text = CONFIG.replace(
        "title = \"Testers signed up\"",
        "title = \"Testers\\u001b[2J\"",
    );
    let config = gonogo::config::load_str(&text, std::path::Path::new("x.toml")).unwrap();
    let state = gonogo::tui::State::new(
        &config,
        "olivia",
        false,
        Keymap::default(),
        gonogo::tui::theme::Theme::plain(),
        at(14, 0, 0),
    );
    let title = &state.board.get("testers").unwrap().title;
    assert!(!title.contains('\u{1b}'), "{title:?}");
    assert!(!state.spec("testers").unwrap().title.contains('\u{1b}'));
}

#[test]
fn tab_completes_gate_ids_in_the_palette() {
    let (mut state, _) = state();
    update(&mut state, Action::StartPalette);
    type_text(&mut state, "recheck sy");
    let tab = Event::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
    let action = input::action_for_event(&state, &tab).unwrap();
    update(&mut state, action);
    let fx = update(&mut state, Action::Submit);
    assert!(fx.contains(&Effect::Recheck("synthetic".into())), "{fx:?}");
}

/// A launch with `n` gates, so the gates list is longer than a screen.
fn many_gates_state(n: usize) -> gonogo::tui::State {
    let mut text = String::from("[launch]\nname = \"Many\"\n");
    for i in 0..n {
        text.push_str(&format!(
            "\n[[gate]]\nid = \"g{i:02}\"\ntitle = \"Gate {i:02}\"\nsource = \"command\"\ncommand = [\"echo\", \"1\"]\npass = \"== 1\"\n"
        ));
    }
    let config = gonogo::config::load_str(&text, std::path::Path::new("x.toml")).unwrap();
    gonogo::tui::State::new(
        &config,
        "olivia",
        false,
        Keymap::default(),
        gonogo::tui::theme::Theme::plain(),
        at(14, 0, 0),
    )
}

#[test]
fn page_keys_on_the_gates_pane_move_by_the_rows_on_screen() {
    let mut state = many_gates_state(60);
    // 80x24: header, tabs and footer leave a 21-row body; the table header takes one.
    let screen = draw(&mut state, 80, 24);
    let shown = screen
        .lines()
        .filter(|l| l.contains("not checked yet"))
        .count();
    assert_eq!(shown, 20, "{screen}");
    update(&mut state, Action::PageDown);
    assert_eq!(state.panes.gates.selected, shown);
    update(&mut state, Action::PageDown);
    assert_eq!(state.panes.gates.selected, 2 * shown);
    update(&mut state, Action::PageUp);
    assert_eq!(state.panes.gates.selected, shown);
}

fn selected_subject(state: &gonogo::tui::State) -> String {
    state.panes.timeline.rows()[state.panes.timeline.selected]
        .subject
        .clone()
}

#[test]
fn the_timeline_selection_stays_on_its_entry_when_newer_ones_arrive() {
    let (mut state, _) = state();
    // Until the operator picks a row, the selection stays on the newest one.
    assert_eq!(state.panes.timeline.rows().len(), 7);
    assert_eq!(state.panes.timeline.selected, 0);
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Timeline(
            panes::timeline::Msg::TimelineLoaded(Ok(journal_entries())),
        )),
    );
    assert_eq!(state.panes.timeline.selected, 0);
    update(&mut state, Action::ShowPane(Pane::Timeline));
    update(&mut state, Action::Move(1));
    assert_eq!(selected_subject(&state), "HIGH issues open");
    // Another cockpit journaled a newer line: it arrives at the top.
    let mut newer = journal_entries();
    let mut line = newer[0].clone();
    line.id = 4;
    line.gate = Some("status_page".into());
    line.at = at(14, 4, 2);
    newer.insert(0, line);
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Timeline(
            panes::timeline::Msg::TimelineLoaded(Ok(newer)),
        )),
    );
    assert_eq!(selected_subject(&state), "HIGH issues open");
    update(&mut state, Action::Open);
    assert!(
        matches!(state.top_overlay(), Some(Overlay::Detail { gate, .. }) if gate == "high_issues")
    );
    update(&mut state, Action::Back);

    // Without the journal, this cockpit's own transitions arrive at the top the same way.
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Timeline(
            panes::timeline::Msg::TimelineLoaded(Err("connection refused".into())),
        )),
    );
    update(&mut state, Action::Move(2));
    let before = selected_subject(&state);
    let at_index = state.panes.timeline.selected;
    update(
        &mut state,
        ok(
            "status_page",
            at(14, 4, 10),
            Value::Text("major".into()),
            None,
        ),
    );
    assert_eq!(state.panes.timeline.rows()[0].subject, "Status page");
    assert_eq!(selected_subject(&state), before);
    assert_eq!(state.panes.timeline.selected, at_index + 1);
}

#[test]
fn going_back_to_the_top_row_follows_the_newest_again() {
    let (mut state, _) = state();
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Timeline(
            panes::timeline::Msg::TimelineLoaded(Err("connection refused".into())),
        )),
    );
    update(&mut state, Action::ShowPane(Pane::Timeline));
    for c in ['j', 'g'] {
        let action = input::action_for_event(&state, &key(c)).unwrap();
        update(&mut state, action);
    }
    assert_eq!(state.panes.timeline.selected, 0);
    // The testers gate flaps every ten seconds: far more transitions than 80x24 shows.
    for i in 0..40 {
        let value = if i % 2 == 0 { 40.0 } else { 60.0 };
        let when = at(14, 5, 0) + chrono::Duration::seconds(10 * i);
        update(&mut state, ok("testers", when, Value::Number(value), None));
    }
    assert_eq!(state.panes.timeline.rows().len(), 47);
    assert_eq!(
        state.panes.timeline.selected, 0,
        "the newest row stays selected"
    );
    let screen = draw(&mut state, 80, 24);
    assert!(
        screen.contains("14:11:30"),
        "the newest row is on screen:\n{screen}"
    );

    // The same when moving up to the top row, and with the shared journal.
    update(&mut state, Action::Move(3));
    update(&mut state, Action::Move(-3));
    let mut lines = journal_entries();
    for id in 4..44 {
        let mut line = lines[0].clone();
        line.id = id;
        line.at = at(14, 20, 0) + chrono::Duration::seconds(id);
        lines.insert(0, line);
    }
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Timeline(
            panes::timeline::Msg::TimelineLoaded(Ok(lines)),
        )),
    );
    assert_eq!(state.panes.timeline.selected, 0);
    let screen = draw(&mut state, 80, 24);
    assert!(screen.contains("14:20:43"), "{screen}");
}
