//! What the SQLite ledger records: intents before sending, outcomes with
//! the state they leave, batches, and the gathering of requests left
//! waiting. Each write is one transaction.

use rusqlite::{OptionalExtension, Transaction, params};

use super::error::storage_error;
use super::handle::SqliteLedger;
use crate::store::ledger::contract::{BatchItem, BatchStatus, LedgerError, Outcome};
use crate::store::ledger::rules::{Answer, Kept, adopted_lid, order, this_host};
use crate::util::dates::now_unix;

/// Records that a request is about to be sent; returns its id for
/// [`record_outcome`].
pub(super) fn record_intent(
    l: &SqliteLedger,
    instance: &str,
    jid: &str,
    lid: Option<&str>,
    block: bool,
    operator: &str,
    reason: Option<&str>,
) -> Result<i64, LedgerError> {
    l.conn
        .execute(
            "INSERT INTO actions (instance, jid, lid, block, requested_at, operator, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![instance, jid, lid, block, now_unix(), operator, reason],
        )
        .map_err(|e| l.err(e))?;
    Ok(l.conn.last_insert_rowid())
}

/// Records the server's answer to request `id`, and on success the new
/// known state of the contact, in one transaction. Returns the time
/// stored.
pub(super) fn record_outcome(
    l: &mut SqliteLedger,
    id: i64,
    outcome: &Outcome,
) -> Result<i64, LedgerError> {
    let at = now_unix();
    let tx = l
        .conn
        .transaction()
        .map_err(|e| storage_error(&l.path, e))?;
    let result = (|| {
        match outcome {
            Outcome::Done {
                contact_jid,
                blocked,
                blocked_count,
                server_at,
                list_own,
            } => {
                tx.execute(
                    "UPDATE actions SET outcome = 'done', finished_at = ?2, contact_jid = ?3, blocked_count = ?4 WHERE id = ?1",
                    params![id, at, contact_jid, blocked_count.map(|n| n as i64)],
                )?;
                let answer = (*blocked, *server_at);
                let was_blocked = super::blocklist::blocked_before(&tx, id)?;
                record_state(&tx, id, at, contact_jid, answer)?;
                if *blocked && *list_own && !was_blocked {
                    super::blocklist::mark_applied(&tx, id)?;
                }
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
    result.map_err(|e| l.err(e))?;
    Ok(at)
}

/// The answer a contact's known state holds now, if any.
fn kept_answer(
    tx: &Transaction<'_>,
    instance: &str,
    jid: &str,
) -> rusqlite::Result<Option<Answer>> {
    tx.query_row(
        "SELECT blocked, operator, server_at, changed_at, contest FROM block_state WHERE instance = ?1 AND jid = ?2",
        params![instance, jid],
        |r| {
            Ok(Answer {
                blocked: r.get(0)?,
                operator: r.get(1)?,
                server_at: r.get(2)?,
                recorded_at: r.get(3)?,
                contest: r.get(4)?,
            })
        },
    )
    .optional()
}

/// The known state that the confirmed request `id` leaves, at `at`
/// (`answer`: blocked, and the server's clock): blocked or not, by whom
/// and why, with the `@lid` the answer gave when it may be adopted; or,
/// when the state kept is a later answer by the server's clock, that one
/// (see [`crate::store::ledger::rules::order`]).
fn record_state(
    tx: &Transaction<'_>,
    id: i64,
    at: i64,
    contact_jid: &str,
    (blocked, server_at): (bool, Option<i64>),
) -> rusqlite::Result<()> {
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
    // Only a valid @lid that no other contact of the instance holds
    // becomes this contact's.
    let taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM block_state WHERE instance = ?1 AND jid != ?2 AND (jid = ?3 OR lid = ?3))",
        params![instance, jid, contact_jid],
        |r| r.get(0),
    )?;
    let lid = adopted_lid(lid, &jid, contact_jid, taken);
    let new = Answer {
        blocked,
        operator: operator.clone(),
        server_at,
        recorded_at: at,
        contest: None,
    };
    let contest = match order(kept_answer(tx, &instance, &jid)?.as_ref(), &new) {
        Kept::New(contest) => contest,
        Kept::Old(contest) => {
            tx.execute(
                "UPDATE block_state SET contest = ?3 WHERE instance = ?1 AND jid = ?2",
                params![instance, jid, contest],
            )?;
            return Ok(());
        }
    };
    tx.execute(
        "INSERT INTO block_state (instance, jid, lid, blocked, changed_at, operator, reason, server_at, contest) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (instance, jid) DO UPDATE SET lid = COALESCE(excluded.lid, lid), blocked = excluded.blocked, changed_at = excluded.changed_at, operator = excluded.operator, reason = excluded.reason, server_at = excluded.server_at, contest = excluded.contest",
        params![instance, jid, lid, blocked, at, operator, reason, server_at, contest],
    )?;
    // Any change clears what the list noted as its own block here: a hand
    // block is never undone by the list.
    tx.execute(
        "DELETE FROM blocklist_applied WHERE instance = ?1 AND jid = ?2",
        params![instance, jid],
    )?;
    Ok(())
}

/// Records a batch, held by this run, and one pending action per item,
/// in one transaction, before anything is sent. Returns the batch id and
/// the action ids in item order.
pub(super) fn create_batch(
    l: &mut SqliteLedger,
    label: &str,
    items: &[BatchItem],
    operator: &str,
) -> Result<(i64, Vec<i64>), LedgerError> {
    let now = now_unix();
    let tx = l
        .conn
        .transaction()
        .map_err(|e| storage_error(&l.path, e))?;
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
    result.map_err(|e| l.err(e))
}

/// Marks an open batch as ended, and lets go of its claim.
pub(super) fn close_batch(
    l: &SqliteLedger,
    batch: i64,
    status: BatchStatus,
) -> Result<(), LedgerError> {
    l.conn
        .execute(
            "UPDATE batches SET status = ?2, claimed_by = NULL WHERE id = ?1 AND status = 'open'",
            params![batch, status.word()],
        )
        .map_err(|e| l.err(e))?;
    Ok(())
}

/// Gathers single requests that never got an answer (the app stopped
/// while they were in flight) into one batch, so that an acting run
/// offers to resume them like any unfinished batch. Returns how many.
pub(super) fn adopt_unanswered(l: &mut SqliteLedger) -> Result<usize, LedgerError> {
    let tx = l
        .conn
        .transaction()
        .map_err(|e| storage_error(&l.path, e))?;
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
    result.map_err(|e| l.err(e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ledger::Ledger;

    fn done(jid: &str, blocked: bool) -> Outcome {
        Outcome::Done {
            contact_jid: jid.into(),
            blocked,
            blocked_count: Some(1),
            server_at: None,
            list_own: false,
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
            ledger.record_outcome(id, &done("99@lid", true)).unwrap();
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
        let (mut ledger, _) = SqliteLedger::open(dir.path()).unwrap();
        assert!(
            ledger.unfinished_batches().unwrap().is_empty(),
            "opening writes nothing"
        );
        assert_eq!(ledger.adopt_unanswered().unwrap(), 1);
        let open = ledger.unfinished_batches().unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(
            open[0].label,
            "1 request(s) left waiting when the app stopped"
        );
        assert_eq!(open[0].left[0].1.jid, "5511999998888@s.whatsapp.net");
        drop(ledger);
        let (mut ledger, _) = SqliteLedger::open(dir.path()).unwrap();
        assert_eq!(ledger.adopt_unanswered().unwrap(), 0);
        assert_eq!(
            ledger.unfinished_batches().unwrap().len(),
            1,
            "adopted once"
        );
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
}
