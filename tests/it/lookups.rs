//! Who a number is before it is blocked, over real HTTP against the
//! emulator: the number prompt, `:block` and the paste review show the
//! lookup before anything is sent; numbers not on WhatsApp (in both of
//! the answers' shapes) are never sent; an answer naming the old 8-digit
//! ID of a Brazilian mobile is the number blocked; WhatsApp's throttling
//! is waited out; hidden-number contacts are matched on other instances
//! by the number a lookup of their `@lid` gives.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::Output;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ryze_contacts::emulator::{
    self, DEMO_ACCOUNT_TOKEN, EmulatorConfig, NOT_ON_WHATSAPP_200, NOT_ON_WHATSAPP_404,
    RunningEmulator,
};
use ryze_contacts::protocol::Msg;

use crate::desk::Desk;
use crate::headless::{run, serving};

const SALES: &str = "[[instances]]\nname = \"sales\"\n";

/// Joana's identity line, as the prompt, `:block` and the review show it.
pub(crate) const JOANA: &str =
    "→ +55 11 98765-4321 · Brazil · mobile · on WhatsApp: Joana Promo · \"Ofertas!\"";

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn ledger_known(data: &std::path::Path) -> Vec<ryze_contacts::store::ledger::KnownState> {
    let (ledger, _) = ryze_contacts::store::ledger::open(data).unwrap();
    ledger.known().unwrap()
}

#[test]
fn an_answer_naming_the_old_brazilian_id_is_the_number_blocked() {
    let (_rt, emu, dir) = serving(5, SALES);
    let out = run(dir.path(), &["block", "+55 81 98888-7777"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "sales\t+55 81 98888-7777\tblocked\n");
    assert!(
        stderr(&out).contains("sales: blocked 1 on the server now"),
        "{}",
        stderr(&out)
    );
    // WhatsApp keys the person by the old ID, and answered with it.
    let old = "558188887777@s.whatsapp.net";
    assert_eq!(emu.handle().blocklist("sales"), [old]);
    assert_eq!(
        emu.handle().lookups(),
        [("sales".to_string(), "5581988887777".to_string())]
    );
    let known = ledger_known(&dir.path().join("data"));
    assert_eq!(known.len(), 1, "{known:?}");
    assert_eq!(known[0].jid, "5581988887777@s.whatsapp.net");
    assert!(known[0].blocked);
    // The answer's own words, in JSON: the old ID, and a success.
    let out = run(dir.path(), &["block", "--json", "5581988887777"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = &json["results"][0];
    assert_eq!(row["contact_jid"], old);
    assert_eq!(
        (row["ok"].as_bool(), row["outcome"].as_str()),
        (Some(true), Some("blocked"))
    );
    assert_eq!(json["blocked_count"]["sales"], 1);
    assert_eq!(
        emu.handle().lookups().len(),
        1,
        "the lookup of a day ago is kept"
    );
}

#[test]
fn numbers_not_on_whatsapp_are_never_sent_from_the_command_line() {
    let (_rt, emu, dir) = serving(5, SALES);
    let numbers = [
        NOT_ON_WHATSAPP_404,
        NOT_ON_WHATSAPP_200,
        "+55 11 98765-4321",
    ];
    let out = run(dir.path(), &[&["block"][..], &numbers[..]].concat());
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "nothing sent: 2 number(s) not on WhatsApp: +55 11 98765-0404: Number is not on WhatsApp; +55 11 98765-1404: no WhatsApp account has this number (--skip-invalid sends the others)"
        ),
        "{err}"
    );
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    assert!(emu.handle().block_requests().is_empty(), "nothing sent");
    // --skip-invalid sends the rest, and lists what it left out.
    let out = run(
        dir.path(),
        &[&["block", "--skip-invalid"][..], &numbers[..]].concat(),
    );
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "sales\t+55 11 98765-4321\tblocked\n\
         sales\t+55 11 98765-0404\tNOT SENT: not on WhatsApp (Number is not on WhatsApp)\n\
         sales\t+55 11 98765-1404\tNOT SENT: not on WhatsApp (no WhatsApp account has this number)\n"
    );
    assert!(
        stderr(&out).contains("2 number(s) not on WhatsApp: left out, nothing sent to them"),
        "{}",
        stderr(&out)
    );
    let sent = emu.handle().block_requests();
    assert!(
        sent.iter()
            .all(|(_, number, _)| number == "5511987654321@s.whatsapp.net"),
        "{sent:?}"
    );
    assert_eq!(
        emu.handle().lookups().len(),
        3,
        "each looked up once: the second run read the ledger"
    );
}

/// An emulator of the demo's account (`contacts` each) on a runtime of
/// its own, for desks.
async fn demo(contacts: usize) -> RunningEmulator {
    emulator::start(
        EmulatorConfig::demo(Some(contacts)),
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await
    .unwrap()
}

/// A desk with a screen on the demo's sales, loaded, at 80x24.
async fn screen_desk(emu: &RunningEmulator) -> Desk {
    let mut desk = Desk::open_screen(emu, &[("sales", DEMO_ACCOUNT_TOKEN)]);
    desk.load().await;
    desk.give(Msg::Resize {
        width: 80,
        height: 24,
    })
    .await;
    desk
}

/// Typing pauses (the clock ticks twice): what the prompt shows is looked
/// up, and the answers come in.
async fn pause(desk: &mut Desk) {
    for _ in 0..2 {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        desk.give(Msg::Tick { now }).await;
    }
}

/// The screen as the terminal UI draws it, a string per row.
pub(crate) fn drawn(desk: &Desk) -> Vec<String> {
    let state = desk.state();
    let mut terminal = Terminal::new(TestBackend::new(state.width, state.height)).unwrap();
    terminal
        .draw(|f| ryze_contacts::ui::draw(f, state))
        .unwrap();
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .map(|y| {
            let row: String = (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect();
            row.trim_end().to_string()
        })
        .collect()
}

/// Every message of the desk's session, newest last.
fn messages(desk: &Desk) -> Vec<String> {
    desk.state()
        .messages
        .iter()
        .map(|m| m.text.clone())
        .collect()
}

fn press(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

#[tokio::test]
async fn the_prompt_shows_who_a_number_is_before_anything_is_sent() {
    let emu = demo(40).await;
    let mut desk = screen_desk(&emu).await;
    desk.keys("a+55 11 98765-4321").await;
    let rows = drawn(&desk);
    assert_eq!(
        rows[21],
        " → +55 11 98765-4321 · Brazil · mobile · looked up once you pause typing"
    );
    assert_eq!(
        rows[22],
        "Block number: +55 11 98765-4321▏   Enter block  Esc cancel"
    );
    assert!(emu.handle().lookups().is_empty(), "not while typing");
    pause(&mut desk).await;
    let rows = drawn(&desk);
    assert_eq!(rows[21], format!(" {JOANA}"), "{rows:#?}");
    assert_eq!(
        emu.handle().lookups(),
        [("sales".to_string(), "5511987654321".to_string())],
        "looked up once, when typing paused"
    );
    assert!(emu.handle().block_requests().is_empty(), "nothing sent");
    // `:block` shows the same line, from what is known.
    desk.give(press(KeyCode::Esc)).await;
    desk.keys(":block 5511987654321").await;
    pause(&mut desk).await;
    let rows = drawn(&desk);
    assert_eq!(rows[21], format!(" {JOANA}"), "{rows:#?}");
    assert_eq!(
        rows[22],
        ":block 5511987654321▏   Tab complete  Enter run  Esc cancel"
    );
    // So does the paste review, each number on its line.
    desk.give(press(KeyCode::Esc)).await;
    desk.keys("a").await;
    let pasted = format!("5511987654321\n{NOT_ON_WHATSAPP_404}\n{NOT_ON_WHATSAPP_200}\n");
    desk.give(Msg::Paste(pasted)).await;
    let screen = drawn(&desk).join("\n");
    for line in [
        JOANA,
        "✖ +55 11 98765-0404 · Brazil · mobile · not on WhatsApp: nothing to block",
        "✖ +55 11 98765-1404 · Brazil · mobile · not on WhatsApp: nothing to block",
        "Block 1 number on sales? 2 refused, not sent.",
    ] {
        assert!(screen.contains(line), "{line}:\n{screen}");
    }
    assert_eq!(emu.handle().lookups().len(), 3, "Joana's lookup was kept");
    assert!(emu.handle().block_requests().is_empty(), "nothing sent");
}

#[tokio::test]
async fn the_prompt_refuses_a_number_not_on_whatsapp_in_either_shape() {
    let emu = demo(40).await;
    let mut desk = screen_desk(&emu).await;
    for (number, shown) in [
        (NOT_ON_WHATSAPP_404, "+55 11 98765-0404"),
        (NOT_ON_WHATSAPP_200, "+55 11 98765-1404"),
    ] {
        desk.keys(&format!("a{number}")).await;
        pause(&mut desk).await;
        let rows = drawn(&desk);
        assert_eq!(
            rows[21],
            format!(" ✖ {shown} · Brazil · mobile · not on WhatsApp: nothing to block")
        );
        desk.keys("\n").await;
        assert_eq!(
            desk.status(),
            format!("{shown} is not on WhatsApp: nothing to block · nothing was sent")
        );
        assert!(
            matches!(&desk.state().overlay, Some(ryze_contacts::app::state::Overlay::Prompt(t)) if t == number),
            "the number stays to be fixed"
        );
        desk.give(press(KeyCode::Esc)).await;
    }
    // Enter before the lookup answered: the batch looks it up first, and
    // sends nothing.
    desk.keys("a5521987650404\n\n").await;
    assert_eq!(
        desk.status(),
        "nothing sent: 1 number(s) not on WhatsApp: +55 21 98765-0404: Number is not on WhatsApp"
    );
    assert!(emu.handle().block_requests().is_empty(), "nothing sent");
    assert!(desk.known().is_empty(), "nothing recorded");
}

/// The real binary in a terminal of 80x24 on a profile of `emu`'s sales.
fn binary_on(emu: &RunningEmulator, dir: &std::path::Path) -> crate::e2e::App {
    let profile = write_profile(dir, emu, &[("sales", DEMO_ACCOUNT_TOKEN)]);
    let data = dir.join("data");
    let args = [
        "--profile".as_ref(),
        profile.as_os_str(),
        "--data-dir".as_ref(),
        data.as_os_str(),
    ];
    crate::e2e::App::spawn(&args, 24, 80)
}

/// Writes a profile of `instances` (name, token) on `emu` in `dir`,
/// readable only by its owner; returns its path.
fn write_profile(
    dir: &std::path::Path,
    emu: &RunningEmulator,
    instances: &[(&str, &str)],
) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let profile = dir.join("profile.toml");
    std::fs::write(&profile, crate::desk::profile_toml(emu, instances, "")).unwrap();
    std::fs::set_permissions(&profile, std::fs::Permissions::from_mode(0o600)).unwrap();
    profile
}

/// The row of `screen` that holds `text`, whole.
fn row_with<'a>(screen: &'a str, text: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(text))
        .unwrap_or_default()
        .trim_end()
}

/// `a`, then Joana's number as `typed`: the screen once her identity
/// line shows, whole, above the prompt.
fn prompt_shows_joana(app: &mut crate::e2e::App, typed: &str) -> String {
    app.press(b"a");
    app.screen.wait_for("Block number:");
    app.press(typed.as_bytes());
    let screen = app.screen.wait_for("Joana Promo");
    assert_eq!(
        row_with(&screen, "Joana Promo"),
        format!(" {JOANA}"),
        "{screen}"
    );
    screen
}

#[test]
fn the_real_binary_shows_who_a_number_is_in_the_prompt_at_80x24() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(demo(40));
    let dir = tempfile::tempdir().unwrap();
    let mut app = binary_on(&emu, dir.path());
    app.screen.wait_for("40 of 40");
    app.screen.wait_for("● connected");
    let screen = prompt_shows_joana(&mut app, "+55 11 98765-4321");
    assert_eq!(
        row_with(&screen, "Block number:"),
        "Block number: +55 11 98765-4321▏   Enter block  Esc cancel"
    );
    assert!(emu.handle().block_requests().is_empty(), "nothing sent");
    // Ctrl-C closes the prompt; nothing was sent.
    app.press(b"\x03");
    app.press(b"q");
    let (status, _) = app.wait_exit();
    assert!(status.success(), "{status:?}");
    assert!(emu.handle().block_requests().is_empty());
    assert_eq!(emu.handle().lookups().len(), 1);
}

#[test]
fn the_demo_shows_who_a_number_is_in_the_prompt() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "--demo".as_ref(),
        "--data-dir".as_ref(),
        dir.path().as_os_str(),
    ];
    let mut app = crate::e2e::App::spawn(&args, 24, 80);
    app.screen.wait_for("Sales desk ● connected");
    let screen = prompt_shows_joana(&mut app, "5511987654321");
    assert!(
        screen.contains("blocked: ? │"),
        "nothing was blocked: {screen}"
    );
    app.press(b"\x03");
    app.press(b"q");
    let (status, _) = app.wait_exit();
    assert!(status.success(), "{status:?}");
}

/// The demo's account with `limit` requests a minute: WhatsApp's
/// throttling halves that pace.
fn budget(limit: u32) -> EmulatorConfig {
    EmulatorConfig {
        rate_limit: limit,
        ..EmulatorConfig::demo(Some(5))
    }
}

#[test]
fn whatsapps_throttling_is_waited_out_and_said() {
    let (_rt, emu, dir) = crate::headless::serving_with(budget(1_000), SALES);
    // The first three requests that reach WhatsApp (lookups, blocks)
    // are throttled: 429 with budget left.
    emu.handle().set_throttling(3);
    let numbers = [
        "+55 21 97111-0001",
        "+55 21 97111-0002",
        "+55 21 97111-0003",
    ];
    let out = run(dir.path(), &[&["block"][..], &numbers[..]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(
        err.matches("WhatsApp is throttling sales: requests go at half pace for 5 min and are retried · nothing to do")
            .count(),
        1,
        "said once: {err}"
    );
    assert_eq!(
        stdout(&out).matches("\tblocked\n").count(),
        3,
        "{}",
        stdout(&out)
    );
    assert_eq!(emu.handle().throttled_count(), 3);
    assert_eq!(
        emu.handle().rate_limited_count(),
        0,
        "the budget was never spent"
    );
    assert_eq!(emu.handle().blocklist("sales").len(), 3);
}

#[tokio::test]
async fn the_screen_says_whatsapp_throttles_and_the_batch_completes() {
    let emu = emulator::start(budget(1_000), SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .unwrap();
    let mut desk = screen_desk(&emu).await;
    emu.handle().set_throttling(2);
    let pasted = "+55 21 97111-0001\n+55 21 97111-0002\n".to_string();
    desk.keys("a").await;
    desk.give(Msg::Paste(pasted)).await;
    desk.keys("y\n").await;
    let messages = messages(&desk);
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("WhatsApp is throttling sales: requests go at half pace")),
        "{messages:?}"
    );
    assert!(desk.state().batch.is_none(), "the batch ended");
    assert_eq!(
        desk.status(),
        "block 2 pasted numbers on sales: 2 done · u undoes it"
    );
    assert_eq!(emu.handle().throttled_count(), 2);
    assert_eq!(emu.handle().blocklist("sales").len(), 2);
    assert_eq!(desk.known().len(), 2);
}

/// `n` Brazilian mobiles no instance has as a contact, none of them one
/// the emulator calls not on WhatsApp.
fn unknown_numbers(n: usize) -> Vec<String> {
    (0..)
        .map(|i: u32| format!("+55 21 97{:03}-{:04}", i / 10_000, i % 10_000 * 7 % 10_000))
        .filter(|n| !n.ends_with("404"))
        .take(n)
        .collect()
}

/// The most requests of `token` answered within any `span_ms`.
fn busiest(served: &[emulator::Served], span_ms: u64) -> usize {
    let times: Vec<u64> = served.iter().map(|s| s.at_ms).collect();
    let mut most = 0;
    let mut start = 0;
    for (end, &t) in times.iter().enumerate() {
        while times[start] + span_ms <= t {
            start += 1;
        }
        most = most.max(end + 1 - start);
    }
    most
}

/// Runs `block --from` on the file of numbers; returns how long it took.
fn block_from(dir: &std::path::Path) -> std::time::Duration {
    let started = std::time::Instant::now();
    let out = run(
        dir,
        &["block", "--from", dir.join("numbers.txt").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).matches("\tblocked\n").count(), 1_000);
    started.elapsed()
}

/// A thousand numbers nobody knows, at 100 requests a window: each is
/// looked up, then blocked, every request within the budget (not one 429
/// of our own pace); the second run finds every lookup in the ledger.
/// RyzeAPI's window is a minute (2,000 requests would take 20); the
/// emulator's is a second here, with the same rule, so the test takes
/// half a minute.
#[test]
fn a_thousand_unknown_numbers_keep_to_the_budget_and_their_lookups_are_kept() {
    const LIMIT: u32 = 100;
    let config = EmulatorConfig {
        rate_limit: LIMIT,
        rate_window: std::time::Duration::from_secs(1),
        ..EmulatorConfig::demo(Some(10))
    };
    let (_rt, emu, dir) = crate::headless::serving_with(config, SALES);
    let numbers = unknown_numbers(1_000);
    std::fs::write(dir.path().join("numbers.txt"), numbers.join("\n")).unwrap();
    let first = block_from(dir.path());
    let h = emu.handle();
    let served = h.served();
    let lookups = h.lookups().len();
    let blocks = served.iter().filter(|s| s.route == "block").count();
    assert_eq!(lookups, 1_000, "each number looked up once");
    assert!(blocks >= 1_000, "{blocks}");
    assert_eq!(h.rate_limited_count(), 0, "not one 429 of our own pace");
    assert_eq!(h.throttled_count(), 0);
    assert!(
        served.iter().all(|s| s.status == 200),
        "every request answered 200: {:?}",
        served.iter().find(|s| s.status != 200)
    );
    let per_second = busiest(&served, 1_000);
    let mut windows = std::collections::BTreeMap::new();
    for s in &served {
        *windows.entry(s.at_ms / 1_000).or_insert(0) += 1;
    }
    let fullest = windows.values().max().copied().unwrap_or(0);
    eprintln!(
        "first run: {} requests ({lookups} lookups, {blocks} blocks) in {first:?}, {:.1} a second; at most {fullest} in one of the emulator's windows, {per_second} in any second (budget {LIMIT} a window)",
        served.len(),
        served.len() as f64 / first.as_secs_f64()
    );
    // The same numbers again: every lookup is the ledger's, none the
    // server's.
    let second = block_from(dir.path());
    let again = h.served();
    let second_lookups = h.lookups().len() - lookups;
    let second_blocks = again[served.len()..]
        .iter()
        .filter(|s| s.route == "block")
        .count();
    eprintln!(
        "second run: {} requests ({second_lookups} lookups, {second_blocks} blocks) in {second:?}",
        again.len() - served.len()
    );
    assert_eq!(second_lookups, 0, "the lookups of a day are kept");
    assert_eq!(h.rate_limited_count(), 0);
    assert_eq!(h.blocklist("sales").len(), 1_000);
}

/// Dudu's `@lid`: a hidden-number contact of sales.
const DUDU: &str = "987654321098765@lid";

/// Sales (Maria, and Dudu known only by his `@lid`) and billing (no
/// contacts), on the account token `acct`.
async fn hidden_world() -> RunningEmulator {
    crate::account_contract::serve_two(100).await
}

/// A desk with a screen on sales and billing, loaded, at 80x24, Dudu
/// selected.
async fn dudu_selected(emu: &RunningEmulator) -> Desk {
    let account = [("sales", "acct"), ("billing", "acct")];
    let mut desk = Desk::open_screen(emu, &account);
    desk.load().await;
    desk.give(Msg::Resize {
        width: 80,
        height: 24,
    })
    .await;
    desk.keys("/Dudu\n").await;
    let selected = desk.state().selected_contact().map(|c| c.jid().to_string());
    assert_eq!(selected.as_deref(), Some(DUDU));
    desk
}

/// Marks the selected contact and blocks it on every instance, through
/// the bulk dialog, without a reason; returns the dialog's lines.
async fn block_everywhere(desk: &mut Desk) -> String {
    desk.keys(" Ba").await;
    let dialog = drawn(desk).join("\n");
    desk.keys("y\n").await;
    dialog
}

#[tokio::test]
async fn a_hidden_number_is_matched_on_other_instances_by_its_lookup() {
    let emu = hidden_world().await;
    let mut desk = dudu_selected(&emu).await;
    let dialog = block_everywhere(&mut desk).await;
    assert!(dialog.contains("sales: 1 contact"), "{dialog}");
    assert!(
        dialog.contains("billing: 1 hidden number(s) matched by lookup"),
        "{dialog}"
    );
    // Looked up once, through the instance that lists him.
    assert_eq!(
        emu.handle().lookups(),
        [("sales".to_string(), DUDU.to_string())]
    );
    let sent = emu.handle().block_requests();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[0].1, DUDU, "sales: as listed");
    let number = sent
        .iter()
        .find(|(instance, _, _)| instance == "billing")
        .map(|(_, number, _)| number.clone())
        .unwrap();
    assert!(
        number.starts_with("55119") && number.ends_with("@s.whatsapp.net"),
        "billing: by his number: {number}"
    );
    // WhatsApp blocked one person on each.
    assert_eq!(emu.handle().blocklist("billing"), [DUDU]);
    assert_eq!(
        desk.status(),
        "block 1 contact on sales, billing: 2 done · u undoes it"
    );
    let mut known = desk.known();
    known.sort_by(|a, b| a.instance.cmp(&b.instance));
    assert_eq!(known.len(), 2, "{known:?}");
    assert_eq!(known[0].instance, "billing");
    assert_eq!(known[0].jid, number, "recorded by his number");
    assert_eq!(known[0].lid.as_deref(), Some(DUDU), "and his @lid");
    assert_eq!(
        (known[1].instance.as_str(), known[1].jid.as_str()),
        ("sales", DUDU)
    );
    assert!(known.iter().all(|k| k.blocked));
}

#[tokio::test]
async fn the_details_resolve_a_hidden_number_and_the_bulk_uses_it() {
    let emu = hidden_world().await;
    let mut desk = dudu_selected(&emu).await;
    desk.keys("\n").await;
    let details = drawn(&desk).join("\n");
    let line = row_with(&details, "keyed as").trim_matches(['│', ' ']);
    let number = line
        .split_whitespace()
        .nth(2)
        .unwrap_or_default()
        .to_string();
    assert!(number.starts_with("55119"), "{details}");
    let digits = number.trim_end_matches("@s.whatsapp.net");
    let shown = format!("(+55 11 {}-{})", &digits[4..9], &digits[9..]);
    assert!(line.ends_with(&shown), "{line}");
    assert!(
        row_with(&details, "lookup").contains("on WhatsApp: Dudu"),
        "{details}"
    );
    assert_eq!(emu.handle().lookups().len(), 1);
    // Closed, the resolution is kept: the bulk asks nothing more.
    desk.keys("\n").await;
    block_everywhere(&mut desk).await;
    assert_eq!(
        emu.handle().lookups().len(),
        1,
        "the details' lookup served"
    );
    let billing: Vec<String> = emu
        .handle()
        .block_requests()
        .into_iter()
        .filter(|(instance, _, _)| instance == "billing")
        .map(|(_, number, _)| number)
        .collect();
    assert_eq!(billing, [number]);
}

#[tokio::test]
async fn a_hidden_number_no_lookup_matches_is_left_out_there_and_said() {
    let emu = hidden_world().await;
    let mut desk = dudu_selected(&emu).await;
    emu.handle().push_lookup_fault(emulator::Fault::Status(
        404,
        "Number is not on WhatsApp".into(),
    ));
    block_everywhere(&mut desk).await;
    let sent = emu.handle().block_requests();
    assert_eq!(sent, [("sales".to_string(), DUDU.to_string(), true)]);
    let messages = messages(&desk);
    assert!(
        messages.contains(
            &"1 hidden number(s) not matched by number: 987654321098765@lid on billing: not on WhatsApp (Number is not on WhatsApp) · not sent there"
                .to_string()
        ),
        "{messages:?}"
    );
    assert_eq!(desk.known().len(), 1, "only sales recorded");
}

#[test]
fn a_typed_lid_for_every_instance_goes_by_its_number() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(hidden_world());
    let dir = tempfile::tempdir().unwrap();
    write_profile(dir.path(), &emu, &[("sales", "acct"), ("billing", "acct")]);
    let out = run(dir.path(), &["block", "--all", DUDU]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "2 hidden-number (@lid) request(s) go by the number a lookup of the @lid gives"
        ),
        "{}",
        stderr(&out)
    );
    let rows = stdout(&out);
    assert_eq!(rows.lines().count(), 2, "{rows}");
    assert!(rows.lines().all(|l| l.ends_with("\tblocked")), "{rows}");
    assert_eq!(emu.handle().lookups().len(), 1, "one lookup for both");
    assert_eq!(emu.handle().blocklist("sales"), [DUDU]);
    assert_eq!(emu.handle().blocklist("billing"), [DUDU]);
}
