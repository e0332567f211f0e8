//! The team's ledger in a shared PostgreSQL database: several operators,
//! each on their own machine, record into one. The same rules as the
//! SQLite file (intents before sending, outcomes in one transaction,
//! claims on batches); a colleague's change is announced with NOTIFY.
//!
//! tokio-postgres runs on a small runtime of the ledger's own, driven
//! from one thread that owns the connection (`pg_link`; the schema and
//! bulk copies are in `pg_schema`): the [`Ledger`] trait is
//! synchronous and is called from the app's blocking pool and from its
//! start-up, where no runtime may be entered twice.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::mpsc;

use tokio_postgres::{Client, Transaction};

use super::contract::{
    BatchItem, BatchStatus, BlockEntry, Claim, HistoryEntry, HistoryResult, KnownState, Ledger,
    LedgerDump, LedgerError, LedgerStatus, LookedUp, Outcome, UnfinishedBatch,
};
use super::pg_blocklist;
use super::pg_identity;
use super::pg_link::{CHANNEL, Link, PgTarget};
use super::pg_schema::{ImportCounts, NEWEST, adopt_unanswered, import, set_up};
use super::rules::{Answer, Holder, Kept, adopted_lid, order, this_host};
use crate::util::dates::now_unix;

/// A job for the thread that owns the connection.
type Job = Box<dyn FnOnce(&mut Link) + Send>;

/// The team's ledger. Every call runs on the thread that owns the
/// connection and waits for its answer.
pub struct PgLedger {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<std::thread::JoinHandle<()>>,
    shown: String,
    changes: Arc<AtomicI64>,
}

impl std::fmt::Debug for PgLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgLedger").field("at", &self.shown).finish()
    }
}

impl Drop for PgLedger {
    fn drop(&mut self) {
        // Closing the queue ends the thread, which closes the connection.
        self.jobs.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl PgLedger {
    /// Connects to the team's ledger and sets up or updates its schema (a
    /// newer one is refused untouched). An unreachable database is an
    /// error that names it; nothing else is touched.
    pub fn open(target: PgTarget) -> Result<(PgLedger, Option<String>), LedgerError> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("ledger-db")
            .enable_all()
            .build()
            .map_err(|e| LedgerError::Stopped(e.to_string()))?;
        let changes = Arc::new(AtomicI64::new(0));
        let shown = target.shown();
        let mut link = Link::new(rt, target, changes.clone());
        let (jobs, queue) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("ledger".into())
            .spawn(move || {
                while let Ok(job) = queue.recv() {
                    job(&mut link);
                }
            })
            .map_err(|e| LedgerError::Stopped(e.to_string()))?;
        let ledger = PgLedger {
            jobs: Some(jobs),
            thread: Some(thread),
            shown,
            changes,
        };
        let found = ledger.ask(|link| link.run(async |c| set_up(c).await))?;
        if found > NEWEST {
            return Err(LedgerError::NewerDatabase {
                place: ledger.shown.clone(),
                found,
                known: NEWEST,
            });
        }
        Ok((ledger, None))
    }

    /// Runs `work` on the ledger's thread and waits for its answer.
    fn ask<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Link) -> Result<T, LedgerError> + Send + 'static,
    ) -> Result<T, LedgerError> {
        let stopped = || LedgerError::Stopped("the team ledger's connection thread ended".into());
        let (tx, rx) = mpsc::sync_channel(1);
        self.jobs
            .as_ref()
            .ok_or_else(stopped)?
            .send(Box::new(move |link| {
                let _ = tx.send(work(link));
            }))
            .map_err(|_| stopped())?;
        rx.recv().map_err(|_| stopped())?
    }

    /// Copies a dump of another ledger into this one. Idempotent: rows
    /// already copied from the same origin are skipped; a known state
    /// only replaces an older one.
    pub fn import(&mut self, dump: LedgerDump) -> Result<ImportCounts, LedgerError> {
        self.ask(move |link| link.run(async move |c| import(c, &dump).await))
    }
}

/// A history row of `ryze_actions`.
fn history_entry(r: &tokio_postgres::Row) -> Result<HistoryEntry, tokio_postgres::Error> {
    let outcome: String = r.try_get(6)?;
    let result = HistoryResult::from_columns(&outcome, r.try_get(8)?, r.try_get(7)?);
    Ok(HistoryEntry {
        id: r.try_get(0)?,
        instance: r.try_get(1)?,
        jid: r.try_get(2)?,
        lid: r.try_get(3)?,
        block: r.try_get(4)?,
        requested_at: r.try_get(5)?,
        result,
        operator: r.try_get(9)?,
        reason: r.try_get(10)?,
    })
}

/// A row of `ryze_block_state`.
fn known_state(r: &tokio_postgres::Row) -> Result<KnownState, tokio_postgres::Error> {
    Ok(KnownState {
        instance: r.try_get(0)?,
        jid: r.try_get(1)?,
        lid: r.try_get(2)?,
        blocked: r.try_get(3)?,
        changed_at: r.try_get(4)?,
        operator: r.try_get(5)?,
        reason: r.try_get(6)?,
        contest: r.try_get(7)?,
    })
}

/// The answer a contact's known state holds now, if any (locked until
/// the transaction ends: two desks' answers are ordered one at a time).
async fn kept_answer(
    tx: &Transaction<'_>,
    instance: &str,
    jid: &str,
) -> Result<Option<Answer>, tokio_postgres::Error> {
    let row = tx
        .query_opt(
            "SELECT blocked, operator, server_at, changed_at, contest FROM ryze_block_state WHERE instance = $1 AND jid = $2 FOR UPDATE",
            &[&instance, &jid],
        )
        .await?;
    row.map(|r| {
        Ok(Answer {
            blocked: r.try_get(0)?,
            operator: r.try_get(1)?,
            server_at: r.try_get(2)?,
            recorded_at: r.try_get(3)?,
            contest: r.try_get(4)?,
        })
    })
    .transpose()
}

/// Whether a contact of `instance` other than `jid` is known by
/// `contact_jid`, as its JID or its `@lid`.
async fn held_by_another(
    tx: &Transaction<'_>,
    instance: &str,
    jid: &str,
    contact_jid: &str,
) -> Result<bool, tokio_postgres::Error> {
    tx.query_one(
        "SELECT EXISTS (SELECT 1 FROM ryze_block_state WHERE instance = $1 AND jid != $2 AND (jid = $3 OR lid = $3))",
        &[&instance, &jid, &contact_jid],
    )
    .await?
    .try_get(0)
}

/// The known state that the confirmed request `id` leaves, at `at`
/// (`answer`: blocked, and the server's clock): blocked or not, by whom
/// and why, with the `@lid` the answer gave when it may be adopted; or,
/// when the state kept is a later answer by the server's clock, that one
/// (see `rules::order`).
async fn record_state(
    tx: &Transaction<'_>,
    id: i64,
    at: i64,
    contact_jid: &str,
    (blocked, server_at): (bool, Option<i64>),
) -> Result<(), tokio_postgres::Error> {
    let row = tx
        .query_one(
            "SELECT instance, jid, lid, operator, reason FROM ryze_actions WHERE id = $1",
            &[&id],
        )
        .await?;
    let (instance, jid): (String, String) = (row.try_get(0)?, row.try_get(1)?);
    let (operator, reason): (Option<String>, Option<String>) = (row.try_get(3)?, row.try_get(4)?);
    // Only a valid @lid that no other contact of the instance holds
    // becomes this contact's.
    let taken = held_by_another(tx, &instance, &jid, contact_jid).await?;
    let lid = adopted_lid(row.try_get(2)?, &jid, contact_jid, taken);
    // One desk's answer for a contact at a time, until this transaction
    // ends: two that both found no row yet would each write as if alone
    // (a row lock needs a row).
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext($1::TEXT || chr(10) || $2::TEXT))",
        &[&instance, &jid],
    )
    .await?;
    let new = Answer {
        blocked,
        operator: operator.clone(),
        server_at,
        recorded_at: at,
        contest: None,
    };
    let contest = match order(kept_answer(tx, &instance, &jid).await?.as_ref(), &new) {
        Kept::New(contest) => contest,
        Kept::Old(contest) => {
            tx.execute(
                "UPDATE ryze_block_state SET contest = $3 WHERE instance = $1 AND jid = $2",
                &[&instance, &jid, &contest],
            )
            .await?;
            return Ok(());
        }
    };
    tx.execute(
        "INSERT INTO ryze_block_state (instance, jid, lid, blocked, changed_at, operator, reason, server_at, contest) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (instance, jid) DO UPDATE SET lid = COALESCE(excluded.lid, ryze_block_state.lid), blocked = excluded.blocked,
           changed_at = excluded.changed_at, operator = excluded.operator, reason = excluded.reason,
           server_at = excluded.server_at, contest = excluded.contest",
        &[&instance, &jid, &lid, &blocked, &at, &operator, &reason, &server_at, &contest],
    )
    .await?;
    // Any change clears what the list noted as its own block here: a hand
    // block is never undone by the list.
    tx.execute(
        "DELETE FROM ryze_blocklist_applied WHERE instance = $1 AND jid = $2",
        &[&instance, &jid],
    )
    .await?;
    Ok(())
}

impl Ledger for PgLedger {
    fn skipped_rows(&self) -> usize {
        // Columns are typed: a row cannot hold a value of a wrong type.
        0
    }

    fn change_mark(&self) -> Result<Option<i64>, LedgerError> {
        Ok(Some(self.changes.load(Ordering::SeqCst)))
    }

    fn record_intent(
        &self,
        instance: &str,
        jid: &str,
        lid: Option<&str>,
        block: bool,
        operator: &str,
        reason: Option<&str>,
    ) -> Result<i64, LedgerError> {
        let (instance, jid, lid, operator, reason) = (
            instance.to_string(),
            jid.to_string(),
            lid.map(str::to_string),
            operator.to_string(),
            reason.map(str::to_string),
        );
        self.ask(move |link| {
            link.run(async move |c| {
                c.query_one(
                    "INSERT INTO ryze_actions (instance, jid, lid, block, requested_at, operator, reason) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    &[&instance, &jid, &lid, &block, &now_unix(), &operator, &reason],
                )
                .await?
                .try_get(0)
            })
        })
    }

    fn record_outcome(&mut self, id: i64, outcome: &Outcome) -> Result<i64, LedgerError> {
        let outcome = outcome.clone();
        self.ask(move |link| {
            link.run(async move |c| {
                let at = now_unix();
                let tx = c.transaction().await?;
                match &outcome {
                    Outcome::Done {
                        contact_jid,
                        blocked,
                        blocked_count,
                        server_at,
                        list_own,
                    } => {
                        let count = blocked_count.map(|n| n as i64);
                        tx.execute(
                            "UPDATE ryze_actions SET outcome = 'done', finished_at = $2, contact_jid = $3, blocked_count = $4 WHERE id = $1",
                            &[&id, &at, contact_jid, &count],
                        )
                        .await?;
                        let was_blocked = pg_blocklist::blocked_before(&tx, id).await?;
                        record_state(&tx, id, at, contact_jid, (*blocked, *server_at)).await?;
                        if *blocked && *list_own && !was_blocked {
                            pg_blocklist::mark_applied(&tx, id).await?;
                        }
                    }
                    Outcome::Failed(why) => {
                        tx.execute(
                            "UPDATE ryze_actions SET outcome = 'failed', finished_at = $2, error = $3 WHERE id = $1",
                            &[&id, &at, why],
                        )
                        .await?;
                    }
                }
                // The batch's holder is making progress: its claim stays fresh.
                tx.execute(
                    "UPDATE ryze_batches SET claimed_at = $2 WHERE id = (SELECT batch_id FROM ryze_actions WHERE id = $1) AND claimed_by IS NOT NULL",
                    &[&id, &at],
                )
                .await?;
                tx.execute("SELECT pg_notify($1, '')", &[&CHANNEL]).await?;
                tx.commit().await?;
                Ok(at)
            })
        })
    }

    fn owner_of(&self, instance: &str, id: &str) -> Result<Option<String>, LedgerError> {
        let (instance, id) = (instance.to_string(), id.to_string());
        self.ask(move |link| {
            link.run(async move |c| {
                c.query_opt(
                    "SELECT jid FROM ryze_block_state WHERE instance = $1 AND (jid = $2 OR lid = $2) LIMIT 1",
                    &[&instance, &id],
                )
                .await?
                .map(|r| r.try_get(0))
                .transpose()
            })
        })
    }

    fn known(&self) -> Result<Vec<KnownState>, LedgerError> {
        self.ask(|link| {
            link.run(async |c| {
                c.query(
                    "SELECT instance, jid, lid, blocked, changed_at, operator, reason, contest FROM ryze_block_state ORDER BY instance, jid",
                    &[],
                )
                .await?
                .iter()
                .map(known_state)
                .collect()
            })
        })
    }

    fn create_batch(
        &mut self,
        label: &str,
        items: &[BatchItem],
        operator: &str,
    ) -> Result<(i64, Vec<i64>), LedgerError> {
        let (label, items, operator) = (label.to_string(), items.to_vec(), operator.to_string());
        self.ask(move |link| {
            link.run(async move |c| {
                let now = now_unix();
                let tx = c.transaction().await?;
                let batch: i64 = tx
                    .query_one(
                        "INSERT INTO ryze_batches (created_at, label, claimed_by, claimed_at, claim_pid, claim_host) VALUES ($1, $2, $3, $1, $4, $5) RETURNING id",
                        &[&now, &label, &operator, &i64::from(std::process::id()), &this_host()],
                    )
                    .await?
                    .try_get(0)?;
                let insert = tx
                    .prepare(
                        "INSERT INTO ryze_actions (instance, jid, lid, block, requested_at, batch_id, operator, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    )
                    .await?;
                let mut ids = Vec::with_capacity(items.len());
                for item in &items {
                    let id: i64 = tx
                        .query_one(
                            &insert,
                            &[
                                &item.instance,
                                &item.jid,
                                &item.lid,
                                &item.block,
                                &now,
                                &batch,
                                &operator,
                                &item.reason,
                            ],
                        )
                        .await?
                        .try_get(0)?;
                    ids.push(id);
                }
                tx.commit().await?;
                Ok((batch, ids))
            })
        })
    }

    fn close_batch(&self, batch: i64, status: BatchStatus) -> Result<(), LedgerError> {
        self.ask(move |link| {
            link.run(async move |c| {
                c.execute(
                    "UPDATE ryze_batches SET status = $2, claimed_by = NULL WHERE id = $1 AND status = 'open'",
                    &[&batch, &status.word()],
                )
                .await?;
                Ok(())
            })
        })
    }

    fn unfinished_batches(&self) -> Result<Vec<UnfinishedBatch>, LedgerError> {
        self.ask(|link| link.run(async |c| unfinished(c).await))
    }

    fn history(
        &self,
        instance: Option<&str>,
        since: Option<i64>,
        limit: usize,
    ) -> Result<Vec<HistoryEntry>, LedgerError> {
        let instance = instance.map(str::to_string);
        let since = since.unwrap_or(i64::MIN);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.ask(move |link| {
            link.run(async move |c| {
                c.query(
                    "SELECT id, instance, jid, lid, block, requested_at, outcome, error, blocked_count, operator, reason FROM ryze_actions
                     WHERE ($1::TEXT IS NULL OR instance = $1) AND requested_at >= $2
                     ORDER BY requested_at DESC, id DESC LIMIT $3",
                    &[&instance, &since, &limit],
                )
                .await?
                .iter()
                .map(history_entry)
                .collect()
            })
        })
    }

    fn outcome_of(&self, id: i64) -> Result<Option<String>, LedgerError> {
        self.ask(move |link| {
            link.run(async move |c| {
                c.query_opt("SELECT outcome FROM ryze_actions WHERE id = $1", &[&id])
                    .await?
                    .map(|r| r.try_get(0))
                    .transpose()
            })
        })
    }

    fn status(&self) -> Result<LedgerStatus, LedgerError> {
        let location = self.shown.clone();
        self.ask(move |link| {
            link.run(async move |c| {
                let row = c
                    .query_one(
                        "SELECT (SELECT version FROM ryze_schema LIMIT 1),
                                (pg_total_relation_size('ryze_actions') + pg_total_relation_size('ryze_block_state') + pg_total_relation_size('ryze_batches'))::BIGINT,
                                (SELECT COUNT(*) FROM ryze_actions),
                                (SELECT COUNT(*) FROM ryze_block_state WHERE blocked),
                                (SELECT COUNT(*) FROM ryze_batches WHERE status = 'open')",
                        &[],
                    )
                    .await?;
                let count = |i: usize| -> Result<u64, tokio_postgres::Error> {
                    Ok(row.try_get::<_, i64>(i)?.max(0) as u64)
                };
                Ok(LedgerStatus {
                    backend: "postgres",
                    location,
                    schema: row.try_get(0)?,
                    newest_schema: NEWEST,
                    bytes: count(1)?,
                    actions: count(2)?,
                    blocked: count(3)?,
                    open_batches: count(4)?,
                })
            })
        })
    }

    fn claim_batch(&self, batch: i64, operator: &str) -> Result<Claim, LedgerError> {
        let operator = operator.to_string();
        self.ask(move |link| link.run(async move |c| claim(c, batch, &operator).await))
    }

    fn record_identity(&self, looked: &LookedUp) -> Result<(), LedgerError> {
        let looked = looked.clone();
        self.ask(move |link| link.run(async move |c| pg_identity::record(c, &looked).await))
    }

    fn identities(&self, numbers: &[String], since: i64) -> Result<Vec<LookedUp>, LedgerError> {
        let numbers = numbers.to_vec();
        self.ask(move |link| link.run(async move |c| pg_identity::read(c, &numbers, since).await))
    }

    fn blocklist_add(&mut self, entries: &[BlockEntry]) -> Result<usize, LedgerError> {
        let entries = entries.to_vec();
        self.ask(move |link| link.run(async move |c| pg_blocklist::add(c, &entries).await))
    }

    fn blocklist_remove(&self, targets: &[String], at: i64) -> Result<usize, LedgerError> {
        let targets = targets.to_vec();
        self.ask(move |link| link.run(async move |c| pg_blocklist::remove(c, &targets, at).await))
    }

    fn blocklist_retract(&self, source: &str, at: i64) -> Result<usize, LedgerError> {
        let source = source.to_string();
        self.ask(move |link| link.run(async move |c| pg_blocklist::retract(c, &source, at).await))
    }

    fn blocklist(&self) -> Result<Vec<BlockEntry>, LedgerError> {
        self.ask(|link| link.run(async |c| pg_blocklist::entries(c).await))
    }

    fn applied(&self) -> Result<Vec<(String, String)>, LedgerError> {
        self.ask(|link| link.run(async |c| pg_blocklist::applied(c).await))
    }

    fn adopt_unanswered(&mut self) -> Result<usize, LedgerError> {
        let n = self.ask(|link| link.run(async |c| adopt_unanswered(c).await))?;
        Ok(usize::try_from(n).unwrap_or_default())
    }

    fn dump(&self) -> Result<LedgerDump, LedgerError> {
        Err(LedgerError::Postgres {
            place: self.shown.clone(),
            why: "a team ledger is not copied elsewhere: it is the shared one".into(),
        })
    }
}

/// Open batches with the items not confirmed done, oldest first.
async fn unfinished(c: &mut Client) -> Result<Vec<UnfinishedBatch>, tokio_postgres::Error> {
    let rows = c
        .query(
            "SELECT b.id, b.label, b.created_at, COUNT(a.id), COUNT(a.id) FILTER (WHERE a.outcome = 'done')
             FROM ryze_batches b JOIN ryze_actions a ON a.batch_id = b.id
             WHERE b.status = 'open' GROUP BY b.id ORDER BY b.id",
            &[],
        )
        .await?;
    let left = c
        .prepare(
            "SELECT id, instance, jid, lid, block, reason FROM ryze_actions
             WHERE batch_id = $1 AND outcome != 'done' ORDER BY id",
        )
        .await?;
    let mut batches = Vec::with_capacity(rows.len());
    for r in rows {
        let id: i64 = r.try_get(0)?;
        let mut items = Vec::new();
        for a in c.query(&left, &[&id]).await? {
            items.push((
                a.try_get(0)?,
                BatchItem {
                    instance: a.try_get(1)?,
                    jid: a.try_get(2)?,
                    lid: a.try_get(3)?,
                    block: a.try_get(4)?,
                    reason: a.try_get(5)?,
                },
            ));
        }
        if !items.is_empty() {
            batches.push(UnfinishedBatch {
                id,
                label: r.try_get(1)?,
                created_at: r.try_get(2)?,
                total: r.try_get::<_, i64>(3)? as usize,
                done: r.try_get::<_, i64>(4)? as usize,
                left: items,
            });
        }
    }
    Ok(batches)
}

/// Claims batch `batch` for `operator` (see [`Ledger::claim_batch`]).
async fn claim(c: &mut Client, batch: i64, operator: &str) -> Result<Claim, tokio_postgres::Error> {
    let now = now_unix();
    let row = c
        .query_opt(
            "SELECT claimed_by, claimed_at, claim_pid, claim_host FROM ryze_batches WHERE id = $1",
            &[&batch],
        )
        .await?;
    let Some(row) = row else {
        return Ok(Claim::Ours);
    };
    let holder = Holder {
        operator: row.try_get(0)?,
        at: row.try_get(1)?,
        pid: row.try_get(2)?,
        host: row.try_get(3)?,
    };
    if !holder.is_free(now) {
        return Ok(Claim::Theirs {
            operator: holder.operator.unwrap_or_default(),
            since: holder.at.unwrap_or_default(),
        });
    }
    // Taken only if nobody took it since it was read: of two runs
    // claiming at once, one wins.
    let granted = c
        .execute(
            "UPDATE ryze_batches SET claimed_by = $2, claimed_at = $3, claim_pid = $4, claim_host = $5
             WHERE id = $1 AND claimed_by IS NOT DISTINCT FROM $6 AND claimed_at IS NOT DISTINCT FROM $7
               AND claim_pid IS NOT DISTINCT FROM $8",
            &[
                &batch,
                &operator,
                &now,
                &i64::from(std::process::id()),
                &this_host(),
                &holder.operator,
                &holder.at,
                &holder.pid,
            ],
        )
        .await?;
    if granted == 1 {
        return Ok(Claim::Ours);
    }
    let row = c
        .query_opt(
            "SELECT claimed_by, claimed_at FROM ryze_batches WHERE id = $1",
            &[&batch],
        )
        .await?;
    Ok(match row {
        Some(r) => match r.try_get::<_, Option<String>>(0)? {
            Some(operator) => Claim::Theirs {
                operator,
                since: r.try_get::<_, Option<i64>>(1)?.unwrap_or_default(),
            },
            None => Claim::Ours,
        },
        None => Claim::Ours,
    })
}
