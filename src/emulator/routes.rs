//! The emulator's HTTP surface: the documented endpoints with their auth
//! rules, errors, filters and rate-limit headers, and WhatsApp's
//! throttling of the requests that reach it.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::demo_data::EmuContact;
use super::people;
use super::world::{EmulatorHandle, Fault, FaultFor, InstanceState, Served, Shared, Window};

fn unix_now() -> u64 {
    unix_ms() / 1000
}

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// An answer before its rate-limit headers are added.
pub(super) struct Answer {
    pub(super) status: StatusCode,
    pub(super) body: Value,
}

/// A 200 with this body.
pub(super) fn ok(body: Value) -> Answer {
    Answer {
        status: StatusCode::OK,
        body,
    }
}

/// The error envelope with this status and message.
pub(super) fn fail(status: u16, message: &str) -> Answer {
    Answer {
        status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        body: json!({"success": false, "error": {"message": message}}),
    }
}

/// Who a token is.
pub(super) enum Caller {
    Account,
    Instance(String),
}

/// What the shared request pipeline hands to a route.
pub(super) type Route = fn(&mut Shared, &Caller, &Request) -> Answer;

/// Which kind of route a request is for: faults and throttling target
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A block or unblock (reaches WhatsApp).
    Block,
    /// A `getAccount` with a `number` (reaches WhatsApp).
    Lookup,
    /// The live events' routes: the WebSocket's configuration and its
    /// upgrade (served from the server's own store).
    Events,
    /// Anything else served from the server's own store.
    Other,
}

/// A body that sends its first part, then, once that has gone out,
/// breaks the connection.
struct CutBody {
    sent: bool,
    pause: std::pin::Pin<Box<tokio::time::Sleep>>,
}

impl http_body::Body for CutBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        use std::future::Future;
        if std::mem::replace(&mut self.sent, true) {
            if self.pause.as_mut().poll(cx).is_pending() {
                return std::task::Poll::Pending;
            }
            let cut = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "cut");
            return std::task::Poll::Ready(Some(Err(cut)));
        }
        let part = Bytes::from_static(b"{\"success\": true, \"contacts\": [");
        std::task::Poll::Ready(Some(Ok(http_body::Frame::data(part))))
    }
}

/// The parts of a request a route reads.
pub(super) struct Request {
    /// Which kind of route it is for.
    pub(super) kind: Kind,
    /// The instance its path names.
    pub(super) instance: Option<String>,
    /// Its query parameters.
    pub(super) query: HashMap<String, String>,
    /// Its body.
    pub(super) body: Bytes,
}

/// The pipeline every request goes through: latency, counting, faults,
/// authentication, rate limit, then the route.
pub(super) async fn serve(
    handle: EmulatorHandle,
    headers: HeaderMap,
    req: Request,
    route: Route,
) -> Response {
    {
        let mut shared = handle.lock();
        shared.in_flight += 1;
        shared.max_in_flight = shared.max_in_flight.max(shared.in_flight);
    }
    let token = headers
        .get("token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let route_name = match req.kind {
        Kind::Block => "block",
        Kind::Lookup => "lookup",
        Kind::Events | Kind::Other => "other",
    };
    let response = answer(&handle, headers, req, route).await;
    handle.lock().served.push(Served {
        at_ms: unix_ms(),
        token,
        route: route_name,
        status: response.status().as_u16(),
    });
    let jitter = handle.lock().answer_jitter;
    if !jitter.is_zero() {
        tokio::time::sleep(jitter.mul_f64(random_fraction())).await;
    }
    handle.lock().in_flight -= 1;
    response
}

/// A number in [0, 1), different on each call (std's randomly keyed
/// hasher is enough for test jitter).
fn random_fraction() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0);
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// The answer a queued fault makes, or `None` when it only delays the
/// normal answer (a stall).
async fn faulty(fault: Fault) -> Option<Response> {
    const JSON: &str = "application/json";
    match fault {
        Fault::Status(status, message) => Some(finish(fail(status, &message), None)),
        Fault::Html(status) => Some(typed(
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
            "text/html",
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        )),
        Fault::Malformed => Some(typed(
            StatusCode::OK,
            JSON,
            "{\"success\": true, \"contacts\": [",
        )),
        Fault::Empty => Some(typed(StatusCode::OK, JSON, "")),
        Fault::Stall(pause) => {
            tokio::time::sleep(pause).await;
            None
        }
        Fault::Raw {
            status,
            headers,
            body,
        } => Some(hand_made(status, headers, body)),
        Fault::CutBody => {
            let body = axum::body::Body::new(CutBody {
                sent: false,
                pause: Box::pin(tokio::time::sleep(std::time::Duration::from_millis(50))),
            });
            Some(typed(StatusCode::OK, JSON, body))
        }
    }
}

/// A response with this status, content type and body.
fn typed(status: StatusCode, content_type: &'static str, body: impl IntoResponse) -> Response {
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// A hand-made answer: the status (200 if it is none), each header that
/// is a valid one, the body as it is.
fn hand_made(status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut response = (status, body).into_response();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            header::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// The values of the rate-limit headers: limit, remaining, reset (Unix
/// seconds).
type RateHeaders = (u32, u32, u64);

/// The answer to a request once its latency has passed: a queued fault,
/// a refused token, a spent rate window, or the route's own.
async fn answer(
    handle: &EmulatorHandle,
    headers: HeaderMap,
    req: Request,
    route: Route,
) -> Response {
    let latency = handle.lock().latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if let Some(fault) = count_and_take_fault(handle, req.kind)
        && let Some(response) = faulty(fault).await
    {
        return response;
    }
    let Some(token) = headers.get("token").and_then(|v| v.to_str().ok()) else {
        return finish(fail(401, "Missing token in header"), None);
    };
    let mut shared = handle.lock();
    let Some(caller) = caller_of(&shared, token) else {
        return finish(fail(401, "Invalid token"), None);
    };
    match spend(&mut shared, token) {
        Ok(rate) => {
            if req.kind == Kind::Lookup {
                let asked = (req.instance.clone(), req.query.get("number").cloned());
                shared
                    .lookups
                    .push((asked.0.unwrap_or_default(), asked.1.unwrap_or_default()));
            }
            if matches!(req.kind, Kind::Block | Kind::Lookup) && shared.throttle > 0 {
                // WhatsApp throttles: the budget is not what ran out.
                shared.throttle -= 1;
                shared.throttled += 1;
                return finish(
                    fail(429, "Rate limit exceeded. Try again later."),
                    Some(rate),
                );
            }
            let answer = route(&mut shared, &caller, &req);
            finish(answer, Some(rate))
        }
        Err(rate) => finish(
            fail(429, "Rate limit exceeded. Try again later."),
            Some(rate),
        ),
    }
}

/// Counts the request, and takes the first queued fault meant for it (a
/// fault for blocks only waits for a block, one for lookups for a lookup).
fn count_and_take_fault(handle: &EmulatorHandle, kind: Kind) -> Option<Fault> {
    let mut shared = handle.lock();
    shared.requests += 1;
    shared
        .faults
        .iter()
        .position(|(meant_for, _)| match meant_for {
            FaultFor::Any => true,
            FaultFor::Blocks => kind == Kind::Block,
            FaultFor::Lookups => kind == Kind::Lookup,
            FaultFor::Events => kind == Kind::Events,
        })
        .and_then(|at| shared.faults.remove(at))
        .map(|(_, fault)| fault)
}

/// Who a token is: the account, an instance, or no one.
fn caller_of(shared: &Shared, token: &str) -> Option<Caller> {
    if token == shared.account_token {
        return Some(Caller::Account);
    }
    shared
        .instances
        .iter()
        .find(|i| i.token == token)
        .map(|i| Caller::Instance(i.name.clone()))
}

/// Spends one request of `token`'s rate window (a fresh window once its
/// time is up): `Ok` with the rate headers, or `Err` with them (and the
/// refusal counted) when the window is used up.
fn spend(shared: &mut Shared, token: &str) -> Result<RateHeaders, RateHeaders> {
    let now = unix_now();
    let limit = shared.rate_limit;
    let length = shared.rate_window.as_secs().max(1);
    // The end of the window `now` falls in.
    let reset_unix = if shared.wall_clock_windows {
        (now / length + 1) * length
    } else {
        now + length
    };
    let window = shared.windows.entry(token.to_string()).or_insert(Window {
        reset_unix,
        used: 0,
    });
    if now >= window.reset_unix {
        *window = Window {
            reset_unix,
            used: 0,
        };
    }
    let over = window.used >= limit;
    if !over {
        window.used += 1;
    }
    let rate = (limit, limit - window.used, window.reset_unix);
    if over {
        shared.rate_limited += 1;
        return Err(rate);
    }
    Ok(rate)
}

fn finish(answer: Answer, rate: Option<RateHeaders>) -> Response {
    let mut response = (answer.status, axum::Json(answer.body)).into_response();
    if let Some((limit, remaining, reset)) = rate {
        let headers = response.headers_mut();
        for (name, value) in [
            ("x-ratelimit-limit", limit as u64),
            ("x-ratelimit-remaining", remaining as u64),
            ("x-ratelimit-reset", reset),
        ] {
            headers.insert(name, HeaderValue::from(value));
        }
    }
    response
}

/// The instance a path names, if the caller may act on it.
pub(super) fn authorise<'a>(
    shared: &'a mut Shared,
    caller: &Caller,
    name: &str,
) -> Result<&'a mut InstanceState, Answer> {
    if let Caller::Instance(own) = caller
        && own != name
    {
        return Err(fail(403, "Token does not have access to this instance"));
    }
    shared
        .instances
        .iter_mut()
        .find(|i| i.name == name)
        .ok_or_else(|| fail(404, "Instance not found"))
}

fn connected(instance: &InstanceState) -> Result<(), Answer> {
    if instance.state == "connected" {
        Ok(())
    } else {
        Err(fail(503, "Instance is not connected to WhatsApp"))
    }
}

/// The contact as listed: names as stored (absent ones omitted or empty),
/// a redacted phone number, and `lid` only when known.
fn contact_json(c: &EmuContact) -> Value {
    let mut v = json!({
        "jid": c.jid,
        "first_name": c.first_name.clone().unwrap_or_default(),
        "full_name": c.full_name,
        "push_name": c.push_name,
        "business_name": c.business_name,
        "found": true,
    });
    if let Some(lid) = &c.lid {
        v["lid"] = json!(lid);
    }
    if let Some(digits) = c.jid.strip_suffix("@s.whatsapp.net") {
        let tail = &digits[digits.len().saturating_sub(4)..];
        v["phone_number"] = json!(format!("+{}******{tail}", &digits[..2.min(digits.len())]));
    }
    v
}

/// The body of a contacts list answer.
pub(super) fn contacts_list_json(contacts: &[EmuContact]) -> Value {
    let list: Vec<Value> = contacts.iter().map(contact_json).collect();
    json!({"success": true, "total": list.len(), "contacts": list})
}

/// `digits` or a JID into a JID; `None` for anything else.
fn to_jid(number: &str) -> Option<String> {
    let number = number.trim();
    if number.contains('@') {
        return Some(number.to_string());
    }
    let digits: String = number.chars().filter(|c| !" +-()".contains(*c)).collect();
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()))
        .then(|| format!("{digits}@s.whatsapp.net"))
}

fn contacts_route(shared: &mut Shared, caller: &Caller, req: &Request) -> Answer {
    let name = req.instance.as_deref().unwrap_or_default();
    let instance = match authorise(shared, caller, name) {
        Ok(i) => i,
        Err(answer) => return answer,
    };
    if let Err(answer) = connected(instance) {
        return answer;
    }
    if let Some(number) = req.query.get("number") {
        let Some(jid) = to_jid(number) else {
            return fail(400, "Invalid phone number");
        };
        let found = instance
            .contacts
            .iter()
            .find(|c| c.jid == jid || c.lid.as_deref() == Some(jid.as_str()));
        let contact = match found {
            Some(c) => contact_json(c),
            None => json!({"jid": jid, "found": false}),
        };
        return ok(json!({"success": true, "contact": contact}));
    }
    ok(contacts_list_json(&instance.contacts))
}

fn block_route(shared: &mut Shared, caller: &Caller, req: &Request) -> Answer {
    let name = req.instance.clone().unwrap_or_default();
    let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
        return fail(400, "Invalid request body");
    };
    let number = match body.get("number") {
        Some(Value::String(n)) if !n.trim().is_empty() => n.clone(),
        _ => return fail(400, "Number is required"),
    };
    let Some(block) = body.get("block").and_then(Value::as_bool) else {
        return fail(400, "Invalid request body");
    };
    let instance = match authorise(shared, caller, &name) {
        Ok(i) => i,
        Err(answer) => return answer,
    };
    if let Err(answer) = connected(instance) {
        return answer;
    }
    if number.ends_with("@g.us") || number.ends_with("@newsletter") {
        return fail(400, "Only individual contacts can be blocked");
    }
    let Some(named) = people::named(&number) else {
        return fail(400, "Invalid phone number");
    };
    // Like whatsmeow: act on the person's @lid when one is known, else on
    // the JID WhatsApp keys them by.
    let target = people::block_key(&shared.books(&name), &named);
    let Some(instance) = shared.instances.iter_mut().find(|i| i.name == name) else {
        return fail(404, "Instance not found");
    };
    if block {
        instance.blocklist.insert(target.clone());
    } else {
        instance.blocklist.remove(&target);
    }
    let count = instance.blocklist.len();
    shared.block_requests.push((name, number, block));
    ok(json!({
        "success": true,
        "message": if block { "Contact blocked successfully" } else { "Contact unblocked successfully" },
        "contact_jid": target,
        "blocked_count": count,
        "blocked": block,
    }))
}

fn instance_json(i: &InstanceState) -> Value {
    let connected = i.state == "connected";
    json!({
        "name": i.name,
        "status": if connected { "active" } else { "inactive" },
        "connection": {
            "state": i.state,
            "numberJid": if connected { json!(format!("{}@s.whatsapp.net", i.own_number)) } else { Value::Null },
            "presenceStatus": if connected { "available" } else { "unavailable" },
            "displayStatus": match i.state.as_str() {
                "connected" => "Connected",
                "connecting" => "Connecting…",
                "loggedout" => "Logged out",
                _ => "Disconnected",
            },
        },
        "profile": {"name": i.name, "pictureUrl": null, "isBusiness": false, "businessName": null},
        "webhook": {"enabled": false},
        "websocket": {"enabled": false},
        "chatwoot": {"enabled": false},
        "proxy": {"enabled": false},
        "settings": {"rejectCall": false},
        "s3": {"enabled": false},
    })
}

fn list_route(shared: &mut Shared, caller: &Caller, req: &Request) -> Answer {
    let chosen: Vec<&InstanceState> = match caller {
        Caller::Instance(own) => shared.instances.iter().filter(|i| &i.name == own).collect(),
        Caller::Account => match req.query.get("instanceName") {
            None => shared.instances.iter().collect(),
            Some(filter) => {
                let names: Vec<&str> = filter.split(',').map(str::trim).collect();
                let chosen: Vec<_> = shared
                    .instances
                    .iter()
                    .filter(|i| names.contains(&i.name.as_str()))
                    .collect();
                if names.len() == 1 && chosen.is_empty() {
                    return fail(404, "Instance not found");
                }
                chosen
            }
        },
    };
    let items: Vec<Value> = chosen.into_iter().map(instance_json).collect();
    let message = if items.len() == 1 {
        "1 Instance found".to_string()
    } else {
        format!("{} Instances found", items.len())
    };
    let mut body = json!({"success": true, "message": message});
    body[shared.list_key] = Value::Array(items);
    ok(body)
}

/// `GET /api/chat/contacts/:instance[?number=]`.
pub(super) async fn contacts(
    State(handle): State<EmulatorHandle>,
    Path(instance): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let req = Request {
        kind: Kind::Other,
        instance: Some(instance),
        query,
        body: Bytes::new(),
    };
    serve(handle, headers, req, contacts_route).await
}

/// `POST /api/chat/block/:instance`.
pub(super) async fn block(
    State(handle): State<EmulatorHandle>,
    Path(instance): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req = Request {
        kind: Kind::Block,
        instance: Some(instance),
        query: HashMap::new(),
        body,
    };
    serve(handle, headers, req, block_route).await
}

/// `GET /api/instance/list[?instanceName=]`.
pub(super) async fn instance_list(
    State(handle): State<EmulatorHandle>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let req = Request {
        kind: Kind::Other,
        instance: None,
        query,
        body: Bytes::new(),
    };
    serve(handle, headers, req, list_route).await
}
