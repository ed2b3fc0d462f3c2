//! A toy pane, registered in test builds only, to show (and keep true) what a new pane costs:
//! this file, its line in `panes!`, and its field in `State`; nothing else that is shared.

use crate::tui::action::{Action, Effect};
use crate::tui::effects::Jobs;
use crate::tui::keymap::Command;
use crate::tui::panes::{Cx, PaneKind, Reply};
use ratatui::Frame;
use ratatui::layout::Rect;

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

impl PaneKind for ToyPane {
    type Msg = Msg;
    type Modal = Modal;
    type Job = Job;
    const TITLE: &'static str = "Toy";
    const FOOTER: &'static [(Command, &'static str)] = &[(Command::Quit, "quit")];

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

    fn run(job: Job, jobs: &mut Jobs) {
        let Job::Ping(n) = job;
        let _ = jobs.setup.actions.send(Action::from(Msg::Pong(n)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::effects::{Setup, Tasks};
    use crate::tui::keymap::Keymap;
    use crate::tui::panes::{Pane, PaneJob};
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
        assert_eq!(state.toy.count, 2);
        let job = effects.into_iter().find_map(|e| match e {
            Effect::Pane(job) => Some(job),
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
            actions,
            home: None,
            terminal: false,
            dispatch: None,
            operator: "ana".into(),
            clock: crate::monitor::Clock::System,
            metrics: None,
        };
        let (mut tasks, mut long_run) = (Tasks::default(), None);
        let mut jobs = Jobs {
            setup: &setup,
            tasks: &mut tasks,
            long_run: &mut long_run,
        };
        crate::tui::panes::run(job.unwrap(), &mut jobs);
        let answer = answers.try_recv().unwrap();
        crate::tui::update::update(&mut state, answer);
        assert_eq!(state.toy.pongs, vec![2]);
    }
}
