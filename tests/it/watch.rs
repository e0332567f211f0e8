//! `watch` from the real binary against the emulator's WebSockets on
//! loopback: `--json` lines hold time, instance, event, the sender's
//! number, JID and `@lid`, name, text and flags, and SIGINT ends it
//! cleanly; `--instance` prints that instance's events only; `--flagged`
//! prints flagged rows only, a sender's earlier row too once its wave
//! forms; a closed pipe ends it quietly.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ryze_contacts::emulator::{DEMO_ACCOUNT_TOKEN, EmuMessage, RunningEmulator};

use crate::desk::profile_toml;
use crate::live::{FOUR, all_bytes, emulator, holds, spam};

/// Starts `watch ARGS` on a profile of `instances` of `emu` (data in
/// `dir`), its output piped.
fn watch(emu: &RunningEmulator, dir: &Path, instances: &[(&str, &str)], args: &[&str]) -> Child {
    let profile = dir.join("profile.toml");
    std::fs::write(&profile, profile_toml(emu, instances, "")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&profile, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    Command::new(env!("CARGO_BIN_EXE_ryze-contacts"))
        .arg("--profile")
        .arg(&profile)
        .arg("--data-dir")
        .arg(dir.join("data"))
        .arg("watch")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits (20 s at most) until `instance` has a socket open.
fn opened(emu: &RunningEmulator, instance: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while emu.handle().open_sockets(instance) == 0 {
        assert!(Instant::now() < deadline, "the feed of {instance} opens");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The lines of `stdout`, read on a thread, so that a line that never
/// comes fails the test instead of hanging it.
fn lines_of(stdout: ChildStdout) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn next(lines: &mpsc::Receiver<String>) -> String {
    lines
        .recv_timeout(Duration::from_secs(20))
        .expect("a line is printed")
}

/// Ends `child` with SIGINT; its exit status and standard error.
fn interrupt(mut child: Child) -> (std::process::ExitStatus, String) {
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (status, stderr)
}

#[test]
fn watch_json_prints_a_line_per_event_and_ends_on_sigint() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(emulator());
    let dir = tempfile::tempdir().unwrap();
    let mut child = watch(&emu, dir.path(), &FOUR[..2], &["--json"]);
    opened(&emu, "sales");
    opened(&emu, "support");
    let lines = lines_of(child.stdout.take().unwrap());
    let next = || -> serde_json::Value { serde_json::from_str(&next(&lines)).unwrap() };
    // One at a time: the two sockets may deliver in either order.
    let with_lid = EmuMessage {
        lid: Some("208551123456789".into()),
        ..spam("Ganhe dinheiro\nlinha dois")
    };
    emu.handle().push_message("sales", &with_lid);
    let first = next();
    emu.handle()
        .push_message("support", &spam("Ganhe dinheiro"));
    let second = next();
    emu.handle().push_state("support", "logged_out");
    let got = [first, second, next()];
    assert_eq!(got[0]["instance"], "sales");
    assert_eq!(got[0]["event"], "message.exchange");
    assert_eq!(got[0]["sender"]["number"], "+6281234567890");
    assert_eq!(got[0]["sender"]["jid"], "6281234567890@s.whatsapp.net");
    assert_eq!(got[0]["sender"]["lid"], "208551123456789@lid");
    assert_eq!(got[0]["name"], "Promo");
    assert_eq!(got[0]["text"], "Ganhe dinheiro\nlinha dois");
    assert_eq!(got[0]["flags"], serde_json::json!([]));
    let time = got[0]["time"].as_str().unwrap();
    assert!(
        time.len() == 20 && &time[10..11] == "T" && time.ends_with('Z'),
        "RFC 3339 in UTC: {time}"
    );
    assert_eq!(got[1]["flags"][0]["kind"], "wave", "{}", got[1]);
    assert_eq!(
        got[1]["flags"][0]["reason"],
        "spam wave: 2 of our numbers in 10 min"
    );
    assert_eq!(got[1]["sender"]["lid"], serde_json::Value::Null);
    assert_eq!(got[2]["event"], "instance.state");
    assert_eq!(got[2]["instance"], "support");
    assert_eq!(got[2]["state"], "logged_out");
    for line in &got {
        assert!(!line.to_string().contains("demo-"), "no token: {line}");
    }
    let (end, stderr) = interrupt(child);
    assert!(end.success(), "SIGINT ends it cleanly: {end:?}");
    assert!(stderr.contains("live feed of sales open"), "{stderr}");
    let data = all_bytes(&dir.path().join("data"));
    assert!(
        !holds(&data, "demo-sales-token") && !holds(&data, DEMO_ACCOUNT_TOKEN),
        "no token in the data folder (the log included)"
    );
}

#[test]
fn watch_instance_prints_that_instances_events_only() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(emulator());
    let dir = tempfile::tempdir().unwrap();
    let mut child = watch(
        &emu,
        dir.path(),
        &FOUR[..2],
        &["--json", "--instance", "support"],
    );
    opened(&emu, "support");
    let lines = lines_of(child.stdout.take().unwrap());
    emu.handle().push_message("sales", &spam("to sales"));
    emu.handle().push_message("support", &spam("to support"));
    emu.handle().push_state("sales", "logged_out");
    emu.handle().push_state("support", "temp_banned");
    let got: Vec<serde_json::Value> = (0..2)
        .map(|_| serde_json::from_str(&next(&lines)).unwrap())
        .collect();
    assert_eq!(got[0]["text"], "to support", "{got:?}");
    assert_eq!(got[1]["state"], "temp_banned", "{got:?}");
    assert!(got.iter().all(|l| l["instance"] == "support"), "{got:?}");
    let (end, stderr) = interrupt(child);
    assert!(end.success(), "{end:?}");
    assert!(stderr.contains("live feed of support open"), "{stderr}");
    assert!(!stderr.contains("sales"), "no feed of sales: {stderr}");
    assert_eq!(emu.handle().upgrades(), 1, "one socket: support's");
    let rest: Vec<String> = lines.iter().collect();
    assert!(rest.is_empty(), "nothing of sales: {rest:?}");
}

#[test]
fn watch_flagged_prints_flagged_rows_only_and_a_senders_earlier_row_once_its_wave_forms() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(emulator());
    let dir = tempfile::tempdir().unwrap();
    let mut child = watch(&emu, dir.path(), &FOUR[..2], &["--flagged"]);
    opened(&emu, "sales");
    opened(&emu, "support");
    let lines = lines_of(child.stdout.take().unwrap());
    let ordinary = |number: &str| EmuMessage {
        number: Some(number.into()),
        text: "bom dia".into(),
        ..EmuMessage::default()
    };
    // Before the wave: nothing flagged (each of these writes to one of
    // our numbers), nothing printed.
    emu.handle()
        .push_message("sales", &ordinary("5511955558888"));
    emu.handle().push_message("sales", &spam("first"));
    emu.handle()
        .push_message("support", &ordinary("5511955557777"));
    // The second of our numbers: a wave, its first row flagged too.
    emu.handle().push_message("support", &spam("second"));
    let mut got: Vec<Vec<String>> = (0..2)
        .map(|_| next(&lines).split('\t').map(String::from).collect())
        .collect();
    got.sort_by(|a, b| a[3].cmp(&b[3]));
    for (line, (instance, text)) in got.iter().zip([("sales", "first"), ("support", "second")]) {
        assert_eq!(line.len(), 5, "time, instance, who, text, flags: {line:?}");
        assert_eq!((line[1].as_str(), line[3].as_str()), (instance, text));
        assert_eq!(line[2], "Promo (+62 812-3456-7890)");
        assert_eq!(line[4], "⚑ spam wave: 2 of our numbers in 10 min");
    }
    let (end, _) = interrupt(child);
    assert!(end.success(), "{end:?}");
    let rest: Vec<String> = lines.iter().collect();
    assert!(
        rest.is_empty(),
        "no row printed twice, none unflagged: {rest:?}"
    );
}

#[test]
fn watch_on_a_closed_pipe_ends_quietly() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt.block_on(emulator());
    let dir = tempfile::tempdir().unwrap();
    let mut child = watch(&emu, dir.path(), &FOUR[..1], &[]);
    opened(&emu, "sales");
    // `watch | head -1`: one line read, then the reader is gone.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    emu.handle().push_message("sales", &spam("one"));
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.contains("one"), "{first}");
    drop(stdout);
    emu.handle().push_message("sales", &spam("two"));
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the closed pipe ends it");
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(
        stderr.trim_end(),
        "ryze-contacts: live feed of sales open",
        "quiet: no Broken pipe, no panic"
    );
    assert_eq!(
        status.code(),
        Some(141),
        "as every command on a closed pipe (README: exit codes)"
    );
}
