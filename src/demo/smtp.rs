//! The rehearsal's SMTP server: a small listener on loopback that `gonogo demo` sends its invites
//! to, so dispatch has a real SMTP conversation — with scripted temporary and permanent refusals
//! and a delivery in doubt — without anything to configure. Not a mail server: it keeps only a
//! bounded record of what it took (recipient, Message-ID, size), never the messages.

mod session;

use chrono::{DateTime, Utc};
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How many [`ReceivedMail`] records are kept (the oldest go first); the count keeps counting.
pub const RECEIVED_KEPT: usize = 10_000;

/// What the server does for one recipient address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scripted {
    /// `451` at RCPT the first `times` times the address is offered, then accepted.
    RefuseTemporarily { times: u32 },
    /// `550` at RCPT, always.
    RefusePermanently,
    /// The message is taken (counted as received), then the connection is closed before the
    /// reply: the sender cannot know it was delivered.
    DropAfterData,
}

/// Per-recipient behaviour; every address without an entry is accepted
/// (`250 2.0.0 Ok: queued as <id>`). Addresses match case-insensitively.
#[derive(Debug, Clone, Default)]
pub struct DemoSmtpScript {
    by_rcpt: HashMap<String, Scripted>,
}

impl DemoSmtpScript {
    pub fn new() -> Self {
        Self::default()
    }

    /// `rcpt` gets `451` the first `times` times, then is accepted.
    pub fn refuse_temporarily(mut self, rcpt: &str, times: u32) -> Self {
        self.by_rcpt.insert(
            rcpt.to_ascii_lowercase(),
            Scripted::RefuseTemporarily { times },
        );
        self
    }

    /// `rcpt` always gets `550`.
    pub fn refuse_permanently(mut self, rcpt: &str) -> Self {
        self.by_rcpt
            .insert(rcpt.to_ascii_lowercase(), Scripted::RefusePermanently);
        self
    }

    /// A message to `rcpt` is taken, then the connection is closed without a reply.
    pub fn drop_after_data(mut self, rcpt: &str) -> Self {
        self.by_rcpt
            .insert(rcpt.to_ascii_lowercase(), Scripted::DropAfterData);
        self
    }

    pub fn rule(&self, rcpt: &str) -> Option<Scripted> {
        self.by_rcpt.get(&rcpt.to_ascii_lowercase()).copied()
    }
}

/// The server's bounds; [`Default`] suits the rehearsal.
#[derive(Debug, Clone)]
pub struct DemoSmtpLimits {
    /// A larger message is refused with `552` after its body.
    pub max_message_bytes: usize,
    /// A longer command or body line is refused with `500`.
    pub max_line_bytes: usize,
    /// Connections beyond this get `421` and are closed.
    pub max_connections: usize,
    /// A client silent this long gets `421` and is closed.
    pub idle_timeout: Duration,
    /// Recipients per message beyond this get `452`.
    pub max_recipients: usize,
}

impl Default for DemoSmtpLimits {
    fn default() -> Self {
        DemoSmtpLimits {
            max_message_bytes: 1024 * 1024,
            max_line_bytes: 4096,
            max_connections: 64,
            idle_timeout: Duration::from_secs(30),
            max_recipients: 100,
        }
    }
}

/// One message the server took (also one it then hung up on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The first accepted recipient (the rehearsal sends one per message).
    pub rcpt: String,
    /// The `Message-ID` header without its angle brackets, cleaned for display.
    pub message_id: Option<String>,
    /// The message's size after dot-unstuffing, line ends included.
    pub bytes_len: usize,
    pub at: DateTime<Utc>,
}

/// State shared by the listener and its sessions.
struct Shared {
    script: DemoSmtpScript,
    limits: DemoSmtpLimits,
    temporary_refusals: Mutex<HashMap<String, u32>>,
    received: Mutex<VecDeque<ReceivedMail>>,
    received_count: AtomicU64,
    queued: AtomicU64,
}

/// A poisoned lock only means another session panicked mid-update; the data is still usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    fn new(script: DemoSmtpScript, limits: DemoSmtpLimits) -> Shared {
        Shared {
            script,
            limits,
            temporary_refusals: Mutex::new(HashMap::new()),
            received: Mutex::new(VecDeque::new()),
            received_count: AtomicU64::new(0),
            queued: AtomicU64::new(0),
        }
    }

    /// True when `rcpt` is due a temporary refusal now (and counts it).
    fn take_temporary_refusal(&self, rcpt: &str, times: u32) -> bool {
        let mut refusals = lock(&self.temporary_refusals);
        let given = refusals.entry(rcpt.to_ascii_lowercase()).or_insert(0);
        if *given < times {
            *given += 1;
            true
        } else {
            false
        }
    }

    fn record(&self, mail: ReceivedMail) -> u64 {
        let mut received = lock(&self.received);
        if received.len() >= RECEIVED_KEPT {
            received.pop_front();
        }
        received.push_back(mail);
        self.received_count.fetch_add(1, Ordering::SeqCst);
        self.queued.fetch_add(1, Ordering::SeqCst) + 1
    }
}

/// The running server; dropping it stops the listener and every session.
pub struct DemoSmtp {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: CancellationToken,
    listener: JoinHandle<()>,
}

/// Starts the server on `127.0.0.1:0` with the default limits.
pub async fn start(script: DemoSmtpScript) -> std::io::Result<DemoSmtp> {
    start_with(script, DemoSmtpLimits::default()).await
}

/// Starts the server on `127.0.0.1:0` with `limits`.
pub async fn start_with(
    script: DemoSmtpScript,
    limits: DemoSmtpLimits,
) -> std::io::Result<DemoSmtp> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared::new(script, limits));
    let stop = CancellationToken::new();
    let listener = tokio::spawn(accept_loop(listener, shared.clone(), stop.clone()));
    Ok(DemoSmtp {
        addr,
        shared,
        stop,
        listener,
    })
}

impl DemoSmtp {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `smtp://127.0.0.1:PORT`, for an `[invites] smtp_url`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Messages taken since the start (hung-up ones included), beyond the records kept.
    pub fn received_count(&self) -> u64 {
        self.shared.received_count.load(Ordering::SeqCst)
    }

    /// The last [`RECEIVED_KEPT`] messages taken, oldest first.
    pub fn received(&self) -> Vec<ReceivedMail> {
        lock(&self.shared.received).iter().cloned().collect()
    }
}

impl Drop for DemoSmtp {
    fn drop(&mut self) {
        self.stop.cancel();
        self.listener.abort();
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, stop: CancellationToken) {
    let permits = Arc::new(Semaphore::new(shared.limits.max_connections));
    loop {
        let accepted = tokio::select! {
            _ = stop.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((mut stream, _)) = accepted else {
            // Out of file descriptors or a connection reset before accept: wait, go on.
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            tokio::spawn(async move {
                let busy = b"421 4.7.0 Too many connections, try again later\r\n";
                let _ = tokio::time::timeout(Duration::from_secs(1), stream.write_all(busy)).await;
            });
            continue;
        };
        let shared = shared.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            let _permit = permit;
            tokio::select! {
                _ = stop.cancelled() => {}
                _ = session::serve(stream, &shared) => {}
            }
        });
    }
}
