//! The view the app reopens on: the instance, sort and view last used,
//! kept per profile in the data folder (`views/<profile key>.json`,
//! private). A missing or unreadable file means the defaults; `--instance`
//! overrides what it says.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::contacts::{Sort, View};
use crate::util::app_dir::AppDir;

/// What is remembered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remembered {
    /// The instance's name.
    pub instance: String,
    /// `listed`, `name` or `number`.
    pub sort: String,
    /// `all` or `blocked`.
    pub view: String,
}

impl Remembered {
    /// What the state shows now.
    pub fn of(instance: &str, sort: Sort, view: View) -> Remembered {
        Remembered {
            instance: instance.to_string(),
            sort: match sort {
                Sort::Listed => "listed",
                Sort::Name => "name",
                Sort::Number => "number",
            }
            .to_string(),
            view: match view {
                View::All => "all",
                View::Blocked => "blocked",
            }
            .to_string(),
        }
    }

    /// The sort it names (as listed when unknown).
    pub fn sort(&self) -> Sort {
        match self.sort.as_str() {
            "name" => Sort::Name,
            "number" => Sort::Number,
            _ => Sort::Listed,
        }
    }

    /// The view it names (every contact when unknown).
    pub fn view(&self) -> View {
        match self.view.as_str() {
            "blocked" => View::Blocked,
            _ => View::All,
        }
    }
}

/// A short stable key of a profile's path (FNV-1a, hex): one file per
/// profile, without writing the path itself into a file name.
pub fn profile_key(profile_path: &Path) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in profile_path.to_string_lossy().bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// Where the view of profile `key` is kept.
pub fn path(data_dir: &Path, key: &str) -> PathBuf {
    data_dir.join("views").join(format!("{key}.json"))
}

/// The remembered view, if there is a readable one.
pub fn load(data_dir: &Path, key: &str) -> Option<Remembered> {
    let dir = AppDir::open(data_dir, "views", false).ok()??;
    let bytes = dir.read(&format!("{key}.json")).ok()??;
    serde_json::from_slice(&bytes).ok()
}

/// Keeps `view` for the next start (private files, written whole, in the
/// `views` folder opened without following a symbolic link: a link there
/// is refused, never `chmod`ed through).
pub fn save(data_dir: &Path, key: &str, view: &Remembered) -> std::io::Result<()> {
    let dir = AppDir::open(data_dir, "views", true)?
        .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))?;
    dir.write(
        &format!("{key}.json"),
        &serde_json::to_vec(view).unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_is_kept_per_profile_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let a = profile_key(Path::new("/home/x/work.toml"));
        let b = profile_key(Path::new("/home/x/home.toml"));
        assert_ne!(a, b);
        assert_eq!(load(dir.path(), &a), None);
        let view = Remembered::of("support", Sort::Number, View::Blocked);
        save(dir.path(), &a, &view).unwrap();
        let back = load(dir.path(), &a).unwrap();
        assert_eq!(back, view);
        assert_eq!((back.sort(), back.view()), (Sort::Number, View::Blocked));
        assert_eq!(load(dir.path(), &b), None, "another profile has its own");
        std::fs::write(path(dir.path(), &a), "not json").unwrap();
        assert_eq!(load(dir.path(), &a), None, "unreadable means the defaults");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            save(dir.path(), &a, &view).unwrap();
            let mode = std::fs::metadata(path(dir.path(), &a))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
