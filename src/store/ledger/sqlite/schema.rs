//! The SQLite ledger's tables and their versions: the file keeps its
//! version in `user_version`; older files are brought up to date step by
//! step, a file of a newer version is refused before anything writes.

use std::path::Path;

use rusqlite::Connection;

use super::error::storage_error;
use crate::store::ledger::contract::LedgerError;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS actions (
    id            INTEGER PRIMARY KEY,
    instance      TEXT    NOT NULL,
    jid           TEXT    NOT NULL,
    lid           TEXT,
    block         INTEGER NOT NULL,
    requested_at  INTEGER NOT NULL,
    finished_at   INTEGER,
    outcome       TEXT    NOT NULL DEFAULT 'pending',
    contact_jid   TEXT,
    blocked_count INTEGER,
    error         TEXT
);
CREATE TABLE IF NOT EXISTS block_state (
    instance   TEXT    NOT NULL,
    jid        TEXT    NOT NULL,
    lid        TEXT,
    blocked    INTEGER NOT NULL,
    changed_at INTEGER NOT NULL,
    PRIMARY KEY (instance, jid)
);
CREATE TABLE IF NOT EXISTS batches (
    id         INTEGER PRIMARY KEY,
    created_at INTEGER NOT NULL,
    label      TEXT    NOT NULL,
    status     TEXT    NOT NULL DEFAULT 'open'
);
";

/// Schema changes after version 1, applied in order.
const MIGRATIONS: &[&str] = &[
    "ALTER TABLE actions ADD COLUMN batch_id INTEGER;",
    // Who asked, and why: the operator and the reason, on each request
    // and on the state it left.
    "ALTER TABLE actions ADD COLUMN operator TEXT; ALTER TABLE actions ADD COLUMN reason TEXT; ALTER TABLE block_state ADD COLUMN operator TEXT; ALTER TABLE block_state ADD COLUMN reason TEXT;",
    // Who is sending a batch now, and when it last made progress: two
    // runs never resume the same batch.
    "ALTER TABLE batches ADD COLUMN claimed_by TEXT; ALTER TABLE batches ADD COLUMN claimed_at INTEGER; ALTER TABLE batches ADD COLUMN claim_pid INTEGER; ALTER TABLE batches ADD COLUMN claim_host TEXT;",
    // Who a number is on WhatsApp, as the last lookup of it said.
    "CREATE TABLE identities (number TEXT PRIMARY KEY, state TEXT NOT NULL, jid TEXT, lid TEXT, name TEXT, about TEXT, message TEXT, looked_up_at INTEGER NOT NULL);",
    // The team's blocklist, and where the list itself blocked what.
    "CREATE TABLE blocklist (id INTEGER PRIMARY KEY, target TEXT NOT NULL, reason TEXT, source TEXT NOT NULL, operator TEXT, added_at INTEGER NOT NULL, expires_at INTEGER, removed_at INTEGER); CREATE INDEX blocklist_target ON blocklist (target); CREATE INDEX blocklist_source ON blocklist (source); CREATE TABLE blocklist_applied (instance TEXT NOT NULL, jid TEXT NOT NULL, PRIMARY KEY (instance, jid));",
    // Answers of several desks ordered by the server's clock: the
    // server's time of the answer a known state holds, and the contest
    // when two desks' answers could not be ordered (issue 28).
    "ALTER TABLE block_state ADD COLUMN server_at INTEGER; ALTER TABLE block_state ADD COLUMN contest TEXT;",
];

/// The newest schema this build knows.
pub(super) const NEWEST: i64 = MIGRATIONS.len() as i64 + 1;

/// The schema version of the file open on `conn`.
pub(super) fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Refuses the file at `path` when a newer ryze-contacts made it: called
/// before anything writes, so that a schema from the future stays as it
/// is.
pub(super) fn refuse_newer(conn: &Connection, path: &Path) -> Result<(), LedgerError> {
    let found = version(conn).map_err(|e| storage_error(path, e))?;
    if found > NEWEST {
        return Err(LedgerError::Newer {
            path: path.to_path_buf(),
            found,
            known: NEWEST,
        });
    }
    Ok(())
}

/// Creates the tables of a new file, and brings an older one up to
/// [`NEWEST`], each step in its own transaction.
pub(super) fn bring_up_to_date(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(SCHEMA)?;
    let version = version(conn)?.max(1) as usize;
    for (i, step) in MIGRATIONS.iter().enumerate().skip(version - 1) {
        conn.execute_batch(&format!(
            "BEGIN; {step} PRAGMA user_version = {}; COMMIT;",
            i + 2
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::handle::{FILE_NAME, SqliteLedger};
    use super::*;
    use crate::store::ledger::{BatchItem, Ledger};

    #[test]
    fn version_1_files_are_migrated() {
        let dir = tempfile::tempdir().unwrap();
        {
            let conn = Connection::open(dir.path().join(FILE_NAME)).unwrap();
            conn.execute_batch(
                "CREATE TABLE actions (id INTEGER PRIMARY KEY, instance TEXT NOT NULL, jid TEXT NOT NULL, lid TEXT, block INTEGER NOT NULL, requested_at INTEGER NOT NULL, finished_at INTEGER, outcome TEXT NOT NULL DEFAULT 'pending', contact_jid TEXT, blocked_count INTEGER, error TEXT); PRAGMA user_version = 1;",
            )
            .unwrap();
        }
        let (mut ledger, notice) = SqliteLedger::open(dir.path()).unwrap();
        assert!(notice.is_none());
        assert_eq!(ledger.status().unwrap().schema, NEWEST);
        let item = BatchItem {
            instance: "a".into(),
            jid: "1@s.whatsapp.net".into(),
            lid: None,
            block: true,
            reason: None,
        };
        ledger.create_batch("x", &[item], "desk-1").unwrap();
        drop(ledger);
        let (ledger, _) = SqliteLedger::open(dir.path()).unwrap();
        assert_eq!(ledger.unfinished_batches().unwrap().len(), 1);
    }
}
