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

const ROWS: u16 = 30;
const COLS: u16 = 120;

/// The screen as the terminal shows it, and every byte the app wrote.
pub(crate) struct Screen {
    parser: Mutex<vt100::Parser>,
    raw: Mutex<Vec<u8>>,
}

impl Screen {
    pub(crate) fn contents(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// How many bytes the app wrote so far.
    pub(crate) fn written(&self) -> usize {
        self.raw.lock().unwrap().len()
    }

    /// What the app wrote after the first `from` bytes.
    pub(crate) fn written_since(&self, from: usize) -> String {
        let raw = self.raw.lock().unwrap();
        String::from_utf8_lossy(&raw[from.min(raw.len())..]).into_owned()
    }

    /// Waits (without fixed sleeps) until the screen shows `text`.
    pub(crate) fn wait_for(&self, text: &str) -> String {
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

/// The app running in a pseudo-terminal.
pub(crate) struct App {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    pub(crate) screen: Arc<Screen>,
    keys: Box<dyn Write + Send>,
    master: Box<dyn portable_pty::MasterPty + Send>,
    drain: std::thread::JoinHandle<()>,
}

impl App {
    /// Starts the binary on `profile` with `data` as its data folder.
    pub(crate) fn start(profile: &std::path::Path, data: &std::path::Path) -> App {
        let args = [
            "--profile".as_ref(),
            profile.as_os_str(),
            "--data-dir".as_ref(),
            data.as_os_str(),
        ];
        App::spawn(&args, ROWS, COLS)
    }

    /// Starts the binary with `args` in a terminal of `rows` x `cols`.
    pub(crate) fn spawn(args: &[&std::ffi::OsStr], rows: u16, cols: u16) -> App {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_ryze-contacts"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("RYZE_CONTACTS_PROFILE");
        cmd.env_remove("RYZE_CONTACTS_DATA");
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let screen = Arc::new(Screen {
            parser: Mutex::new(vt100::Parser::new(rows, cols, 0)),
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
        let keys = pty.master.take_writer().unwrap();
        App {
            child,
            screen,
            keys,
            master: pty.master,
            drain,
        }
    }

    pub(crate) fn press(&mut self, keys: &[u8]) {
        self.keys.write_all(keys).unwrap();
        self.keys.flush().unwrap();
    }

    /// Waits for the process to end; returns its status and all it wrote.
    pub(crate) fn wait_exit(mut self) -> (portable_pty::ExitStatus, String) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "the app did not quit");
            std::thread::sleep(Duration::from_millis(20));
        };
        drop(self.keys);
        drop(self.master);
        let _ = self.drain.join();
        let raw = self.screen.raw.lock().unwrap().clone();
        (status, String::from_utf8_lossy(&raw).into_owned())
    }
}

/// Starts the emulator with `latency` on a runtime of its own and writes a
/// profile for sales and marketing; returns (runtime, emulator, dir).
fn emulator_and_profile(
    latency: Duration,
) -> (
    tokio::runtime::Runtime,
    emulator::RunningEmulator,
    tempfile::TempDir,
) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt
        .block_on(emulator::start(
            EmulatorConfig {
                latency,
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
    (rt, emu, dir)
}

/// The terminal was given back: alternate screen left, cursor shown.
fn assert_restored(raw: &str) {
    let left = raw
        .rfind("\x1b[?1049l")
        .expect("the alternate screen was left");
    let shown = raw.rfind("\x1b[?25h").expect("the cursor was shown again");
    let entered = raw
        .rfind("\x1b[?1049h")
        .expect("the alternate screen was used");
    assert!(left > entered && shown > entered);
}

#[test]
fn block_from_the_keyboard_reaches_the_server_and_the_screen() {
    let (_rt, emu, dir) = emulator_and_profile(Duration::from_millis(1000));
    let data = dir.path().join("data");
    let mut app = App::start(&dir.path().join("profile.toml"), &data);
    let screen = app.screen.clone();

    // The first frame comes before any answer: a loading state.
    screen.wait_for("loading contacts of Sales desk");
    let ready = screen.wait_for("40 of 40");
    assert!(ready.contains("blocked: ?"), "{ready}");
    // The states come in their own answer, which may follow the list.
    screen.wait_for("Sales desk ● connected");
    let ready = screen.wait_for("marketing ○ disconnected");
    assert!(ready.contains("blocked: ?"), "{ready}");

    app.press(b"b");
    let pending = screen.wait_for("blocking…");
    assert!(
        pending.contains("blocked: ?"),
        "not yet answered:\n{pending}"
    );
    // The server's count may show a frame before the ledger has the
    // answer (`blocked: 1 (0 known here)`): wait for the recorded state,
    // whose message quotes the server (shortened between words at 120
    // columns, beside the instance's label).
    let done = screen.wait_for("· server: Contact");
    assert!(done.contains("⊘ blocked"), "{done}");
    assert!(done.contains("blocked: 1 │"), "{done}");
    assert!(done.contains("› blocked 李伟 (+91 91022 34429)"), "{done}");

    let blocked = emu.handle().blocklist("sales");
    assert_eq!(blocked.len(), 1, "the server blocked one contact");
    let first = &emulator::address_book("sales", 40)[0];
    assert_eq!(&blocked[0], first.lid.as_ref().unwrap_or(&first.jid));

    // Errors show the server's message, status and a hint.
    app.press(b"\t");
    let error = screen.wait_for("HTTP 503");
    assert!(
        error.contains("Instance is not connected to WhatsApp"),
        "{error}"
    );
    assert!(error.contains("connect the phone and retry"), "{error}");

    app.press(b"q");
    let (status, raw) = app.wait_exit();
    assert!(status.success(), "{status:?}");
    assert_restored(&raw);
    assert!(
        !raw.contains(DEMO_ACCOUNT_TOKEN),
        "the token never reaches the screen"
    );

    // The ledger holds the block, durable after the app is gone.
    let (ledger, _) = ryze_contacts::store::ledger::open(&data).unwrap();
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

#[test]
fn every_catchable_ending_signal_restores_the_terminal() {
    for signal in ["-TERM", "-HUP", "-INT", "-QUIT", "-XFSZ"] {
        let (_rt, _emu, dir) = emulator_and_profile(Duration::ZERO);
        let mut app = App::start(&dir.path().join("profile.toml"), &dir.path().join("data"));
        app.screen.wait_for("40 of 40");
        // A pending request must not hold the exit back.
        app.press(b"b");
        let pid = app.child.process_id().expect("a pid");
        let killed = std::process::Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let (status, raw) = app.wait_exit();
        assert!(status.success(), "{signal}: {status:?}");
        assert_restored(&raw);
    }
}

#[test]
fn the_app_reopens_on_the_instance_sort_and_view_last_used() {
    let (_rt, _emu, dir) = emulator_and_profile(Duration::ZERO);
    let data = dir.path().join("data");
    let profile = dir.path().join("profile.toml");
    let mut app = App::start(&profile, &data);
    app.screen.wait_for("40 of 40");
    app.press(b"s");
    app.screen.wait_for("by name");
    app.press(b"\t");
    app.screen.wait_for("marketing │");
    app.press(b"q");
    let (status, _) = app.wait_exit();
    assert!(status.success(), "{status:?}");

    // The instance last shown, and the sort kept for every instance.
    let mut app = App::start(&profile, &data);
    app.screen.wait_for(" marketing │");
    app.press(b"\t");
    app.screen.wait_for("40 of 40 · by name");
    app.press(b"q");
    let (status, _) = app.wait_exit();
    assert!(status.success(), "{status:?}");
}

#[test]
fn a_paste_is_text_in_the_prompt_and_nothing_on_the_list() {
    let (_rt, emu, dir) = emulator_and_profile(Duration::ZERO);
    let mut app = App::start(&dir.path().join("profile.toml"), &dir.path().join("data"));
    app.screen.wait_for("40 of 40");
    app.screen.wait_for("Sales desk ● connected");
    // Bracketed paste is asked for, so a paste arrives as text.
    assert!(
        app.screen
            .raw
            .lock()
            .unwrap()
            .windows(8)
            .any(|w| w == b"\x1b[?2004h"),
        "bracketed paste is enabled"
    );
    // On the list, a pasted "b" and Enter neither block nor open anything.
    app.press(b"\x1b[200~b\rb\x1b[201~");
    app.screen.wait_for("a paste types text only");
    // In the prompt: a number, Enter and "b" are a list to review.
    app.press(b"a");
    app.screen.wait_for("Block number:");
    app.press(b"\x1b[200~+55 11 97777-3333\rb\x1b[201~");
    let review = app.screen.wait_for("Pasted numbers");
    assert!(
        review.contains("→ +55 11 97777-3333 · Brazil · mobile"),
        "{review}"
    );
    assert!(review.contains("✖ b: not a phone number"), "{review}");
    assert!(
        emu.handle().block_requests().is_empty(),
        "nothing was sent before the confirmation"
    );
    // Cancel has the focus: Enter sends nothing.
    app.press(b"\r");
    app.screen.wait_for("nothing was sent");
    // Ctrl-C closes the prompt (an Esc just before q would read as Alt-q).
    app.press(b"\x03");
    app.press(b"q");
    let (status, raw) = app.wait_exit();
    assert!(status.success(), "{status:?}");
    assert_restored(&raw);
    assert!(
        raw.contains("\x1b[?2004l"),
        "bracketed paste is turned off at exit"
    );
    assert!(emu.handle().block_requests().is_empty());
}

#[test]
fn ctrl_z_and_sigtstp_give_the_terminal_back_and_sigcont_redraws() {
    let (_rt, _emu, dir) = emulator_and_profile(Duration::ZERO);
    let mut app = App::start(&dir.path().join("profile.toml"), &dir.path().join("data"));
    app.screen.wait_for("40 of 40");
    let pid = app.child.process_id().expect("a pid").to_string();
    let stopped = |pid: &str| {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        stat.rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('T'))
    };
    for how in ["ctrl-z", "sigtstp"] {
        let before = app.screen.raw.lock().unwrap().len();
        match how {
            "ctrl-z" => app.press(b"\x1a"),
            _ => {
                assert!(
                    std::process::Command::new("kill")
                        .args(["-TSTP", &pid])
                        .status()
                        .unwrap()
                        .success()
                );
            }
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while !stopped(&pid) {
            assert!(Instant::now() < deadline, "{how}: the app did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
        // What the app wrote before it stopped may still be on its way
        // through the pty to the reader.
        loop {
            let after: Vec<u8> = app.screen.raw.lock().unwrap()[before..].to_vec();
            let written = String::from_utf8_lossy(&after).into_owned();
            if written.contains("\x1b[?1049l") && written.contains("\x1b[?2004l") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{how}: stopped without leaving the alternate screen and bracketed paste"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        // fg: continued, the app takes the terminal again and redraws.
        let before = app.screen.raw.lock().unwrap().len();
        assert!(
            std::process::Command::new("kill")
                .args(["-CONT", &pid])
                .status()
                .unwrap()
                .success()
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let raw = app.screen.raw.lock().unwrap()[before..].to_vec();
            let text = String::from_utf8_lossy(&raw).into_owned();
            if text.contains("\x1b[?1049h") && text.contains("40 of 40") {
                break;
            }
            assert!(Instant::now() < deadline, "{how}: no redraw after SIGCONT");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    app.press(b"q");
    let (status, raw) = app.wait_exit();
    assert!(status.success(), "{status:?}");
    assert_restored(&raw);
}
