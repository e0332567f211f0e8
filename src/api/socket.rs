//! RyzeAPI's live events: the WebSocket at `/ws/:instance` (opened with
//! the `token` header, never the query parameter, which ends up in
//! logs) and its configuration (`GET /api/events/getWebsocket/:instance`,
//! `POST /api/events/websocket/:instance`). A refused upgrade is an
//! [`ApiError`] like any other answer: its status, the server's words,
//! its rate headers.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::{Method, Url};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderName, HeaderValue};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

use super::client::{ApiClient, Endpoint, Reply, api_url};
use super::error::{ApiError, RateLimit};
use super::types::status_error;
use crate::util::sanitize::clean;

/// The events the live feed reads.
pub const FEED_EVENTS: [&str; 2] = ["message.exchange", "instance.state"];

/// How long an open socket may stay silent (no frame, no ping) before it
/// is taken for dead and opened again.
pub const SILENT_LIMIT: Duration = Duration::from_secs(120);

/// The largest frame read (a message with media inlined can be large;
/// the feed never asks for media).
const MAX_FRAME_BYTES: usize = 16 << 20;

/// An instance's WebSocket configuration, as the server keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketConfig {
    /// Enabled, for these event types (none listed: all of them).
    Enabled {
        /// The event types sent.
        events: Vec<String>,
        /// Whether media come inlined in the frames.
        media_base64: bool,
    },
    /// Configured, but turned off: upgrades are refused (400).
    Disabled,
    /// Never configured (a 404 that says so): upgrades are refused.
    NotConfigured,
}

impl SocketConfig {
    /// Whether the feed gets what it reads: enabled, with every event
    /// type or at least messages and states.
    pub fn serves_feed(&self) -> bool {
        match self {
            SocketConfig::Enabled { events, .. } => {
                events.is_empty() || FEED_EVENTS.iter().all(|e| events.iter().any(|x| x == e))
            }
            SocketConfig::Disabled | SocketConfig::NotConfigured => false,
        }
    }

    /// What the server keeps, in words: `enabled`, `enabled without
    /// instance.state`, `disabled`, `never configured`.
    pub fn words(&self) -> String {
        match self {
            SocketConfig::Enabled { events, .. } => {
                let missing: Vec<&str> = FEED_EVENTS
                    .iter()
                    .copied()
                    .filter(|e| !events.is_empty() && !events.iter().any(|x| x == e))
                    .collect();
                if missing.is_empty() {
                    "enabled".to_string()
                } else {
                    format!("enabled without {}", missing.join(" and "))
                }
            }
            SocketConfig::Disabled => "disabled".to_string(),
            SocketConfig::NotConfigured => "never configured".to_string(),
        }
    }

    /// The body that enables the feed's events and keeps what else was
    /// configured (another consumer's event types, media).
    pub fn enabling_body(&self) -> Value {
        let (mut events, media) = match self {
            SocketConfig::Enabled {
                events,
                media_base64,
            } => (events.clone(), *media_base64),
            SocketConfig::Disabled | SocketConfig::NotConfigured => (Vec::new(), false),
        };
        let all = matches!(self, SocketConfig::Enabled { events, .. } if events.is_empty());
        if !all {
            for e in FEED_EVENTS {
                if !events.iter().any(|x| x == e) {
                    events.push(e.to_string());
                }
            }
        }
        json!({"enabled": true, "events": events, "mediaBase64": media})
    }
}

/// An open live feed.
pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What a read of the socket gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// A text frame.
    Text(String),
    /// A ping or pong: the connection is alive.
    Alive,
    /// The server closed the socket (its reason, sanitised, if it gave one).
    Closed(Option<String>),
    /// The connection broke: why, without URL or token.
    Broken(String),
}

/// Reads the socket's next frame. Pings are answered by the library as
/// the stream is polled (RyzeAPI drops a client that leaves a ping
/// unanswered for 60 s), so the caller must keep reading.
pub async fn receive(socket: &mut Socket) -> Received {
    loop {
        match socket.next().await {
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => return Received::Alive,
            None => return Received::Closed(None),
            Some(Ok(Message::Text(text))) => return Received::Text(text.as_str().to_string()),
            Some(Ok(Message::Binary(bytes))) => {
                // RyzeAPI sends JSON text; binary JSON is read the same.
                return Received::Text(String::from_utf8_lossy(&bytes).into_owned());
            }
            Some(Ok(Message::Close(frame))) => {
                let why = frame
                    .map(|f| clean(f.reason.as_str()).into_owned())
                    .filter(|w| !w.is_empty());
                // The reply is queued; the stream ends once it is out.
                while let Some(Ok(_)) = socket.next().await {}
                return Received::Closed(why);
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => return Received::Broken(broken(&e)),
        }
    }
}

/// How a broken socket is said.
fn broken(e: &WsError) -> String {
    match e {
        WsError::ConnectionClosed | WsError::AlreadyClosed => "closed".to_string(),
        WsError::Io(e) => format!("connection lost ({})", e.kind()),
        WsError::Protocol(p) => format!("connection lost ({p})"),
        WsError::Capacity(c) => format!("a frame too large ({c})"),
        other => format!("connection lost ({})", clean(&other.to_string())),
    }
}

/// `ws://host/ws/<instance>` (or `wss://` for `https://`), the instance
/// percent-encoded.
pub fn socket_url(base: &Url, instance: &str) -> Result<Url, ApiError> {
    let mut url = base.clone();
    let scheme = match base.scheme() {
        "https" => "wss",
        _ => "ws",
    };
    let refuse = || ApiError::Request {
        detail: "base_url cannot hold a WebSocket path".to_string(),
    };
    url.set_scheme(scheme).map_err(|()| refuse())?;
    url.path_segments_mut()
        .map_err(|()| refuse())?
        .pop_if_empty()
        .push("ws")
        .push(instance);
    url.set_query(None);
    Ok(url)
}

impl ApiClient {
    /// The instance's WebSocket configuration: enabled, disabled, or
    /// never configured (a 404 about the configuration, told apart from
    /// the 404 of an unknown instance by the server's words).
    pub async fn socket_config(
        &self,
        ep: Endpoint<'_>,
        instance: &str,
    ) -> Result<Reply<SocketConfig>, ApiError> {
        let url = api_url(ep.base_url, &["events", "getWebsocket", instance])?;
        match self.fetch(ep, Method::GET, url, None).await {
            Ok((bytes, rate)) => Ok(Reply {
                value: read_config(&bytes, None)?,
                rate,
            }),
            Err(e) if is_not_configured(&e) => Ok(Reply {
                value: SocketConfig::NotConfigured,
                rate: e.rate(),
            }),
            Err(e) => Err(e),
        }
    }

    /// Enables the instance's WebSocket with `body` (see
    /// [`SocketConfig::enabling_body`]); returns what the server kept.
    pub async fn enable_socket(
        &self,
        ep: Endpoint<'_>,
        instance: &str,
        body: Value,
    ) -> Result<Reply<SocketConfig>, ApiError> {
        let url = api_url(ep.base_url, &["events", "websocket", instance])?;
        let (bytes, rate) = self
            .fetch(ep, Method::POST, url, Some(body.clone()))
            .await?;
        Ok(Reply {
            value: read_config(&bytes, Some(&body))?,
            rate,
        })
    }

    /// Opens the instance's live feed. A refused upgrade is the server's
    /// answer as an [`ApiError::Status`] (400 `WebSocket is not enabled…`,
    /// 401, 404…). The feed never goes through a proxy: when one is set
    /// for this server, nothing is opened and the error says so.
    pub async fn open_socket(
        &self,
        ep: Endpoint<'_>,
        instance: &str,
    ) -> Result<Reply<Socket>, ApiError> {
        if let Some(proxy) = self.config().proxies.for_url(ep.base_url) {
            return Err(ApiError::Request {
                detail: format!(
                    "the live feed does not go through a proxy yet ({} is set): add the server to no_proxy to open it directly",
                    proxy.variable
                ),
            });
        }
        let url = socket_url(ep.base_url, instance)?;
        let mut request = url
            .as_str()
            .into_client_request()
            .map_err(|e| ApiError::Request {
                detail: clean(&e.to_string()).into_owned(),
            })?;
        let mut token =
            HeaderValue::from_str(ep.token.expose()).map_err(|_| ApiError::Request {
                detail: "the token holds a character a header cannot carry".to_string(),
            })?;
        token.set_sensitive(true);
        let headers = request.headers_mut();
        headers.insert(HeaderName::from_static("token"), token);
        headers.insert(
            HeaderName::from_static("user-agent"),
            HeaderValue::from_static(concat!("ryze-contacts/", env!("CARGO_PKG_VERSION"))),
        );
        let config = WebSocketConfig::default().max_message_size(Some(MAX_FRAME_BYTES));
        let connector = tls_connector()?;
        let limit = self.config().request;
        let opened = tokio::time::timeout(
            limit,
            tokio_tungstenite::connect_async_tls_with_config(
                request,
                Some(config),
                true,
                Some(connector),
            ),
        )
        .await
        .map_err(|_| ApiError::Timeout {
            seconds: limit.as_secs().max(1),
        })?;
        match opened {
            Ok((socket, response)) => Ok(Reply {
                value: socket,
                rate: rate_of(response.headers()),
            }),
            Err(e) => Err(upgrade_error(e)),
        }
    }
}

/// The TLS of the rest of the app: rustls with ring and the platform's
/// verifier (used for `wss://` only).
fn tls_connector() -> Result<Connector, ApiError> {
    use rustls_platform_verifier::ConfigVerifierExt;
    super::client::use_ring_for_tls();
    let tls = rustls::ClientConfig::with_platform_verifier().map_err(|e| ApiError::Request {
        detail: format!("TLS: {e}"),
    })?;
    Ok(Connector::Rustls(Arc::new(tls)))
}

/// A failed upgrade as the client's error: the server's refusal with its
/// status and words, or what the network said.
fn upgrade_error(e: WsError) -> ApiError {
    match e {
        WsError::Http(response) => {
            let is_json = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("json"));
            let body = response.body().as_deref().unwrap_or_default();
            status_error(
                response.status().as_u16(),
                is_json,
                body,
                rate_of(response.headers()),
            )
        }
        WsError::Io(io) => ApiError::Connect {
            detail: io.to_string(),
        },
        WsError::Tls(tls) => ApiError::Connect {
            detail: format!("TLS: {tls}"),
        },
        WsError::Url(url) => ApiError::Request {
            detail: url.to_string(),
        },
        other => ApiError::malformed(format!("not a WebSocket answer ({other})")),
    }
}

/// The `X-RateLimit-*` headers of an upgrade's answer, when they make
/// sense.
fn rate_of(headers: &tokio_tungstenite::tungstenite::http::HeaderMap) -> Option<RateLimit> {
    let num = |name: &str| -> Option<u64> { headers.get(name)?.to_str().ok()?.trim().parse().ok() };
    let limit = u32::try_from(num("x-ratelimit-limit")?).ok()?;
    let remaining = u32::try_from(num("x-ratelimit-remaining")?).ok()?;
    (limit > 0 && remaining <= limit).then_some(RateLimit {
        limit,
        remaining,
        reset: num("x-ratelimit-reset")?,
        server_now: None,
    })
}

/// A 404 about the configuration, not the instance.
fn is_not_configured(e: &ApiError) -> bool {
    e.status() == Some(404)
        && e.server_message()
            .is_some_and(|m| m.to_lowercase().contains("not configured"))
}

/// A configuration answer: `{"websocket": {"enabled", "events",
/// "mediaBase64"}}`; an answer without it repeats what was `sent`.
fn read_config(bytes: &[u8], sent: Option<&Value>) -> Result<SocketConfig, ApiError> {
    let body: Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::malformed(format!("the WebSocket configuration is not JSON ({e})"))
    })?;
    let ws = ["websocket", "data"]
        .iter()
        .find_map(|k| body.get(k).filter(|v| v.is_object()))
        .or(sent)
        .ok_or_else(|| ApiError::malformed("no WebSocket configuration in the answer"))?;
    let enabled = ws.get("enabled").and_then(Value::as_bool).ok_or_else(|| {
        ApiError::malformed("the WebSocket configuration says neither enabled nor not")
    })?;
    if !enabled {
        return Ok(SocketConfig::Disabled);
    }
    let events = ws
        .get("events")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .map(|e| clean(e).into_owned())
                .collect()
        })
        .unwrap_or_default();
    Ok(SocketConfig::Enabled {
        events,
        media_base64: ws
            .get("mediaBase64")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_the_base_path_and_encode_the_instance() {
        let base = Url::parse("https://ryzeapi.cloud").unwrap();
        assert_eq!(
            socket_url(&base, "sales").unwrap().as_str(),
            "wss://ryzeapi.cloud/ws/sales"
        );
        let base = Url::parse("http://127.0.0.1:8080/proxy/?x=1").unwrap();
        assert_eq!(
            socket_url(&base, "a b/c").unwrap().as_str(),
            "ws://127.0.0.1:8080/proxy/ws/a%20b%2Fc"
        );
    }

    #[test]
    fn configurations_read_and_enabling_keeps_what_else_is_there() {
        let read = |text: &str| read_config(text.as_bytes(), None).unwrap();
        let on = read(
            r#"{"success": true, "message": "WebSocket configuration retrieved", "websocket": {"enabled": true, "events": ["message.exchange"], "mediaBase64": true}}"#,
        );
        assert!(!on.serves_feed());
        assert_eq!(on.words(), "enabled without instance.state");
        assert_eq!(
            on.enabling_body(),
            json!({"enabled": true, "events": ["message.exchange", "instance.state"], "mediaBase64": true})
        );
        let all = read(r#"{"websocket": {"enabled": true, "events": [], "mediaBase64": false}}"#);
        assert!(all.serves_feed());
        assert_eq!(
            all.enabling_body()["events"],
            json!([]),
            "all types stay all types"
        );
        let off = read(r#"{"websocket": {"enabled": false, "events": [], "mediaBase64": false}}"#);
        assert_eq!(off, SocketConfig::Disabled);
        assert_eq!(
            off.enabling_body(),
            json!({"enabled": true, "events": FEED_EVENTS, "mediaBase64": false})
        );
        assert!(read_config(b"{}", None).is_err());
        let sent = json!({"enabled": true, "events": FEED_EVENTS});
        assert!(
            read_config(b"{\"success\": true}", Some(&sent))
                .unwrap()
                .serves_feed()
        );
    }

    #[test]
    fn the_two_404s_are_told_apart() {
        let e = |m: &str| ApiError::Status {
            status: 404,
            message: Some(m.into()),
            rate: None,
            retry_after: None,
        };
        assert!(is_not_configured(&e(
            "WebSocket not configured for this instance"
        )));
        assert!(!is_not_configured(&e("Instance not found")));
    }
}
