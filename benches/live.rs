//! The live feed under load (issue 26's goal): 1,000 frames a second for
//! 10 s across 4 instances, over real WebSockets on loopback from the
//! emulator into the one engine, the Live view drawn after every batch of
//! messages as the terminal UI draws it, a key pressed every 50 ms.
//!
//! The feed is full before the measure (5,000 frames first), so it
//! drops its oldest rows all along. Goals: a frame drawn in 16 ms or less
//! (p90 and worst reported), every key answered (applied and drawn) within
//! 50 ms at the median, every frame read, and memory bounded: the feed
//! keeps at most 10,000 rows and the process's resident memory stays
//! under 150 MB. Run with `cargo bench --bench live`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed step fails the bench

use std::collections::VecDeque;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ryze_contacts::emulator::{self, DEMO_ACCOUNT_TOKEN, EmuMessage, EmulatorConfig};
use ryze_contacts::engine::{Engine, ScreenStart, Setup, Tuning};
use ryze_contacts::protocol::Msg;

mod common;
use common::rss_mb;

/// Frames a second, in all.
const RATE: u64 = 1_000;
/// How long the load lasts.
const SECONDS: u64 = 10;
/// A key every so often.
const KEY_EVERY: Duration = Duration::from_millis(50);
const INSTANCES: [&str; 4] = ["sales", "support", "marketing", "billing"];

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Median, 90th percentile and worst of `times`.
fn spread(mut times: Vec<Duration>) -> (f64, f64, f64) {
    times.sort();
    let at = |q: usize| ms(times[(times.len() * q / 100).min(times.len() - 1)]);
    (at(50), at(90), ms(*times.last().unwrap()))
}

fn verdict(ok: bool, goal: &str) -> String {
    if ok {
        format!("ok ({goal})")
    } else {
        format!("MISSED ({goal})")
    }
}

/// The message `n` of the load: mostly everyday senders, one in ten a
/// spammer of a small set writing to every instance.
fn message(n: u64) -> EmuMessage {
    let spam = n.is_multiple_of(10);
    let number = if spam {
        format!("628123456{:04}", n / 10 % 50)
    } else {
        format!("55119{:08}", n * 7919 % 100_000_000)
    };
    EmuMessage {
        number: Some(number),
        name: Some(if spam {
            "Promo 🔥".into()
        } else {
            "Cliente".into()
        }),
        text: if spam {
            "Ganhe R$ 500 por dia! Clique: bit.ly/x".into()
        } else {
            format!("Mensagem número {n}: bom dia, tudo bem?")
        },
        ..EmuMessage::default()
    }
}

/// The engine of the terminal UI on the emulator's four instances, its
/// feeds open, the Live view shown.
async fn engine(base_url: &str, data: &std::path::Path) -> Engine {
    let mut text = format!("[defaults]\nbase_url = \"{base_url}\"\n");
    for name in INSTANCES {
        text.push_str(&format!(
            "[[instances]]\nname = \"{name}\"\ntoken = \"{DEMO_ACCOUNT_TOKEN}\"\n"
        ));
    }
    let path = data.join("profile.toml");
    let profile = ryze_contacts::config::profile::parse(&text, &path, &|_| None).unwrap();
    let mut engine = Engine::start(Setup {
        profile,
        data_dir: data.join("data"),
        screen: Some(ScreenStart {
            instance: None,
            view_key: "bench".into(),
        }),
        tuning: Tuning::default(),
        access: ryze_contacts::engine::Access::Act,
    })
    .unwrap();
    engine.apply(Msg::Resize {
        width: 120,
        height: 40,
    });
    engine.apply(Msg::Start);
    while !engine
        .state()
        .live
        .health
        .iter()
        .all(|h| h.status.is_open())
    {
        for msg in engine.next().await {
            engine.apply(msg);
        }
    }
    engine.apply(Msg::Key(KeyEvent::new(
        KeyCode::Char('L'),
        KeyModifiers::NONE,
    )));
    engine
}

/// Pushes [`RATE`] frames a second for [`SECONDS`], in steps of 10 ms.
fn spawn_load(handle: emulator::EmulatorHandle) -> tokio::task::JoinHandle<u64> {
    tokio::spawn(async move {
        let per_step = RATE / 100;
        let mut tick = tokio::time::interval(Duration::from_millis(10));
        let mut n = 0;
        for _ in 0..SECONDS * 100 {
            tick.tick().await;
            for _ in 0..per_step {
                let instance = INSTANCES[(n % 4) as usize];
                handle.push_message(instance, &message(n));
                n += 1;
            }
        }
        n
    })
}

/// Presses j and k in turn every [`KEY_EVERY`], noting when each went.
fn spawn_keys(
    tx: tokio::sync::mpsc::UnboundedSender<Msg>,
    sent: Arc<Mutex<VecDeque<Instant>>>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(KEY_EVERY);
        for i in 0..(SECONDS * 1000 / KEY_EVERY.as_millis() as u64) {
            tick.tick().await;
            let c = if i % 2 == 0 { 'j' } else { 'k' };
            sent.lock().unwrap().push_back(Instant::now());
            let _ = tx.send(Msg::Key(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::NONE,
            )));
        }
    })
}

/// What the run measured.
#[derive(Default)]
struct Run {
    draws: Vec<Duration>,
    applies: Vec<Duration>,
    keys: Vec<Duration>,
    frames: u64,
}

/// One turn of the terminal UI's loop: every message there is applied,
/// then one frame is drawn.
async fn step(
    engine: &mut Engine,
    terminal: &mut Terminal<TestBackend>,
    sent: &Mutex<VecDeque<Instant>>,
    run: &mut Run,
) {
    let msgs = tokio::time::timeout(Duration::from_millis(200), engine.next())
        .await
        .unwrap_or_default();
    let started = Instant::now();
    let mut keys = Vec::new();
    for msg in msgs {
        match &msg {
            Msg::Key(_) => keys.extend(sent.lock().unwrap().pop_front()),
            Msg::Live(ryze_contacts::protocol::LiveMsg::Event { .. }) => run.frames += 1,
            _ => {}
        }
        engine.apply(msg);
    }
    run.applies.push(started.elapsed());
    let t = Instant::now();
    terminal
        .draw(|f| ryze_contacts::ui::draw(f, engine.state()))
        .unwrap();
    run.draws.push(t.elapsed());
    let drawn = Instant::now();
    run.keys.extend(keys.into_iter().map(|k| drawn - k));
}

/// Frames pushed before the measure, so that the feed is full and drops
/// its oldest rows all along.
const PREFILL: u64 = 5_000;

/// Pushes [`PREFILL`] frames at once and reads them.
async fn prefill(
    engine: &mut Engine,
    terminal: &mut Terminal<TestBackend>,
    handle: &emulator::EmulatorHandle,
) {
    for n in 0..PREFILL {
        handle.push_message(INSTANCES[(n % 4) as usize], &message(1_000_000 + n));
    }
    let none = Mutex::new(VecDeque::new());
    let mut run = Run::default();
    while run.frames < PREFILL {
        step(engine, terminal, &none, &mut run).await;
    }
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    println!("ryze-contacts live feed: {RATE} frames/s for {SECONDS} s across 4 instances\n");
    let start_rss = rss_mb();
    // Every number connected: a disconnected one receives no message.
    let mut config = EmulatorConfig::demo(Some(500));
    for inst in &mut config.instances {
        inst.state = "connected".into();
    }
    let emu = emulator::start(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut engine = engine(&emu.base_url(), dir.path()).await;
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    prefill(&mut engine, &mut terminal, &emu.handle()).await;
    let before = rss_mb();
    let sent = Arc::new(Mutex::new(VecDeque::new()));
    let mut load = Some(spawn_load(emu.handle()));
    let keys = spawn_keys(engine.sender(), sent.clone());
    let t = Instant::now();
    let deadline = t + Duration::from_secs(SECONDS + 30);
    let mut pushed = None;
    let mut run = Run::default();
    while pushed.is_none_or(|p| run.frames < p) && Instant::now() < deadline {
        if let Some(task) = load.take_if(|l| l.is_finished()) {
            pushed = Some(task.await.unwrap());
        }
        step(&mut engine, &mut terminal, &sent, &mut run).await;
    }
    keys.await.unwrap();
    report(
        &run,
        pushed.unwrap_or(0),
        t.elapsed(),
        &engine,
        (start_rss, before),
    );
}

fn report(run: &Run, pushed: u64, took: Duration, engine: &Engine, (start, before): (f64, f64)) {
    let after = rss_mb();
    let (d50, d90, dmax) = spread(run.draws.clone());
    let (a50, a90, amax) = spread(run.applies.clone());
    let (k50, k90, kmax) = spread(run.keys.clone());
    let live = &engine.state().live;
    println!(
        "frames pushed {pushed}, read {} in {:.1} s",
        run.frames,
        took.as_secs_f64()
    );
    println!(
        "frame drawn (120x40)    median {d50:>7.3} ms   p90 {d90:>7.3}   worst {dmax:>7.3}   n={:<6} {}",
        run.draws.len(),
        verdict(d90 <= 16.0, "p90 <= 16 ms")
    );
    println!(
        "messages applied/batch  median {a50:>7.3} ms   p90 {a90:>7.3}   worst {amax:>7.3}   n={}",
        run.applies.len()
    );
    println!(
        "key answered (drawn)    median {k50:>7.3} ms   p90 {k90:>7.3}   worst {kmax:>7.3}   n={:<6} {}",
        run.keys.len(),
        verdict(k50 <= 50.0, "median <= 50 ms")
    );
    println!(
        "rows kept {} (of {} read), senders counted {}  {}",
        live.len(),
        pushed + PREFILL,
        live.senders_remembered(),
        verdict(live.len() <= 10_000, "<= 10,000 rows")
    );
    println!(
        "memory: resident {after:.0} MB (was {before:.0} MB with the feeds open, {start:.0} MB at start) {}",
        verdict(after < 150.0, "< 150 MB")
    );
    println!("{}", verdict(run.frames == pushed, "every frame read"));
}
