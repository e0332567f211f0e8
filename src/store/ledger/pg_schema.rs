//! The team ledger's schema, kept in the database with its version, and
//! what is written in bulk: requests left waiting, a copied ledger.

use tokio_postgres::Client;

use super::contract::{CLAIM_STALE_SECS, LedgerDump};
use super::pg_link::CHANNEL;
use crate::util::dates::now_unix;

/// Serialises schema set-up between runs starting at once.
const SETUP_LOCK: i64 = 0x7279_7a65_6c65_6467;

/// Schema steps, applied in order; the database keeps how many it has.
const MIGRATIONS: &[&str] = &[
    "
CREATE TABLE ryze_batches (
    id         BIGSERIAL PRIMARY KEY,
    created_at BIGINT NOT NULL,
    label      TEXT   NOT NULL,
    status     TEXT   NOT NULL DEFAULT 'open',
    claimed_by TEXT,
    claimed_at BIGINT,
    claim_pid  BIGINT,
    claim_host TEXT,
    origin     TEXT UNIQUE
);
CREATE TABLE ryze_actions (
    id            BIGSERIAL PRIMARY KEY,
    instance      TEXT    NOT NULL,
    jid           TEXT    NOT NULL,
    lid           TEXT,
    block         BOOLEAN NOT NULL,
    requested_at  BIGINT  NOT NULL,
    finished_at   BIGINT,
    outcome       TEXT    NOT NULL DEFAULT 'pending',
    contact_jid   TEXT,
    blocked_count BIGINT,
    error         TEXT,
    batch_id      BIGINT REFERENCES ryze_batches (id),
    operator      TEXT,
    reason        TEXT,
    origin        TEXT UNIQUE
);
CREATE INDEX ryze_actions_batch ON ryze_actions (batch_id);
CREATE INDEX ryze_actions_requested ON ryze_actions (requested_at DESC, id DESC);
CREATE TABLE ryze_block_state (
    instance   TEXT    NOT NULL,
    jid        TEXT    NOT NULL,
    lid        TEXT,
    blocked    BOOLEAN NOT NULL,
    changed_at BIGINT  NOT NULL,
    operator   TEXT,
    reason     TEXT,
    PRIMARY KEY (instance, jid)
);
",
    "
CREATE TABLE ryze_identities (
    number       TEXT   PRIMARY KEY,
    state        TEXT   NOT NULL,
    jid          TEXT,
    lid          TEXT,
    name         TEXT,
    about        TEXT,
    message      TEXT,
    looked_up_at BIGINT NOT NULL
);
",
];

/// The newest schema this build knows.
pub(super) const NEWEST: i64 = MIGRATIONS.len() as i64;

/// What `ledger migrate` copied.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportCounts {
    /// Requests copied now.
    pub actions: u64,
    /// Requests that were there already (an earlier migrate).
    pub actions_there: u64,
    /// Batches copied now.
    pub batches: u64,
    /// Batches there already.
    pub batches_there: u64,
    /// Known states written (new, or newer than the team's).
    pub known: u64,
    /// Known states kept as the team had them (theirs is as new or newer).
    pub known_kept: u64,
}

/// Creates or updates the schema; returns the version found first. A
/// newer one is left as it is.
pub(super) async fn set_up(c: &mut Client) -> Result<i64, tokio_postgres::Error> {
    let tx = c.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SETUP_LOCK])
        .await?;
    let exists: bool = tx
        .query_one("SELECT to_regclass('ryze_schema') IS NOT NULL", &[])
        .await?
        .try_get(0)?;
    let found: i64 = if exists {
        tx.query_opt("SELECT version FROM ryze_schema", &[])
            .await?
            .map(|r| r.try_get(0))
            .transpose()?
            .unwrap_or(0)
    } else {
        0
    };
    if found >= NEWEST {
        // Up to date, or newer: nothing is written.
        tx.rollback().await?;
        return Ok(found);
    }
    if !exists {
        tx.batch_execute("CREATE TABLE ryze_schema (version BIGINT NOT NULL)")
            .await?;
    }
    for step in MIGRATIONS.iter().skip(found as usize) {
        tx.batch_execute(step).await?;
    }
    tx.execute("DELETE FROM ryze_schema", &[]).await?;
    tx.execute("INSERT INTO ryze_schema (version) VALUES ($1)", &[&NEWEST])
        .await?;
    tx.commit().await?;
    Ok(found)
}

/// Gathers single requests that never got an answer into one batch for
/// resuming. In a shared ledger a colleague's request may be in flight:
/// only those older than [`CLAIM_STALE_SECS`] are taken.
pub(super) async fn adopt_unanswered(c: &mut Client) -> Result<i64, tokio_postgres::Error> {
    let tx = c.transaction().await?;
    let before = now_unix() - CLAIM_STALE_SECS;
    let n: i64 = tx
        .query_one(
            "SELECT COUNT(*) FROM ryze_actions WHERE batch_id IS NULL AND outcome = 'pending' AND requested_at < $1",
            &[&before],
        )
        .await?
        .try_get(0)?;
    if n > 0 {
        let label = format!("{n} request(s) left waiting when the app stopped");
        let batch: i64 = tx
            .query_one(
                "INSERT INTO ryze_batches (created_at, label) VALUES ($1, $2) RETURNING id",
                &[&now_unix(), &label],
            )
            .await?
            .try_get(0)?;
        tx.execute(
            "UPDATE ryze_actions SET batch_id = $1 WHERE batch_id IS NULL AND outcome = 'pending' AND requested_at < $2",
            &[&batch, &before],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n)
}

/// Copies `dump` in one transaction (see [`super::PgLedger::import`]).
pub(super) async fn import(
    c: &mut Client,
    dump: &LedgerDump,
) -> Result<ImportCounts, tokio_postgres::Error> {
    let mut counts = ImportCounts::default();
    let tx = c.transaction().await?;
    let batch_ids = import_batches(&tx, dump, &mut counts).await?;
    import_actions(&tx, dump, &batch_ids, &mut counts).await?;
    import_known(&tx, dump, &mut counts).await?;
    tx.execute("SELECT pg_notify($1, '')", &[&CHANNEL]).await?;
    tx.commit().await?;
    Ok(counts)
}

/// The dump's batches, each once per origin; returns their ids here by
/// their ids there.
async fn import_batches(
    tx: &tokio_postgres::Transaction<'_>,
    dump: &LedgerDump,
    counts: &mut ImportCounts,
) -> Result<std::collections::HashMap<i64, i64>, tokio_postgres::Error> {
    let mut batch_ids = std::collections::HashMap::new();
    for b in &dump.batches {
        let origin = format!("{}#batch-{}", dump.origin, b.id);
        let new = tx
            .query_opt(
                "INSERT INTO ryze_batches (created_at, label, status, origin) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (origin) DO NOTHING RETURNING id",
                &[&b.created_at, &b.label, &b.status, &origin],
            )
            .await?;
        let id: i64 = match new {
            Some(row) => {
                counts.batches += 1;
                row.try_get(0)?
            }
            None => {
                counts.batches_there += 1;
                tx.query_one("SELECT id FROM ryze_batches WHERE origin = $1", &[&origin])
                    .await?
                    .try_get(0)?
            }
        };
        batch_ids.insert(b.id, id);
    }
    Ok(batch_ids)
}

/// The dump's requests, each once per origin, in their batches here.
async fn import_actions(
    tx: &tokio_postgres::Transaction<'_>,
    dump: &LedgerDump,
    batch_ids: &std::collections::HashMap<i64, i64>,
    counts: &mut ImportCounts,
) -> Result<(), tokio_postgres::Error> {
    let insert = tx
        .prepare(
            "INSERT INTO ryze_actions (instance, jid, lid, block, requested_at, finished_at, outcome, contact_jid, blocked_count, error, batch_id, operator, reason, origin)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (origin) DO NOTHING",
        )
        .await?;
    for a in &dump.actions {
        let origin = format!("{}#{}", dump.origin, a.id);
        let batch = a.batch_id.and_then(|b| batch_ids.get(&b).copied());
        let n = tx
            .execute(
                &insert,
                &[
                    &a.instance,
                    &a.jid,
                    &a.lid,
                    &a.block,
                    &a.requested_at,
                    &a.finished_at,
                    &a.outcome,
                    &a.contact_jid,
                    &a.blocked_count,
                    &a.error,
                    &batch,
                    &a.operator,
                    &a.reason,
                    &origin,
                ],
            )
            .await?;
        if n == 1 {
            counts.actions += 1;
        } else {
            counts.actions_there += 1;
        }
    }
    Ok(())
}

/// The dump's known states, each replacing the team's only when newer.
async fn import_known(
    tx: &tokio_postgres::Transaction<'_>,
    dump: &LedgerDump,
    counts: &mut ImportCounts,
) -> Result<(), tokio_postgres::Error> {
    for k in &dump.known {
        let n = tx
            .execute(
                "INSERT INTO ryze_block_state (instance, jid, lid, blocked, changed_at, operator, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (instance, jid) DO UPDATE SET lid = COALESCE(excluded.lid, ryze_block_state.lid), blocked = excluded.blocked,
                   changed_at = excluded.changed_at, operator = excluded.operator, reason = excluded.reason
                 WHERE ryze_block_state.changed_at < excluded.changed_at",
                &[
                    &k.instance,
                    &k.jid,
                    &k.lid,
                    &k.blocked,
                    &k.changed_at,
                    &k.operator,
                    &k.reason,
                ],
            )
            .await?;
        if n == 1 {
            counts.known += 1;
        } else {
            counts.known_kept += 1;
        }
    }
    Ok(())
}
