//! Batches of blocks through the worker while the emulator misbehaves:
//! latency, 5xx, proxy pages, stalls, 429 storms, a server that dies and
//! comes back. At the end the ledger and the server must agree.

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use reqwest::Url;
use ryze_contacts::api::{ApiClient, ClientConfig};
use ryze_contacts::app::{ApiJob, ApiResult, Msg};
use ryze_contacts::config::profile::InstanceConfig;
use ryze_contacts::emulator::{self, DEMO_ACCOUNT_TOKEN, EmulatorConfig, Fault, RunningEmulator};
use ryze_contacts::util::secret::Token;
use ryze_contacts::worker::{self, RetryPolicy, WorkerContext};
use tokio::sync::mpsc;

const BATCH: usize = 40;

async fn start(config: EmulatorConfig) -> RunningEmulator {
    emulator::start(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .unwrap()
}

fn worker_for(
    emu: &RunningEmulator,
    dir: &std::path::Path,
) -> (mpsc::UnboundedSender<ApiJob>, mpsc::UnboundedReceiver<Msg>) {
    let instances = vec![InstanceConfig {
        name: "sales".into(),
        label: None,
        base_url: Url::parse(&emu.base_url()).unwrap(),
        token: Token::new(DEMO_ACCOUNT_TOKEN),
        region: None,
        read_only: false,
    }];
    let (ledger, _) = ryze_contacts::store::ledger::open(dir).unwrap();
    let client = ApiClient::new(ClientConfig {
        connect: Duration::from_millis(500),
        request: Duration::from_millis(600),
        ..ClientConfig::default()
    })
    .unwrap();
    let mut ctx = WorkerContext::new(instances, client, ledger);
    ctx.retry = RetryPolicy {
        max_attempts: 8,
        base_delay: Duration::from_millis(40),
    };
    let (tx, rx) = mpsc::unbounded_channel();
    (worker::spawn(ctx, tx), rx)
}

/// Sends a block for each of the first `BATCH` contacts; returns how many
/// results came back as successes.
async fn run_batch(
    jobs: &mpsc::UnboundedSender<ApiJob>,
    results: &mut mpsc::UnboundedReceiver<Msg>,
    during: impl std::future::Future<Output = ()>,
) -> usize {
    for c in emulator::address_book("sales", 60).iter().take(BATCH) {
        jobs.send(ApiJob::Block {
            instance: 0,
            jid: c.jid.clone(),
            lid: c.lid.clone(),
            block: true,
            action: None,
            batch: None,
            reason: None,
        })
        .unwrap();
    }
    during.await;
    let (mut ok, mut answered) = (0, 0);
    while answered < BATCH {
        let msg = tokio::time::timeout(Duration::from_secs(60), results.recv())
            .await
            .expect("every job answers")
            .unwrap();
        // Budget reports come on the same channel.
        if let Msg::Api(ApiResult::Block { result, .. }) = msg {
            answered += 1;
            ok += usize::from(result.is_ok());
        }
    }
    ok
}

/// The server's blocklist and the ledger's known-blocked set, in the
/// server's terms (the `@lid` when the contact has one).
fn agree(emu: &RunningEmulator, dir: &std::path::Path) {
    let server: BTreeSet<String> = emu.handle().blocklist("sales").into_iter().collect();
    let (ledger, _) = ryze_contacts::store::ledger::open(dir).unwrap();
    let known: BTreeSet<String> = ledger
        .known()
        .unwrap()
        .into_iter()
        .filter(|k| k.blocked)
        .map(|k| k.lid.unwrap_or(k.jid))
        .collect();
    assert_eq!(server.len(), BATCH);
    assert_eq!(server, known, "ledger and server agree");
}

#[tokio::test]
async fn transient_failures_are_retried_to_agreement() {
    let emu = start(EmulatorConfig {
        latency: Duration::from_millis(10),
        ..EmulatorConfig::demo(Some(60))
    })
    .await;
    let h = emu.handle();
    for i in 0..12 {
        h.push_fault(match i % 4 {
            0 => Fault::Status(500, "Internal server error".into()),
            1 => Fault::Html(502),
            2 => Fault::Stall(Duration::from_millis(900)),
            _ => Fault::Html(504),
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let (jobs, mut results) = worker_for(&emu, dir.path());
    let ok = run_batch(&jobs, &mut results, async {}).await;
    assert_eq!(ok, BATCH, "every block succeeded after retries");
    agree(&emu, dir.path());
}

#[tokio::test]
async fn a_429_storm_waits_for_the_reset() {
    let emu = start(EmulatorConfig {
        rate_limit: 15,
        rate_window: Duration::from_secs(1),
        ..EmulatorConfig::demo(Some(60))
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (jobs, mut results) = worker_for(&emu, dir.path());
    let ok = run_batch(&jobs, &mut results, async {}).await;
    assert_eq!(ok, BATCH);
    agree(&emu, dir.path());
    // The budget kept the worker under the limit after the first answers:
    // only the requests sent before any header arrived can have hit 429.
    assert!(
        emu.handle().rate_limited_count() <= 8,
        "{}",
        emu.handle().rate_limited_count()
    );
}

#[tokio::test]
async fn a_server_that_dies_and_comes_back() {
    let mut emu = start(EmulatorConfig {
        latency: Duration::from_millis(30),
        ..EmulatorConfig::demo(Some(60))
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (jobs, mut results) = worker_for(&emu, dir.path());
    let restart = async {
        tokio::time::sleep(Duration::from_millis(40)).await;
        emu.kill().await;
        tokio::time::sleep(Duration::from_millis(150)).await;
        emu.resume().await.unwrap();
    };
    let ok = run_batch(&jobs, &mut results, restart).await;
    assert_eq!(ok, BATCH);
    agree(&emu, dir.path());
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let emu = start(EmulatorConfig::demo(Some(60))).await;
    emu.handle()
        .push_fault(Fault::Status(400, "Number is required".into()));
    let dir = tempfile::tempdir().unwrap();
    let (jobs, mut results) = worker_for(&emu, dir.path());
    jobs.send(ApiJob::Block {
        instance: 0,
        jid: "5511999999999@s.whatsapp.net".into(),
        lid: None,
        block: true,
        action: None,
        batch: None,
        reason: None,
    })
    .unwrap();
    let result = loop {
        if let Some(Msg::Api(ApiResult::Block { result, .. })) = results.recv().await {
            break result;
        }
    };
    assert_eq!(result.unwrap_err().status, Some(400));
    assert_eq!(emu.handle().request_count(), 1, "a 400 is sent once");
}
