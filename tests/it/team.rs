//! The team's ledger on a real PostgreSQL (a throw-away cluster on
//! 127.0.0.1): two operators with their own data folders and profiles on
//! one database, a colleague's block on a running screen, the database
//! killed in the middle of a batch, `ledger migrate`, an unreachable
//! database and read-only. What every ledger backend must do alike (claims,
//! history, counts, the change mark, a newer schema) is in
//! `ledger_conformance`.

use std::net::{Ipv4Addr, SocketAddr};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use ryze_contacts::emulator::{self, DEMO_ACCOUNT_TOKEN, EmulatorConfig, RunningEmulator};
use serde_json::Value;

use crate::e2e::App;
use crate::pg_cluster::Cluster;

/// The emulator, the database and a folder for the desks.
struct Team {
    _rt: tokio::runtime::Runtime,
    emu: RunningEmulator,
    pg: Cluster,
    dir: tempfile::TempDir,
}

impl Team {
    fn new(contacts: usize, latency: Duration) -> Team {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let emu = rt
            .block_on(emulator::start(
                EmulatorConfig {
                    latency,
                    ..EmulatorConfig::demo(Some(contacts))
                },
                SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            ))
            .unwrap();
        Team {
            _rt: rt,
            emu,
            pg: Cluster::start(),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A desk: its own folder and profile, operator `name`, on the team's
    /// ledger at `url` (or on its own file when `None`).
    fn desk_on(&self, name: &str, url: Option<&str>) -> PathBuf {
        let desk = self.dir.path().join(name);
        std::fs::create_dir_all(&desk).unwrap();
        let ledger = url
            .map(|url| format!("[ledger]\nurl = \"{url}\"\n"))
            .unwrap_or_default();
        let profile = desk.join("profile.toml");
        std::fs::write(
            &profile,
            format!(
                "[defaults]\nbase_url = \"{}\"\noperator = \"{name}\"\n[account]\ntoken = \"{DEMO_ACCOUNT_TOKEN}\"\n{ledger}[[instances]]\nname = \"sales\"\n",
                self.emu.base_url()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&profile, std::fs::Permissions::from_mode(0o600)).unwrap();
        desk
    }

    fn desk(&self, name: &str) -> PathBuf {
        self.desk_on(name, Some(&self.pg.url("team")))
    }
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
        .stdin(Stdio::null());
    cmd
}

fn run(desk: &Path, args: &[&str]) -> Output {
    command(desk, args).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// The JIDs of the first `n` contacts of sales.
fn contacts(n: usize, of: usize) -> Vec<String> {
    emulator::address_book("sales", of)
        .into_iter()
        .take(n)
        .map(|c| c.jid)
        .collect()
}

#[test]
fn two_operators_share_one_ledger_with_who_and_why() {
    let team = Team::new(20, Duration::ZERO);
    let (one, two) = (team.desk("desk-1"), team.desk("desk-2"));
    let jid = &contacts(1, 20)[0];

    let out = run(
        &two,
        &["block", jid, "--instance", "sales", "--reason", "spam"],
    );
    assert!(out.status.success(), "{}", stderr(&out));

    // desk-1 sees desk-2's block, who made it and why.
    let out = run(&one, &["list", "--blocked", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = json(&out);
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["jid"] == *jid)
        .unwrap_or_else(|| panic!("{jid} not listed as blocked: {rows}"));
    assert_eq!(row["operator"], "desk-2", "{row}");
    assert_eq!(row["reason"], "spam", "{row}");

    let out = run(&one, &["history", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let history = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        history.contains("\"desk-2\"") && history.contains("\"spam\""),
        "{history}"
    );

    let out = run(&one, &["ledger", "status", "--json"]);
    let status = json(&out);
    assert_eq!(status["backend"], "postgres");
    assert_eq!(status["location"], team.pg.url("team"));
    assert_eq!(status["blocked"], 1);

    // Shared means in the database, not in either data folder.
    for desk in [&one, &two] {
        assert!(!desk.join("data").join("ledger.sqlite3").exists());
    }
    assert_eq!(
        team.pg
            .query("SELECT operator || '|' || reason || '|' || blocked FROM ryze_block_state"),
        "desk-2|spam|true"
    );
    assert_eq!(team.emu.handle().blocklist("sales").len(), 1);
}

#[test]
fn a_colleagues_block_shows_on_a_running_screen_within_seconds() {
    let team = Team::new(40, Duration::ZERO);
    let (one, two) = (team.desk("desk-1"), team.desk("desk-2"));
    let mut app = App::start(&one.join("profile.toml"), &one.join("data"));
    let screen = app.screen.clone();
    screen.wait_for("40 of 40");
    let before = screen.wait_for("blocked: ?");
    assert!(!before.contains("known to the team"), "{before}");

    let jid = &contacts(1, 40)[0];
    let out = run(
        &two,
        &["block", jid, "--instance", "sales", "--reason", "abuse"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let recorded = Instant::now();
    let shown = screen.wait_for("(1 known to the team)");
    let latency = recorded.elapsed();
    eprintln!("a colleague's block reached the screen in {latency:?}");
    // The first row is the contact desk-2 blocked: it shows as blocked.
    assert!(shown.contains("⊘"), "{shown}");
    assert!(
        latency < Duration::from_secs(10),
        "a colleague's block took {latency:?} to show"
    );

    // Its details say who and why.
    app.press(b"\r");
    let details = screen.wait_for("by desk-2: abuse");
    assert!(details.contains("blocked"), "{details}");
    app.press(b"\x1b");
    // Apart, so that the terminal does not read Esc q as Alt-q.
    std::thread::sleep(Duration::from_millis(300));
    app.press(b"q");
    let (status, _) = app.wait_exit();
    assert!(status.success(), "{status:?}");
}

#[test]
fn postgres_killed_mid_batch_loses_no_answer_and_resume_completes_it() {
    // Slow answers: the database dies after the first wave of answers
    // and well before the next (eight are sent at a time).
    let team = Team::new(30, Duration::from_millis(1500));
    let desk = team.desk("desk-1");
    let jids = contacts(12, 30);
    let mut args = vec!["block", "--instance", "sales", "--json"];
    args.extend(jids.iter().map(String::as_str));
    let child = command(&desk, &args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once the first answers are recorded, the database dies.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let out = team.pg.psql(
            "team",
            "SELECT COUNT(*) FROM ryze_actions WHERE outcome = 'done'",
        );
        if String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse::<u32>()
            .unwrap_or(0)
            > 0
        {
            break;
        }
        assert!(Instant::now() < deadline, "no answer was recorded");
        std::thread::sleep(Duration::from_millis(20));
    }
    team.pg.kill();
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("answered by the server but not recorded"),
        "{err}"
    );
    assert!(
        err.contains("check the connection to the team ledger"),
        "{err}"
    );
    assert!(err.contains("ryze-contacts resume"), "{err}");
    let report = json(&out);
    let unrecorded = report["unrecorded"].as_u64().unwrap();
    assert!(unrecorded > 0, "{report}");
    // Every item the report calls recorded is in the database.
    team.pg.start_server();
    let recorded: u64 = team
        .pg
        .query("SELECT COUNT(*) FROM ryze_actions WHERE outcome = 'done'")
        .parse()
        .unwrap();
    let said_recorded = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["ok"] == true && i["recorded"] == true)
        .count() as u64;
    assert_eq!(recorded, said_recorded, "{report}");

    let out = run(&desk, &["resume", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        team.pg
            .query("SELECT COUNT(*) FROM ryze_block_state WHERE blocked"),
        "12"
    );
    assert_eq!(
        team.pg
            .query("SELECT COUNT(*) FROM ryze_batches WHERE status = 'open'"),
        "0"
    );
    assert_eq!(team.emu.handle().blocklist("sales").len(), 12);
}

#[test]
fn migrate_copies_a_local_ledger_once() {
    let team = Team::new(20, Duration::ZERO);
    let solo = team.desk_on("solo", None);
    let jids = contacts(3, 20);
    let mut args = vec!["block", "--instance", "sales", "--reason", "fraud"];
    args.extend(jids.iter().map(String::as_str));
    let out = run(&solo, &args);
    assert!(out.status.success(), "{}", stderr(&out));

    let url = team.pg.url("team");
    let out = run(&solo, &["ledger", "migrate", "--to", &url, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let first = json(&out);
    assert_eq!(first["copied"]["actions"], 3, "{first}");
    assert_eq!(first["copied"]["known"], 3, "{first}");
    assert_eq!(first["copied"]["batches"], 1, "{first}");
    assert_eq!(first["to"], url);

    let out = run(&solo, &["ledger", "migrate", "--to", &url]);
    assert!(out.status.success(), "{}", stderr(&out));
    let again = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        again.contains("copied 0 request(s) (3 there already)"),
        "{again}"
    );

    let desk = team.desk("desk-1");
    let out = run(&desk, &["export", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let export = String::from_utf8_lossy(&out.stdout).into_owned();
    for jid in &jids {
        assert!(export.contains(jid.as_str()), "{jid}: {export}");
    }
    assert_eq!(
        team.pg.query(
            "SELECT COUNT(*) FROM ryze_actions WHERE operator = 'solo' AND reason = 'fraud'"
        ),
        "3"
    );
}

#[test]
fn migrate_says_a_password_is_needed_and_tells_a_refused_one_from_a_server_down() {
    let team = Team::new(5, Duration::ZERO);
    team.pg.add_password_user("desk", "right-one");
    let solo = team.desk_on("solo", None);
    let url = team.pg.url_for("desk");

    // As the README writes it: no password given.
    let out = run(&solo, &["ledger", "migrate", "--to", &url]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("wants a password for desk"), "{err}");
    assert!(err.contains("--password-env"), "{err}");
    assert!(!err.contains("check that PostgreSQL runs"), "{err}");

    // A wrong one: refused by a server that runs.
    let out = command(
        &solo,
        &[
            "ledger",
            "migrate",
            "--to",
            &url,
            "--password-env",
            "DB_PASS",
        ],
    )
    .env("DB_PASS", "wrong-one")
    .output()
    .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("refused desk"), "{err}");
    assert!(err.contains("check the password"), "{err}");
    assert!(!err.contains("check that PostgreSQL runs"), "{err}");
    assert!(
        !err.contains("wrong-one"),
        "a password is never shown: {err}"
    );

    let out = command(
        &solo,
        &[
            "ledger",
            "migrate",
            "--to",
            &url,
            "--password-env",
            "DB_PASS",
        ],
    )
    .env("DB_PASS", "right-one")
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("copied 0 request(s)"));
}

#[test]
fn an_unreachable_database_is_named_and_nothing_is_touched() {
    let team = Team::new(5, Duration::ZERO);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let desk = team.desk_on(
        "desk-1",
        Some(&format!("postgres://desk@127.0.0.1:{port}/team")),
    );
    let out = run(&desk, &["block", &contacts(1, 5)[0], "--instance", "sales"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("cannot be reached"), "{err}");
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    assert!(team.emu.handle().block_requests().is_empty());
    assert!(!desk.join("data").join("ledger.sqlite3").exists());
}

#[test]
fn read_only_sends_nothing_and_writes_nothing_to_the_team() {
    let team = Team::new(5, Duration::ZERO);
    let desk = team.desk("viewer");
    let out = run(
        &desk,
        &[
            "--read-only",
            "block",
            &contacts(1, 5)[0],
            "--instance",
            "sales",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("read-only"), "{}", stderr(&out));
    assert!(team.emu.handle().block_requests().is_empty());
    assert_eq!(team.pg.query("SELECT COUNT(*) FROM ryze_actions"), "0");
}
