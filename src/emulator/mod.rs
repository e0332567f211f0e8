//! An in-project RyzeAPI emulator (axum), used by `--demo`, by
//! `ryze-contacts emulator` and by the tests.
//!
//! It is a second, independent reading of the API contract: it shares no
//! types with the client, so one misunderstanding cannot hide on both sides
//! of a test. Beyond the endpoints it offers what tests need: latency,
//! injected faults, a per-token rate limit, WhatsApp's throttling, live
//! events pushed and sockets dropped on demand, and a handle to inspect
//! state.
//!
//! `GET /api/profile/getAccount/:instance[?number=]` answers who a number
//! is, the same on every run:
//! - a contact of the instance: its own JID, `@lid` and name;
//! - the demo's spammers ([`DEMO_SPAMMERS`]): their telling profiles;
//! - a Brazilian mobile outside area codes 11–28: the person keyed by the
//!   old 8-digit ID (`+55 81 98888-7777` is `558188887777@s.whatsapp.net`
//!   in lookups, and in block answers when the person has no `@lid`);
//! - not on WhatsApp: a number libphonenumber does not call valid, or one
//!   whose digits end in `404`; when the digit before `404` is even, the
//!   answer is 404 `Number is not on WhatsApp` ([`NOT_ON_WHATSAPP_404`]),
//!   when odd, a 200 whose profile has no `jid` ([`NOT_ON_WHATSAPP_200`]).
//!   Blocking such a number is still accepted, as sent: only a lookup
//!   tells;
//! - anyone else: a profile drawn from the number (a name in one of
//!   several languages or none, an About text or none, a picture or
//!   `null`, an `@lid` for some);
//! - without `number`: the instance's own profile. A disconnected instance
//!   answers 400 `Instance is not connected to WhatsApp`.

mod account;
mod demo_data;
mod hub;
mod live;
mod people;
mod routes;
mod wave;
mod world;

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use demo_data::{DEMO_SPAMMERS, DemoSpammer, EmuContact, address_book};
pub use live::EmuMessage;

/// A number whose lookup answers 404 `Number is not on WhatsApp`.
pub const NOT_ON_WHATSAPP_404: &str = "5511987650404";
/// A number whose lookup answers 200 with a profile that has no `jid`.
pub const NOT_ON_WHATSAPP_200: &str = "5511987651404";
use world::Shared;
pub use world::{DEMO_ACCOUNT_TOKEN, EmuInstance, EmulatorConfig, EmulatorHandle, Fault, Served};

/// The JSON body the emulator sends for a contacts list, for benchmarks
/// and tests that need one without a server.
pub fn contacts_body(contacts: &[EmuContact]) -> Vec<u8> {
    serde_json::to_vec(&routes::contacts_list_json(contacts)).unwrap_or_default()
}

/// A running emulator; it stops when dropped.
#[derive(Debug)]
pub struct RunningEmulator {
    addr: SocketAddr,
    handle: EmulatorHandle,
    stop: Option<oneshot::Sender<()>>,
    stopped: Option<tokio::task::JoinHandle<()>>,
    /// The demo's live feed, while it plays.
    feed: Option<tokio::task::JoinHandle<()>>,
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

    /// Plays the demo's live feed (everyday messages and a spam wave
    /// every two minutes) until it is dropped.
    pub fn play_demo_feed(&mut self) {
        if self.feed.is_none() {
            self.feed = Some(tokio::spawn(wave::play(self.handle.clone())));
        }
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

/// Every route the emulator serves.
fn router(handle: EmulatorHandle) -> axum::Router {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/api/chat/contacts/{instance}", get(routes::contacts))
        .route("/api/chat/block/{instance}", post(routes::block))
        .route("/api/instance/list", get(routes::instance_list))
        .route(
            "/api/profile/getAccount/{instance}",
            get(account::get_account),
        )
        .with_state(handle)
}

fn serve(
    listener: TcpListener,
    handle: EmulatorHandle,
) -> (oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let (stop, stopped) = oneshot::channel::<()>();
    // The live events (their WebSocket and its configuration) beside the
    // REST routes.
    let app = router(handle.clone()).merge(live::routes().with_state(handle));
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
        if let Some(feed) = self.feed.take() {
            feed.abort();
        }
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts the emulator on `addr` (use port 0 for any free port) on the
/// current tokio runtime.
pub async fn start(config: EmulatorConfig, addr: SocketAddr) -> std::io::Result<RunningEmulator> {
    let handle = EmulatorHandle::new(Shared::new(config));
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (stop, task) = serve(listener, handle.clone());
    Ok(RunningEmulator {
        addr,
        handle,
        stop: Some(stop),
        stopped: Some(task),
        feed: None,
    })
}
