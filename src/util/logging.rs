//! Logging to a file in the data folder (a TUI cannot print). Tokens never
//! reach the log: they are only ever held as [`crate::util::secret::Token`].

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// File name of the log in the data folder.
pub const FILE_NAME: &str = "ryze-contacts.log";

/// Sends `tracing` events at INFO and above to `data_dir/ryze-contacts.log`.
/// The log is private to the user (0600) and never written through a
/// symbolic link. Returns the log's path, or `None` when it cannot be
/// opened (the app then runs without a log).
pub fn init(data_dir: &Path) -> Option<PathBuf> {
    crate::util::files::private_dir(data_dir, false).ok()?;
    let path = data_dir.join(FILE_NAME);
    let file = crate::util::files::open_private_append(&path).ok()?;
    tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_target(false)
        .with_max_level(tracing::Level::INFO)
        .try_init()
        .ok()?;
    Some(path)
}
