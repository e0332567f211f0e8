//! The headless commands as a newcomer meets them, each judged as a Unix
//! tool: on a terminal under a header and fitted to its width, piped
//! unchanged; quiet on a closed pipe (`man` and `completions` too); exit
//! codes that agree; a number the shell split over several arguments; an
//! export whose numbers a script can use; a manual page whose every named
//! page exists; and what the README says can be run, run.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use ryze_contacts::emulator;
use unicode_width::UnicodeWidthStr;

use super::headless::{app, run, serving};

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ryze-contacts"));
    cmd.env_remove("RYZE_CONTACTS_PROFILE")
        .env_remove("RYZE_CONTACTS_DATA")
        .stdin(Stdio::null());
    cmd
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `cmd` with its standard output a pipe whose reader is already
/// gone: its first write fails, as under `| head -1` once head is done.
fn on_a_closed_pipe(mut cmd: Command) -> std::process::Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    cmd.stdout(writer).stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    // The parent's copy of the writer went into the Command; drop it.
    drop(cmd);
    child.wait_with_output().unwrap()
}

#[test]
fn man_and_completions_end_quietly_on_a_closed_pipe() {
    let mut runs: Vec<Vec<&str>> = vec![vec!["man"], vec!["man", "list"]];
    for shell in ["bash", "zsh", "fish"] {
        runs.push(vec!["completions", shell]);
    }
    for args in runs {
        let mut cmd = bin();
        cmd.args(&args);
        let out = on_a_closed_pipe(cmd);
        assert_eq!(stderr(&out), "", "{args:?}: quiet, no panic");
        assert_eq!(
            out.status.code(),
            Some(141),
            "{args:?}: as SIGPIPE ends one"
        );
    }
}

#[test]
fn every_page_the_manual_names_is_there() {
    let mut todo: Vec<Vec<String>> = vec![Vec::new()];
    let mut seen = 0;
    while let Some(words) = todo.pop() {
        let out = bin().arg("man").args(&words).output().unwrap();
        assert!(out.status.success(), "man {words:?}: {}", stderr(&out));
        let page = String::from_utf8_lossy(&out.stdout).replace("\\-", "-");
        let title = std::iter::once("ryze-contacts".to_string())
            .chain(words.iter().cloned())
            .collect::<Vec<_>>()
            .join("-");
        assert!(page.contains(&format!(".TH {title} 1")), "{title}:\n{page}");
        for named in page.split(&format!("{title}-")).skip(1) {
            let Some(name) = named
                .split("(1)")
                .next()
                .filter(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '-') && !n.is_empty())
            else {
                continue;
            };
            let mut next = words.clone();
            next.extend(name.split('-').map(str::to_string));
            todo.push(next);
            seen += 1;
        }
    }
    assert!(seen >= 12, "the subcommands were found: {seen}");
    let none = bin().args(["man", "nope"]).output().unwrap();
    assert_eq!(none.status.code(), Some(2));
}

#[test]
fn the_readme_s_install_lines_run() {
    let readme = include_str!("../../README.md");
    // `ryze-contacts man | head -1` prints the page's first line, quietly.
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' man | head -1",
            env!("CARGO_BIN_EXE_ryze-contacts")
        ))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(stderr(&out), "");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    // Every `ryze-contacts completions SHELL > FILE` line of the README
    // names a shell the command knows, and it writes a script for it.
    let mut shells = 0;
    for line in readme.lines() {
        let Some(rest) = line.trim().strip_prefix("ryze-contacts completions ") else {
            continue;
        };
        let shell = rest.split_whitespace().next().unwrap();
        if shell.contains('|') {
            continue; // the synopsis: bash|zsh|fish|…
        }
        let out = bin().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{line}: {}", stderr(&out));
        assert!(out.stdout.len() > 1000, "{line}");
        shells += 1;
    }
    assert!(shells >= 3, "bash, zsh and fish have their lines: {shells}");
    assert!(readme.contains("cargo install --locked --path ."));
    let version = bin().arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("ryze-contacts "));
}

#[test]
fn list_and_list_blocked_agree_when_one_instance_fails() {
    // marketing is disconnected: its list fails with a 503; nothing is
    // blocked on the others, which answer.
    let (_rt, _emu, dir) = serving(
        5,
        "[[instances]]\nname = \"sales\"\n[[instances]]\nname = \"support\"\n[[instances]]\nname = \"marketing\"\n",
    );
    let all = run(dir.path(), &["list"]);
    assert_eq!(all.status.code(), Some(4), "{}", stderr(&all));
    let blocked = run(dir.path(), &["list", "--blocked"]);
    assert_eq!(
        blocked.status.code(),
        Some(4),
        "2 of 3 answered, with nothing blocked: {}",
        stderr(&blocked)
    );
    assert!(blocked.stdout.is_empty());
    // Piped, the rows come as they always did: no header, tabs.
    let first = String::from_utf8_lossy(&all.stdout)
        .lines()
        .next()
        .unwrap()
        .to_string();
    assert!(first.starts_with("sales\t+"), "{first}");
}

#[test]
fn a_number_split_over_arguments_is_refused_with_how_to_quote_it() {
    let (_rt, emu, dir) = serving(5, "[[instances]]\nname = \"sales\"\n");
    let out = run(
        dir.path(),
        &["block", "+55", "41", "98979-0060", "--instance", "sales"],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("quote a number with spaces: '+55 41 98979-0060'"),
        "{err}"
    );
    assert!(!err.contains("is not a phone number"), "{err}");
    assert!(emu.handle().block_requests().is_empty(), "nothing was sent");
    // Quoted, it is one number.
    let out = run(
        dir.path(),
        &["block", "+55 41 98979-0060", "--instance", "sales"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn export_as_tsv_gives_numbers_a_script_can_use_and_csv_keeps_its_guard() {
    let (_rt, _emu, dir) = serving(5, "[[instances]]\nname = \"sales\"\n");
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
    assert!(out.status.success(), "{}", stderr(&out));
    let tsv = run(dir.path(), &["export", "--format", "tsv"]);
    assert!(tsv.status.success(), "{}", stderr(&tsv));
    let text = String::from_utf8_lossy(&tsv.stdout).into_owned();
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 1, "no header: {text}");
    assert_eq!(rows[0][0], "sales");
    assert_eq!(rows[0][3], "+447400123456", "E.164 as it is: {text}");
    assert_eq!(rows[0][7], "spam");
    let csv = run(dir.path(), &["export"]);
    let csv = String::from_utf8_lossy(&csv.stdout).into_owned();
    assert!(csv.contains(",\"'+447400123456\","), "{csv}");
    let both = run(dir.path(), &["export", "--format", "tsv", "--json"]);
    assert_eq!(both.status.code(), Some(2));
}

/// Runs the binary on `dir`'s profile in a pseudo-terminal `cols` wide;
/// returns its exit code and every line it wrote.
fn on_a_terminal(dir: &std::path::Path, args: &[&str], cols: u16) -> (u32, Vec<String>) {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let probe = app(dir);
    let mut cmd = CommandBuilder::new(probe.get_program());
    for arg in probe.get_args() {
        cmd.arg(arg);
    }
    for (key, value) in probe.get_envs() {
        match value {
            Some(value) => cmd.env(key, value),
            None => cmd.env_remove(key),
        }
    }
    cmd.env_remove("COLUMNS");
    cmd.args(args);
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let drain = std::thread::spawn(move || {
        let mut all = Vec::new();
        let _ = reader.read_to_end(&mut all);
        all
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "{args:?} did not end");
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(pty.master);
    let all = drain.join().unwrap();
    let text = String::from_utf8_lossy(&all).replace('\r', "");
    (
        status.exit_code(),
        text.lines().map(str::to_string).collect(),
    )
}

#[test]
fn list_and_history_on_a_terminal_have_a_header_and_fit_its_width() {
    let (_rt, _emu, dir) = serving(30, "[[instances]]\nname = \"sales\"\n");
    let contact = emulator::address_book("sales", 30)
        .into_iter()
        .find(|c| c.jid.ends_with("@s.whatsapp.net"))
        .unwrap();
    let out = run(
        dir.path(),
        &[
            "block",
            &contact.jid,
            "--instance",
            "sales",
            "--reason",
            "a reason far too long to fit in any narrow column",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    for (args, header, rows) in [
        (&["list"][..], "INSTANCE", 30),
        (&["history"][..], "TIME (UTC)", 1),
    ] {
        let (code, lines) = on_a_terminal(dir.path(), args, 80);
        assert_eq!(code, 0, "{args:?}: {lines:?}");
        assert!(lines[0].starts_with(header), "{args:?}: {lines:?}");
        assert!(lines[0].contains("NUMBER") && lines[0].contains("NAME"));
        assert_eq!(lines.len(), rows + 1, "one line a row: {lines:#?}");
        for line in &lines {
            assert!(line.width() <= 80, "{args:?} wider than 80: {line:?}");
        }
    }
    // Wide, nothing is cut and every column is there.
    let (_, lines) = on_a_terminal(dir.path(), &["history"], 200);
    assert!(lines[0].ends_with("REASON"), "{lines:?}");
    assert!(lines[1].contains("a reason far too long"), "{lines:?}");
    assert!(lines[1].contains("done"), "{lines:?}");
}
