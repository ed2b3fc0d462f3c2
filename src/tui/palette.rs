//! The `:` command palette: what each command means, as an [`Action`].

use super::action::{Action, Pane};
use super::panes::{checklist, cohort};
use crate::cohort::Code;

/// The commands, for the help screen and the palette hint.
pub const COMMANDS: &[(&str, &str)] = &[
    (":gates", "show the gates pane"),
    (":timeline", "show the timeline pane"),
    (":cohort [PATH]", "load a cohort CSV into the cohort pane"),
    (
        ":cohort-filter",
        "+ CODE: cohort rows with that finding (alone: all)",
    ),
    (
        ":checklist",
        "show the checklist pane (:checklist reload re-reads the file)",
    ),
    (":vote", "+ go|no-go ROLE[: note]: vote in the roll call"),
    (
        ":decide [REASON]",
        "freeze the decision (a reason overrides the gates)",
    ),
    (":open ID", "open a gate's detail"),
    (":recheck [ID]", "re-check one gate, or all"),
    (":filter TEXT", "filter the gates list (empty clears)"),
    (":note TEXT", "write an operator note to the journal"),
    (":take-over", "record that you take over the shift"),
    (
        ":handoff [FILE]",
        "show the shift report, or write it to FILE",
    ),
    (":share", "screen-share mode"),
    (":mask", "toggle email masking"),
    (":help", "key help"),
    (":quit", "quit gonogo"),
];

/// What a palette line asks for. `Ok(None)` is an empty line.
pub fn parse(line: &str) -> Result<Option<PaletteCommand>, String> {
    let line = line.trim().trim_start_matches(':').trim();
    let (word, arg) = match line.split_once(char::is_whitespace) {
        Some((w, a)) => (w, a.trim()),
        None => (line, ""),
    };
    let command = match word {
        "" => return Ok(None),
        "gates" | "g" | "1" => PaletteCommand::Run(Action::ShowPane(Pane::Gates)),
        "timeline" | "t" | "2" => PaletteCommand::Run(Action::ShowPane(Pane::Timeline)),
        "cohort" | "c" | "3" if arg.is_empty() => {
            PaletteCommand::Run(Action::ShowPane(Pane::Cohort))
        }
        "cohort" | "c" => PaletteCommand::Run(cohort::Msg::LoadCohort(arg.into()).into()),
        "cohort-filter" if arg.is_empty() => {
            PaletteCommand::Run(cohort::Msg::FilterCohortCode(None).into())
        }
        "cohort-filter" => match Code::parse(arg) {
            Some(code) => PaletteCommand::Run(cohort::Msg::FilterCohortCode(Some(code)).into()),
            None => {
                let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
                return Err(format!(
                    "no finding code `{}`; the codes are {}",
                    crate::text::sanitize_short(arg, 30),
                    known.join(" ")
                ));
            }
        },
        "dispatch" | "d" | "4" => PaletteCommand::Run(Action::ShowPane(Pane::Dispatch)),
        "checklist" | "5" if arg == "reload" => {
            PaletteCommand::Run(checklist::Msg::ReloadChecklist.into())
        }
        "checklist" | "5" => PaletteCommand::Run(Action::ShowPane(Pane::Checklist)),
        "vote" => PaletteCommand::Run(checklist::Msg::StartVote(arg.to_owned()).into()),
        "decide" => PaletteCommand::Run(checklist::Msg::StartDecide(arg.to_owned()).into()),
        "quit" | "q" => PaletteCommand::Run(Action::Quit),
        "help" | "h" => PaletteCommand::Run(Action::ToggleHelp),
        "share" | "screen-share" | "present" => PaletteCommand::Run(Action::ToggleScreenShare),
        "mask" => PaletteCommand::Run(Action::ToggleMask),
        "recheck" | "r" if arg.is_empty() => PaletteCommand::Run(Action::RecheckAll),
        "recheck" | "r" => PaletteCommand::Run(Action::RecheckGate(arg.to_owned())),
        "open" | "o" if !arg.is_empty() => PaletteCommand::Open(arg.to_owned()),
        "filter" | "f" => PaletteCommand::Filter(arg.to_owned()),
        other => match super::notes::palette_action(other, arg) {
            Some(action) => PaletteCommand::Run(action),
            None => {
                return Err(format!(
                    "unknown command `:{}` (try :gates, :timeline, :recheck, :quit; ? lists them)",
                    crate::text::sanitize_short(other, 30)
                ));
            }
        },
    };
    Ok(Some(command))
}

#[derive(Debug, Clone)]
pub enum PaletteCommand {
    Run(Action),
    Open(String),
    Filter(String),
}

/// Words the palette knows, for completion.
const WORDS: &[&str] = &[
    "gates",
    "timeline",
    "cohort",
    "cohort-filter",
    "dispatch",
    "checklist",
    "vote",
    "decide",
    "open",
    "recheck",
    "filter",
    "share",
    "mask",
    "note",
    "take-over",
    "handoff",
    "help",
    "quit",
];

/// Tab completion: the command word, or a gate id after `open` / `recheck`. Completes to the
/// longest prefix the candidates share; `None` when nothing matches.
pub fn complete(line: &str, gate_ids: &[&str]) -> Option<String> {
    let (head, partial, candidates): (&str, &str, Vec<&str>) =
        match line.rsplit_once(char::is_whitespace) {
            Some((head, partial)) => {
                let word = head.trim().trim_start_matches(':');
                if !matches!(word, "open" | "o" | "recheck" | "r") {
                    return None;
                }
                (head, partial, gate_ids.to_vec())
            }
            None => ("", line, WORDS.to_vec()),
        };
    let matches: Vec<&str> = candidates
        .into_iter()
        .filter(|c| c.starts_with(partial))
        .collect();
    let first = matches.first()?;
    let mut common = first.len();
    for m in &matches[1..] {
        common = common.min(
            first
                .chars()
                .zip(m.chars())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    let mut completed = first[..common].to_owned();
    if matches.len() == 1 && head.is_empty() {
        completed.push(' ');
    }
    Some(if head.is_empty() {
        completed
    } else {
        format!("{head} {completed}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_commands_and_gate_ids() {
        let ids = ["sentry_p1", "synthetic", "status_page"];
        assert_eq!(complete("rech", &ids).as_deref(), Some("recheck "));
        assert_eq!(
            complete("recheck sy", &ids).as_deref(),
            Some("recheck synthetic")
        );
        assert_eq!(complete("open s", &ids).as_deref(), Some("open s"));
        assert_eq!(
            complete("open st", &ids).as_deref(),
            Some("open status_page")
        );
        assert_eq!(complete("zzz", &ids), None);
        assert_eq!(complete("filter sy", &ids), None);
    }
}
