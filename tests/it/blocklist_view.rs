//! The Blocklist view on the real engine against the emulator over
//! loopback HTTP: `W` on a contact adds it to the list (why, no expiry),
//! `T` shows it, `p` makes the plan, `y` applies it, and every
//! instance's blocklist on the server then holds the number; a second
//! plan is empty.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ryze_contacts::emulator::{self, DEMO_ACCOUNT_TOKEN, EmulatorConfig};
use ryze_contacts::protocol::Msg;

use crate::desk::Desk;

const INSTANCES: [&str; 3] = ["sales", "support", "billing"];

#[tokio::test]
async fn w_then_t_p_y_blocks_the_number_on_every_instance() {
    let emu = emulator::start(
        EmulatorConfig::demo(Some(20)),
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await
    .unwrap();
    let instances: Vec<(&str, &str)> = INSTANCES.iter().map(|i| (*i, DEMO_ACCOUNT_TOKEN)).collect();
    let mut desk = Desk::open_screen(&emu, &instances);
    desk.load().await;
    let book = emulator::address_book("sales", 20);
    let target = book
        .iter()
        .find(|c| {
            // Not a Brazilian mobile keyed by its old 8-digit ID, nor a
            // number the emulator says is not on WhatsApp.
            let digits = c.jid.trim_end_matches("@s.whatsapp.net");
            c.lid.is_none() && !digits.starts_with("55") && !digits.ends_with("404")
        })
        .expect("a contact of sales with a plain number");
    desk.select(&target.jid).await;

    desk.keys("W").await;
    desk.keys("spam").await;
    desk.give(enter()).await;
    desk.give(enter()).await;
    assert!(
        desk.status().starts_with("added to the blocklist:"),
        "{}",
        desk.status()
    );
    assert!(
        INSTANCES
            .iter()
            .all(|i| emu.handle().blocklist(i).is_empty()),
        "W sends nothing"
    );

    desk.keys("T").await;
    let digits = target.jid.trim_end_matches("@s.whatsapp.net");
    let state = desk.state();
    assert!(state.list_view.shown);
    let entries = state.blocklist.entries.as_ref().expect("the list was read");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].target, digits);
    assert_eq!(entries[0].reason.as_deref(), Some("spam"));

    desk.keys("p").await;
    let plan = desk.state().blocklist.plan.clone().expect("the plan");
    assert_eq!(plan.steps.len(), 3, "a block on each instance: {plan:?}");
    desk.keys("y").await;
    desk.until(Duration::from_secs(30), |s| {
        s.batch.is_none() && s.is_quiet()
    })
    .await;
    for instance in INSTANCES {
        assert_eq!(
            emu.handle().blocklist(instance),
            std::slice::from_ref(&target.jid),
            "{instance}'s blocklist on the server"
        );
    }
    let known = desk.known();
    assert_eq!(known.iter().filter(|k| k.blocked).count(), 3);
    assert!(
        known
            .iter()
            .all(|k| k.reason.as_deref() == Some("blocklist: spam")),
        "{known:?}"
    );

    // The list is followed now: the plan is empty (p leaves the entries
    // shown during the apply, and shows the plan again).
    desk.keys("p").await;
    let plan = desk.state().blocklist.plan.clone().expect("a plan");
    assert!(!plan.sends(), "nothing left to send: {plan:?}");
}

fn enter() -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))
}
