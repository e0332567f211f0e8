//! The headless commands as subprocesses, judged as Unix tools: a closed
//! pipe ends them quietly, each error is printed once, output follows the
//! profile's order and is tab-separated when piped, `profile check` gives
//! each instance an honest verdict, and a contrary answer is a failure.

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use ryze_contacts::emulator::{self, DEMO_ACCOUNT_TOKEN, EmulatorConfig, Fault, RunningEmulator};

/// Writes a profile: `[defaults]` on the emulator, the account token from
/// the environment, then `instances` as TOML text.
fn profile(dir: &Path, emu: &RunningEmulator, instances: &str) {
    std::fs::write(
        dir.join("profile.toml"),
        format!(
            "[defaults]\nbase_url = \"{}\"\n[account]\ntoken_env = \"RYZE_TEST_ACCOUNT\"\n{instances}",
            emu.base_url()
        ),
    )
    .unwrap();
}

pub(crate) fn app(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ryze-contacts"));
    cmd.arg("--profile")
        .arg(dir.join("profile.toml"))
        .arg("--data-dir")
        .arg(dir.join("data"))
        .env("RYZE_TEST_ACCOUNT", DEMO_ACCOUNT_TOKEN)
        .env_remove("RYZE_CONTACTS_PROFILE")
        .env_remove("RYZE_CONTACTS_DATA")
        .stdin(Stdio::null());
    cmd
}

pub(crate) fn run(dir: &Path, args: &[&str]) -> Output {
    app(dir).args(args).output().unwrap()
}

/// An emulator with `contacts` per instance, and a data folder with a
/// profile of `instances` (TOML) on it.
pub(crate) fn serving(
    contacts: usize,
    instances: &str,
) -> (tokio::runtime::Runtime, RunningEmulator, tempfile::TempDir) {
    serving_with(EmulatorConfig::demo(Some(contacts)), instances)
}

/// As [`serving`], with an emulator of `config`.
pub(crate) fn serving_with(
    config: EmulatorConfig,
    instances: &str,
) -> (tokio::runtime::Runtime, RunningEmulator, tempfile::TempDir) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt
        .block_on(emulator::start(
            config,
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        ))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), &emu, instances);
    (rt, emu, dir)
}

const SALES_AND_SUPPORT: &str =
    "[[instances]]\nname = \"sales\"\n[[instances]]\nname = \"support\"\n";

#[test]
fn a_closed_pipe_ends_list_quietly() {
    let (_rt, _emu, dir) = serving(5000, SALES_AND_SUPPORT);
    for json in [false, true] {
        let mut child = app(dir.path())
            .arg("list")
            .args(json.then_some("--json"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        // The reader goes away, as `head -1` does.
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!first.is_empty());
        assert!(stderr.is_empty(), "quiet, no panic: {stderr}");
        assert_eq!(
            out.status.code(),
            Some(141),
            "as a process ended by SIGPIPE"
        );
    }
}

#[test]
fn piped_text_is_tab_separated_in_profile_order() {
    let (_rt, emu, dir) = serving(
        5,
        "[[instances]]\nname = \"support\"\n[[instances]]\nname = \"sales\"\n",
    );
    let out = run(dir.path(), &["instances"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows[0][..2], ["support", "connected"], "{text}");
    assert_eq!(rows[1][..2], ["sales", "connected"], "{text}");
    assert!(!text.contains("  "), "no padding when piped: {text:?}");
    // A batch over every instance reports in profile order, every time,
    // whatever order the answers come in.
    emu.handle()
        .set_latency(std::time::Duration::from_millis(5));
    for _ in 0..3 {
        let out = run(
            dir.path(),
            &[
                "block",
                "--all",
                "+44 7400 123456",
                "+55 11 99999-8888",
                "+1 650-253-0000",
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let keys: Vec<String> = text
            .lines()
            .map(|l| l.split('\t').take(2).collect::<Vec<_>>().join(" "))
            .collect();
        assert_eq!(
            keys,
            [
                "support +44 7400 123456",
                "support +55 11 99999-8888",
                "support +1 650-253-0000",
                "sales +44 7400 123456",
                "sales +55 11 99999-8888",
                "sales +1 650-253-0000",
            ],
            "the same order every run"
        );
    }
}

#[test]
fn each_error_is_printed_once() {
    // marketing is disconnected: its list fails with a 503.
    let (_rt, _emu, dir) = serving(
        5,
        "[[instances]]\nname = \"sales\"\n[[instances]]\nname = \"marketing\"\n",
    );
    let out = run(dir.path(), &["list"]);
    assert_eq!(out.status.code(), Some(4), "some rows, one failure");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.matches("Instance is not connected").count(),
        1,
        "{stderr}"
    );
}

#[test]
fn profile_check_gives_each_instance_a_verdict() {
    let (_rt, _emu, dir) = serving(
        5,
        "[[instances]]\nname = \"sales\"\n[[instances]]\nname = \"support\"\ntoken = \"not-a-token\"\n[[instances]]\nname = \"billing\"\ntoken = \"demo-sales-token\"\n[[instances]]\nname = \"ghost\"\n[[instances]]\nname = \"marketing\"\n[[instances]]\nname = \"faraway\"\nbase_url = \"http://127.0.0.1:1\"\n",
    );
    let out = run(dir.path(), &["profile", "check"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let verdict = |name: &str| -> String {
        stdout
            .lines()
            .find(|l| l.starts_with(&format!("{name}\t")))
            .and_then(|l| l.split('\t').nth(1))
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(verdict("sales"), "ok", "{stdout}");
    assert_eq!(verdict("support"), "wrong token", "{stdout}");
    assert_eq!(verdict("billing"), "token of another instance", "{stdout}");
    assert_eq!(verdict("ghost"), "not on the server", "{stdout}");
    assert_eq!(
        verdict("marketing"),
        "not connected (disconnected)",
        "{stdout}"
    );
    assert!(verdict("faraway").starts_with("unreachable"), "{stdout}");
    assert_eq!(out.status.code(), Some(4), "some instances are unusable");
    // The literal tokens in a file others may read are counted as warnings,
    // and the warning is said once.
    assert!(
        stderr.contains("6 instance(s): 1 usable, 5 not; 1 warning(s)"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("chmod 600").count(), 1, "{stderr}");
}

#[test]
fn profile_check_says_each_instances_websocket_and_how_to_enable_it() {
    let (_rt, emu, dir) = serving(
        5,
        "[[instances]]\nname = \"sales\"\n[[instances]]\nname = \"support\"\n[[instances]]\nname = \"marketing\"\n[[instances]]\nname = \"billing\"\n",
    );
    emu.handle().set_websocket("support", Some(false));
    emu.handle().set_websocket("billing", None);
    // Sales' configuration cannot be read: the check reads them in
    // profile order, and the first read of the events' routes fails.
    emu.handle()
        .push_events_fault(Fault::Status(400, "boom".into()));
    let out = run(dir.path(), &["profile", "check"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let socket = |name: &str| -> String {
        stdout
            .lines()
            .find(|l| l.starts_with(&format!("{name}\t")))
            .and_then(|l| l.split('\t').nth(2))
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        socket("sales"),
        "live feed: unknown (boom (HTTP 400))",
        "{stdout}"
    );
    assert_eq!(socket("support"), "live feed: disabled", "{stdout}");
    assert_eq!(
        socket("marketing"),
        "live feed: enabled",
        "disconnected, its WebSocket is still read: {stdout}"
    );
    assert_eq!(socket("billing"), "live feed: never configured", "{stdout}");
    assert_eq!(out.status.code(), Some(4), "marketing is not connected");
    // Not a terminal: no question, how to enable it instead.
    for (name, words) in [("support", "disabled"), ("billing", "never configured")] {
        assert!(
            stderr.contains(&format!("ryze-contacts: {name}: its WebSocket is {words}: run `ryze-contacts profile check` on a terminal to enable it, or press E in the Live view")),
            "{stderr}"
        );
    }
    assert!(!stderr.contains("[y/N]"), "no prompt: {stderr}");
    assert!(!stderr.contains("sales: its WebSocket"), "{stderr}");
    assert!(!stderr.contains("marketing: its WebSocket"), "{stderr}");
    assert_eq!(emu.handle().websocket("support"), Some((false, vec![])));
    assert_eq!(emu.handle().websocket("billing"), None, "nothing changed");

    emu.handle()
        .push_events_fault(Fault::Status(400, "boom".into()));
    let out = run(dir.path(), &["profile", "check", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let socket = |name: &str| -> serde_json::Value {
        json["instances"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["instance"] == name)
            .unwrap()["websocket"]
            .clone()
    };
    assert_eq!(socket("sales")["error"], "boom (HTTP 400)", "{json}");
    assert!(socket("sales")["hint"].is_string(), "{json}");
    assert_eq!(
        socket("support"),
        serde_json::json!({"state": "disabled", "serves_live_feed": false})
    );
    assert_eq!(
        socket("marketing"),
        serde_json::json!({"state": "enabled", "serves_live_feed": true})
    );
    assert_eq!(
        socket("billing"),
        serde_json::json!({"state": "never configured", "serves_live_feed": false})
    );
    assert_eq!(out.status.code(), Some(4));
}

#[test]
fn an_answer_contrary_to_the_only_request_exits_3_with_the_servers_words() {
    let (_rt, emu, dir) = serving(5, "[[instances]]\nname = \"sales\"\n");
    emu.handle().push_block_fault(Fault::Raw {
        status: 200,
        headers: Vec::new(),
        body: br#"{"success": true, "message": "Contact is not blocked", "contact_jid": "447400123456@s.whatsapp.net", "blocked": false, "blocked_count": 0}"#.to_vec(),
    });
    let out = run(dir.path(), &["block", "+44 7400 123456"]);
    assert_eq!(out.status.code(), Some(3), "the one request failed");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("server: Contact is not blocked"),
        "{stdout}"
    );
}

#[test]
fn the_blocked_list_holds_numbers_that_are_not_contacts() {
    let (_rt, _emu, dir) = serving(5, "[[instances]]\nname = \"sales\"\n");
    let contact = emulator::address_book("sales", 5)
        .into_iter()
        .find(|c| c.jid.ends_with("@s.whatsapp.net"))
        .unwrap();
    let out = run(dir.path(), &["block", &contact.jid, "+44 7400 123456"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = std::fs::read_to_string(dir.path().join("data/ryze-contacts.log")).unwrap();
    let line = log
        .lines()
        .find(|l| l.contains("block state changed") && l.contains("+44 7400 123456"))
        .unwrap_or_else(|| panic!("the log names the number: {log}"));
    assert!(line.contains("instance=sales"), "and the instance: {line}");
    let out = run(dir.path(), &["list", "--blocked"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(
        stdout.contains("sales\t+44 7400 123456\tblocked\tnot in contacts\t+447400123456"),
        "{stdout}"
    );
    let exported = run(dir.path(), &["export"]);
    assert_eq!(
        String::from_utf8_lossy(&exported.stdout).lines().count(),
        3,
        "the same two numbers, and the header"
    );
}

#[test]
fn history_prints_the_ledgers_actions_newest_first() {
    let (_rt, emu, dir) = serving(5, SALES_AND_SUPPORT);
    let contact = emulator::address_book("sales", 5)
        .into_iter()
        .find(|c| c.jid.ends_with("@s.whatsapp.net"))
        .unwrap();
    // The list saves the contact names the history shows.
    assert!(
        run(dir.path(), &["list", "--instance", "sales"])
            .status
            .success()
    );
    assert!(
        run(dir.path(), &["block", &contact.jid, "--instance", "sales"])
            .status
            .success()
    );
    emu.handle().set_state("support", "disconnected");
    let failed = run(
        dir.path(),
        &["block", "+44 7400 123456", "--instance", "SUPPORT"],
    );
    assert_eq!(failed.status.code(), Some(3), "{failed:?}");

    let out = run(dir.path(), &["history"]);
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<Vec<&str>> = stdout.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 2, "{stdout}");
    // Newest first: the failed one on support.
    assert_eq!(rows[0][1], "support");
    assert_eq!(rows[0][2], "+44 7400 123456");
    assert_eq!(&rows[0][4..6], ["block", "failed"]);
    assert!(rows[0][6].contains("HTTP 503"), "{stdout}");
    assert_eq!(rows[1][1], "sales");
    assert_eq!(
        rows[1][3],
        contact.full_name.as_deref().unwrap_or("-"),
        "{stdout}"
    );
    assert_eq!(&rows[1][4..6], ["block", "done"]);

    let one = run(dir.path(), &["history", "--instance", "sales", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
    let items = json.as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["result"], "done");
    assert_eq!(items[0]["action"], "block");
    assert_eq!(items[0]["jid"], contact.jid.as_str());

    let later = run(dir.path(), &["history", "--since", "2999-01-01"]);
    assert!(later.status.success());
    assert!(later.stdout.is_empty());
    let bad = run(dir.path(), &["history", "--since", "2026-02-30"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("YYYY-MM-DD"));
}

#[test]
fn a_batch_prints_the_settled_count_even_when_answers_raced() {
    let (_rt, emu, dir) = serving(5, "[[instances]]\nname = \"sales\"\n");
    emu.handle()
        .set_answer_jitter(std::time::Duration::from_millis(80));
    let numbers: Vec<String> = (0..20).map(|i| format!("+44 7400 1235{i:02}")).collect();
    std::fs::write(dir.path().join("wave.txt"), numbers.join("\n")).unwrap();
    let from = dir.path().join("wave.txt");
    let out = run(
        dir.path(),
        &["block", "--from", from.to_str().unwrap(), "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let server = emu.handle().blocklist("sales").len();
    assert_eq!(server, 20);
    assert_eq!(json["blocked_count"]["sales"], 20, "{json}");
    let text = run(dir.path(), &["unblock", "--from", from.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&text.stderr).contains("sales: blocked 0 on the server now"),
        "{}",
        String::from_utf8_lossy(&text.stderr)
    );
}

#[test]
fn all_says_what_it_leaves_out_before_sending() {
    let (_rt, emu, dir) = serving(
        5,
        "[[instances]]\nname = \"sales\"\n[[instances]]\nname = \"marketing\"\n",
    );
    let out = run(
        dir.path(),
        &["block", "+44 7400 123456", "123456789012345@lid", "--all"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("marketing not connected: skipped"),
        "{stderr}"
    );
    // The @lid goes by the number its lookup gives: it is no one's here.
    assert!(
        stderr.contains(
            "1 hidden-number (@lid) request(s) go by the number a lookup of the @lid gives, or are left out"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 hidden number(s) not matched by number: 123456789012345@lid on sales: not on WhatsApp"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(4), "sent, but not all: {stderr}");
    let sent = emu.handle().block_requests();
    assert!(
        sent.iter().all(|(instance, _, _)| instance == "sales"),
        "{sent:?}"
    );
    assert!(
        sent.iter().all(|(_, number, _)| !number.ends_with("@lid")),
        "{sent:?}"
    );
}

/// The size of the largest file in `dir`.
fn largest_file(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .max()
        .unwrap()
}

/// `block --json` of 50 numbers on the sales instance (without lookups, whose identities are written before the
/// batch starts), with files limited to `blocks` of 512 bytes.
fn block_fifty(dir: &Path, blocks: Option<u64>) -> Output {
    let numbers: String = (1..=50).map(|i| format!("+5511977{i:06}\n")).collect();
    std::fs::write(dir.join("numbers.txt"), numbers).unwrap();
    let limit = blocks.map_or("unlimited".to_string(), |b| b.to_string());
    Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -f {limit} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_ryze-contacts"))
        .args(app(dir).get_args())
        .args([
            "block",
            "--instance",
            "sales",
            "--no-lookup",
            "--json",
            "--from",
        ])
        .arg(dir.join("numbers.txt"))
        .env("RYZE_TEST_ACCOUNT", DEMO_ACCOUNT_TOKEN)
        .env_remove("RYZE_CONTACTS_PROFILE")
        .env_remove("RYZE_CONTACTS_DATA")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The disk fills during a batch (a file-size limit on the process makes
/// the ledger's writes fail part-way): what the server did but the ledger
/// could not record is said, nothing more is sent, the exit is not 0, and
/// `resume` sends the rest and again what was not recorded, and records
/// it, once there is room.
#[test]
fn a_full_disk_mid_batch_is_never_reported_as_recorded() {
    let (_rt, emu, dir) = serving(5, "[[instances]]\nname = \"sales\"\n");
    // The ledger exists before the limit applies.
    assert!(run(dir.path(), &["list"]).status.success());
    // The limit starts a little above the ledger's largest file and grows
    // by half while the batch cannot even start (refused before anything
    // is sent: checked each time), so that it falls mid-batch whatever the
    // schema and the write-ahead log weigh.
    let mut blocks = largest_file(&dir.path().join("data")) / 512 + 120;
    let mut out = block_fifty(dir.path(), Some(blocks));
    for _ in 0..12 {
        if !String::from_utf8_lossy(&out.stderr).contains("not started") {
            break;
        }
        assert!(out.stdout.is_empty());
        assert_ne!(out.status.code(), Some(0));
        assert!(
            emu.handle().block_requests().is_empty(),
            "nothing is sent when the batch cannot be recorded"
        );
        blocks += blocks / 2;
        out = block_fifty(dir.path(), Some(blocks));
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    let unrecorded = report["unrecorded"].as_u64().unwrap();
    assert!(unrecorded > 0, "the limit was hit: {report}");
    let held_back = report["held_back"].as_u64().unwrap();
    let done = report["done"].as_u64().unwrap();
    assert_eq!(done + unrecorded + held_back, 50, "{report}");
    let results = report["results"].as_array().unwrap();
    let not_recorded: Vec<&serde_json::Value> =
        results.iter().filter(|r| r["recorded"] == false).collect();
    assert_eq!(not_recorded.len() as u64, unrecorded);
    assert!(
        not_recorded.iter().all(|r| r["outcome"]
            .as_str()
            .unwrap()
            .starts_with("blocked on the server, not recorded")),
        "{not_recorded:?}"
    );
    assert!(
        stderr.contains("then run `ryze-contacts resume`"),
        "{stderr}"
    );
    assert_eq!(
        emu.handle().blocklist("sales").len() as u64,
        done + unrecorded,
        "the server blocked what was sent, and nothing after the ledger failed"
    );

    // With room again, resume sends exactly the unrecorded and the held
    // back ones, and the ledger then knows all 50.
    let before = emu.handle().block_requests().len();
    let out = run(dir.path(), &["resume", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // (Once more for one of them: the request that settles the count.)
    let resent: std::collections::HashSet<String> = emu.handle().block_requests()[before..]
        .iter()
        .map(|(_, number, _)| number.clone())
        .collect();
    assert_eq!(resent.len() as u64, unrecorded + held_back);
    assert_eq!(emu.handle().blocklist("sales").len(), 50);
    let export = run(dir.path(), &["export"]);
    assert_eq!(String::from_utf8_lossy(&export.stdout).lines().count(), 51);
    let again = run(dir.path(), &["resume"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("no unfinished batch"));
}

#[test]
fn from_reads_standard_input_and_refuses_endless_input() {
    let (_rt, emu, dir) = serving(5, "[[instances]]\nname = \"sales\"\n");
    let mut child = app(dir.path())
        .args(["block", "--instance", "sales", "--from", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(b"\xEF\xBB\xBF+55 11 97777-0001\n# a comment\n+55 11 97777-0002\n")
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(emu.handle().blocklist("sales").len(), 2);
    // /dev/zero has no end and no line break: refused, nothing sent.
    let before = emu.handle().block_requests().len();
    let out = run(
        dir.path(),
        &["block", "--instance", "sales", "--from", "/dev/zero"],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("/dev/zero: line 1 is longer than 1024 bytes"),
        "{stderr}"
    );
    assert_eq!(emu.handle().block_requests().len(), before);
}

/// A data folder the app did not make keeps its mode (a shared 1777
/// folder keeps its sticky bit, run after run), and one that others can
/// write to gets a warning.
#[test]
fn a_data_folder_the_app_did_not_make_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let (_rt, _emu, dir) = serving(5, "[[instances]]\nname = \"sales\"\n");
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    for _ in 0..2 {
        let out = Command::new(env!("CARGO_BIN_EXE_ryze-contacts"))
            .arg("--profile")
            .arg(dir.path().join("profile.toml"))
            .arg("--data-dir")
            .arg(&shared)
            .args(["list", "--instance", "sales"])
            .env("RYZE_TEST_ACCOUNT", DEMO_ACCOUNT_TOKEN)
            .env_remove("RYZE_CONTACTS_PROFILE")
            .env_remove("RYZE_CONTACTS_DATA")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("can be written by other users"), "{stderr}");
        let mode = std::fs::metadata(&shared).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o1777, "sticky bit and mode kept");
        let ledger = std::fs::metadata(shared.join("ledger.sqlite3")).unwrap();
        assert_eq!(
            ledger.permissions().mode() & 0o777,
            0o600,
            "the app's own file is private"
        );
    }
}

#[test]
fn the_instances_own_number_is_refused_as_the_ui_refuses_it() {
    let (_rt, emu, dir) = serving(5, SALES_AND_SUPPORT);
    // sales is +55 11 95555-0101 on the emulator; support may block it.
    let out = run(
        dir.path(),
        &["block", "+55 11 95555-0101", "--instance", "sales"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("that is the instance's own number"),
        "{stderr}"
    );
    assert!(emu.handle().block_requests().is_empty(), "nothing sent");
    let out = run(
        dir.path(),
        &["block", "+55 11 95555-0101", "--instance", "support"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(emu.handle().block_requests().len(), 1);
}

#[test]
fn read_only_sends_nothing_and_says_so_but_lists() {
    let (_rt, emu, dir) = serving(5, SALES_AND_SUPPORT);
    let out = run(
        dir.path(),
        &[
            "--read-only",
            "block",
            "+44 7400 123456",
            "--instance",
            "sales",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("read-only: no block or unblock is sent to sales"),
        "{stderr}"
    );
    assert_eq!(
        emu.handle().request_count(),
        0,
        "not even the instance list"
    );
    // In the profile, for one instance.
    let text = std::fs::read_to_string(dir.path().join("profile.toml")).unwrap();
    let text = text.replace(
        "name = \"support\"\n",
        "name = \"support\"\nread_only = true\n",
    );
    std::fs::write(dir.path().join("profile.toml"), text).unwrap();
    let out = run(dir.path(), &["unblock", "--all", "+44 7400 123456"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("support"));
    assert!(emu.handle().block_requests().is_empty());
    let out = run(dir.path(), &["--read-only", "list", "--instance", "sales"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "reading is what read-only is for"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 5);
}

#[test]
fn the_operator_and_the_reason_are_recorded_and_shown_everywhere() {
    let (_rt, _emu, dir) = serving(5, SALES_AND_SUPPORT);
    let path = dir.path().join("profile.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("[defaults]\n", "[defaults]\noperator = \"desk-2\"\n"),
    )
    .unwrap();
    let out = run(
        dir.path(),
        &[
            "block",
            "+44 7400 123456",
            "--instance",
            "sales",
            "--reason",
            "spam",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(dir.path(), &["history", "--json"]);
    let history: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(history[0]["operator"], "desk-2", "{history}");
    assert_eq!(history[0]["reason"], "spam", "{history}");
    let out = run(dir.path(), &["export"]);
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(
        csv.lines().nth(1).unwrap().ends_with(",desk-2,spam"),
        "{csv}"
    );
    let out = run(
        dir.path(),
        &["list", "--blocked", "--json", "--instance", "sales"],
    );
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list[0]["operator"], "desk-2", "{list}");
    assert_eq!(list[0]["reason"], "spam", "{list}");
    // Without a reason, none is recorded; the operator still is.
    let out = run(
        dir.path(),
        &["unblock", "+44 7400 123456", "--instance", "sales"],
    );
    assert_eq!(out.status.code(), Some(0));
    let out = run(dir.path(), &["history", "--json"]);
    let history: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(history[0]["operator"], "desk-2");
    assert!(history[0]["reason"].is_null(), "{history}");
}

#[test]
fn ledger_status_says_which_ledger_its_schema_size_and_counts() {
    let (_rt, _emu, dir) = serving(5, SALES_AND_SUPPORT);
    let out = run(
        dir.path(),
        &["block", "+44 7400 123456", "--instance", "sales"],
    );
    assert_eq!(out.status.code(), Some(0));
    let out = run(dir.path(), &["ledger", "status", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let st: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(st["backend"], "sqlite");
    assert!(
        st["location"].as_str().unwrap().ends_with("ledger.sqlite3"),
        "{st}"
    );
    assert_eq!(st["schema"], st["newest_schema"], "{st}");
    assert_eq!(st["actions"], 1);
    assert_eq!(st["blocked"], 1);
    assert_eq!(st["open_batches"], 0);
    assert!(st["bytes"].as_u64().unwrap() > 0);
    let out = run(dir.path(), &["ledger", "status"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("known blocked\t1"), "{text}");
}
