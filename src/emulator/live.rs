//! The emulator's live events, read from the contract (section 5) and
//! RyzeAPI's documentation: `GET /ws/:instance` (the `token` header, 400
//! when the instance's WebSocket is not enabled, the upgrade counted in
//! the token's budget), `GET /api/events/getWebsocket/:instance` (404
//! `WebSocket not configured…` apart from 404 `Instance not found`) and
//! `POST /api/events/websocket/:instance`. Frames are the documented
//! envelope with `instanceData.token`; the server pings and drops a
//! client that leaves a ping unanswered. An instance that is not
//! connected to WhatsApp receives no message: the documentation says
//! nothing of its socket, so it stays open and carries only
//! `instance.state` events. Tests push events, break frames and drop
//! sockets through the handle.

use std::collections::HashMap;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::{SinkExt, StreamExt};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::sync::broadcast;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;

use super::hub::{EVENT_TYPES, Out, WsConfig};
use super::routes::{Answer, Caller, Request, authorise, fail, ok, serve};
use super::world::{EmulatorHandle, Shared};

/// A message for [`EmulatorHandle::push_message`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmuMessage {
    /// The sender's number (digits), or `None` for a hidden number.
    pub number: Option<String>,
    /// The sender's `@lid` digits.
    pub lid: Option<String>,
    /// The sender's push name.
    pub name: Option<String>,
    /// The text.
    pub text: String,
    /// Written in this group (its name), not in a private chat.
    pub group: Option<String>,
}

/// The routes of the live events (the emulator merges them beside the
/// others).
pub(super) fn routes() -> Router<EmulatorHandle> {
    Router::new()
        .route("/ws/{instance}", get(upgrade))
        .route("/api/events/getWebsocket/{instance}", get(read_config))
        .route("/api/events/websocket/{instance}", post(write_config))
}

fn config_json(c: &WsConfig) -> Value {
    json!({"enabled": c.enabled, "events": c.events, "mediaBase64": c.media})
}

fn get_route(shared: &mut Shared, caller: &Caller, req: &Request) -> Answer {
    let name = req.instance.clone().unwrap_or_default();
    if let Err(answer) = authorise(shared, caller, &name) {
        return answer;
    }
    match shared.live.configs.get(&name).cloned().flatten() {
        None => fail(404, "WebSocket not configured for this instance"),
        Some(c) => ok(json!({
            "success": true,
            "message": "WebSocket configuration retrieved",
            "websocket": config_json(&c),
        })),
    }
}

fn post_route(shared: &mut Shared, caller: &Caller, req: &Request) -> Answer {
    let name = req.instance.clone().unwrap_or_default();
    if let Err(answer) = authorise(shared, caller, &name) {
        return answer;
    }
    let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
        return fail(400, "Invalid request body");
    };
    let Some(enabled) = body.get("enabled").and_then(Value::as_bool) else {
        return fail(400, "Invalid request body");
    };
    let events: Vec<String> = match body.get("events") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => {
            let names: Option<Vec<String>> = list
                .iter()
                .map(|e| {
                    e.as_str()
                        .filter(|e| EVENT_TYPES.contains(e))
                        .map(String::from)
                })
                .collect();
            let Some(names) = names else {
                return fail(400, "Invalid request body");
            };
            names
        }
        Some(_) => return fail(400, "Invalid request body"),
    };
    let media = body
        .get("mediaBase64")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    // Disabled: events and media are cleared; open sockets stay.
    let config = WsConfig {
        enabled,
        events: if enabled { events } else { Vec::new() },
        media: enabled && media,
    };
    shared.live.configs.insert(name, Some(config.clone()));
    ok(json!({
        "success": true,
        "message": "WebSocket configuration saved",
        "websocket": config_json(&config),
    }))
}

fn ws_route(shared: &mut Shared, caller: &Caller, req: &Request) -> Answer {
    let name = req.instance.clone().unwrap_or_default();
    if let Err(answer) = authorise(shared, caller, &name) {
        return answer;
    }
    match shared.live.configs.get(&name).cloned().flatten() {
        Some(c) if c.enabled => ok(json!({"success": true})),
        _ => fail(
            400,
            &format!(
                "WebSocket is not enabled for this instance. Configure it first using POST /api/events/websocket/{name}"
            ),
        ),
    }
}

fn request(instance: String, body: Bytes) -> Request {
    Request {
        kind: super::routes::Kind::Events,
        instance: Some(instance),
        query: HashMap::new(),
        body,
    }
}

async fn read_config(
    State(handle): State<EmulatorHandle>,
    Path(instance): Path<String>,
    headers: HeaderMap,
) -> Response {
    serve(handle, headers, request(instance, Bytes::new()), get_route).await
}

async fn write_config(
    State(handle): State<EmulatorHandle>,
    Path(instance): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    serve(handle, headers, request(instance, body), post_route).await
}

/// `GET /ws/:instance`: checked like any request (token, instance,
/// budget, enabled), then upgraded by hand (hyper's upgrade, no second
/// WebSocket stack).
async fn upgrade(
    State(handle): State<EmulatorHandle>,
    Path(instance): Path<String>,
    mut req: axum::extract::Request,
) -> Response {
    let headers = req.headers().clone();
    let checked = serve(
        handle.clone(),
        headers.clone(),
        request(instance.clone(), Bytes::new()),
        ws_route,
    )
    .await;
    if checked.status() != StatusCode::OK {
        return checked;
    }
    let is_ws = headers
        .get(header::UPGRADE)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"websocket"));
    let Some(key) = headers.get(header::SEC_WEBSOCKET_KEY).filter(|_| is_ws) else {
        return (StatusCode::BAD_REQUEST, "expected a WebSocket upgrade").into_response();
    };
    let accept = derive_accept_key(key.as_bytes());
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string();
    let on_upgrade = hyper::upgrade::on(&mut req);
    let (rx, token) = {
        let mut shared = handle.lock();
        shared.live.upgrades += 1;
        let token = shared
            .instances
            .iter()
            .find(|i| i.name == instance)
            .map(|i| i.token.clone())
            .unwrap_or_default();
        (shared.live.channel(&instance).subscribe(), token)
    };
    let place = Place {
        instance,
        token,
        base_url: format!("http://{host}"),
    };
    tokio::spawn(async move {
        if let Ok(upgraded) = on_upgrade.await {
            let ws =
                WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
            run_socket(handle, ws, rx, place).await;
        }
    });
    switching(&checked, &accept)
}

/// The 101 answer, with the rate headers the check counted.
fn switching(checked: &Response, accept: &str) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    if let Ok(value) = HeaderValue::from_str(accept) {
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, value);
    }
    for (name, value) in checked.headers() {
        if name.as_str().starts_with("x-ratelimit") {
            headers.insert(name.clone(), value.clone());
        }
    }
    response
}

/// Where a socket's frames say they come from.
struct Place {
    instance: String,
    token: String,
    base_url: String,
}

type ServerSocket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

/// Serves one socket: frames as events come, a ping each heartbeat, and
/// the end when the client leaves, a test drops it, or a ping goes
/// unanswered.
async fn run_socket(
    handle: EmulatorHandle,
    mut ws: ServerSocket,
    mut rx: broadcast::Receiver<Out>,
    place: Place,
) {
    let (every, limit) = {
        let mut shared = handle.lock();
        *shared.live.open.entry(place.instance.clone()).or_default() += 1;
        shared.live.heartbeat
    };
    let mut ping = tokio::time::interval(every);
    ping.tick().await;
    let mut last_pong = tokio::time::Instant::now();
    loop {
        tokio::select! {
            out = rx.recv() => {
                let text = match out {
                    Ok(Out::Event(event, data)) => match frame(&handle, &place, &event, data) {
                        Some(text) => text,
                        None => continue,
                    },
                    Ok(Out::Raw(text)) => text,
                    Ok(Out::Drop) | Err(broadcast::error::RecvError::Closed) => break,
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                };
                if ws.send(Message::text(text)).await.is_err() {
                    break;
                }
            }
            incoming = ws.next() => match incoming {
                Some(Ok(Message::Pong(_))) => last_pong = tokio::time::Instant::now(),
                Some(Ok(_)) => {}
                None | Some(Err(_)) => break,
            },
            _ = ping.tick() => {
                if last_pong.elapsed() > limit || ws.send(Message::Ping(Bytes::new())).await.is_err() {
                    break;
                }
            }
        }
    }
    let mut shared = handle.lock();
    if let Some(n) = shared.live.open.get_mut(&place.instance) {
        *n = n.saturating_sub(1);
    }
}

/// An event in the documented envelope, when the instance's configuration
/// sends its type.
fn frame(handle: &EmulatorHandle, place: &Place, event: &str, data: Value) -> Option<String> {
    let shared = handle.lock();
    let config = shared.live.configs.get(&place.instance).cloned().flatten();
    let wanted = config.is_none_or(|c| c.events.is_empty() || c.events.iter().any(|e| e == event));
    wanted.then(|| {
        json!({
            "event": event,
            "data": data,
            "instanceData": {
                "baseUrl": place.base_url,
                "instance": place.instance,
                "token": place.token,
            },
        })
        .to_string()
    })
}

/// `message.exchange` data for `m`, the `n`th pushed: the sender's JID
/// written as bare digits or in full, in turn, as the documentation's
/// example and real servers differ.
fn message_data(m: &EmuMessage, n: u64) -> Value {
    let id = format!("wamid.EMU{n:08}");
    let jid = m.number.as_ref().map(|d| {
        if n.is_multiple_of(2) {
            d.clone()
        } else {
            format!("{d}@s.whatsapp.net")
        }
    });
    let lid = m.lid.as_ref().map(|l| format!("{l}@lid"));
    let sender = json!({"jid": jid.clone().or(lid.clone()), "lid": lid, "name": m.name});
    let chat = match &m.group {
        Some(group) => {
            json!({"jid": format!("1203630{:011}@g.us", n % 1000), "name": group, "type": "group"})
        }
        None => json!({"jid": jid.or(lid), "name": m.name, "type": "private"}),
    };
    json!({
        "id": id,
        "message": {
            "id": id,
            "direction": "incoming",
            "timestamp": crate::util::dates::rfc3339(crate::util::dates::now_unix()),
            "chat": chat,
            "sender": sender,
            "content": {"text": m.text},
        },
    })
}

impl EmulatorHandle {
    fn send_out(&self, instance: &str, out: Out) -> usize {
        let tx = self.lock().live.channel(instance);
        // With no socket open the event is dropped, as RyzeAPI drops it.
        tx.send(out).unwrap_or(0)
    }

    /// Pushes an incoming message to `instance`'s open sockets; returns
    /// how many got it. An instance that is not connected to WhatsApp
    /// receives no message: its sockets stay open (and still get
    /// `instance.state` events), but it gets nothing (0).
    pub fn push_message(&self, instance: &str, m: &EmuMessage) -> usize {
        let n = {
            let mut shared = self.lock();
            let connected = shared
                .instances
                .iter()
                .any(|i| i.name == instance && i.state == "connected");
            if !connected {
                return 0;
            }
            shared.live.messages += 1;
            shared.live.messages
        };
        self.send_out(
            instance,
            Out::Event("message.exchange".into(), message_data(m, n)),
        )
    }

    /// Pushes an `instance.state` event (`temp_banned`, `logged_out`,
    /// `connected`…), and sets the state the instance list reports.
    pub fn push_state(&self, instance: &str, state: &str) -> usize {
        let listed = match state {
            "logged_out" => "loggedout",
            "connected" | "connecting" => state,
            _ => "disconnected",
        };
        self.set_state(instance, listed);
        let data = json!({
            "state": state,
            "timestamp": crate::util::dates::rfc3339(crate::util::dates::now_unix()),
        });
        self.send_out(instance, Out::Event("instance.state".into(), data))
    }

    /// Pushes a frame exactly as given.
    pub fn push_raw(&self, instance: &str, text: &str) -> usize {
        self.send_out(instance, Out::Raw(text.to_string()))
    }

    /// Drops `instance`'s open sockets without a closing handshake, as a
    /// network that fails.
    pub fn drop_sockets(&self, instance: &str) -> usize {
        self.send_out(instance, Out::Drop)
    }

    /// How many sockets of `instance` are open.
    pub fn open_sockets(&self, instance: &str) -> usize {
        self.lock().live.open.get(instance).copied().unwrap_or(0)
    }

    /// How many upgrades were accepted, on every instance.
    pub fn upgrades(&self) -> u64 {
        self.lock().live.upgrades
    }

    /// Sets `instance`'s WebSocket: `None` never configured, else enabled
    /// or not (for every event type).
    pub fn set_websocket(&self, instance: &str, enabled: Option<bool>) {
        let config = enabled.map(|enabled| WsConfig {
            enabled,
            events: Vec::new(),
            media: false,
        });
        self.lock()
            .live
            .configs
            .insert(instance.to_string(), config);
    }

    /// `instance`'s WebSocket: `None` never configured, else (enabled,
    /// event types).
    pub fn websocket(&self, instance: &str) -> Option<(bool, Vec<String>)> {
        let shared = self.lock();
        let config = shared.live.configs.get(instance)?.as_ref()?;
        Some((config.enabled, config.events.clone()))
    }

    /// How often sockets are pinged, and how long a pong may be late
    /// before the socket is dropped (20 s and 60 s unless a test changes
    /// them; for sockets opened afterwards).
    pub fn set_heartbeat(&self, every: Duration, limit: Duration) {
        self.lock().live.heartbeat = (every, limit);
    }
}
