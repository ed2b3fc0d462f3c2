//! Shared test helpers: loopback HTTP servers, configs from text, test database URLs, and the
//! simulated Sentry, the real Prometheus and the real SMTP server used by several test files.
#![allow(dead_code)]

pub mod alert_drill;
pub mod alert_takeover;
pub mod cli;
#[allow(clippy::duplicate_mod)]
pub mod database;
pub mod dispatch;
pub mod lines;
pub mod prometheus;
#[allow(clippy::duplicate_mod)]
pub mod quiet;
pub mod receiver;
pub mod sentry;
pub mod smtp;

use axum::Router;
use gonogo::clock::Clock;
use gonogo::config::Config;
use gonogo::gate::{GateResult, GateState};
use gonogo::source::Sources;
use gonogo::source::policy::RetryPolicy;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

/// Serves `router` on a loopback ephemeral port inside the current tokio runtime.
pub async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    addr
}

/// Serves `router` on its own thread and runtime: for synchronous tests (CLI, benchmarks) and for
/// servers that must answer whatever the test's own runtime is doing (paused time, blocking).
pub fn serve_in_thread(router: Router) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("server runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind a loopback port");
            tx.send(listener.local_addr().expect("local addr"))
                .expect("report the address");
            let _ = axum::serve(listener, router).await;
        });
    });
    rx.recv().expect("server thread started")
}

/// A free loopback port (for programs that need a port number on their command line).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// Parses and validates config text the way `gonogo` does. `${VAR}` is not used in tests
/// that run in-process (the environment is shared by parallel tests).
pub fn config(text: &str) -> Config {
    match gonogo::config::load_str(text, Path::new("test.toml")) {
        Ok(c) => c,
        Err(e) => panic!("test config is invalid:\n{e}\n---\n{text}"),
    }
}

/// A retry policy with short waits, so tests that go through retries stay fast.
pub fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_secs(5),
    }
}

pub fn sources(config: &Config) -> Sources {
    Sources::new(config)
        .expect("build the sources")
        .with_policy(fast_policy())
}

/// Checks one gate of `config` through the real `Sources` entry point (deadline included).
pub async fn check(config: &Config, id: &str) -> GateResult {
    let sources = sources(config);
    check_with(&sources, config, id).await
}

pub async fn check_with(sources: &Sources, config: &Config, id: &str) -> GateResult {
    let gate = config
        .gate(id)
        .unwrap_or_else(|| panic!("no gate {id} in the test config"));
    sources.check(gate, &Clock::System).await
}

/// The state a single result gives its gate on a fresh board.
pub fn state_of(config: &Config, result: GateResult) -> GateState {
    let mut board = gonogo::gate::Board::new(&config.gates, chrono::Utc::now());
    let id = result.gate.clone();
    board.apply(result);
    board.get(&id).expect("gate on the board").state
}

pub fn value_of(result: &GateResult) -> gonogo::gate::Value {
    match &result.outcome {
        Ok(obs) => obs.value.clone(),
        Err(e) => panic!("gate {} could not be checked: {e}", result.gate),
    }
}

pub fn error_of(result: &GateResult) -> String {
    match &result.outcome {
        Ok(obs) => panic!(
            "gate {} was expected to fail to check, got {:?}",
            result.gate, obs
        ),
        Err(e) => e.clone(),
    }
}

#[allow(unused_imports)]
pub use database::{database_url, db_url};

/// The `[launch]` header every test config starts with.
pub const LAUNCH: &str = "[launch]\nname = \"Test launch\"\n";
