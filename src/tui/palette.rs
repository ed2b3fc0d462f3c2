//! The `:` command palette: what each command means, as an [`Action`]. The cockpit's own
//! commands are here; each pane offers its own (`PaneKind::PALETTE`), asked through the
//! registry in `panes`.

use super::action::Action;
use super::pane::PaletteRow;
use super::panes;

/// The cockpit's own commands (those of no pane): the words that call them (the first is
/// completed), how the help shows them, and whether they change the launch (a read-only
/// cockpit leaves those out and refuses them). `parse` below gives each its meaning.
const SHARED: &[PaletteRow] = &[
    row(&["open", "o"], ":open ID", "open a gate's detail", false),
    row(
        &["recheck", "r"],
        ":recheck [ID]",
        "re-check one gate, or all",
        false,
    ),
    row(
        &["filter", "f"],
        ":filter TEXT",
        "filter the gates list (empty clears)",
        false,
    ),
    row(
        &["note", "n"],
        ":note TEXT",
        "write an operator note to the journal",
        true,
    ),
    row(
        &["take-over", "takeover"],
        ":take-over",
        "record that you take over the shift",
        true,
    ),
    row(
        &["handoff"],
        ":handoff [FILE]",
        "show the shift report, or write it to FILE",
        false,
    ),
    row(
        &["share", "screen-share", "present"],
        ":share",
        "screen-share mode",
        false,
    ),
    row(&["mask"], ":mask", "toggle email masking", false),
    row(&["help", "h"], ":help", "key help", false),
    row(&["quit", "q"], ":quit", "quit gonogo", false),
];

const fn row(
    words: &'static [&'static str],
    usage: &'static str,
    help: &'static str,
    writes: bool,
) -> PaletteRow {
    PaletteRow {
        words,
        usage,
        help,
        writes,
    }
}

/// Every command, for the help screen: the panes' in tab order, then the cockpit's;
/// `read_only` leaves out those that change the launch.
pub fn commands(read_only: bool) -> Vec<(String, String)> {
    let mut rows = panes::palette_help(read_only);
    rows.extend(
        SHARED
            .iter()
            .filter(|row| !(read_only && row.writes))
            .map(|row| (row.usage.to_owned(), row.help.to_owned())),
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
    let shared_writes = SHARED.iter().any(|r| r.writes && r.words.contains(&word));
    if read_only && (shared_writes || panes::palette_writes(word)) {
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
    words.extend(
        SHARED
            .iter()
            .filter_map(|r| r.words.first().map(|w| (*w).to_owned())),
    );
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
