//! The emulator against the contract, written out as JSON text. These
//! tests use raw HTTP, not the app's client, so that the client and the
//! emulator cannot share a misunderstanding.

use std::net::{Ipv4Addr, SocketAddr};

use ryze_contacts::emulator::{self, EmuContact, EmuInstance, EmulatorConfig, RunningEmulator};
use serde_json::Value;

/// An emulator with a connected "sales" (one contact, Maria Silva, with
/// an `@lid`) and a disconnected "support"; tokens `acct`, `inst-sales`
/// and `inst-support`.
pub(crate) async fn serve() -> RunningEmulator {
    let config = EmulatorConfig {
        account_token: "acct".into(),
        instances: vec![
            EmuInstance {
                name: "sales".into(),
                token: "inst-sales".into(),
                state: "connected".into(),
                own_number: "5511955550101".into(),
                contacts: vec![EmuContact {
                    jid: "5511999999999@s.whatsapp.net".into(),
                    lid: Some("123456789012345@lid".into()),
                    full_name: Some("Maria Silva".into()),
                    ..EmuContact::default()
                }],
            },
            EmuInstance {
                name: "support".into(),
                token: "inst-support".into(),
                state: "disconnected".into(),
                own_number: "5511955550202".into(),
                contacts: vec![],
            },
        ],
        ..EmulatorConfig::demo(Some(0))
    };
    emulator::start(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .unwrap()
}

/// One raw HTTP call: the status, the headers and the JSON body.
pub(crate) async fn call(
    emu: &RunningEmulator,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    ryze_contacts::api::use_ring_for_tls();
    let client = reqwest::Client::new();
    let url = format!("{}{path}", emu.base_url());
    let mut req = match method {
        "POST" => client.post(url),
        _ => client.get(url),
    };
    if let Some(token) = token {
        req = req.header("token", token);
    }
    if let Some(body) = body {
        req = req
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let json = res.json().await.unwrap();
    (status, headers, json)
}

/// JSON written out as text.
pub(crate) fn text(json: &str) -> Value {
    serde_json::from_str(json).unwrap()
}

#[tokio::test]
async fn block_success_matches_the_documented_body() {
    let emu = serve().await;
    let (status, headers, body) = call(
        &emu,
        "POST",
        "/api/chat/block/sales",
        Some("acct"),
        Some(r#"{"number": "5511999999999", "block": true}"#),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        text(
            r#"{
              "success": true,
              "message": "Contact blocked successfully",
              "contact_jid": "123456789012345@lid",
              "blocked_count": 1,
              "blocked": true
            }"#
        )
    );
    for h in [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
    ] {
        assert!(headers.contains_key(h), "missing {h}");
    }
}

#[tokio::test]
async fn documented_block_errors() {
    let emu = serve().await;
    let cases = [
        (
            "sales",
            Some("acct"),
            "{not json",
            400,
            "Invalid request body",
        ),
        (
            "sales",
            Some("acct"),
            r#"{"block": true}"#,
            400,
            "Number is required",
        ),
        (
            "sales",
            Some("nope"),
            r#"{"number":"1","block":true}"#,
            401,
            "Invalid token",
        ),
        (
            "sales",
            None,
            r#"{"number":"1","block":true}"#,
            401,
            "Missing token in header",
        ),
        (
            "ghost",
            Some("acct"),
            r#"{"number":"1","block":true}"#,
            404,
            "Instance not found",
        ),
        (
            "support",
            Some("acct"),
            r#"{"number":"5511999999999","block":true}"#,
            503,
            "Instance is not connected to WhatsApp",
        ),
    ];
    for (instance, token, body, want_status, want_message) in cases {
        let path = format!("/api/chat/block/{instance}");
        let (status, _, json) = call(&emu, "POST", &path, token, Some(body)).await;
        assert_eq!(status, want_status, "{body}");
        assert_eq!(
            json,
            text(&format!(
                r#"{{"success": false, "error": {{"message": "{want_message}"}}}}"#
            ))
        );
    }
    // An instance token on another instance: 403.
    let (status, _, _) = call(
        &emu,
        "POST",
        "/api/chat/block/support",
        Some("inst-sales"),
        Some(r#"{"number":"1","block":true}"#),
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn contacts_list_and_single_lookup() {
    let emu = serve().await;
    let (status, _, body) = call(&emu, "GET", "/api/chat/contacts/sales", Some("acct"), None).await;
    assert_eq!(status, 200);
    assert_eq!(body["success"], Value::Bool(true));
    assert_eq!(body["total"], 1);
    let c = &body["contacts"][0];
    assert_eq!(c["jid"], "5511999999999@s.whatsapp.net");
    assert_eq!(c["lid"], "123456789012345@lid");
    assert_eq!(c["full_name"], "Maria Silva");
    assert!(c.get("blocked").is_none(), "contacts carry no blocked flag");

    let (_, _, body) = call(
        &emu,
        "GET",
        "/api/chat/contacts/sales?number=5511999999999%40s.whatsapp.net",
        Some("acct"),
        None,
    )
    .await;
    assert_eq!(body["contact"]["found"], true);
    let (status, _, body) = call(
        &emu,
        "GET",
        "/api/chat/contacts/sales?number=5511000000000",
        Some("inst-sales"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["contact"]["found"], false);
}

#[tokio::test]
async fn instance_list_shape_and_filters() {
    let emu = serve().await;
    let (_, _, body) = call(&emu, "GET", "/api/instance/list", Some("acct"), None).await;
    assert_eq!(body["message"], "2 Instances found");
    let sales = &body["instances"][0];
    assert_eq!(sales["name"], "sales");
    assert_eq!(sales["connection"]["state"], "connected");
    assert_eq!(
        sales["connection"]["numberJid"],
        "5511955550101@s.whatsapp.net"
    );
    assert_eq!(body["instances"][1]["connection"]["numberJid"], Value::Null);
    for key in ["displayStatus", "presenceStatus"] {
        assert!(sales["connection"].get(key).is_some(), "missing {key}");
    }
    for key in ["name", "pictureUrl", "isBusiness", "businessName"] {
        assert!(sales["profile"].get(key).is_some(), "missing profile.{key}");
    }

    let (_, _, body) = call(
        &emu,
        "GET",
        "/api/instance/list?instanceName=support",
        Some("acct"),
        None,
    )
    .await;
    assert_eq!(body["message"], "1 Instance found");
    let (status, _, _) = call(
        &emu,
        "GET",
        "/api/instance/list?instanceName=ghost",
        Some("acct"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (_, _, body) = call(
        &emu,
        "GET",
        "/api/instance/list?instanceName=ghost,sales",
        Some("acct"),
        None,
    )
    .await;
    assert_eq!(body["instances"].as_array().unwrap().len(), 1);
    let (_, _, body) = call(
        &emu,
        "GET",
        "/api/instance/list?instanceName=support",
        Some("inst-sales"),
        None,
    )
    .await;
    assert_eq!(
        body["instances"][0]["name"], "sales",
        "instance tokens ignore the filter"
    );
}
