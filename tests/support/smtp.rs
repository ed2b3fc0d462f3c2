//! A real SMTP server for the mail tests: `tests/support/smtp_server.py` (aiosmtpd 1.4.6) run by
//! `$GONOGO_TEST_PYTHON` (scripts/test builds that venv), storing what it receives in a temp dir,
//! answering by per-recipient rules, and an msmtp config that sends to it. Never skips: without
//! the Python or msmtp the test fails and says how to get them.

// benches/dispatch_send.rs includes this file alone, so it brings its own copy.
#[allow(clippy::duplicate_mod)]
#[path = "quiet.rs"]
mod quiet;

use mail_parser::{MessageParser, PartType};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// How the server answers one recipient (see `smtp_server.py` for the exact replies).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    /// 451 at RCPT the first time the address is seen, then accepted.
    Rcpt451Once,
    /// 451 at RCPT, always.
    Rcpt451,
    /// 550 at RCPT, always.
    Rcpt550,
    /// 451 after the body (nothing stored).
    Data451,
    /// 550 after the body (nothing stored).
    Data550,
    /// The body is stored, then the connection is closed without a reply (delivery in doubt).
    DropAfterData,
    /// The body is stored, then the reply (250) waits this long.
    StallAfterData(Duration),
    /// RCPT waits this long, then is accepted.
    StallRcpt(Duration),
}

impl Rule {
    fn spec(&self) -> String {
        match self {
            Rule::Rcpt451Once => "rcpt451once".into(),
            Rule::Rcpt451 => "rcpt451".into(),
            Rule::Rcpt550 => "rcpt550".into(),
            Rule::Data451 => "data451".into(),
            Rule::Data550 => "data550".into(),
            Rule::DropAfterData => "drop_after_data".into(),
            Rule::StallAfterData(d) => format!("stall_after_data:{}", d.as_secs_f64()),
            Rule::StallRcpt(d) => format!("stall_rcpt:{}", d.as_secs_f64()),
        }
    }
}

/// One message the server stored, parsed with mail-parser.
#[derive(Debug, Clone)]
pub struct Received {
    /// The server's sequence number (1, 2, …): the order messages were stored in.
    pub n: u64,
    /// Without the angle brackets, as mail-parser gives it.
    pub message_id: Option<String>,
    pub to: Vec<String>,
    pub from: Vec<String>,
    pub subject: Option<String>,
    /// The text/plain body part as sent (no conversion from HTML).
    pub text: Option<String>,
    /// The text/html body part as sent (no conversion from text).
    pub html: Option<String>,
    /// The message exactly as received (after SMTP dot-unstuffing).
    pub raw: Vec<u8>,
    /// The envelope: MAIL FROM and the accepted RCPT TO addresses.
    pub mail_from: String,
    pub rcpts: Vec<String>,
}

/// One reply a rule or the refuse switch decided, or an accepted RCPT/DATA, from `log.jsonl`.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// "connect", "rcpt" or "data".
    pub stage: String,
    pub addr: String,
    /// The SMTP code; 0 for a connection closed without a reply.
    pub code: u16,
    pub rule: Option<String>,
}

/// What the server has seen so far, for [`SmtpServer::wait_quiet`].
#[derive(Debug, Clone, Copy, PartialEq)]
struct Activity {
    opened: usize,
    closed: usize,
    replies: usize,
    stored: usize,
}

pub struct SmtpServer {
    child: Child,
    _stdin: ChildStdin,
    port: u16,
    dir: tempfile::TempDir,
}

/// `$GONOGO_TEST_PYTHON`, or a loud failure saying how to get it.
fn test_python() -> String {
    std::env::var("GONOGO_TEST_PYTHON").unwrap_or_else(|_| {
        panic!(
            "GONOGO_TEST_PYTHON is not set: the mail tests need a Python with aiosmtpd 1.4.6. \
             Run them through scripts/test (it builds target/smtp-venv), or: \
             python3 -m venv target/smtp-venv && target/smtp-venv/bin/pip install aiosmtpd==1.4.6 \
             && export GONOGO_TEST_PYTHON=$PWD/target/smtp-venv/bin/python"
        )
    })
}

impl SmtpServer {
    /// Starts the server with `rules` (recipient address, or "*" for any recipient without a
    /// rule of its own) and waits until it listens.
    pub fn start(rules: &[(&str, Rule)]) -> SmtpServer {
        Self::start_with(rules, &[])
    }

    /// [`SmtpServer::start`] with more `smtp_server.py` options (`--echo-auth refuse`, …).
    pub fn start_with(rules: &[(&str, Rule)], options: &[&str]) -> SmtpServer {
        let python = test_python();
        let dir = tempfile::tempdir().expect("temp dir for the SMTP server");
        let rules_json: serde_json::Map<String, serde_json::Value> = rules
            .iter()
            .map(|(addr, rule)| ((*addr).to_owned(), rule.spec().into()))
            .collect();
        let rules_path = dir.path().join("rules.json");
        std::fs::write(
            &rules_path,
            serde_json::Value::Object(rules_json).to_string(),
        )
        .expect("write rules.json");
        let log_path = dir.path().join("server.log");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_server.py");
        let mut child = Command::new(&python)
            .arg(script)
            .arg("--dir")
            .arg(dir.path().join("mail"))
            .arg("--rules")
            .arg(&rules_path)
            .arg("--exit-on-stdin-eof")
            .args(options)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(
                std::fs::File::create(&log_path).expect("server log file"),
            ))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run GONOGO_TEST_PYTHON={python}: {e}"));
        let stdin = child.stdin.take().expect("server stdin");
        let stdout = child.stdout.take().expect("server stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
        let port = match line.trim().parse::<u16>() {
            Ok(port) => port,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                panic!(
                    "the test SMTP server did not report its port (got {line:?}); is aiosmtpd \
                     installed for {python}? Its log:\n{log}"
                );
            }
        };
        SmtpServer {
            child,
            _stdin: stdin,
            port,
            dir,
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `smtp://127.0.0.1:PORT` (no TLS, no auth).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Where the messages are stored (`<n>.eml` + `<n>.json`, `log.jsonl`, `sessions.log`,
    /// `REFUSE`).
    pub fn mail_dir(&self) -> PathBuf {
        self.dir.path().join("mail")
    }

    /// How many messages are stored, without parsing them.
    pub fn received_count(&self) -> usize {
        self.stored_numbers().len()
    }

    fn stored_numbers(&self) -> Vec<u64> {
        let mut numbers: Vec<u64> = std::fs::read_dir(self.mail_dir())
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .filter_map(|e| {
                        let name = e.file_name().into_string().ok()?;
                        name.strip_suffix(".eml")?.parse().ok()
                    })
                    .collect()
            })
            .unwrap_or_default();
        numbers.sort_unstable();
        numbers
    }

    /// Every stored message, in the order the server stored them.
    pub fn received(&self) -> Vec<Received> {
        let dir = self.mail_dir();
        self.stored_numbers()
            .into_iter()
            .map(|n| read_received(&dir, n))
            .collect()
    }

    /// Waits until at least `n` messages are stored; fails the test after `timeout`.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let started = Instant::now();
        while self.received_count() < n {
            if started.elapsed() > timeout {
                self.fail_waiting(n, timeout);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.received()
    }

    /// [`wait_for`](Self::wait_for) for async tests: sleeps without blocking the runtime, so a
    /// sender running on the same runtime keeps going.
    pub async fn wait_for_async(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let started = Instant::now();
        while self.received_count() < n {
            if started.elapsed() > timeout {
                self.fail_waiting(n, timeout);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.received()
    }

    /// Waits until the server has been quiet for `period` — no connection open, none opened or
    /// closed, nothing stored or replied in that time — and fails the test if it is not within
    /// `within`. Before asserting that nothing (more) arrived: a message still on its way when
    /// the wait began is stored before it ends.
    pub fn wait_quiet(&self, period: Duration, within: Duration) {
        quiet::wait_quiet("the test SMTP server", period, within, || {
            let activity = self.activity();
            let open = activity.opened > activity.closed;
            (activity, open)
        });
    }

    fn activity(&self) -> Activity {
        let sessions =
            std::fs::read_to_string(self.mail_dir().join("sessions.log")).unwrap_or_default();
        Activity {
            opened: sessions.lines().filter(|l| *l == "open").count(),
            closed: sessions.lines().filter(|l| *l == "close").count(),
            replies: self.replies().len(),
            stored: self.received_count(),
        }
    }

    fn fail_waiting(&self, n: usize, timeout: Duration) -> ! {
        let replies = self.replies();
        let tail = &replies[replies.len().saturating_sub(20)..];
        panic!(
            "expected {n} messages at the test SMTP server within {timeout:?}, it stored {}; \
             its last replies: {tail:#?}",
            self.received_count()
        )
    }

    /// While on, new connections get 421 instead of the greeting and RCPT gets 421 and a hang-up.
    pub fn set_refuse_all(&self, on: bool) {
        let path = self.mail_dir().join("REFUSE");
        if on {
            std::fs::write(&path, b"").expect("create REFUSE");
        } else if let Err(e) = std::fs::remove_file(&path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            panic!("remove {}: {e}", path.display());
        }
    }

    /// Every RCPT/DATA/connect decision so far (e.g. to count the 451s a recipient got).
    pub fn replies(&self) -> Vec<Reply> {
        let text = std::fs::read_to_string(self.mail_dir().join("log.jsonl")).unwrap_or_default();
        text.lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .map(|v| Reply {
                stage: v["stage"].as_str().unwrap_or_default().to_owned(),
                addr: v["addr"].as_str().unwrap_or_default().to_owned(),
                code: v["code"].as_u64().unwrap_or_default() as u16,
                rule: v["rule"].as_str().map(str::to_owned),
            })
            .collect()
    }

    /// A `send_cmd` (`msmtp -C <rc> -t`) that sends to this server: no auth, no TLS, envelope
    /// sender [`MSMTP_FROM`], msmtp's own timeout off, its log in [`msmtp_log`](Self::msmtp_log).
    pub fn msmtp_cmd(&self) -> String {
        self.msmtp_cmd_with_timeout(None)
    }

    /// [`msmtp_cmd`](Self::msmtp_cmd) with msmtp's network `timeout` set (whole seconds, ≥ 1).
    pub fn msmtp_cmd_with_timeout(&self, timeout: Option<Duration>) -> String {
        write_msmtprc(self.dir.path(), self.port, timeout)
    }

    fn msmtp_log_path(&self) -> PathBuf {
        self.dir.path().join(MSMTP_LOG)
    }

    /// msmtp's log for this server: one line per message, with `smtpstatus=NNN` and
    /// `exitcode=EX_…`.
    pub fn msmtp_log(&self) -> String {
        std::fs::read_to_string(self.msmtp_log_path()).unwrap_or_default()
    }
}

/// The envelope sender the msmtp config sets.
pub const MSMTP_FROM: &str = "gonogo-tests@localhost";
const MSMTP_LOG: &str = "msmtp.log";

/// Writes `dir/msmtprc` (mode 0600) for a plain SMTP server on 127.0.0.1:`port` — no auth, no
/// TLS, `auto_from off`, `from` [`MSMTP_FROM`], log in `dir/msmtp.log` — and returns the
/// `send_cmd` that uses it: `msmtp -C <dir>/msmtprc -t`.
pub fn write_msmtprc(dir: &Path, port: u16, timeout: Option<Duration>) -> String {
    require_msmtp();
    let rc = dir.join("msmtprc");
    let mut text = format!(
        "account default\nhost 127.0.0.1\nport {port}\nauth off\ntls off\nauto_from off\n\
         from {MSMTP_FROM}\nlogfile {}\n",
        dir.join(MSMTP_LOG).display()
    );
    if let Some(timeout) = timeout {
        text.push_str(&format!("timeout {}\n", timeout.as_secs().max(1)));
    }
    std::fs::write(&rc, text).expect("write msmtprc");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&rc, std::fs::Permissions::from_mode(0o600)).expect("chmod msmtprc");
    format!("msmtp -C {} -t", rc.display())
}

/// What a `send_cmd` did with one message.
#[derive(Debug, Clone, PartialEq)]
pub struct CmdOutcome {
    /// `None` when it was killed by a signal.
    pub exit: Option<i32>,
    pub stderr: String,
}

/// Runs `cmd` (split on whitespace, no shell) with `message` on its stdin and waits for it.
pub fn run_send_cmd(cmd: &str, message: &[u8]) -> CmdOutcome {
    let mut argv = cmd.split_whitespace();
    let program = argv.next().expect("an empty send_cmd");
    let mut child = Command::new(program)
        .args(argv)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd}: {e}"));
    // A command that exits before reading everything closes the pipe: its exit code tells.
    let _ = child.stdin.take().expect("stdin").write_all(message);
    let output = child.wait_with_output().expect("wait for the send_cmd");
    CmdOutcome {
        exit: output.status.code(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Fails the test (never skips it) when Debian's msmtp is missing.
pub fn require_msmtp() {
    if let Err(e) = Command::new("msmtp")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        panic!(
            "the `msmtp` binary is not on PATH ({e}): install it (`apt-get install msmtp`; \
             scripts/test does this) — these tests need the real msmtp"
        );
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_received(dir: &Path, n: u64) -> Received {
    let raw = std::fs::read(dir.join(format!("{n}.eml"))).expect("read a stored .eml");
    let meta: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join(format!("{n}.json"))).expect("read a stored envelope"),
    )
    .expect("envelope JSON");
    let rcpts = meta["rcpt_tos"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let mail_from = meta["mail_from"].as_str().unwrap_or_default().to_owned();
    let parsed = MessageParser::default().parse(&raw);
    let addresses = |a: Option<&mail_parser::Address>| -> Vec<String> {
        a.map(|a| {
            a.iter()
                .filter_map(|addr| addr.address().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
    };
    let (message_id, to, from, subject, text, html) = match &parsed {
        Some(m) => (
            m.message_id().map(str::to_owned),
            addresses(m.to()),
            addresses(m.from()),
            m.subject().map(str::to_owned),
            m.text_part(0).and_then(|p| match &p.body {
                PartType::Text(t) => Some(t.to_string()),
                _ => None,
            }),
            m.html_part(0).and_then(|p| match &p.body {
                PartType::Html(h) => Some(h.to_string()),
                _ => None,
            }),
        ),
        None => (None, vec![], vec![], None, None, None),
    };
    Received {
        n,
        message_id,
        to,
        from,
        subject,
        text,
        html,
        raw,
        mail_from,
        rcpts,
    }
}
