//! Files the app keeps in its data folder: made private to the user
//! (folders 0700, files 0600, whatever the umask), never followed through
//! a symbolic link, and, when damaged, moved aside under a name no other
//! file has, so nothing is ever overwritten or deleted.

use std::io;
use std::path::{Path, PathBuf};

/// Mode of every folder the app makes.
const DIR_MODE: u32 = 0o700;
/// Mode of every file the app writes.
const FILE_MODE: u32 = 0o600;

/// Makes `dir` (and any missing parent) with mode 0700. An existing folder
/// keeps its mode unless `tighten` says it is the app's own (a folder the
/// app makes inside its data folder), in which case it is set to 0700. The
/// data folder itself is never tightened: it may be one the user shares.
pub fn private_dir(dir: &Path, tighten: bool) -> io::Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{} is a file, not a folder: point --data-dir at a folder",
                dir.display()
            ),
        ));
    }
    let existed = dir.is_dir();
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(DIR_MODE);
    }
    builder.create(dir)?;
    if !existed || tighten {
        set_mode(dir, DIR_MODE)?;
    }
    Ok(())
}

/// Whether users other than the owner may write into `dir` (group or
/// others have write permission).
pub fn others_can_write(dir: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(dir).is_ok_and(|m| m.permissions().mode() & 0o022 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        false
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if current == mode {
        return Ok(());
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

/// Refuses a path that is a symbolic link: writing through it could change
/// a file elsewhere.
pub fn refuse_symlink(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{} is a symbolic link; the app does not write through links: replace it with the file itself",
                path.display()
            ),
        )),
        _ => Ok(()),
    }
}

/// Makes sure the file at `path` exists with mode 0600 (creating it empty
/// when missing, tightening it when it exists). Symbolic links are refused.
pub fn private_file(path: &Path) -> io::Result<()> {
    refuse_symlink(path)?;
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    drop(options.open(path)?);
    set_mode(path, FILE_MODE)
}

/// Opens `path` for appending, private (0600) and never through a link.
pub fn open_private_append(path: &Path) -> io::Result<std::fs::File> {
    private_file(path)?;
    std::fs::OpenOptions::new().append(true).open(path)
}

/// Tightens `path` to 0600 when it exists (a file SQLite made beside the
/// ledger, say); a missing file is fine.
pub fn tighten_if_present(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() => set_mode(path, FILE_MODE),
        Ok(_) => refuse_symlink(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// The `n`-th name tried for a damaged `path` at Unix time `at`:
/// `ledger.sqlite3.damaged-<at>`, then `…-<at>-2`, `…-<at>-3`…
fn aside_name(path: &Path, at: i64, n: u32) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".damaged-{at}"));
    if n > 1 {
        name.push(format!("-{n}"));
    }
    path.with_file_name(name)
}

/// Moves the damaged file at `path` aside, with its `extra` companions
/// (suffixes such as `-wal`) when present, and returns where it went. The
/// name chosen is one no file has: an existing file is never replaced.
pub fn move_aside(path: &Path, at: i64, extra: &[&str]) -> io::Result<PathBuf> {
    for n in 1..=1000 {
        let aside = aside_name(path, at, n);
        let taken = std::iter::once(String::new())
            .chain(extra.iter().map(|s| s.to_string()))
            .any(|suffix| with_suffix(&aside, &suffix).symlink_metadata().is_ok());
        if taken {
            continue;
        }
        match move_no_replace(path, &aside) {
            Ok(()) => {
                for suffix in extra {
                    let from = with_suffix(path, suffix);
                    if from.symlink_metadata().is_ok() {
                        move_no_replace(&from, &with_suffix(&aside, suffix))?;
                    }
                }
                return Ok(aside);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("no free name beside {} to move it aside", path.display()),
    ))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// Renames `from` to `to` only if `to` does not exist. A hard link makes
/// the new name atomically (it fails when the name is taken); where links
/// are not supported, a checked rename stands in.
fn move_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    match std::fs::hard_link(from, to) {
        Ok(()) => std::fs::remove_file(from),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) if to.symlink_metadata().is_ok() => {
            Err(io::Error::new(io::ErrorKind::AlreadyExists, "name taken"))
        }
        Err(_) => std::fs::rename(from, to),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn folders_and_files_are_private_whatever_was_there() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        private_dir(&dir, false).unwrap();
        assert_eq!(mode(&dir), 0o700);
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        private_dir(&dir, false).unwrap();
        assert_eq!(mode(&dir), 0o755, "a folder the user chose keeps its mode");
        private_dir(&dir, true).unwrap();
        assert_eq!(mode(&dir), 0o700, "the app's own folder is tightened");

        let file = dir.join("f");
        std::fs::write(&file, b"x").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        private_file(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        assert_eq!(std::fs::read(&file).unwrap(), b"x", "content kept");
        let new = dir.join("g");
        drop(open_private_append(&new).unwrap());
        assert_eq!(mode(&new), 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn links_are_refused() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("elsewhere");
        std::fs::write(&target, b"keep").unwrap();
        let link = root.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = private_file(&link).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert!(open_private_append(&link).is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
    }

    #[test]
    fn moving_aside_never_overwrites() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("ledger.sqlite3");
        let mut asides = Vec::new();
        for round in 0..3 {
            std::fs::write(&path, format!("copy {round}")).unwrap();
            std::fs::write(with_suffix(&path, "-wal"), format!("wal {round}")).unwrap();
            asides.push(move_aside(&path, 1_700_000_000, &["-wal", "-shm"]).unwrap());
            assert!(!path.exists());
        }
        let names: Vec<String> = asides
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "ledger.sqlite3.damaged-1700000000",
                "ledger.sqlite3.damaged-1700000000-2",
                "ledger.sqlite3.damaged-1700000000-3"
            ]
        );
        for (round, aside) in asides.iter().enumerate() {
            assert_eq!(
                std::fs::read_to_string(aside).unwrap(),
                format!("copy {round}")
            );
            assert_eq!(
                std::fs::read_to_string(with_suffix(aside, "-wal")).unwrap(),
                format!("wal {round}"),
                "the write-ahead log goes with its file"
            );
        }
    }
}
