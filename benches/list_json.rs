//! `list --json` at 200,000 contacts against `curl | jq` printing the same
//! rows: time and peak memory of each (goal: at most 0.8 times their time
//! and 0.5 times their peak). Both run as processes under `/usr/bin/time`
//! against the emulator, also a process, on 127.0.0.1; `curl | jq` is
//! skipped where those tools are missing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed step fails the test

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CONTACTS: usize = 200_000;
const RUNS: usize = 3;
const TOKEN: &str = "demo-account-token";

/// (peak resident KB, seconds) of `sh -c script`, from GNU time.
fn measure(script: &str) -> Option<(u64, f64)> {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M %e", "sh", "-c", script])
        .stdout(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stderr);
    let last = text.lines().last()?;
    let mut parts = last.split_whitespace();
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

fn median(mut runs: Vec<(u64, f64)>) -> (u64, f64) {
    runs.sort_by(|a, b| a.1.total_cmp(&b.1));
    runs[runs.len() / 2]
}

fn has(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn main() {
    if !Path::new("/usr/bin/time").exists() {
        println!("list --json bench skipped: /usr/bin/time (GNU time) is not installed");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_ryze-contacts");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let mut emulator = Command::new(bin)
        .args(["emulator", "--port", &port.to_string()])
        .args([
            "--contacts",
            &CONTACTS.to_string(),
            "--rate-limit",
            "100000",
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("emulator started");
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(120);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the emulator did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let profile = dir.path().join("profile.toml");
    std::fs::write(
        &profile,
        format!("[defaults]\nbase_url = \"{url}\"\n[account]\ntoken_env = \"BENCH_TOKEN\"\n[[instances]]\nname = \"sales\"\n"),
    )
    .expect("profile written");
    let ours = format!(
        "BENCH_TOKEN={TOKEN} {bin} --profile {} --data-dir {} list --json",
        profile.display(),
        dir.path().join("data").display()
    );
    let ours = median((0..RUNS).filter_map(|_| measure(&ours)).collect());
    println!(
        "list --json, {CONTACTS} contacts            peak {:>6.1} MB   {:>5.2} s",
        ours.0 as f64 / 1024.0,
        ours.1
    );
    if has("curl") && has("jq") {
        let theirs = format!(
            "curl -s -H 'token: {TOKEN}' {url}/api/chat/contacts/sales | jq '.contacts[] | {{jid, lid, full_name, first_name, push_name, business_name}}'"
        );
        let theirs = median((0..RUNS).filter_map(|_| measure(&theirs)).collect());
        println!(
            "curl | jq, the same rows                    peak {:>6.1} MB   {:>5.2} s",
            theirs.0 as f64 / 1024.0,
            theirs.1
        );
        let memory = ours.0 as f64 / theirs.0 as f64;
        let time = ours.1 / theirs.1;
        let verdict = |ok: bool| if ok { "ok" } else { "MISSED" };
        println!(
            "  memory ratio {memory:.2} (goal <= 0.5) {}; time ratio {time:.2} (goal <= 0.8) {}",
            verdict(memory <= 0.5),
            verdict(time <= 0.8)
        );
    } else {
        println!("curl | jq comparison skipped: curl or jq is not installed");
    }
    let _ = emulator.kill();
    let _ = emulator.wait();
}
