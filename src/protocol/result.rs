//! What the worker answers: one [`JobResult`] per job (a
//! [`super::job::ApiCall::LoadInstances`] answers once per token).

use std::sync::Arc;

use super::error::ErrorInfo;
use super::instance::InstanceStatus;
use super::job::{BlockAnswer, BlockCall, Item};
use crate::model::contacts::ContactStore;
use crate::model::identity::LookedUp;
use crate::store::ledger::{Claim, HistoryEntry, KnownState, LedgerStatus, UnfinishedBatch};

/// The blocklist as the ledger keeps it: every entry, and where the list
/// itself blocked what (instance name, JID); or why it could not be read.
pub type ListRead = Result<(Vec<crate::model::blocklist::Entry>, Vec<(String, String)>), ErrorInfo>;

/// The result of a [`super::job::Job`].
#[derive(Debug, Clone)]
pub enum JobResult {
    /// Connection state of the instances one token reaches: `Ok(None)`
    /// when the server does not list that instance.
    Instances {
        /// Each instance's state, or why it could not be read.
        states: Vec<(usize, Result<Option<InstanceStatus>, ErrorInfo>)>,
        /// Whether this is the poll's last answer (every token answered).
        complete: bool,
    },
    /// An instance's contacts.
    Contacts {
        /// The instance.
        instance: usize,
        /// The contacts, or why not.
        result: Result<Arc<ContactStore>, ErrorInfo>,
    },
    /// The server's answer to a block request, not judged yet.
    Block {
        /// The request.
        call: BlockCall,
        /// The answer, or why there is none.
        answer: BlockAnswer,
    },
    /// The answer to [`super::job::ApiCall::Settle`]: the settled count, or
    /// why not.
    Settled {
        /// The instance.
        instance: usize,
        /// The contact restated.
        jid: String,
        /// `blocked_count` alone on the wire.
        result: Result<Option<u64>, ErrorInfo>,
    },
    /// The answer to [`super::job::ApiCall::Probe`].
    Probe {
        /// The instance.
        instance: usize,
        /// Access works, or why not.
        result: Result<(), ErrorInfo>,
    },
    /// What the ledger knows, or `None` when nothing changed since the
    /// last read; or why it could not be read.
    Known(Result<Option<Vec<KnownState>>, ErrorInfo>),
    /// Recorded actions, newest first, or why not.
    History {
        /// The instance asked for, or every one.
        instance: Option<usize>,
        /// The actions, and how many rows the ledger skipped for a value
        /// of the wrong type; or why not.
        result: Result<(Vec<HistoryEntry>, usize), ErrorInfo>,
    },
    /// What `ledger status` says, or why not.
    Status(Result<LedgerStatus, ErrorInfo>),
    /// The unfinished batches, or why they could not be read.
    Unfinished(Result<Vec<UnfinishedBatch>, ErrorInfo>),
    /// A single toggle's intent: its action id, or why it was not
    /// recorded (then nothing is sent).
    IntentRecorded {
        /// The change.
        item: Item,
        /// Why, when given.
        reason: Option<String>,
        /// The action id, or why not.
        result: Result<i64, ErrorInfo>,
    },
    /// A batch and its intents: (batch id, action ids in item order).
    BatchCreated(Result<(i64, Vec<i64>), ErrorInfo>),
    /// A judged answer written to the ledger: the time it stored, or why
    /// it could not be written.
    Recorded {
        /// The request answered.
        call: BlockCall,
        /// The answer as judged.
        answer: BlockAnswer,
        /// Unix time stored, or why the ledger refused.
        at: Result<i64, String>,
    },
    /// The claim on a batch to resume.
    Claimed {
        /// The batch.
        batch: i64,
        /// Granted, held by another run, or why it could not be asked.
        result: Result<Claim, ErrorInfo>,
    },
    /// A batch was closed (or the ledger said why not: logged).
    BatchClosed {
        /// The batch.
        batch: i64,
    },
    /// What the server said of a number (`getAccount`), or why it could
    /// not say.
    Lookup {
        /// The instance asked through.
        instance: usize,
        /// The number (or `@lid`) asked.
        number: String,
        /// Who it is, or why the lookup failed.
        result: Result<LookedUp, ErrorInfo>,
    },
    /// What the ledger keeps of the numbers asked (the fresh ones only).
    Identities {
        /// The numbers asked.
        numbers: Vec<String>,
        /// What was found, or why the ledger could not be read.
        result: Result<Vec<LookedUp>, ErrorInfo>,
    },
    /// A lookup was kept (or the ledger said why not: logged).
    IdentityKept,
    /// The blocklist's entries and where the list blocked what (instance
    /// name, JID), or why the ledger could not be read.
    Blocklist(ListRead),
    /// A change of the blocklist: how many entries it touched, or why not.
    ListChanged(Result<usize, ErrorInfo>),
    /// The answer to [`super::job::ApiCall::SocketConfig`] or
    /// [`super::job::ApiCall::EnableSocket`]: the instance's WebSocket
    /// configuration, or why it could not be read or set.
    SocketConfig {
        /// The instance.
        instance: usize,
        /// Whether it answers an `EnableSocket` (else a `SocketConfig`).
        enabling: bool,
        /// The configuration, or why not.
        result: Result<crate::api::SocketConfig, ErrorInfo>,
    },
}

impl JobResult {
    /// Whether this result ends its job: every result does, but a poll of
    /// the instances' states, which answers once per token.
    pub fn ends_job(&self) -> bool {
        match self {
            JobResult::Instances { complete, .. } => *complete,
            _ => true,
        }
    }
}
