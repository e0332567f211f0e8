//! Text from the shared ledger and the live feed, written by anyone with
//! access to either, reaches the screens: no control, escape or bidi
//! override of it ever reaches a cell. Two layers keep it out: the text
//! is cleaned where the app makes it (`util::sanitize::clean`), and every
//! screen sets its text through ratatui's buffer (`set_stringn`,
//! `set_line`, widgets), which drops control and zero-width characters;
//! no screen writes a cell's symbol directly. These tests hold every
//! screen that shows such text to that, at three sizes.

use ratatui::crossterm::event::KeyCode;

use super::tests::{NOW, demo_state_knowing, key, render};
use crate::app::State;
use crate::app::testing::update;
use crate::model::blocklist::Entry;
use crate::model::live::{ChatKind, LiveEvent};
use crate::protocol::{JobResult, LiveMsg, Msg};
use crate::store::ledger::KnownState;
use crate::util::sanitize::is_unsafe;

/// Every way a stranger's text has been seen to attack a terminal: a
/// screen clear, a bell, an OSC 52 clipboard write, a C1 CSI, a
/// right-to-left override, an isolate.
const HOSTILE: &str = "\x1b[2J\x07\x1b]52;c;cm0gLXJmIH4=\x07\u{9b}31m\u{202e}exe.gnp\u{2066}x";

/// The cells of a frame that hold anything unsafe, with where they are.
fn unsafe_cells(s: &mut State, width: u16, height: u16) -> Vec<(u16, u16, String)> {
    let terminal = render(s, width, height);
    let buffer = terminal.backend().buffer();
    let mut found = Vec::new();
    for y in 0..height {
        for x in 0..width {
            let symbol = buffer[(x, y)].symbol();
            if symbol.chars().any(is_unsafe) {
                found.push((x, y, symbol.escape_debug().to_string()));
            }
        }
    }
    found
}

fn assert_clean(s: &mut State, screen: &str) {
    for (w, h) in [(80, 24), (40, 10), (120, 40)] {
        let found = unsafe_cells(s, w, h);
        assert!(found.is_empty(), "{screen} at {w}x{h}: {found:?}");
    }
}

fn hostile_state() -> State {
    demo_state_knowing(KnownState {
        instance: "sales".into(),
        jid: "5511911110001@s.whatsapp.net".into(),
        lid: None,
        blocked: true,
        changed_at: NOW - 300,
        operator: Some(format!("desk{HOSTILE}")),
        reason: Some(format!("spam{HOSTILE}")),
        contest: Some(format!(
            "desk-a blocked, desk-b{HOSTILE} unblocked 1 s apart"
        )),
    })
}

#[test]
fn the_ledgers_words_never_reach_a_cell_as_controls() {
    let mut s = hostile_state();
    assert_clean(&mut s, "the list");
    update(&mut s, key(KeyCode::Char('v')));
    let shown = super::tests::text(&render(&mut s, 120, 40));
    assert!(shown.contains("blocked · contested"), "{shown}");
    assert_clean(&mut s, "the blocked view");
    update(&mut s, key(KeyCode::Enter));
    let shown = super::tests::text(&render(&mut s, 120, 40));
    assert!(
        shown.contains("spam") && shown.contains("desk-a blocked"),
        "the reason and the contest are shown: {shown}"
    );
    assert_clean(&mut s, "the details");
}

#[test]
fn the_blocklists_entries_never_reach_a_cell_as_controls() {
    let mut s = hostile_state();
    update(&mut s, key(KeyCode::Char('T')));
    let entry = Entry {
        target: "5511911110001".into(),
        reason: Some(format!("golpe{HOSTILE}")),
        source: format!("feed{HOSTILE}"),
        operator: Some(format!("desk{HOSTILE}")),
        added: NOW - 60,
        expires: Some(NOW - 1),
        removed: None,
    };
    update(
        &mut s,
        Msg::Worker(JobResult::Blocklist(Ok((vec![entry], Vec::new())))),
    );
    let shown = super::tests::text(&render(&mut s, 80, 24));
    assert!(shown.contains("golpe"), "the entry is shown: {shown}");
    assert_clean(&mut s, "the Blocklist view");
    update(&mut s, key(KeyCode::Char('p')));
    assert_clean(&mut s, "the plan");
}

#[test]
fn a_live_messages_words_never_reach_a_cell_as_controls() {
    let mut s = hostile_state();
    update(&mut s, key(KeyCode::Char('L')));
    let message = crate::app::testing::incoming(
        "6281234567890",
        Some(&format!("Promo{HOSTILE}")),
        &format!("Ganhe{HOSTILE}\nlinha 2{HOSTILE}"),
        ChatKind::Private,
        NOW,
    );
    update(
        &mut s,
        Msg::Live(LiveMsg::Event {
            instance: 0,
            event: LiveEvent::Message(message),
            received: NOW,
        }),
    );
    let shown = super::tests::text(&render(&mut s, 80, 24));
    assert!(shown.contains("Promo"), "the message is shown: {shown}");
    assert_clean(&mut s, "the Live view");
    update(&mut s, key(KeyCode::Enter));
    assert_clean(&mut s, "a live message's details");
}
