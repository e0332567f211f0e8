//! `profile check`'s word on each instance's live feed: whether its
//! WebSocket is enabled (`GET /api/events/getWebsocket/:instance`; a 404
//! saying it was never configured is told apart from one saying there is
//! no such instance), and, on a terminal, the offer to enable it, asked
//! first for each instance, never on a read-only one.

use std::io::{BufRead, IsTerminal};

use crate::api::{FEED_EVENTS, SocketConfig};
use crate::cli::output::say;
use crate::engine::Engine;
use crate::protocol::{ApiCall, ErrorInfo, Job, JobResult};
use crate::util::sanitize::clean;

/// What the server keeps of an instance's WebSocket, or why it could not
/// be read; `None` for an instance the token does not reach.
pub(crate) type Socket = Option<Result<SocketConfig, ErrorInfo>>;

/// The WebSocket configuration of each instance the token reaches
/// (`reached`, in profile order), its phone connected or not.
pub(crate) async fn sockets(engine: &mut Engine, reached: &[bool]) -> Vec<Socket> {
    let mut out = Vec::new();
    for (i, &reached) in reached.iter().enumerate() {
        if !reached {
            out.push(None);
            continue;
        }
        out.push(Some(
            ask(engine, Job::Api(ApiCall::SocketConfig { instance: i }), i).await,
        ));
    }
    out
}

/// Asks `job` of instance `i` and waits for its configuration.
async fn ask(engine: &mut Engine, job: Job, i: usize) -> Result<SocketConfig, ErrorInfo> {
    let result = engine
        .ask(
            job,
            |r| matches!(r, JobResult::SocketConfig { instance, .. } if *instance == i),
        )
        .await;
    match result {
        JobResult::SocketConfig { result, .. } => result,
        _ => Err(ErrorInfo::local("no answer", "retry")),
    }
}

/// `live feed: enabled`, `live feed: never configured`, or why it could
/// not be read.
pub(crate) fn words(socket: &Result<SocketConfig, ErrorInfo>) -> String {
    match socket {
        Ok(config) => format!("live feed: {}", config.words()),
        Err(e) => format!("live feed: unknown ({})", e.lead()),
    }
}

/// The same for `--json`: `{"state": "enabled", "serves_live_feed":
/// true}`, or `{"error": ..., "hint": ...}`.
pub(crate) fn json(socket: &Result<SocketConfig, ErrorInfo>) -> serde_json::Value {
    match socket {
        Ok(config) => serde_json::json!({
            "state": config.words(),
            "serves_live_feed": config.serves_feed(),
        }),
        Err(e) => serde_json::json!({"error": e.lead(), "hint": e.hint}),
    }
}

/// Offers, on a terminal, to enable the WebSocket of each instance whose
/// configuration does not serve the feed (asking for each); elsewhere,
/// says how.
pub(crate) async fn offer(engine: &mut Engine, sockets: &[Socket]) {
    let interactive = std::io::stdin().is_terminal() && crate::cli::output::stderr_is_terminal();
    for (i, socket) in sockets.iter().enumerate() {
        let Some(Ok(config)) = socket else { continue };
        if config.serves_feed() {
            continue;
        }
        let inst = &engine.profile().instances[i];
        let name = clean(&inst.name).into_owned();
        if inst.read_only {
            say(&format!(
                "{name}: read-only, so its WebSocket is not enabled from here"
            ));
            continue;
        }
        if !interactive {
            say(&format!(
                "{name}: its WebSocket is {}: run `ryze-contacts profile check` on a terminal to enable it, or press E in the Live view",
                config.words()
            ));
            continue;
        }
        crate::cli::output::ask(&format!(
            "ryze-contacts: enable the WebSocket of {name} for the live feed ({}; other event types stay)? [y/N] ",
            FEED_EVENTS.join(", ")
        ));
        let mut answer = String::new();
        if std::io::stdin().lock().read_line(&mut answer).is_err() {
            return;
        }
        if !matches!(answer.trim().to_lowercase().as_str(), "y" | "yes") {
            say(&format!("{name}: not changed"));
            continue;
        }
        let job = Job::Api(ApiCall::EnableSocket {
            instance: i,
            from: config.clone(),
        });
        match ask(engine, job, i).await {
            Ok(now) => say(&format!("{name}: the WebSocket is now {}", now.words())),
            Err(e) => say(&format!("{name}: not enabled: {} · {}", e.lead(), e.hint)),
        }
    }
}
