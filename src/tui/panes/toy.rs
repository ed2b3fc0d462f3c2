//! A toy pane, registered in test builds only, to show (and keep true) what a new pane costs:
//! this file, its id in `kit::Pane` and its line in `panes!`; nothing else that is shared (its
//! key, its `:toy` command, its footer and its place in `State::panes` come from here).

use crate::tui::jobs::Jobs;
use crate::tui::keys::Panes;
use crate::tui::keys::{COCKPIT, SAFE};
use crate::tui::kit::Command;
use crate::tui::kit::Pane;
use crate::tui::pane::{Cx, PaneKind, PaneTypes};
use ratatui::Frame;
use ratatui::layout::Rect;

crate::tui::keys::commands! { KEYS:
    ToyBump = "toy_bump", ["b"], SAFE, COCKPIT, Panes::Only(&[Pane::Toy]),
        "bump the toy" => Msg::Bump(1).into();
}

#[derive(Debug, Clone, Default)]
pub struct ToyPane {
    pub count: u32,
    pub pongs: Vec<u32>,
}

#[derive(Debug, Clone)]
pub enum Msg {
    Bump(u32),
    Pong(u32),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Modal {}

#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    Ping(u32),
}

impl PaneTypes for ToyPane {
    type Msg = Msg;
    type Modal = Modal;
    type Job = Job;
}

/// The shared vocabulary in this pane's words (`crate::tui::message`, `crate::tui::pane`).
pub type Action = crate::tui::message::Action<Msg>;
pub type Effect = crate::tui::message::Effect<Job>;
pub type Overlay = crate::tui::overlay::Overlay<Modal, Action>;
pub type Reply = crate::tui::pane::Reply<ToyPane>;
pub type Submit = crate::tui::pane::Submit<ToyPane>;

impl PaneKind for ToyPane {
    const TITLE: &'static str = "Toy";
    const FOOTER: &'static [(Command, &'static str)] =
        &[(Command::ToyBump, "bump"), (Command::Quit, "quit")];
    const KEYS: &'static [crate::tui::keys::Row<Action>] = KEYS;

    fn start(_start: &crate::tui::pane::Start) -> Self {
        ToyPane::default()
    }

    fn update(&mut self, _: &Cx, msg: Msg) -> Reply {
        match msg {
            Msg::Bump(n) => {
                self.count += n;
                Reply {
                    effects: vec![Job::Ping(self.count).into()],
                    ..Reply::default()
                }
            }
            Msg::Pong(n) => {
                self.pongs.push(n);
                Reply::default()
            }
        }
    }

    fn render(&self, _: &crate::tui::kit::View, _: &mut Frame, _: Rect) {}

    fn run(job: Job, jobs: &mut Jobs<Msg>) {
        let Job::Ping(n) = job;
        let _ = jobs.actions.send(Action::from(Msg::Pong(n)));
    }

    fn writes(job: &Job) -> bool {
        match job {
            Job::Ping(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::{Action as AnyAction, Effect as AnyEffect};
    use crate::tui::effects::{Setup, Tasks};
    use crate::tui::keymap::Keymap;
    use crate::tui::keymap::{Context, Key};
    use crate::tui::palette::{self, PaletteCommand};
    use crate::tui::panes::PaneJob;
    use crate::tui::state::State;
    use crate::tui::theme::Theme;
    use chrono::{TimeZone, Utc};

    const CONFIG: &str = r#"
[launch]
name = "Toy launch"
environment = "staging"

[[gate]]
id = "status_page"
title = "Status page"
source = "http"
url = "https://status.example.com/api/v2/status.json"
json = "/status/indicator"
pass = "== 'none'"
"#;

    #[test]
    fn a_registered_toy_pane_takes_its_message_and_its_job_goes_through_the_runner() {
        let config = crate::config::load_str(CONFIG, std::path::Path::new("toy.toml")).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 14, 0, 0).unwrap();
        let mut state = State::new(
            &config,
            "ana",
            false,
            Keymap::default(),
            Theme::plain(),
            now,
        );
        assert!(Pane::ALL.contains(&Pane::Toy));

        let effects = crate::tui::update::update(&mut state, Msg::Bump(2).into());
        assert_eq!(state.panes.toy.count, 2);
        let job = effects.into_iter().find_map(|e| match e {
            AnyEffect::Pane(job) => Some(job),
            _ => None,
        });
        assert_eq!(job, Some(PaneJob::Toy(Job::Ping(2))));

        let (actions, mut answers) = tokio::sync::mpsc::unbounded_channel();
        let setup = Setup {
            journal: None,
            database: None,
            config: config.clone(),
            cohort_db: None,
            cohort_settings: config.raw.cohort.clone(),
            redactor: config.redactor.clone(),
            home: None,
            terminal: false,
            dispatch: None,
            operator: "ana".into(),
            clock: crate::monitor::Clock::System,
        };
        let (mut tasks, mut long_run) = (Tasks::default(), None);
        crate::tui::panes::run(job.unwrap(), &setup, &mut tasks, &mut long_run, &actions);
        let answer = answers.try_recv().unwrap();
        crate::tui::update::update(&mut state, answer);
        assert_eq!(state.panes.toy.pongs, vec![2]);
    }

    #[test]
    fn the_toy_panes_key_command_and_footer_come_from_its_own_file() {
        let keymap = Keymap::default();
        let bump = keymap.action_for(Context::Cockpit, Pane::Toy, Key::parse("b").unwrap());
        assert!(matches!(bump, Some(AnyAction::Pane(_))), "{bump:?}");
        // Its key is its own: free in the other panes.
        assert!(
            keymap
                .action_for(Context::Cockpit, Pane::Gates, Key::parse("b").unwrap())
                .is_none()
        );
        assert!(
            keymap
                .bindings_for(Pane::Toy)
                .any(|b| b.name() == "toy_bump")
        );
        assert!(
            !keymap
                .bindings_for(Pane::Gates)
                .any(|b| b.name() == "toy_bump")
        );
        assert!(
            Keymap::with_overrides(&std::collections::BTreeMap::from([(
                "toy_bump".to_owned(),
                "x".to_owned()
            )]))
            .is_ok()
        );

        let footer = keymap.footer_in(Context::Cockpit, Pane::Toy);
        assert!(
            footer
                .iter()
                .any(|(key, word)| key == "b" && *word == "bump"),
            "{footer:?}"
        );

        // A pane with no `:` commands of its own is shown by `:toy` and by its number.
        for line in [":toy", &format!(":{}", Pane::Toy.number())] {
            match palette::parse(line, false) {
                Ok(Some(PaletteCommand::Run(AnyAction::ShowPane(Pane::Toy)))) => {}
                other => panic!("{line}: {other:?}"),
            }
        }
        assert!(
            palette::commands(false)
                .iter()
                .any(|(usage, help)| usage == ":toy" && help == "show the toy pane")
        );
        assert_eq!(palette::complete("to", &[]).as_deref(), Some("toy "));
    }
}
