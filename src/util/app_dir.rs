//! A folder of the app inside the data folder, held open ([`AppDir`]):
//! its files are read and written relative to it, never through a
//! symbolic link (on Unix with `openat` and `O_NOFOLLOW`), so a link
//! another user plants in a shared data folder leads nowhere.

use std::io;
use std::path::{Path, PathBuf};

/// A folder of the app inside the data folder, held open: every file in
/// it is opened relative to it and never through a symbolic link, so a
/// link planted in a shared data folder leads nowhere.
#[cfg(unix)]
#[derive(Debug)]
pub struct AppDir {
    fd: std::os::fd::OwnedFd,
    path: PathBuf,
}

#[cfg(unix)]
impl AppDir {
    /// Opens folder `name` of `data_dir` (the user's choice, taken as it
    /// is), making it (0700) when `make` and missing. A symbolic link or
    /// a file where the folder should be is refused with a message; the
    /// folder opened is made 0700 through its own handle, never through a
    /// path. `Ok(None)`: missing, and not to be made.
    pub fn open(data_dir: &Path, name: &str, make: bool) -> io::Result<Option<AppDir>> {
        use rustix::fs::{CWD, Mode, OFlags, fchmod, mkdirat, openat};
        let dir_flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let path = data_dir.join(name);
        if make {
            super::files::private_dir(data_dir, false)?;
        }
        let parent = match openat(CWD, data_dir, dir_flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(rustix::io::Errno::NOENT) if !make => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        if make {
            match mkdirat(&parent, name, Mode::RWXU) {
                Ok(()) | Err(rustix::io::Errno::EXIST) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let fd = match openat(&parent, name, dir_flags | OFlags::NOFOLLOW, Mode::empty()) {
            Ok(fd) => fd,
            Err(rustix::io::Errno::NOENT) if !make => return Ok(None),
            Err(e) => return Err(super::files::opened(&path, e)),
        };
        fchmod(&fd, Mode::RWXU)?;
        Ok(Some(AppDir { fd, path }))
    }

    /// The bytes of file `name`, `Ok(None)` when there is none; a link
    /// there is refused.
    pub fn read(&self, name: &str) -> io::Result<Option<Vec<u8>>> {
        use rustix::fs::{Mode, OFlags, openat};
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = match openat(&self.fd, name, flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(rustix::io::Errno::NOENT) => return Ok(None),
            Err(e) => return Err(super::files::opened(&self.path.join(name), e)),
        };
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::fs::File::from(fd), &mut bytes)?;
        Ok(Some(bytes))
    }

    /// Writes file `name` whole and atomically: a new temporary file
    /// (exclusive, 0600, never through a link), synced, renamed over the
    /// old one in this folder, the folder synced.
    pub fn write(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        use rustix::fs::{AtFlags, Mode, OFlags, fchmod, fsync, openat, renameat, unlinkat};
        let temporary = format!(".tmp{}-{name}", std::process::id());
        let flags =
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = openat(&self.fd, &temporary, flags, Mode::RUSR | Mode::WUSR)
            .map_err(|e| super::files::opened(&self.path.join(&temporary), e))?;
        let mut file = std::fs::File::from(fd);
        let written = std::io::Write::write_all(&mut file, bytes)
            .and_then(|()| fchmod(&file, Mode::RUSR | Mode::WUSR).map_err(io::Error::from))
            .and_then(|()| file.sync_all());
        if let Err(e) = written {
            let _ = unlinkat(&self.fd, &temporary, AtFlags::empty());
            return Err(e);
        }
        renameat(&self.fd, &temporary, &self.fd, name)?;
        fsync(&self.fd)?;
        Ok(())
    }
}

/// A folder of the app inside the data folder, elsewhere than Unix: a
/// link where it or a file of it should be is refused before use.
#[cfg(not(unix))]
#[derive(Debug)]
pub struct AppDir {
    path: PathBuf,
}

#[cfg(not(unix))]
impl AppDir {
    /// Opens folder `name` of `data_dir`, making it when `make`; a link
    /// there is refused. `Ok(None)`: missing, and not to be made.
    pub fn open(data_dir: &Path, name: &str, make: bool) -> io::Result<Option<AppDir>> {
        let path = data_dir.join(name);
        if !make && std::fs::symlink_metadata(&path).is_err() {
            return Ok(None);
        }
        super::files::private_dir(&path, true)?;
        Ok(Some(AppDir { path }))
    }

    /// The bytes of file `name`, `Ok(None)` when there is none; a link
    /// there is refused.
    pub fn read(&self, name: &str) -> io::Result<Option<Vec<u8>>> {
        let path = self.path.join(name);
        super::files::refuse_symlink(&path)?;
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Writes file `name` whole: a temporary file, then a rename.
    pub fn write(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let temporary = self.path.join(format!(".tmp{}-{name}", std::process::id()));
        super::files::refuse_symlink(&temporary)?;
        std::fs::write(&temporary, bytes)?;
        std::fs::rename(&temporary, self.path.join(name))
    }
}
