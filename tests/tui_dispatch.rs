//! The Dispatch pane without a terminal: what it draws (snapshots at 80x24 and 160x48), what
//! it masks, and what its keys ask the effect runner for — confirmations first, production's
//! launch name on top, reads of the ledger debounced while changes stream in.

mod tui_support;

use chrono::Duration;
use gonogo::config::load_str;
use gonogo::invite::{BatchCounts, Counts, LedgerRow, LiveRun};
use gonogo::tui::keymap::Keymap;
use gonogo::tui::panes;
use gonogo::tui::state::{Overlay, State};
use gonogo::tui::theme::Theme;
use gonogo::tui::{Action, Effect, Pane, update};
use panes::dispatch::{DispatchView, SendNews, StateFilter};
use std::path::Path;
use tui_input::InputRequest;
use tui_support::*;

fn dispatch_state(production: bool) -> State {
    let mut text = format!("{CONFIG}{INVITES}");
    if !production {
        text = text.replace("environment = \"production\"", "environment = \"staging\"");
    }
    let config = load_str(&text, Path::new("fixture.toml")).unwrap();
    let mut state = State::new(
        &config,
        "olivia",
        false,
        Keymap::default(),
        Theme::plain(),
        at(14, 0, 0),
    );
    update(&mut state, Action::ShowPane(Pane::Dispatch));
    state
}

fn row(id: i64, email: &str, state: &str, reason: Option<&str>, minute: u32) -> LedgerRow {
    LedgerRow {
        id,
        batch: "wave-1".into(),
        email: email.into(),
        cohort: "creator-fr".into(),
        state: state.parse().unwrap(),
        message_id: format!("<{id}@example.org>"),
        attempts: 1,
        reason: reason.map(str::to_owned),
        updated_at: at(13, minute, 0),
        next_attempt_at: None,
        eml_path: format!("out/wave-1/{id}.eml"),
    }
}

fn view() -> DispatchView {
    DispatchView {
        batches: vec![BatchCounts {
            batch: "wave-1".into(),
            total: 60,
            counts: Counts {
                prepared: 20,
                sending: 1,
                sent: 36,
                failed: 2,
                unknown: 1,
            },
            rate_per_s: 2.0,
        }],
        log: vec![
            row(
                5,
                "ana@example.org",
                "sent",
                Some("250 2.0.0 Ok: queued"),
                59,
            ),
            row(
                4,
                "bob@example.org",
                "failed",
                Some("550 5.1.1 no such mailbox"),
                58,
            ),
            row(
                3,
                "cleo@example.org",
                "unknown",
                Some("after the body: connection lost"),
                57,
            ),
            row(2, "dan@example.org", "prepared", None, 56),
            row(
                1,
                "eve@example.org",
                "sent",
                Some("250 2.0.0 Ok: queued"),
                55,
            ),
        ],
        senders: vec![LiveRun {
            id: uuid::Uuid::nil(),
            operator: "marc".into(),
            host: "ops-laptop".into(),
            batch: Some("wave-1".into()),
            started_at: at(13, 50, 0),
            pid: 4242,
            stalled_for: None,
        }],
        read_at: Some(at(14, 0, 0)),
    }
}

fn loaded(production: bool) -> State {
    let mut state = dispatch_state(production);
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Dispatch(
            panes::dispatch::Msg::DispatchLoaded(Ok(Box::new(view()))),
        )),
    );
    state
}

fn type_text(state: &mut State, text: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for c in text.chars() {
        effects.extend(update(state, Action::Edit(InputRequest::InsertChar(c))));
    }
    effects
}

#[test]
fn the_pane_snapshots() {
    for (width, height) in [(80, 24), (160, 48)] {
        let mut state = loaded(false);
        let screen = draw(&mut state, width, height);
        insta::assert_snapshot!(format!("dispatch_{width}x{height}"), screen);
    }
}

#[test]
fn the_pane_shows_counts_log_and_senders_and_masks_addresses() {
    let mut state = loaded(false);
    let screen = draw(&mut state, 160, 48);
    for expected in [
        "36/60 sent",
        "2 failed",
        "1 unknown",
        "21 pending",
        "marc@ops-laptop sending since",
        "ana@example.org",
        "550 5.1.1 no such mailbox",
        "4 Dispatch",
    ] {
        assert!(screen.contains(expected), "no {expected:?} in\n{screen}");
    }
    assert!(!screen.contains("s3cr3t-relay-pw"), "{screen}");
    update(&mut state, Action::ToggleScreenShare);
    update(&mut state, Action::ShowPane(Pane::Dispatch));
    update(&mut state, Action::ToggleScreenShare);
    update(&mut state, Action::ToggleMask);
    let masked = draw(&mut state, 160, 48);
    assert!(!masked.contains("ana@example.org"), "{masked}");
}

#[test]
fn a_long_address_cut_to_its_column_is_masked_too() {
    let long = "alexandra.longname-of-the-beta@a-very-long-mail-domain.example.org";
    let mut state = dispatch_state(false);
    let mut ledger = view();
    ledger.log.insert(
        0,
        row(
            6,
            long,
            "failed",
            Some(&format!("550 5.1.1 <{long}>: no such user")),
            59,
        ),
    );
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Dispatch(
            panes::dispatch::Msg::DispatchLoaded(Ok(Box::new(ledger))),
        )),
    );
    update(&mut state, Action::ShowPane(Pane::Dispatch));
    let plain = draw(&mut state, 120, 40);
    assert!(plain.contains("alexandra.longname"), "{plain}");
    update(&mut state, Action::ToggleMask);
    let masked = draw(&mut state, 120, 40);
    assert!(!masked.contains("alexandra"), "{masked}");
    assert!(!masked.contains("a-very-long-mail"), "{masked}");
}

#[test]
fn an_unread_ledger_is_never_shown_as_empty() {
    let mut state = dispatch_state(false);
    let screen = draw(&mut state, 100, 20);
    assert!(screen.contains("reading the dispatch ledger"), "{screen}");
    assert!(!screen.contains("no batch prepared"), "{screen}");
    // Nothing is counted before the ledger is read: no "0 in doubt", no "nothing to retry".
    update(&mut state, Action::ShowPane(Pane::Dispatch));
    for key in [
        Action::Pane(panes::PaneMsg::Dispatch(
            panes::dispatch::Msg::ReviewUnknown,
        )),
        Action::Pane(panes::PaneMsg::Dispatch(panes::dispatch::Msg::RetryFailed)),
    ] {
        update(&mut state, key);
        let said = draw(&mut state, 100, 20);
        assert!(said.contains("the ledger is not read yet"), "{said}");
    }
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Dispatch(
            panes::dispatch::Msg::DispatchLoaded(Err("connection refused".into())),
        )),
    );
    let screen = draw(&mut state, 100, 20);
    assert!(
        screen.contains("could not be read: connection refused"),
        "{screen}"
    );
}

#[test]
fn without_invites_the_pane_says_what_to_configure() {
    let mut state = empty_state();
    update(&mut state, Action::ShowPane(Pane::Dispatch));
    let screen = draw(&mut state, 120, 20);
    assert!(screen.contains("no [invites] in the config"), "{screen}");
    let effects = update(
        &mut state,
        Action::Pane(panes::PaneMsg::Dispatch(panes::dispatch::Msg::StartSend)),
    );
    assert!(!effects.iter().any(|e| matches!(
        e,
        Effect::Pane(panes::PaneJob::Dispatch(
            panes::dispatch::Job::StartSend { .. }
        ))
    )));
}

#[test]
fn sending_needs_the_count_typed_then_in_production_the_launch_name() {
    let mut state = loaded(true);
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Dispatch(panes::dispatch::Msg::StartSend)),
    );
    assert!(matches!(
        state.top_overlay(),
        Some(Overlay::Pane(panes::PaneModal::Dispatch(_)))
    ));
    type_text(&mut state, "19");
    let effects = update(&mut state, Action::Submit);
    assert!(!effects.iter().any(|e| matches!(
        e,
        Effect::Pane(panes::PaneJob::Dispatch(
            panes::dispatch::Job::StartSend { .. }
        ))
    )));
    for _ in 0..2 {
        update(&mut state, Action::Edit(InputRequest::DeletePrevChar));
    }
    type_text(&mut state, "20");
    let effects = update(&mut state, Action::Submit);
    assert!(
        !effects.iter().any(|e| matches!(
            e,
            Effect::Pane(panes::PaneJob::Dispatch(
                panes::dispatch::Job::StartSend { .. }
            ))
        )),
        "production asks for the name first"
    );
    assert!(matches!(state.top_overlay(), Some(Overlay::Confirm { .. })));
    type_text(&mut state, "Beta soft launch");
    let effects = update(&mut state, Action::Submit);
    assert!(
        effects.iter().any(|e| matches!(
            e,
            Effect::Pane(panes::PaneJob::Dispatch(
                panes::dispatch::Job::StartSend { .. }
            ))
        )),
        "{effects:?}"
    );
    assert!(state.overlays.is_empty(), "{:?}", state.overlays);
    assert!(state.panes.dispatch.sending_here());
    // A second `s` while sending starts nothing.
    let effects = update(
        &mut state,
        Action::Pane(panes::PaneMsg::Dispatch(panes::dispatch::Msg::StartSend)),
    );
    assert!(effects.is_empty(), "{effects:?}");
    let effects = update(
        &mut state,
        Action::Pane(panes::PaneMsg::Dispatch(panes::dispatch::Msg::PauseSend)),
    );
    assert!(effects.contains(&Effect::Pane(panes::PaneJob::Dispatch(
        panes::dispatch::Job::PauseSend
    ))));
}

#[test]
fn staging_sends_after_the_count_alone() {
    let mut state = loaded(false);
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Dispatch(panes::dispatch::Msg::StartSend)),
    );
    type_text(&mut state, "20");
    let effects = update(&mut state, Action::Submit);
    assert!(
        effects.iter().any(|e| matches!(
            e,
            Effect::Pane(panes::PaneJob::Dispatch(
                panes::dispatch::Job::StartSend { .. }
            ))
        )),
        "{effects:?}"
    );
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Dispatch(
            panes::dispatch::Msg::DispatchNews(SendNews::Message {
                email: "dan@example.org".into(),
                state: "sent",
                detail: "250 ok".into(),
            }),
        )),
    );
    let screen = draw(&mut state, 160, 48);
    assert!(screen.contains("sending from here since"), "{screen}");
    assert!(screen.contains("(1 sent, 0 failed, 0 unknown)"), "{screen}");
}

#[test]
fn nothing_prepared_is_said_not_confirmed() {
    let mut state = dispatch_state(false);
    let mut empty = view();
    empty.batches[0].counts.prepared = 0;
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Dispatch(
            panes::dispatch::Msg::DispatchLoaded(Ok(Box::new(empty))),
        )),
    );
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Dispatch(panes::dispatch::Msg::StartSend)),
    );
    assert!(state.overlays.is_empty());
    let screen = draw(&mut state, 160, 48);
    assert!(screen.contains("nothing prepared to send"), "{screen}");
    assert!(screen.contains("1 unknown: settle them"), "{screen}");
}

#[test]
fn filters_cycle_and_unknowns_are_reviewed() {
    let mut state = loaded(false);
    assert_eq!(state.panes.dispatch.rows().len(), 5);
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Dispatch(
            panes::dispatch::Msg::CycleDispatchFilter,
        )),
    );
    assert_eq!(state.panes.dispatch.filter, StateFilter::Pending);
    assert_eq!(state.panes.dispatch.rows().len(), 1);
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Dispatch(
            panes::dispatch::Msg::ReviewUnknown,
        )),
    );
    assert_eq!(state.panes.dispatch.filter, StateFilter::Unknown);
    let emails: Vec<&str> = state
        .panes
        .dispatch
        .rows()
        .iter()
        .map(|r| r.email.as_str())
        .collect();
    assert_eq!(emails, ["cleo@example.org"]);
    let effects = update(&mut state, Action::Open);
    assert_eq!(
        effects,
        vec![Effect::Pane(panes::PaneJob::Dispatch(
            panes::dispatch::Job::LoadMessage(3)
        ))]
    );
}

#[test]
fn retrying_failed_messages_is_confirmed_by_their_count() {
    let mut state = loaded(false);
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Dispatch(panes::dispatch::Msg::RetryFailed)),
    );
    type_text(&mut state, "2");
    let effects = update(&mut state, Action::Submit);
    assert!(
        effects.contains(&Effect::Pane(panes::PaneJob::Dispatch(
            panes::dispatch::Job::RetryFailed
        ))),
        "{effects:?}"
    );
    // Done is said when the database has done it, with what it did; a refusal says why.
    let asked = draw(&mut state, 160, 48);
    assert!(asked.contains("putting 2 failed messages back"), "{asked}");
    assert!(!asked.contains("press s to send"), "{asked}");
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Dispatch(panes::dispatch::Msg::RetryDone(
            Ok(2),
        ))),
    );
    let done = draw(&mut state, 160, 48);
    assert!(done.contains("2 failed messages back to be sent"), "{done}");
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Dispatch(panes::dispatch::Msg::RetryDone(
            Err("connection refused".into()),
        ))),
    );
    let refused = draw(&mut state, 160, 48);
    assert!(
        refused.contains("failed messages not put back: connection refused"),
        "{refused}"
    );
}

#[test]
fn ledger_changes_are_read_at_most_twice_a_second() {
    let mut state = loaded(false);
    state.panes.dispatch.last_load = Some(state.now);
    let effects = update(
        &mut state,
        Action::Pane(panes::PaneMsg::Dispatch(
            panes::dispatch::Msg::LedgerChanged,
        )),
    );
    assert!(
        !effects.contains(&Effect::Pane(panes::PaneJob::Dispatch(
            panes::dispatch::Job::LoadDispatch
        ))),
        "too soon: {effects:?}"
    );
    assert!(state.panes.dispatch.stale);
    let later = state.now + Duration::seconds(1);
    let effects = update(&mut state, Action::Tick(later));
    assert!(
        effects.contains(&Effect::Pane(panes::PaneJob::Dispatch(
            panes::dispatch::Job::LoadDispatch
        ))),
        "{effects:?}"
    );
    // A live notification of the ledger goes to this pane.
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Dispatch(
            panes::dispatch::Msg::DispatchLoaded(Ok(Box::new(view()))),
        )),
    );
    let much_later = later + Duration::seconds(5);
    update(&mut state, Action::Tick(much_later));
    let effects = update(
        &mut state,
        Action::Live(gonogo::journal::LiveSignal::Journal {
            id: None,
            kind: "ledger".into(),
        }),
    );
    assert!(
        effects.contains(&Effect::Pane(panes::PaneJob::Dispatch(
            panes::dispatch::Job::LoadDispatch
        ))),
        "{effects:?}"
    );
}

#[test]
fn a_message_shows_its_own_detail_or_why_it_could_not_be_read() {
    let mut state = loaded(false);
    update(&mut state, Action::ShowPane(Pane::Dispatch));
    let detail = |id: i64, email: &str| {
        Box::new(gonogo::invite::status::MessageDetail {
            row: row(id, email, "sent", Some("250 ok"), 59),
            preview: format!("To: {email}\n\nHello"),
            code: None,
            history: Vec::new(),
        })
    };
    // The first row (id 5, ana) opened, read, closed; then the second (id 4, bob) opened.
    update(&mut state, Action::Open);
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Dispatch(
            panes::dispatch::Msg::MessageLoaded(Ok(detail(5, "ana@example.org"))),
        )),
    );
    assert!(draw(&mut state, 160, 48).contains("To: ana@example.org"));
    update(&mut state, Action::Back);
    update(&mut state, Action::Move(1));
    update(&mut state, Action::Open);
    let reading = draw(&mut state, 160, 48);
    assert!(reading.contains("reading the message"), "{reading}");
    assert!(!reading.contains("To: ana@example.org"), "{reading}");
    // A late answer for the first is not the second's.
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Dispatch(
            panes::dispatch::Msg::MessageLoaded(Ok(detail(5, "ana@example.org"))),
        )),
    );
    assert!(!draw(&mut state, 160, 48).contains("To: ana@example.org"));
    update(
        &mut state,
        Action::Pane(panes::PaneMsg::Dispatch(
            panes::dispatch::Msg::MessageLoaded(Err("connection refused".into())),
        )),
    );
    let failed = draw(&mut state, 160, 48);
    assert!(
        failed.contains("the message could not be read: connection refused"),
        "{failed}"
    );
}
