//! The ledger's lane: one thread owns the ledger and runs its reads and
//! writes in order. Nothing here waits for HTTP, and no HTTP request
//! waits for it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::http::read_only_refusal;
use crate::config::profile::InstanceConfig;
use crate::protocol::{
    BlockAnswer, ErrorInfo, Item, JobResult, LedgerRead, LedgerWrite, ListChange, Msg,
};
use crate::store::ledger::{BatchItem, KnownState, Ledger, LedgerError, Outcome};

/// The longest the app goes without reading the whole ledger, whatever
/// its change mark says (the poll behind LISTEN/NOTIFY).
const FULL_READ: Duration = Duration::from_secs(10);

/// A job of the ledger's lane.
#[derive(Debug)]
pub(super) enum LedgerJob {
    /// A read.
    Read(LedgerRead),
    /// A write.
    Write(Box<LedgerWrite>),
}

/// The thread that owns the ledger.
pub(super) struct Keeper {
    /// The ledger.
    pub ledger: Box<dyn Ledger>,
    /// The profile's instances: jobs name them by index.
    pub instances: Arc<Vec<InstanceConfig>>,
    /// Who the ledger records as asking.
    pub operator: String,
    /// The ledger's change mark at the last full read of what it knows,
    /// and when that read was.
    known_mark: Option<(i64, Instant)>,
}

/// Starts the ledger's thread; jobs sent to the returned sender are run
/// in order and answered on `results`. The thread ends when the sender
/// is dropped.
pub(super) fn spawn(
    ledger: Box<dyn Ledger>,
    instances: Arc<Vec<InstanceConfig>>,
    operator: String,
    results: mpsc::UnboundedSender<Msg>,
) -> std::sync::mpsc::Sender<LedgerJob> {
    let (tx, rx) = std::sync::mpsc::channel::<LedgerJob>();
    let mut keeper = Keeper {
        ledger,
        instances,
        operator,
        known_mark: None,
    };
    let spawned = std::thread::Builder::new()
        .name("ledger".into())
        .spawn(move || {
            while let Ok(job) = rx.recv() {
                let result = match job {
                    LedgerJob::Read(read) => keeper.read(read),
                    LedgerJob::Write(write) => keeper.write(*write),
                };
                if results.send(Msg::Worker(result)).is_err() {
                    return;
                }
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "the ledger's thread could not start");
    }
    tx
}

/// What to check when the ledger could not be read: the team's database
/// connection, or the data folder.
fn read_hint(e: &LedgerError) -> &'static str {
    match e {
        LedgerError::Unreachable { .. }
        | LedgerError::Postgres { .. }
        | LedgerError::PasswordNeeded { .. }
        | LedgerError::Refused { .. } => e.hint(),
        _ => "check the data folder",
    }
}

/// A read the ledger refused.
fn unread(e: LedgerError) -> ErrorInfo {
    ErrorInfo::local(format!("the ledger was not read: {e}"), read_hint(&e))
}

/// Nothing goes out unrecorded: the error when the ledger refuses a write.
fn unwritable(what: &str, why: &LedgerError) -> ErrorInfo {
    ErrorInfo::local(
        format!("{what}: the ledger cannot be written ({why})"),
        why.hint(),
    )
}

impl Keeper {
    fn name(&self, instance: usize) -> &str {
        &self.instances[instance].name
    }

    fn read(&mut self, read: LedgerRead) -> JobResult {
        match read {
            LedgerRead::Known => JobResult::Known(self.known().map_err(unread)),
            LedgerRead::History {
                instance,
                since,
                limit,
            } => {
                let name = instance.map(|i| self.name(i).to_string());
                let result = self
                    .ledger
                    .history(name.as_deref(), since, limit)
                    .map(|entries| (entries, self.ledger.skipped_rows()))
                    .map_err(|e| ErrorInfo::local(format!("history not read: {e}"), read_hint(&e)));
                JobResult::History { instance, result }
            }
            LedgerRead::Status => JobResult::Status(self.ledger.status().map_err(unread)),
            LedgerRead::Unfinished => {
                JobResult::Unfinished(self.ledger.unfinished_batches().map_err(unread))
            }
            LedgerRead::Blocklist => JobResult::Blocklist(
                self.ledger
                    .blocklist()
                    .and_then(|entries| Ok((entries, self.ledger.applied()?)))
                    .map_err(unread),
            ),
            LedgerRead::Identities { numbers } => {
                let since = crate::util::dates::now_unix() - crate::model::identity::FRESH_SECS;
                let result = self.ledger.identities(&numbers, since).map_err(unread);
                JobResult::Identities { numbers, result }
            }
        }
    }

    /// What the ledger knows, or `None` when its change mark says that no
    /// other run changed it since the last read (a team ledger's NOTIFY, a
    /// SQLite file's `data_version`). It is read in full at least every
    /// [`FULL_READ`] all the same.
    fn known(&mut self) -> Result<Option<Vec<KnownState>>, LedgerError> {
        let mark = self.ledger.change_mark()?;
        let unchanged = matches!((mark, self.known_mark), (Some(now), Some((seen, at))) if now == seen && at.elapsed() < FULL_READ);
        if unchanged {
            return Ok(None);
        }
        let known = self.ledger.known()?;
        self.known_mark = mark.map(|mark| (mark, Instant::now()));
        Ok(Some(known))
    }

    fn write(&mut self, write: LedgerWrite) -> JobResult {
        match write {
            LedgerWrite::Intent { item, reason } => {
                let result = self.intent(&item, reason.as_deref());
                JobResult::IntentRecorded {
                    item,
                    reason,
                    result,
                }
            }
            LedgerWrite::CreateBatch {
                label,
                items,
                reason,
            } => JobResult::BatchCreated(self.create_batch(&label, items, reason)),
            LedgerWrite::Outcome {
                call,
                answer,
                list_own,
            } => {
                let at = self
                    .ledger
                    .record_outcome(call.action, &outcome_of(&answer, list_own))
                    .map_err(|e| e.to_string());
                if let (Ok(done), Ok(_)) = (&answer, &at) {
                    let number = crate::model::number::shown_jid(&call.item.jid);
                    let instance = self.name(call.item.instance);
                    tracing::info!(%instance, %number, blocked = done.blocked, count = ?done.blocked_count, "block state changed");
                }
                JobResult::Recorded { call, answer, at }
            }
            LedgerWrite::ClaimBatch { batch } => {
                let result = self.ledger.claim_batch(batch, &self.operator).map_err(|e| {
                    ErrorInfo::local(
                        format!("the batch could not be claimed: {e}"),
                        format!("{}, then resume again", read_hint(&e)),
                    )
                });
                JobResult::Claimed { batch, result }
            }
            LedgerWrite::Identity(looked) => {
                if let Err(e) = self.ledger.record_identity(&looked) {
                    tracing::warn!(error = %e, "a lookup was not kept in the ledger");
                }
                JobResult::IdentityKept
            }
            LedgerWrite::Blocklist(change) => JobResult::ListChanged(self.change_list(change)),
            LedgerWrite::CloseBatch { batch, status } => {
                if let Err(e) = self.ledger.close_batch(batch, status) {
                    tracing::warn!(batch, error = %e, "batch not closed in the ledger");
                }
                JobResult::BatchClosed { batch }
            }
        }
    }

    /// Adds to, removes from or retracts a source of the blocklist.
    fn change_list(&mut self, change: ListChange) -> Result<usize, ErrorInfo> {
        let now = crate::util::dates::now_unix();
        let result = match change {
            ListChange::Add(mut entries) => {
                for e in &mut entries {
                    e.operator.get_or_insert_with(|| self.operator.clone());
                }
                self.ledger.blocklist_add(&entries)
            }
            ListChange::Remove(targets) => self.ledger.blocklist_remove(&targets, now),
            ListChange::Retract(source) => self.ledger.blocklist_retract(&source, now),
        };
        result.map_err(|e| unwritable("the blocklist was not changed", &e))
    }

    /// Records a single toggle's intent; a read-only instance records
    /// nothing.
    fn intent(&mut self, item: &Item, reason: Option<&str>) -> Result<i64, ErrorInfo> {
        let inst = &self.instances[item.instance];
        if inst.read_only {
            return Err(read_only_refusal(&inst.name));
        }
        self.ledger
            .record_intent(
                &inst.name,
                &item.jid,
                item.lid.as_deref(),
                item.block,
                &self.operator,
                reason,
            )
            .map_err(|e| unwritable("not sent", &e))
    }

    /// Records a batch and an intent per item before any is sent; a batch
    /// that touches a read-only instance records nothing.
    fn create_batch(
        &mut self,
        label: &str,
        items: Vec<Item>,
        reason: Option<String>,
    ) -> Result<(i64, Vec<i64>), ErrorInfo> {
        if let Some(inst) = items
            .iter()
            .map(|item| &self.instances[item.instance])
            .find(|inst| inst.read_only)
        {
            return Err(read_only_refusal(&inst.name));
        }
        let items: Vec<BatchItem> = items
            .into_iter()
            .map(|item| BatchItem {
                instance: self.name(item.instance).to_string(),
                jid: item.jid,
                lid: item.lid,
                block: item.block,
                reason: item.reason.or_else(|| reason.clone()),
            })
            .collect();
        self.ledger
            .create_batch(label, &items, &self.operator)
            .map_err(|e| unwritable("not started", &e))
    }
}

/// What the ledger keeps of a judged answer (`list_own`: sent by an
/// apply of the blocklist).
fn outcome_of(answer: &BlockAnswer, list_own: bool) -> Outcome {
    match answer {
        Ok(answer) => Outcome::Done {
            contact_jid: answer.contact_jid.clone(),
            blocked: answer.blocked,
            blocked_count: answer.blocked_count,
            server_at: answer.server_at,
            list_own,
        },
        Err(e) => Outcome::Failed(match e.status {
            Some(status) => format!("HTTP {status}: {}", e.message),
            None => e.message.clone(),
        }),
    }
}
