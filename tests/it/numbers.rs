//! Typed numbers through the real binary's `block` against the emulator,
//! across ten countries: each input is sent as the E.164 number expected,
//! or refused (with its message, and no request at all), or refused as
//! ambiguous naming both readings. The reference corpus's own numbers of
//! each country, typed as bare digits with the country code, go through
//! `block --from` too.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::{Command, Stdio};

use ryze_contacts::emulator::{
    self, DEMO_ACCOUNT_TOKEN, EmuInstance, EmulatorConfig, RunningEmulator,
};

/// What an input must come to.
enum Expect {
    /// Sent as this E.164 number.
    Sent(&'static str),
    /// Refused before any request; the message holds this.
    Refused(&'static str),
    /// Refused as ambiguous; the message names both readings.
    Ambiguous(&'static str, &'static str),
}

use Expect::{Ambiguous, Refused, Sent};

/// (instance, what is typed, what must happen). Each instance reads
/// national forms in its country.
const CASES: &[(&str, &str, Expect)] = &[
    // Brazil
    ("br", "(11) 99999-8888", Sent("+5511999998888")),
    ("br", "+55 11 99999-8888", Sent("+5511999998888")),
    ("br", "5511999998888", Sent("+5511999998888")),
    ("br", "0 11 99999-8888", Sent("+5511999998888")),
    ("br", "5511999998888@s.whatsapp.net", Sent("+5511999998888")),
    (
        "br",
        "+55 11 9999",
        Refused("+55 11 9999 is too short for Brazil"),
    ),
    (
        "br",
        "99999-9999",
        Refused("is not a valid number in Brazil"),
    ),
    (
        "br",
        "4328119998",
        Ambiguous("+55 43 2811-9998 (Brazil)", "+43 2811 9998 (Austria)"),
    ),
    ("br", "120363@g.us", Refused("is a group")),
    (
        "br",
        "+999 123456789",
        Refused("begins with no country calling code"),
    ),
    ("br", "call me", Refused("is not a phone number")),
    ("br", "+55 11 99999-8888 ext 1", Refused("has an extension")),
    // United States
    ("us", "(650) 253-0000", Sent("+16502530000")),
    ("us", "+1 650-253-0000", Sent("+16502530000")),
    ("us", "1 650 253 0000", Sent("+16502530000")),
    ("us", "011 44 7912 345678", Sent("+447912345678")),
    // +95 16221173 is no longer a valid number of Myanmar: no ambiguity.
    ("us", "9516221173", Sent("+19516221173")),
    ("us", "555-0123", Refused("is too short for United States")),
    // United Kingdom
    ("gb", "07912 345678", Sent("+447912345678")),
    ("gb", "+44 (0) 7912 345678", Sent("+447912345678")),
    ("gb", "0044 7912 345678", Sent("+447912345678")),
    ("gb", "447912345678", Sent("+447912345678")),
    (
        "gb",
        "2389944997",
        Ambiguous(
            "+44 23 8994 4997 (United Kingdom)",
            "+238 994 49 97 (Cabo Verde)",
        ),
    ),
    (
        "gb",
        "07912 34",
        Refused("07912 34 (read as +44 0791234) is not a valid number in United Kingdom"),
    ),
    // Germany
    ("de", "0151 23456789", Sent("+4915123456789")),
    ("de", "+49 1512 3456789", Sent("+4915123456789")),
    ("de", "00 49 1512 3456789", Sent("+4915123456789")),
    (
        "de",
        "0151 2",
        Refused("0151 2 (read as +49 1512) is not a valid number in Germany"),
    ),
    // India
    ("in", "098765 43210", Sent("+919876543210")),
    ("in", "98765 43210", Sent("+919876543210")),
    ("in", "+91 98765 43210", Sent("+919876543210")),
    (
        "in",
        "6561070168",
        Ambiguous("+91 65610 70168 (India)", "+65 6107 0168 (Singapore)"),
    ),
    // Portugal
    ("pt", "912 345 678", Sent("+351912345678")),
    ("pt", "+351 912 345 678", Sent("+351912345678")),
    ("pt", "00351 912 345 678", Sent("+351912345678")),
    ("pt", "91234", Refused("too short for Portugal")),
    // Mexico
    ("mx", "55 1234 5678", Sent("+525512345678")),
    ("mx", "+52 55 1234 5678", Sent("+525512345678")),
    (
        "mx",
        "2315422355",
        Ambiguous("+52 231 542 2355 (Mexico)", "+231 5 422 355 (Liberia)"),
    ),
    // Spain
    ("es", "612 34 56 78", Sent("+34612345678")),
    ("es", "+34 612 34 56 78", Sent("+34612345678")),
    ("es", "0034 612345678", Sent("+34612345678")),
    ("es", "612 34", Refused("too short for Spain")),
    // Nigeria
    ("ng", "0803 123 4567", Sent("+2348031234567")),
    ("ng", "+234 803 123 4567", Sent("+2348031234567")),
    ("ng", "803 123 4567", Sent("+2348031234567")),
    // Indonesia
    ("id", "0812-3456-7890", Sent("+6281234567890")),
    ("id", "+62 812-3456-7890", Sent("+6281234567890")),
    ("id", "62 812 3456 7890", Sent("+6281234567890")),
    // Inputs that once reached another subscriber, as the reference reads them.
    (
        "de",
        "4915123456789",
        Ambiguous("+49 491 5123456789 (Germany)", "+49 1512 3456789 (Germany)"),
    ),
    (
        "id",
        "62812345678",
        Ambiguous(
            "+62 628 12345678 (Indonesia)",
            "+62 812-345-678 (Indonesia)",
        ),
    ),
    ("us", "011 49 15123456789", Sent("+4915123456789")),
    ("gb", "00 241 06031234", Sent("+24106031234")),
    (
        "us",
        "20155501235",
        Refused("did you mean +20 15 5501235 (Egypt)? type the +"),
    ),
    // A mobile outside area codes 11–28: the server answers with its old
    // 8-digit ID, which the lookup gives as the same person.
    ("br", "(55) 99123-4567", Sent("+5555991234567")),
    ("br", "(51) 97767-5866", Sent("+5551977675866")),
    ("br", "(+44) 7400 123456", Sent("+447400123456")),
    ("br", "tel:+44-7400-123456", Sent("+447400123456")),
    (
        "br",
        "\u{ff0b}55 11 99999\u{a0}8888",
        Sent("+5511999998888"),
    ),
    // Bare digits with the country code: the instance's own number is
    // sent, another country's keeps the refusal (issue 25).
    ("br", "55800123456", Sent("+55800123456")),
    (
        "br",
        "447912345678",
        Refused("did you mean +44 7912 345678 (United Kingdom)? type the +"),
    ),
    (
        "br",
        "55 800 123 456",
        Refused("did you mean +55 800 12 3456 (Brazil)? type the +"),
    ),
    ("us", "1-800-FLOWERS", Refused("has letters")),
    (
        "br",
        "\u{202e}+55 11 99999-8888",
        Refused("direction marks"),
    ),
];

/// Instance name, country, and a valid number of its own.
const INSTANCES: &[(&str, &str, &str)] = &[
    ("br", "BR", "5511955550101"),
    ("us", "US", "16502530001"),
    ("gb", "GB", "447912000001"),
    ("de", "DE", "4915112340001"),
    ("in", "IN", "919812300001"),
    ("pt", "PT", "351912000001"),
    ("mx", "MX", "525512000001"),
    ("es", "ES", "34612000001"),
    ("ng", "NG", "2348030000001"),
    ("id", "ID", "6281200000001"),
];

fn emulator(rt: &tokio::runtime::Runtime, extra: Vec<EmuInstance>) -> RunningEmulator {
    let mut instances: Vec<EmuInstance> = INSTANCES
        .iter()
        .map(|(name, _, own)| EmuInstance::generated(name, "connected", own, 3))
        .collect();
    instances.extend(extra);
    rt.block_on(emulator::start(
        EmulatorConfig {
            instances,
            ..EmulatorConfig::demo(Some(3))
        },
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    ))
    .unwrap()
}

/// A profile naming `instances` (name, region = or none).
fn profile(dir: &std::path::Path, emu: &RunningEmulator, instances: &[(&str, Option<&str>)]) {
    let mut text = format!(
        "[defaults]\nbase_url = \"{}\"\n[account]\ntoken_env = \"RYZE_TEST_ACCOUNT\"\n",
        emu.base_url()
    );
    for (name, region) in instances {
        text.push_str(&format!("[[instances]]\nname = \"{name}\"\n"));
        if let Some(region) = region {
            text.push_str(&format!("region = \"{region}\"\n"));
        }
    }
    std::fs::write(dir.join("profile.toml"), text).unwrap();
}

fn block(dir: &std::path::Path, instance: &str, input: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ryze-contacts"))
        .arg("--profile")
        .arg(dir.join("profile.toml"))
        .arg("--data-dir")
        .arg(dir.join("data"))
        .args(["block", "--instance", instance, "--json", "--", input])
        .env("RYZE_TEST_ACCOUNT", DEMO_ACCOUNT_TOKEN)
        .env_remove("RYZE_CONTACTS_PROFILE")
        .env_remove("RYZE_CONTACTS_DATA")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn forty_inputs_across_ten_countries() {
    assert!(CASES.len() >= 40);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = emulator(&rt, Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let named: Vec<(&str, Option<&str>)> =
        INSTANCES.iter().map(|(n, r, _)| (*n, Some(*r))).collect();
    profile(dir.path(), &emu, &named);
    let mut failures = Vec::new();
    for (instance, input, expect) in CASES {
        let before = emu.handle().request_count();
        let out = block(dir.path(), instance, input);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let sent = emu.handle().block_requests();
        let requests = emu.handle().request_count() - before;
        let problem = match expect {
            Sent(e164) => {
                let report: serde_json::Value =
                    serde_json::from_slice(&out.stdout).unwrap_or_default();
                let jid = format!("{}@s.whatsapp.net", e164.trim_start_matches('+'));
                let last = sent.last().map(|(i, n, b)| (i.as_str(), n.as_str(), *b));
                if out.status.code() != Some(0) {
                    Some(format!("exit {:?}: {stderr}", out.status.code()))
                } else if report["results"][0]["e164"] != *e164 {
                    Some(format!("reported {}", report["results"][0]["e164"]))
                } else if last != Some((instance, jid.as_str(), true)) {
                    Some(format!("the server got {last:?}"))
                } else {
                    None
                }
            }
            Refused(words) => (out.status.code() != Some(2)
                || !stderr.contains(words)
                || requests != 0)
                .then(|| {
                    format!(
                        "exit {:?}, {requests} request(s): {stderr}",
                        out.status.code()
                    )
                }),
            Ambiguous(a, b) => (out.status.code() != Some(2)
                || !stderr.contains("ambiguous")
                || !stderr.contains(a)
                || !stderr.contains(b)
                || requests != 0)
                .then(|| {
                    format!(
                        "exit {:?}, {requests} request(s): {stderr}",
                        out.status.code()
                    )
                }),
        };
        if let Some(problem) = problem {
            failures.push(format!("{instance} {input:?}: {problem}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_country_comes_from_the_instances_own_number_unless_the_profile_says() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    // "nowhere" has a number libphonenumber places in no country.
    let emu = emulator(
        &rt,
        vec![EmuInstance::generated("nowhere", "connected", "999000", 3)],
    );
    let dir = tempfile::tempdir().unwrap();
    profile(
        dir.path(),
        &emu,
        &[("gb", None), ("br", Some("GB")), ("nowhere", None)],
    );
    // gb: its own number is British.
    let out = block(dir.path(), "gb", "07912 345678");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("07912 345678 read as +44 7912 345678 · United Kingdom · mobile"),
        "{stderr}"
    );
    // br: the profile's region wins over its Brazilian number.
    let out = block(dir.path(), "br", "07912 345678");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sent = emu.handle().block_requests();
    assert_eq!(sent.last().unwrap().1, "447912345678@s.whatsapp.net");
    // nowhere: no country known, so a national form is refused, nothing sent.
    let blocks = emu.handle().block_requests().len();
    let out = block(dir.path(), "nowhere", "07912 345678");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("country is not known"), "{stderr}");
    assert_eq!(emu.handle().block_requests().len(), blocks);
}

#[test]
fn a_file_with_a_bad_line_sends_nothing_unless_told_to_skip() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = emulator(&rt, Vec::new());
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), &emu, &[("gb", Some("GB"))]);
    let list = dir.path().join("abusers.txt");
    std::fs::write(
        &list,
        "# from the support inbox\n07912 345678\n+44 7400 123456 # twice below\n0791\n\n+44 7400 123456\nnot a number\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ryze-contacts"))
            .arg("--profile")
            .arg(dir.path().join("profile.toml"))
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .args(["block", "--from"])
            .arg(&list)
            .args(extra)
            .env("RYZE_TEST_ACCOUNT", DEMO_ACCOUNT_TOKEN)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("nothing sent: 2 number(s) could not be read"),
        "{stderr}"
    );
    assert!(stderr.contains("line 4: 0791"), "{stderr}");
    assert!(stderr.contains("line 7: \"not a number\""), "{stderr}");
    assert_eq!(emu.handle().request_count(), 0, "nothing at all was sent");
    let out = run(&["--skip-invalid"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut sent: Vec<String> = emu
        .handle()
        .block_requests()
        .into_iter()
        .map(|(_, n, _)| n)
        .collect();
    sent.sort();
    // Two overlapping answers are settled by restating one of them.
    assert!(sent.len() <= 3, "{sent:?}");
    sent.dedup();
    assert_eq!(
        sent,
        ["447400123456@s.whatsapp.net", "447912345678@s.whatsapp.net"],
        "the valid numbers only"
    );
}

/// The reference corpus (`tests/reference/numbers.jsonl`).
const CORPUS: &str = include_str!("../reference/numbers.jsonl");

/// The corpus's bare digits with the country code of `region`'s own
/// numbers: (what is typed, the E.164 sent when the class is `send`).
fn own_bare_digits(region: &str) -> Vec<(String, Option<String>)> {
    CORPUS
        .lines()
        .skip(1)
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .filter(|case| case["r"] == region)
        .filter(|case| case["f"].as_str().unwrap().starts_with("own-bare-"))
        .map(|case| {
            let sent = (case["c"] == "send").then(|| case["e164"].as_str().unwrap().to_string());
            (case["in"].as_str().unwrap().to_string(), sent)
        })
        .collect()
}

#[test]
fn each_countrys_own_numbers_typed_as_bare_digits_with_the_country_code_are_sent() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let instances = INSTANCES
        .iter()
        .map(|(name, _, own)| EmuInstance::generated(name, "connected", own, 3))
        .collect();
    let emu = rt
        .block_on(emulator::start(
            EmulatorConfig {
                instances,
                rate_limit: 10_000,
                ..EmulatorConfig::demo(Some(3))
            },
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        ))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let named: Vec<(&str, Option<&str>)> =
        INSTANCES.iter().map(|(n, r, _)| (*n, Some(*r))).collect();
    profile(dir.path(), &emu, &named);
    // Not valid as Brazil reads it, valid with a + (a toll-free number):
    // refused as "foreign" before issue 25.
    assert!(
        own_bare_digits("BR").contains(&("55800123456".into(), Some("+55800123456".into()))),
        "the corpus holds a number only the + reading finds"
    );
    let mut failures = Vec::new();
    for (instance, region, _) in INSTANCES {
        let cases = own_bare_digits(region);
        assert!(cases.len() >= 4, "{region}: {} cases", cases.len());
        let typed: Vec<&str> = cases.iter().map(|(typed, _)| typed.as_str()).collect();
        let list = dir.path().join(format!("{instance}.txt"));
        std::fs::write(&list, typed.join("\n")).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_ryze-contacts"))
            .arg("--profile")
            .arg(dir.path().join("profile.toml"))
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .args(["block", "--instance", instance, "--skip-invalid", "--from"])
            .arg(&list)
            .env("RYZE_TEST_ACCOUNT", DEMO_ACCOUNT_TOKEN)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let mut expected: Vec<String> = cases
            .iter()
            .filter_map(|(_, e164)| e164.as_deref())
            .map(|e164| format!("{}@s.whatsapp.net", &e164[1..]))
            .collect();
        expected.sort();
        expected.dedup();
        let mut sent: Vec<String> = emu
            .handle()
            .block_requests()
            .into_iter()
            .filter(|(i, _, _)| i == instance)
            .map(|(_, number, _)| number)
            .collect();
        sent.sort();
        sent.dedup();
        if sent != expected {
            failures.push(format!(
                "{instance}: sent {sent:?}, expected {expected:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
