//! The binary as a subprocess: flags, environment, exit codes, messages.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ryze-contacts"));
    cmd.env_remove("RYZE_CONTACTS_PROFILE")
        .env_remove("RYZE_CONTACTS_DATA")
        .stdin(Stdio::null());
    cmd
}

fn profile(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("profile.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn missing_profile_exits_2_and_points_to_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["--profile"])
        .arg(dir.path().join("missing.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no profile at"), "{err}");
    assert!(err.contains("--demo"), "{err}");
}

#[test]
fn unknown_key_exits_2_with_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = profile(
        dir.path(),
        "[[instances]]\nname = \"a\"\ntoken = \"t\"\ncolour = \"red\"\n",
    );
    let out = bin().arg("--profile").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("colour") && err.contains("line 4"), "{err}");
}

#[test]
fn missing_env_var_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = profile(
        dir.path(),
        "[[instances]]\nname = \"a\"\ntoken_env = \"RYZE_TEST_UNSET_TOKEN\"\n",
    );
    let out = bin()
        .env("RYZE_CONTACTS_PROFILE", &path)
        .env_remove("RYZE_TEST_UNSET_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("RYZE_TEST_UNSET_TOKEN is not set"), "{err}");
}

#[test]
fn unknown_start_instance_lists_the_real_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = profile(
        dir.path(),
        "[[instances]]\nname = \"sales\"\ntoken_env = \"T\"\n[[instances]]\nname = \"support\"\ntoken_env = \"T\"\n",
    );
    let out = bin()
        .env("RYZE_CONTACTS_PROFILE", &path)
        .env("T", "secret-value")
        .args(["--instance", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("sales, support"), "{err}");
    assert!(!err.contains("secret-value"));
}

#[test]
fn help_has_examples() {
    let out = bin().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("--demo") && text.contains("Examples:"),
        "{text}"
    );
    let out = bin().args(["emulator", "--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("curl"));
}

#[test]
fn emulator_command_serves_loopback() {
    let mut child = bin()
        .args(["emulator", "--port", "0", "--contacts", "12"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first.rsplit(' ').next().unwrap().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{first}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    ryze_contacts::api::use_ring_for_tls();
    let body: serde_json::Value = rt.block_on(async {
        reqwest::Client::new()
            .get(format!("{url}/api/chat/contacts/sales"))
            .header("token", "demo-account-token")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(body["total"], 12);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_profile_with_several_problems_reports_every_one_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = profile(
        dir.path(),
        "[defaults]\nbase_url = \"https://ryzeapi.cloud\"\nread_only = \"yes\"\n[[instances]]\nname = \"sales\"\ntoken_env = \"RYZE_TEST_UNSET_SALES\"\ncolour = \"red\"\n[[instances]]\nname = \"support\"\ntoken = \"t\"\nregion = \"XX\"\n[ledger]\nurl = \"postgres://desk@db.example.com/ryze\"\npassword_env = \"RYZE_TEST_UNSET_DB\"\n",
    );
    let out = bin()
        .arg("--profile")
        .arg(&path)
        .args(["profile", "check"])
        .env_remove("RYZE_TEST_UNSET_SALES")
        .env_remove("RYZE_TEST_UNSET_DB")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("5 problem(s)"), "{err}");
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("  - ")).collect();
    let expected = [
        ("  - line 3, column 13: invalid type", "expected a boolean"),
        ("  - line 6: instance \"sales\"", "RYZE_TEST_UNSET_SALES"),
        ("  - line 7, column 1: unknown field `colour`", "colour"),
        ("  - line 11: instance \"support\"", "region"),
        ("  - line 14: [ledger]", "RYZE_TEST_UNSET_DB"),
    ];
    assert_eq!(lines.len(), expected.len(), "{err}");
    for (line, (start, names)) in lines.iter().zip(expected) {
        assert!(
            line.starts_with(start) && line.contains(names),
            "{line} in\n{err}"
        );
    }
}
