//! `ryze-contacts init` end to end against the emulator, with the answers
//! typed on standard input; plus completions and the manual page.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use ryze_contacts::config::profile;
use ryze_contacts::emulator::{self, EmulatorConfig};

fn run(args: &[&str], path: &Path, answers: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ryze-contacts"))
        .args(args)
        .arg("--profile")
        .arg(path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answers.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn init_writes_a_private_profile_with_the_chosen_instances() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt
        .block_on(emulator::start(
            EmulatorConfig::demo(Some(5)),
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        ))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("conf").join("profile.toml");

    // A wrong token writes nothing and says why.
    let out = run(
        &["init"],
        &path,
        &format!("{}\nwrong-token\n", emu.base_url()),
    );
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("Invalid token"));
    assert!(!path.exists());

    // A bad choice is asked again; then 1 and 3 (sales, marketing).
    let answers = format!("{}\ndemo-account-token\n9\n1,3\nfile\n", emu.base_url());
    let out = run(&["init"], &path, &answers);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("1) sales (connected)"), "{stdout}");
    assert!(stdout.contains("3) marketing (disconnected)"), "{stdout}");
    assert!(
        stdout.contains("\"9\" is not a number from 1 to 4"),
        "{stdout}"
    );
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "only the owner can read it");
    let p = profile::load(&path).unwrap();
    let names: Vec<&str> = p.instances.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["sales", "marketing"]);
    assert_eq!(p.instances[0].token.expose(), "demo-account-token");
    assert!(p.warnings.is_empty());
    assert!(
        !stdout.contains("demo-account-token"),
        "the token is not echoed"
    );

    // An existing profile is kept unless the answer is yes.
    let before = std::fs::read_to_string(&path).unwrap();
    let out = run(&["init"], &path, "\n");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Left unchanged"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);

    // The environment-variable choice keeps the token out of the file.
    let answers = format!(
        "y\n{}\ndemo-account-token\nall\nenv\nMY_RYZE\n",
        emu.base_url()
    );
    let out = run(&["init"], &path, &answers);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("token_env = \"MY_RYZE\""), "{text}");
    assert!(!text.contains("demo-account-token"));
    assert_eq!(text.matches("[[instances]]").count(), 4);

    // profile check tests each instance's token and state.
    let out = Command::new(env!("CARGO_BIN_EXE_ryze-contacts"))
        .args(["profile", "check", "--profile"])
        .arg(&path)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .env("MY_RYZE", "demo-account-token")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(4),
        "one instance is unusable: {stderr}"
    );
    assert!(
        stdout.contains("marketing\tnot connected (disconnected)\t"),
        "{stdout}"
    );
    assert!(
        stderr.contains("4 instance(s): 3 usable, 1 not; 0 warning(s)"),
        "{stderr}"
    );
}

#[test]
fn plain_http_to_another_host_is_refused_at_init() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.toml");
    let out = run(&["init"], &path, "http://gateway.example\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unencrypted"));
    assert!(!path.exists());
}

#[test]
fn completions_and_manual_page() {
    let bin = env!("CARGO_BIN_EXE_ryze-contacts");
    for shell in ["bash", "zsh", "fish"] {
        let out = Command::new(bin)
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("ryze-contacts") && text.contains("unblock"),
            "{shell}"
        );
    }
    let out = Command::new(bin).arg("man").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with(".ie") || text.contains(".TH"), "roff");
    assert!(text.contains("ryze\\-contacts") || text.contains("ryze-contacts"));
}

#[test]
fn init_leaves_out_a_name_it_would_have_to_change() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut config = EmulatorConfig::demo(Some(3));
    config.instances.truncate(1);
    config.instances.push(emulator::EmuInstance::generated(
        "sales\u{202e}kram",
        "connected",
        "5511955550999",
        3,
    ));
    config.instances.push(emulator::EmuInstance::generated(
        "support\tdesk",
        "connected",
        "5511955550998",
        3,
    ));
    let emu = rt
        .block_on(emulator::start(
            config,
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        ))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profile.toml");
    let out = run(
        &["init"],
        &path,
        &format!("{}\ndemo-account-token\nall\nfile\n", emu.base_url()),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout
            .matches("left out: an instance whose name holds")
            .count(),
        2,
        "{stdout}"
    );
    assert!(stdout.contains("This token sees 1 instance(s)"), "{stdout}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("name = \"sales\""), "{text}");
    assert!(
        !text.contains("kram") && !text.contains("desk"),
        "no changed name is written: {text}"
    );
}
