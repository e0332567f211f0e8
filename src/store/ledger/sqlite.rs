//! The ledger in a SQLite file in the data folder: each write one atomic
//! transaction that survives a crash mid-write. A file SQLite reports as
//! damaged is moved aside, never deleted; a newer schema is refused.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use super::contract::{
    BUSY_WAIT, BatchItem, BatchStatus, Claim, DumpAction, DumpBatch, HistoryEntry, HistoryResult,
    KnownState, Ledger, LedgerDump, LedgerError, LedgerStatus, Outcome, UnfinishedBatch,
};
use super::rules::{Holder, adopted_lid, this_host};
use super::sqlite_error::{damaged, storage_error};
use crate::util::dates::now_unix;
use crate::util::files;

/// File name of the ledger in the data folder.
pub const FILE_NAME: &str = "ledger.sqlite3";
/// The first try at a busy ledger, before the user is told of the wait.
const FIRST_TRY: Duration = Duration::from_millis(250);
/// Files SQLite keeps beside the ledger; they go wherever it goes.
const COMPANIONS: [&str; 2] = ["-wal", "-shm"];

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
];

/// An open ledger.
#[derive(Debug)]
pub struct SqliteLedger {
    conn: Connection,
    path: PathBuf,
    /// Rows read so far that held a value of the wrong type (a hand-edited
    /// ledger) and were skipped.
    skipped: std::cell::Cell<usize>,
}

impl SqliteLedger {
    /// Who holds batch `batch` now (after a claim lost a race).
    fn claim_batch_held(&self, batch: i64) -> Result<Claim, LedgerError> {
        let held: Option<(Option<String>, Option<i64>)> = self
            .conn
            .query_row(
                "SELECT claimed_by, claimed_at FROM batches WHERE id = ?1",
                [batch],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(match held {
            Some((Some(operator), since)) => Claim::Theirs {
                operator,
                since: since.unwrap_or_default(),
            },
            _ => Claim::Ours,
        })
    }

    /// Opens (or creates) the ledger in `data_dir`, waiting up to
    /// [`BUSY_WAIT`] for a ledger another program holds. See
    /// [`Ledger::open_waiting`].
    pub fn open(data_dir: &Path) -> Result<(SqliteLedger, Option<String>), LedgerError> {
        Self::open_waiting(data_dir, BUSY_WAIT, || {})
    }

    /// Opens (or creates) the ledger in `data_dir`, private to the user.
    ///
    /// Only a file that SQLite itself reports as corrupt or not a database
    /// is moved aside (under a name no other file has; never deleted), and
    /// the returned notice says where it went. A ledger that another
    /// program holds is waited for: `on_busy` is called once when the wait
    /// starts, and after `wait` the ledger is refused, untouched. Any other
    /// failure (a full disk, no permission, a symbolic link) is reported
    /// and changes nothing.
    pub fn open_waiting(
        data_dir: &Path,
        wait: Duration,
        on_busy: impl FnOnce(),
    ) -> Result<(SqliteLedger, Option<String>), LedgerError> {
        let (ledger, notice) = Self::open_in(data_dir, wait, on_busy)?;
        if !files::others_can_write(data_dir) {
            return Ok((ledger, notice));
        }
        let warning = format!(
            "the data folder {} can be written by other users, who could replace the ledger: keep it in a folder of your own (--data-dir)",
            data_dir.display()
        );
        let notice = match notice {
            Some(notice) => format!("{notice} · {warning}"),
            None => warning,
        };
        Ok((ledger, Some(notice)))
    }

    fn open_in(
        data_dir: &Path,
        wait: Duration,
        on_busy: impl FnOnce(),
    ) -> Result<(SqliteLedger, Option<String>), LedgerError> {
        let path = data_dir.join(FILE_NAME);
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| LedgerError::Io { path, source }
        };
        files::private_dir(data_dir, false).map_err(io(data_dir))?;
        files::private_file(&path).map_err(io(&path))?;
        for suffix in COMPANIONS {
            let companion = PathBuf::from(format!("{}{suffix}", path.display()));
            files::tighten_if_present(&companion).map_err(io(&companion))?;
        }
        let mut on_busy = Some(on_busy);
        loop {
            let timeout = if on_busy.is_some() { FIRST_TRY } else { wait };
            match Self::open_at(&path, timeout) {
                Ok(mut ledger) => {
                    ledger.adopt_unanswered()?;
                    return Ok((ledger, None));
                }
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
                Err(e) if e.is_damage() => return Self::start_afresh(&path, e),
                Err(e) => return Err(e),
            }
        }
    }

    /// Moves a damaged ledger aside (with its write-ahead log) and starts a
    /// new one.
    fn start_afresh(
        path: &Path,
        damage: LedgerError,
    ) -> Result<(SqliteLedger, Option<String>), LedgerError> {
        let aside =
            files::move_aside(path, now_unix(), &COMPANIONS).map_err(|source| LedgerError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        tracing::warn!(error = %damage, aside = %aside.display(), "ledger moved aside");
        files::private_file(path).map_err(|source| LedgerError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let ledger = Self::open_at(path, FIRST_TRY)?;
        let notice = format!(
            "the ledger could not be read ({damage}); it was moved to {} and a new one started",
            aside.display()
        );
        Ok((ledger, Some(notice)))
    }

    fn open_at(path: &Path, busy_timeout: Duration) -> Result<SqliteLedger, LedgerError> {
        let sqlite = |source| storage_error(path, source);
        let conn = Connection::open(path).map_err(sqlite)?;
        conn.busy_timeout(busy_timeout).map_err(sqlite)?;
        // Before anything writes: a schema from the future stays as it is.
        let found: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sqlite)?;
        let known = MIGRATIONS.len() as i64 + 1;
        if found > known {
            return Err(LedgerError::Newer {
                path: path.to_path_buf(),
                found,
                known,
            });
        }
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
        Ok(SqliteLedger {
            conn,
            path: path.to_path_buf(),
            skipped: std::cell::Cell::new(0),
        })
    }

    /// The rows of a query; one that holds a value of the wrong type (a
    /// hand-edited `blocked = 'yes'`) is skipped and counted instead of
    /// failing the whole read.
    fn rows<T>(
        &self,
        rows: impl Iterator<Item = rusqlite::Result<T>>,
    ) -> Result<Vec<T>, LedgerError> {
        let mut out = Vec::new();
        for row in rows {
            match row {
                Ok(row) => out.push(row),
                Err(
                    rusqlite::Error::InvalidColumnType(..)
                    | rusqlite::Error::FromSqlConversionFailure(..)
                    | rusqlite::Error::IntegralValueOutOfRange(..),
                ) => {
                    self.skipped.set(self.skipped.get() + 1);
                    tracing::warn!(path = %self.path.display(), "a ledger row of a wrong type was skipped");
                }
                Err(e) => return Err(self.err(e)),
            }
        }
        Ok(out)
    }

    fn err(&self, source: rusqlite::Error) -> LedgerError {
        storage_error(&self.path, source)
    }

    /// Gathers single requests that never got an answer (the app stopped
    /// while they were in flight) into one batch, so that the next start
    /// offers to resume them like any unfinished batch. Returns how many.
    fn adopt_unanswered(&mut self) -> Result<usize, LedgerError> {
        let tx = self
            .conn
            .transaction()
            .map_err(|e| storage_error(&self.path, e))?;
        let result = (|| {
            let n: i64 = tx.query_row(
                "SELECT COUNT(*) FROM actions WHERE batch_id IS NULL AND outcome = 'pending'",
                [],
                |r| r.get(0),
            )?;
            if n > 0 {
                tx.execute(
                    "INSERT INTO batches (created_at, label) VALUES (?1, ?2)",
                    params![
                        now_unix(),
                        format!("{n} request(s) left waiting when the app stopped")
                    ],
                )?;
                let batch = tx.last_insert_rowid();
                tx.execute(
                    "UPDATE actions SET batch_id = ?1 WHERE batch_id IS NULL AND outcome = 'pending'",
                    [batch],
                )?;
            }
            tx.commit()?;
            Ok(n as usize)
        })();
        result.map_err(|e| self.err(e))
    }
}

impl Ledger for SqliteLedger {
    fn claim_batch(&self, batch: i64, operator: &str) -> Result<Claim, LedgerError> {
        let now = now_unix();
        let held: Option<Holder> = self
            .conn
            .query_row(
                "SELECT claimed_by, claimed_at, claim_pid, claim_host FROM batches WHERE id = ?1",
                [batch],
                |r| {
                    Ok(Holder {
                        operator: r.get(0)?,
                        at: r.get(1)?,
                        pid: r.get(2)?,
                        host: r.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some(holder) = held else {
            return Ok(Claim::Ours);
        };
        if holder.is_free(now) {
            // Taken only if nobody took it since it was read: of two runs
            // claiming at once, one wins.
            let granted = self
                .conn
                .execute(
                    "UPDATE batches SET claimed_by = ?2, claimed_at = ?3, claim_pid = ?4, claim_host = ?5
                     WHERE id = ?1 AND claimed_by IS ?6 AND claimed_at IS ?7 AND claim_pid IS ?8",
                    params![
                        batch,
                        operator,
                        now,
                        i64::from(std::process::id()),
                        this_host(),
                        holder.operator,
                        holder.at,
                        holder.pid
                    ],
                )
                .map_err(|e| self.err(e))?;
            if granted == 1 {
                return Ok(Claim::Ours);
            }
            return self.claim_batch_held(batch);
        }
        Ok(Claim::Theirs {
            operator: holder.operator.unwrap_or_default(),
            since: holder.at.unwrap_or_default(),
        })
    }

    fn status(&self) -> Result<LedgerStatus, LedgerError> {
        let count = |sql: &str| -> Result<u64, LedgerError> {
            self.conn
                .query_row(sql, [], |r| r.get::<_, i64>(0))
                .map(|n| n.max(0) as u64)
                .map_err(|e| self.err(e))
        };
        let bytes = std::iter::once(String::new())
            .chain(COMPANIONS.iter().map(|c| c.to_string()))
            .filter_map(|suffix| {
                let mut name = self.path.clone().into_os_string();
                name.push(&suffix);
                std::fs::metadata(name).ok()
            })
            .map(|m| m.len())
            .sum();
        Ok(LedgerStatus {
            backend: "sqlite",
            location: self.path.display().to_string(),
            schema: count("PRAGMA user_version")? as i64,
            newest_schema: MIGRATIONS.len() as i64 + 1,
            bytes,
            actions: count("SELECT COUNT(*) FROM actions")?,
            blocked: count("SELECT COUNT(*) FROM block_state WHERE blocked = 1")?,
            open_batches: count("SELECT COUNT(*) FROM batches WHERE status = 'open'")?,
        })
    }

    /// How many rows read so far were skipped for holding a value of the
    /// wrong type (see [`Ledger::rows`]).
    fn skipped_rows(&self) -> usize {
        self.skipped.get()
    }

    /// Records that a request is about to be sent; returns its id for
    /// [`Ledger::record_outcome`].
    fn record_intent(
        &self,
        instance: &str,
        jid: &str,
        lid: Option<&str>,
        block: bool,
        operator: &str,
        reason: Option<&str>,
    ) -> Result<i64, LedgerError> {
        self.conn
            .execute(
                "INSERT INTO actions (instance, jid, lid, block, requested_at, operator, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![instance, jid, lid, block, now_unix(), operator, reason],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Records the server's answer to request `id`, and on success the new
    /// known state of the contact, in one transaction. Returns the time
    /// stored.
    fn record_outcome(&mut self, id: i64, outcome: &Outcome) -> Result<i64, LedgerError> {
        let at = now_unix();
        let tx = self
            .conn
            .transaction()
            .map_err(|e| storage_error(&self.path, e))?;
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
                    let (instance, jid, lid, operator, reason): (
                        String,
                        String,
                        Option<String>,
                        Option<String>,
                        Option<String>,
                    ) = tx.query_row(
                        "SELECT instance, jid, lid, operator, reason FROM actions WHERE id = ?1",
                        [id],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                    )?;
                    // Only a valid @lid that no other contact of the
                    // instance holds becomes this contact's.
                    let taken: bool = tx.query_row(
                        "SELECT EXISTS (SELECT 1 FROM block_state WHERE instance = ?1 AND jid != ?2 AND (jid = ?3 OR lid = ?3))",
                        params![instance, jid, contact_jid],
                        |r| r.get(0),
                    )?;
                    let lid = adopted_lid(lid, &jid, contact_jid, taken);
                    tx.execute(
                        "INSERT INTO block_state (instance, jid, lid, blocked, changed_at, operator, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                         ON CONFLICT (instance, jid) DO UPDATE SET lid = COALESCE(excluded.lid, lid), blocked = excluded.blocked, changed_at = excluded.changed_at, operator = excluded.operator, reason = excluded.reason",
                        params![instance, jid, lid, blocked, at, operator, reason],
                    )?;
                }
                Outcome::Failed(why) => {
                    tx.execute(
                        "UPDATE actions SET outcome = 'failed', finished_at = ?2, error = ?3 WHERE id = ?1",
                        params![id, at, why],
                    )?;
                }
            }
            // The batch's holder is making progress: its claim stays fresh.
            tx.execute(
                "UPDATE batches SET claimed_at = ?2 WHERE id = (SELECT batch_id FROM actions WHERE id = ?1) AND claimed_by IS NOT NULL",
                params![id, at],
            )?;
            tx.commit()
        })();
        result.map_err(|e| self.err(e))?;
        Ok(at)
    }

    /// The contact (its JID as listed) that `id` (a JID or an `@lid`)
    /// belongs to on `instance`, when the ledger knows one.
    fn owner_of(&self, instance: &str, id: &str) -> Result<Option<String>, LedgerError> {
        self.conn
            .query_row(
                "SELECT jid FROM block_state WHERE instance = ?1 AND (jid = ?2 OR lid = ?2) LIMIT 1",
                params![instance, id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Everything the ledger knows, for every instance.
    fn known(&self) -> Result<Vec<KnownState>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare("SELECT instance, jid, lid, blocked, changed_at, operator, reason FROM block_state ORDER BY instance, jid")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(KnownState {
                    instance: r.get(0)?,
                    jid: r.get(1)?,
                    lid: r.get(2)?,
                    blocked: r.get(3)?,
                    changed_at: r.get(4)?,
                    operator: r.get(5)?,
                    reason: r.get(6)?,
                })
            })
            .map_err(|e| self.err(e))?;
        self.rows(rows)
    }

    /// Records a batch and one pending action per item, in one transaction,
    /// before anything is sent. Returns the batch id and the action ids in
    /// item order.
    fn create_batch(
        &mut self,
        label: &str,
        items: &[BatchItem],
        operator: &str,
    ) -> Result<(i64, Vec<i64>), LedgerError> {
        let now = now_unix();
        let tx = self
            .conn
            .transaction()
            .map_err(|e| storage_error(&self.path, e))?;
        let result = (|| {
            tx.execute(
                "INSERT INTO batches (created_at, label, claimed_by, claimed_at, claim_pid, claim_host) VALUES (?1, ?2, ?3, ?1, ?4, ?5)",
                params![now, label, operator, i64::from(std::process::id()), this_host()],
            )?;
            let batch = tx.last_insert_rowid();
            let mut ids = Vec::with_capacity(items.len());
            {
                let mut insert = tx.prepare(
                    "INSERT INTO actions (instance, jid, lid, block, requested_at, batch_id, operator, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?;
                for item in items {
                    insert.execute(params![
                        item.instance,
                        item.jid,
                        item.lid,
                        item.block,
                        now,
                        batch,
                        operator,
                        item.reason
                    ])?;
                    ids.push(tx.last_insert_rowid());
                }
            }
            tx.commit()?;
            Ok((batch, ids))
        })();
        result.map_err(|e| self.err(e))
    }

    /// Marks a batch done or cancelled.
    fn close_batch(&self, batch: i64, status: BatchStatus) -> Result<(), LedgerError> {
        self.conn
            .execute(
                "UPDATE batches SET status = ?2, claimed_by = NULL WHERE id = ?1 AND status = 'open'",
                params![batch, status.word()],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Open batches with the items not confirmed done, oldest first.
    fn unfinished_batches(&self) -> Result<Vec<UnfinishedBatch>, LedgerError> {
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
            self.rows(rows)?
        };
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, instance, jid, lid, block, reason FROM actions
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
                            reason: r.get(5)?,
                        },
                    ))
                })
                .map_err(|e| self.err(e))?;
            batch.left = self.rows(rows)?;
        }
        batches.retain(|b| !b.left.is_empty());
        Ok(batches)
    }

    /// Recorded requests, newest first: of one instance or all, since a
    /// Unix time or ever, at most `limit`.
    fn history(
        &self,
        instance: Option<&str>,
        since: Option<i64>,
        limit: usize,
    ) -> Result<Vec<HistoryEntry>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, instance, jid, lid, block, requested_at, outcome, error, blocked_count, operator, reason FROM actions
                 WHERE (?1 IS NULL OR instance = ?1) AND requested_at >= ?2
                 ORDER BY requested_at DESC, id DESC LIMIT ?3",
            )
            .map_err(|e| self.err(e))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![instance, since.unwrap_or(i64::MIN), limit], |r| {
                let outcome: String = r.get(6)?;
                let result = HistoryResult::from_columns(&outcome, r.get(8)?, r.get(7)?);
                Ok(HistoryEntry {
                    id: r.get(0)?,
                    instance: r.get(1)?,
                    jid: r.get(2)?,
                    lid: r.get(3)?,
                    block: r.get(4)?,
                    requested_at: r.get(5)?,
                    result,
                    operator: r.get(9)?,
                    reason: r.get(10)?,
                })
            })
            .map_err(|e| self.err(e))?;
        self.rows(rows)
    }

    /// SQLite's `data_version`: it changes when another connection (another
    /// run, a cron job) commits to the file.
    fn change_mark(&self) -> Result<Option<i64>, LedgerError> {
        self.conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map(Some)
            .map_err(|e| self.err(e))
    }

    /// Every batch, request and known state, for `ledger migrate`.
    fn dump(&self) -> Result<LedgerDump, LedgerError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, created_at, label, status FROM batches ORDER BY id")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(DumpBatch {
                    id: r.get(0)?,
                    created_at: r.get(1)?,
                    label: r.get(2)?,
                    status: r.get(3)?,
                })
            })
            .map_err(|e| self.err(e))?;
        let batches = self.rows(rows)?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, instance, jid, lid, block, requested_at, finished_at, outcome, contact_jid, blocked_count, error, batch_id, operator, reason
                 FROM actions ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(DumpAction {
                    id: r.get(0)?,
                    instance: r.get(1)?,
                    jid: r.get(2)?,
                    lid: r.get(3)?,
                    block: r.get(4)?,
                    requested_at: r.get(5)?,
                    finished_at: r.get(6)?,
                    outcome: r.get(7)?,
                    contact_jid: r.get(8)?,
                    blocked_count: r.get(9)?,
                    error: r.get(10)?,
                    batch_id: r.get(11)?,
                    operator: r.get(12)?,
                    reason: r.get(13)?,
                })
            })
            .map_err(|e| self.err(e))?;
        let actions = self.rows(rows)?;
        let path = std::fs::canonicalize(&self.path).unwrap_or_else(|_| self.path.clone());
        Ok(LedgerDump {
            origin: format!("{}:{}", this_host(), path.display()),
            batches,
            actions,
            known: self.known()?,
        })
    }

    /// The outcome column of request `id` (`pending`, `done`, `failed`).
    fn outcome_of(&self, id: i64) -> Result<Option<String>, LedgerError> {
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
    use crate::store::ledger::CLAIM_STALE_SECS;

    #[test]
    fn a_batch_is_resumed_by_one_run_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let (mut ledger, _) = SqliteLedger::open(dir.path()).unwrap();
        let item = BatchItem {
            instance: "sales".into(),
            jid: "5511911110001@s.whatsapp.net".into(),
            lid: None,
            block: true,
            reason: None,
        };
        let (batch, _) = ledger.create_batch("b", &[item], "desk-1").unwrap();
        // Its creator, still running, holds it.
        assert_eq!(ledger.claim_batch(batch, "desk-1").unwrap(), Claim::Ours);
        let hold = |pid: i64, at: i64| {
            ledger
                .conn
                .execute(
                    "UPDATE batches SET claimed_by = 'desk-2', claimed_at = ?2, claim_pid = ?3, claim_host = ?4 WHERE id = ?1",
                    params![batch, at, pid, this_host()],
                )
                .unwrap();
        };
        // Another run of this machine that is alive (pid 1 always is) and
        // making progress: not taken.
        hold(1, now_unix());
        assert_eq!(
            ledger.claim_batch(batch, "desk-1").unwrap(),
            Claim::Theirs {
                operator: "desk-2".into(),
                since: now_unix()
            }
        );
        // The same, silent for longer than the stale time: taken over.
        hold(1, now_unix() - CLAIM_STALE_SECS - 1);
        assert_eq!(ledger.claim_batch(batch, "desk-1").unwrap(), Claim::Ours);
        // A run of this machine that has ended: taken at once.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = i64::from(child.id());
        child.wait().unwrap();
        hold(dead, now_unix());
        assert_eq!(ledger.claim_batch(batch, "desk-1").unwrap(), Claim::Ours);
        // Progress keeps the holder's claim fresh; closing lets it go.
        ledger.close_batch(batch, BatchStatus::Left).unwrap();
        let held: Option<String> = ledger
            .conn
            .query_row(
                "SELECT claimed_by FROM batches WHERE id = ?1",
                [batch],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(held, None);
        assert_eq!(ledger.unfinished_batches().unwrap().len(), 1, "still open");
    }

    #[test]
    fn history_is_newest_first_per_instance_and_since() {
        let dir = tempfile::tempdir().unwrap();
        let (mut ledger, _) = SqliteLedger::open(dir.path()).unwrap();
        let a = ledger
            .record_intent("sales", "1@s.whatsapp.net", None, true, "desk-1", None)
            .unwrap();
        ledger
            .record_outcome(a, &done("1@s.whatsapp.net", true))
            .unwrap();
        let b = ledger
            .record_intent("sales", "2@s.whatsapp.net", None, false, "desk-1", None)
            .unwrap();
        ledger
            .record_outcome(b, &Outcome::Failed("HTTP 503 · not connected".into()))
            .unwrap();
        let c = ledger
            .record_intent("support", "3@s.whatsapp.net", None, true, "desk-1", None)
            .unwrap();
        let sales = ledger.history(Some("sales"), None, 100).unwrap();
        assert_eq!(sales.iter().map(|e| e.id).collect::<Vec<_>>(), [b, a]);
        assert_eq!(
            sales[0].result,
            HistoryResult::Failed("HTTP 503 · not connected".into())
        );
        assert_eq!(sales[1].result, HistoryResult::Done(Some(1)));
        assert!(!sales[0].block && sales[1].block);
        let all = ledger.history(None, None, 100).unwrap();
        assert_eq!(all.iter().map(|e| e.id).collect::<Vec<_>>(), [c, b, a]);
        assert_eq!(all[0].result, HistoryResult::Unanswered);
        assert_eq!(ledger.history(None, None, 1).unwrap().len(), 1);
        assert!(
            ledger
                .history(None, Some(now_unix() + 100), 100)
                .unwrap()
                .is_empty()
        );
    }

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
            let (mut ledger, notice) = SqliteLedger::open(dir.path()).unwrap();
            assert!(notice.is_none());
            let id = ledger
                .record_intent("sales", "551@s.whatsapp.net", None, true, "desk-1", None)
                .unwrap();
            assert_eq!(ledger.outcome_of(id).unwrap().as_deref(), Some("pending"));
            ledger.record_outcome(id, &done("99@lid", true)).unwrap();
            assert_eq!(ledger.outcome_of(id).unwrap().as_deref(), Some("done"));
            let failed = ledger
                .record_intent("sales", "552@s.whatsapp.net", None, true, "desk-1", None)
                .unwrap();
            ledger
                .record_outcome(failed, &Outcome::Failed("HTTP 503".into()))
                .unwrap();
        }
        let (ledger, _) = SqliteLedger::open(dir.path()).unwrap();
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
        let (mut ledger, _) = SqliteLedger::open(dir.path()).unwrap();
        for blocked in [true, false] {
            let id = ledger
                .record_intent("a", "1@s.whatsapp.net", None, blocked, "desk-1", None)
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
        let (mut ledger, _) = SqliteLedger::open(dir.path()).unwrap();
        let items: Vec<BatchItem> = (0..3)
            .map(|i| BatchItem {
                instance: "sales".into(),
                jid: format!("55{i}@s.whatsapp.net"),
                lid: None,
                block: true,
                reason: None,
            })
            .collect();
        let (batch, ids) = ledger
            .create_batch("block 3 on sales", &items, "desk-1")
            .unwrap();
        assert_eq!(ids.len(), 3);
        ledger
            .record_outcome(ids[0], &done(&items[0].jid, true))
            .unwrap();
        ledger
            .record_outcome(ids[1], &Outcome::Failed("HTTP 500".into()))
            .unwrap();
        drop(ledger);
        // As after a crash: the next start sees what is left.
        let (ledger, _) = SqliteLedger::open(dir.path()).unwrap();
        let open = ledger.unfinished_batches().unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!((open[0].total, open[0].done), (3, 1));
        let left: Vec<&str> = open[0].left.iter().map(|(_, i)| i.jid.as_str()).collect();
        assert_eq!(left, [items[1].jid.as_str(), items[2].jid.as_str()]);
        ledger.close_batch(batch, BatchStatus::Done).unwrap();
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
        let (mut ledger, notice) = SqliteLedger::open(dir.path()).unwrap();
        assert!(notice.is_none());
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

    #[test]
    fn an_lid_is_adopted_only_when_valid_and_nobody_elses() {
        let dir = tempfile::tempdir().unwrap();
        let (mut ledger, _) = SqliteLedger::open(dir.path()).unwrap();
        let act = |ledger: &mut SqliteLedger, jid: &str, lid: Option<&str>, answer: &str| {
            let id = ledger
                .record_intent("a", jid, lid, true, "desk-1", None)
                .unwrap();
            ledger.record_outcome(id, &done(answer, true)).unwrap();
        };
        act(&mut ledger, "1@s.whatsapp.net", Some("77@lid"), "77@lid");
        act(&mut ledger, "2@s.whatsapp.net", None, "77@lid");
        act(&mut ledger, "3@s.whatsapp.net", None, "=cmd()@lid");
        let lids: Vec<Option<String>> =
            ledger.known().unwrap().into_iter().map(|k| k.lid).collect();
        assert_eq!(lids, [Some("77@lid".to_string()), None, None]);
    }

    #[test]
    fn requests_left_waiting_are_offered_for_resume_at_the_next_start() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (ledger, _) = SqliteLedger::open(dir.path()).unwrap();
            // Sent, then the app quit before the answer came.
            ledger
                .record_intent(
                    "sales",
                    "5511999998888@s.whatsapp.net",
                    None,
                    true,
                    "desk-1",
                    None,
                )
                .unwrap();
        }
        let (ledger, _) = SqliteLedger::open(dir.path()).unwrap();
        let open = ledger.unfinished_batches().unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(
            open[0].label,
            "1 request(s) left waiting when the app stopped"
        );
        assert_eq!(open[0].left[0].1.jid, "5511999998888@s.whatsapp.net");
        drop(ledger);
        let (ledger, _) = SqliteLedger::open(dir.path()).unwrap();
        assert_eq!(
            ledger.unfinished_batches().unwrap().len(),
            1,
            "adopted once"
        );
    }
}

#[cfg(test)]
mod hand_edited {
    use super::*;

    #[test]
    fn a_ledger_of_a_newer_schema_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        drop(SqliteLedger::open(dir.path()).unwrap());
        let path = dir.path().join(FILE_NAME);
        Connection::open(&path)
            .unwrap()
            .execute_batch("PRAGMA user_version = 999;")
            .unwrap();
        let before = std::fs::read(&path).unwrap();
        let err = SqliteLedger::open(dir.path()).unwrap_err();
        assert!(
            matches!(err, LedgerError::Newer { found: 999, .. }),
            "{err}"
        );
        assert!(
            err.to_string().contains("made by a newer ryze-contacts"),
            "{err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), before, "not a byte changed");
    }

    #[test]
    fn a_row_of_a_wrong_type_is_skipped_and_counted() {
        let dir = tempfile::tempdir().unwrap();
        let (mut ledger, _) = SqliteLedger::open(dir.path()).unwrap();
        for jid in ["1@s.whatsapp.net", "2@s.whatsapp.net"] {
            let id = ledger
                .record_intent("sales", jid, None, true, "desk-1", None)
                .unwrap();
            ledger
                .record_outcome(
                    id,
                    &Outcome::Done {
                        contact_jid: jid.into(),
                        blocked: true,
                        blocked_count: Some(1),
                    },
                )
                .unwrap();
        }
        ledger
            .conn
            .execute(
                "UPDATE block_state SET blocked = 'yes' WHERE jid = '1@s.whatsapp.net'",
                [],
            )
            .unwrap();
        let known = ledger.known().unwrap();
        assert_eq!(known.len(), 1, "the good row is read");
        assert_eq!(known[0].jid, "2@s.whatsapp.net");
        assert_eq!(ledger.skipped_rows(), 1);
    }
}
