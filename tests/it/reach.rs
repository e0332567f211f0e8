//! Who is within reach of one key, on the demo's address book served by
//! the emulator: the filter finds words as typed, so `/promo`, `*` and
//! `B` reach the spammers and nobody whose name merely holds their
//! letters in order; fuzzy matching is asked for, and `*` on what it
//! found asks before marking.

use std::net::{Ipv4Addr, SocketAddr};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ryze_contacts::app::State;
use ryze_contacts::app::state::Overlay;
use ryze_contacts::emulator::{self, DEMO_ACCOUNT_TOKEN, EmulatorConfig};
use ryze_contacts::protocol::Msg;

use crate::desk::Desk;

/// The names the list shows now.
fn shown(state: &State) -> Vec<String> {
    state
        .visible
        .iter()
        .filter_map(|&i| state.instance().row(i))
        .map(|c| c.name().to_string())
        .collect()
}

fn holds_promo(name: &str) -> bool {
    name.to_lowercase().contains("promo")
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

#[tokio::test]
async fn promo_reaches_the_spammers_and_nobody_whose_name_holds_its_letters() {
    let emu = emulator::start(
        EmulatorConfig::demo(None),
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await
    .unwrap();
    let mut desk = Desk::open_screen(&emu, &[("sales", DEMO_ACCOUNT_TOKEN)]);
    desk.load().await;
    desk.keys("/promo\n").await;
    let found = shown(desk.state());
    assert!(!found.is_empty(), "the demo has its spammers");
    assert!(found.iter().all(|n| holds_promo(n)), "{found:?}");
    desk.keys("*B").await;
    let Some(Overlay::Targets(dialog)) = &desk.state().overlay else {
        panic!("the bulk dialog: {:?}", desk.state().overlay)
    };
    assert_eq!(dialog.names.len(), found.len(), "every one named");
    assert!(
        dialog.names.iter().all(|n| holds_promo(n)),
        "{:?}",
        dialog.names
    );
    desk.keys("n*").await;
    assert!(desk.state().instance().marks.is_empty(), "* again unmarks");

    // Fuzzy, asked for: the same letters in order reach further.
    desk.keys("/").await;
    desk.give(ctrl('f')).await;
    desk.keys("\n").await;
    let widened = shown(desk.state());
    assert!(widened.len() > found.len(), "{widened:?}");
    assert!(
        widened.iter().any(|n| !holds_promo(n)),
        "people who are no spammers: {widened:?}"
    );
    desk.keys("*").await;
    let Some(Overlay::MarkAll(ask)) = &desk.state().overlay else {
        panic!("* asks first: {:?}", desk.state().overlay)
    };
    assert_eq!(ask.jids.len(), widened.len());
    desk.keys("n").await;
    assert!(desk.state().instance().marks.is_empty(), "nothing marked");
    assert!(
        desk.status().contains("nothing marked"),
        "{}",
        desk.status()
    );
}
