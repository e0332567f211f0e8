//! The live feed over a real WebSocket on loopback, against the
//! emulator: frames flagged and listed, `B` on a row looked up then sent
//! to every instance and nobody else, `W` on a row adding its sender to
//! the list, a group never blockable nor listed, a disconnected number
//! getting no message, `temp_banned` on the tab at once, a dropped socket
//! reopened with back-off, a frame that cannot be read, a refused upgrade
//! and the WebSocket enabled after asking, pings answered, the token
//! never on screen nor in the data folder (`watch`, the same feed
//! headless, is in `watch.rs`).

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ryze_contacts::app::State;
use ryze_contacts::emulator::{
    self, DEMO_ACCOUNT_TOKEN, EmuMessage, EmulatorConfig, RunningEmulator,
};
use ryze_contacts::protocol::{ConnState, FeedStatus};

use crate::desk::Desk;

pub(crate) const SPAMMER: &str = "6281234567890";

pub(crate) async fn emulator() -> RunningEmulator {
    emulator::start(
        EmulatorConfig::demo(Some(40)),
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await
    .unwrap()
}

/// The four demo instances on the account token (marketing is
/// disconnected).
pub(crate) const FOUR: [(&str, &str); 4] = [
    ("sales", DEMO_ACCOUNT_TOKEN),
    ("support", DEMO_ACCOUNT_TOKEN),
    ("marketing", DEMO_ACCOUNT_TOKEN),
    ("billing", "demo-billing-token"),
];

/// The screen's desk on `emu`, loaded, every feed open.
async fn desk(emu: &RunningEmulator) -> Desk {
    let mut desk = Desk::open_screen(emu, &FOUR);
    desk.load().await;
    open(&mut desk).await;
    desk
}

async fn open(desk: &mut Desk) {
    desk.until(Duration::from_secs(10), |s| {
        s.live.health.iter().all(|h| h.status.is_open())
    })
    .await;
}

pub(crate) fn spam(text: &str) -> EmuMessage {
    EmuMessage {
        number: Some(SPAMMER.into()),
        name: Some("Promo".into()),
        text: text.into(),
        ..EmuMessage::default()
    }
}

/// Pushes `m` to `instance` and waits until the app holds `rows` rows.
async fn push(desk: &mut Desk, emu: &RunningEmulator, instance: &str, m: &EmuMessage, rows: usize) {
    assert_eq!(
        emu.handle().push_message(instance, m),
        1,
        "one socket open on {instance}"
    );
    desk.until(Duration::from_secs(10), |s| s.live.len() >= rows)
        .await;
}

/// The screen at `width` x `height`, as text.
fn screen(state: &State, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| ryze_contacts::ui::draw(f, state))
        .unwrap();
    let buffer = terminal.backend().buffer();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every byte of every file under `dir`.
pub(crate) fn all_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(all_bytes(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.extend(bytes);
        }
    }
    out
}

pub(crate) fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn a_stranger_writing_to_our_numbers_is_flagged_and_no_token_is_kept() {
    let emu = emulator().await;
    let mut desk = desk(&emu).await;
    push(&mut desk, &emu, "sales", &spam("Ganhe R$ 500 por dia"), 1).await;
    assert!(
        !desk.state().live.rows().any(|r| r.is_flagged()),
        "one number is no wave"
    );
    push(&mut desk, &emu, "support", &spam("Ganhe R$ 500 por dia"), 2).await;
    let live = &desk.state().live;
    assert!(
        live.rows().all(|r| r.is_flagged()),
        "both rows, the first too"
    );
    assert_eq!(
        live.rows().next().unwrap().reasons(),
        "spam wave: 2 of our numbers in 10 min"
    );
    desk.keys("L").await;
    let shown = screen(desk.state(), 120, 40);
    assert!(shown.contains("⚑"), "{shown}");
    assert!(
        shown.contains("+62 812-3456-7890"),
        "the number as its country writes it"
    );
    assert!(shown.contains("Ganhe R$ 500 por dia"), "{shown}");
    // Every frame carried the instance's token in instanceData.
    let data = all_bytes(&desk.dir.path().join("data"));
    assert!(!data.is_empty(), "the data folder was written");
    for token in ["demo-sales-token", "demo-support-token", DEMO_ACCOUNT_TOKEN] {
        assert!(!shown.contains(token), "{token} on screen");
        assert!(
            !format!("{:?}", desk.state()).contains(token),
            "{token} in Debug"
        );
        assert!(!holds(&data, token), "{token} in the data folder");
    }
}

#[tokio::test]
async fn b_on_a_row_blocks_the_sender_on_every_instance_and_nobody_else() {
    let emu = emulator().await;
    let mut desk = desk(&emu).await;
    assert!(desk.state().lookups.enabled, "lookups are on");
    for instance in ["sales", "support", "billing"] {
        let rows = desk.state().live.len() + 1;
        push(&mut desk, &emu, instance, &spam("promo"), rows).await;
    }
    let ordinary = EmuMessage {
        number: Some("5511955558888".into()),
        text: "bom dia".into(),
        ..EmuMessage::default()
    };
    push(&mut desk, &emu, "sales", &ordinary, 4).await;
    desk.keys("L").await;
    desk.keys("j").await;
    let selected = ryze_contacts::app::live::view::selected_row(&desk.state().live)
        .and_then(|r| r.sender_key().map(str::to_string));
    assert_eq!(selected.as_deref(), Some(SPAMMER));
    desk.keys("B").await;
    let shown = screen(desk.state(), 80, 24);
    assert!(shown.contains("Block 1 sender on 4 instances"), "{shown}");
    assert!(
        shown.contains("[ Cancel ]"),
        "Cancel has the focus: {shown}"
    );
    desk.keys("y").await;
    assert!(screen(desk.state(), 80, 24).contains("Why? spam wave"));
    desk.keys("\n").await;
    desk.until(Duration::from_secs(20), |s| s.batch.is_none())
        .await;
    // The sender is no contact: looked up first, once, then blocked.
    let lookups = emu.handle().lookups();
    assert_eq!(lookups.len(), 1, "one lookup: {lookups:?}");
    assert_eq!(lookups[0].1, SPAMMER, "of the sender");
    let routes: Vec<&str> = emu.handle().served().iter().map(|s| s.route).collect();
    let last_lookup = routes.iter().rposition(|r| *r == "lookup").unwrap();
    let first_block = routes.iter().position(|r| *r == "block").unwrap();
    assert!(
        last_lookup < first_block,
        "every lookup before the first block: {routes:?}"
    );
    assert_eq!(
        routes.iter().filter(|r| **r == "block").count(),
        4,
        "one block request per chosen instance: {routes:?}"
    );
    let mut sent = emu.handle().block_requests();
    sent.sort();
    let jid = format!("{SPAMMER}@s.whatsapp.net");
    assert_eq!(
        sent,
        [
            ("billing".to_string(), jid.clone(), true),
            ("sales".to_string(), jid.clone(), true),
            ("support".to_string(), jid.clone(), true),
        ],
        "every connected instance, the sender only (marketing answers 503)"
    );
    let row = ryze_contacts::app::live::view::selected_row(&desk.state().live).unwrap();
    assert_eq!(
        ryze_contacts::app::live::words::known_short(desk.state(), row),
        "⊘ 3 of 4",
        "the row shows the block as it settled"
    );
}

#[tokio::test]
async fn w_on_a_live_row_adds_its_sender_to_the_list_and_refuses_a_groups() {
    let emu = emulator().await;
    let mut desk = desk(&emu).await;
    push(&mut desk, &emu, "sales", &spam("Ganhe R$ 500 por dia"), 1).await;
    desk.keys("L").await;
    desk.keys("W").await;
    assert!(screen(desk.state(), 80, 24).contains("Why?"));
    desk.keys("spam\n").await;
    assert!(screen(desk.state(), 80, 24).contains("Until?"));
    desk.keys("30d\n").await;
    desk.until(Duration::from_secs(10), |s| {
        s.blocklist.entries.as_ref().is_some_and(|e| !e.is_empty())
    })
    .await;
    assert!(
        desk.status()
            .starts_with("added to the blocklist: Promo (+62 812-3456-7890) (spam · until"),
        "{}",
        desk.status()
    );
    let entries = desk.state().blocklist.entries.clone().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].target, SPAMMER);
    assert_eq!(entries[0].reason.as_deref(), Some("spam"));
    assert!(entries[0].expires.is_some());
    assert!(emu.handle().block_requests().is_empty(), "W sends nothing");

    let group = EmuMessage {
        group: Some("Família".into()),
        ..spam("oi gente")
    };
    push(&mut desk, &emu, "support", &group, 2).await;
    desk.keys("gW").await;
    assert!(desk.state().overlay.is_none(), "nothing asked");
    assert!(
        desk.status()
            .starts_with("only the sender of a private message can be listed"),
        "{}",
        desk.status()
    );
    assert_eq!(desk.state().blocklist.entries.as_ref().unwrap().len(), 1);
}

#[tokio::test]
async fn a_group_message_is_never_blockable() {
    let emu = emulator().await;
    let mut desk = desk(&emu).await;
    let group = EmuMessage {
        group: Some("Família".into()),
        ..spam("oi gente")
    };
    push(&mut desk, &emu, "sales", &group, 1).await;
    push(&mut desk, &emu, "support", &group, 2).await;
    let live = &desk.state().live;
    assert!(live.rows().all(|r| !r.is_blockable() && !r.is_flagged()));
    desk.keys("L B").await;
    assert!(desk.state().live.marks.is_empty(), "Space marks no group");
    assert!(desk.state().overlay.is_none(), "no dialog");
    assert!(
        desk.status().starts_with("a group cannot be blocked"),
        "{}",
        desk.status()
    );
    assert!(screen(desk.state(), 80, 24).contains("not blockable"));
    assert!(emu.handle().block_requests().is_empty());
}

#[tokio::test]
async fn temp_banned_shows_on_the_tab_at_once_with_a_hint() {
    let emu = emulator().await;
    let mut desk = desk(&emu).await;
    assert_eq!(emu.handle().push_state("support", "temp_banned"), 1);
    desk.until(Duration::from_secs(10), |s| {
        s.instances[1].connection
            == ryze_contacts::app::state::Connection::State(ConnState::TempBanned)
    })
    .await;
    assert!(
        desk.status()
            .contains("WhatsApp banned this number for a while"),
        "{}",
        desk.status()
    );
    desk.keys("\t").await;
    let shown = screen(desk.state(), 120, 40);
    assert!(
        shown.contains("│ support ○ temp banned │"),
        "the tab: {shown}"
    );
    assert!(
        shown.contains(" support │ ○ temp banned │"),
        "the status bar: {shown}"
    );
}

#[tokio::test]
async fn a_disconnected_number_gets_no_message_until_it_connects() {
    let emu = emulator().await;
    let mut desk = desk(&emu).await;
    assert_eq!(
        emu.handle().open_sockets("marketing"),
        1,
        "its feed is open"
    );
    assert_eq!(
        emu.handle()
            .push_message("marketing", &spam("nobody gets this")),
        0,
        "a disconnected number receives nothing"
    );
    // The socket stays and carries the state change; after it, messages.
    assert_eq!(emu.handle().push_state("marketing", "connected"), 1);
    push(&mut desk, &emu, "marketing", &spam("now it does"), 2).await;
    let texts: Vec<String> = desk
        .state()
        .live
        .rows()
        .filter_map(|r| r.message().map(|m| m.text.clone()))
        .collect();
    assert_eq!(
        texts,
        ["now it does"],
        "the first never came over the socket"
    );
    assert_eq!(
        desk.state().instances[2].connection,
        ryze_contacts::app::state::Connection::State(ConnState::Connected)
    );
}

#[tokio::test]
async fn a_dropped_socket_reconnects_with_back_off_and_says_so() {
    let emu = emulator().await;
    let mut desk = desk(&emu).await;
    desk.keys("L").await;
    let upgrades = emu.handle().upgrades();
    assert_eq!(emu.handle().drop_sockets("sales"), 1);
    desk.until(Duration::from_secs(10), |s| {
        matches!(s.live.health[0].status, FeedStatus::Paused { .. })
    })
    .await;
    let now = ryze_contacts::protocol::Msg::Tick {
        now: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64,
    };
    desk.engine.apply(now);
    let shown = screen(desk.state(), 120, 40);
    assert!(
        shown.contains("live feed of sales paused: reconnecting in 1 s (")
            || shown.contains("live feed of sales paused: reconnecting now ("),
        "{shown}"
    );
    open(&mut desk).await;
    assert_eq!(emu.handle().upgrades(), upgrades + 1, "one new upgrade");
    push(&mut desk, &emu, "sales", &spam("still here"), 1).await;
    // The next try is refused by a failing server: paused again, with why,
    // then open once the server answers.
    emu.handle()
        .push_fault(ryze_contacts::emulator::Fault::Status(500, "boom".into()));
    emu.handle().drop_sockets("sales");
    desk.until(Duration::from_secs(10), |s| {
        matches!(&s.live.health[0].status, FeedStatus::Paused { why, .. } if why == "boom (HTTP 500)")
    })
    .await;
    open(&mut desk).await;
    assert_eq!(emu.handle().upgrades(), upgrades + 2);
}

#[tokio::test]
async fn a_frame_that_cannot_be_read_is_counted_and_the_feed_goes_on() {
    let emu = emulator().await;
    let mut desk = desk(&emu).await;
    emu.handle().push_raw(
        "sales",
        "{\"event\": \"message.exchange\", \"instanceData\": {\"token\": \"demo-sales-token\"",
    );
    desk.until(Duration::from_secs(10), |s| s.live.unreadable() == 1)
        .await;
    push(&mut desk, &emu, "sales", &spam("after"), 1).await;
    desk.keys("L").await;
    let shown = screen(desk.state(), 120, 40);
    assert!(shown.contains("1 frame(s) could not be read"), "{shown}");
    assert!(!shown.contains("demo-sales-token"));
}

#[tokio::test]
async fn a_refused_upgrade_says_why_and_the_websocket_is_enabled_after_asking() {
    let emu = emulator().await;
    emu.handle().set_websocket("support", None);
    let mut desk = Desk::open_screen(&emu, &FOUR);
    desk.load().await;
    desk.until(Duration::from_secs(10), |s| {
        matches!(s.live.health[1].status, FeedStatus::Refused(_))
            && matches!(s.live.health[1].config, Some(Ok(_)))
    })
    .await;
    desk.keys("L").await;
    let shown = screen(desk.state(), 120, 40);
    assert!(
        shown.contains("live feed of support refused (HTTP 400): its WebSocket is never configured · E offers to enable it"),
        "{shown}"
    );
    assert!(
        desk.state().messages.iter().any(|m| m
            .text
            .starts_with("WebSocket is not enabled for this instance")),
        "the server's words are in the message log"
    );
    desk.keys("E").await;
    assert!(screen(desk.state(), 80, 24).contains("support: now never configured"));
    assert_eq!(
        emu.handle().websocket("support"),
        None,
        "nothing changed before the yes"
    );
    desk.keys("y").await;
    open(&mut desk).await;
    assert_eq!(
        emu.handle().websocket("support"),
        Some((
            true,
            vec!["message.exchange".to_string(), "instance.state".to_string()]
        ))
    );
}

#[tokio::test]
async fn the_servers_pings_are_answered_and_the_socket_stays() {
    let emu = emulator().await;
    // A ping every 100 ms; a pong later than 1 s drops the socket.
    emu.handle()
        .set_heartbeat(Duration::from_millis(100), Duration::from_secs(1));
    let mut desk = desk(&emu).await;
    let upgrades = emu.handle().upgrades();
    let quiet = async {
        loop {
            for msg in desk.engine.next().await {
                desk.engine.apply(msg);
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(3), quiet).await;
    assert_eq!(emu.handle().upgrades(), upgrades, "no socket was dropped");
    assert!(desk.state().live.health.iter().all(|h| h.status.is_open()));
    assert_eq!(emu.handle().open_sockets("sales"), 1);
}
