//! Opening the SQLite ledger's file: private to the user, waited for
//! while another program holds it, moved aside (never deleted) when
//! SQLite reports it damaged, and brought up to date.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;

use super::error::{damaged, storage_error};
use super::handle::{COMPANIONS, FILE_NAME, SqliteLedger};
use super::schema;
use crate::store::ledger::contract::LedgerError;
use crate::util::dates::now_unix;
use crate::util::files;

/// The first try at a busy ledger, before the user is told of the wait.
const FIRST_TRY: Duration = Duration::from_millis(250);

/// Opens (or creates) the ledger in `data_dir`: see
/// [`SqliteLedger::open_waiting`].
pub(super) fn open_in(
    data_dir: &Path,
    wait: Duration,
    on_busy: impl FnOnce(),
) -> Result<(SqliteLedger, Option<String>), LedgerError> {
    let path = data_dir.join(FILE_NAME);
    make_private(data_dir, &path)?;
    let mut on_busy = Some(on_busy);
    loop {
        let timeout = if on_busy.is_some() { FIRST_TRY } else { wait };
        match open_at(&path, timeout) {
            Ok(ledger) => return Ok((ledger, None)),
            Err(e) if e.is_busy() => match on_busy.take() {
                Some(tell) => {
                    tracing::warn!(path = %path.display(), "ledger busy: waiting");
                    tell();
                }
                None => {
                    return Err(LedgerError::Busy {
                        path,
                        waited_secs: wait.as_secs(),
                    });
                }
            },
            Err(e) if e.is_damage() => return start_afresh(&path, e),
            Err(e) => return Err(e),
        }
    }
}

/// Makes the data folder and the ledger file (with its companions, when
/// there) readable by the user only.
fn make_private(data_dir: &Path, path: &Path) -> Result<(), LedgerError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| LedgerError::Io { path, source }
    };
    files::private_dir(data_dir, false).map_err(io(data_dir))?;
    files::private_file(path).map_err(io(path))?;
    for suffix in COMPANIONS {
        let companion = PathBuf::from(format!("{}{suffix}", path.display()));
        files::tighten_if_present(&companion).map_err(io(&companion))?;
    }
    Ok(())
}

/// Moves a damaged ledger aside (with its write-ahead log) and starts a
/// new one.
fn start_afresh(
    path: &Path,
    damage: LedgerError,
) -> Result<(SqliteLedger, Option<String>), LedgerError> {
    let io = |source| LedgerError::Io {
        path: path.to_path_buf(),
        source,
    };
    let aside = files::move_aside(path, now_unix(), &COMPANIONS).map_err(io)?;
    tracing::warn!(error = %damage, aside = %aside.display(), "ledger moved aside");
    files::private_file(path).map_err(io)?;
    let ledger = open_at(path, FIRST_TRY)?;
    let notice = format!(
        "the ledger could not be read ({damage}); it was moved to {} and a new one started",
        aside.display()
    );
    Ok((ledger, Some(notice)))
}

/// Opens the file at `path`, waiting up to `busy_timeout` for a lock:
/// refuses a newer schema, checks the file, and brings its schema up to
/// date.
fn open_at(path: &Path, busy_timeout: Duration) -> Result<SqliteLedger, LedgerError> {
    let sqlite = |source| storage_error(path, source);
    let conn = Connection::open(path).map_err(sqlite)?;
    conn.busy_timeout(busy_timeout).map_err(sqlite)?;
    schema::refuse_newer(&conn, path)?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(sqlite)?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(sqlite)?;
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(sqlite)?;
    if check != "ok" {
        // SQLite read the file and found it damaged.
        return Err(damaged(path, check));
    }
    schema::bring_up_to_date(&conn).map_err(sqlite)?;
    Ok(SqliteLedger {
        conn,
        path: path.to_path_buf(),
        skipped: std::cell::Cell::new(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ledger::Ledger;

    #[test]
    fn damaged_file_is_moved_aside_not_deleted() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(FILE_NAME),
            b"this is not a database, just text",
        )
        .unwrap();
        let (ledger, notice) = SqliteLedger::open(dir.path()).unwrap();
        let notice = notice.expect("a notice says where the file went");
        assert!(notice.contains("moved to"), "{notice}");
        assert!(ledger.known().unwrap().is_empty());
        let aside: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains("damaged"))
            .collect();
        assert_eq!(aside.len(), 1);
        assert_eq!(
            std::fs::read(aside[0].path()).unwrap(),
            b"this is not a database, just text"
        );
    }

    #[test]
    fn a_locked_ledger_is_waited_for_then_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (ledger, _) = SqliteLedger::open(dir.path()).unwrap();
            ledger
                .record_intent("sales", "551@s.whatsapp.net", None, true, "desk-1", None)
                .unwrap();
        }
        let path = dir.path().join(FILE_NAME);
        let holder = Connection::open(&path).unwrap();
        holder
            .execute_batch("PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE;")
            .unwrap();
        let mut told = 0;
        let err = SqliteLedger::open_waiting(dir.path(), Duration::from_millis(600), || told += 1)
            .unwrap_err();
        assert_eq!(told, 1, "the user is told once that the app waits");
        assert!(matches!(err, LedgerError::Busy { .. }), "{err}");
        assert!(
            err.to_string().contains("in use by another program"),
            "{err}"
        );
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().all(|n| !n.contains("damaged")),
            "nothing moved aside: {names:?}"
        );
        holder.execute_batch("COMMIT;").unwrap();
        drop(holder);
        let (ledger, notice) = SqliteLedger::open(dir.path()).unwrap();
        assert!(notice.is_none());
        let pending: i64 = ledger
            .conn
            .query_row("SELECT COUNT(*) FROM actions", [], |r| r.get(0))
            .unwrap();
        assert_eq!(pending, 1, "the record is still there");
    }

    #[test]
    fn damage_twice_in_one_second_keeps_both_copies() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        for copy in ["first damaged copy", "second damaged copy"] {
            std::fs::write(&path, copy).unwrap();
            let (_, notice) = SqliteLedger::open(dir.path()).unwrap();
            assert!(notice.is_some());
        }
        let mut kept: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().contains("damaged"))
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect();
        kept.sort();
        assert_eq!(kept, ["first damaged copy", "second damaged copy"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_ledger_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere.txt");
        std::fs::write(&target, "precious").unwrap();
        std::os::unix::fs::symlink(&target, dir.path().join(FILE_NAME)).unwrap();
        let err = SqliteLedger::open(dir.path()).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
    }

    #[cfg(unix)]
    #[test]
    fn the_ledger_and_its_folder_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data");
        let (ledger, _) = SqliteLedger::open(&dir).unwrap();
        ledger
            .record_intent("a", "1@s.whatsapp.net", None, true, "desk-1", None)
            .unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            assert_eq!(mode(&p), 0o600, "{}", p.display());
        }
    }
}
