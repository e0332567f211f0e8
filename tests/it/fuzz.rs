//! Property tests (the CI-friendly stand-in for cargo fuzz) over every
//! parser and the sanitiser, plus a replay of the nasty inputs kept in
//! tests/corpus. Each property runs a bounded number of cases.

use std::path::Path;

use proptest::prelude::*;
use ryze_contacts::api::contacts::{parse_store, store_from};
use ryze_contacts::api::{
    RemoteContact, parse_block, parse_contacts, parse_instances, status_error,
};
use ryze_contacts::config::profile;
use ryze_contacts::model::number::{Region, format_phone, read_typed};
use ryze_contacts::util::sanitize::clean;
use ryze_contacts::util::text::{fit, width};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 1000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn safe_for_terminal(s: &str) -> bool {
    !s.chars().any(|c| {
        c.is_control()
            || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    })
}

/// Every parser on the same bytes: none may panic.
fn parse_everything(bytes: &[u8]) {
    let _ = parse_contacts(bytes);
    let _ = parse_block(bytes);
    let _ = parse_instances(bytes);
    for status in [400, 401, 429, 502, 503] {
        let e = status_error(status, false, bytes, None);
        if let Some(m) = e.server_message() {
            assert!(safe_for_terminal(m), "{m:?}");
        }
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        // token_cmd would run a program: never from generated input.
        if !text.contains("token_cmd") {
            let _ = profile::parse(text, Path::new("fuzz.toml"), &|_| None);
        }
        let _ = read_typed(text, Region::from_code("BR"));
        assert!(safe_for_terminal(&clean(text)));
    }
}

/// One hostile row among good ones: raw bytes (invalid UTF-8 included) in
/// a name, a value that is not a contact, or a JID that is not one.
fn hostile_row() -> impl Strategy<Value = (Vec<u8>, bool)> {
    let name_bytes = proptest::collection::vec(
        (0x20u8..=0xFF).prop_filter("keeps the JSON string closed", |b| {
            *b != b'"' && *b != b'\\'
        }),
        0..40,
    );
    prop_oneof![
        name_bytes.prop_map(|bytes| {
            let mut row = br#"{"jid": "5511900000999@s.whatsapp.net", "full_name": ""#.to_vec();
            row.extend_from_slice(&bytes);
            row.extend_from_slice(br#""}"#);
            (row, true)
        }),
        prop_oneof![
            Just(&b"42"[..]),
            Just(&b"\"text\""[..]),
            Just(&b"[[1], {\"a\": []}]"[..]),
            Just(&b"null"[..]),
            Just(&br#"{"jid": 5511}"#[..]),
            Just(&br#"{"full_name": "no jid"}"#[..]),
            Just(&br#"{"jid": "=1+1@lid"}"#[..]),
            Just(&br#"{"jid": "\u001b]0;x\u0007@s.whatsapp.net"}"#[..]),
        ]
        .prop_map(|row| (row.to_vec(), false)),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_rate_wait_is_bounded_whatever_the_server_says(
        answers in proptest::collection::vec(
            (any::<u32>(), any::<u32>(), any::<u64>(), proptest::option::of(any::<u64>()),
             any::<bool>(), proptest::option::of(any::<u64>())),
            1..30,
        ),
    ) {
        use ryze_contacts::api::RateLimit;
        use ryze_contacts::api::rate::{Heard, Permit, RateBudgets};
        let window = std::time::Duration::from_secs(60);
        let budgets = RateBudgets::with_window(window);
        let mut now = 1_800_000_000_000u64;
        for (limit, remaining, reset, server_now, throttled, retry_after) in answers {
            if let Permit::Wait(d) = budgets.take(&"t", now) {
                prop_assert!(d <= window + std::time::Duration::from_millis(200), "{d:?}");
                now += d.as_millis() as u64;
            }
            budgets.answered(&"t", now, Heard {
                rate: Some(RateLimit { limit, remaining, reset, server_now }),
                throttled,
                retry_after: retry_after.map(std::time::Duration::from_secs),
            });
        }
        if let Permit::Wait(d) = budgets.take(&"t", now) {
            prop_assert!(d <= window + std::time::Duration::from_millis(200), "{d:?}");
        }
    }

    #[test]
    fn any_count_in_a_block_answer_is_kept_or_ignored_never_fatal(
        count in prop_oneof![
            any::<i64>().prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            any::<f64>().prop_filter("JSON has no NaN", |f| f.is_finite()).prop_map(|f| format!("{f:e}")),
            Just("\"12\"".to_string()),
            Just("null".to_string()),
            Just("[1]".to_string()),
        ],
    ) {
        let body = format!(
            r#"{{"blocked": true, "contact_jid": "5511999999999@s.whatsapp.net", "blocked_count": {count}}}"#
        );
        let answer = parse_block(body.as_bytes()).expect("a count never fails the answer");
        if let Some(n) = answer.blocked_count {
            prop_assert!(i64::try_from(n).is_ok());
            prop_assert_eq!(n.to_string(), count);
        }
    }

    #[test]
    fn one_bad_row_never_loses_the_list(
        names in proptest::collection::vec("[a-zA-Z ]{0,12}", 0..20),
        (bad, is_contact) in hostile_row(),
        at in any::<proptest::sample::Index>(),
    ) {
        let mut rows: Vec<Vec<u8>> = names
            .iter()
            .enumerate()
            .map(|(i, n)| format!(r#"{{"jid": "55119{i:08}@s.whatsapp.net", "full_name": "{n}"}}"#).into_bytes())
            .collect();
        rows.insert(at.index(rows.len() + 1), bad);
        let mut body = br#"{"success": true, "contacts": ["#.to_vec();
        body.extend_from_slice(&rows.join(&b","[..]));
        body.extend_from_slice(b"]}");
        let store = parse_store(&body).expect("the list loads");
        let good = names.len() + usize::from(is_contact);
        prop_assert_eq!(store.len(), good);
        prop_assert_eq!(store.skipped(), usize::from(!is_contact));
        for c in store.iter() {
            prop_assert!(safe_for_terminal(c.name()));
        }
    }

    #[test]
    fn parsers_never_panic_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        parse_everything(&bytes);
    }

    #[test]
    fn parsers_never_panic_on_json_like_text(
        text in r#"\{("(success|contacts|jid|lid|blocked|blocked_count|error|message|instances|data|name|connection|state)"|[\[\]{}:,0-9\-.]|true|false|null| ){0,60}"#
    ) {
        parse_everything(text.as_bytes());
    }

    #[test]
    fn profile_parser_never_panics(
        text in r#"(\[\[instances\]\]|\[defaults\]|\[account\]|name|label|token|token_env|base_url|allow_insecure_http| = |"[a-z:/.0-9]{0,12}"|true|\n|#){0,40}"#
    ) {
        let _ = profile::parse(&text, Path::new("fuzz.toml"), &|_| Some("x".into()));
    }

    #[test]
    fn sanitised_text_is_safe_and_stable(text in any::<String>()) {
        let once = clean(&text).into_owned();
        prop_assert!(safe_for_terminal(&once));
        prop_assert_eq!(clean(&once).into_owned(), once);
    }

    #[test]
    fn contact_rows_are_safe(jid in any::<String>(), name in any::<String>(), push in any::<String>()) {
        let store = store_from([RemoteContact {
            jid,
            lid: None,
            first_name: None,
            full_name: Some(name),
            push_name: Some(push),
            business_name: None,
        }]);
        let c = store.get(0).unwrap();
        prop_assert!(safe_for_terminal(&c.display_name()));
        prop_assert!(safe_for_terminal(c.number()));
        prop_assert!(safe_for_terminal(c.jid()));
    }

    #[test]
    fn typed_text_reads_as_a_valid_person_or_is_refused(text in any::<String>(), region in "(BR|US|GB|DE|IN)") {
        if let Ok(target) = read_typed(&text, Region::from_code(&region)) {
            let jid = target.jid();
            prop_assert!(ryze_contacts::model::number::is_valid_jid(&jid), "{jid:?}");
            if let Some(e164) = target.e164() {
                prop_assert!(e164.len() <= 16, "E.164 has at most 15 digits: {e164}");
            }
        }
    }

    #[test]
    fn shown_numbers_read_back_to_the_same_number(digits in "[1-9][0-9]{7,14}") {
        // Whatever libphonenumber makes of the digits, what is shown for a
        // valid number reads back to the very same number.
        if let Ok(target) = read_typed(&format!("+{digits}"), None) {
            let shown = format_phone(target.e164().unwrap().trim_start_matches('+'));
            prop_assert_eq!(read_typed(&shown, None).unwrap(), target);
        }
    }

    #[test]
    fn fit_never_exceeds_the_width(text in any::<String>(), max in 0usize..40) {
        prop_assert!(width(&fit(&clean(&text), max)) <= max);
    }
}

#[test]
fn corpus_replays_cleanly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        parse_everything(&bytes);
        n += 1;
    }
    assert!(n >= 10, "the corpus is in the repository");
}

#[test]
fn corpus_cases_give_the_expected_answers() {
    let read = |name: &str| {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/corpus")
                .join(name),
        )
        .unwrap()
    };
    // Its JID holds an escape: not a contact, skipped.
    let escaped = parse_store(&read("contacts_escapes.json")).unwrap();
    assert_eq!((escaped.len(), escaped.skipped()), (0, 1));
    let named = parse_store(&read("contacts_escaped_name.json")).unwrap();
    assert_eq!(named.get(0).unwrap().name(), "x");
    // A field of the wrong type spoils only that field.
    let wrong_type = parse_contacts(&read("contacts_wrong_type.json")).unwrap();
    assert_eq!(wrong_type.len(), 1);
    assert_eq!(wrong_type[0].lid, None);
    // A count that is not a non-negative integer is ignored, not a failure.
    for name in ["block_negative_count.json", "block_huge_count.json"] {
        let answer = parse_block(&read(name)).unwrap();
        assert!(answer.blocked);
        assert_eq!(answer.blocked_count, None, "{name}");
    }
    assert_eq!(
        parse_instances(&read("instances_data_key.json")).unwrap()[0].state(),
        "unknown"
    );
    // Arabic-Indic digits are digits, as libphonenumber's reference reads them.
    assert_eq!(
        read_typed(
            std::str::from_utf8(&read("number_arabic_digits.txt")).unwrap(),
            None
        )
        .unwrap()
        .e164()
        .as_deref(),
        Some("+5511999999999")
    );
}
