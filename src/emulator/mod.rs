//! An in-project RyzeAPI emulator (axum), used by `--demo`, by
//! `ryze-contacts emulator` and by the tests.
//!
//! It is a second, independent reading of the API contract: it shares no
//! types with the client, so one misunderstanding cannot hide on both sides
//! of a test. Beyond the three endpoints it offers what tests need: latency,
//! injected faults, a per-token rate limit, and a handle to inspect state.

mod demo_data;
mod routes;

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use demo_data::{EmuContact, address_book};

/// The JSON body the emulator sends for a contacts list, for benchmarks
/// and tests that need one without a server.
pub fn contacts_body(contacts: &[EmuContact]) -> Vec<u8> {
    serde_json::to_vec(&routes::contacts_list_json(contacts)).unwrap_or_default()
}

/// The account token of the demo and of `ryze-contacts emulator`.
pub const DEMO_ACCOUNT_TOKEN: &str = "demo-account-token";

/// One instance of the emulated account.
#[derive(Debug, Clone)]
pub struct EmuInstance {
    /// Name used in paths.
    pub name: String,
    /// Its TokenInstance.
    pub token: String,
    /// `connected`, `connecting`, `disconnected` or `loggedout`.
    pub state: String,
    /// The instance's own phone number (digits).
    pub own_number: String,
    /// Its address book.
    pub contacts: Vec<EmuContact>,
}

impl EmuInstance {
    /// An instance with a generated address book of `count` contacts.
    pub fn generated(name: &str, state: &str, own_number: &str, count: usize) -> Self {
        EmuInstance {
            name: name.to_string(),
            token: format!("demo-{name}-token"),
            state: state.to_string(),
            own_number: own_number.to_string(),
            contacts: address_book(name, count),
        }
    }
}

/// A fault the next request gets instead of its normal answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// A JSON error envelope with this status and message.
    Status(u16, String),
    /// An HTML page with this status, as a proxy would send.
    Html(u16),
    /// 200 with a body that is not JSON.
    Malformed,
    /// 200 with an empty body.
    Empty,
    /// Wait this long before answering normally.
    Stall(Duration),
    /// A hand-made answer, exactly as given: status, headers, body bytes
    /// (lying rate headers, a skewed clock, escapes, invalid UTF-8...).
    Raw {
        /// The HTTP status.
        status: u16,
        /// Headers, added as they are.
        headers: Vec<(String, String)>,
        /// The body.
        body: Vec<u8>,
    },
    /// A 200 whose connection drops after part of the body.
    CutBody,
}

/// How to build an emulator.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// The TokenAccount.
    pub account_token: String,
    /// The instances, in list order.
    pub instances: Vec<EmuInstance>,
    /// Requests per token per rate window.
    pub rate_limit: u32,
    /// Length of a rate window (60 s on RyzeAPI).
    pub rate_window: Duration,
    /// Windows start at wall-clock multiples of their length (each minute
    /// on the minute) instead of at a token's first request.
    pub wall_clock_windows: bool,
    /// Delay before every answer.
    pub latency: Duration,
    /// Key of the instance array in `/api/instance/list`: `instances` or
    /// `data` (the contract allows both).
    pub list_key: &'static str,
}

impl EmulatorConfig {
    /// The demo account: four instances, one of them disconnected, each
    /// with `contacts` contacts (or the demo's own sizes when `None`).
    pub fn demo(contacts: Option<usize>) -> Self {
        let n = |default: usize| contacts.unwrap_or(default);
        EmulatorConfig {
            account_token: DEMO_ACCOUNT_TOKEN.to_string(),
            instances: vec![
                EmuInstance::generated("sales", "connected", "5511955550101", n(480)),
                EmuInstance::generated("support", "connected", "5511955550202", n(360)),
                EmuInstance::generated("marketing", "disconnected", "5511955550303", n(240)),
                EmuInstance::generated("billing", "connected", "5511955550404", n(150)),
            ],
            rate_limit: 100,
            rate_window: Duration::from_secs(60),
            wall_clock_windows: false,
            latency: Duration::ZERO,
            list_key: "instances",
        }
    }
}

/// A token's fixed rate window.
#[derive(Debug, Clone, Copy)]
struct Window {
    reset_unix: u64,
    used: u32,
}

/// Mutable state behind the routes.
#[derive(Debug)]
struct Shared {
    account_token: String,
    instances: Vec<InstanceState>,
    rate_limit: u32,
    rate_window: Duration,
    wall_clock_windows: bool,
    latency: Duration,
    answer_jitter: Duration,
    list_key: &'static str,
    windows: HashMap<String, Window>,
    /// Faults to inject, each for the next request or the next block.
    faults: VecDeque<(bool, Fault)>,
    requests: u64,
    rate_limited: u64,
    in_flight: u32,
    max_in_flight: u32,
    block_requests: Vec<(String, String, bool)>,
}

#[derive(Debug)]
struct InstanceState {
    name: String,
    token: String,
    state: String,
    own_number: String,
    contacts: Vec<EmuContact>,
    blocklist: BTreeSet<String>,
}

/// A cheap, cloneable handle to inspect and steer a running emulator.
#[derive(Debug, Clone)]
pub struct EmulatorHandle(Arc<Mutex<Shared>>);

impl EmulatorHandle {
    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The JIDs (phone or `@lid`) on `instance`'s blocklist.
    pub fn blocklist(&self, instance: &str) -> Vec<String> {
        let shared = self.lock();
        shared
            .instances
            .iter()
            .find(|i| i.name == instance)
            .map(|i| i.blocklist.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Sets an instance's connection state.
    pub fn set_state(&self, instance: &str, state: &str) {
        let mut shared = self.lock();
        if let Some(i) = shared.instances.iter_mut().find(|i| i.name == instance) {
            i.state = state.to_string();
        }
    }

    /// Queues a fault for the next request.
    pub fn push_fault(&self, fault: Fault) {
        self.lock().faults.push_back((false, fault));
    }

    /// Queues a fault for the next block or unblock request (the requests
    /// before it, such as the instance list, are answered as usual).
    pub fn push_block_fault(&self, fault: Fault) {
        self.lock().faults.push_back((true, fault));
    }

    /// Sets the delay before every answer.
    pub fn set_latency(&self, latency: Duration) {
        self.lock().latency = latency;
    }

    /// Holds each answer, once the request is carried out, for a random
    /// time up to `jitter`: answers then arrive out of order, each with
    /// the count of the moment it was carried out.
    pub fn set_answer_jitter(&self, jitter: Duration) {
        self.lock().answer_jitter = jitter;
    }

    /// Requests served so far.
    pub fn request_count(&self) -> u64 {
        self.lock().requests
    }

    /// Requests refused with 429 so far.
    pub fn rate_limited_count(&self) -> u64 {
        self.lock().rate_limited
    }

    /// The most requests that were being served at the same time.
    pub fn max_in_flight(&self) -> u32 {
        self.lock().max_in_flight
    }

    /// Every accepted block request: (instance, number as sent, block).
    pub fn block_requests(&self) -> Vec<(String, String, bool)> {
        self.lock().block_requests.clone()
    }
}

/// A running emulator; it stops when dropped.
#[derive(Debug)]
pub struct RunningEmulator {
    addr: SocketAddr,
    handle: EmulatorHandle,
    stop: Option<oneshot::Sender<()>>,
    stopped: Option<tokio::task::JoinHandle<()>>,
}

impl RunningEmulator {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A handle to inspect and steer it.
    pub fn handle(&self) -> EmulatorHandle {
        self.handle.clone()
    }

    /// Stops serving, as a server that dies: new connections are refused.
    /// State is kept for [`RunningEmulator::resume`].
    pub async fn kill(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.stopped.take() {
            let _ = task.await;
        }
    }

    /// Serves again on the same address, with the same state.
    pub async fn resume(&mut self) -> std::io::Result<()> {
        let listener = TcpListener::bind(self.addr).await?;
        let (stop, task) = serve(listener, self.handle.clone());
        self.stop = Some(stop);
        self.stopped = Some(task);
        Ok(())
    }
}

fn serve(
    listener: TcpListener,
    handle: EmulatorHandle,
) -> (oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let (stop, stopped) = oneshot::channel::<()>();
    let app = routes::router(handle);
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "emulator stopped");
        }
    });
    (stop, task)
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts the emulator on `addr` (use port 0 for any free port) on the
/// current tokio runtime.
pub async fn start(config: EmulatorConfig, addr: SocketAddr) -> std::io::Result<RunningEmulator> {
    let shared = Shared {
        account_token: config.account_token,
        instances: config
            .instances
            .into_iter()
            .map(|i| InstanceState {
                name: i.name,
                token: i.token,
                state: i.state,
                own_number: i.own_number,
                contacts: i.contacts,
                blocklist: BTreeSet::new(),
            })
            .collect(),
        rate_limit: config.rate_limit,
        rate_window: config.rate_window,
        wall_clock_windows: config.wall_clock_windows,
        latency: config.latency,
        answer_jitter: Duration::ZERO,
        list_key: config.list_key,
        windows: HashMap::new(),
        faults: VecDeque::new(),
        requests: 0,
        rate_limited: 0,
        in_flight: 0,
        max_in_flight: 0,
        block_requests: Vec::new(),
    };
    let handle = EmulatorHandle(Arc::new(Mutex::new(shared)));
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (stop, task) = serve(listener, handle.clone());
    Ok(RunningEmulator {
        addr,
        handle,
        stop: Some(stop),
        stopped: Some(task),
    })
}
