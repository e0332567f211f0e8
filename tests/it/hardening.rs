//! Hostile servers against the worker and the binary, over real HTTP on
//! 127.0.0.1: rate headers that lie, a clock that runs behind, 429s with
//! and without `Retry-After`, a body cut mid-way, escapes in the instance
//! state. Every case once stalled, stormed, or reached the terminal.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use reqwest::Url;
use ryze_contacts::api::{ApiClient, ClientConfig};
use ryze_contacts::config::profile::InstanceConfig;
use ryze_contacts::emulator::{self, DEMO_ACCOUNT_TOKEN, EmulatorConfig, Fault, RunningEmulator};
use ryze_contacts::protocol::{ApiCall, BlockCall, Item, Job, JobResult, Msg};
use ryze_contacts::store::ledger::Ledger;
use ryze_contacts::util::secret::Token;

use crate::desk::Desk;
use ryze_contacts::worker::{self, WorkerContext};
use tokio::sync::mpsc;

/// The longest wait a rate answer may impose in these tests.
const WINDOW: Duration = Duration::from_secs(1);

struct Setup {
    emu: RunningEmulator,
    jobs: mpsc::UnboundedSender<Job>,
    results: mpsc::UnboundedReceiver<Msg>,
    _dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    setup_wrapped(|ledger| ledger, false).await
}

/// As [`setup`], with the worker's ledger wrapped by `wrap`, and the
/// instance read-only or not.
async fn setup_wrapped(
    wrap: impl FnOnce(Box<dyn Ledger>) -> Box<dyn Ledger>,
    read_only: bool,
) -> Setup {
    let emu = emulator::start(
        EmulatorConfig::demo(Some(10)),
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await
    .unwrap();
    let instances = vec![InstanceConfig {
        name: "sales".into(),
        label: None,
        base_url: Url::parse(&emu.base_url()).unwrap(),
        token: Token::new(DEMO_ACCOUNT_TOKEN),
        region: None,
        read_only,
    }];
    let dir = tempfile::tempdir().unwrap();
    let (ledger, _) = ryze_contacts::store::ledger::open(dir.path()).unwrap();
    let client = ApiClient::new(ClientConfig::default()).unwrap();
    let mut ctx = WorkerContext::new(instances, client, wrap(ledger));
    ctx.set_rate_window(WINDOW);
    let (tx, results) = mpsc::unbounded_channel();
    let jobs = worker::spawn(ctx, tx);
    Setup {
        emu,
        jobs,
        results,
        _dir: dir,
    }
}

/// The next worker result; a stall past 20 s fails the test.
async fn next(results: &mut mpsc::UnboundedReceiver<Msg>) -> JobResult {
    loop {
        match tokio::time::timeout(Duration::from_secs(20), results.recv()).await {
            Ok(Some(Msg::Worker(r))) => return r,
            Ok(Some(_)) => continue,
            other => panic!("no result within 20 s (a stall): {other:?}"),
        }
    }
}

fn jid(n: usize) -> String {
    emulator::address_book("sales", 10)[n].jid.clone()
}

/// The request to block contact `n` of sales, as the app sends it once
/// its intent is recorded.
fn block(n: usize) -> Job {
    Job::Api(ApiCall::Block(BlockCall {
        item: Item {
            instance: 0,
            jid: jid(n),
            lid: None,
            block: true,
            action: Some(1),
            reason: None,
        },
        action: 1,
        batch: None,
        reason: None,
    }))
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn raw(status: u16, headers: &[(&str, String)], body: &str) -> Fault {
    Fault::Raw {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        body: body.as_bytes().to_vec(),
    }
}

const TOO_MANY: &str =
    r#"{"success": false, "error": {"message": "Rate limit exceeded. Try again later."}}"#;

/// Sends `jobs` and returns how many succeeded and how long all took.
async fn run(s: &mut Setup, jobs: Vec<Job>) -> (usize, Duration) {
    let started = Instant::now();
    let n = jobs.len();
    for job in jobs {
        s.jobs.send(job).unwrap();
    }
    let mut ok = 0;
    for _ in 0..n {
        if let JobResult::Block { answer, .. } = next(&mut s.results).await {
            ok += usize::from(answer.is_ok());
        }
    }
    (ok, started.elapsed())
}

#[tokio::test]
async fn a_reset_in_the_year_3000_holds_a_batch_one_window_at_most() {
    let mut s = setup().await;
    // Whichever of the three requests goes first gets this answer: it names
    // an @lid nobody is known by, so it fits any of them.
    let answer = r#"{"success": true, "message": "Contact blocked", "contact_jid": "99999999999999@lid", "blocked_count": 1, "blocked": true}"#;
    s.emu.handle().push_fault(raw(
        200,
        &[
            ("x-ratelimit-limit", "100".into()),
            ("x-ratelimit-remaining", "0".into()),
            ("x-ratelimit-reset", "32503680000".into()),
        ],
        answer,
    ));
    let (ok, _) = run(&mut s, vec![block(0), block(1), block(2)]).await;
    assert_eq!(ok, 3, "the batch finishes instead of waiting for centuries");
}

#[tokio::test]
async fn a_server_clock_running_behind_gets_no_429_storm() {
    let mut s = setup().await;
    // Its clock is 120 s behind ours; its window resets 1 s from its now,
    // which is 119 s in our past.
    let server_now = unix_now() - 120;
    let date = httpdate::fmt_http_date(std::time::UNIX_EPOCH + Duration::from_secs(server_now));
    for _ in 0..3 {
        s.emu.handle().push_fault(raw(
            429,
            &[
                ("date", date.clone()),
                ("x-ratelimit-limit", "100".into()),
                ("x-ratelimit-remaining", "0".into()),
                ("x-ratelimit-reset", (server_now + 1).to_string()),
            ],
            TOO_MANY,
        ));
    }
    let (ok, took) = run(&mut s, vec![block(0)]).await;
    assert_eq!(ok, 1);
    assert_eq!(
        s.emu.handle().request_count(),
        4,
        "three 429s, then success"
    );
    assert!(
        took >= Duration::from_millis(2_500),
        "each 429 waited for the reset on the server's clock, not 0 ms: {took:?}"
    );
}

#[tokio::test]
async fn a_429_with_retry_after_waits_that_long() {
    let mut s = setup().await;
    s.emu
        .handle()
        .push_fault(raw(429, &[("retry-after", "1".into())], TOO_MANY));
    let (ok, took) = run(&mut s, vec![block(0)]).await;
    assert_eq!(ok, 1);
    assert_eq!(s.emu.handle().request_count(), 2);
    assert!(took >= Duration::from_millis(950), "{took:?}");
}

#[tokio::test]
async fn a_429_without_headers_waits_a_window_not_milliseconds() {
    let mut s = setup().await;
    s.emu.handle().push_fault(raw(429, &[], TOO_MANY));
    let (ok, took) = run(&mut s, vec![block(0)]).await;
    assert_eq!(ok, 1);
    assert_eq!(s.emu.handle().request_count(), 2);
    assert!(took >= WINDOW, "{took:?}");
}

#[tokio::test]
async fn a_body_cut_mid_way_is_retried() {
    let mut s = setup().await;
    s.emu.handle().push_fault(Fault::CutBody);
    s.jobs
        .send(Job::Api(ApiCall::LoadContacts { instance: 0 }))
        .unwrap();
    let JobResult::Contacts { result, .. } = next(&mut s.results).await else {
        panic!("not a contacts result");
    };
    let store = result.expect("the retry loads the list");
    assert_eq!(store.len(), 10);
    assert_eq!(s.emu.handle().request_count(), 2);
}

#[tokio::test]
async fn a_cut_body_says_the_connection_broke() {
    let emu = emulator::start(
        EmulatorConfig::demo(Some(10)),
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await
    .unwrap();
    emu.handle().push_fault(Fault::CutBody);
    let client = ApiClient::new(ClientConfig::default()).unwrap();
    let url = Url::parse(&emu.base_url()).unwrap();
    let token = Token::new(DEMO_ACCOUNT_TOKEN);
    let ep = ryze_contacts::api::Endpoint {
        base_url: &url,
        token: &token,
    };
    let err = client.contacts(ep, "sales").await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert!(err.to_string().contains("mid-answer"), "{err}");
    assert!(err.hint().contains("connection dropped"), "{}", err.hint());
}

/// The binary's `instances` and `profile check` against a server whose
/// connection state carries terminal escapes.
#[test]
fn escapes_in_the_instance_state_never_reach_the_terminal() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt
        .block_on(emulator::start(
            EmulatorConfig::demo(Some(5)),
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        ))
        .unwrap();
    emu.handle().set_state(
        "sales",
        "\x1b]0;PWNED\x07\x1b]52;c;ZXZpbA==\x07\x1b[2Jconnected",
    );
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile.toml");
    std::fs::write(
        &profile,
        format!(
            "[defaults]\nbase_url = \"{}\"\n[account]\ntoken_env = \"RYZE_TEST_ACCOUNT\"\n[[instances]]\nname = \"sales\"\n",
            emu.base_url()
        ),
    )
    .unwrap();
    for args in [&["instances"][..], &["profile", "check"]] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_ryze-contacts"))
            .arg("--profile")
            .arg(&profile)
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .args(args)
            .env("RYZE_TEST_ACCOUNT", DEMO_ACCOUNT_TOKEN)
            .output()
            .unwrap();
        for stream in [&out.stdout, &out.stderr] {
            let text = String::from_utf8_lossy(stream);
            assert!(
                !stream.iter().any(|b| *b == 0x1b || *b == 0x07),
                "{args:?} printed an escape: {text:?}"
            );
        }
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("]0;PWNED"), "shown, defanged: {text}");
    }
}

/// A stand-in proxy on 127.0.0.1 that answers every request and counts
/// them.
async fn counting_proxy() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let seen = std::sync::Arc::new(AtomicUsize::new(0));
    let count = seen.clone();
    let app = axum::Router::new().fallback(axum::routing::any(move || {
        count.fetch_add(1, Ordering::SeqCst);
        async { r#"{"success": true, "instances": []}"# }
    }));
    let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, seen)
}

#[tokio::test]
async fn loopback_never_goes_through_a_proxy_and_remote_hosts_do() {
    use std::sync::atomic::Ordering;
    let (proxy, seen) = counting_proxy().await;
    let emu = emulator::start(
        EmulatorConfig::demo(Some(3)),
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await
    .unwrap();
    let proxies = ryze_contacts::api::proxy::ProxyEnv::from_env(&|name| {
        ["http_proxy", "HTTP_PROXY", "ALL_PROXY"]
            .contains(&name)
            .then(|| proxy.clone())
    });
    let client = ApiClient::new(ClientConfig {
        proxies,
        ..ClientConfig::default()
    })
    .unwrap();
    let token = Token::new(DEMO_ACCOUNT_TOKEN);
    let local = Url::parse(&emu.base_url()).unwrap();
    let ep = ryze_contacts::api::Endpoint {
        base_url: &local,
        token: &token,
    };
    let listed = client.instances(ep, &[]).await.unwrap();
    assert_eq!(listed.value.len(), 4, "answered by the emulator itself");
    assert_eq!(seen.load(Ordering::SeqCst), 0, "the proxy saw nothing");
    let remote = Url::parse("http://gateway.invalid").unwrap();
    let ep = ryze_contacts::api::Endpoint {
        base_url: &remote,
        token: &token,
    };
    client.instances(ep, &[]).await.unwrap();
    assert_eq!(
        seen.load(Ordering::SeqCst),
        1,
        "a remote host goes through it"
    );
}

fn block_answer(contact_jid: &str, blocked: bool, count: &str) -> Fault {
    raw(
        200,
        &[],
        &format!(
            r#"{{"success": true, "message": "done", "contact_jid": "{contact_jid}", "blocked_count": {count}, "blocked": {blocked}}}"#
        ),
    )
}

/// A desk with a screen on sales (10 contacts), its lists loaded: the app
/// knows whose `@lid` is whose.
async fn loaded_desk(emu: &RunningEmulator) -> Desk {
    let mut desk = Desk::open_screen(emu, &[("sales", DEMO_ACCOUNT_TOKEN)]);
    desk.load().await;
    desk
}

async fn emu10() -> RunningEmulator {
    emulator::start(
        EmulatorConfig::demo(Some(10)),
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn an_answer_naming_another_contacts_lid_marks_nobody() {
    let emu = emu10().await;
    let mut desk = loaded_desk(&emu).await;
    let book = emulator::address_book("sales", 10);
    let asked = book.iter().find(|c| c.lid.is_none()).unwrap();
    let other = book.iter().find(|c| c.lid.is_some()).unwrap();
    emu.handle()
        .push_block_fault(block_answer(other.lid.as_deref().unwrap(), true, "3"));
    desk.select(&asked.jid).await;
    desk.keys("b").await;
    assert!(
        desk.status().contains("not the contact asked for"),
        "{}",
        desk.status()
    );
    assert!(desk.known().is_empty(), "nobody is recorded as blocked");
}

#[tokio::test]
async fn an_answer_with_the_contacts_own_lid_is_accepted_and_kept() {
    let emu = emu10().await;
    let mut desk = loaded_desk(&emu).await;
    let book = emulator::address_book("sales", 10);
    let asked = book.iter().find(|c| c.lid.is_none()).unwrap();
    emu.handle()
        .push_block_fault(block_answer("999000111@lid", true, "1"));
    desk.select(&asked.jid).await;
    desk.keys("b").await;
    assert!(desk.status().starts_with("blocked"), "{}", desk.status());
    let known = desk.known();
    assert_eq!(known.len(), 1);
    assert_eq!(known[0].jid, asked.jid);
    assert_eq!(known[0].lid.as_deref(), Some("999000111@lid"));
}

#[tokio::test]
async fn a_contrary_or_foreign_answer_is_a_failure() {
    let emu = emu10().await;
    let mut desk = Desk::open(&emu, &[("sales", DEMO_ACCOUNT_TOKEN)], |_| {});
    for answer in [
        block_answer(&jid(0), false, "1"),
        block_answer("5511000000000@s.whatsapp.net", true, "1"),
        block_answer("=HYPERLINK(1)@lid", true, "1"),
    ] {
        emu.handle().push_block_fault(answer);
        let batch = desk.change(&[jid(0)], vec![0], true).await.unwrap();
        let e = batch.answers[0].1.as_ref().unwrap_err();
        assert!(e.message.contains("does not match the request"), "{e:?}");
    }
    assert!(desk.known().is_empty());
}

#[tokio::test]
async fn a_count_that_is_not_a_count_is_ignored_not_a_failure() {
    let emu = emu10().await;
    let mut desk = Desk::open(&emu, &[("sales", DEMO_ACCOUNT_TOKEN)], |_| {});
    for count in ["-1", "2.5", "18446744073709551615", "\"7\""] {
        emu.handle()
            .push_block_fault(block_answer(&jid(0), true, count));
        let batch = desk.change(&[jid(0)], vec![0], true).await.unwrap();
        let done = batch.answers[0]
            .1
            .as_ref()
            .unwrap_or_else(|e| panic!("{count}: {e:?}"));
        assert_eq!(done.outcome.blocked_count, None, "{count}");
    }
    assert!(desk.known()[0].blocked);
}

/// An `@lid` the ledger knows as one contact's is not taken as another's,
/// even when that contact's own `@lid` is unknown.
#[tokio::test]
async fn an_answer_naming_a_lid_the_ledger_gives_another_is_refused() {
    let emu = emu10().await;
    let mut desk = Desk::open(&emu, &[("sales", DEMO_ACCOUNT_TOKEN)], |_| {});
    let book = emulator::address_book("sales", 10);
    let plain: Vec<_> = book.iter().filter(|c| c.lid.is_none()).take(2).collect();
    emu.handle()
        .push_block_fault(block_answer("999000111@lid", true, "1"));
    let first = desk.change(&[plain[0].jid.clone()], vec![0], true).await;
    assert_eq!(first.unwrap().done, 1);
    emu.handle()
        .push_block_fault(block_answer("999000111@lid", true, "2"));
    let second = desk.change(&[plain[1].jid.clone()], vec![0], true).await;
    let e = second.unwrap().answers[0].1.clone().unwrap_err();
    assert!(e.message.contains("not the contact asked for"), "{e:?}");
    let known = desk.known();
    assert_eq!(known.len(), 1, "only the first is known as blocked");
    assert_eq!(known[0].jid, plain[0].jid);
}

#[tokio::test]
async fn the_worker_sends_nothing_to_a_read_only_instance_whatever_asks() {
    let mut s = setup_wrapped(|ledger| ledger, true).await;
    let before = s.emu.handle().request_count();
    s.jobs.send(block(0)).unwrap();
    let JobResult::Block { answer, .. } = next(&mut s.results).await else {
        panic!("not a block result");
    };
    let e = answer.expect_err("refused");
    assert!(e.message.starts_with("read-only"), "{e:?}");
    assert_eq!(
        s.emu.handle().request_count(),
        before,
        "nothing reached the server"
    );
}
