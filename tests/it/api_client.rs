//! The typed client over real HTTP against the emulator on 127.0.0.1.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use reqwest::Url;
use ryze_contacts::api::{ApiClient, ApiError, ClientConfig, Endpoint};
use ryze_contacts::emulator::{
    self, DEMO_ACCOUNT_TOKEN, EmuContact, EmuInstance, EmulatorConfig, Fault, RunningEmulator,
};
use ryze_contacts::util::secret::Token;

const LOOPBACK: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

async fn serve(config: EmulatorConfig) -> (RunningEmulator, Url) {
    let emu = emulator::start(config, LOOPBACK)
        .await
        .expect("emulator starts");
    let url = Url::parse(&emu.base_url()).unwrap();
    (emu, url)
}

fn client() -> ApiClient {
    ApiClient::new(ClientConfig::default()).unwrap()
}

fn account() -> Token {
    Token::new(DEMO_ACCOUNT_TOKEN)
}

fn small_demo() -> EmulatorConfig {
    EmulatorConfig::demo(Some(25))
}

#[tokio::test]
async fn lists_contacts_with_names_and_lids() {
    let (emu, url) = serve(small_demo()).await;
    let token = account();
    let ep = Endpoint {
        base_url: &url,
        token: &token,
    };
    let reply = client().contacts(ep, "sales").await.unwrap();
    assert_eq!(reply.value.len(), 25);
    let expected = emulator::address_book("sales", 25);
    for (got, want) in reply.value.iter().zip(&expected) {
        assert_eq!(got.jid, want.jid);
        assert_eq!(got.lid, want.lid);
        assert_eq!(got.full_name, want.full_name);
        assert_eq!(got.push_name, want.push_name);
        assert_eq!(got.business_name, want.business_name);
    }
    let rate = reply.rate.expect("rate-limit headers are read");
    assert_eq!((rate.limit, rate.remaining), (100, 99));
    drop(emu);
}

#[tokio::test]
async fn looks_up_one_number() {
    let (_emu, url) = serve(small_demo()).await;
    let token = account();
    let ep = Endpoint {
        base_url: &url,
        token: &token,
    };
    let first = &emulator::address_book("sales", 25)[0];
    let digits = first.jid.trim_end_matches("@s.whatsapp.net");
    let found = client().lookup(ep, "sales", digits).await.unwrap().value;
    assert!(found.found);
    assert_eq!(found.contact.unwrap().jid, first.jid);
    let missing = client()
        .lookup(ep, "sales", "5599000000000")
        .await
        .unwrap()
        .value;
    assert!(!missing.found);
}

#[tokio::test]
async fn instance_list_for_account_and_instance_tokens() {
    let (_emu, url) = serve(small_demo()).await;
    let token = account();
    let ep = Endpoint {
        base_url: &url,
        token: &token,
    };
    let all = client().instances(ep, &[]).await.unwrap().value;
    let names: Vec<_> = all.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["sales", "support", "marketing", "billing"]);
    assert_eq!(all[2].state(), "disconnected");
    let some = client()
        .instances(ep, &["support", "nope", "sales"])
        .await
        .unwrap()
        .value;
    assert_eq!(some.len(), 2, "unknown names are skipped");
    let err = client().instances(ep, &["nope"]).await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    let own = Token::new("demo-billing-token");
    let ep = Endpoint {
        base_url: &url,
        token: &own,
    };
    let mine = client()
        .instances(ep, &["sales", "billing"])
        .await
        .unwrap()
        .value;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].name, "billing");
    assert_eq!(mine[0].state(), "connected");
}

#[tokio::test]
async fn instance_list_under_data_key_is_accepted() {
    let (_emu, url) = serve(EmulatorConfig {
        list_key: "data",
        ..small_demo()
    })
    .await;
    let token = account();
    let ep = Endpoint {
        base_url: &url,
        token: &token,
    };
    assert_eq!(client().instances(ep, &[]).await.unwrap().value.len(), 4);
}

#[tokio::test]
async fn block_and_unblock_answer_with_final_state_and_count() {
    let (emu, url) = serve(small_demo()).await;
    let token = account();
    let ep = Endpoint {
        base_url: &url,
        token: &token,
    };
    let book = emulator::address_book("sales", 25);
    let with_lid = book
        .iter()
        .find(|c| c.lid.is_some() && c.jid.ends_with("@s.whatsapp.net"))
        .unwrap();
    let plain = book
        .iter()
        .find(|c| c.lid.is_none() && c.jid.ends_with("@s.whatsapp.net"))
        .unwrap();

    let a = client()
        .block(ep, "sales", &with_lid.jid, true)
        .await
        .unwrap()
        .value;
    assert!(a.blocked);
    assert_eq!(a.blocked_count, Some(1));
    assert_eq!(
        &a.contact_jid,
        with_lid.lid.as_ref().unwrap(),
        "acted on the @lid"
    );
    assert_eq!(a.message, "Contact blocked successfully");

    let digits = plain.jid.trim_end_matches("@s.whatsapp.net");
    let b = client()
        .block(ep, "sales", digits, true)
        .await
        .unwrap()
        .value;
    assert_eq!((b.blocked, b.blocked_count), (true, Some(2)));
    assert_eq!(b.contact_jid, plain.jid);
    // Idempotent: the same request leaves the same state.
    let again = client()
        .block(ep, "sales", digits, true)
        .await
        .unwrap()
        .value;
    assert_eq!(again.blocked_count, Some(2));

    let c = client()
        .block(ep, "sales", &with_lid.jid, false)
        .await
        .unwrap()
        .value;
    assert_eq!((c.blocked, c.blocked_count), (false, Some(1)));
    assert_eq!(emu.handle().blocklist("sales"), vec![plain.jid.clone()]);
}

#[tokio::test]
async fn documented_errors_keep_status_and_message() {
    let (emu, url) = serve(small_demo()).await;
    let c = client();
    let account = account();
    let bad = Token::new("wrong-token");
    let billing = Token::new("demo-billing-token");
    let ep = |token| Endpoint {
        base_url: &url,
        token,
    };

    let e = c
        .block(ep(&bad), "sales", "5511999999999", true)
        .await
        .unwrap_err();
    assert_eq!(
        (e.status(), e.server_message()),
        (Some(401), Some("Invalid token"))
    );
    assert!(e.hint().contains("token"));

    let e = c
        .block(ep(&billing), "sales", "5511999999999", true)
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(403));

    let e = c
        .block(ep(&account), "nope", "5511999999999", true)
        .await
        .unwrap_err();
    assert_eq!(
        (e.status(), e.server_message()),
        (Some(404), Some("Instance not found"))
    );

    let e = c
        .block(ep(&account), "marketing", "5511999999999", true)
        .await
        .unwrap_err();
    assert_eq!(
        (e.status(), e.server_message()),
        (Some(503), Some("Instance is not connected to WhatsApp"))
    );
    assert_eq!(
        e.hint(),
        "instance is not connected: connect the phone and retry"
    );

    emu.handle()
        .push_fault(Fault::Status(500, "Internal server error".into()));
    let e = c.contacts(ep(&account), "sales").await.unwrap_err();
    assert_eq!(e.to_string(), "HTTP 500: Internal server error");
    assert!(e.is_transient());
}

#[tokio::test]
async fn rate_limit_gives_429_with_headers() {
    let (emu, url) = serve(EmulatorConfig {
        rate_limit: 3,
        ..small_demo()
    })
    .await;
    let token = account();
    let ep = Endpoint {
        base_url: &url,
        token: &token,
    };
    for left in [2, 1, 0] {
        let r = client().instances(ep, &[]).await.unwrap();
        assert_eq!(r.rate.unwrap().remaining, left);
    }
    let e = client().instances(ep, &[]).await.unwrap_err();
    assert_eq!(e.status(), Some(429));
    assert_eq!(
        e.server_message(),
        Some("Rate limit exceeded. Try again later.")
    );
    let rate = e.rate().expect("429 carries the headers");
    assert_eq!(rate.remaining, 0);
    assert!(rate.reset > 0);
    assert_eq!(emu.handle().rate_limited_count(), 1);
    // Another token has its own budget.
    let other = Token::new("demo-billing-token");
    let ep = Endpoint {
        base_url: &url,
        token: &other,
    };
    assert!(client().instances(ep, &[]).await.is_ok());
}

#[tokio::test]
async fn bad_bodies_are_clear_errors() {
    let (emu, url) = serve(small_demo()).await;
    let token = account();
    let ep = Endpoint {
        base_url: &url,
        token: &token,
    };
    emu.handle().push_fault(Fault::Malformed);
    assert!(matches!(
        client().contacts(ep, "sales").await,
        Err(ApiError::Malformed { .. })
    ));
    emu.handle().push_fault(Fault::Empty);
    let e = client().contacts(ep, "sales").await.unwrap_err();
    assert_eq!(e.to_string(), "unexpected answer: empty body");
    emu.handle().push_fault(Fault::Html(502));
    let e = client().contacts(ep, "sales").await.unwrap_err();
    assert_eq!(e, ApiError::Unreachable { status: 502 });
    assert!(e.is_transient());
}

#[tokio::test]
async fn stalled_server_times_out() {
    let (emu, url) = serve(small_demo()).await;
    let token = account();
    let ep = Endpoint {
        base_url: &url,
        token: &token,
    };
    emu.handle()
        .push_fault(Fault::Stall(Duration::from_secs(5)));
    let quick = ApiClient::new(ClientConfig {
        connect: Duration::from_secs(1),
        request: Duration::from_millis(300),
        ..ClientConfig::default()
    })
    .unwrap();
    let e = quick.contacts(ep, "sales").await.unwrap_err();
    assert!(matches!(e, ApiError::Timeout { .. }), "{e:?}");
}

#[tokio::test]
async fn dead_server_is_a_connect_error() {
    let url = {
        let (emu, url) = serve(small_demo()).await;
        drop(emu);
        url
    };
    // Give the server a moment to close its listener.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let token = account();
    let ep = Endpoint {
        base_url: &url,
        token: &token,
    };
    let e = client().contacts(ep, "sales").await.unwrap_err();
    assert!(matches!(e, ApiError::Connect { .. }), "{e:?}");
    assert!(e.hint().contains("base_url"));
}

#[tokio::test]
async fn instance_names_are_percent_encoded() {
    let name = "équipe de vente/2";
    let (emu, url) = serve(EmulatorConfig {
        instances: vec![EmuInstance {
            name: name.to_string(),
            token: "t".into(),
            state: "connected".into(),
            own_number: "551100000000".into(),
            contacts: vec![EmuContact {
                jid: "5511988887777@s.whatsapp.net".into(),
                ..EmuContact::default()
            }],
        }],
        ..small_demo()
    })
    .await;
    let token = account();
    let ep = Endpoint {
        base_url: &url,
        token: &token,
    };
    assert_eq!(client().contacts(ep, name).await.unwrap().value.len(), 1);
    client()
        .block(ep, name, "5511988887777", true)
        .await
        .unwrap();
    assert_eq!(emu.handle().blocklist(name).len(), 1);
}

#[tokio::test]
async fn tokens_never_appear_in_errors() {
    let (_emu, url) = serve(small_demo()).await;
    let secret = Token::new("super-secret-token-value");
    let ep = Endpoint {
        base_url: &url,
        token: &secret,
    };
    let e = client().contacts(ep, "sales").await.unwrap_err();
    for text in [e.to_string(), format!("{e:?}"), format!("{ep:?}")] {
        assert!(!text.contains("super-secret-token-value"), "{text}");
    }
}

/// A server that reads the whole POST and closes the connection without a
/// word: the request was sent and may have acted, which is what is said
/// (not "cannot connect").
#[tokio::test]
async fn a_connection_lost_after_the_request_was_sent_says_so() {
    use std::io::Read;
    let listener = std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).unwrap();
    let url = Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
    let server = std::thread::spawn(move || {
        // The client may try twice on a fresh connection; each is read,
        // then closed.
        for _ in 0..2 {
            let Ok((mut conn, _)) = listener.accept() else {
                return;
            };
            let mut request = [0u8; 4096];
            let _ = conn.read(&mut request);
            drop(conn);
        }
    });
    let token = account();
    let ep = Endpoint {
        base_url: &url,
        token: &token,
    };
    let e = client()
        .block(ep, "sales", "5511999999999@s.whatsapp.net", true)
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Lost { .. }), "{e:?}");
    assert!(e.to_string().contains("after the request was sent"), "{e}");
    assert!(e.is_transient(), "idempotent: it may be sent again");
    drop(server);
}
