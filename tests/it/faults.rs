//! Batches of blocks through the worker while the emulator misbehaves:
//! latency, 5xx, proxy pages, stalls, 429 storms, a server that dies and
//! comes back. At the end the ledger and the server must agree.

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use ryze_contacts::api::ClientConfig;
use ryze_contacts::emulator::{self, DEMO_ACCOUNT_TOKEN, EmulatorConfig, Fault, RunningEmulator};
use ryze_contacts::worker::RetryPolicy;

use crate::desk::Desk;

const BATCH: usize = 40;

async fn start(config: EmulatorConfig) -> RunningEmulator {
    emulator::start(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .unwrap()
}

/// A desk on sales, with short time-outs and quick retries.
fn desk_for(emu: &RunningEmulator) -> Desk {
    Desk::open(emu, &[("sales", DEMO_ACCOUNT_TOKEN)], |t| {
        t.client = ClientConfig {
            connect: Duration::from_millis(500),
            request: Duration::from_millis(600),
            ..ClientConfig::default()
        };
        t.retry = RetryPolicy {
            max_attempts: 8,
            base_delay: Duration::from_millis(40),
        };
    })
}

/// Blocks the first `BATCH` contacts of sales as one batch, while
/// `during` runs; returns how many succeeded.
async fn run_batch(desk: &mut Desk, during: impl std::future::Future<Output = ()>) -> usize {
    let numbers: Vec<String> = emulator::address_book("sales", 60)
        .iter()
        .take(BATCH)
        .map(|c| c.jid.clone())
        .collect();
    let (batch, ()) = tokio::join!(desk.change(&numbers, vec![0], true), during);
    let batch = batch.unwrap();
    assert_eq!(batch.done + batch.failed, BATCH, "every item was answered");
    batch.done
}

/// The server's blocklist and the ledger's known-blocked set, in the
/// server's terms (the `@lid` when the contact has one).
fn agree(emu: &RunningEmulator, desk: &Desk) {
    let server: BTreeSet<String> = emu.handle().blocklist("sales").into_iter().collect();
    let known: BTreeSet<String> = desk
        .known()
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
    let mut desk = desk_for(&emu);
    let ok = run_batch(&mut desk, async {}).await;
    assert_eq!(ok, BATCH, "every block succeeded after retries");
    agree(&emu, &desk);
}

#[tokio::test]
async fn a_429_storm_waits_for_the_reset() {
    let emu = start(EmulatorConfig {
        rate_limit: 15,
        rate_window: Duration::from_secs(1),
        ..EmulatorConfig::demo(Some(60))
    })
    .await;
    let mut desk = desk_for(&emu);
    let ok = run_batch(&mut desk, async {}).await;
    assert_eq!(ok, BATCH);
    agree(&emu, &desk);
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
    let mut desk = desk_for(&emu);
    let restart = async {
        tokio::time::sleep(Duration::from_millis(40)).await;
        emu.kill().await;
        tokio::time::sleep(Duration::from_millis(150)).await;
        emu.resume().await.unwrap();
    };
    let ok = run_batch(&mut desk, restart).await;
    assert_eq!(ok, BATCH);
    agree(&emu, &desk);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let emu = start(EmulatorConfig::demo(Some(60))).await;
    emu.handle()
        .push_block_fault(Fault::Status(400, "Number is required".into()));
    let mut desk = desk_for(&emu);
    let batch = desk
        .change(&["+5511999999999".into()], vec![0], true)
        .await
        .unwrap();
    let (_, result) = &batch.answers[0];
    assert_eq!(result.as_ref().unwrap_err().status, Some(400));
    assert_eq!(
        emu.handle().request_count(),
        3,
        "the instance list, the number's lookup, then a 400 sent once"
    );
}
