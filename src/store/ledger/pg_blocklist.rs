//! The blocklist in the team's ledger: one list for every desk, and where
//! the list itself blocked what (cleared by any later change of that
//! contact).

use tokio_postgres::{Client, Transaction};

use super::blocklist_rows;
use super::contract::BlockEntry;

/// Adds `entries` in one transaction: an entry of the same number and
/// source that still lists it is updated instead; returns how many were
/// new.
pub(super) async fn add(
    c: &mut Client,
    entries: &[BlockEntry],
) -> Result<usize, tokio_postgres::Error> {
    let tx = c.transaction().await?;
    let update = tx
        .prepare(
            "UPDATE ryze_blocklist SET reason = COALESCE($3, reason), operator = $4, expires_at = $5
             WHERE target = $1 AND source = $2 AND removed_at IS NULL",
        )
        .await?;
    let insert = tx
        .prepare(
            "INSERT INTO ryze_blocklist (target, reason, source, operator, added_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .await?;
    let mut added = 0;
    for e in entries {
        let changed = tx
            .execute(
                &update,
                &[&e.target, &e.source, &e.reason, &e.operator, &e.expires],
            )
            .await?;
        if changed == 0 {
            tx.execute(
                &insert,
                &[
                    &e.target,
                    &e.reason,
                    &e.source,
                    &e.operator,
                    &e.added,
                    &e.expires,
                ],
            )
            .await?;
            added += 1;
        }
    }
    tx.commit().await?;
    Ok(added)
}

/// Ends, at `at`, every entry listing one of `targets`; returns how many.
pub(super) async fn remove(
    c: &mut Client,
    targets: &[String],
    at: i64,
) -> Result<usize, tokio_postgres::Error> {
    let n = c
        .execute(
            "UPDATE ryze_blocklist SET removed_at = $2 WHERE target = ANY($1) AND removed_at IS NULL",
            &[&targets, &at],
        )
        .await?;
    Ok(n as usize)
}

/// Ends, at `at`, every entry of `source`; returns how many.
pub(super) async fn retract(
    c: &mut Client,
    source: &str,
    at: i64,
) -> Result<usize, tokio_postgres::Error> {
    let n = c
        .execute(
            "UPDATE ryze_blocklist SET removed_at = $2 WHERE source = $1 AND removed_at IS NULL",
            &[&source, &at],
        )
        .await?;
    Ok(n as usize)
}

/// Every entry, oldest first, ended ones too; a row whose target is no
/// number nor person is skipped.
pub(super) async fn entries(c: &mut Client) -> Result<Vec<BlockEntry>, tokio_postgres::Error> {
    let rows = c
        .query(
            "SELECT target, reason, source, operator, added_at, expires_at, removed_at
             FROM ryze_blocklist ORDER BY id",
            &[],
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let entry = blocklist_rows::entry(
            r.try_get(0)?,
            r.try_get(1)?,
            r.try_get(2)?,
            r.try_get(3)?,
            r.try_get(4)?,
            r.try_get(5)?,
            r.try_get(6)?,
        );
        out.extend(entry);
    }
    Ok(out)
}

/// Whether the contact of request `id` was known blocked before its
/// answer is recorded: a block the list finds made (by hand, or by
/// another source) is not the list's own.
pub(super) async fn blocked_before(
    tx: &Transaction<'_>,
    id: i64,
) -> Result<bool, tokio_postgres::Error> {
    let row = tx
        .query_opt(
            "SELECT s.blocked FROM ryze_actions a
             JOIN ryze_block_state s ON s.instance = a.instance AND s.jid = a.jid
             WHERE a.id = $1",
            &[&id],
        )
        .await?;
    Ok(row.is_some_and(|r| r.get::<_, bool>(0)))
}

/// Notes, in the transaction that records the answer to request `id`,
/// that the list itself blocked its contact (when the state kept is
/// blocked: a later answer of another desk may be kept instead).
pub(super) async fn mark_applied(
    tx: &Transaction<'_>,
    id: i64,
) -> Result<(), tokio_postgres::Error> {
    tx.execute(
        "INSERT INTO ryze_blocklist_applied (instance, jid)
         SELECT s.instance, s.jid FROM ryze_actions a
         JOIN ryze_block_state s ON s.instance = a.instance AND s.jid = a.jid
         WHERE a.id = $1 AND s.blocked ON CONFLICT DO NOTHING",
        &[&id],
    )
    .await?;
    Ok(())
}

/// Where the list itself blocked what: (instance, JID).
pub(super) async fn applied(
    c: &mut Client,
) -> Result<Vec<(String, String)>, tokio_postgres::Error> {
    c.query(
        "SELECT instance, jid FROM ryze_blocklist_applied ORDER BY instance, jid",
        &[],
    )
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
    .collect()
}
