//! End to end: the real binary in a pseudo-terminal against the emulator.
//! Keys are typed, the screen is read back through a terminal emulator
//! (vt100), and the server's state is checked.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::os::unix::fs::PermissionsExt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use ryze_contacts::emulator::{self, DEMO_ACCOUNT_TOKEN, EmulatorConfig};
use ryze_contacts::ledger::Ledger;

const ROWS: u16 = 30;
const COLS: u16 = 120;

/// The screen as the terminal shows it, and every byte the app wrote.
struct Screen {
    parser: Mutex<vt100::Parser>,
    raw: Mutex<Vec<u8>>,
}

impl Screen {
    fn contents(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Waits (without fixed sleeps) until the screen shows `text`.
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.contents();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {text:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn block_from_the_keyboard_reaches_the_server_and_the_screen() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt
        .block_on(emulator::start(
            EmulatorConfig {
                latency: Duration::from_millis(1000),
                ..EmulatorConfig::demo(Some(40))
            },
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        ))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile.toml");
    std::fs::write(
        &profile,
        format!(
            "[defaults]\nbase_url = \"{}\"\n[account]\ntoken = \"{DEMO_ACCOUNT_TOKEN}\"\n[[instances]]\nname = \"sales\"\nlabel = \"Sales desk\"\n[[instances]]\nname = \"marketing\"\n",
            emu.base_url()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&profile, std::fs::Permissions::from_mode(0o600)).unwrap();
    let data = dir.path().join("data");

    let pty = native_pty_system()
        .openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_ryze-contacts"));
    cmd.arg("--profile");
    cmd.arg(&profile);
    cmd.arg("--data-dir");
    cmd.arg(&data);
    cmd.env("TERM", "xterm-256color");
    cmd.env_remove("RYZE_CONTACTS_PROFILE");
    cmd.env_remove("RYZE_CONTACTS_DATA");
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);

    let screen = Arc::new(Screen {
        parser: Mutex::new(vt100::Parser::new(ROWS, COLS, 0)),
        raw: Mutex::new(Vec::new()),
    });
    let mut reader = pty.master.try_clone_reader().unwrap();
    let reader_screen = screen.clone();
    let drain = std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        loop {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    reader_screen.parser.lock().unwrap().process(&buf[..n]);
                    reader_screen
                        .raw
                        .lock()
                        .unwrap()
                        .extend_from_slice(&buf[..n]);
                }
            }
        }
    });
    let mut keys = pty.master.take_writer().unwrap();

    // The first frame comes before any answer: a loading state.
    screen.wait_for("loading contacts of Sales desk");
    let ready = screen.wait_for("40 of 40");
    assert!(ready.contains("blocked: ?"), "{ready}");
    assert!(ready.contains("Sales desk ● connected"), "{ready}");
    assert!(ready.contains("marketing ○ disconnected"), "{ready}");

    keys.write_all(b"b").unwrap();
    keys.flush().unwrap();
    let pending = screen.wait_for("blocking…");
    assert!(
        pending.contains("blocked: ?"),
        "not yet answered:\n{pending}"
    );
    let done = screen.wait_for("blocked: 1");
    assert!(done.contains("⊘ blocked"), "{done}");
    assert!(done.contains("server: Contact blocked"), "{done}");

    let blocked = emu.handle().blocklist("sales");
    assert_eq!(blocked.len(), 1, "the server blocked one contact");
    let first = &emulator::address_book("sales", 40)[0];
    assert_eq!(&blocked[0], first.lid.as_ref().unwrap_or(&first.jid));

    // Errors show the server's message, status and a hint.
    keys.write_all(b"\t").unwrap();
    keys.flush().unwrap();
    let error = screen.wait_for("HTTP 503");
    assert!(
        error.contains("Instance is not connected to WhatsApp"),
        "{error}"
    );
    assert!(error.contains("connect the phone and retry"), "{error}");

    keys.write_all(b"q").unwrap();
    keys.flush().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the app did not quit");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    drop(keys);
    drop(pty.master);
    let _ = drain.join();
    let raw = screen.raw.lock().unwrap().clone();
    let raw = String::from_utf8_lossy(&raw);
    assert!(raw.contains("\x1b[?1049l"), "the alternate screen was left");
    assert!(
        !raw.contains(DEMO_ACCOUNT_TOKEN),
        "the token never reaches the screen"
    );

    // The ledger holds the block, durable after the app is gone.
    let (ledger, _) = Ledger::open(&data).unwrap();
    let known = ledger.known().unwrap();
    assert_eq!(known.len(), 1);
    assert_eq!(known[0].jid, first.jid);
    assert!(known[0].blocked);
    let log = std::fs::read_to_string(data.join("ryze-contacts.log")).unwrap();
    assert!(
        !log.contains(DEMO_ACCOUNT_TOKEN),
        "the token never reaches the log"
    );
}
