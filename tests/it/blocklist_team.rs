//! The team's blocklist on a real PostgreSQL (a throw-away cluster on
//! 127.0.0.1) with the real binary and three instances: one list for
//! every desk, where the list blocked what kept in the database, and two
//! desks applying at once kept apart by the batch claim, the second told
//! who holds it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use ryze_contacts::emulator::{EmulatorConfig, RunningEmulator};

use crate::blocklist::{SPAM, THREE, blocked_on, each, profile_text, stderr, steps};
use crate::headless::serving_with;
use crate::pg_cluster::Cluster;

/// The emulator, the database and a folder for the desks.
struct Team {
    _rt: tokio::runtime::Runtime,
    emu: RunningEmulator,
    pg: Cluster,
    dir: tempfile::TempDir,
}

impl Team {
    fn new(latency: Duration) -> Team {
        let config = EmulatorConfig {
            latency,
            ..EmulatorConfig::demo(Some(20))
        };
        let (rt, emu, dir) = serving_with(config, "");
        Team {
            _rt: rt,
            emu,
            pg: Cluster::start(),
            dir,
        }
    }

    /// A desk of operator `name` on the team's ledger.
    fn desk(&self, name: &str) -> PathBuf {
        let desk = self.dir.path().join(name);
        std::fs::create_dir_all(&desk).unwrap();
        let ledger = format!("[ledger]\nurl = \"{}\"\n", self.pg.url("team"));
        std::fs::write(
            desk.join("profile.toml"),
            profile_text(&self.emu, name, THREE, &ledger),
        )
        .unwrap();
        desk
    }
}

fn ok(desk: &Path, args: &[&str]) -> Output {
    let out = crate::headless::run(desk, args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    out
}

fn command(desk: &Path, args: &[&str]) -> Command {
    let mut cmd = crate::headless::app(desk);
    cmd.args(args);
    cmd
}

#[test]
fn on_the_team_ledger_one_desk_plans_what_another_applied_and_retracts_keep_hand_blocks() {
    let team = Team::new(Duration::ZERO);
    let (one, two) = (team.desk("desk-1"), team.desk("desk-2"));
    ok(&two, &["block", SPAM[0], "--instance", "billing"]);
    ok(
        &one,
        &["blocklist", "add", SPAM[0], SPAM[1], "--source", "feed-1"],
    );
    // desk-2 sees the list desk-1 added, and its own hand block.
    let (planned, id) = steps(&ok(&two, &["plan", "--json"]));
    let mut want = each(&["sales", "support"], "block", &[SPAM[0], SPAM[1]]);
    want.extend(each(&["billing"], "block", &[SPAM[1]]));
    assert_eq!(planned, want);
    ok(&two, &["apply", "--plan", &id.unwrap()]);
    // desk-1 has nothing left to do.
    assert!(steps(&ok(&one, &["plan", "--json"])).0.is_empty());
    assert_eq!(
        team.pg.query("SELECT COUNT(*) FROM ryze_blocklist_applied"),
        "5",
        "where the list itself blocked what"
    );

    // desk-2's answers are older than the ledger's order window by the
    // server's clock when desk-1 unblocks: a sequence, not a contest.
    std::thread::sleep(Duration::from_millis(3100));
    ok(&one, &["blocklist", "retract", "--source", "feed-1"]);
    let (planned, id) = steps(&ok(&one, &["plan", "--json"]));
    let mut want = each(&["sales", "support"], "unblock", &[SPAM[0], SPAM[1]]);
    want.extend(each(&["billing"], "unblock", &[SPAM[1]]));
    assert_eq!(planned, want, "desk-2's hand block on billing stays");
    ok(&one, &["apply", "--plan", &id.unwrap()]);
    assert_eq!(
        blocked_on(&team.emu, "billing"),
        [SPAM[0].to_string()].into()
    );
    assert!(blocked_on(&team.emu, "sales").is_empty());
    assert!(steps(&ok(&two, &["plan", "--json"])).0.is_empty());
}

#[test]
fn two_desks_applying_at_once_are_kept_apart_and_the_second_is_told_who_applies() {
    let team = Team::new(Duration::from_millis(500));
    let (one, two) = (team.desk("desk-1"), team.desk("desk-2"));
    let list: Vec<String> = (10..20).map(|i| format!("+55119111100{i}")).collect();
    let mut args = vec!["blocklist", "add"];
    args.extend(list.iter().map(String::as_str));
    ok(&one, &args);

    let first = command(&one, &["apply", "--yes"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once desk-1's batch is in the database and it is sending:
    let deadline = Instant::now() + Duration::from_secs(60);
    while team.emu.handle().block_requests().is_empty() {
        assert!(Instant::now() < deadline, "desk-1 sent nothing");
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = command(&two, &["apply", "--yes"]).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("desk-1 is applying it"), "{err}");
    assert!(err.contains("nothing sent"), "{err}");

    let out = first.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The ledger records every request with its operator: desk-2 sent
    // nothing, not even a batch.
    assert_eq!(
        team.pg
            .query("SELECT COUNT(*) FROM ryze_actions WHERE operator = 'desk-2'"),
        "0"
    );
    assert_eq!(
        team.pg
            .query("SELECT COUNT(*) FROM ryze_actions WHERE operator = 'desk-1'"),
        "30"
    );
    let sent = team.emu.handle().block_requests().len();
    let wanted: std::collections::BTreeSet<String> = list.iter().cloned().collect();
    for name in THREE {
        assert_eq!(blocked_on(&team.emu, name), wanted, "{name}");
    }
    // desk-1 is done: desk-2 has nothing left to send.
    let out = ok(&two, &["apply", "--yes"]);
    assert!(stderr(&out).contains("nothing to send"), "{}", stderr(&out));
    assert_eq!(team.emu.handle().block_requests().len(), sent);
}
