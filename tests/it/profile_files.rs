//! Profiles as real TOML files in temporary folders.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use ryze_contacts::config::profile::{self, ProfileError};

fn write(dir: &Path, text: &str, mode: u32) -> std::path::PathBuf {
    let path = dir.join("profile.toml");
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    path
}

#[test]
fn the_shipped_example_is_valid_toml_with_known_keys() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/profile.example.toml"
    ))
    .unwrap();
    // Its tokens come from variables that are not set here: the only
    // problems may be those variables, never syntax or unknown keys.
    let env = |name: &str| (!name.to_ascii_lowercase().contains("proxy")).then(|| "x".into());
    match profile::parse(&text, Path::new("example"), &env) {
        Ok(p) => assert!(p.instances.len() >= 2),
        Err(ProfileError::Invalid { problems, .. }) => {
            for p in problems {
                assert!(p.contains("token_cmd could not start pass"), "{p}");
            }
        }
        Err(e) => panic!("example profile refused: {e}"),
    }
}

#[test]
fn literal_token_readable_by_others_warns_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[[instances]]\nname = \"sales\"\ntoken = \"tok-value-xyz\"\n";
    let path = write(dir.path(), text, 0o644);
    let p = profile::load(&path).unwrap();
    assert_eq!(p.warnings.len(), 1);
    assert!(p.warnings[0].contains(&format!("chmod 600 {}", path.display())));
    assert!(
        !p.warnings[0].contains("tok-value-xyz"),
        "the warning never shows the token"
    );
    let path = write(dir.path(), text, 0o600);
    assert!(profile::load(&path).unwrap().warnings.is_empty());
}

#[test]
fn env_tokens_do_not_warn() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "[[instances]]\nname = \"a\"\ntoken_cmd = [\"echo\", \"t\"]\n",
        0o644,
    );
    assert!(profile::load(&path).unwrap().warnings.is_empty());
}

#[test]
fn missing_file_says_where_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let err = profile::load(&dir.path().join("nope.toml")).unwrap_err();
    assert!(matches!(err, ProfileError::NotFound { .. }));
    let msg = err.to_string();
    assert!(msg.contains("nope.toml") && msg.contains("--demo"), "{msg}");
}

#[test]
fn syntax_error_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "[[instances]]\nname = \"a\ntoken = \"t\"\n",
        0o600,
    );
    let msg = profile::load(&path).unwrap_err().to_string();
    assert!(msg.contains("profile.toml"), "{msg}");
    assert!(msg.contains("line 2"), "{msg}");
}

#[test]
fn unreadable_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    // A file that is not text cannot be read as a profile (a folder is
    // refused as not a file, below).
    let path = dir.path().join("profile.toml");
    std::fs::write(&path, b"\xff\xfe[[instances]]").unwrap();
    let err = profile::load(&path).unwrap_err();
    assert!(matches!(err, ProfileError::Read { .. }), "{err:?}");
}

#[test]
fn a_profile_that_is_not_a_regular_file_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("profile.toml");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for path in [fifo.as_path(), Path::new("/dev/zero"), dir.path()] {
        let err = profile::load(path).unwrap_err();
        assert!(
            matches!(err, ProfileError::NotAFile { .. }),
            "{path:?}: {err}"
        );
        assert!(err.to_string().contains("is not a regular file"));
    }
}

#[test]
fn a_data_folder_that_is_a_file_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("data");
    std::fs::write(&file, "not a folder").unwrap();
    let err = ryze_contacts::store::ledger::open(&file).unwrap_err();
    assert!(
        err.to_string()
            .contains("is a file, not a folder: point --data-dir at a folder"),
        "{err}"
    );
}
