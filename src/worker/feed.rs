//! The live feed: a task per instance keeps its WebSocket open, reads
//! every frame into a [`LiveMsg`] for the app, and reconnects with a
//! back-off growing from 1 s to 30 s when the socket drops. The upgrade
//! is sent within the token's rate budget (RyzeAPI counts it); a refused
//! one (not enabled, a wrong token, no such instance) waits until the app
//! asks again. Frames are read as they come and never wait for the app:
//! the server drops a client that leaves its ping unanswered.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use super::http::Http;
use super::lanes::About;
use crate::api::{ApiError, Received, SILENT_LIMIT, Socket, receive};
use crate::model::live::parse_frame;
use crate::protocol::{ErrorInfo, FeedStatus, LiveJob, LiveMsg, Msg};
use crate::util::dates::now_unix;

/// The first pause after a drop.
const FIRST_PAUSE: Duration = Duration::from_secs(1);
/// The longest pause between two tries.
const LONGEST_PAUSE: Duration = Duration::from_secs(30);
/// A socket open at least this long was a good one: the next drop starts
/// the back-off again from [`FIRST_PAUSE`].
const STABLE: Duration = Duration::from_secs(10);

/// Every instance's feed task, by instance.
#[derive(Debug, Default)]
pub(super) struct Feeds {
    /// Wakes a task that waits (paused or refused) to try at once.
    running: Mutex<HashMap<usize, Arc<Notify>>>,
}

impl Feeds {
    /// Carries out a job: a feed is started, or woken to try again now.
    pub(super) fn run(&self, http: &Arc<Http>, job: LiveJob) {
        let LiveJob::Open { instance } = job;
        if instance >= http.instances.len() {
            return;
        }
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(wake) = running.get(&instance) {
            wake.notify_one();
            return;
        }
        let wake = Arc::new(Notify::new());
        running.insert(instance, wake.clone());
        tokio::spawn(keep(http.clone(), instance, wake));
    }
}

/// The back-off between tries: 1 s, doubled after each failure, 30 s at
/// most.
#[derive(Debug, Clone, Copy)]
struct Backoff(Duration);

impl Backoff {
    fn next(&mut self) -> Duration {
        let now = self.0;
        self.0 = (self.0 * 2).min(LONGEST_PAUSE);
        now
    }

    fn reset(&mut self) {
        self.0 = FIRST_PAUSE;
    }
}

/// Keeps `instance`'s feed for as long as the app listens.
async fn keep(http: Arc<Http>, instance: usize, wake: Arc<Notify>) {
    let name = http.instances[instance].name.clone();
    let mut backoff = Backoff(FIRST_PAUSE);
    loop {
        if !tell(&http, instance, FeedStatus::Connecting) {
            return;
        }
        let why = match open(&http, instance).await {
            Ok(socket) => {
                if !tell(&http, instance, FeedStatus::Open) {
                    return;
                }
                tracing::info!(instance = %name, "live feed open");
                let opened = Instant::now();
                let Some(why) = read(&http, instance, socket).await else {
                    return;
                };
                if opened.elapsed() >= STABLE {
                    backoff.reset();
                }
                why
            }
            Err(e) if refused_for_good(&e) => {
                let info = ErrorInfo::from(&e);
                tracing::warn!(instance = %name, error = %info.lead(), "live feed refused");
                if !tell(&http, instance, FeedStatus::Refused(info)) {
                    return;
                }
                wake.notified().await;
                backoff.reset();
                continue;
            }
            Err(e) => ErrorInfo::from(&e).lead(),
        };
        let pause = backoff.next();
        tracing::warn!(instance = %name, why = %why, retry_in_s = pause.as_secs(), "live feed paused");
        let retry_at = now_unix() + pause.as_secs() as i64;
        if !tell(&http, instance, FeedStatus::Paused { retry_at, why }) {
            return;
        }
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = wake.notified() => {}
        }
    }
}

/// Opens the socket within the token's budget (no retries: the feed has
/// its own back-off).
async fn open(http: &Http, instance: usize) -> Result<Socket, ApiError> {
    let inst = &http.instances[instance];
    let ep = crate::api::Endpoint {
        base_url: &inst.base_url,
        token: &inst.token,
    };
    let about = About {
        what: "live feed",
        instance: &inst.name,
    };
    http.lanes
        .once(ep, about, || http.client.open_socket(ep, &inst.name))
        .await
}

/// Whether a failed upgrade needs a person before it can work: the
/// server refused it (not enabled, a token, an instance, a proxy of
/// ours), as opposed to a network or a server that failed.
fn refused_for_good(e: &ApiError) -> bool {
    match e {
        ApiError::Status { status, .. } => matches!(status, 400 | 401 | 403 | 404),
        ApiError::Request { .. } => true,
        _ => false,
    }
}

/// Reads frames until the socket ends; returns why it ended, or `None`
/// when the app stopped listening.
async fn read(http: &Http, instance: usize, mut socket: Socket) -> Option<String> {
    loop {
        let received = match tokio::time::timeout(SILENT_LIMIT, receive(&mut socket)).await {
            Ok(received) => received,
            Err(_) => {
                return Some(format!(
                    "no frame nor ping for {} s",
                    SILENT_LIMIT.as_secs()
                ));
            }
        };
        let msg = match received {
            Received::Text(text) => frame(http, instance, &text),
            Received::Alive => continue,
            Received::Closed(why) => {
                return Some(match why {
                    Some(why) => format!("the server closed the socket ({why})"),
                    None => "the server closed the socket".to_string(),
                });
            }
            Received::Broken(why) => return Some(why),
        };
        if http.results.send(Msg::Live(msg)).is_err() {
            return None;
        }
    }
}

/// One text frame as the app takes it: read, or counted as unreadable
/// (logged with why, never with the frame, which holds a token).
fn frame(http: &Http, instance: usize, text: &str) -> LiveMsg {
    match parse_frame(text) {
        Ok(event) => LiveMsg::Event {
            instance,
            event,
            received: now_unix(),
        },
        Err(why) => {
            tracing::warn!(instance = %http.instances[instance].name, why = %why, bytes = text.len(), "a live frame could not be read");
            LiveMsg::Unreadable {
                instance,
                why: why.0,
            }
        }
    }
}

/// Tells the app where the feed stands; `false` once it stopped listening.
fn tell(http: &Http, instance: usize, status: FeedStatus) -> bool {
    http.results
        .send(Msg::Live(LiveMsg::Feed { instance, status }))
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pause_doubles_from_one_second_to_thirty_and_starts_again() {
        let mut backoff = Backoff(FIRST_PAUSE);
        let pauses: Vec<u64> = (0..7).map(|_| backoff.next().as_secs()).collect();
        assert_eq!(pauses, [1, 2, 4, 8, 16, 30, 30]);
        backoff.reset();
        assert_eq!(backoff.next(), FIRST_PAUSE);
    }

    #[test]
    fn only_a_refusal_waits_to_be_asked_again() {
        let status = |status| ApiError::Status {
            status,
            message: None,
            rate: None,
            retry_after: None,
        };
        for s in [400, 401, 403, 404] {
            assert!(refused_for_good(&status(s)), "{s}");
        }
        for s in [429, 500, 502, 503] {
            assert!(!refused_for_good(&status(s)), "{s}");
        }
        assert!(!refused_for_good(&ApiError::Connect {
            detail: "refused".into()
        }));
    }
}
