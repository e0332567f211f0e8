//! The blocklist in the SQLite ledger: its entries, and where the list
//! itself blocked what (cleared by any later change of that contact).

use rusqlite::params;

use super::error::storage_error;
use super::handle::SqliteLedger;
use crate::model::blocklist::Entry;
use crate::store::ledger::blocklist_rows;
use crate::store::ledger::contract::LedgerError;

/// Adds `entries`: an entry of the same number and source that still
/// lists it is updated (reason, expiry, who) instead; returns how many
/// were new.
pub(super) fn add(l: &mut SqliteLedger, entries: &[Entry]) -> Result<usize, LedgerError> {
    let path = l.path.clone();
    let fail = |e| storage_error(&path, e);
    let tx = l.conn.transaction().map_err(fail)?;
    let mut added = 0;
    {
        let mut update = tx
            .prepare(
                // `+source`: found by its number, never by its source (the
                // planner would take the source's index, whose rows are
                // every entry of an import: one scan a line).
                "UPDATE blocklist SET reason = COALESCE(?3, reason), operator = ?4, expires_at = ?5
                 WHERE target = ?1 AND +source = ?2 AND removed_at IS NULL",
            )
            .map_err(fail)?;
        let mut insert = tx
            .prepare(
                "INSERT INTO blocklist (target, reason, source, operator, added_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(fail)?;
        for e in entries {
            let changed = update
                .execute(params![e.target, e.source, e.reason, e.operator, e.expires])
                .map_err(fail)?;
            if changed == 0 {
                insert
                    .execute(params![
                        e.target, e.reason, e.source, e.operator, e.added, e.expires
                    ])
                    .map_err(fail)?;
                added += 1;
            }
        }
    }
    tx.commit().map_err(fail)?;
    Ok(added)
}

/// Ends, at `at`, every entry that lists one of `targets` (any source);
/// returns how many.
pub(super) fn remove(l: &SqliteLedger, targets: &[String], at: i64) -> Result<usize, LedgerError> {
    let mut n = 0;
    for t in targets {
        n += l
            .conn
            .execute(
                "UPDATE blocklist SET removed_at = ?2 WHERE target = ?1 AND removed_at IS NULL",
                params![t, at],
            )
            .map_err(|e| l.err(e))?;
    }
    Ok(n)
}

/// Ends, at `at`, every entry of `source`; returns how many.
pub(super) fn retract(l: &SqliteLedger, source: &str, at: i64) -> Result<usize, LedgerError> {
    l.conn
        .execute(
            "UPDATE blocklist SET removed_at = ?2 WHERE source = ?1 AND removed_at IS NULL",
            params![source, at],
        )
        .map_err(|e| l.err(e))
}

/// Every entry, oldest first: those that list their number and those that
/// ended (an unblock names why); a row whose target is no number nor
/// person is skipped and counted.
pub(super) fn entries(l: &SqliteLedger) -> Result<Vec<Entry>, LedgerError> {
    let mut stmt = l
        .conn
        .prepare(
            "SELECT target, reason, source, operator, added_at, expires_at, removed_at
             FROM blocklist ORDER BY id",
        )
        .map_err(|e| l.err(e))?;
    let rows = stmt
        .query_map([], |r| {
            Ok(blocklist_rows::entry(
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .map_err(|e| l.err(e))?;
    let mut out = Vec::new();
    for row in rows {
        match row {
            Ok(Some(entry)) => out.push(entry),
            Ok(None) | Err(_) => l.skipped.set(l.skipped.get() + 1),
        }
    }
    Ok(out)
}

/// Whether the contact of request `id` was known blocked before its
/// answer is recorded: a block the list finds made (by hand, or by
/// another source) is not the list's own.
pub(super) fn blocked_before(tx: &rusqlite::Connection, id: i64) -> rusqlite::Result<bool> {
    use rusqlite::OptionalExtension;
    Ok(tx
        .query_row(
            "SELECT s.blocked FROM actions a JOIN block_state s ON s.instance = a.instance AND s.jid = a.jid WHERE a.id = ?1",
            params![id],
            |r| r.get::<_, bool>(0),
        )
        .optional()?
        .unwrap_or(false))
}

/// Notes, in the transaction that records the answer to request `id`,
/// that the list itself blocked its contact (when the state kept is
/// blocked: a later answer of another desk may be kept instead).
pub(super) fn mark_applied(tx: &rusqlite::Connection, id: i64) -> rusqlite::Result<usize> {
    tx.execute(
        "INSERT INTO blocklist_applied (instance, jid)
         SELECT s.instance, s.jid FROM actions a JOIN block_state s ON s.instance = a.instance AND s.jid = a.jid
         WHERE a.id = ?1 AND s.blocked ON CONFLICT DO NOTHING",
        params![id],
    )
}

/// Where the list itself blocked what: (instance, JID).
pub(super) fn applied(l: &SqliteLedger) -> Result<Vec<(String, String)>, LedgerError> {
    let mut stmt = l
        .conn
        .prepare("SELECT instance, jid FROM blocklist_applied ORDER BY instance, jid")
        .map_err(|e| l.err(e))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(|e| l.err(e))?;
    let mut out = Vec::new();
    for row in rows {
        match row {
            Ok(pair) => out.push(pair),
            Err(_) => l.skipped.set(l.skipped.get() + 1),
        }
    }
    Ok(out)
}
