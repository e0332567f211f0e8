//! One token waiting for its rate window holds nothing another token or
//! the ledger needs: with 200 blocks queued on sales's token (30 a minute,
//! spent), a refresh of support (its own token) is answered and a ledger
//! read (support's history) comes back while sales still waits. The
//! times it took are printed, for the record; what is asserted is the
//! order: both came while sales had not moved.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ryze_contacts::app::state::Overlay;
use ryze_contacts::emulator::{self, EmulatorConfig};
use ryze_contacts::protocol::Msg;

use crate::desk::Desk;

#[tokio::test]
async fn a_rate_wait_of_200_on_one_token_never_delays_another_token_or_the_ledger() {
    let emu = emulator::start(
        EmulatorConfig {
            rate_limit: 30,
            rate_window: Duration::from_secs(60),
            ..EmulatorConfig::demo(Some(220))
        },
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await
    .unwrap();
    let mut desk = Desk::open_screen(
        &emu,
        &[
            ("sales", "demo-sales-token"),
            ("support", "demo-support-token"),
        ],
    );
    desk.load().await;
    // Every contact of sales marked, then B, y, and no reason: 200+.
    desk.keys("*B").await;
    let started = desk.engine.apply(key(KeyCode::Char('y')));
    assert!(started.is_empty());
    desk.engine.apply(key(KeyCode::Enter));
    // Sales spends its 30 (2 went to loading) and waits for its window.
    desk.until(Duration::from_secs(20), |s| {
        s.instances[0].budget.is_some_and(|(left, _)| left == 0)
    })
    .await;
    let batch = desk.state().batch.as_ref().unwrap();
    assert!(batch.total >= 200, "{} queued", batch.total);
    let sent = emu.handle().block_requests().len();

    // Support: refresh (its own token), then its history (the ledger).
    let refresh = Instant::now();
    desk.engine.apply(key(KeyCode::Tab));
    desk.engine.apply(key(KeyCode::Char('r')));
    desk.until(Duration::from_secs(20), |s| !s.instances[1].refreshing)
        .await;
    let refreshed = refresh.elapsed();
    let history = Instant::now();
    desk.engine.apply(key(KeyCode::Char('h')));
    desk.until(
        Duration::from_secs(20),
        |s| matches!(&s.overlay, Some(Overlay::History(h)) if h.entries.is_some()),
    )
    .await;
    let read = history.elapsed();
    eprintln!(
        "with 200 waiting on sales: support refreshed in {refreshed:?}, its history read in {read:?}"
    );
    assert_eq!(
        emu.handle().block_requests().len(),
        sent,
        "sales still waits for its window"
    );
    assert!(desk.state().batch.as_ref().is_some_and(|b| b.left() > 150));
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}
