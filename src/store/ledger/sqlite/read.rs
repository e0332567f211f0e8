//! What the SQLite ledger answers: known states, history, unfinished
//! batches, counts, the change mark and the dump. A row of a wrong type
//! (a hand-edited file) is skipped and counted, never the whole read.

use rusqlite::{OptionalExtension, Row, params};

use super::handle::{COMPANIONS, SqliteLedger};
use super::schema;
use crate::store::ledger::contract::{
    BatchItem, DumpAction, DumpBatch, HistoryEntry, HistoryResult, KnownState, LedgerDump,
    LedgerError, LedgerStatus, UnfinishedBatch,
};
use crate::store::ledger::rules::this_host;

/// The rows of a query; one that holds a value of the wrong type (a
/// hand-edited `blocked = 'yes'`) is skipped and counted instead of
/// failing the whole read.
fn rows<T>(
    l: &SqliteLedger,
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
                l.skipped.set(l.skipped.get() + 1);
                tracing::warn!(path = %l.path.display(), "a ledger row of a wrong type was skipped");
            }
            Err(e) => return Err(l.err(e)),
        }
    }
    Ok(out)
}

/// Every row `sql` (without parameters) gives, each read by `read`.
fn select<T>(
    l: &SqliteLedger,
    sql: &str,
    read: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, LedgerError> {
    let mut stmt = l.conn.prepare(sql).map_err(|e| l.err(e))?;
    let found = stmt.query_map([], read).map_err(|e| l.err(e))?;
    rows(l, found)
}

/// See [`crate::store::ledger::Ledger::owner_of`].
pub(super) fn owner_of(
    l: &SqliteLedger,
    instance: &str,
    id: &str,
) -> Result<Option<String>, LedgerError> {
    l.conn
        .query_row(
            "SELECT jid FROM block_state WHERE instance = ?1 AND (jid = ?2 OR lid = ?2) LIMIT 1",
            params![instance, id],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| l.err(e))
}

/// Everything the ledger knows, for every instance.
pub(super) fn known(l: &SqliteLedger) -> Result<Vec<KnownState>, LedgerError> {
    select(
        l,
        "SELECT instance, jid, lid, blocked, changed_at, operator, reason, contest FROM block_state ORDER BY instance, jid",
        |r| {
            Ok(KnownState {
                instance: r.get(0)?,
                jid: r.get(1)?,
                lid: r.get(2)?,
                blocked: r.get(3)?,
                changed_at: r.get(4)?,
                operator: r.get(5)?,
                reason: r.get(6)?,
                contest: r.get(7)?,
            })
        },
    )
}

/// Open batches with the items not confirmed done, oldest first.
pub(super) fn unfinished_batches(l: &SqliteLedger) -> Result<Vec<UnfinishedBatch>, LedgerError> {
    let mut batches = select(
        l,
        "SELECT b.id, b.label, b.created_at, COUNT(a.id), SUM(a.outcome = 'done')
         FROM batches b JOIN actions a ON a.batch_id = b.id
         WHERE b.status = 'open' GROUP BY b.id ORDER BY b.id",
        |r| {
            Ok(UnfinishedBatch {
                id: r.get(0)?,
                label: r.get(1)?,
                created_at: r.get(2)?,
                total: r.get::<_, i64>(3)? as usize,
                done: r.get::<_, Option<i64>>(4)?.unwrap_or(0) as usize,
                left: Vec::new(),
            })
        },
    )?;
    let mut stmt = l
        .conn
        .prepare(
            "SELECT id, instance, jid, lid, block, reason FROM actions
             WHERE batch_id = ?1 AND outcome != 'done' ORDER BY id",
        )
        .map_err(|e| l.err(e))?;
    for batch in &mut batches {
        let found = stmt
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
            .map_err(|e| l.err(e))?;
        batch.left = rows(l, found)?;
    }
    batches.retain(|b| !b.left.is_empty());
    Ok(batches)
}

/// Recorded requests, newest first: of one instance or all, since a
/// Unix time or ever, at most `limit`.
pub(super) fn history(
    l: &SqliteLedger,
    instance: Option<&str>,
    since: Option<i64>,
    limit: usize,
) -> Result<Vec<HistoryEntry>, LedgerError> {
    let mut stmt = l
        .conn
        .prepare(
            "SELECT id, instance, jid, lid, block, requested_at, outcome, error, blocked_count, operator, reason FROM actions
             WHERE (?1 IS NULL OR instance = ?1) AND requested_at >= ?2
             ORDER BY requested_at DESC, id DESC LIMIT ?3",
        )
        .map_err(|e| l.err(e))?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let found = stmt
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
        .map_err(|e| l.err(e))?;
    rows(l, found)
}

/// The outcome column of request `id` (`pending`, `done`, `failed`).
pub(super) fn outcome_of(l: &SqliteLedger, id: i64) -> Result<Option<String>, LedgerError> {
    l.conn
        .query_row("SELECT outcome FROM actions WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()
        .map_err(|e| l.err(e))
}

/// The file, its schema, its size with its companions, and its counts.
pub(super) fn status(l: &SqliteLedger) -> Result<LedgerStatus, LedgerError> {
    let count = |sql: &str| -> Result<u64, LedgerError> {
        l.conn
            .query_row(sql, [], |r| r.get::<_, i64>(0))
            .map(|n| n.max(0) as u64)
            .map_err(|e| l.err(e))
    };
    let bytes = std::iter::once(String::new())
        .chain(COMPANIONS.iter().map(|c| c.to_string()))
        .filter_map(|suffix| {
            let mut name = l.path.clone().into_os_string();
            name.push(&suffix);
            std::fs::metadata(name).ok()
        })
        .map(|m| m.len())
        .sum();
    Ok(LedgerStatus {
        backend: "sqlite",
        location: l.path.display().to_string(),
        schema: schema::version(&l.conn).map_err(|e| l.err(e))?.max(0),
        newest_schema: schema::NEWEST,
        bytes,
        actions: count("SELECT COUNT(*) FROM actions")?,
        blocked: count("SELECT COUNT(*) FROM block_state WHERE blocked = 1")?,
        open_batches: count("SELECT COUNT(*) FROM batches WHERE status = 'open'")?,
    })
}

/// SQLite's `data_version`: it changes when another connection (another
/// run, a cron job) commits to the file.
pub(super) fn change_mark(l: &SqliteLedger) -> Result<Option<i64>, LedgerError> {
    l.conn
        .query_row("PRAGMA data_version", [], |r| r.get(0))
        .map(Some)
        .map_err(|e| l.err(e))
}

/// Every batch, request and known state, for `ledger migrate`.
pub(super) fn dump(l: &SqliteLedger) -> Result<LedgerDump, LedgerError> {
    let batches = select(
        l,
        "SELECT id, created_at, label, status FROM batches ORDER BY id",
        |r| {
            Ok(DumpBatch {
                id: r.get(0)?,
                created_at: r.get(1)?,
                label: r.get(2)?,
                status: r.get(3)?,
            })
        },
    )?;
    let actions = select(
        l,
        "SELECT id, instance, jid, lid, block, requested_at, finished_at, outcome, contact_jid, blocked_count, error, batch_id, operator, reason
         FROM actions ORDER BY id",
        dump_action,
    )?;
    let path = std::fs::canonicalize(&l.path).unwrap_or_else(|_| l.path.clone());
    Ok(LedgerDump {
        origin: format!("{}:{}", this_host(), path.display()),
        batches,
        actions,
        known: known(l)?,
    })
}

/// A row of `actions`, as [`dump`] selects it.
fn dump_action(r: &Row<'_>) -> rusqlite::Result<DumpAction> {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ledger::{Ledger, Outcome};

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
                        server_at: None,
                        list_own: false,
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

    #[test]
    fn a_dump_holds_every_batch_request_and_state_with_its_origin() {
        let dir = tempfile::tempdir().unwrap();
        let (mut ledger, _) = SqliteLedger::open(dir.path()).unwrap();
        let item = BatchItem {
            instance: "sales".into(),
            jid: "1@s.whatsapp.net".into(),
            lid: None,
            block: true,
            reason: Some("spam".into()),
        };
        let (batch, ids) = ledger.create_batch("b", &[item], "desk-1").unwrap();
        let done = Outcome::Done {
            contact_jid: "1@s.whatsapp.net".into(),
            blocked: true,
            blocked_count: Some(4),
            server_at: None,
            list_own: false,
        };
        ledger.record_outcome(ids[0], &done).unwrap();
        let dump = ledger.dump().unwrap();
        assert!(dump.origin.starts_with(&format!("{}:", this_host())));
        assert!(
            dump.origin.ends_with(super::super::handle::FILE_NAME),
            "{}",
            dump.origin
        );
        assert_eq!(dump.batches.len(), 1);
        assert_eq!(
            (dump.batches[0].id, dump.batches[0].label.as_str()),
            (batch, "b")
        );
        let action = &dump.actions[0];
        assert_eq!(action.batch_id, Some(batch));
        assert_eq!(action.outcome, "done");
        assert_eq!(action.blocked_count, Some(4));
        assert_eq!(action.reason.as_deref(), Some("spam"));
        assert_eq!(dump.known.len(), 1);
    }
}
