//! `ApiClient::account` over real HTTP against the emulator on 127.0.0.1:
//! every answer shape the contract leaves open (the profile under
//! `profile`, `data` or at the top level; not on WhatsApp as a 404, a 400
//! or a profile without `jid`), and every failure that stays a failure.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use reqwest::Url;
use ryze_contacts::api::{
    Account, AccountLookup, ApiClient, ApiError, ClientConfig, Endpoint, NO_ACCOUNT,
};
use ryze_contacts::emulator::{
    self, DEMO_ACCOUNT_TOKEN, DEMO_SPAMMERS, EmulatorConfig, Fault, NOT_ON_WHATSAPP_200,
    NOT_ON_WHATSAPP_404, RunningEmulator,
};
use ryze_contacts::util::secret::Token;

const LOOPBACK: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

/// The demo (sales, support, marketing disconnected, billing), 25
/// contacts each, and a client with a 2-second time-out.
struct Setup {
    emu: RunningEmulator,
    url: Url,
    token: Token,
    client: ApiClient,
}

impl Setup {
    async fn new(config: EmulatorConfig) -> Setup {
        let emu = emulator::start(config, LOOPBACK).await.unwrap();
        let url = Url::parse(&emu.base_url()).unwrap();
        let client = ApiClient::new(ClientConfig {
            request: Duration::from_secs(2),
            ..ClientConfig::default()
        })
        .unwrap();
        Setup {
            emu,
            url,
            token: Token::new(DEMO_ACCOUNT_TOKEN),
            client,
        }
    }

    async fn demo() -> Setup {
        Setup::new(EmulatorConfig::demo(Some(25))).await
    }

    fn ep(&self) -> Endpoint<'_> {
        Endpoint {
            base_url: &self.url,
            token: &self.token,
        }
    }

    async fn look_up(&self, instance: &str, number: &str) -> Result<AccountLookup, ApiError> {
        self.client
            .account(self.ep(), instance, number)
            .await
            .map(|reply| reply.value)
    }

    /// The next answer, whatever is asked: a 200 with this body.
    fn answer_with(&self, body: &str) {
        self.emu.handle().push_lookup_fault(Fault::Raw {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        });
    }
}

fn found(lookup: Result<AccountLookup, ApiError>) -> Account {
    match lookup {
        Ok(AccountLookup::Found(account)) => account,
        other => panic!("not found: {other:?}"),
    }
}

#[tokio::test]
async fn a_spammer_is_found_with_every_field() {
    let s = Setup::demo().await;
    let joana = DEMO_SPAMMERS
        .iter()
        .find(|d| d.name == "Joana Promo")
        .unwrap();
    let reply = s
        .client
        .account(s.ep(), "sales", joana.number)
        .await
        .unwrap();
    assert_eq!(
        reply.value,
        AccountLookup::Found(Account {
            phone_number: Some(joana.number.to_string()),
            jid: Some(joana.jid.to_string()),
            lid: joana.lid.map(str::to_string),
            name: Some("Joana Promo".into()),
            about: Some("Ofertas!".into()),
            has_picture: true,
        })
    );
    let rate = reply.rate.expect("rate headers are read");
    assert_eq!((rate.limit, rate.remaining), (100, 99));
    let entrega = DEMO_SPAMMERS.iter().find(|d| !d.picture).unwrap();
    assert!(!found(s.look_up("sales", entrega.number).await).has_picture);
}

#[tokio::test]
async fn the_number_is_sent_as_given_digits_jid_or_lid() {
    let s = Setup::demo().await;
    let contact = emulator::address_book("sales", 25)
        .into_iter()
        .find(|c| c.lid.is_some() && c.jid.ends_with("@s.whatsapp.net"))
        .unwrap();
    let lid = contact.lid.clone().unwrap();
    let digits = contact.jid.trim_end_matches("@s.whatsapp.net").to_string();
    let mut accounts = Vec::new();
    for number in [digits.as_str(), contact.jid.as_str(), lid.as_str()] {
        accounts.push(found(s.look_up("sales", number).await));
    }
    assert_eq!(accounts[0].jid.as_deref(), Some(contact.jid.as_str()));
    assert_eq!(accounts[0].lid.as_deref(), Some(lid.as_str()));
    assert_eq!(accounts[0].phone_number.as_deref(), Some(digits.as_str()));
    assert!(accounts.iter().all(|a| *a == accounts[0]));
    let sent: Vec<String> = s
        .emu
        .handle()
        .lookups()
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    assert_eq!(sent, [digits, contact.jid, lid]);
}

#[tokio::test]
async fn a_brazilian_mobile_outside_11_to_28_is_its_old_8_digit_id() {
    let s = Setup::demo().await;
    let account = found(s.look_up("billing", "5581988887777").await);
    assert_eq!(account.jid.as_deref(), Some("558188887777@s.whatsapp.net"));
    assert_eq!(account.phone_number.as_deref(), Some("558188887777"));
}

#[tokio::test]
async fn not_on_whatsapp_in_every_shape() {
    let s = Setup::demo().await;
    let not_on = |message: &str| {
        Ok(AccountLookup::NotOnWhatsApp {
            message: message.to_string(),
        })
    };
    // 404 with the server's words.
    assert_eq!(
        s.look_up("sales", NOT_ON_WHATSAPP_404).await,
        not_on("Number is not on WhatsApp")
    );
    // 200 with a profile without jid (a phoneNumber is not an account).
    assert_eq!(
        s.look_up("sales", NOT_ON_WHATSAPP_200).await,
        not_on(NO_ACCOUNT)
    );
    // 400 about the number: a group is no one.
    assert_eq!(
        s.look_up("sales", "120363@g.us").await,
        not_on("Invalid phone number")
    );
    // A profile of null, and one whose jid and lid are no one's.
    s.answer_with(r#"{"success": true, "profile": null}"#);
    assert_eq!(
        s.look_up("sales", "5511900000001").await,
        not_on(NO_ACCOUNT)
    );
    s.answer_with(
        r#"{"success": true, "profile": {"profilePicture": null, "jid": "abc@s.whatsapp.net", "lid": "100@s.whatsapp.net", "profileName": "x"}}"#,
    );
    assert_eq!(
        s.look_up("sales", "5511900000001").await,
        not_on(NO_ACCOUNT)
    );
    // A 400 about the number that a server words its own way.
    s.emu
        .handle()
        .push_lookup_fault(Fault::Status(400, "Phone number \u{1b}[31minvalid".into()));
    assert_eq!(
        s.look_up("sales", "5511900000001").await,
        not_on("Phone number [31minvalid")
    );
}

#[tokio::test]
async fn the_profile_is_read_where_the_contract_leaves_it() {
    let s = Setup::demo().await;
    let want = Account {
        phone_number: Some("5511912345678".into()),
        jid: Some("5511912345678@s.whatsapp.net".into()),
        lid: Some("52399087550579@lid".into()),
        name: Some("Ana".into()),
        about: Some("Disponível".into()),
        has_picture: true,
    };
    let fields = r#""profilePicture": "https://pps.whatsapp.net/v/x.jpg", "profileName": "Ana", "profileStatus": "Disponível", "phoneNumber": "5511912345678", "jid": "5511912345678@s.whatsapp.net", "lid": "52399087550579@lid""#;
    for body in [
        format!(r#"{{"success": true, "message": "ok", "profile": {{{fields}}}}}"#),
        format!(r#"{{"success": true, "message": "ok", {fields}}}"#),
        format!(r#"{{"success": true, "data": {{{fields}}}}}"#),
        format!(r#"{{"success": true, "data": {{"profile": {{{fields}}}}}}}"#),
        format!("\u{feff}{{\"profile\": {{{fields}, \"extra\": [1, 2]}}}}"),
    ] {
        s.answer_with(&body);
        assert_eq!(
            found(s.look_up("sales", "5511912345678").await),
            want,
            "{body}"
        );
    }
    // Every field but profilePicture may be missing; the number then
    // comes from the JID, and a device suffix is dropped.
    s.answer_with(
        r#"{"profile": {"profilePicture": null, "jid": "5511912345678:4@s.whatsapp.net"}}"#,
    );
    assert_eq!(
        found(s.look_up("sales", "5511912345678").await),
        Account {
            lid: None,
            name: None,
            about: None,
            has_picture: false,
            ..want.clone()
        }
    );
    // An @lid alone names an account whose number is hidden.
    s.answer_with(
        r#"{"profile": {"profilePicture": "", "lid": "52399087550579@lid", "profileName": "  "}}"#,
    );
    assert_eq!(
        found(s.look_up("sales", "52399087550579@lid").await),
        Account {
            phone_number: None,
            jid: None,
            lid: want.lid.clone(),
            name: None,
            about: None,
            has_picture: false,
        }
    );
    // Names and About texts come without controls.
    s.answer_with(
        "{\"profile\": {\"profilePicture\": null, \"jid\": \"5511912345678@s.whatsapp.net\", \"profileName\": \"\\u202eJoana\\u0007 Promo\", \"profileStatus\": \"Ofertas!\\nLigue\"}}",
    );
    let account = found(s.look_up("sales", "5511912345678").await);
    assert_eq!(account.name.as_deref(), Some("Joana Promo"));
    assert_eq!(account.about.as_deref(), Some("Ofertas! Ligue"));
}

#[tokio::test]
async fn failures_stay_failures() {
    let s = Setup::demo().await;
    let err = |r: Result<AccountLookup, ApiError>| r.expect_err("an error");
    // The instance, not the number.
    let e = err(s.look_up("nowhere", "5511900000001").await);
    assert_eq!(
        (e.status(), e.server_message()),
        (Some(404), Some("Instance not found"))
    );
    let e = err(s.look_up("marketing", "5511900000001").await);
    assert_eq!(e.status(), Some(400));
    assert!(e.means_disconnected(), "{e}");
    assert_eq!(
        e.hint(),
        "instance is not connected: connect the phone and retry"
    );
    s.emu
        .handle()
        .push_lookup_fault(Fault::Status(400, "Invalid request body".into()));
    assert_eq!(
        err(s.look_up("sales", "5511900000001").await).server_message(),
        Some("Invalid request body")
    );
    // The token.
    let other = Token::new("demo-billing-token");
    let ep = Endpoint {
        base_url: &s.url,
        token: &other,
    };
    let e = s
        .client
        .account(ep, "sales", "5511900000001")
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(403));
    let wrong = Token::new("wrong");
    let ep = Endpoint {
        base_url: &s.url,
        token: &wrong,
    };
    let e = s
        .client
        .account(ep, "sales", "5511900000001")
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(401));
    assert!(!e.to_string().contains("wrong"), "no token in errors: {e}");
    // The server, the proxy, the body.
    for (fault, what) in [
        (
            Fault::Status(500, "Internal server error".into()),
            "HTTP 500",
        ),
        (Fault::Html(502), "unreachable"),
        (Fault::Malformed, "unexpected answer"),
        (Fault::Empty, "empty body"),
    ] {
        s.emu.handle().push_lookup_fault(fault);
        let e = err(s.look_up("sales", "5511900000001").await);
        assert!(e.to_string().contains(what), "{what}: {e}");
    }
    s.emu.handle().push_lookup_fault(Fault::Raw {
        status: 404,
        headers: vec![("content-type".into(), "text/html".into())],
        body: b"<h1>Not Found</h1>".to_vec(),
    });
    let e = err(s.look_up("sales", "5511900000001").await);
    assert_eq!((e.status(), e.server_message()), (Some(404), None));
    for body in [r#"{"success": true}"#, r#"[1, 2]"#, r#"{"profile": "Ana"}"#] {
        s.answer_with(body);
        let e = err(s.look_up("sales", "5511900000001").await);
        assert!(matches!(e, ApiError::Malformed { .. }), "{body}: {e}");
    }
    s.answer_with(r#"{"success": false, "error": {"message": "Failed to get profile"}}"#);
    let e = err(s.look_up("sales", "5511900000001").await);
    assert_eq!(e.server_message(), Some("Failed to get profile"));
    // No number: nothing is sent.
    let before = s.emu.handle().request_count();
    let e = err(s.look_up("sales", "  ").await);
    assert!(matches!(e, ApiError::Request { .. }), "{e}");
    assert_eq!(s.emu.handle().request_count(), before);
}

#[tokio::test]
async fn a_stalled_lookup_times_out() {
    let s = Setup::demo().await;
    s.emu
        .handle()
        .push_lookup_fault(Fault::Stall(Duration::from_secs(5)));
    let e = s.look_up("sales", "5511900000001").await.unwrap_err();
    assert!(matches!(e, ApiError::Timeout { seconds: 2 }), "{e}");
    assert!(e.is_transient());
}

#[tokio::test]
async fn a_429_says_whether_the_budget_is_spent_or_whatsapp_throttles() {
    let s = Setup::new(EmulatorConfig {
        rate_limit: 3,
        ..EmulatorConfig::demo(Some(5))
    })
    .await;
    s.emu.handle().set_throttling(1);
    let e = s.look_up("sales", "5511900000001").await.unwrap_err();
    assert_eq!(e.status(), Some(429));
    assert!(e.is_throttling(), "budget left: WhatsApp throttles");
    assert_eq!(e.rate().map(|r| r.remaining), Some(2));
    assert_eq!(
        e.hint(),
        "WhatsApp is throttling this number's requests; it slows down"
    );
    for _ in 0..2 {
        found(s.look_up("sales", "5511900000001").await);
    }
    let e = s.look_up("sales", "5511900000001").await.unwrap_err();
    assert_eq!(e.rate().map(|r| r.remaining), Some(0));
    assert!(!e.is_throttling(), "the budget is spent");
    assert!(
        e.hint()
            .starts_with("this token's budget of 3 a minute is spent"),
        "{}",
        e.hint()
    );
}
