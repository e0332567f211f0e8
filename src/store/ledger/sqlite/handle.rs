//! The open SQLite ledger: its connection, its file and what its reads
//! skipped. The one struct every part of the backend works on; it needs
//! none of them but `error`.

use std::path::PathBuf;

use rusqlite::Connection;

use super::error::storage_error;
use crate::store::ledger::contract::LedgerError;

/// File name of the ledger in the data folder.
pub const FILE_NAME: &str = "ledger.sqlite3";
/// Files SQLite keeps beside the ledger; they go wherever it goes.
pub(super) const COMPANIONS: [&str; 2] = ["-wal", "-shm"];

/// An open ledger.
#[derive(Debug)]
pub struct SqliteLedger {
    /// The connection to the file.
    pub(super) conn: Connection,
    /// The ledger file.
    pub(super) path: PathBuf,
    /// Rows read so far that held a value of the wrong type (a hand-edited
    /// ledger) and were skipped.
    pub(super) skipped: std::cell::Cell<usize>,
}

impl SqliteLedger {
    /// SQLite's `source`, as an error of this ledger.
    pub(super) fn err(&self, source: rusqlite::Error) -> LedgerError {
        storage_error(&self.path, source)
    }
}
