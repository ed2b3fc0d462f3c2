//! `gonogo init` (write the starter config and its schema), `gonogo config check` (validate and
//! show it) and `gonogo config schema` (the JSON Schema editors validate it with).

use super::{Failure, Outcome, load_config};
use crate::cli::{Cli, ConfigSchemaArgs, InitArgs};
use crate::exit;
use std::io::Write;

/// The commented starter config with the six gates of the acceptance gate.
pub const STARTER: &str = include_str!("../../assets/gonogo.toml");

/// The starter checklist `gonogo init` writes beside the config (its `[checklist] path`).
pub const STARTER_CHECKLIST: &str = include_str!("../../assets/checklist.md");
/// Its file name, as the starter config names it.
pub const STARTER_CHECKLIST_NAME: &str = "SOFT_LAUNCH_BETA_2026_CHECKLIST.md";

pub fn init(args: &InitArgs) -> Outcome {
    // `gonogo init ops/` means "put the starter in ops/", as `cp` would.
    let path = if args.path.is_dir() {
        args.path.join("gonogo.toml")
    } else {
        args.path.clone()
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if args.force {
        options.create(true).truncate(true);
    } else {
        // create_new: never clobber an operator's config, even in a race.
        options.create_new(true);
    }
    let shown = path.display();
    let mut file = options.open(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => Failure::new(
            exit::CONFIG,
            format!("{shown} already exists; pass --force to overwrite it"),
        ),
        _ => Failure::new(exit::IO, format!("cannot write {shown}: {e}")),
    })?;
    file.write_all(starter().as_bytes())
        .map_err(|e| Failure::new(exit::IO, format!("cannot write {shown}: {e}")))?;
    outln!("wrote {shown}");
    write_schema(&path, args.force)?;
    write_template(&path)?;
    write_checklist(&path, args.force)?;
    outln!(
        "next: set DATABASE_URL, SENTRY_AUTH_TOKEN, PROM_URL and GITHUB_TOKEN, then run `gonogo config check`"
    );
    Ok(exit::OK)
}

/// The starter config as `gonogo init` writes it: first the `#:schema` line taplo (Even Better
/// TOML, Helix, Zed, Neovim) reads, pointing at the schema written beside it, so editors check
/// it offline.
pub fn starter() -> String {
    format!("#:schema ./{}\n{STARTER}", crate::config::SCHEMA_FILE)
}

/// `gonogo.toml`'s JSON Schema as `gonogo config schema` prints it.
pub fn schema_text() -> String {
    let keymap = crate::tui::keymap::Keymap::default();
    let actions: Vec<(&str, &str)> = keymap
        .bindings()
        .iter()
        .map(|b| (b.name(), b.help))
        .collect();
    let schema = crate::config::json_schema(&actions);
    match serde_json::to_string_pretty(&schema) {
        Ok(text) => text + "\n",
        // A `Value` always serialises; kept total rather than unwrapped.
        Err(e) => format!("{{\"error\": \"{e}\"}}\n"),
    }
}

pub fn schema(args: &ConfigSchemaArgs) -> Outcome {
    let text = schema_text();
    if args.markdown {
        let schema: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| Failure::new(exit::SOFTWARE, format!("the schema does not read: {e}")))?;
        out!("{}", crate::config::key_reference(&schema));
    } else {
        out!("{text}");
    }
    Ok(exit::OK)
}

/// Writes the schema beside the config (an existing one is kept unless `--force`).
fn write_schema(config: &std::path::Path, force: bool) -> Result<(), Failure> {
    let path = beside(config, crate::config::SCHEMA_FILE);
    let shown = path.display();
    if write_new(&path, &schema_text(), force)? {
        outln!("wrote {shown} (the config's JSON Schema, for editors)");
    } else {
        outln!("kept the existing {shown} (`gonogo config schema > {shown}` updates it)");
    }
    Ok(())
}

fn beside(config: &std::path::Path, name: &str) -> std::path::PathBuf {
    config
        .parent()
        .unwrap_or(std::path::Path::new(""))
        .join(name)
}

/// Writes `text` to `path` unless the file exists (then false), or over it with `force`.
fn write_new(path: &std::path::Path, text: &str, force: bool) -> Result<bool, Failure> {
    let shown = path.display();
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(text.as_bytes())
                .map_err(|e| Failure::new(exit::IO, format!("cannot write {shown}: {e}")))?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(Failure::new(exit::IO, format!("cannot write {shown}: {e}"))),
    }
}

fn write_template(config_path: &std::path::Path) -> Result<(), Failure> {
    let base = config_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| std::path::Path::new("."));
    let dir = base.join("templates/beta_invite");
    std::fs::create_dir_all(&dir)
        .map_err(|e| Failure::new(exit::IO, format!("cannot create {}: {e}", dir.display())))?;
    for (name, text) in crate::invite::template::DEFAULT {
        let path = dir.join(name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => file.write_all(text.as_bytes()).map_err(|e| {
                Failure::new(exit::IO, format!("cannot write {}: {e}", path.display()))
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                outln!("kept {} (already there)", path.display());
                continue;
            }
            Err(e) => {
                return Err(Failure::new(
                    exit::IO,
                    format!("cannot write {}: {e}", path.display()),
                ));
            }
        }
        outln!("wrote {}", path.display());
    }
    Ok(())
}

/// Writes the starter checklist next to the config; an existing one is kept unless `--force`.
fn write_checklist(config: &std::path::Path, force: bool) -> Result<(), Failure> {
    let path = beside(config, STARTER_CHECKLIST_NAME);
    let shown = path.display();
    if write_new(&path, STARTER_CHECKLIST, force)? {
        outln!("wrote {shown} (the decision call's checklist)");
    } else {
        outln!("kept the existing {shown}");
    }
    Ok(())
}

pub fn check(cli: &Cli) -> Outcome {
    let loaded = load_config(cli)?;
    crate::tui::keymap::validate(&loaded.config.raw.keys)
        .map_err(|e| Failure::new(exit::CONFIG, format!("{}: {e}", loaded.path.display())))?;
    let config = &loaded.config;
    outln!(
        "# {} is valid: {}",
        loaded.path.display(),
        crate::plural::count(config.gates.len() as u64, "gate")
    );
    for warning in warnings(config, chrono::Utc::now()) {
        errln!("warning: {warning}");
    }
    out!("{}", config.to_redacted_toml());
    Ok(exit::OK)
}

/// What is valid but will not do what the operator likely means.
fn warnings(config: &crate::config::Config, now: chrono::DateTime<chrono::Utc>) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(why) = super::check::nothing_required(config, &config.gates) {
        found.push(format!(
            "no required gate: {why}, so `gonogo check` can only say UNKNOWN (exit 2)"
        ));
    }
    if config.checklist_path.is_some()
        && let Err(e) = crate::checklist::load_configured(config)
    {
        found.push(format!("the checklist cannot be used: {e}"));
    }
    if let Some(warning) = send_command_in_ps(config) {
        found.push(warning);
    }
    if let Some(at) = config.launch().decision_at
        && at < now
    {
        found.push(format!(
            "[launch] decision_at {} is in the past; the countdown shows time since the call",
            crate::clock::rfc3339(at)
        ));
    }
    found
}

/// A send command that carries a secret on its command line: `ps` shows it to every user.
fn send_command_in_ps(config: &crate::config::Config) -> Option<String> {
    let invites = config.raw.invites.as_ref()?;
    let command = invites.send_command()?;
    let named = !invites.command_line_secrets().secrets.is_empty();
    let known = config.redactor.redact_raw(&command) != command;
    if !named && !known {
        return None;
    }
    let from = if invites.send_cmd.is_some() {
        "[invites] send_cmd"
    } else {
        "$SEND_CMD"
    };
    Some(format!(
        "{from} passes a secret on its command line, which every user of this machine can read \
         in `ps`: keep it in msmtp's config file (mode 0600) or have msmtp fetch it with \
         `passwordeval` (e.g. `--passwordeval='printenv SMTP_PASSWORD'`, the variable set in \
         gonogo's environment)"
    ))
}
