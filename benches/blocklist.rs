//! The team's blocklist at scale: a list of 100,000 numbers planned on
//! four instances, each with a realistic address book and a quarter of
//! the list already blocked there (half of it by the list itself), run
//! through the app's own update loop as `plan` runs it (the ledger's
//! answers given at once). Goals: the plan within 1 s and 60 MB more
//! memory (resident, from `/proc/self/statm`). Also: reading an import
//! file of 100,000 lines, which streams (memory stays flat). Run with
//! `cargo bench --bench blocklist`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed step fails the bench

use std::collections::VecDeque;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ryze_contacts::app::{Effect, State, update};
use ryze_contacts::emulator::{address_book, contacts_body};
use ryze_contacts::model::blocklist::Entry;
use ryze_contacts::model::blocklist_file::Reader;
use ryze_contacts::model::number::read_typed;
use ryze_contacts::protocol::{InstanceStatus, Job, JobResult, LedgerRead, Msg, Request};
use ryze_contacts::store::ledger::KnownState;

mod common;
use common::rss_mb;

const LIST: usize = 100_000;
const NAMES: [&str; 4] = ["sales", "support", "marketing", "billing"];
const BOOK: usize = 5_000;

/// The most resident memory so far (`VmHWM`), in MB.
fn peak_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `ok (goal …)` or `MISSED (goal …)`.
fn verdict(met: bool, goal: &str) -> String {
    let word = if met { "ok" } else { "MISSED" };
    format!("{word} (goal {goal})")
}

/// The `i`-th number of the list: São Paulo mobiles, in no address book.
fn number(i: usize) -> String {
    format!("55119{:08}", 10_000_000 + i)
}

/// Four instances with their address books and the ledger's known
/// states: a quarter of the list blocked on each (every other one by the
/// list, the rest by hand); the JIDs the list blocked, by instance.
fn desk() -> (State, Vec<(String, String)>) {
    let names: Vec<(String, Option<String>)> =
        NAMES.iter().map(|n| (n.to_string(), None)).collect();
    let mut known = Vec::new();
    let mut applied = Vec::new();
    for (k, name) in NAMES.iter().enumerate() {
        for i in (k..LIST).step_by(4) {
            let jid = format!("{}@s.whatsapp.net", number(i));
            if i % 8 < 4 {
                applied.push((name.to_string(), jid.clone()));
            }
            known.push(KnownState {
                instance: name.to_string(),
                jid,
                lid: None,
                blocked: true,
                changed_at: 1_700_000_000,
                operator: Some("desk-1".into()),
                reason: Some("blocklist: spam".into()),
                contest: None,
            });
        }
    }
    let mut state = State::new(&names, &known, 0);
    drop(known);
    update(&mut state, instances());
    for (i, name) in NAMES.iter().enumerate() {
        let body = contacts_body(&address_book(name, BOOK));
        let store = ryze_contacts::api::contacts::parse_store(&body).unwrap();
        update(
            &mut state,
            Msg::Worker(JobResult::Contacts {
                instance: i,
                result: Ok(Arc::new(store)),
            }),
        );
    }
    (state, applied)
}

/// Every instance connected, with its own number.
fn instances() -> Msg {
    Msg::Worker(JobResult::Instances {
        states: (0..NAMES.len())
            .map(|i| {
                let status = InstanceStatus {
                    state: "connected".into(),
                    own_region: None,
                    own_jid: Some(format!("551195555010{i}@s.whatsapp.net")),
                };
                (i, Ok(Some(status)))
            })
            .collect(),
        complete: true,
    })
}

/// Runs `plan` on every instance, answering the app's reads at once as
/// the ledger would; how many steps it made.
fn plan(state: &mut State, entries: &[Entry], applied: &[(String, String)]) -> usize {
    let mut inbox = VecDeque::from([Msg::Request(Request::Plan {
        instances: (0..NAMES.len()).collect(),
    })]);
    while let Some(msg) = inbox.pop_front() {
        for effect in update(state, msg) {
            let Effect::Job(Job::Read(read)) = effect else {
                continue;
            };
            inbox.push_back(match read {
                LedgerRead::Blocklist => Msg::Worker(JobResult::Blocklist(Ok((
                    entries.to_vec(),
                    applied.to_vec(),
                )))),
                LedgerRead::Identities { numbers } => Msg::Worker(JobResult::Identities {
                    numbers,
                    result: Ok(Vec::new()),
                }),
                _ => continue,
            });
        }
        if inbox.is_empty() && state.instances_loading() {
            inbox.push_back(instances());
        }
    }
    state.blocklist.plan.as_ref().expect("a plan").steps.len()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    println!(
        "ryze-contacts blocklist benchmarks ({LIST} numbers, {} instances of {BOOK} contacts)\n",
        NAMES.len()
    );
    let entries: Vec<Entry> = (0..LIST)
        .map(|i| Entry {
            target: number(i),
            reason: Some("spam wave".into()),
            source: "feed-1".into(),
            operator: Some("desk-1".into()),
            added: 1_700_000_000,
            expires: None,
            removed: None,
        })
        .collect();
    let (mut state, applied) = desk();

    let before = rss_mb();
    let peak_before = peak_mb();
    let t = Instant::now();
    let steps = plan(&mut state, &entries, &applied);
    let took = t.elapsed();
    let more = rss_mb() - before;
    let peak = peak_mb() - peak_before.max(before);
    println!(
        "plan of {LIST} numbers on {} instances: {steps} steps in {:.0} ms {}",
        NAMES.len(),
        ms(took),
        verdict(took <= Duration::from_secs(1), "<= 1000 ms")
    );
    println!(
        "  memory: {more:+.1} MB resident after, peak {:+.1} MB {}",
        peak.max(more),
        verdict(peak.max(more) <= 60.0, "<= 60 MB")
    );
    // The same plan again (the list read again, lookups already asked).
    let t = Instant::now();
    plan(&mut state, &entries, &applied);
    println!("  a second plan: {:.0} ms", ms(t.elapsed()));
    drop(state);

    // An import file of 100,000 lines, read and checked as `blocklist
    // import` does (both of its passes).
    let mut file = tempfile::NamedTempFile::new().unwrap();
    {
        let mut w = std::io::BufWriter::new(&mut file);
        writeln!(w, "number,reason").unwrap();
        for i in 0..LIST {
            writeln!(w, "+{},spam wave", number(i)).unwrap();
        }
    }
    let size = file.as_file().metadata().unwrap().len();
    let before = rss_mb();
    let t = Instant::now();
    let mut read = 0;
    for _pass in 0..2 {
        let input = std::io::BufReader::new(std::fs::File::open(file.path()).unwrap());
        for row in Reader::new(input) {
            let row = row.unwrap();
            read += usize::from(read_typed(&row.text, None).is_ok());
        }
    }
    println!(
        "\nimport file of {LIST} lines ({:.1} MB): read and checked twice in {:.0} ms ({read} numbers), {:+.1} MB resident",
        size as f64 / 1e6,
        ms(t.elapsed()),
        rss_mb() - before
    );
}
