//! Speed and memory at scale (issue goals), with a plain timing harness:
//! each case runs many times and reports the median and the spread
//! (10th to 90th percentile). Run with `cargo bench --bench scale`.
//!
//! Goals at 100,000 contacts: parsing the full response within 1.5x of a
//! bare serde_json parse of the same body (measured beside it); a 200x50
//! frame under 0.3 ms and within 1.1x of the frame at 100 contacts; a
//! filter keystroke under 3 ms (median), the worst case (one letter, all
//! match) under 8 ms; 10 instances x 100,000 contacts under 200 MB
//! resident; the first frame from the cache under 20 ms.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed step fails the test

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ryze_contacts::app::{State, update};
use ryze_contacts::emulator::{address_book, contacts_body};
use ryze_contacts::model::contacts::{ContactStore, Sort};
use ryze_contacts::model::filter::{Keep, Matching, filter};
use ryze_contacts::protocol::{InstanceStatus, JobResult, Msg};
use ryze_contacts::store::cache;

mod common;
use common::rss_mb;

const BIG: usize = 100_000;

struct Stats {
    median: Duration,
    p10: Duration,
    p90: Duration,
    runs: usize,
}

fn measure(runs: usize, mut f: impl FnMut()) -> Stats {
    f(); // warm-up
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    Stats {
        median: times[runs / 2],
        p10: times[runs / 10],
        p90: times[runs * 9 / 10],
        runs,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn report(name: &str, s: &Stats, goal_ms: Option<f64>) {
    let verdict = match goal_ms {
        Some(goal) if ms(s.median) < goal => format!("ok (goal < {goal:.2} ms)"),
        Some(goal) => format!("MISSED (goal < {goal:.2} ms)"),
        None => String::new(),
    };
    println!(
        "{name:<44} median {:>9.3} ms   p10 {:>9.3}   p90 {:>9.3}   n={:<4} {verdict}",
        ms(s.median),
        ms(s.p10),
        ms(s.p90),
        s.runs
    );
}

/// The reference parse: the same body into plain structs with borrowed
/// strings, as serde_json does it with nothing of ours around it.
#[derive(serde::Deserialize)]
#[allow(dead_code)] // read only to be parsed
struct BareBody<'a> {
    #[serde(borrow)]
    contacts: Vec<BareContact<'a>>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)] // read only to be parsed
struct BareContact<'a> {
    #[serde(borrow)]
    jid: std::borrow::Cow<'a, str>,
    #[serde(borrow, default)]
    lid: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    first_name: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    full_name: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    push_name: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    business_name: Option<std::borrow::Cow<'a, str>>,
}

fn build(body: &[u8]) -> ContactStore {
    ryze_contacts::api::contacts::parse_store(body).expect("the generated body parses")
}

fn state_with(store: Arc<ContactStore>) -> State {
    let names = vec![("sales".to_string(), Some("Sales desk".to_string()))];
    let mut s = State::new(&names, &[], 0);
    s.sync_filter_limit = usize::MAX;
    update(
        &mut s,
        Msg::Resize {
            width: 200,
            height: 50,
        },
    );
    update(
        &mut s,
        Msg::Worker(JobResult::Instances {
            states: vec![(
                0,
                Ok(Some(InstanceStatus {
                    state: "connected".into(),
                    own_region: None,
                    own_jid: None,
                })),
            )],
            complete: true,
        }),
    );
    update(
        &mut s,
        Msg::Worker(JobResult::Contacts {
            instance: 0,
            result: Ok(store),
        }),
    );
    s
}

/// `ok (goal …)` or `MISSED (goal …)`.
fn verdict(met: bool, goal: &str) -> String {
    let word = if met { "ok" } else { "MISSED" };
    format!("{word} (goal {goal})")
}

fn main() {
    // `cargo test` runs benches with --bench only when asked; stay quiet
    // when it just checks that they build.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    println!("ryze-contacts scale benchmarks ({BIG} contacts)\n");
    let start_rss = rss_mb();
    let book = address_book("sales", BIG);
    let body = contacts_body(&book);
    drop(book);
    println!("response body: {:.1} MB", body.len() as f64 / 1e6);

    // Parsing the full response, straight into the store, beside a bare
    // serde_json parse of the same body (the reference, in the same run).
    let bare = measure(15, || {
        black_box(serde_json::from_slice::<BareBody>(&body).expect("JSON"));
    });
    report(
        "  reference: bare serde_json parse of the body",
        &bare,
        None,
    );
    let parse = measure(15, || {
        black_box(build(&body));
    });
    report(
        "parse 100k-contact response into store",
        &parse,
        Some(1.5 * ms(bare.median)),
    );
    println!(
        "  ratio to bare serde_json: {:.2} {}",
        ms(parse.median) / ms(bare.median),
        verdict(ms(parse.median) / ms(bare.median) <= 1.5, "<= 1.5")
    );

    let big = Arc::new(build(&body));
    let small = Arc::new(build(&contacts_body(&address_book("sales", 100))));
    println!(
        "store: {:.1} MB for {BIG} contacts",
        big.heap_bytes() as f64 / 1e6
    );

    // One frame at 200x50.
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("test backend");
    let mut frame_of = |store: Arc<ContactStore>| {
        let mut state = state_with(store);
        update(
            &mut state,
            Msg::Key(ratatui::crossterm::event::KeyEvent::from(
                ratatui::crossterm::event::KeyCode::PageDown,
            )),
        );
        measure(400, || {
            terminal
                .draw(|f| ryze_contacts::ui::draw(f, &state))
                .expect("draw");
        })
    };
    let frame_small = frame_of(small);
    let frame_big = frame_of(big.clone());
    report("frame 200x50, 100 contacts", &frame_small, None);
    report("frame 200x50, 100,000 contacts", &frame_big, Some(0.3));
    println!(
        "  ratio 100k / 100: {:.2} {}",
        ms(frame_big.median) / ms(frame_small.median),
        verdict(
            ms(frame_big.median) / ms(frame_small.median) <= 1.1,
            "<= 1.1"
        )
    );

    // A filter keystroke: a new query over the full list.
    let queries = [
        "a",
        "ana",
        "mar",
        "silva",
        "zé",
        "5511",
        "crypto",
        "pão",
        "li wei",
        "+55 (11) 9",
    ];
    // Words are substrings by default; fuzzy matching is asked for.
    for (mode, matching) in [
        ("substring", Matching::Substring),
        ("fuzzy", Matching::Fuzzy),
    ] {
        let mut i = 0;
        let keystroke = measure(200, || {
            let q = queries[i % queries.len()];
            i += 1;
            black_box(filter(&big, q, matching, Sort::Listed, &Keep::All));
        });
        report(
            &format!("filter keystroke ({mode}), new query over 100k"),
            &keystroke,
            Some(3.0),
        );
        let hardest = measure(30, || {
            black_box(filter(&big, "a", matching, Sort::Name, &Keep::All));
        });
        report(
            "  worst case: one letter, all match, by name",
            &hardest,
            Some(8.0),
        );
    }
    let national = measure(50, || {
        black_box(filter(
            &big,
            "0 11 9876",
            Matching::Substring,
            Sort::Listed,
            &Keep::All,
        ));
    });
    report("  a national form (trunk 0 dropped)", &national, Some(10.0));
    let in_names = measure(50, || {
        black_box(filter(
            &big,
            "Horas 302",
            Matching::Substring,
            Sort::Listed,
            &Keep::All,
        ));
    });
    report(
        "  a word with digits, also searched in names",
        &in_names,
        Some(10.0),
    );

    // First frame from the cache: read the file, build the state, draw.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = cache::path_for(dir.path(), "http://127.0.0.1:1/", "sales");
    cache::save(&path, &big, 0).expect("cache saved");
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("test backend");
    let first_frame = measure(20, || {
        let (store, saved_at) = cache::load(&path)
            .expect("cache read")
            .expect("cache there");
        let names = vec![("sales".to_string(), None)];
        let mut state = State::new(&names, &[], 0);
        update(
            &mut state,
            Msg::Resize {
                width: 200,
                height: 50,
            },
        );
        update(&mut state, Msg::Start);
        update(
            &mut state,
            Msg::Cached {
                instance: 0,
                store: Arc::new(store),
                saved_at,
            },
        );
        terminal
            .draw(|f| ryze_contacts::ui::draw(f, &state))
            .expect("draw");
    });
    report(
        "first frame from the cache (100k)",
        &first_frame,
        Some(20.0),
    );

    // Memory: 10 instances x 100,000 contacts held at once, and nothing
    // else of the runs above (an eleventh store, its body, terminals).
    drop(body);
    drop(big);
    drop(terminal);
    let before = rss_mb();
    let stores: Vec<Arc<ContactStore>> = (0..10)
        .map(|i| {
            let body = contacts_body(&address_book(&format!("instance-{i}"), BIG));
            let store = Arc::new(build(&body));
            store.warm(); // sort orders and search index, as the app keeps them
            store
        })
        .collect();
    let held: usize = stores.iter().map(|s| s.heap_bytes()).sum();
    let after = rss_mb();
    println!(
        "memory: 10 x {BIG} contacts: stores hold {:.0} MB; process resident {:.0} MB (was {:.0} MB before, {:.0} MB at start) {}",
        held as f64 / 1e6,
        after,
        before,
        start_rss,
        verdict(after < 200.0, "< 200 MB")
    );
    black_box(stores);
}
