//! What the emulator holds and how it is built: its configuration, the
//! faults a test can inject, each instance's state behind the routes, and
//! the handle that inspects and steers it.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::demo_data::{EmuContact, address_book};

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

/// Which requests a queued fault waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FaultFor {
    /// The next request, whatever it is.
    Any,
    /// The next block or unblock.
    Blocks,
    /// The next lookup (`getAccount` with a `number`).
    Lookups,
    /// The next request of the live events' routes (a WebSocket's
    /// configuration read or written, or its upgrade).
    Events,
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

/// One request as the emulator answered it, for tests that judge a
/// client's pace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    /// When it was answered (Unix milliseconds), before any jitter holds
    /// the answer back.
    pub at_ms: u64,
    /// The `token` header it carried (empty without one).
    pub token: String,
    /// `block` (block or unblock), `lookup` (`getAccount` with a
    /// `number`), or `other` (served from the server's own store).
    pub route: &'static str,
    /// The HTTP status of the answer.
    pub status: u16,
}

/// A token's fixed rate window.
#[derive(Debug, Clone, Copy)]
pub(super) struct Window {
    pub(super) reset_unix: u64,
    pub(super) used: u32,
}

/// Mutable state behind the routes.
#[derive(Debug)]
pub(super) struct Shared {
    pub(super) account_token: String,
    pub(super) instances: Vec<InstanceState>,
    pub(super) rate_limit: u32,
    pub(super) rate_window: Duration,
    pub(super) wall_clock_windows: bool,
    pub(super) latency: Duration,
    pub(super) answer_jitter: Duration,
    pub(super) list_key: &'static str,
    pub(super) windows: HashMap<String, Window>,
    /// Faults to inject, each for the next request of the routes it is
    /// for.
    pub(super) faults: VecDeque<(FaultFor, Fault)>,
    /// Lookups and blocks still to answer as WhatsApp throttling them.
    pub(super) throttle: u32,
    pub(super) throttled: u64,
    pub(super) lookups: Vec<(String, String)>,
    pub(super) requests: u64,
    pub(super) rate_limited: u64,
    pub(super) in_flight: u32,
    pub(super) max_in_flight: u32,
    pub(super) block_requests: Vec<(String, String, bool)>,
    pub(super) served: Vec<Served>,
    /// The live events: WebSocket configurations and open sockets.
    pub(super) live: super::hub::Hub,
}

#[derive(Debug)]
pub(super) struct InstanceState {
    pub(super) name: String,
    pub(super) token: String,
    pub(super) state: String,
    pub(super) own_number: String,
    pub(super) contacts: Vec<EmuContact>,
    pub(super) blocklist: BTreeSet<String>,
}

/// A cheap, cloneable handle to inspect and steer a running emulator.
#[derive(Debug, Clone)]
pub struct EmulatorHandle(Arc<Mutex<Shared>>);

impl EmulatorHandle {
    /// A handle on `shared`.
    pub(super) fn new(shared: Shared) -> EmulatorHandle {
        EmulatorHandle(Arc::new(Mutex::new(shared)))
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, Shared> {
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
        self.lock().faults.push_back((FaultFor::Any, fault));
    }

    /// Queues a fault for the next block or unblock request (the requests
    /// before it, such as the instance list, are answered as usual).
    pub fn push_block_fault(&self, fault: Fault) {
        self.lock().faults.push_back((FaultFor::Blocks, fault));
    }

    /// Queues a fault for the next lookup (`getAccount` with a `number`);
    /// other requests are answered as usual. `Fault::Stall` longer than
    /// the client's time-out makes a lookup that times out.
    pub fn push_lookup_fault(&self, fault: Fault) {
        self.lock().faults.push_back((FaultFor::Lookups, fault));
    }

    /// Queues a fault for the next request of the live events' routes
    /// (`getWebsocket`, `websocket`, the `/ws` upgrade); other requests
    /// are answered as usual.
    pub fn push_events_fault(&self, fault: Fault) {
        self.lock().faults.push_back((FaultFor::Events, fault));
    }

    /// WhatsApp throttling: the next `n` requests that reach WhatsApp
    /// (lookups, blocks and unblocks; the contact and instance lists are
    /// served from the server's own store and are never throttled) answer
    /// 429 `Rate limit exceeded. Try again later.` with the token's rate
    /// headers, whose `X-RateLimit-Remaining` shows the budget left. Each
    /// is counted against the budget like any request, so the budget is
    /// not spent by them unless they use its last requests. `0` ends it.
    pub fn set_throttling(&self, n: u32) {
        self.lock().throttle = n;
    }

    /// Requests answered as throttled by WhatsApp so far (apart from
    /// [`EmulatorHandle::rate_limited_count`], the budget's refusals).
    pub fn throttled_count(&self) -> u64 {
        self.lock().throttled
    }

    /// Every lookup the token and the rate budget let through, throttled
    /// ones included: (instance, `number` as sent). A `getAccount` without
    /// `number` (the instance's own profile) is no lookup.
    pub fn lookups(&self) -> Vec<(String, String)> {
        self.lock().lookups.clone()
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

    /// Every request answered so far, in the order the answers went out
    /// (faults and refusals included).
    pub fn served(&self) -> Vec<Served> {
        self.lock().served.clone()
    }

    /// Every accepted block request: (instance, number as sent, block).
    pub fn block_requests(&self) -> Vec<(String, String, bool)> {
        self.lock().block_requests.clone()
    }
}

impl Shared {
    /// Every instance's address book, `first`'s ahead of the others: one
    /// person has one identity on every instance.
    pub(super) fn books(&self, first: &str) -> Vec<&[EmuContact]> {
        let (own, others): (Vec<_>, Vec<_>) = self.instances.iter().partition(|i| i.name == first);
        own.into_iter()
            .chain(others)
            .map(|i| i.contacts.as_slice())
            .collect()
    }

    /// The state of a new emulator of `config`.
    pub(super) fn new(config: EmulatorConfig) -> Shared {
        let live = super::hub::Hub::new(config.instances.iter().map(|i| i.name.as_str()));
        Shared {
            live,
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
            throttle: 0,
            throttled: 0,
            lookups: Vec::new(),
            requests: 0,
            rate_limited: 0,
            in_flight: 0,
            max_in_flight: 0,
            block_requests: Vec::new(),
            served: Vec::new(),
        }
    }
}
