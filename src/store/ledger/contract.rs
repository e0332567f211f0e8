//! What every ledger promises: the [`Ledger`] trait, the records it keeps
//! and its errors. The backends (the SQLite file, the team's PostgreSQL)
//! implement it; the app and the commands see only this.

use std::path::PathBuf;
use std::time::Duration;

use thiserror::Error;

pub use crate::model::blocklist::Entry as BlockEntry;
pub use crate::model::identity::{Identity, LookedUp};

/// How long a ledger that another program holds is waited for.
pub const BUSY_WAIT: Duration = Duration::from_secs(30);
/// What to tell the user while a busy ledger is waited for.
pub fn busy_notice() -> String {
    format!(
        "the ledger is in use by another program; waiting up to {} s for it to be free",
        BUSY_WAIT.as_secs()
    )
}
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
    /// Who made it (the operator), when recorded.
    pub operator: Option<String>,
    /// Why, when a reason was given.
    pub reason: Option<String>,
    /// Set while two desks' answers for this contact disagree and cannot
    /// be ordered by the server's clock: `desk-a blocked, desk-b
    /// unblocked 2 s apart` (see [`super::rules::order`]). A fresh answer
    /// settles it.
    pub contest: Option<String>,
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
    /// Why, when a reason was given.
    pub reason: Option<String>,
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

/// One recorded request, as the history shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// The action id.
    pub id: i64,
    /// The instance.
    pub instance: String,
    /// The JID sent as `number`.
    pub jid: String,
    /// Its `@lid`, when known.
    pub lid: Option<String>,
    /// Block (`true`) or unblock.
    pub block: bool,
    /// Unix time it was asked for.
    pub requested_at: i64,
    /// What came of it.
    pub result: HistoryResult,
    /// Who asked (the operator), when recorded.
    pub operator: Option<String>,
    /// Why, when a reason was given.
    pub reason: Option<String>,
}

/// What came of a recorded request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryResult {
    /// The server confirmed it; the account's count then, when sent.
    Done(Option<i64>),
    /// It failed, for this reason.
    Failed(String),
    /// No answer was recorded (in flight, or the app stopped first).
    Unanswered,
}

impl HistoryResult {
    /// What a stored request's `outcome`, `blocked_count` and `error`
    /// columns say, in any backend.
    pub fn from_columns(outcome: &str, blocked_count: Option<i64>, error: Option<String>) -> Self {
        match outcome {
            "done" => HistoryResult::Done(blocked_count),
            "failed" => HistoryResult::Failed(error.unwrap_or_default()),
            _ => HistoryResult::Unanswered,
        }
    }

    /// `done`, `failed` or `no answer`.
    pub fn word(&self) -> &'static str {
        match self {
            HistoryResult::Done(_) => "done",
            HistoryResult::Failed(_) => "failed",
            HistoryResult::Unanswered => "no answer",
        }
    }
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
        /// The server's clock when it answered (its `Date`), which orders
        /// answers of several desks; `None` when it sent none.
        server_at: Option<i64>,
        /// Sent by an apply of the blocklist: a block is noted as the
        /// list's own in the same transaction (a run killed after the
        /// answer is kept never loses that note).
        list_own: bool,
    },
    /// The request failed; the text says why.
    Failed(String),
}

/// How a batch ended, as the ledger records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchStatus {
    /// Every item was answered.
    Done,
    /// Esc (or a discarded resume) dropped what was not sent.
    Cancelled,
    /// Left open for a resume (answers not recorded, or not sent): only
    /// this run's claim on it ends.
    Left,
}

impl BatchStatus {
    /// The word stored in the ledger.
    pub fn word(self) -> &'static str {
        match self {
            BatchStatus::Done => "done",
            BatchStatus::Cancelled => "cancelled",
            BatchStatus::Left => "open",
        }
    }
}

/// Ledger failures.
#[derive(Debug, Error)]
pub enum LedgerError {
    /// The ledger's storage refused: the file could not be read or
    /// written, for the reason `fault` sorts.
    #[error("ledger {place}: {message}{}", fault.advice())]
    Storage {
        /// Where the ledger is (its file).
        place: String,
        /// What kind of failure it was.
        fault: Fault,
        /// What the storage said, as it said it.
        message: String,
    },
    /// The data folder could not be made or a file moved.
    #[error("ledger {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A ledger written by a newer ryze-contacts, with a schema this one
    /// does not know: refused, untouched.
    #[error(
        "ledger {path} was made by a newer ryze-contacts (schema {found}, this one knows up to {known}): update ryze-contacts, or use another --data-dir; the ledger was not changed"
    )]
    Newer {
        /// The ledger file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest this build knows.
        known: i64,
    },
    /// The team's database cannot be reached (at start, or a connection
    /// lost and not yet made again).
    #[error(
        "the team ledger {place} cannot be reached ({why}): check that PostgreSQL runs at {address} and that this machine may connect"
    )]
    Unreachable {
        /// The ledger's URL, without a password.
        place: String,
        /// Its host and port.
        address: String,
        /// What went wrong.
        why: String,
    },
    /// The team's database answered and asked for a password, and none
    /// was given.
    #[error(
        "the team ledger {place} wants a password for {user}, and none was given: name the environment variable that holds it (password_env, or password_cmd, in the profile's [ledger]; --password-env VAR for ledger migrate)"
    )]
    PasswordNeeded {
        /// The ledger's URL, without a password.
        place: String,
        /// The database user.
        user: String,
    },
    /// The team's database answered and refused the user or its password:
    /// it runs and can be reached.
    #[error("the team ledger {place} refused {user} ({why}): {hint}")]
    Refused {
        /// The ledger's URL, without a password.
        place: String,
        /// The database user.
        user: String,
        /// What PostgreSQL said.
        why: String,
        /// What to check.
        hint: &'static str,
    },
    /// The team's database refused a statement.
    #[error("the team ledger {place}: {why}")]
    Postgres {
        /// The ledger's URL, without a password.
        place: String,
        /// What PostgreSQL said.
        why: String,
    },
    /// A team ledger set up by a newer ryze-contacts: refused, untouched.
    #[error(
        "the team ledger {place} was set up by a newer ryze-contacts (schema {found}, this one knows up to {known}): update ryze-contacts; the ledger was not changed"
    )]
    NewerDatabase {
        /// The ledger's URL, without a password.
        place: String,
        /// Its schema version.
        found: i64,
        /// The newest this build knows.
        known: i64,
    },
    /// The task that held the ledger stopped before it answered.
    #[error("the ledger could not be reached: {0}")]
    Stopped(String),
    /// Another program holds the ledger and did not let go in time.
    #[error(
        "ledger {path} is in use by another program (waited {waited_secs} s): close the other ryze-contacts, or whatever holds the file, then retry; nothing was changed"
    )]
    Busy {
        /// The ledger file.
        path: PathBuf,
        /// How long it was waited for.
        waited_secs: u64,
    },
}

impl LedgerError {
    /// The ledger's storage itself says the file is damaged or not a
    /// database: the only case in which a ledger is moved aside.
    pub fn is_damage(&self) -> bool {
        self.fault() == Some(Fault::Damaged)
    }

    /// What to do so that the ledger can be written again, for messages
    /// about answers it could not record.
    pub fn hint(&self) -> &'static str {
        match (self, self.fault()) {
            (LedgerError::Unreachable { .. } | LedgerError::Postgres { .. }, _) => {
                "check the connection to the team ledger"
            }
            (LedgerError::PasswordNeeded { .. } | LedgerError::Refused { .. }, _) => {
                "check the team ledger's user and password"
            }
            (LedgerError::Busy { .. }, _) | (_, Some(Fault::Busy)) => {
                "close the other program that holds the ledger, then retry"
            }
            (_, Some(Fault::Damaged)) => {
                "start ryze-contacts again: it moves a damaged ledger aside and starts a new one"
            }
            _ => "free space in the data folder and check its permissions",
        }
    }

    /// Another connection holds a lock on the file.
    pub fn is_busy(&self) -> bool {
        self.fault() == Some(Fault::Busy)
    }

    /// The kind of storage failure, when the storage refused.
    pub fn fault(&self) -> Option<Fault> {
        match self {
            LedgerError::Storage { fault, .. } => Some(*fault),
            _ => None,
        }
    }
}

/// What kind of failure a ledger's storage reported, in words of no
/// backend: what [`LedgerError`] decides by and advises on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The disk is full.
    DiskFull,
    /// Reading or writing the disk failed: full, or failing.
    DiskFailing,
    /// The file is damaged, or not a ledger at all.
    Damaged,
    /// Another program holds a lock on the ledger.
    Busy,
    /// No permission, a read-only file or folder, or a file that cannot
    /// be opened.
    Denied,
    /// Anything else.
    Other,
}

impl Fault {
    /// What to do about it, appended to the message; empty when there is
    /// nothing to add.
    fn advice(self) -> &'static str {
        match self {
            Fault::DiskFull => ": the disk is full; free some space, then retry",
            Fault::DiskFailing => {
                ": the disk may be full or failing; check its free space, then retry"
            }
            Fault::Denied => ": check the permissions of the data folder",
            Fault::Damaged | Fault::Busy | Fault::Other => "",
        }
    }
}

/// What the app keeps of its actions, whatever holds it. Every write is
/// atomic; a failed read is an error, never an empty answer.
pub trait Ledger: Send + std::fmt::Debug {
    /// Rows read so far that held a value of the wrong type (a hand-edited
    /// ledger) and were skipped.
    fn skipped_rows(&self) -> usize;

    /// Records that `operator` is about to send a request (for `reason`,
    /// when given); returns its id.
    fn record_intent(
        &self,
        instance: &str,
        jid: &str,
        lid: Option<&str>,
        block: bool,
        operator: &str,
        reason: Option<&str>,
    ) -> Result<i64, LedgerError>;

    /// Records the server's answer to request `id`, and on success the new
    /// known state of the contact, in one transaction. Returns the time
    /// stored.
    fn record_outcome(&mut self, id: i64, outcome: &Outcome) -> Result<i64, LedgerError>;

    /// The instance that owns identity `id` (a JID or an `@lid`) in the
    /// ledger's known states, when another one does.
    fn owner_of(&self, instance: &str, id: &str) -> Result<Option<String>, LedgerError>;

    /// Every contact whose state the ledger knows.
    fn known(&self) -> Result<Vec<KnownState>, LedgerError>;

    /// Records `operator`'s batch and an intent for each item, in one
    /// transaction; returns the batch id and the action ids in item order.
    fn create_batch(
        &mut self,
        label: &str,
        items: &[BatchItem],
        operator: &str,
    ) -> Result<(i64, Vec<i64>), LedgerError>;

    /// Marks a batch as ended.
    fn close_batch(&self, batch: i64, status: BatchStatus) -> Result<(), LedgerError>;

    /// Batches not closed, with the items that have no outcome yet.
    fn unfinished_batches(&self) -> Result<Vec<UnfinishedBatch>, LedgerError>;

    /// Recorded requests, newest first: of one instance or all, since a
    /// time, at most `limit`.
    fn history(
        &self,
        instance: Option<&str>,
        since: Option<i64>,
        limit: usize,
    ) -> Result<Vec<HistoryEntry>, LedgerError>;

    /// The outcome word of request `id`, when it is recorded.
    fn outcome_of(&self, id: i64) -> Result<Option<String>, LedgerError>;

    /// Which ledger this is, its schema and what it holds.
    fn status(&self) -> Result<LedgerStatus, LedgerError>;

    /// A mark that changes whenever another connection changed the ledger
    /// (`None`: this ledger cannot tell, read it every time). A reader that
    /// saw the same mark before need not read again.
    fn change_mark(&self) -> Result<Option<i64>, LedgerError>;

    /// Everything the ledger holds, for copying it into another one.
    fn dump(&self) -> Result<LedgerDump, LedgerError>;

    /// Claims an unfinished batch for `operator` to resume, so that two
    /// runs never send it twice: granted when nobody holds it, or its
    /// holder made no progress for [`CLAIM_STALE_SECS`], or stamped its
    /// claim in the future, or is a run of this machine that ended.
    fn claim_batch(&self, batch: i64, operator: &str) -> Result<Claim, LedgerError>;

    /// Keeps what a lookup said of a number; it replaces an older one, but
    /// a number sent unverified never replaces what a lookup found.
    fn record_identity(&self, looked: &LookedUp) -> Result<(), LedgerError>;

    /// What lookups made at `since` or later said of `numbers`.
    fn identities(&self, numbers: &[String], since: i64) -> Result<Vec<LookedUp>, LedgerError>;

    /// Adds blocklist entries; an entry of the same number and source that
    /// still lists it is updated instead. Returns how many were new.
    fn blocklist_add(&mut self, entries: &[BlockEntry]) -> Result<usize, LedgerError>;

    /// Ends, at `at`, every entry listing one of `targets`; returns how
    /// many.
    fn blocklist_remove(&self, targets: &[String], at: i64) -> Result<usize, LedgerError>;

    /// Ends, at `at`, every entry of `source`; returns how many.
    fn blocklist_retract(&self, source: &str, at: i64) -> Result<usize, LedgerError>;

    /// Every blocklist entry, oldest first, ended ones too.
    fn blocklist(&self) -> Result<Vec<BlockEntry>, LedgerError>;

    /// Where the list itself blocked what: (instance, JID).
    fn applied(&self) -> Result<Vec<(String, String)>, LedgerError>;

    /// Gathers single requests that never got an answer (the app stopped
    /// while they were in flight) into one batch, so that they are
    /// offered for resuming; returns how many. A write: only a run that
    /// acts calls it, never one that reads (opening writes nothing).
    fn adopt_unanswered(&mut self) -> Result<usize, LedgerError>;
}

/// A claim on a batch that shows no progress for this long is taken over
/// (its holder stopped).
pub const CLAIM_STALE_SECS: i64 = 120;

/// What came of a claim on a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Granted: this run resumes it.
    Ours,
    /// Another run holds it and is still making progress.
    Theirs {
        /// Who holds it.
        operator: String,
        /// Unix time of its last progress.
        since: i64,
    },
}

/// Everything a ledger holds, for `ledger migrate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerDump {
    /// Where it came from (machine and file): rows copied from here once
    /// are not copied again.
    pub origin: String,
    /// Its batches.
    pub batches: Vec<DumpBatch>,
    /// Its requests, oldest first.
    pub actions: Vec<DumpAction>,
    /// What it knows of each contact.
    pub known: Vec<KnownState>,
}

/// A batch, as copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpBatch {
    /// Its id in the ledger it came from.
    pub id: i64,
    /// Unix time it was made.
    pub created_at: i64,
    /// What it was, for the user.
    pub label: String,
    /// `open`, `done` or `cancelled`.
    pub status: String,
}

/// A recorded request, as copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpAction {
    /// Its id in the ledger it came from.
    pub id: i64,
    /// The instance.
    pub instance: String,
    /// The JID sent.
    pub jid: String,
    /// Its `@lid`, when known.
    pub lid: Option<String>,
    /// Block (`true`) or unblock.
    pub block: bool,
    /// Unix time it was asked for.
    pub requested_at: i64,
    /// Unix time of its answer.
    pub finished_at: Option<i64>,
    /// `pending`, `done` or `failed`.
    pub outcome: String,
    /// The answer's `contact_jid`.
    pub contact_jid: Option<String>,
    /// The answer's `blocked_count`.
    pub blocked_count: Option<i64>,
    /// Why it failed.
    pub error: Option<String>,
    /// Its batch, by id in the ledger it came from.
    pub batch_id: Option<i64>,
    /// Who asked.
    pub operator: Option<String>,
    /// Why.
    pub reason: Option<String>,
}

/// What `ledger status` says of a ledger.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LedgerStatus {
    /// `sqlite` (the data folder's file) or `postgres` (the team's).
    pub backend: &'static str,
    /// Where it is (the file).
    pub location: String,
    /// Its schema version.
    pub schema: i64,
    /// The newest schema this build knows.
    pub newest_schema: i64,
    /// Bytes it takes, with its companion files.
    pub bytes: u64,
    /// Requests recorded.
    pub actions: u64,
    /// Contacts known as blocked.
    pub blocked: u64,
    /// Batches not finished.
    pub open_batches: u64,
}
