//! The emulator's `GET /api/profile/getAccount/:instance` against the
//! contract (section 4), in raw HTTP and JSON written out as text, never
//! through the app's client: who a number is, numbers not on WhatsApp in
//! both shapes, Brazil's old 8-digit IDs in lookups and blocks alike,
//! WhatsApp's throttling, lookup faults and the lookup count.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use ryze_contacts::emulator::{
    self, DEMO_SPAMMERS, EmuContact, EmuInstance, EmulatorConfig, Fault, NOT_ON_WHATSAPP_200,
    NOT_ON_WHATSAPP_404, RunningEmulator,
};
use serde_json::Value;

use crate::contract::{call, serve, text};

/// `GET getAccount` on `instance` with the account token (`acct`).
async fn account(emu: &RunningEmulator, instance: &str, number: &str) -> (u16, Value) {
    let path = format!("/api/profile/getAccount/{instance}?number={number}");
    let (status, _, body) = call(emu, "GET", &path, Some("acct"), None).await;
    (status, body)
}

/// `POST block` on `instance` with the account token: the answer's
/// `contact_jid`.
async fn block(emu: &RunningEmulator, instance: &str, number: &str, on: bool) -> Value {
    let body = format!(r#"{{"number": "{number}", "block": {on}}}"#);
    let path = format!("/api/chat/block/{instance}");
    let (status, _, body) = call(emu, "POST", &path, Some("acct"), Some(&body)).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Two connected instances, "sales" (Maria Silva, with an `@lid`; and a
/// hidden-number contact) and "billing" (no contacts), on the account
/// token `acct`, with `rate_limit` requests a window.
pub(crate) async fn serve_two(rate_limit: u32) -> RunningEmulator {
    let instance = |name: &str, own: &str, contacts| EmuInstance {
        name: name.into(),
        token: format!("inst-{name}"),
        state: "connected".into(),
        own_number: own.into(),
        contacts,
    };
    let sales = vec![
        EmuContact {
            jid: "5511999999999@s.whatsapp.net".into(),
            lid: Some("123456789012345@lid".into()),
            full_name: Some("Maria Silva".into()),
            ..EmuContact::default()
        },
        EmuContact {
            jid: "987654321098765@lid".into(),
            push_name: Some("Dudu".into()),
            ..EmuContact::default()
        },
    ];
    let config = EmulatorConfig {
        account_token: "acct".into(),
        instances: vec![
            instance("sales", "5511955550101", sales),
            instance("billing", "5511955550404", vec![]),
        ],
        rate_limit,
        ..EmulatorConfig::demo(Some(0))
    };
    emulator::start(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_contact_answers_with_its_own_identity_by_number_jid_or_lid() {
    let emu = serve().await;
    let mut profiles = Vec::new();
    for number in [
        "5511999999999",
        "%2B5511999999999",
        "5511999999999%40s.whatsapp.net",
        "123456789012345%40lid",
    ] {
        let (status, body) = account(&emu, "sales", number).await;
        assert_eq!(status, 200, "{number}: {body}");
        assert_eq!(body["success"], true);
        assert!(body["message"].is_string());
        profiles.push(body["profile"].clone());
    }
    let p = &profiles[0];
    assert_eq!(p["jid"], "5511999999999@s.whatsapp.net");
    assert_eq!(p["phoneNumber"], "5511999999999");
    assert_eq!(p["lid"], "123456789012345@lid");
    assert_eq!(p["profileName"], "Maria Silva");
    assert!(
        p.get("profilePicture").is_some(),
        "profilePicture is always there"
    );
    assert!(profiles.iter().all(|other| other == p), "{profiles:?}");
}

#[tokio::test]
async fn without_a_number_the_instance_answers_with_its_own_profile() {
    let emu = serve().await;
    for path in [
        "/api/profile/getAccount/sales",
        "/api/profile/getAccount/sales?number=",
    ] {
        let (status, _, body) = call(&emu, "GET", path, Some("inst-sales"), None).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(body["profile"]["jid"], "5511955550101@s.whatsapp.net");
        assert_eq!(body["profile"]["phoneNumber"], "5511955550101");
        assert_eq!(body["profile"]["profileName"], "sales");
    }
    assert!(
        emu.handle().lookups().is_empty(),
        "the own profile is no lookup"
    );
}

#[tokio::test]
async fn lookups_follow_the_token_rules_and_a_disconnected_instance_answers_400() {
    let emu = serve().await;
    let path = "/api/profile/getAccount/sales?number=5511999999999";
    let cases = [
        (None, path, 401, "Missing token in header"),
        (Some("nope"), path, 401, "Invalid token"),
        (
            Some("inst-support"),
            path,
            403,
            "Token does not have access to this instance",
        ),
        (
            Some("acct"),
            "/api/profile/getAccount/nowhere?number=5511999999999",
            404,
            "Instance not found",
        ),
        (
            Some("acct"),
            "/api/profile/getAccount/support?number=5511999999999",
            400,
            "Instance is not connected to WhatsApp",
        ),
        (
            Some("acct"),
            "/api/profile/getAccount/sales?number=120363%40g.us",
            400,
            "Invalid phone number",
        ),
    ];
    for (token, path, status, message) in cases {
        let (got, headers, body) = call(&emu, "GET", path, token, None).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(
            body,
            text(&format!(
                r#"{{"success": false, "error": {{"message": "{message}"}}}}"#
            ))
        );
        if token.is_some_and(|t| t != "nope") {
            assert!(headers.contains_key("x-ratelimit-remaining"), "{path}");
        }
    }
}

#[tokio::test]
async fn numbers_not_on_whatsapp_answer_in_both_shapes() {
    let emu = serve().await;
    let (status, body) = account(&emu, "sales", NOT_ON_WHATSAPP_404).await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        text(r#"{"success": false, "error": {"message": "Number is not on WhatsApp"}}"#)
    );
    let (status, body) = account(&emu, "sales", NOT_ON_WHATSAPP_200).await;
    assert_eq!(status, 200);
    assert_eq!(body["success"], true);
    assert_eq!(
        body["profile"],
        text(&format!(
            r#"{{"profilePicture": null, "phoneNumber": "{NOT_ON_WHATSAPP_200}"}}"#
        ))
    );
    // A number no country has is on no one's WhatsApp.
    let (status, _) = account(&emu, "sales", "123").await;
    assert_eq!(status, 404);
    // The rule is on the digits: the same ending, another number.
    let (status, _) = account(&emu, "sales", "5521987650404").await;
    assert_eq!(status, 404);
    let (status, body) = account(&emu, "sales", "5521987651404").await;
    assert_eq!((status, body["profile"].get("jid")), (200, None));
}

#[tokio::test]
async fn brazilian_mobiles_outside_11_to_28_are_keyed_by_their_old_id_in_lookups_and_blocks() {
    let emu = serve().await;
    let old = "558188887777@s.whatsapp.net";
    for typed in ["5581988887777", "558188887777", "%2B55%2081%2098888-7777"] {
        let (status, body) = account(&emu, "sales", typed).await;
        assert_eq!(status, 200, "{typed}");
        assert_eq!(body["profile"]["jid"], old, "{typed}");
        assert_eq!(body["profile"]["phoneNumber"], "558188887777", "{typed}");
    }
    // Blocked by the number as typed, unblocked by the old ID: one person.
    let answer = block(&emu, "sales", "5581988887777", true).await;
    assert_eq!(answer["contact_jid"], old);
    assert_eq!(emu.handle().blocklist("sales"), vec![old.to_string()]);
    let answer = block(&emu, "sales", "558188887777@s.whatsapp.net", false).await;
    assert_eq!(answer["contact_jid"], old);
    assert_eq!(answer["blocked_count"], 0);
    // Inside 11–28 the 9-digit number is the key, whichever form is sent.
    let (_, body) = account(&emu, "sales", "551188887777").await;
    assert_eq!(body["profile"]["phoneNumber"], "5511988887777");
}

#[tokio::test]
async fn a_block_acts_on_the_identity_a_lookup_names() {
    let emu = serve_two(10_000).await;
    let (mut lids, mut old_ids) = (0, 0);
    for i in 0..40u64 {
        let area = [11, 21, 31, 51, 81, 85][i as usize % 6];
        let number = format!("55{area}9{}", 71_234_567 + i * 104_729);
        let (status, body) = account(&emu, "billing", &number).await;
        assert_eq!(status, 200, "{number}: {body}");
        let profile = &body["profile"];
        let key = profile["lid"].as_str().or(profile["jid"].as_str()).unwrap();
        let answer = block(&emu, "billing", &number, true).await;
        assert_eq!(answer["contact_jid"], key, "{number}");
        lids += usize::from(profile.get("lid").is_some());
        old_ids += usize::from(profile["phoneNumber"].as_str().unwrap().len() == 12);
    }
    assert!(lids > 5 && lids < 35, "an @lid for some: {lids} of 40");
    assert!(old_ids > 0, "old 8-digit IDs among them");
    assert_eq!(emu.handle().blocklist("billing").len(), 40);
}

#[tokio::test]
async fn drawn_profiles_are_stable_varied_and_their_lids_lead_back() {
    let emu = serve_two(10_000).await;
    let mut seen = (0, 0, 0, 0);
    for i in 0..60u64 {
        let number = format!("44795{:07}", 1_000_000 + i * 7_919);
        let (status, first) = account(&emu, "billing", &number).await;
        assert_eq!(status, 200, "{number}");
        let (_, again) = account(&emu, "billing", &number).await;
        assert_eq!(first, again, "the same on every call");
        let p = &first["profile"];
        match p["profilePicture"].as_str() {
            Some(url) => assert!(url.starts_with("https://"), "{url}"),
            None => {
                assert_eq!(p["profilePicture"], Value::Null);
                seen.0 += 1
            }
        }
        seen.1 += usize::from(p.get("profileName").is_none());
        seen.2 += usize::from(p.get("profileStatus").is_none());
        if let Some(lid) = p["lid"].as_str() {
            seen.3 += 1;
            let (status, by_lid) = account(&emu, "billing", &lid.replace('@', "%40")).await;
            assert_eq!(status, 200, "{lid}");
            assert_eq!(by_lid["profile"]["jid"], p["jid"], "{lid}");
        }
    }
    let (no_picture, no_name, no_about, lids) = seen;
    for (what, n) in [
        ("no picture", no_picture),
        ("no name", no_name),
        ("no About", no_about),
        ("an @lid", lids),
    ] {
        assert!(n > 0 && n < 60, "{what}: {n} of 60");
    }
    let (status, _) = account(&emu, "billing", "1000000000000001%40lid").await;
    assert_eq!(status, 404, "an @lid no one has");
}

#[tokio::test]
async fn one_person_has_one_identity_on_every_instance() {
    let emu = serve_two(10_000).await;
    // Maria is a contact of sales; billing sees her public profile: her
    // JID and @lid, not the name sales's address book gives her.
    let (_, body) = account(&emu, "billing", "5511999999999").await;
    assert_eq!(body["profile"]["jid"], "5511999999999@s.whatsapp.net");
    assert_eq!(body["profile"]["lid"], "123456789012345@lid");
    assert!(body["profile"].get("profileName").is_none(), "{body}");
    let answer = block(&emu, "billing", "5511999999999", true).await;
    assert_eq!(answer["contact_jid"], "123456789012345@lid");
    // A hidden-number contact has a number, found by its @lid.
    let (_, by_lid) = account(&emu, "sales", "987654321098765%40lid").await;
    let p = &by_lid["profile"];
    assert_eq!(p["lid"], "987654321098765@lid");
    assert_eq!(p["profileName"], "Dudu");
    let number = p["phoneNumber"].as_str().unwrap();
    let (_, by_number) = account(&emu, "sales", number).await;
    assert_eq!(by_number["profile"], *p);
}

#[tokio::test]
async fn the_demo_spammers_answer_with_their_profiles() {
    let emu = emulator::start(
        EmulatorConfig {
            account_token: "acct".into(),
            ..EmulatorConfig::demo(None)
        },
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await
    .unwrap();
    let joana = DEMO_SPAMMERS.iter().find(|s| s.name == "Joana Promo");
    assert_eq!(joana.map(|s| s.about), Some("Ofertas!"));
    for s in DEMO_SPAMMERS {
        let (status, body) = account(&emu, "sales", s.number).await;
        assert_eq!(status, 200, "{}", s.number);
        let p = &body["profile"];
        assert_eq!(p["jid"], s.jid);
        assert_eq!(p["profileName"], s.name);
        assert_eq!(p["profileStatus"], s.about);
        assert_eq!(p["lid"].as_str(), s.lid);
        assert_eq!(p["profilePicture"].is_string(), s.picture, "{}", s.name);
        let answer = block(&emu, "support", s.number, true).await;
        assert_eq!(answer["contact_jid"], s.lid.unwrap_or(s.jid));
    }
}

#[tokio::test]
async fn throttling_answers_429_with_budget_left_and_lookups_are_counted() {
    let emu = serve_two(100).await;
    emu.handle().set_throttling(2);
    let path = "/api/profile/getAccount/sales?number=5521987654321";
    for n in 1..=2 {
        let (status, headers, body) = call(&emu, "GET", path, Some("acct"), None).await;
        assert_eq!(status, 429, "throttled {n}");
        assert_eq!(
            body,
            text(
                r#"{"success": false, "error": {"message": "Rate limit exceeded. Try again later."}}"#
            )
        );
        let remaining: u32 = headers["x-ratelimit-remaining"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(remaining > 0, "the budget is not what ran out");
        // The contact list is the server's own: never throttled.
        let (status, _, _) =
            call(&emu, "GET", "/api/chat/contacts/sales", Some("acct"), None).await;
        assert_eq!(status, 200);
    }
    let (status, _, _) = call(&emu, "GET", path, Some("acct"), None).await;
    assert_eq!(status, 200, "the throttling is over");
    assert_eq!(emu.handle().throttled_count(), 2);
    assert_eq!(emu.handle().rate_limited_count(), 0);
    let sent = ("sales".to_string(), "5521987654321".to_string());
    assert_eq!(
        emu.handle().lookups(),
        vec![sent.clone(), sent.clone(), sent]
    );
    // Throttled blocks too.
    emu.handle().set_throttling(1);
    let body = r#"{"number": "5521987654321", "block": true}"#;
    let (status, _, _) = call(
        &emu,
        "POST",
        "/api/chat/block/sales",
        Some("acct"),
        Some(body),
    )
    .await;
    assert_eq!(status, 429);
    assert!(emu.handle().blocklist("sales").is_empty());
}

#[tokio::test]
async fn lookups_count_against_the_budget() {
    let emu = serve_two(3).await;
    let path = "/api/profile/getAccount/sales?number=5521987654321";
    for left in [2, 1, 0] {
        let (status, headers, _) = call(&emu, "GET", path, Some("acct"), None).await;
        assert_eq!(status, 200);
        assert_eq!(headers["x-ratelimit-remaining"], left.to_string().as_str());
    }
    let (status, headers, _) = call(&emu, "GET", path, Some("acct"), None).await;
    assert_eq!(status, 429);
    assert_eq!(headers["x-ratelimit-remaining"], "0");
    assert_eq!(emu.handle().rate_limited_count(), 1);
    assert_eq!(
        emu.handle().lookups().len(),
        3,
        "a refused one is no lookup"
    );
}

#[tokio::test]
async fn a_lookup_fault_waits_for_a_lookup() {
    let emu = serve_two(100).await;
    emu.handle()
        .push_lookup_fault(Fault::Stall(Duration::from_millis(600)));
    let started = Instant::now();
    let (status, _, _) = call(&emu, "GET", "/api/chat/contacts/sales", Some("acct"), None).await;
    assert_eq!(status, 200);
    let (status, _, _) = call(
        &emu,
        "GET",
        "/api/profile/getAccount/sales",
        Some("acct"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "neither the list nor the own profile is a lookup"
    );
    let (status, _) = account(&emu, "sales", "5521987654321").await;
    assert_eq!(status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "the lookup stalled"
    );
    emu.handle()
        .push_lookup_fault(Fault::Status(500, "Internal server error".into()));
    let (status, _) = account(&emu, "sales", "5521987654321").await;
    assert_eq!(status, 500);
}
