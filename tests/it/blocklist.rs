//! The team's blocklist with the real binary, against the emulator over
//! loopback, on three instances and a SQLite ledger: an import that
//! refuses a bad file whole (or skips its bad lines when told), `plan`
//! and `apply` and a second plan with nothing to send, a new instance
//! given the whole list, a retraction that keeps a hand block, an expiry
//! that unblocks where the list blocked, numbers not on WhatsApp never
//! sent, `kill -9` in the middle of `apply` and `resume` sending exactly
//! the rest, `apply --plan ID` refusing a plan that changed, the JSON
//! line formats and their order. The same on the team's PostgreSQL, with
//! two desks applying at once, is in `blocklist_team`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use ryze_contacts::emulator::{
    EmulatorConfig, NOT_ON_WHATSAPP_200, NOT_ON_WHATSAPP_404, RunningEmulator,
};
use serde_json::Value;

use crate::headless::{app, run, serving, serving_with};

/// The three instances every test here starts with.
pub(crate) const THREE: &[&str] = &["sales", "support", "billing"];

/// Numbers on no address book of the emulator.
pub(crate) const SPAM: [&str; 4] = [
    "+5511911110001",
    "+5511911110002",
    "+5511911110003",
    "+5511911110004",
];

/// The profile of a desk: operator `operator`, the account token from the
/// environment (as `headless::app` sets it), `instances`, and `extra`
/// TOML (a `[ledger]`).
pub(crate) fn profile_text(
    emu: &RunningEmulator,
    operator: &str,
    instances: &[&str],
    extra: &str,
) -> String {
    let mut text = format!(
        "[defaults]\nbase_url = \"{}\"\noperator = \"{operator}\"\n[account]\ntoken_env = \"RYZE_TEST_ACCOUNT\"\n{extra}",
        emu.base_url()
    );
    for name in instances {
        text.push_str(&format!("[[instances]]\nname = \"{name}\"\n"));
    }
    text
}

fn set_profile(dir: &Path, emu: &RunningEmulator, instances: &[&str]) {
    std::fs::write(
        dir.join("profile.toml"),
        profile_text(emu, "desk-1", instances, ""),
    )
    .unwrap();
}

/// An emulator with 20 contacts an instance and a desk on `THREE`.
fn desk() -> (tokio::runtime::Runtime, RunningEmulator, tempfile::TempDir) {
    let (rt, emu, dir) = serving(20, "");
    set_profile(dir.path(), &emu, THREE);
    (rt, emu, dir)
}

pub(crate) fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub(crate) fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `args`, which must succeed.
fn ok(dir: &Path, args: &[&str]) -> Output {
    let out = run(dir, args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}{}",
        stdout(&out),
        stderr(&out)
    );
    out
}

/// Each line of standard output as a JSON object.
pub(crate) fn lines(out: &Output) -> Vec<Value> {
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// A plan step as (instance, action, number).
pub(crate) type Step = (String, String, String);

/// The steps of `plan --json`, in their order, each line checked: its
/// keys, a number in E.164, the plan's id on every line.
pub(crate) fn steps(out: &Output) -> (Vec<Step>, Option<String>) {
    let mut ids = BTreeSet::new();
    let steps = lines(out)
        .iter()
        .map(|v| {
            let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                ["action", "instance", "number", "plan", "reason"],
                "{v}"
            );
            let number = v["number"].as_str().unwrap();
            assert!(
                number.starts_with('+') && number[1..].bytes().all(|b| b.is_ascii_digit()),
                "E.164: {v}"
            );
            assert!(!v["reason"].as_str().unwrap().is_empty(), "{v}");
            ids.insert(v["plan"].as_str().unwrap().to_string());
            (
                v["instance"].as_str().unwrap().to_string(),
                v["action"].as_str().unwrap().to_string(),
                number.to_string(),
            )
        })
        .collect();
    assert!(ids.len() <= 1, "one plan id: {ids:?}");
    (steps, ids.into_iter().next())
}

/// The plan of the desk in `dir`, as `plan --json` gives it.
fn plan(dir: &Path) -> (Vec<Step>, Option<String>) {
    steps(&ok(dir, &["plan", "--json"]))
}

/// The steps of `action` on every instance of `names`, for `numbers`, in
/// the order a plan gives them (profile order, then number).
pub(crate) fn each(names: &[&str], action: &str, numbers: &[&str]) -> Vec<Step> {
    let mut numbers = numbers.to_vec();
    numbers.sort_unstable();
    names
        .iter()
        .flat_map(|name| {
            numbers
                .iter()
                .map(move |n| (name.to_string(), action.to_string(), n.to_string()))
        })
        .collect()
}

/// The numbers an instance of the emulator blocks, as `+E.164`: those
/// whose last request there was a block (the server keys a person by
/// their `@lid` when it knows one, so its own list names few numbers).
pub(crate) fn blocked_on(emu: &RunningEmulator, instance: &str) -> BTreeSet<String> {
    let mut last = BTreeMap::new();
    for (name, number, block) in emu.handle().block_requests() {
        if name == instance {
            last.insert(format!("+{}", number.split('@').next().unwrap()), block);
        }
    }
    let blocked: BTreeSet<String> = last
        .into_iter()
        .filter(|(_, block)| *block)
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        emu.handle().blocklist(instance).len(),
        blocked.len(),
        "{instance}: the server's own count"
    );
    blocked
}

fn numbers(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|n| n.to_string()).collect()
}

/// Writes `text` as a file of the desk; its path.
fn file(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn an_import_with_bad_lines_adds_nothing_and_names_each_line() {
    let (_rt, emu, dir) = desk();
    let path = file(
        dir.path(),
        "feed-1.csv",
        "number,reason\n+55 11 91111-0001,spam\nnot a number,x\n(11) 91111-0002,scam\n+55 11 12,short\n+5511911110003,\n",
    );
    let out = run(dir.path(), &["blocklist", "import", &path]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("nothing imported: 2 line(s)"), "{err}");
    assert!(err.contains("line 3: not a number"), "{err}");
    assert!(err.contains("line 5: +55 11 12"), "{err}");
    assert!(err.contains("--skip-invalid"), "{err}");
    let out = ok(dir.path(), &["blocklist", "list", "--json"]);
    assert!(stdout(&out).is_empty(), "nothing added: {}", stdout(&out));

    let out = ok(
        dir.path(),
        &["blocklist", "import", &path, "--skip-invalid"],
    );
    let err = stderr(&out);
    assert!(err.contains("skipped line 3"), "{err}");
    assert!(err.contains("skipped line 5"), "{err}");
    assert!(
        err.contains("3 number(s) read, 3 added, 0 updated (source feed-1)"),
        "{err}"
    );
    // The list as JSON lines: every field, the number in E.164, the
    // order of the file.
    let out = ok(dir.path(), &["blocklist", "list", "--json"]);
    let rows = lines(&out);
    let got: Vec<(&str, Option<&str>)> = rows
        .iter()
        .map(|v| (v["number"].as_str().unwrap(), v["reason"].as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (SPAM[0], Some("spam")),
            (SPAM[1], Some("scam")),
            (SPAM[2], None)
        ]
    );
    for v in &rows {
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["added", "expires", "number", "operator", "reason", "source"]
        );
        assert_eq!(v["source"], "feed-1", "{v}");
        assert_eq!(v["operator"], "desk-1", "{v}");
        assert!(v["added"].as_str().unwrap().ends_with('Z'), "{v}");
        assert_eq!(v["expires"], Value::Null, "{v}");
    }
    // The same file again: nothing new.
    let out = ok(
        dir.path(),
        &["blocklist", "import", &path, "--skip-invalid"],
    );
    assert!(
        stderr(&out).contains("3 number(s) read, 0 added, 3 updated"),
        "{}",
        stderr(&out)
    );
    assert!(
        emu.handle().block_requests().is_empty(),
        "an import sends nothing"
    );
}

#[test]
fn plan_apply_and_a_second_plan_sends_nothing_and_a_new_instance_gets_the_whole_list() {
    let (_rt, emu, dir) = desk();
    let mut args = vec!["blocklist", "add", "--reason", "spam wave"];
    args.extend(SPAM.iter().rev());
    ok(dir.path(), &args);

    let (first, id) = plan(dir.path());
    assert_eq!(
        first,
        each(THREE, "block", &SPAM),
        "profile order, then number"
    );
    assert_eq!(
        plan(dir.path()),
        (first.clone(), id.clone()),
        "the same plan, the same id"
    );
    let out = run(dir.path(), &["plan", "--json"]);
    assert!(
        lines(&out).iter().all(|v| v["reason"] == "spam wave"),
        "{}",
        stdout(&out)
    );
    assert!(
        emu.handle().block_requests().is_empty(),
        "a plan sends nothing"
    );

    let id = id.unwrap();
    let out = ok(dir.path(), &["apply", "--plan", &id, "--json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["results"].as_array().unwrap().len(), 12, "{report}");
    for name in THREE {
        assert_eq!(blocked_on(&emu, name), numbers(&SPAM), "{name}");
    }
    let (second, _) = plan(dir.path());
    assert!(
        second.is_empty(),
        "every instance follows the list: {second:?}"
    );
    // Every block once, and at most one restatement an instance (the
    // request that reads the settled count).
    let sent = emu.handle().block_requests().len();
    assert!((12..=15).contains(&sent), "{sent}");
    let out = ok(dir.path(), &["apply", "--yes"]);
    assert!(stderr(&out).contains("nothing to send"), "{}", stderr(&out));
    assert_eq!(
        emu.handle().block_requests().len(),
        sent,
        "nothing sent twice"
    );

    // A fourth instance joins the profile: the whole list, there only.
    emu.handle().set_state("marketing", "connected");
    set_profile(
        dir.path(),
        &emu,
        &["sales", "support", "billing", "marketing"],
    );
    let (joined, id) = plan(dir.path());
    assert_eq!(joined, each(&["marketing"], "block", &SPAM));
    ok(dir.path(), &["apply", "--plan", &id.unwrap()]);
    assert_eq!(blocked_on(&emu, "marketing"), numbers(&SPAM));
    assert!(plan(dir.path()).0.is_empty());
}

#[test]
fn apply_refuses_a_plan_that_changed_since_it_was_shown() {
    let (_rt, emu, dir) = desk();
    ok(dir.path(), &["blocklist", "add", SPAM[0]]);
    let (_, shown) = plan(dir.path());
    let shown = shown.unwrap();
    ok(dir.path(), &["blocklist", "add", SPAM[1]]);
    let out = run(dir.path(), &["apply", "--plan", &shown]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("the plan changed since {shown}")),
        "{err}"
    );
    assert!(err.contains("nothing sent"), "{err}");
    assert!(emu.handle().block_requests().is_empty(), "{err}");
    let (_, now) = plan(dir.path());
    assert!(err.contains(&now.unwrap()), "the new id is named: {err}");
    // Without --plan or --yes, and no terminal to ask on: nothing sent.
    let out = run(dir.path(), &["apply"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
    assert!(emu.handle().block_requests().is_empty());
}

#[test]
fn a_retraction_unblocks_only_what_the_list_blocked_and_keeps_a_hand_block() {
    let (_rt, emu, dir) = desk();
    let (hand, listed, kept) = (SPAM[0], SPAM[1], SPAM[2]);
    // Blocked by hand on sales before the list named it.
    ok(
        dir.path(),
        &["block", hand, "--instance", "sales", "--reason", "abuse"],
    );
    let feed = file(
        dir.path(),
        "feed-1.txt",
        &format!("{hand}\n{listed}\n{kept}\n"),
    );
    ok(dir.path(), &["blocklist", "import", &feed]);
    // Another source lists `kept` too.
    ok(
        dir.path(),
        &["blocklist", "add", kept, "--source", "desk-review"],
    );
    let (steps, id) = plan(dir.path());
    let mut want = each(&["sales"], "block", &[listed, kept]);
    want.extend(each(
        &["support", "billing"],
        "block",
        &[hand, listed, kept],
    ));
    assert_eq!(steps, want, "sales blocks {hand} already");
    ok(dir.path(), &["apply", "--plan", &id.unwrap()]);

    let out = ok(dir.path(), &["blocklist", "retract", "--source", "feed-1"]);
    assert!(
        stderr(&out).contains("3 entries of source feed-1 ended"),
        "{}",
        stderr(&out)
    );
    let out = ok(dir.path(), &["plan", "--json"]);
    let (steps, id) = self::steps(&out);
    let mut want = each(&["sales"], "unblock", &[listed]);
    want.extend(each(&["support", "billing"], "unblock", &[hand, listed]));
    assert_eq!(
        steps, want,
        "no unblock of the hand block, nor of what desk-review lists"
    );
    for v in lines(&out) {
        assert_eq!(v["reason"], "removed from the list (source feed-1)", "{v}");
    }
    ok(dir.path(), &["apply", "--plan", &id.unwrap()]);
    assert_eq!(blocked_on(&emu, "sales"), numbers(&[hand, kept]));
    for name in ["support", "billing"] {
        assert_eq!(blocked_on(&emu, name), numbers(&[kept]), "{name}");
    }
    assert!(plan(dir.path()).0.is_empty());
}

#[test]
fn an_expired_entry_is_unblocked_in_the_next_plan_where_the_list_blocked_it() {
    let (_rt, emu, dir) = desk();
    let (brief, hand) = (SPAM[0], SPAM[1]);
    ok(dir.path(), &["block", hand, "--instance", "support"]);
    ok(
        dir.path(),
        &[
            "blocklist",
            "add",
            brief,
            hand,
            "--for",
            "3s",
            "--reason",
            "cool-off",
        ],
    );
    let out = ok(dir.path(), &["blocklist", "list", "--json"]);
    assert!(
        lines(&out).iter().all(|v| v["expires"].is_string()),
        "{}",
        stdout(&out)
    );
    ok(dir.path(), &["apply", "--yes"]);
    assert!(blocked_on(&emu, "sales").contains(brief));

    // Once it expires, the next plan says so: never a silent unblock.
    let deadline = Instant::now() + Duration::from_secs(30);
    let (steps, out) = loop {
        let out = ok(dir.path(), &["plan", "--json"]);
        let (steps, _) = self::steps(&out);
        if !steps.is_empty() {
            break (steps, out);
        }
        assert!(Instant::now() < deadline, "the entry never expired");
        std::thread::sleep(Duration::from_millis(200));
    };
    let mut want = each(&["sales", "support", "billing"], "unblock", &[brief]);
    want.extend(each(&["sales", "billing"], "unblock", &[hand]));
    want.sort_by_key(|(i, a, n)| (THREE.iter().position(|t| t == i), a.clone(), n.clone()));
    assert_eq!(steps, want, "support blocked {hand} by hand");
    assert!(
        lines(&out)
            .iter()
            .all(|v| v["reason"] == "its entry expired"),
        "{}",
        stdout(&out)
    );
    let out = ok(dir.path(), &["blocklist", "list", "--json"]);
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    ok(dir.path(), &["apply", "--yes"]);
    assert!(blocked_on(&emu, "sales").is_empty());
    assert_eq!(blocked_on(&emu, "support"), numbers(&[hand]));
}

#[test]
fn a_number_not_on_whatsapp_is_refused_and_never_sent() {
    let (_rt, emu, dir) = desk();
    let absent = [
        format!("+{NOT_ON_WHATSAPP_404}"),
        format!("+{NOT_ON_WHATSAPP_200}"),
    ];
    ok(
        dir.path(),
        &["blocklist", "add", SPAM[0], &absent[0], &absent[1]],
    );
    let out = run(dir.path(), &["apply", "--yes", "--json"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(4), "planned, not blocked: {err}");
    assert!(
        err.contains("6 number(s) not on WhatsApp: left out, nothing sent to them"),
        "{err}"
    );
    let sent: BTreeSet<String> = emu
        .handle()
        .block_requests()
        .iter()
        .map(|(_, n, _)| n.split('@').next().unwrap().to_string())
        .collect();
    assert_eq!(
        sent,
        BTreeSet::from([SPAM[0][1..].to_string()]),
        "{}",
        stdout(&out)
    );
    let lookups = emu
        .handle()
        .served()
        .iter()
        .filter(|s| s.route == "lookup")
        .count();
    assert!(lookups >= 2, "looked up before anything is sent: {lookups}");
    let blocks = emu
        .handle()
        .served()
        .iter()
        .filter(|s| s.route == "block")
        .count();
    assert_eq!(blocks, 3, "one block an instance, only of {}", SPAM[0]);

    // The next plan names them refused on every instance, and sends
    // nothing.
    let out = ok(dir.path(), &["plan", "--json"]);
    let (steps, _) = self::steps(&out);
    let absent: Vec<&str> = absent.iter().map(String::as_str).collect();
    assert_eq!(steps, each(THREE, "refused", &absent));
    for v in lines(&out) {
        assert!(
            v["reason"].as_str().unwrap().starts_with("not on WhatsApp"),
            "{v}"
        );
    }
    let out = ok(dir.path(), &["apply", "--yes"]);
    assert!(stderr(&out).contains("nothing to send"), "{}", stderr(&out));
    assert_eq!(
        emu.handle()
            .served()
            .iter()
            .filter(|s| s.route == "block")
            .count(),
        3
    );
}

/// The (instance, +number) pairs the server was asked to block.
fn blocks_sent(emu: &RunningEmulator) -> BTreeMap<(String, String), usize> {
    let mut sent = BTreeMap::new();
    for (instance, number, block) in emu.handle().block_requests() {
        assert!(block, "{instance} {number}: only blocks here");
        let number = format!("+{}", number.split('@').next().unwrap());
        *sent.entry((instance, number)).or_insert(0) += 1;
    }
    sent
}

/// The (instance, +number) pairs the ledger holds an answer for.
fn done_in_history(dir: &Path) -> BTreeSet<(String, String)> {
    let out = ok(dir, &["history", "--json"]);
    let history: Value = serde_json::from_slice(&out.stdout).unwrap();
    history
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["result"] == "done")
        .map(|h| {
            let pair = (&h["instance"], &h["e164"]);
            (
                pair.0.as_str().unwrap().into(),
                pair.1.as_str().unwrap().into(),
            )
        })
        .collect()
}

#[test]
fn kill_9_in_the_middle_of_apply_and_resume_sends_exactly_the_rest() {
    let config = EmulatorConfig {
        latency: Duration::from_millis(400),
        ..EmulatorConfig::demo(Some(20))
    };
    let (_rt, emu, dir) = serving_with(config, "");
    set_profile(dir.path(), &emu, THREE);
    let list: Vec<String> = (10..22).map(|i| format!("+55119111100{i}")).collect();
    let feed = file(dir.path(), "feed-1.txt", &list.join("\n"));
    ok(dir.path(), &["blocklist", "import", &feed]);
    let (planned, id) = plan(dir.path());
    assert_eq!(planned.len(), 36);

    let mut child = app(dir.path())
        .args(["apply", "--plan", &id.unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Once the ledger holds a first answer, the run is killed.
    let deadline = Instant::now() + Duration::from_secs(60);
    while done_in_history(dir.path()).is_empty() {
        assert!(Instant::now() < deadline, "no answer was recorded");
        assert!(
            child.try_wait().unwrap().is_none(),
            "apply ended before the kill"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // What was in flight is carried out or dropped by now.
    std::thread::sleep(Duration::from_millis(1200));
    let before = blocks_sent(&emu);
    assert!(before.len() < 36, "killed before its end: {}", before.len());

    // The ledger knows what was answered: resume sends the rest, once.
    let answered = done_in_history(dir.path());
    ok(dir.path(), &["resume"]);
    let after = blocks_sent(&emu);
    let resumed: BTreeSet<(String, String)> = after
        .iter()
        .filter(|(pair, n)| **n > before.get(*pair).copied().unwrap_or(0))
        .map(|(pair, _)| pair.clone())
        .collect();
    let rest: BTreeSet<(String, String)> = planned
        .iter()
        .map(|(i, _, n)| (i.clone(), n.clone()))
        .filter(|pair| !answered.contains(pair))
        .collect();
    assert_eq!(resumed, rest, "exactly what no answer was recorded for");
    let wanted: BTreeSet<String> = list.iter().cloned().collect();
    for name in THREE {
        assert_eq!(blocked_on(&emu, name), wanted, "{name}");
    }
    assert!(plan(dir.path()).0.is_empty());
    // What resume sent is the list's own: a retraction unblocks it all.
    ok(dir.path(), &["blocklist", "retract", "--source", "feed-1"]);
    let (steps, _) = plan(dir.path());
    let list: Vec<&str> = list.iter().map(String::as_str).collect();
    assert_eq!(steps, each(THREE, "unblock", &list));
}
