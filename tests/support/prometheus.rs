//! A real Prometheus (the Debian `prometheus` binary) on a loopback port with a temp data dir,
//! scraping a tiny local exporter every second. Missing binary = loud failure, never a skip.

use axum::Router;
use axum::routing::get;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The local `/metrics` target. `flap` is a gauge the tests switch.
pub struct Exporter {
    pub addr: SocketAddr,
    pub flap: Arc<AtomicI64>,
}

impl Exporter {
    pub fn start() -> Exporter {
        let flap = Arc::new(AtomicI64::new(1));
        let value = flap.clone();
        let router = Router::new().route(
            "/metrics",
            get(move || {
                let flap = value.load(Ordering::SeqCst);
                async move { metrics_text(flap) }
            }),
        );
        Exporter {
            addr: super::serve_in_thread(router),
            flap,
        }
    }
}

fn metrics_text(flap: i64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!(
        "# TYPE probe_success gauge\n\
         probe_success{{job=\"synthetic-journey\"}} 1\n\
         # TYPE k6_nightly_last_success_timestamp_seconds gauge\n\
         k6_nightly_last_success_timestamp_seconds {}\n\
         # TYPE gonogo_replica_up gauge\n\
         gonogo_replica_up{{replica=\"a\"}} 1\n\
         gonogo_replica_up{{replica=\"b\"}} 0\n\
         # TYPE gonogo_flap gauge\n\
         gonogo_flap {flap}\n",
        now - 3 * 3600
    )
}

pub struct Prometheus {
    child: Child,
    pub port: u16,
    pub prefix: String,
    _dir: tempfile::TempDir,
}

/// Fails the test (never skips it) when the binary is missing.
pub fn require_binary() {
    match Command::new("prometheus")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        Ok(_) => {}
        Err(e) => panic!(
            "the `prometheus` binary is not on PATH ({e}): install it (Debian/Ubuntu: \
             `apt-get install prometheus`; `.ci/run` does this) — these tests need a real Prometheus"
        ),
    }
}

impl Prometheus {
    /// Starts Prometheus scraping `target` (if any), serving under `prefix` (e.g. "/prometheus"),
    /// and waits until it is ready and, with a target, has scraped it once.
    pub fn start(target: Option<SocketAddr>, prefix: &str) -> Prometheus {
        require_binary();
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("prometheus.yml");
        let mut yaml = String::from("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n");
        if let Some(target) = target {
            yaml.push_str(&format!(
                "scrape_configs:\n  - job_name: gonogo_test\n    honor_labels: true\n    \
                 static_configs:\n      - targets: ['{target}']\n"
            ));
        }
        std::fs::write(&config, yaml).expect("write prometheus.yml");
        let port = super::free_port();
        let mut cmd = Command::new("prometheus");
        cmd.arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::File::create(dir.path().join("prometheus.log")).expect("log file"),
            ));
        if !prefix.is_empty() {
            cmd.arg(format!("--web.route-prefix={prefix}"));
            cmd.arg(format!(
                "--web.external-url=http://127.0.0.1:{port}{prefix}"
            ));
        }
        let child = cmd.spawn().expect("start prometheus");
        watchdog(child.id());
        let prom = Prometheus {
            child,
            port,
            prefix: prefix.to_owned(),
            _dir: dir,
        };
        prom.wait_ready();
        if target.is_some() {
            prom.wait_for_samples("up{job=\"gonogo_test\"} == 1");
        }
        prom
    }

    /// The URL a gonogo config uses, prefix included.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.port, self.prefix)
    }

    fn wait_ready(&self) {
        let started = Instant::now();
        loop {
            if let Some((200, _)) = get_blocking(self.port, &format!("{}/-/ready", self.prefix)) {
                return;
            }
            if started.elapsed() > Duration::from_secs(60) {
                let log = std::fs::read_to_string(self._dir.path().join("prometheus.log"))
                    .unwrap_or_default();
                panic!("prometheus did not become ready within 60s; its log:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until `promql` returns at least one sample.
    pub fn wait_for_samples(&self, promql: &str) {
        let started = Instant::now();
        let path = format!(
            "{}/api/v1/query?{}",
            self.prefix,
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("query", promql)
                .finish()
        );
        loop {
            if let Some((200, body)) = get_blocking(self.port, &path)
                && let Ok(v) = serde_json::from_str::<serde_json::Value>(&body)
                && v["data"]["result"]
                    .as_array()
                    .is_some_and(|r| !r.is_empty())
            {
                return;
            }
            if started.elapsed() > Duration::from_secs(60) {
                panic!("prometheus returned no samples for {promql} within 60s");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Kills Prometheus when the test process is gone (a shared instance in a `static` is never
/// dropped).
fn watchdog(prometheus_pid: u32) {
    let script = "while kill -0 \"$1\" 2>/dev/null && kill -0 \"$2\" 2>/dev/null; do sleep 0.5; done; kill \"$2\" 2>/dev/null";
    let _ = Command::new("sh")
        .args(["-c", script, "watchdog"])
        .arg(std::process::id().to_string())
        .arg(prometheus_pid.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
}

/// One Prometheus + exporter per test binary, started on first use.
pub fn shared() -> &'static (Exporter, Prometheus) {
    static SHARED: OnceLock<(Exporter, Prometheus)> = OnceLock::new();
    SHARED.get_or_init(|| {
        let exporter = Exporter::start();
        let prom = Prometheus::start(Some(exporter.addr), "");
        prom.wait_for_samples("gonogo_replica_up");
        (exporter, prom)
    })
}

/// A minimal blocking HTTP/1.0 GET on loopback: (status, body).
fn get_blocking(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    let status = text.split_whitespace().nth(1)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned())?;
    Some((status, body))
}
