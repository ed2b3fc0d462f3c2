//! The read-only cockpit (`tui --read-only`, `[launch] read_only = true`): nothing that changes
//! the launch is offered (help, footer, the palette's list) or run (its keys and `:` commands
//! answer one line, and `update` lets no write through whatever asks for it), the header says
//! READ-ONLY, and a viewer on a real database writes nothing at all while it shows what the
//! writable cockpits record. The binary's flag is driven in a real terminal.

mod support;
mod tui_support;

#[path = "support/tmux.rs"]
mod tmux;

use gonogo::checklist::ItemState;
use gonogo::config::{Config, load_str};
use gonogo::tui::driver::Driver;
use gonogo::tui::keymap::{Context, Keymap};
use gonogo::tui::palette;
use gonogo::tui::panes::{self, PaneJob};
use gonogo::tui::state::State;
use gonogo::tui::theme::Theme;
use gonogo::tui::{Action, CockpitOptions, Effect, Pane, update};
use sqlx::PgPool;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;
use tui_input::InputRequest;
use tui_support::{CONFIG, INVITES, at, draw, ok};

/// The Checklist pane's file (never read by these tests: the pane's keys are what counts).
const CHECKLIST: &str = "\n[checklist]\npath = \"checklist.md\"\n";

/// Every pane with something to change: the six gates, dispatch, the checklist.
fn config(read_only: bool) -> Config {
    let mut text = format!("{CONFIG}{INVITES}{CHECKLIST}");
    if read_only {
        text = text.replacen(
            "decision_at = \"2026-11-24T18:00:00Z\"\n",
            "decision_at = \"2026-11-24T18:00:00Z\"\nread_only = true\n",
            1,
        );
        assert!(text.contains("read_only = true"));
    }
    load_str(&text, Path::new("fixture.toml")).unwrap()
}

fn state(read_only: bool) -> State {
    State::new(
        &config(read_only),
        "vera",
        false,
        Keymap::default(),
        Theme::plain(),
        at(14, 0, 0),
    )
}

fn said(state: &State) -> String {
    state
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

/// What the effects ask beyond the screen and the gates' re-checks.
fn writes(effects: &[Effect]) -> Vec<&Effect> {
    effects
        .iter()
        .filter(|e| e.writes(PaneJob::writes))
        .collect()
}

/// The writing bindings, each with a pane it works in.
fn writing_bindings(keymap: &Keymap) -> Vec<(gonogo::tui::keymap::Binding, Pane)> {
    keymap
        .bindings()
        .iter()
        .filter(|b| b.writes)
        .map(|b| {
            let pane = Pane::ALL
                .iter()
                .copied()
                .find(|p| b.panes.contains(*p))
                .unwrap();
            (b.clone(), pane)
        })
        .collect()
}

#[test]
fn every_key_that_changes_the_launch_is_refused_with_one_line() {
    let writable = state(false);
    let bindings = writing_bindings(&writable.keymap);
    let names: Vec<&str> = bindings.iter().map(|(b, _)| b.name()).collect();
    for expected in [
        "note",
        "tick",
        "untick",
        "vote",
        "decide",
        "override",
        "start_send",
        "pause_send",
        "retry_failed",
    ] {
        assert!(names.contains(&expected), "{expected} writes: {names:?}");
    }

    for (binding, pane) in bindings {
        let key = binding.keys[0];
        // The writable cockpit runs the command's own action.
        let run = writable.keymap.action_for(Context::Cockpit, pane, key);
        assert!(
            !matches!(run, Some(Action::ReadOnly(_)) | None),
            "{}: {run:?}",
            binding.name()
        );

        let mut viewer = state(true);
        update(&mut viewer, Action::ShowPane(pane));
        let action = viewer.keymap.action_for(Context::Cockpit, pane, key);
        let Some(action @ Action::ReadOnly(command)) = action else {
            panic!("{} is not refused: {action:?}", binding.name());
        };
        assert_eq!(command, binding.command);
        let effects = update(&mut viewer, action);
        assert!(
            writes(&effects).is_empty(),
            "{}: {effects:?}",
            binding.name()
        );
        assert!(
            viewer.overlays.is_empty(),
            "{}: nothing opens",
            binding.name()
        );
        let line = said(&viewer);
        assert_eq!(
            line,
            format!(
                "read-only cockpit: {key} ({}) changes the launch and is not available here",
                binding.name()
            )
        );
        assert!(!line.contains('\n'));
    }
}

#[test]
fn help_and_footers_offer_nothing_that_changes_the_launch() {
    let (writable, viewer) = (state(false), state(true));
    for &pane in Pane::ALL {
        let offered: Vec<&str> = viewer.keymap.bindings_for(pane).map(|b| b.name()).collect();
        assert!(
            viewer.keymap.bindings_for(pane).all(|b| !b.writes),
            "{pane:?}: {offered:?}"
        );
        // Moving about and reading stay.
        for kept in ["help", "quit", "next_pane", "recheck_all", "screen_share"] {
            assert!(offered.contains(&kept), "{pane:?} lost {kept}");
        }
        let footer = |state: &State| -> Vec<String> {
            let entries = state.keymap.footer_in(Context::Cockpit, pane);
            entries
                .into_iter()
                .map(|(_, label)| label.to_owned())
                .collect()
        };
        let (all, shown) = (footer(&writable), footer(&viewer));
        for label in &all {
            let command = writing_bindings(&writable.keymap)
                .into_iter()
                .map(|(b, _)| b.command)
                .find(|c| {
                    gonogo::tui::panes::footer(pane, Context::Cockpit)
                        .unwrap_or_default()
                        .iter()
                        .any(|(fc, fl)| fc == c && fl == label)
                });
            assert_eq!(
                shown.contains(label),
                command.is_none(),
                "{pane:?}: `{label}` in {shown:?}"
            );
        }
    }
    // The panes that change something lose those entries (and the others keep theirs).
    let dispatch = viewer.keymap.footer_in(Context::Cockpit, Pane::Dispatch);
    let labels: Vec<&str> = dispatch.iter().map(|(_, l)| *l).collect();
    assert!(
        !labels.contains(&"send") && labels.contains(&"message"),
        "{labels:?}"
    );
    let checklist = viewer.keymap.footer_in(Context::Cockpit, Pane::Checklist);
    assert!(checklist.iter().all(|(_, l)| *l != "tick" && *l != "vote"));

    let listed = |read_only| -> Vec<String> {
        palette::commands(read_only)
            .into_iter()
            .map(|(usage, _)| usage)
            .collect()
    };
    let (everything, viewers) = (listed(false), listed(true));
    for writing in [":note", ":take-over", ":vote", ":decide"] {
        let named = |u: &String| u.split(' ').next() == Some(writing);
        assert!(everything.iter().any(named), "{everything:?}");
        assert!(!viewers.iter().any(named), "{viewers:?}");
    }
    assert!(viewers.iter().any(|u| u == ":handoff [FILE]"));

    // The help popup, as drawn.
    let mut viewer = state(true);
    update(&mut viewer, Action::ShowPane(Pane::Checklist));
    update(&mut viewer, Action::ToggleHelp);
    let screen = draw(&mut viewer, 160, 48);
    assert!(screen.contains("[open_items]"), "{screen}");
    for gone in ["[tick]", "[vote]", "[decide]", "[note]", ":take-over"] {
        assert!(!screen.contains(gone), "{gone}:\n{screen}");
    }
}

#[test]
fn the_palette_refuses_what_changes_the_launch() {
    for line in [
        "note the deploy is done",
        "n hello",
        "note",
        "take-over",
        "vote go ops",
        "decide",
    ] {
        let mut viewer = state(true);
        update(&mut viewer, Action::StartPalette);
        for c in line.chars() {
            update(&mut viewer, Action::Edit(InputRequest::InsertChar(c)));
        }
        let effects = update(&mut viewer, Action::Submit);
        assert!(writes(&effects).is_empty(), "{line}: {effects:?}");
        let word = line.split(' ').next().unwrap();
        assert_eq!(
            said(&viewer),
            format!("read-only cockpit: `:{word}` changes the launch and is not available here"),
            "{line}"
        );
        assert!(viewer.overlays.is_empty(), "{line}: {:?}", viewer.overlays);
    }
    // Reading commands still work.
    let mut viewer = state(true);
    assert!(matches!(
        palette::parse(":recheck", true),
        Ok(Some(palette::PaletteCommand::Run(Action::RecheckAll)))
    ));
    update(&mut viewer, Action::StartPalette);
    for c in "checklist".chars() {
        update(&mut viewer, Action::Edit(InputRequest::InsertChar(c)));
    }
    update(&mut viewer, Action::Submit);
    assert_eq!(viewer.pane, Pane::Checklist);
}

#[test]
fn no_write_gets_past_update_whatever_asks_for_it() {
    // Actions no key of a viewer sends, arriving anyway: said, never done.
    for action in [Action::AddNote("psst".into()), Action::TakeOver] {
        let (mut writable, mut viewer) = (state(false), state(true));
        let label = format!("{action:?}");
        let done = update(&mut writable, action.clone());
        assert!(
            !writes(&done).is_empty(),
            "{label}: the writable cockpit writes"
        );
        let effects = update(&mut viewer, action);
        assert!(writes(&effects).is_empty(), "{label}: {effects:?}");
        assert_eq!(
            said(&viewer),
            "read-only cockpit: that changes the launch and was not done"
        );
    }

    // A pane's job that writes, handed to the guard directly.
    let mut viewer = state(true);
    let mut effects = vec![
        Effect::Pane(PaneJob::Dispatch(panes::dispatch::Job::StartSend {
            batch: None,
        })),
        Effect::Pane(PaneJob::Dispatch(panes::dispatch::Job::LoadDispatch)),
        Effect::RecheckAll,
    ];
    gonogo::tui::read_only::keep_reads(&mut viewer, &mut effects);
    assert_eq!(
        effects,
        vec![
            Effect::Pane(PaneJob::Dispatch(panes::dispatch::Job::LoadDispatch)),
            Effect::RecheckAll
        ]
    );

    // The cockpit's own bookkeeping of a reading (the transition, the observation, the alert
    // engine's look) is left to the launch's writable clients, without a word.
    let reading = || {
        ok(
            "testers",
            at(14, 0, 5),
            gonogo::gate::Value::Number(70.0),
            None,
        )
    };
    let mut writable = state(false);
    let done = update(&mut writable, reading());
    assert!(
        done.iter()
            .any(|e| matches!(e, Effect::RecordTransitions(_))),
        "{done:?}"
    );
    let mut viewer = state(true);
    let effects = update(&mut viewer, reading());
    assert!(writes(&effects).is_empty(), "{effects:?}");
    assert!(viewer.status.is_none(), "{:?}", viewer.status);
    assert_eq!(
        viewer.board.get("testers").map(|g| g.state),
        Some(gonogo::gate::GateState::Pass),
        "the viewer still shows the reading"
    );
}

#[test]
fn the_header_and_the_screen_share_say_read_only() {
    for (width, height) in [(80, 24), (160, 48)] {
        let (mut writable, mut viewer) = (state(false), state(true));
        let header = |screen: String| screen.lines().next().unwrap_or_default().to_owned();
        assert!(!header(draw(&mut writable, width, height)).contains("READ-ONLY"));
        let top = header(draw(&mut viewer, width, height));
        let badges = top.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            badges.contains("PRODUCTION READ-ONLY op vera"),
            "{width}x{height}: {top}"
        );
        update(&mut viewer, Action::ToggleScreenShare);
        let shared = draw(&mut viewer, width, height);
        assert!(shared.contains("READ-ONLY"), "{shared}");
    }
}

/// Every table of gonogo's schema and its row count.
async fn rows_per_table(pool: &PgPool) -> BTreeMap<String, i64> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = 'gonogo' AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut counts = BTreeMap::new();
    for table in tables {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            // The names come from the catalogue, not from input.
            "SELECT count(*) FROM gonogo.\"{table}\""
        )))
        .fetch_one(pool)
        .await
        .unwrap();
        counts.insert(table, n);
    }
    counts
}

fn checklist_files(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let list = dir.join("checklist.md");
    std::fs::write(
        &list,
        "# Launch checklist\n\n## D-day\n\n- [ ] Migration applied to staging\n- [ ] Fresh file on disk <!-- gate: fresh -->\n",
    )
    .unwrap();
    let marker = dir.join("fresh.txt");
    std::fs::write(&marker, "x").unwrap();
    (list, marker)
}

fn viewer_config(url: &str, list: &Path, marker: &Path) -> Config {
    let mut config = tui_support::checklist_config("2030-01-01T18:00:00Z", url, list, marker);
    config.raw.launch.read_only = true;
    config
}

#[sqlx::test(migrations = false)]
async fn a_viewer_on_the_launchs_database_writes_nothing_and_sees_everything(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    let url = support::db_url(&pool);
    let dir = tempfile::tempdir().unwrap();
    let (list, marker) = checklist_files(dir.path());

    // Alice, at a writable cockpit, ticks an item; her gate's first state is journaled.
    let alice_config = tui_support::checklist_config("2030-01-01T18:00:00Z", &url, &list, &marker);
    let mut alice = Driver::start(
        alice_config,
        CockpitOptions::new("alice", Keymap::default()),
    )
    .unwrap();
    assert!(
        alice
            .run_until(Duration::from_secs(10), |s| s
                .panes
                .checklist
                .call
                .is_some()
                && s.panes.checklist.view.is_some())
            .await
    );
    tui_support::select_item(&mut alice, "Migration applied to staging");
    alice.dispatch(panes::checklist::Msg::StartTick.into());
    alice.dispatch(Action::Submit);
    let item = |s: &State| {
        s.panes
            .checklist
            .view
            .as_ref()
            .and_then(|v| v.items().find(|i| i.text == "Migration applied to staging"))
            .map(|i| (i.state, i.by.clone()))
    };
    assert!(
        alice
            .run_until(Duration::from_secs(10), |s| item(s)
                == Some((ItemState::Done, Some("alice".into()))))
            .await
    );
    // A read still under way is abandoned at quit; every line she wrote is recorded.
    let left = alice.stop().await;
    assert!(left.iter().all(|l| !l.contains("recorded")), "{left:?}");
    let before = rows_per_table(&pool).await;
    assert!(before["journal"] > 0, "alice's lines: {before:?}");

    // The viewer sees her tick and its own gate readings.
    let mut viewer = Driver::start(
        viewer_config(&url, &list, &marker),
        CockpitOptions::new("vera", Keymap::default()),
    )
    .unwrap();
    assert!(
        viewer
            .run_until(Duration::from_secs(10), |s| {
                item(s) == Some((ItemState::Done, Some("alice".into())))
                    && s.board.get("fresh").map(|g| g.state) == Some(gonogo::gate::GateState::Pass)
                    && !s.panes.timeline.rows().is_empty()
            })
            .await,
        "the viewer shows the launch: {:?}",
        item(&viewer.state)
    );

    // Every key of every pane, every writing `:` command, and the writes no key sends.
    for &pane in Pane::ALL {
        viewer.dispatch(Action::ShowPane(pane));
        let keys: Vec<_> = viewer
            .state
            .keymap
            .bindings()
            .iter()
            .filter(|b| b.panes.contains(pane) && b.name() != "quit")
            .flat_map(|b| b.keys.clone())
            .collect();
        for key in keys {
            if let Some(action) = viewer.state.keymap.action_for(Context::Cockpit, pane, key) {
                viewer.dispatch(action);
            }
            // Whatever opened (the help, a detail, screen share) closes again.
            for _ in 0..3 {
                viewer.dispatch(Action::Back);
            }
        }
    }
    for line in ["note hello", "take-over", "vote go ops", "decide"] {
        viewer.dispatch(Action::StartPalette);
        for c in line.chars() {
            viewer.dispatch(Action::Edit(InputRequest::InsertChar(c)));
        }
        viewer.dispatch(Action::Submit);
    }
    viewer.dispatch(Action::AddNote("from the viewer".into()));
    viewer.dispatch(Action::TakeOver);
    // The gates keep being read (several passes at its 1 s interval) while all that settles.
    let checks = viewer.state.board.get("fresh").map(|g| g.observed_at);
    assert!(
        viewer
            .run_until(Duration::from_secs(10), |s| {
                s.board.get("fresh").map(|g| g.observed_at) != checks
            })
            .await
    );
    let left = viewer.stop().await;
    assert!(left.iter().all(|l| !l.contains("recorded")), "{left:?}");
    assert_eq!(
        rows_per_table(&pool).await,
        before,
        "the viewer wrote nothing"
    );

    // And the database itself refuses a viewer's connections any write.
    let db = gonogo::db::Database::connect_lazy_as(
        &gonogo::config::ConfigUrl::new(url.clone()),
        Duration::from_secs(5),
        true,
    )
    .unwrap();
    let refused = sqlx::query("CREATE TABLE gonogo.viewer_was_here (x int)")
        .execute(db.state())
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("read-only transaction"),
        "{refused}"
    );
    sqlx::query("LISTEN gonogo_journal")
        .execute(db.state())
        .await
        .unwrap();
}

#[sqlx::test(migrations = false)]
async fn the_binary_s_read_only_flag_in_a_real_terminal(pool: PgPool) {
    gonogo::db::migrate(&pool).await.unwrap();
    let url = support::db_url(&pool);
    let dir = tempfile::tempdir().unwrap();
    let (list, marker) = checklist_files(dir.path());
    let config = dir.path().join("gonogo.toml");
    std::fs::write(
        &config,
        format!(
            "[launch]\nname = \"Viewer launch\"\nenvironment = \"staging\"\ndecision_at = \"2030-01-01T18:00:00Z\"\n\n\
             [postgres]\nurl = \"{url}\"\n\n[checklist]\npath = \"{}\"\n\n\
             [[gate]]\nid = \"fresh\"\ntitle = \"Fresh file\"\nsource = \"file_age\"\npath = \"{}\"\npass = \"< 1h\"\nevery = \"1s\"\n",
            list.display(),
            marker.display()
        ),
    )
    .unwrap();
    let tmux = tmux::Tmux::start("read-only", 100, 30);
    tmux.type_line(&format!(
        "clear; GONOGO_LOG_DIR={} {} tui --read-only --config {} --operator vera; echo EXIT=$?",
        dir.path().join("logs").display(),
        env!("CARGO_BIN_EXE_gonogo"),
        config.display(),
    ));
    tmux.wait_for("the read-only cockpit", |s| {
        s.lines()
            .next()
            .is_some_and(|l| l.contains("READ-ONLY") && l.trim_end().ends_with(" GO"))
    });
    tmux.keys(&["n"]);
    tmux.wait_for("the note refused", |s| {
        s.contains("read-only cockpit: n (note) changes the launch")
    });
    tmux.keys(&["5"]);
    let checklist = tmux.wait_for("the checklist", |s| {
        s.contains("Migration applied to staging")
    });
    let footer = checklist.lines().last().unwrap_or_default().to_owned();
    assert!(!footer.contains("tick"), "{footer}");
    tmux.keys(&["Space"]);
    tmux.wait_for("the tick refused", |s| {
        s.contains("read-only cockpit: Space (tick) changes the launch")
    });
    tmux.keys(&["q"]);
    tmux.wait_for("the exit", |s| s.contains("EXIT=0"));
    tmux::assert_restored(&tmux);
    let journal: i64 = sqlx::query_scalar("SELECT count(*) FROM gonogo.journal")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        journal, 0,
        "a writable cockpit would have journaled the gate's first state"
    );
}
