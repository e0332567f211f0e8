//! SQLite's errors in the ledger's words: the message SQLite gave, and
//! the kind of fault its result code says, so that nothing above the
//! SQLite backend names a `rusqlite` type.

use std::path::Path;

use rusqlite::ErrorCode;

use crate::store::ledger::contract::{Fault, LedgerError};

/// The ledger error for SQLite's `source`, on the ledger file at `path`.
pub(super) fn storage_error(path: &Path, source: rusqlite::Error) -> LedgerError {
    LedgerError::Storage {
        place: path.display().to_string(),
        fault: fault_of(&source),
        message: source.to_string(),
    }
}

/// A file SQLite read and found damaged: `check` is what its integrity
/// check said.
pub(super) fn damaged(path: &Path, check: String) -> LedgerError {
    LedgerError::Storage {
        place: path.display().to_string(),
        fault: Fault::Damaged,
        message: check,
    }
}

/// What kind of fault SQLite's result code says.
fn fault_of(e: &rusqlite::Error) -> Fault {
    let rusqlite::Error::SqliteFailure(failure, _) = e else {
        return Fault::Other;
    };
    match failure.code {
        ErrorCode::DiskFull => Fault::DiskFull,
        ErrorCode::SystemIoFailure => Fault::DiskFailing,
        ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => Fault::Damaged,
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => Fault::Busy,
        ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied => Fault::Denied,
        _ => Fault::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::ffi;

    fn failure(code: std::ffi::c_int) -> LedgerError {
        storage_error(
            Path::new("l"),
            rusqlite::Error::SqliteFailure(ffi::Error::new(code), None),
        )
    }

    #[test]
    fn only_corruption_counts_as_damage() {
        assert!(failure(ffi::SQLITE_CORRUPT).is_damage());
        assert!(failure(ffi::SQLITE_NOTADB).is_damage());
        for code in [
            ffi::SQLITE_FULL,
            ffi::SQLITE_BUSY,
            ffi::SQLITE_LOCKED,
            ffi::SQLITE_IOERR,
            ffi::SQLITE_CANTOPEN,
            ffi::SQLITE_READONLY,
        ] {
            assert!(!failure(code).is_damage(), "code {code}");
        }
        assert!(damaged(Path::new("l"), "row 3 missing".into()).is_damage());
    }

    #[test]
    fn only_a_lock_counts_as_busy() {
        assert!(failure(ffi::SQLITE_BUSY).is_busy());
        assert!(failure(ffi::SQLITE_LOCKED).is_busy());
        for code in [ffi::SQLITE_FULL, ffi::SQLITE_CORRUPT, ffi::SQLITE_READONLY] {
            assert!(!failure(code).is_busy(), "code {code}");
        }
        assert!(!storage_error(Path::new("l"), rusqlite::Error::QueryReturnedNoRows).is_busy());
    }

    #[test]
    fn messages_keep_sqlites_words_and_say_what_to_do() {
        let said = |code| failure(code).to_string();
        assert_eq!(
            said(ffi::SQLITE_FULL),
            "ledger l: Error code 13: Insertion failed because database is full: the disk is full; free some space, then retry"
        );
        assert!(
            said(ffi::SQLITE_IOERR)
                .ends_with(": the disk may be full or failing; check its free space, then retry"),
            "{}",
            said(ffi::SQLITE_IOERR)
        );
        for code in [ffi::SQLITE_READONLY, ffi::SQLITE_CANTOPEN, ffi::SQLITE_PERM] {
            assert!(
                said(code).ends_with(": check the permissions of the data folder"),
                "{}",
                said(code)
            );
        }
        assert_eq!(
            storage_error(Path::new("l"), rusqlite::Error::QueryReturnedNoRows).to_string(),
            "ledger l: Query returned no rows"
        );
        assert_eq!(
            damaged(Path::new("l"), "row 3 missing".into()).to_string(),
            "ledger l: row 3 missing"
        );
    }

    #[test]
    fn the_hint_follows_the_fault() {
        assert!(
            failure(ffi::SQLITE_BUSY)
                .hint()
                .contains("close the other program")
        );
        assert!(
            failure(ffi::SQLITE_CORRUPT)
                .hint()
                .contains("moves a damaged ledger aside")
        );
        for code in [ffi::SQLITE_FULL, ffi::SQLITE_READONLY, ffi::SQLITE_IOERR] {
            assert_eq!(
                failure(code).hint(),
                "free space in the data folder and check its permissions"
            );
        }
    }
}
