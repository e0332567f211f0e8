//! `GET /api/profile/getAccount/:instance[?number=]`: who a number is
//! (the rules are [`super::people`]'s), or the instance's own profile.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};

use super::people::{self, Looked, Named, PHONE, Shape};
use super::routes::{Answer, Caller, Kind, Request, authorise, fail, ok, serve};
use super::world::{EmulatorHandle, Shared};

/// `getAccount`: the instance's own profile, or who `number` is (see
/// [`people`]). A disconnected instance answers 400, as the errors guide
/// allows ("instance disconnected").
fn account_route(shared: &mut Shared, caller: &Caller, req: &Request) -> Answer {
    let name = req.instance.as_deref().unwrap_or_default();
    let instance = match authorise(shared, caller, name) {
        Ok(i) => i,
        Err(answer) => return answer,
    };
    if instance.state != "connected" {
        return fail(400, "Instance is not connected to WhatsApp");
    }
    let Some(number) = asked_number(req) else {
        let own = people::own_person(&instance.name, &instance.own_number);
        return ok(profile_body(&own));
    };
    let Some(named) = people::named(number) else {
        return fail(400, "Invalid phone number");
    };
    match people::look_up(&shared.books(name), &named) {
        Looked::Found(person) => ok(profile_body(&person)),
        Looked::Missing(Shape::NotFound) => fail(404, "Number is not on WhatsApp"),
        Looked::Missing(Shape::NoJid) => {
            let mut profile = json!({"profilePicture": null});
            if let Named::Phone(digits) = &named {
                profile["phoneNumber"] = json!(digits);
            }
            ok(
                json!({"success": true, "message": "Profile retrieved successfully", "profile": profile}),
            )
        }
    }
}

/// The `number` of a lookup, when one is given (an empty one is none).
fn asked_number(req: &Request) -> Option<&str> {
    req.query
        .get("number")
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
}

/// A found profile: `profilePicture` always (null without one), the
/// other fields only when known.
fn profile_body(p: &people::Person) -> Value {
    let mut profile = json!({
        "profilePicture": p.picture,
        "phoneNumber": p.phone,
        "jid": format!("{}{PHONE}", p.phone),
    });
    for (key, value) in [
        ("lid", &p.lid),
        ("profileName", &p.name),
        ("profileStatus", &p.about),
    ] {
        if let Some(value) = value {
            profile[key] = json!(value);
        }
    }
    json!({"success": true, "message": "Profile retrieved successfully", "profile": profile})
}

/// `GET /api/profile/getAccount/:instance[?number=]`: a request with a
/// `number` is a lookup.
pub(super) async fn get_account(
    State(handle): State<EmulatorHandle>,
    Path(instance): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let lookup = query.get("number").is_some_and(|n| !n.trim().is_empty());
    let req = Request {
        kind: if lookup { Kind::Lookup } else { Kind::Other },
        instance: Some(instance),
        query,
        body: Bytes::new(),
    };
    serve(handle, headers, req, account_route).await
}
