//! Command-line definitions (clap). Parsing only: each command lives in `commands/`.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

mod values;
pub use values::parse_interval;
use values::{parse_listen, parse_retry_window, parse_severity, parse_speed};

#[derive(Debug, Parser)]
#[command(
    name = "gonogo",
    // The commit comes from build.rs: `gonogo 0.1.0 (abc1234 2026-12-07)`.
    version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("GONOGO_BUILD_COMMIT"), ")"),
    about = "A terminal cockpit for launch day: acceptance gates, cohort review and the GO/NO-GO call",
    long_about = None,
    after_help = "Exit codes: 0 GO/ok, 1 NO-GO/blocked, 2 UNKNOWN/warnings, 64 usage error, 78 config error."
)]
pub struct Cli {
    /// Config file (otherwise $GONOGO_CONFIG, ./gonogo.toml, then the XDG config dir)
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Who is at the keyboard, for the journal (default $GONOGO_OPERATOR, $USER, then the login name)
    #[arg(long, global = true, value_name = "NAME")]
    pub operator: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check every gate once and print the verdict (exit 0 GO, 1 NO-GO, 2 UNKNOWN)
    Check(CheckArgs),
    /// Write a commented starter config with the six acceptance gates
    Init(InitArgs),
    /// Inspect the config
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Apply database migrations (beta_invites and gonogo's own schema)
    Migrate,
    /// Open the cockpit (the default when no command is given)
    Tui(TuiArgs),
    /// Rehearse a launch day: throwaway PostgreSQL, simulated services, no setup, no network
    Demo(DemoArgs),
    /// Review the beta cohort CSV before any invite goes out
    #[command(subcommand)]
    Cohort(CohortCommand),
    /// Invite dispatch: prepare codes and .eml files, preview, test-send, send at most once
    #[command(subcommand)]
    Invites(InvitesCommand),
    /// Write an operator note to the shared journal
    Note(NoteArgs),
    /// Print the shared journal (gate transitions and operator actions); --follow streams it
    Timeline(TimelineArgs),
    /// The shift report: verdict, gates, transitions, actions and what needs attention
    Handoff(HandoffArgs),
    /// The post-launch report: report.md with SVG charts (verdict, gates, dispatch, redemptions)
    Report(ReportArgs),
    /// The decision-call checklist: sections, progress, every item (exit 0 all done, 2 otherwise);
    /// `tick` / `untick` an item
    Checklist(ChecklistArgs),
    /// Cast a role's GO/NO-GO vote in the roll call (the last vote of a role counts)
    Vote(VoteArgs),
    /// Freeze the decision once every role has voted (exit 0 GO, 1 NO-GO)
    Decide(DecideArgs),
    /// The frozen decision records: show one, or verify the chain
    #[command(subcommand)]
    Decision(DecisionCommand),
    /// Alerts: send a test alert through the webhook, list what was sent
    #[command(subcommand)]
    Alerts(AlertsCommand),
    /// Print a shell completion script (e.g. `gonogo completions bash > ~/.local/share/bash-completion/completions/gonogo`)
    Completions(CompletionsArgs),
    /// Print the man page (roff), e.g. `gonogo man | man -l -`
    Man,
}

#[derive(Debug, Args)]
pub struct NoteArgs {
    /// The note (words are joined with spaces); at most 2,000 characters
    #[arg(value_name = "TEXT", required = true, num_args = 1..)]
    pub text: Vec<String>,
}

#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// Only lines since this long ago (`30m`, `8h`) or this time (RFC 3339)
    #[arg(long, value_name = "DUR|RFC3339")]
    pub since: Option<String>,
    /// Only this gate's lines
    #[arg(long, value_name = "ID")]
    pub gate: Option<String>,
    /// Only lines of this kind (gate, note, shift_takeover, cohort_override, demo, …)
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// One JSON object per line
    #[arg(long)]
    pub json: bool,
    /// Keep printing new lines as they are written, from any cockpit or command
    #[arg(long)]
    pub follow: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub struct HandoffArgs {
    /// The period's start: a duration ago (`8h`) or a time (RFC 3339); default: the last shift
    /// take-over, else the last 8 hours
    #[arg(long, value_name = "DUR|RFC3339")]
    pub since: Option<String>,
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: ReportFormat,
    /// Write the report to this file instead of stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Record that you take over the shift (after writing the report)
    #[arg(long)]
    pub take_over: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The period's start: a duration ago (`24h`) or a time (RFC 3339); default: the last 24 hours
    #[arg(long, value_name = "DUR|RFC3339")]
    pub since: Option<String>,
    /// The directory to write report.md and its charts into (created if missing)
    #[arg(long, value_name = "DIR", default_value = "report")]
    pub out: PathBuf,
    /// The report's "now" (RFC 3339) instead of the wall clock: reproducible reports and tests
    #[arg(long, value_name = "RFC3339", hide = true)]
    pub now: Option<String>,
}

#[derive(Debug, Args)]
pub struct ChecklistArgs {
    #[command(subcommand)]
    pub action: Option<ChecklistAction>,
    /// Print one JSON object instead of the list
    #[arg(long)]
    pub json: bool,
    /// Only items not done yet
    #[arg(long)]
    pub open: bool,
    /// Only items not done that are due within this long (`1h`, `30m`), overdue ones included
    #[arg(long, value_name = "DUR")]
    pub due: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ChecklistAction {
    /// Tick an item (its id, or a unique piece of its text)
    Tick {
        #[arg(value_name = "ITEM")]
        item: String,
        /// What was checked, for the journal (at most 2,000 characters)
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        #[command(flatten)]
        confirm: ConfirmArgs,
    },
    /// Take a tick back, saying why
    Untick {
        #[arg(value_name = "ITEM")]
        item: String,
        /// Why the item is not done after all (required)
        #[arg(long, value_name = "TEXT", required = true)]
        reason: String,
        #[command(flatten)]
        confirm: ConfirmArgs,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VoteValue {
    Go,
    NoGo,
}

#[derive(Debug, Args)]
pub struct VoteArgs {
    /// go or no-go
    #[arg(value_enum, value_name = "VOTE")]
    pub vote: VoteValue,
    /// The role voting, one of [decision] roles
    #[arg(long, value_name = "ROLE")]
    pub role: String,
    /// Why (required for a NO-GO; at most 2,000 characters)
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

#[derive(Debug, Args)]
pub struct DecideArgs {
    /// Freeze a GO although the gates say NO-GO or UNKNOWN (needs --reason; recorded)
    #[arg(long)]
    pub override_gates: bool,
    /// Why the gates are overridden
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Print the record as JSON instead of Markdown
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

#[derive(Debug, Subcommand)]
pub enum DecisionCommand {
    /// Print a decision record (the newest, or number N), ready for the launch report
    Show {
        #[arg(value_name = "N")]
        number: Option<u32>,
        #[arg(long, value_enum, default_value = "markdown")]
        format: ReportFormat,
    },
    /// Check the decision records: the chain, each against its journal line, and with
    /// --expect a hash kept outside the database (exit 1 naming the first that does not match)
    Verify {
        /// A record hash kept outside the database (printed by `decide`, `decision show`, the
        /// alert and the handoff): the chain must still end at it or pass it
        #[arg(long, value_name = "HASH")]
        expect: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct TuiArgs {
    /// Load this cohort CSV into the Cohort pane at start (also `:cohort PATH` in the cockpit)
    #[arg(long, value_name = "PATH")]
    pub cohort: Option<PathBuf>,
    /// A viewer's cockpit for the screen-share machine and stakeholders: every command that
    /// changes the launch is left out and refused, and nothing is written to the database
    /// (also `[launch] read_only = true`)
    #[arg(long)]
    pub read_only: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Print one JSON object instead of the table
    #[arg(long)]
    pub json: bool,
    /// Keep polling and print every state change until Ctrl-C (also LOOP=1)
    #[arg(long)]
    pub watch: bool,
    /// Seconds between checks, for every gate; only with --watch (also CHECK_INTERVAL, which
    /// a single pass ignores)
    #[arg(long, value_name = "SECONDS", value_parser = parse_interval)]
    pub interval: Option<u64>,
    /// Check only this gate (repeatable)
    #[arg(long = "gate", value_name = "ID")]
    pub gates: Vec<String>,
    /// Do not record gate transitions in the journal
    #[arg(long)]
    pub no_journal: bool,
    /// Serve Prometheus metrics on this address's `/metrics` while watching (loopback only,
    /// unless --metrics-public)
    #[arg(long, value_name = "ADDR", value_parser = parse_listen)]
    pub metrics: Option<std::net::SocketAddr>,
    /// Allow --metrics on an address other than loopback (anyone who reaches it reads the gates)
    #[arg(long, requires = "metrics")]
    pub metrics_public: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many times faster than real time the story runs (7: about three and a half minutes)
    #[arg(long, value_name = "N", default_value_t = crate::demo::DEFAULT_SPEED, value_parser = parse_speed)]
    pub speed: f64,
    /// Rehearse against this database instead of a throwaway PostgreSQL (demo rows are written);
    /// the environment variable keeps a password out of `ps`
    #[arg(
        long,
        value_name = "URL",
        env = "GONOGO_DEMO_DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Print gate transitions and verdicts instead of opening the cockpit
    #[arg(long)]
    pub headless: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write it
    #[arg(default_value = "gonogo.toml")]
    pub path: PathBuf,
    /// Overwrite an existing file
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// Send one test alert through the same path as real ones (signed, retried, journaled) and
    /// print the receiver's answer (exit 0 delivered, 69 not delivered)
    Test(AlertsTestArgs),
    /// The alerts claimed for this launch, by any cockpit or watch, and their deliveries
    List(AlertsListArgs),
}

#[derive(Debug, Args)]
pub struct AlertsTestArgs {
    /// The test alert's severity (info, warning, critical); it is sent whatever min_severity is
    #[arg(long, value_name = "S", default_value = "warning", value_parser = parse_severity)]
    pub severity: crate::alerts::Severity,
    /// How long to keep retrying a receiver that fails or does not answer (real alerts: 10m)
    #[arg(long, value_name = "DUR", default_value = "30s", value_parser = parse_retry_window)]
    pub within: std::time::Duration,
}

#[derive(Debug, Args)]
pub struct AlertsListArgs {
    /// Only alerts since this long ago (`30m`, `8h`) or this time (RFC 3339)
    #[arg(long, value_name = "DUR|RFC3339")]
    pub since: Option<String>,
    /// One JSON object per alert
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the config and print it as gonogo reads it, secrets redacted
    Check,
    /// Print the JSON Schema (draft 2020-12) of gonogo.toml, for editors and CI
    Schema(ConfigSchemaArgs),
}

#[derive(Debug, Args)]
pub struct ConfigSchemaArgs {
    /// Print the key reference as a Markdown table (the README's) instead
    #[arg(long)]
    pub markdown: bool,
}

#[derive(Debug, Subcommand)]
pub enum CohortCommand {
    /// Validate a cohort CSV (exit 0 clean, 1 blocked, 2 soft findings only)
    Validate(CohortValidateArgs),
}

#[derive(Debug, Args)]
pub struct CohortValidateArgs {
    /// The cohort CSV: header with `email` and `cohort` (optional `sent_by`, `name`)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Print one JSON object instead of the report
    #[arg(long)]
    pub json: bool,
    /// Skip the database checks (existing users, pending invites)
    #[arg(long)]
    pub offline: bool,
    /// Let a file with soft findings only through (exit 0), recorded in the journal; never
    /// unblocks a hard finding (also FORCE=1)
    #[arg(long, env = "FORCE", value_parser = clap::builder::FalseyValueParser::new())]
    pub force: bool,
    /// Why the soft findings are acceptable, for the journal; required with --force (also
    /// FORCE_REASON)
    #[arg(long, value_name = "TEXT", env = "FORCE_REASON")]
    pub reason: Option<String>,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

#[derive(Debug, Subcommand)]
pub enum InvitesCommand {
    /// Review the cohort, insert one invite code per recipient and write one .eml each
    Prepare(InvitesPrepareArgs),
    /// Print one prepared message as it will go out (headers and text part)
    Preview(InvitesPreviewArgs),
    /// Send the invitation to ADDR with a sample code (nothing written to beta_invites)
    TestSend(InvitesTestSendArgs),
    /// Send prepared messages, each at most once (asks for confirmation)
    Send(InvitesSendArgs),
    /// Counts per state, rate, time left, failures and unknowns (exit 0 all sent, 1 failed, 2 pending)
    Status(InvitesStatusArgs),
    /// Settle `unknown` messages by hand: --as sent, or --as retry to send them again
    Resolve(InvitesResolveArgs),
}

#[derive(Debug, Args)]
pub struct InvitesPrepareArgs {
    /// The cohort CSV (reviewed first, as `cohort validate` does)
    #[arg(value_name = "COHORT.csv")]
    pub file: PathBuf,
    /// The batch name (default: the file's name without its extension)
    #[arg(long, value_name = "NAME")]
    pub batch: Option<String>,
    /// Send to a cohort with soft findings anyway (needs --reason; journaled)
    #[arg(long, requires = "reason")]
    pub force: bool,
    /// Why the soft findings are accepted
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Print one JSON object
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

#[derive(Debug, Args)]
pub struct InvitesPreviewArgs {
    #[arg(long, value_name = "NAME")]
    pub batch: Option<String>,
    /// The recipient (default: the batch's first)
    #[arg(long, value_name = "ADDR")]
    pub email: Option<String>,
    /// Print the HTML part instead of the text part
    #[arg(long)]
    pub html: bool,
}

#[derive(Debug, Args)]
pub struct InvitesTestSendArgs {
    /// Where the test invitation goes (usually yourself)
    #[arg(value_name = "ADDR")]
    pub to: String,
}

#[derive(Debug, Args)]
pub struct InvitesSendArgs {
    /// Only this batch (default: every batch of the launch)
    #[arg(long, value_name = "NAME")]
    pub batch: Option<String>,
    /// Hand over at most N messages, then stop
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Override [invites] rate for this run (`5/s`, `300/m`, `off`)
    #[arg(long, value_name = "RATE")]
    pub rate: Option<String>,
    /// Put failed messages back to be sent again first
    #[arg(long)]
    pub retry_failed: bool,
    /// Show what would go, sending nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask (needed without a terminal)
    #[arg(long)]
    pub yes: bool,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

#[derive(Debug, Args)]
pub struct InvitesStatusArgs {
    #[arg(long, value_name = "NAME")]
    pub batch: Option<String>,
    /// Print one JSON object
    #[arg(long)]
    pub json: bool,
    /// Print again every 2 seconds until everything is settled
    #[arg(long)]
    pub watch: bool,
}

#[derive(Debug, Args)]
pub struct InvitesResolveArgs {
    /// The unknown messages' recipients
    #[arg(value_name = "EMAIL", required = true, num_args = 1..)]
    pub emails: Vec<String>,
    /// `sent` (it did go out) or `retry` (send it again)
    #[arg(long = "as", value_name = "sent|retry")]
    pub settle_as: ResolveAs,
    /// Why (journaled)
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Put a message back with `--as retry` even while the run that claimed it could still hand
    /// it over (recorded with the reason)
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ResolveAs {
    Sent,
    Retry,
}

/// The typed confirmation every mutating command takes (see `gonogo::confirm`).
#[derive(Debug, Args)]
pub struct ConfirmArgs {
    /// In production: the launch name, typed, to confirm the change (on a terminal gonogo asks
    /// for it instead)
    #[arg(long = "confirm", value_name = "LAUNCH NAME")]
    pub typed: Option<String>,
}

impl Cli {
    /// The operator's name: `--operator`, `$GONOGO_OPERATOR`, `$USER`, then the login name of
    /// the process's user (its passwd entry); "unknown" only when the system knows no name.
    pub fn operator(&self) -> String {
        let given = |name: Option<String>| name.filter(|n| !n.trim().is_empty());
        let name = given(self.operator.clone())
            .or_else(|| given(std::env::var("GONOGO_OPERATOR").ok()))
            .or_else(|| given(std::env::var("USER").ok()))
            .or_else(|| given(login_name()))
            .unwrap_or_else(|| "unknown".into());
        crate::text::sanitize_short(&name, 64)
    }
}

/// The name in the passwd entry of the process's real user (cron and `env -i` leave no `$USER`).
fn login_name() -> Option<String> {
    nix::unistd::User::from_uid(nix::unistd::getuid())
        .ok()
        .flatten()
        .map(|user| user.name)
}
