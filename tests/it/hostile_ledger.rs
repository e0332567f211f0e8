//! A shared ledger is input, not truth: rows a colleague (another
//! version, a script, someone hostile with the shared database user)
//! wrote, on a real PostgreSQL 15 and the real binary. What is sent is
//! checked like typed input; what is printed passes the one sanitiser;
//! reads write nothing; a claim in the future or by a run elsewhere is
//! handled and said.

use std::net::{Ipv4Addr, SocketAddr};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use ryze_contacts::emulator::{self, DEMO_ACCOUNT_TOKEN, EmulatorConfig, RunningEmulator};

use crate::pg_cluster::Cluster;

/// The emulator, the team's database and the desks' folders.
struct Bench {
    _rt: tokio::runtime::Runtime,
    emu: RunningEmulator,
    pg: Cluster,
    dir: tempfile::TempDir,
}

impl Bench {
    fn new() -> Bench {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let emu = rt
            .block_on(emulator::start(
                EmulatorConfig::demo(Some(20)),
                SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            ))
            .unwrap();
        Bench {
            _rt: rt,
            emu,
            pg: Cluster::start(),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A desk of operator `name` on the team's ledger; its tables are made
    /// by a first read.
    fn desk(&self, name: &str) -> PathBuf {
        let desk = self.dir.path().join(name);
        std::fs::create_dir_all(&desk).unwrap();
        let profile = desk.join("profile.toml");
        std::fs::write(
            &profile,
            format!(
                "[defaults]\nbase_url = \"{}\"\noperator = \"{name}\"\n[account]\ntoken = \"{DEMO_ACCOUNT_TOKEN}\"\n[ledger]\nurl = \"{}\"\n[[instances]]\nname = \"sales\"\n",
                self.emu.base_url(),
                self.pg.url("team")
            ),
        )
        .unwrap();
        std::fs::set_permissions(&profile, std::fs::Permissions::from_mode(0o600)).unwrap();
        let out = run(&desk, &["ledger", "status"]);
        assert!(out.status.success(), "{}", stderr(&out));
        desk
    }

    fn sql(&self, sql: &str) -> String {
        self.pg.query(sql)
    }

    /// Everything the ledger's tables hold, as one fingerprint.
    fn fingerprint(&self) -> String {
        ["ryze_actions", "ryze_batches", "ryze_block_state"]
            .iter()
            .map(|t| {
                self.sql(&format!(
                    "SELECT md5(COALESCE(string_agg(t::TEXT, '|' ORDER BY t::TEXT), '')) FROM {t} t"
                ))
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A request asked for `ago` seconds before now and never answered.
    fn pending(&self, jid: &str, ago: i64) {
        self.sql(&format!(
            "INSERT INTO ryze_actions (instance, jid, block, requested_at, operator) VALUES ('sales', {}, true, {}, 'desk-x')",
            literal(jid),
            now() - ago
        ));
    }

    /// An open batch of one request for `jid`, held by `holder` (SQL),
    /// with `label` (SQL); returns its id.
    fn held_batch(&self, label: &str, holder: &str, claimed_at: i64, jid: &str) -> i64 {
        let id: i64 = self
            .sql(&format!(
                "INSERT INTO ryze_batches (created_at, label, claimed_by, claimed_at, claim_pid, claim_host) VALUES ({}, {label}, {holder}, {claimed_at}, 1, 'elsewhere.invalid') RETURNING id",
                now()
            ))
            .parse()
            .unwrap();
        self.sql(&format!(
            "INSERT INTO ryze_actions (instance, jid, block, requested_at, batch_id, operator) VALUES ('sales', {}, true, {}, {id}, 'desk-9')",
            literal(jid),
            now()
        ));
        id
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// `text` as an SQL string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn command(desk: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ryze-contacts"));
    cmd.arg("--profile")
        .arg(desk.join("profile.toml"))
        .arg("--data-dir")
        .arg(desk.join("data"))
        .args(args)
        .env_remove("RYZE_CONTACTS_PROFILE")
        .env_remove("RYZE_CONTACTS_DATA")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Runs the binary to its end, within a minute: a command that waits
/// for ever is a failure of its own.
fn run(desk: &Path, args: &[&str]) -> Output {
    finish(command(desk, args).spawn().unwrap(), args)
}

/// Waits for `child` (reading its output meanwhile), a minute at most.
fn finish(child: std::process::Child, what: &[&str]) -> Output {
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(std::time::Duration::from_secs(60)) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("{what:?} did not end within a minute");
        }
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every control (but the line break and the tab between fields) and bidi character in `text`: what
/// must never reach a terminal raw.
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| !matches!(c, '\n' | '\t') && ryze_contacts::util::sanitize::is_unsafe(c))
        .collect()
}

/// Asserts that neither output of `out` carries a raw control.
fn clean_output(out: &Output, what: &str) {
    for (stream, text) in [("stdout", stdout(out)), ("stderr", stderr(out))] {
        let raw = raw_controls(&text);
        assert!(raw.is_empty(), "{what}: {stream} holds {raw:?}: {text:?}");
    }
}

/// The JIDs of the first `n` contacts of sales.
fn contacts(n: usize) -> Vec<String> {
    emulator::address_book("sales", 20)
        .into_iter()
        .filter(|c| c.jid.ends_with("@s.whatsapp.net"))
        .take(n)
        .map(|c| c.jid)
        .collect()
}

/// The instance `sales`'s own number in the demo.
const OWN: &str = "5511955550101@s.whatsapp.net";

#[test]
fn resume_sends_only_people_from_the_ledger_and_names_the_rest() {
    let bench = Bench::new();
    let desk = bench.desk("desk-1");
    let person = &contacts(1)[0];
    for jid in [
        person.as_str(),
        OWN,
        "120363025246125486@g.us",
        "status@broadcast",
        "../../instance/list?x=",
    ] {
        bench.pending(jid, 600);
    }
    let out = run(&desk, &["resume", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let sent: Vec<String> = bench
        .emu
        .handle()
        .block_requests()
        .into_iter()
        .map(|(_, number, _)| number)
        .collect();
    assert_eq!(
        sent,
        std::slice::from_ref(person),
        "only the person was sent"
    );
    let said = stderr(&out);
    for part in [
        "4 rows of the ledger skipped: ",
        "the instance's own number (+55 11 95555-0101)",
        "not a person (120363025246125486@g.us)",
        "not a person (status@broadcast)",
        "not a person (../../instance/list?x=)",
        "never sent",
    ] {
        assert!(said.contains(part), "{part:?} in {said}");
    }
    assert_eq!(
        bench.sql("SELECT string_agg(jid, ',') FROM ryze_block_state"),
        *person,
        "nothing but the person is recorded as blocked"
    );
}

#[test]
fn reads_write_nothing_to_the_shared_ledger() {
    let bench = Bench::new();
    let desk = bench.desk("desk-1");
    bench.pending(&contacts(1)[0], 600);
    let before = bench.fingerprint();
    for args in [
        &["ledger", "status"][..],
        &["ledger", "status", "--json"],
        &["--read-only", "export"],
        &["export", "--json"],
        &["history"],
        &["list", "--instance", "sales"],
        &["list", "--blocked", "--json"],
        &["instances"],
    ] {
        let out = run(&desk, args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert_eq!(bench.fingerprint(), before, "{args:?} wrote to the ledger");
    }
    assert_eq!(bench.sql("SELECT COUNT(*) FROM ryze_batches"), "0");
    // A run that acts gathers it, and sends it.
    let out = run(&desk, &["resume"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(bench.emu.handle().block_requests().len(), 1);
}

#[test]
fn a_claim_elsewhere_defers_with_a_failure_and_one_in_the_future_is_stale() {
    let bench = Bench::new();
    let desk = bench.desk("desk-1");
    let person = &contacts(1)[0];
    let batch = bench.held_batch("'b'", "'desk-9'", now(), person);
    let out = run(&desk, &["resume"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("desk-9 is resuming it"),
        "{}",
        stderr(&out)
    );
    assert!(bench.emu.handle().block_requests().is_empty());

    // Stamped in the year 3000: stale, taken, sent.
    bench.sql(&format!(
        "UPDATE ryze_batches SET claimed_at = 32503680000 WHERE id = {batch}"
    ));
    let out = run(&desk, &["resume"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(bench.emu.handle().block_requests().len(), 1);
}

#[test]
fn every_printing_path_cleans_what_the_ledger_and_the_database_say() {
    let bench = Bench::new();
    let desk = bench.desk("desk-1");
    let person = &contacts(1)[0];
    // A colleague's batch whose label and claim hold escapes: the window
    // title, the clipboard (OSC 52), a cleared screen.
    bench.held_batch(
        r"E'block\x1b]0;PWN\x07 \x1b]52;c;SGk=\x07\x1b[2J'",
        r"E'desk\x1b]0;PWN\x07'",
        now(),
        person,
    );
    for args in [&["resume"][..], &["resume", "--json"]] {
        let out = run(&desk, args);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(stderr(&out).contains("]0;PWN"), "{}", stderr(&out));
        clean_output(&out, &format!("{args:?}"));
    }
    bench.sql("UPDATE ryze_batches SET status = 'cancelled'");

    // Known states with C1, bidi and escapes in who and why.
    bench.sql(&format!(
        r"INSERT INTO ryze_block_state (instance, jid, blocked, changed_at, operator, reason) VALUES ('sales', {}, true, {}, E'desk\x1b[31m', E'spam\u009b2J\u202eevil'), ('sales', '447400123456@s.whatsapp.net', true, {}, 'desk-2', E'x\u0085y')",
        literal(person),
        now(),
        now()
    ));
    bench.sql(&format!(
        r"UPDATE ryze_actions SET reason = E'why\x1b]0;PWN\x07\u009b\u202e', error = E'boom\x1b[2J', outcome = 'failed' WHERE jid = {}",
        literal(person)
    ));
    for args in [
        &["export", "--json"][..],
        &["export"],
        &["history"],
        &["history", "--json"],
        &["list", "--blocked"],
        &["list", "--blocked", "--json"],
    ] {
        let out = run(&desk, args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        clean_output(&out, &format!("{args:?}"));
    }
    let json = stdout(&run(&desk, &["export", "--json"]));
    assert!(
        json.contains(r"spam\u009b2J\u202eevil") && json.contains(r"desk\u001b[31m"),
        "C0, C1 and bidi are written as their codes: {json}"
    );
    let back: serde_json::Value = serde_json::from_str(&json).unwrap();
    let row = back
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["jid"] == person.as_str())
        .unwrap();
    assert_eq!(row["reason"], "spam\u{9b}2J\u{202e}evil", "and read back");

    // The database's own error: a trigger anyone with the shared user can
    // make.
    bench.sql(
        r"CREATE FUNCTION pwn() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION E'\x1b]0;PWN\x07\x1b[2J'; END $$ LANGUAGE plpgsql;
          CREATE TRIGGER pwn BEFORE INSERT ON ryze_actions FOR EACH ROW EXECUTE FUNCTION pwn();",
    );
    for args in [
        &["block", "+44 7400 123457", "--instance", "sales"][..],
        &["block", "+44 7400 123457", "--instance", "sales", "--json"],
    ] {
        let out = run(&desk, args);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr(&out).contains("]0;PWN"), "{}", stderr(&out));
        clean_output(&out, &format!("{args:?}"));
    }
    assert!(bench.emu.handle().block_requests().is_empty());
}

/// A desk on its own SQLite ledger (no team), for what is not about the
/// shared database.
fn solo_desk(emu: &RunningEmulator, dir: &Path) -> PathBuf {
    let profile = dir.join("profile.toml");
    std::fs::write(
        &profile,
        format!(
            "[defaults]\nbase_url = \"{}\"\n[account]\ntoken = \"{DEMO_ACCOUNT_TOKEN}\"\n[[instances]]\nname = \"sales\"\n",
            emu.base_url()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&profile, std::fs::Permissions::from_mode(0o600)).unwrap();
    dir.to_path_buf()
}

#[test]
fn sigint_during_block_json_reports_what_was_done_and_leaves_the_rest_for_resume() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt
        .block_on(emulator::start(
            EmulatorConfig::demo(Some(40)),
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        ))
        .unwrap();
    emu.handle()
        .set_latency(std::time::Duration::from_millis(300));
    let dir = tempfile::tempdir().unwrap();
    let desk = solo_desk(&emu, dir.path());
    let wanted: Vec<String> = emulator::address_book("sales", 40)
        .into_iter()
        .filter(|c| c.jid.ends_with("@s.whatsapp.net"))
        .take(20)
        .map(|c| c.jid)
        .collect();
    let mut args = vec!["block", "--instance", "sales", "--json"];
    args.extend(wanted.iter().map(String::as_str));
    let child = command(&desk, &args).spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while emu.handle().block_requests().len() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the batch did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let out = finish(child, &args);
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {:?}", stdout(&out)));
    let answered = report["results"].as_array().unwrap().len();
    let unsent = report["unsent"].as_u64().unwrap() as usize;
    assert!(answered >= 1, "what was done is reported: {report}");
    assert!(unsent >= 1, "the rest was not sent: {report}");
    assert_eq!(answered + unsent, wanted.len(), "{report}");
    assert!(
        stderr(&out).contains("`ryze-contacts resume` sends them"),
        "{}",
        stderr(&out)
    );

    // Nothing is lost: resume finishes it.
    emu.handle().set_latency(std::time::Duration::ZERO);
    let out = run(&desk, &["resume"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let sent: std::collections::BTreeSet<String> = emu
        .handle()
        .block_requests()
        .into_iter()
        .map(|(_, number, _)| number)
        .collect();
    let wanted: std::collections::BTreeSet<String> = wanted.into_iter().collect();
    assert_eq!(
        sent, wanted,
        "every number was sent, by the run or its resume"
    );
    assert_eq!(emu.handle().blocklist("sales").len(), wanted.len());
}

#[test]
fn switching_the_view_clears_the_screen_so_no_piece_of_a_name_survives() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt
        .block_on(emulator::start(
            EmulatorConfig::demo(Some(480)),
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        ))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let desk = solo_desk(&emu, dir.path());
    let mut app = crate::e2e::App::start(&desk.join("profile.toml"), &desk.join("data"));
    app.screen.wait_for("480 of 480");
    // Devanagari names (conjuncts, vowel signs) are on the list.
    app.press(b"/\xe0\xa4\xaa\xe0\xa5\x8d\xe0\xa4\xb0\r");
    app.screen.wait_for("िया");
    for (key, shown) in [("v", "known blocked"), ("v", " of 480")] {
        let before = app.screen.written();
        app.press(key.as_bytes());
        let screen = app.screen.wait_for(shown);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !app.screen.written_since(before).contains("\x1b[2J") {
            assert!(
                std::time::Instant::now() < deadline,
                "{key}: the terminal is cleared before the other list is drawn: {:?}",
                app.screen.written_since(before)
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        if shown == "known blocked" {
            // (The filter typed stays in the message line; the names' own
            // letters do not.)
            assert!(
                !screen.contains("िया"),
                "no piece of a name is left: {screen}"
            );
        }
    }
    app.press(b"q");
    let (status, _) = app.wait_exit();
    assert!(status.success(), "{status:?}");
}

#[test]
fn two_desks_racing_never_leave_the_ledger_silently_opposite_to_the_server() {
    let bench = Bench::new();
    let (a, b) = (bench.desk("desk-a"), bench.desk("desk-b"));
    // Answers held a random time after the server carried each out: they
    // reach the desks out of order.
    bench
        .emu
        .handle()
        .set_answer_jitter(std::time::Duration::from_millis(400));
    let people = contacts(8);
    let mut contested = 0;
    for (round, person) in people.iter().enumerate() {
        let block = command(&a, &["block", person, "--instance", "sales"])
            .spawn()
            .unwrap();
        let unblock = command(&b, &["unblock", person, "--instance", "sales"])
            .spawn()
            .unwrap();
        let (block, unblock) = (finish(block, &["block"]), finish(unblock, &["unblock"]));
        // The server's truth: the request it carried out last.
        let last = bench
            .emu
            .handle()
            .block_requests()
            .into_iter()
            .rev()
            .find(|(_, number, _)| number == person)
            .map(|(_, _, block)| block)
            .unwrap();
        let row = bench.sql(&format!(
            "SELECT blocked, COALESCE(contest, '') FROM ryze_block_state WHERE jid = {}",
            literal(person)
        ));
        let (kept, contest) = row.split_once('|').unwrap();
        let kept = kept == "t";
        // How far apart the two answers were recorded (this machine's
        // clock, which the server's cannot be far from here).
        let gap: i64 = bench
            .sql(&format!(
                "SELECT MAX(finished_at) - MIN(finished_at) FROM ryze_actions WHERE jid = {}",
                literal(person)
            ))
            .parse()
            .unwrap();
        if contest.is_empty() {
            assert!(
                gap > 1,
                "round {round}: two desks' opposite answers {gap} s apart were not contested"
            );
            assert_eq!(
                kept, last,
                "round {round}: silently the opposite of the server"
            );
            // Whichever answer was overtaken says so.
            let loser = if last { &unblock } else { &block };
            assert!(!loser.status.success(), "round {round}: {}", stderr(loser));
            assert!(stderr(loser).contains("overtaken"), "{}", stderr(loser));
        } else {
            contested += 1;
            assert!(
                contest.starts_with("desk-a blocked, desk-b unblocked")
                    || contest.starts_with("desk-b unblocked, desk-a blocked"),
                "{contest}"
            );
            // The desk whose answer was recorded last sees the contest
            // (the other may have ended before it existed).
            let saw = [&block, &unblock].into_iter().filter(|out| {
                out.status.code() == Some(4) && stderr(out).contains("contested: desk-")
            });
            assert!(
                saw.count() >= 1,
                "round {round}: {} / {}",
                stderr(&block),
                stderr(&unblock)
            );
            // Every screen and listing says so.
            let listed = stdout(&run(&a, &["list", "--instance", "sales"]));
            assert!(
                listed.contains(&format!("· contested: {contest}")),
                "{listed}"
            );
            let history = stdout(&run(&b, &["history"]));
            assert!(
                history.contains(&format!("· contested: {contest}")),
                "{history}"
            );
        }
    }
    eprintln!("{contested} of {} rounds contested", people.len());
    // A fresh answer settles it.
    let person = &people[0];
    std::thread::sleep(std::time::Duration::from_secs(3));
    bench
        .emu
        .handle()
        .set_answer_jitter(std::time::Duration::ZERO);
    let out = run(&a, &["block", person, "--instance", "sales"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        bench.sql(&format!(
            "SELECT blocked::TEXT || COALESCE(contest, '') FROM ryze_block_state WHERE jid = {}",
            literal(person)
        )),
        "true"
    );
}
