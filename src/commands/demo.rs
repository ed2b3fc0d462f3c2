//! `gonogo demo`: starts a [`Rehearsal`] and shows it — headless (gate transitions, verdict
//! changes and the story's beats, like `check --watch`) until the cockpit takes over — then
//! stops it and exits with the final verdict's code.

use super::watch::{StopSignals, Watch};
use super::{Failure, Outcome};
use crate::cli::{Cli, DemoArgs};
use crate::clock::rfc3339;
use crate::demo::{BinarySearch, DemoOptions, Rehearsal, SCRIPT, script};
use crate::source::Sources;
use std::time::Duration;

pub async fn run(cli: &Cli, args: &DemoArgs) -> Outcome {
    let options = DemoOptions {
        speed: args.speed,
        database_url: args.database_url.clone(),
        binaries: BinarySearch::system(),
    };
    if options.database_url.is_none() {
        outln!("starting a throwaway PostgreSQL and simulated services on 127.0.0.1 …");
    }
    let mut stop = StopSignals::new()?;
    let rehearsal = tokio::select! {
        started = Rehearsal::start(options) => {
            started.map_err(|e| Failure::new(e.exit_code(), e.to_string()))?
        }
        () = stop.recv() => {
            return Err(Failure::new(crate::exit::SOFTWARE, "interrupted while starting the rehearsal"));
        }
    };
    let outcome = show(&rehearsal, cli.operator(), args.headless).await;
    // After the headless run or once the cockpit has closed (and the terminal is back).
    out!("\n{}", rehearsal.summary().await);
    rehearsal.shutdown().await;
    outcome
}

/// The one place that picks the front end: the cockpit, unless `--headless` is given or there
/// is no terminal to draw on (a pipe, cron, CI), where the rehearsal prints like `check --watch`.
async fn show(rehearsal: &Rehearsal, operator: String, headless_asked: bool) -> Outcome {
    use std::io::IsTerminal;
    let terminal = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    if headless_asked || !terminal {
        if !headless_asked {
            outln!("(no terminal: showing the rehearsal headless; pass --headless to say so)");
        }
        return headless(rehearsal, operator).await;
    }
    let keymap = crate::tui::Keymap::with_overrides(&rehearsal.config.raw.keys)
        .map_err(|e| Failure::new(crate::exit::CONFIG, e.to_string()))?;
    let mut options = crate::tui::CockpitOptions::new(operator, keymap);
    options.demo = true;
    // The rehearsal's cohort is reviewed in the Cohort pane; the cockpit still opens on the gates.
    options.cohort = rehearsal.cohort_file();
    options.stay_on_first_tab = true;
    crate::tui::run(rehearsal.config.clone(), options)
        .await
        .map_err(|e| Failure::new(e.exit_code(), e.to_string()))
}

/// Prints the rehearsal as `check --watch` prints a launch (the same loop), plus the story's
/// beats, until the decision call; returns the final verdict's exit code.
async fn headless(rehearsal: &Rehearsal, operator: String) -> Outcome {
    let config = &rehearsal.config;
    // Registered before anything starts, so an early signal is not lost.
    let mut stop = StopSignals::new()?;
    let sources = Sources::new(config)?;
    let journal = sources.journal(&config.launch().name.0, &operator);
    print_header(rehearsal);
    let mut watch = Watch::start(config, &config.gates, sources, journal, None, false, None)
        .map_err(|e| Failure::new(crate::exit::UNAVAILABLE, e.to_string()))?;
    let mut progress = rehearsal.progress();
    let mut narrated = 0;
    let mut interrupted = false;
    loop {
        let step = tokio::select! {
            step = watch.next() => step,
            changed = progress.changed() => {
                let played = *progress.borrow_and_update();
                narrate(&SCRIPT[narrated.min(played)..played]);
                narrated = played;
                if changed.is_err() || played >= SCRIPT.len() {
                    break;
                }
                continue;
            }
            () = stop.recv() => {
                interrupted = true;
                break;
            }
        };
        if !watch.report(step) {
            interrupted = true;
            break;
        }
    }
    let verdict = watch.finish().await;
    if interrupted {
        outln!("rehearsal stopped before the decision call; verdict so far: {verdict}");
        // Not the partial verdict's code: a script must not read an interrupted rehearsal as GO.
        return Ok(128 + 2);
    }
    outln!(
        "{} decision call — final VERDICT: {verdict}",
        rfc3339(chrono::Utc::now())
    );
    Ok(verdict.exit_code())
}

fn print_header(rehearsal: &Rehearsal) {
    let config = &rehearsal.config;
    let story = script::STORY_LENGTH.as_secs();
    let wall = Duration::from_secs_f64(script::STORY_LENGTH.as_secs_f64() / rehearsal.speed());
    let every = config
        .gates
        .iter()
        .map(|g| g.every)
        .min()
        .map(|every| format!(", checked every {}", crate::gate::format_interval(every)))
        .unwrap_or_default();
    outln!(
        "rehearsing {}: {}{every}, a {}-minute launch day played {}x faster (about {}); decision call at {}",
        crate::text::sanitize(&config.launch().name.0),
        crate::plural::count(config.gates.len() as u64, "gate"),
        story / 60,
        crate::gate::format_number(rehearsal.speed()),
        crate::gate::format_duration_secs(wall.as_secs_f64()),
        rfc3339(rehearsal.story_ends_at()),
    );
    let e = &rehearsal.endpoints;
    let db = rehearsal
        .database_url()
        .map(ToString::to_string)
        .unwrap_or_default();
    let place = rehearsal
        .throwaway_dir()
        .map(|d| {
            format!(
                " (throwaway, in {})",
                crate::text::sanitize(&d.display().to_string())
            )
        })
        .unwrap_or_default();
    outln!("database: {db}{place}");
    outln!(
        "simulated: Sentry http://{} · Prometheus http://{} · status page http://{} · GitHub http://{}",
        e.sentry,
        e.prometheus,
        e.statuspage,
        e.github
    );
}

fn narrate(beats: &[script::Beat]) {
    for beat in beats {
        let left = script::STORY_LENGTH.saturating_sub(beat.at).as_secs();
        outln!(
            "{} ▶ T-{:02}:{:02} {}",
            rfc3339(chrono::Utc::now()),
            left / 60,
            left % 60,
            beat.says
        );
    }
}
