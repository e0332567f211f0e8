//! The worker against the emulator: jobs in, messages out, each token in
//! its lane, the ledger in its own; and the engine on it, with ledger and
//! server in agreement.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use reqwest::Url;
use ryze_contacts::api::{ApiClient, ClientConfig};
use ryze_contacts::app::state::Connection;
use ryze_contacts::config::profile::InstanceConfig;
use ryze_contacts::emulator::{self, DEMO_ACCOUNT_TOKEN, EmulatorConfig, Fault, RunningEmulator};
use ryze_contacts::protocol::{ApiCall, BlockCall, Item, Job, JobResult, LedgerRead, Msg};
use ryze_contacts::util::secret::Token;
use ryze_contacts::worker::{self, WorkerContext};
use tokio::sync::mpsc;

struct Setup {
    emu: RunningEmulator,
    jobs: mpsc::UnboundedSender<Job>,
    results: mpsc::UnboundedReceiver<Msg>,
    _dir: tempfile::TempDir,
}

fn instance(name: &str, url: &Url, token: &str) -> InstanceConfig {
    InstanceConfig {
        name: name.into(),
        label: None,
        base_url: url.clone(),
        token: Token::new(token),
        region: None,
        read_only: false,
    }
}

async fn setup(extra: Vec<(&str, &str)>) -> Setup {
    let emu = emulator::start(
        EmulatorConfig::demo(Some(30)),
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await
    .unwrap();
    let url = Url::parse(&emu.base_url()).unwrap();
    let mut instances = vec![
        instance("sales", &url, DEMO_ACCOUNT_TOKEN),
        instance("marketing", &url, DEMO_ACCOUNT_TOKEN),
        instance("billing", &url, "demo-billing-token"),
    ];
    for (name, token) in extra {
        instances.push(instance(name, &url, token));
    }
    let dir = tempfile::tempdir().unwrap();
    let (ledger, _) = ryze_contacts::store::ledger::open(dir.path()).unwrap();
    let client = ApiClient::new(ClientConfig::default()).unwrap();
    let (tx, results) = mpsc::unbounded_channel();
    let jobs = worker::spawn(WorkerContext::new(instances, client, ledger), tx);
    Setup {
        emu,
        jobs,
        results,
        _dir: dir,
    }
}

/// The next worker result, skipping budget reports.
async fn next(results: &mut mpsc::UnboundedReceiver<Msg>) -> JobResult {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), results.recv()).await {
            Ok(Some(Msg::Worker(r))) => return r,
            Ok(Some(Msg::Budget { .. })) => continue,
            other => panic!("no result: {other:?}"),
        }
    }
}

/// A block request of `jid` on `instance`, as the app sends it once its
/// intent is recorded (under a made-up action: the worker's HTTP side
/// never touches the ledger).
fn block_call(instance: usize, jid: &str, lid: Option<String>) -> Job {
    Job::Api(ApiCall::Block(BlockCall {
        item: Item {
            instance,
            jid: jid.to_string(),
            lid,
            block: true,
            action: Some(1),
            reason: None,
        },
        action: 1,
        batch: None,
        reason: None,
    }))
}

#[tokio::test]
async fn block_is_recorded_in_the_ledger_and_on_the_server() {
    let emu = emulator::start(
        EmulatorConfig::demo(Some(30)),
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await
    .unwrap();
    let mut desk = crate::desk::Desk::open(&emu, &[("sales", DEMO_ACCOUNT_TOKEN)], |_| {});
    let book = emulator::address_book("sales", 30);
    let target = book.iter().find(|c| c.lid.is_some()).unwrap();
    let batch = desk
        .change(std::slice::from_ref(&target.jid), vec![0], true)
        .await
        .unwrap();
    assert_eq!((batch.done, batch.failed), (1, 0));
    assert_eq!(desk.state().instances[0].blocked_count, Some(1));
    // The ledger holds it, with the @lid the server named.
    let known = desk.known();
    assert_eq!(known.len(), 1);
    assert_eq!(known[0].jid, target.jid);
    assert_eq!(known[0].lid, target.lid);
    assert!(known[0].blocked);
    assert_eq!(
        emu.handle().blocklist("sales"),
        vec![target.lid.clone().unwrap()]
    );
}

#[tokio::test]
async fn failed_block_changes_no_known_state() {
    let emu = emulator::start(
        EmulatorConfig::demo(Some(30)),
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await
    .unwrap();
    let mut desk = crate::desk::Desk::open(
        &emu,
        &[
            ("sales", DEMO_ACCOUNT_TOKEN),
            ("marketing", DEMO_ACCOUNT_TOKEN),
        ],
        |_| {},
    );
    let batch = desk
        .change(&["+5511999999999".into()], vec![1], true)
        .await
        .unwrap();
    assert_eq!((batch.done, batch.failed), (0, 1));
    let (_, result) = &batch.answers[0];
    let e = result.as_ref().unwrap_err();
    assert_eq!(e.status, Some(503));
    assert_eq!(e.message, "Instance is not connected to WhatsApp");
    assert!(desk.known().is_empty());
}

#[tokio::test]
async fn instance_states_per_token_group() {
    let mut s = setup(vec![("ghost", DEMO_ACCOUNT_TOKEN), ("stranger", "wrong")]).await;
    s.jobs.send(Job::Api(ApiCall::LoadInstances)).unwrap();
    // One answer per token, the last one says so.
    let mut states = Vec::new();
    loop {
        let JobResult::Instances {
            states: some,
            complete,
        } = next(&mut s.results).await
        else {
            panic!("expected instance states")
        };
        states.extend(some);
        if complete {
            break;
        }
    }
    states.sort_by_key(|(i, _)| *i);
    let labels: Vec<String> = states
        .into_iter()
        .map(|(_, r)| match r {
            Ok(Some(st)) => Connection::State(st.state).label(),
            Ok(None) => Connection::NotOnServer.label(),
            Err(e) => Connection::Failed(e).label(),
        })
        .collect();
    assert_eq!(
        labels,
        [
            "connected",
            "disconnected",
            "connected",
            "not found",
            "error 401"
        ]
    );
    // sales, marketing and ghost share one call; billing and stranger one each.
    assert_eq!(s.emu.handle().request_count(), 3);
}

#[tokio::test]
async fn contacts_and_their_errors_come_back() {
    let mut s = setup(vec![]).await;
    s.jobs
        .send(Job::Api(ApiCall::LoadContacts { instance: 0 }))
        .unwrap();
    let JobResult::Contacts { instance, result } = next(&mut s.results).await else {
        panic!("expected contacts")
    };
    assert_eq!(instance, 0);
    assert_eq!(result.unwrap().len(), 30);
    // A proxy's 502 page is transient: retried, then the list arrives.
    s.emu.handle().push_fault(Fault::Html(502));
    s.jobs
        .send(Job::Api(ApiCall::LoadContacts { instance: 0 }))
        .unwrap();
    let JobResult::Contacts { result, .. } = next(&mut s.results).await else {
        panic!("expected contacts")
    };
    assert_eq!(result.unwrap().len(), 30);
    assert_eq!(s.emu.handle().request_count(), 3);
    // A 403 is final: its message comes back after one request.
    s.emu
        .handle()
        .push_fault(Fault::Status(403, "Token does not have access".into()));
    s.jobs
        .send(Job::Api(ApiCall::LoadContacts { instance: 0 }))
        .unwrap();
    let JobResult::Contacts { result, .. } = next(&mut s.results).await else {
        panic!("expected contacts")
    };
    let e = result.unwrap_err();
    assert_eq!(e.status, Some(403));
    assert_eq!(e.message, "Token does not have access");
    assert_eq!(s.emu.handle().request_count(), 4);
}

#[tokio::test]
async fn requests_run_concurrently() {
    let mut s = setup(vec![]).await;
    s.emu.handle().set_latency(Duration::from_millis(400));
    let book = emulator::address_book("sales", 30);
    for c in book.iter().take(6) {
        s.jobs.send(block_call(0, &c.jid, c.lid.clone())).unwrap();
    }
    for _ in 0..6 {
        let JobResult::Block { answer, .. } = next(&mut s.results).await else {
            panic!("expected a block result")
        };
        answer.unwrap();
    }
    assert!(
        s.emu.handle().max_in_flight() >= 2,
        "requests overlapped on the server"
    );
    assert_eq!(s.emu.handle().blocklist("sales").len(), 6);
}

#[tokio::test]
async fn loaded_contacts_are_cached_for_the_next_start() {
    let emu = emulator::start(
        EmulatorConfig::demo(Some(30)),
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await
    .unwrap();
    let url = Url::parse(&emu.base_url()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (ledger, _) = ryze_contacts::store::ledger::open(dir.path()).unwrap();
    let client = ApiClient::new(ClientConfig::default()).unwrap();
    let mut ctx = WorkerContext::new(
        vec![instance("sales", &url, DEMO_ACCOUNT_TOKEN)],
        client,
        ledger,
    );
    ctx.cache_dir = Some(dir.path().to_path_buf());
    let (tx, mut results) = mpsc::unbounded_channel();
    let jobs = worker::spawn(ctx, tx);
    jobs.send(Job::Api(ApiCall::LoadContacts { instance: 0 }))
        .unwrap();
    let JobResult::Contacts { result, .. } = next(&mut results).await else {
        panic!("expected contacts")
    };
    let fresh = result.unwrap();
    let path = ryze_contacts::store::cache::path_for(dir.path(), url.as_str(), "sales");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let cached = loop {
        if let Ok(Some((store, _))) = ryze_contacts::store::cache::load(&path) {
            break store;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the cache was written"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(&cached, fresh.as_ref());
    assert_eq!(cached.len(), 30);
}

#[tokio::test]
async fn counts_settle_when_answers_arrive_out_of_order() {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let emu = emulator::start(
        EmulatorConfig::demo(Some(30)),
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await
    .unwrap();
    emu.handle().set_answer_jitter(Duration::from_millis(60));
    let mut desk = crate::desk::Desk::open_screen(
        &emu,
        &[
            ("sales", DEMO_ACCOUNT_TOKEN),
            ("marketing", DEMO_ACCOUNT_TOKEN),
            ("billing", "demo-billing-token"),
        ],
    );
    let special = |code| Msg::Key(KeyEvent::new(code, KeyModifiers::NONE));
    desk.load().await;
    desk.give(special(KeyCode::BackTab)).await;
    assert_eq!(desk.state().instance().name, "billing");
    desk.keys("\t").await;
    assert_eq!(desk.state().instance().name, "sales");
    assert_eq!(desk.state().instance().contacts.len(), 30);

    // Five single blocks typed faster than the answers come.
    for _ in 0..5 {
        desk.engine.apply(special(KeyCode::Char('b')));
        desk.engine.apply(special(KeyCode::Char('j')));
    }
    desk.keys("").await;
    while !desk.engine.is_idle() || !desk.state().is_quiet() {
        desk.give(Msg::Tick { now: 0 }).await;
    }
    // A bulk block of every contact on sales and billing (phone numbers
    // only on billing), then its undo; Enter sends without a reason.
    desk.keys("*Bjj y\n").await;
    let server = |name| emu.handle().blocklist(name).len() as u64;
    for (i, name) in [(0, "sales"), (2, "billing")] {
        assert_eq!(
            desk.state().instances[i].blocked_count,
            Some(server(name)),
            "{name} after the bulk block"
        );
    }
    assert!(server("billing") > 10);
    // An undo of two instances asks first.
    assert!(desk.keys("u").await.is_empty());
    desk.keys("y").await;
    for (i, name) in [(0, "sales"), (2, "billing")] {
        assert_eq!(
            desk.state().instances[i].blocked_count,
            Some(server(name)),
            "{name} after undo"
        );
    }
    assert_eq!(
        desk.state().instances[0].blocked_count,
        Some(5),
        "the five singles stay"
    );
    assert_eq!(desk.state().instances[2].blocked_count, Some(0));
}

/// Sends `n` single blocks (no batch) on sales: its contacts first, then
/// numbers that are not.
fn block_first(jobs: &mpsc::UnboundedSender<Job>, n: usize) {
    let book = emulator::address_book("sales", 30);
    for i in 0..n {
        let (jid, lid) = match book.get(i) {
            Some(c) => (c.jid.clone(), c.lid.clone()),
            None => (format!("55119{:08}@s.whatsapp.net", i), None),
        };
        jobs.send(block_call(0, &jid, lid)).unwrap();
    }
}

/// One token's spent budget holds nothing another token or the ledger
/// needs: with sales's account token waiting for its window, billing's own
/// token is served at once, and so is a ledger-only job.
#[tokio::test]
async fn a_spent_budget_on_one_token_never_delays_another_token_or_the_ledger() {
    let emu = emulator::start(
        EmulatorConfig {
            rate_limit: 4,
            rate_window: Duration::from_secs(60),
            ..EmulatorConfig::demo(Some(30))
        },
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await
    .unwrap();
    let url = Url::parse(&emu.base_url()).unwrap();
    let instances = vec![
        instance("sales", &url, DEMO_ACCOUNT_TOKEN),
        instance("billing", &url, "demo-billing-token"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let (ledger, _) = ryze_contacts::store::ledger::open(dir.path()).unwrap();
    let client = ApiClient::new(ClientConfig::default()).unwrap();
    let (tx, mut results) = mpsc::unbounded_channel();
    let jobs = worker::spawn(WorkerContext::new(instances, client, ledger), tx);
    // The account token's four requests of the window...
    for _ in 0..4 {
        jobs.send(Job::Api(ApiCall::LoadContacts { instance: 0 }))
            .unwrap();
        assert!(matches!(
            next(&mut results).await,
            JobResult::Contacts {
                instance: 0,
                result: Ok(_)
            }
        ));
    }
    // ...then 200, far more than a lane holds, all waiting for the next
    // window.
    block_first(&jobs, 200);
    tokio::time::sleep(Duration::from_millis(200)).await;
    jobs.send(Job::Api(ApiCall::LoadContacts { instance: 1 }))
        .unwrap();
    jobs.send(Job::Read(LedgerRead::History {
        instance: Some(0),
        since: None,
        limit: 10,
    }))
    .unwrap();
    let mut got = Vec::new();
    for _ in 0..2 {
        got.push(match next(&mut results).await {
            JobResult::Contacts {
                instance: 1,
                result,
            } => format!("billing contacts {}", result.is_ok()),
            JobResult::History {
                instance: Some(0),
                result,
            } => format!("history {}", result.is_ok()),
            other => panic!("a sales block was answered before its window: {other:?}"),
        });
    }
    got.sort();
    assert_eq!(got, ["billing contacts true", "history true"]);
    assert!(
        emu.handle().blocklist("sales").is_empty(),
        "sales still waits"
    );
}

/// A server that takes block requests and never answers: after three
/// time-outs in a row its token gets no more requests for a while, and
/// what was not sent yet fails at once as "not sent", instead of each
/// number waiting for four time-outs.
#[tokio::test]
async fn a_silent_server_stops_its_tokens_requests_and_says_what_was_not_sent() {
    let emu = emulator::start(
        EmulatorConfig::demo(Some(30)),
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await
    .unwrap();
    for _ in 0..40 {
        emu.handle()
            .push_fault(Fault::Stall(Duration::from_secs(30)));
    }
    let url = Url::parse(&emu.base_url()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (ledger, _) = ryze_contacts::store::ledger::open(dir.path()).unwrap();
    let client = ApiClient::new(ClientConfig {
        request: Duration::from_millis(300),
        ..ClientConfig::default()
    })
    .unwrap();
    let (tx, mut results) = mpsc::unbounded_channel();
    let jobs = worker::spawn(
        WorkerContext::new(
            vec![instance("sales", &url, DEMO_ACCOUNT_TOKEN)],
            client,
            ledger,
        ),
        tx,
    );
    block_first(&jobs, 20);
    let mut kinds = std::collections::HashMap::new();
    for _ in 0..20 {
        match next(&mut results).await {
            JobResult::Block { answer: Err(e), .. } => {
                *kinds.entry(format!("{:?}", e.kind)).or_insert(0) += 1
            }
            other => panic!("nothing can succeed here: {other:?}"),
        }
    }
    // Three were sent and timed out; the rest never left.
    assert_eq!(kinds.get("Unreachable"), Some(&3), "{kinds:?}");
    assert_eq!(kinds.get("NotSent"), Some(&17), "{kinds:?}");
    assert_eq!(
        emu.handle().request_count(),
        3,
        "no request after the server went silent"
    );
}
