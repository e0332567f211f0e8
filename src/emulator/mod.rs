//! An in-project RyzeAPI emulator (axum), used by `--demo`, by
//! `ryze-contacts emulator` and by the tests.
//!
//! It is a second, independent reading of the API contract: it shares no
//! types with the client, so one misunderstanding cannot hide on both sides
//! of a test. Beyond the endpoints it offers what tests need: latency,
//! injected faults, a per-token rate limit, live events pushed and sockets
//! dropped on demand, and a handle to inspect state.

mod demo_data;
mod hub;
mod live;
mod routes;
mod wave;
mod world;

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use demo_data::{EmuContact, address_book};
pub use live::EmuMessage;
use world::Shared;
pub use world::{DEMO_ACCOUNT_TOKEN, EmuInstance, EmulatorConfig, EmulatorHandle, Fault};

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

fn serve(
    listener: TcpListener,
    handle: EmulatorHandle,
) -> (oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let (stop, stopped) = oneshot::channel::<()>();
    // The live events (their WebSocket and its configuration) beside the
    // REST routes.
    let app = routes::router(handle.clone()).merge(live::routes().with_state(handle));
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
