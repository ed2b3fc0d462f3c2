//! The `:` command palette: what each command means, as an [`Action`]. The cockpit's own
//! commands are here; each pane offers its own (`PaneKind::PALETTE`), asked through the
//! registry in `panes`.

use super::action::Action;
use super::panes;

/// The cockpit's own commands (those of no pane), for the help screen: usage, help, and
/// whether it changes the launch (a read-only cockpit leaves those out).
const SHARED: &[(&str, &str, bool)] = &[
    (":open ID", "open a gate's detail", false),
    (":recheck [ID]", "re-check one gate, or all", false),
    (
        ":filter TEXT",
        "filter the gates list (empty clears)",
        false,
    ),
    (":note TEXT", "write an operator note to the journal", true),
    (":take-over", "record that you take over the shift", true),
    (
        ":handoff [FILE]",
        "show the shift report, or write it to FILE",
        false,
    ),
    (":share", "screen-share mode", false),
    (":mask", "toggle email masking", false),
    (":help", "key help", false),
    (":quit", "quit gonogo", false),
];

/// The cockpit's own words that change the launch.
const SHARED_WRITES: &[&str] = &["note", "n", "take-over", "takeover"];

/// Every command, for the help screen: the panes' in tab order, then the cockpit's;
/// `read_only` leaves out those that change the launch.
pub fn commands(read_only: bool) -> Vec<(String, String)> {
    let mut rows = panes::palette_help(read_only);
    rows.extend(
        SHARED
            .iter()
            .filter(|(_, _, writes)| !(read_only && *writes))
            .map(|(c, h, _)| ((*c).to_owned(), (*h).to_owned())),
    );
    rows
}

/// What a palette line asks for. `Ok(None)` is an empty line. In a `read_only` cockpit a
/// command that changes the launch is refused with one line.
pub fn parse(line: &str, read_only: bool) -> Result<Option<PaletteCommand>, String> {
    let line = line.trim().trim_start_matches(':').trim();
    let (word, arg) = match line.split_once(char::is_whitespace) {
        Some((w, a)) => (w, a.trim()),
        None => (line, ""),
    };
    if read_only && (SHARED_WRITES.contains(&word) || panes::palette_writes(word)) {
        return Err(format!(
            "read-only cockpit: `:{word}` changes the launch and is not available here"
        ));
    }
    let command = match word {
        "" => return Ok(None),
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
            None => match panes::palette(other, arg) {
                Some(answer) => PaletteCommand::Run(answer?),
                None => {
                    return Err(format!(
                        "unknown command `:{}` (try :gates, :timeline, :recheck, :quit; ? lists them)",
                        crate::text::sanitize_short(other, 30)
                    ));
                }
            },
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

/// The cockpit's own words, for completion (the panes add theirs).
const WORDS: &[&str] = &[
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

/// Every word the palette completes: the panes' first words, then the cockpit's.
fn words() -> Vec<String> {
    let mut words: Vec<String> = panes::Pane::ALL
        .iter()
        .flat_map(|&pane| {
            let own = panes::palette_rows(pane);
            let firsts: Vec<String> = own
                .iter()
                .filter_map(|row| row.words.first().map(|w| (*w).to_owned()))
                .collect();
            if firsts.is_empty() {
                panes::palette_words(pane).take(1).collect()
            } else {
                firsts
            }
        })
        .collect();
    words.extend(WORDS.iter().map(|w| (*w).to_owned()));
    words
}

/// Tab completion: the command word, or a gate id after `open` / `recheck`. Completes to the
/// longest prefix the candidates share; `None` when nothing matches.
pub fn complete(line: &str, gate_ids: &[&str]) -> Option<String> {
    let words = words();
    let (head, partial, candidates): (&str, &str, Vec<&str>) =
        match line.rsplit_once(char::is_whitespace) {
            Some((head, partial)) => {
                let word = head.trim().trim_start_matches(':');
                if !matches!(word, "open" | "o" | "recheck" | "r") {
                    return None;
                }
                (head, partial, gate_ids.to_vec())
            }
            None => ("", line, words.iter().map(String::as_str).collect()),
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
