//! The durable record of every block and unblock this app performed, per
//! instance, with time and result. RyzeAPI cannot list blocked contacts, so
//! this is the only memory of them the app has.
//!
//! Stored in SQLite: each write is one atomic transaction that survives a
//! crash mid-write, and later views (all instances, only blocked) are
//! queries rather than file rewrites.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};
use thiserror::Error;

/// File name of the ledger in the data folder.
pub const FILE_NAME: &str = "ledger.sqlite3";

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
const MIGRATIONS: &[&str] = &["ALTER TABLE actions ADD COLUMN batch_id INTEGER;"];

/// What the ledger knows of one contact on one instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownState {
    /// The instance.
    pub instance: String,
    /// The contact's JID as listed (phone or `@lid`).
    pub jid: String,
    /// Its `@lid`, when known.
    pub lid: Option<String>,
    /// Blocked after the last change this app made.
    pub blocked: bool,
    /// Unix time of that change.
    pub changed_at: i64,
}

/// One change of a batch, as the ledger keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchItem {
    /// The instance name.
    pub instance: String,
    /// The JID sent as `number`.
    pub jid: String,
    /// Its `@lid`, when known.
    pub lid: Option<String>,
    /// Block (`true`) or unblock.
    pub block: bool,
}

/// A batch that was not finished: what it was and what is left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnfinishedBatch {
    /// The batch id.
    pub id: i64,
    /// What it was, for the user.
    pub label: String,
    /// Unix time it was made.
    pub created_at: i64,
    /// Items in all.
    pub total: usize,
    /// Items confirmed done.
    pub done: usize,
    /// (action id, item) not confirmed done.
    pub left: Vec<(i64, BatchItem)>,
}

/// What the server answered to one recorded request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Success: the final state and the account's count.
    Done {
        /// `contact_jid` of the answer.
        contact_jid: String,
        /// `blocked` of the answer.
        blocked: bool,
        /// `blocked_count` of the answer.
        blocked_count: Option<u64>,
    },
    /// The request failed; the text says why.
    Failed(String),
}

/// Ledger failures.
#[derive(Debug, Error)]
pub enum LedgerError {
    /// SQLite refused.
    #[error("ledger {path}: {source}")]
    Sqlite {
        /// The ledger file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// The data folder could not be made or a file moved.
    #[error("ledger {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// An open ledger.
#[derive(Debug)]
pub struct Ledger {
    conn: Connection,
    path: PathBuf,
}

/// Seconds since the Unix epoch.
pub fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Ledger {
    /// Opens (or creates) the ledger in `data_dir`. A file that is not a
    /// readable ledger is moved aside, never deleted; the returned notice
    /// says where it went.
    pub fn open(data_dir: &Path) -> Result<(Ledger, Option<String>), LedgerError> {
        std::fs::create_dir_all(data_dir).map_err(|source| LedgerError::Io {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let path = data_dir.join(FILE_NAME);
        match Self::open_at(&path) {
            Ok(ledger) => Ok((ledger, None)),
            Err(first) if path.exists() => {
                let aside = path.with_extension(format!("damaged-{}", now_unix()));
                std::fs::rename(&path, &aside).map_err(|source| LedgerError::Io {
                    path: path.clone(),
                    source,
                })?;
                tracing::warn!(error = %first, aside = %aside.display(), "ledger moved aside");
                let ledger = Self::open_at(&path)?;
                let notice = format!(
                    "the ledger could not be read ({first}); it was moved to {} and a new one started",
                    aside.display()
                );
                Ok((ledger, Some(notice)))
            }
            Err(e) => Err(e),
        }
    }

    fn open_at(path: &Path) -> Result<Ledger, LedgerError> {
        let sqlite = |source| LedgerError::Sqlite {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(sqlite)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(sqlite)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(sqlite)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(sqlite)?;
        let check: String = conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(sqlite)?;
        if check != "ok" {
            return Err(sqlite(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
                Some(check),
            )));
        }
        conn.execute_batch(SCHEMA).map_err(sqlite)?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sqlite)?;
        let version = version.max(1) as usize;
        for (i, step) in MIGRATIONS.iter().enumerate().skip(version - 1) {
            conn.execute_batch(&format!(
                "BEGIN; {step} PRAGMA user_version = {}; COMMIT;",
                i + 2
            ))
            .map_err(sqlite)?;
        }
        Ok(Ledger {
            conn,
            path: path.to_path_buf(),
        })
    }

    fn err(&self, source: rusqlite::Error) -> LedgerError {
        LedgerError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Records that a request is about to be sent; returns its id for
    /// [`Ledger::record_outcome`].
    pub fn record_intent(
        &self,
        instance: &str,
        jid: &str,
        lid: Option<&str>,
        block: bool,
    ) -> Result<i64, LedgerError> {
        self.conn
            .execute(
                "INSERT INTO actions (instance, jid, lid, block, requested_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![instance, jid, lid, block, now_unix()],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Records the server's answer to request `id`, and on success the new
    /// known state of the contact, in one transaction. Returns the time
    /// stored.
    pub fn record_outcome(&mut self, id: i64, outcome: &Outcome) -> Result<i64, LedgerError> {
        let at = now_unix();
        let tx = self.conn.transaction().map_err(|e| LedgerError::Sqlite {
            path: self.path.clone(),
            source: e,
        })?;
        let result = (|| {
            match outcome {
                Outcome::Done {
                    contact_jid,
                    blocked,
                    blocked_count,
                } => {
                    tx.execute(
                        "UPDATE actions SET outcome = 'done', finished_at = ?2, contact_jid = ?3, blocked_count = ?4 WHERE id = ?1",
                        params![id, at, contact_jid, blocked_count.map(|n| n as i64)],
                    )?;
                    let (instance, jid, lid): (String, String, Option<String>) = tx.query_row(
                        "SELECT instance, jid, lid FROM actions WHERE id = ?1",
                        [id],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )?;
                    let lid = lid.or_else(|| {
                        (crate::number::jid_kind(contact_jid) == crate::number::JidKind::Lid
                            && *contact_jid != jid)
                            .then(|| contact_jid.clone())
                    });
                    tx.execute(
                        "INSERT INTO block_state (instance, jid, lid, blocked, changed_at) VALUES (?1, ?2, ?3, ?4, ?5)
                         ON CONFLICT (instance, jid) DO UPDATE SET lid = COALESCE(excluded.lid, lid), blocked = excluded.blocked, changed_at = excluded.changed_at",
                        params![instance, jid, lid, blocked, at],
                    )?;
                }
                Outcome::Failed(why) => {
                    tx.execute(
                        "UPDATE actions SET outcome = 'failed', finished_at = ?2, error = ?3 WHERE id = ?1",
                        params![id, at, why],
                    )?;
                }
            }
            tx.commit()
        })();
        result.map_err(|e| self.err(e))?;
        Ok(at)
    }

    /// Everything the ledger knows, for every instance.
    pub fn known(&self) -> Result<Vec<KnownState>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare("SELECT instance, jid, lid, blocked, changed_at FROM block_state ORDER BY instance, jid")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(KnownState {
                    instance: r.get(0)?,
                    jid: r.get(1)?,
                    lid: r.get(2)?,
                    blocked: r.get(3)?,
                    changed_at: r.get(4)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Records a batch and one pending action per item, in one transaction,
    /// before anything is sent. Returns the batch id and the action ids in
    /// item order.
    pub fn create_batch(
        &mut self,
        label: &str,
        items: &[BatchItem],
    ) -> Result<(i64, Vec<i64>), LedgerError> {
        let now = now_unix();
        let tx = self.conn.transaction().map_err(|e| LedgerError::Sqlite {
            path: self.path.clone(),
            source: e,
        })?;
        let result = (|| {
            tx.execute(
                "INSERT INTO batches (created_at, label) VALUES (?1, ?2)",
                params![now, label],
            )?;
            let batch = tx.last_insert_rowid();
            let mut ids = Vec::with_capacity(items.len());
            {
                let mut insert = tx.prepare(
                    "INSERT INTO actions (instance, jid, lid, block, requested_at, batch_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?;
                for item in items {
                    insert.execute(params![
                        item.instance,
                        item.jid,
                        item.lid,
                        item.block,
                        now,
                        batch
                    ])?;
                    ids.push(tx.last_insert_rowid());
                }
            }
            tx.commit()?;
            Ok((batch, ids))
        })();
        result.map_err(|e| self.err(e))
    }

    /// Marks a batch `done` or `cancelled`.
    pub fn close_batch(&self, batch: i64, status: &str) -> Result<(), LedgerError> {
        self.conn
            .execute(
                "UPDATE batches SET status = ?2 WHERE id = ?1",
                params![batch, status],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Open batches with the items not confirmed done, oldest first.
    pub fn unfinished_batches(&self) -> Result<Vec<UnfinishedBatch>, LedgerError> {
        let mut batches: Vec<UnfinishedBatch> = {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT b.id, b.label, b.created_at, COUNT(a.id), SUM(a.outcome = 'done')
                     FROM batches b JOIN actions a ON a.batch_id = b.id
                     WHERE b.status = 'open' GROUP BY b.id ORDER BY b.id",
                )
                .map_err(|e| self.err(e))?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(UnfinishedBatch {
                        id: r.get(0)?,
                        label: r.get(1)?,
                        created_at: r.get(2)?,
                        total: r.get::<_, i64>(3)? as usize,
                        done: r.get::<_, Option<i64>>(4)?.unwrap_or(0) as usize,
                        left: Vec::new(),
                    })
                })
                .map_err(|e| self.err(e))?;
            rows.collect::<Result<_, _>>().map_err(|e| self.err(e))?
        };
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, instance, jid, lid, block FROM actions
                 WHERE batch_id = ?1 AND outcome != 'done' ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        for batch in &mut batches {
            let rows = stmt
                .query_map([batch.id], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        BatchItem {
                            instance: r.get(1)?,
                            jid: r.get(2)?,
                            lid: r.get(3)?,
                            block: r.get(4)?,
                        },
                    ))
                })
                .map_err(|e| self.err(e))?;
            batch.left = rows.collect::<Result<_, _>>().map_err(|e| self.err(e))?;
        }
        batches.retain(|b| !b.left.is_empty());
        Ok(batches)
    }

    /// The outcome column of request `id` (`pending`, `done`, `failed`).
    pub fn outcome_of(&self, id: i64) -> Result<Option<String>, LedgerError> {
        self.conn
            .query_row("SELECT outcome FROM actions WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(jid: &str, blocked: bool) -> Outcome {
        Outcome::Done {
            contact_jid: jid.into(),
            blocked,
            blocked_count: Some(1),
        }
    }

    #[test]
    fn records_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (mut ledger, notice) = Ledger::open(dir.path()).unwrap();
            assert!(notice.is_none());
            let id = ledger
                .record_intent("sales", "551@s.whatsapp.net", None, true)
                .unwrap();
            assert_eq!(ledger.outcome_of(id).unwrap().as_deref(), Some("pending"));
            ledger.record_outcome(id, &done("99@lid", true)).unwrap();
            assert_eq!(ledger.outcome_of(id).unwrap().as_deref(), Some("done"));
            let failed = ledger
                .record_intent("sales", "552@s.whatsapp.net", None, true)
                .unwrap();
            ledger
                .record_outcome(failed, &Outcome::Failed("HTTP 503".into()))
                .unwrap();
        }
        let (ledger, _) = Ledger::open(dir.path()).unwrap();
        let known = ledger.known().unwrap();
        assert_eq!(known.len(), 1, "a failed request changes no known state");
        assert_eq!(known[0].jid, "551@s.whatsapp.net");
        assert_eq!(
            known[0].lid.as_deref(),
            Some("99@lid"),
            "the @lid answer is kept"
        );
        assert!(known[0].blocked);
    }

    #[test]
    fn unblock_overwrites_state() {
        let dir = tempfile::tempdir().unwrap();
        let (mut ledger, _) = Ledger::open(dir.path()).unwrap();
        for blocked in [true, false] {
            let id = ledger
                .record_intent("a", "1@s.whatsapp.net", None, blocked)
                .unwrap();
            ledger
                .record_outcome(id, &done("1@s.whatsapp.net", blocked))
                .unwrap();
        }
        let known = ledger.known().unwrap();
        assert_eq!(known.len(), 1);
        assert!(!known[0].blocked);
    }

    #[test]
    fn batches_record_every_intent_before_sending() {
        let dir = tempfile::tempdir().unwrap();
        let (mut ledger, _) = Ledger::open(dir.path()).unwrap();
        let items: Vec<BatchItem> = (0..3)
            .map(|i| BatchItem {
                instance: "sales".into(),
                jid: format!("55{i}@s.whatsapp.net"),
                lid: None,
                block: true,
            })
            .collect();
        let (batch, ids) = ledger.create_batch("block 3 on sales", &items).unwrap();
        assert_eq!(ids.len(), 3);
        ledger
            .record_outcome(ids[0], &done(&items[0].jid, true))
            .unwrap();
        ledger
            .record_outcome(ids[1], &Outcome::Failed("HTTP 500".into()))
            .unwrap();
        drop(ledger);
        // As after a crash: the next start sees what is left.
        let (ledger, _) = Ledger::open(dir.path()).unwrap();
        let open = ledger.unfinished_batches().unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!((open[0].total, open[0].done), (3, 1));
        let left: Vec<&str> = open[0].left.iter().map(|(_, i)| i.jid.as_str()).collect();
        assert_eq!(left, [items[1].jid.as_str(), items[2].jid.as_str()]);
        ledger.close_batch(batch, "done").unwrap();
        assert!(ledger.unfinished_batches().unwrap().is_empty());
    }

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
        let (mut ledger, notice) = Ledger::open(dir.path()).unwrap();
        assert!(notice.is_none());
        let item = BatchItem {
            instance: "a".into(),
            jid: "1@s.whatsapp.net".into(),
            lid: None,
            block: true,
        };
        ledger.create_batch("x", &[item]).unwrap();
        drop(ledger);
        let (ledger, _) = Ledger::open(dir.path()).unwrap();
        assert_eq!(ledger.unfinished_batches().unwrap().len(), 1);
    }

    #[test]
    fn damaged_file_is_moved_aside_not_deleted() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(FILE_NAME),
            b"this is not a database, just text",
        )
        .unwrap();
        let (ledger, notice) = Ledger::open(dir.path()).unwrap();
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
}
