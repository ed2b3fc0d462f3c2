//! Starting the alert service from the config, the one way the cockpit and `check --watch`
//! both do it, and what its news says in a line.

use super::AlertStore;
use super::service::{AlertNews, Inbox, Service, ServiceSetup};
use super::{Context, DeliveryOutcome, Webhook};
use crate::clock::Clock;
use crate::config::Config;
use crate::db::Database;
use crate::journal::{EventSender, Journal};

/// What starts a service besides the config.
pub struct Start<'a> {
    pub config: &'a Config,
    pub database: Option<&'a Database>,
    pub journal: Option<Journal>,
    pub journal_events: Option<EventSender>,
    pub clock: Clock,
    /// `cockpit`, `watch`, `demo`.
    pub role: &'a str,
    pub operator: &'a str,
}

/// `alice@laptop (cockpit, pid 4242)`: where an alert comes from, distinct per process.
pub fn origin(role: &str, operator: &str) -> String {
    let host = crate::process::host_name();
    crate::text::sanitize(&format!(
        "{operator}@{host} ({role}, pid {})",
        std::process::id()
    ))
}

/// The launch and where this process's alerts come from.
pub fn context(config: &Config, role: &str, operator: &str) -> Context {
    let launch = config.launch();
    Context {
        launch: crate::text::sanitize(&launch.name.0),
        environment: launch.environment.as_str().to_owned(),
        origin: origin(role, operator),
    }
}

/// The service `[alerts]` asks for; `Ok(None)` without a webhook URL (the bell alone).
pub fn start(
    start: Start<'_>,
    inbox: Inbox,
    report: impl Fn(AlertNews) + Send + Sync + 'static,
) -> Result<Option<Service>, String> {
    let settings = &start.config.raw.alerts;
    let Some(webhook) = Webhook::from_config(settings, &start.config.redactor)? else {
        return Ok(None);
    };
    let launch = &start.config.launch().name.0;
    let store = start
        .database
        .map(|db| AlertStore::new(db.state().clone(), launch.clone()));
    let setup = ServiceSetup {
        settings: settings.clone(),
        context: context(start.config, start.role, start.operator),
        webhook: Some(webhook),
        store,
        journal: start.journal,
        journal_events: start.journal_events,
        clock: start.clock,
    };
    Ok(Some(Service::spawn(setup, inbox, report)))
}

impl AlertNews {
    /// The news in one line, and whether it is a warning.
    pub fn line(&self) -> (String, bool) {
        match self {
            AlertNews::Raised(line) => (format!("alert raised: {}", line.summary()), false),
            AlertNews::Skipped { title, why } => {
                (format!("alert not sent: {title} ({why})"), false)
            }
            AlertNews::Delivered(d) => (d.summary(), d.outcome != DeliveryOutcome::Delivered),
            AlertNews::Dropped(n) => (
                format!(
                    "alerts: {} dropped, the alert queue was full",
                    crate::plural::count(*n as u64, "input")
                ),
                true,
            ),
            AlertNews::DroppedAlert { title, .. } => (
                format!("alert dropped, the alert queue was full: {title}"),
                true,
            ),
        }
    }
}
