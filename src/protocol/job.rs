//! What the app asks of the worker. A [`Job`] says what it is: an HTTP
//! call to RyzeAPI (it waits in its token's lane), a read of the ledger
//! or a write to it (neither ever waits behind HTTP).

use crate::store::ledger::BatchStatus;

/// Work for the worker. Instances are indexes into the profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// A request to the server, in its token's lane and budget.
    Api(ApiCall),
    /// A read of the ledger.
    Read(LedgerRead),
    /// A write to the ledger.
    Write(LedgerWrite),
    /// The live feed: a WebSocket per instance, kept by the worker. No
    /// result is owed: its frames come as [`super::Msg::Live`].
    Live(super::live::LiveJob),
}

/// A request to RyzeAPI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiCall {
    /// Connection state of every instance of the profile (one request per
    /// token; each token's answer comes back on its own).
    LoadInstances,
    /// Every contact of one instance.
    LoadContacts {
        /// The instance.
        instance: usize,
    },
    /// Block or unblock one contact whose intent the ledger holds.
    Block(BlockCall),
    /// Restate a contact's state to learn the settled `blocked_count`
    /// after answers raced (see `app::settle`). Not recorded in the
    /// ledger: it changes nothing.
    Settle {
        /// The instance.
        instance: usize,
        /// The contact's JID as listed.
        jid: String,
        /// The state it is known to have.
        block: bool,
    },
    /// Check that the instance's token may read it (a one-number lookup,
    /// no WhatsApp traffic): 401, 403 and 404 tell a wrong token, another
    /// instance's token and an unknown instance apart.
    Probe {
        /// The instance.
        instance: usize,
    },
    /// Who a number (or an `@lid`) is on WhatsApp, asked through an
    /// instance (`getAccount`): the JID WhatsApp keys the person by, or
    /// that the number is not on WhatsApp.
    Lookup {
        /// The instance asked through (its token's budget).
        instance: usize,
        /// E.164 digits without `+`, or an `@lid`.
        number: String,
    },
    /// Whether the instance's WebSocket is configured and enabled
    /// (`GET /api/events/getWebsocket/:instance`).
    SocketConfig {
        /// The instance.
        instance: usize,
    },
    /// Enables the instance's WebSocket for the events the live feed
    /// reads (`POST /api/events/websocket/:instance`); asked first, never
    /// on a read-only instance.
    EnableSocket {
        /// The instance.
        instance: usize,
        /// Its configuration as last read: what else it holds (another
        /// consumer's event types, media) is kept.
        from: crate::api::SocketConfig,
    },
}

/// One block or unblock request, sent under its recorded intent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockCall {
    /// The change: instance, JID (sent as `number`), `@lid`, block.
    pub item: Item,
    /// Its intent in the ledger.
    pub action: i64,
    /// The batch it belongs to; `None` for a single toggle.
    pub batch: Option<i64>,
    /// Why, when the operator gave a reason.
    pub reason: Option<String>,
}

/// A read of the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerRead {
    /// What the ledger knows now (other runs may have changed it); not
    /// read again while its change mark says nothing changed.
    Known,
    /// Recorded actions, newest first: of one instance or all, since a
    /// time, at most `limit`.
    History {
        /// The instance, or every one.
        instance: Option<usize>,
        /// Unix time of the oldest wanted.
        since: Option<i64>,
        /// How many at most.
        limit: usize,
    },
    /// Which ledger this is, its schema and what it holds.
    Status,
    /// Batches not closed, with what is left of each.
    Unfinished,
    /// What lookups of the last day said of these numbers.
    Identities {
        /// E.164 digits without `+`, or `@lid`s.
        numbers: Vec<String>,
    },
    /// The blocklist: every entry, and where the list itself blocked what.
    Blocklist,
}

/// A write to the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerWrite {
    /// The intent of a single toggle, recorded before it is sent.
    Intent {
        /// The change.
        item: Item,
        /// Why, when the operator gave a reason.
        reason: Option<String>,
    },
    /// A batch and all its intents, recorded before any is sent.
    CreateBatch {
        /// What it does.
        label: String,
        /// The changes, in order (none recorded yet).
        items: Vec<Item>,
        /// Why, when the operator gave a reason.
        reason: Option<String>,
    },
    /// The server's answer to a sent request, judged by the app: the
    /// outcome of its intent, and on success the contact's known state.
    Outcome {
        /// The request answered.
        call: BlockCall,
        /// The answer as judged: the server's, or why it failed.
        answer: BlockAnswer,
        /// Sent by an apply of the blocklist: a block confirmed is the
        /// list's own.
        list_own: bool,
    },
    /// Claim an unfinished batch before resuming it, so that two runs
    /// never send it twice.
    ClaimBatch {
        /// The batch.
        batch: i64,
    },
    /// Keep what a lookup said of a number.
    Identity(crate::model::identity::LookedUp),
    /// Change the blocklist.
    Blocklist(ListChange),
    /// Mark a batch finished or given up.
    CloseBatch {
        /// The batch.
        batch: i64,
        /// How it ended.
        status: BatchStatus,
    },
}

/// A change of the blocklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListChange {
    /// Add entries (an entry of the same number and source is updated).
    Add(Vec<crate::model::blocklist::Entry>),
    /// End every entry listing these numbers (E.164 digits or JIDs).
    Remove(Vec<String>),
    /// End every entry of this source.
    Retract(String),
}

/// A block answer: the server's outcome, or why the request failed.
pub type BlockAnswer = Result<crate::api::BlockOutcome, super::error::ErrorInfo>;

/// One change: block or unblock one JID on one instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Instance index.
    pub instance: usize,
    /// JID sent as `number`.
    pub jid: String,
    /// Its `@lid`, when known.
    pub lid: Option<String>,
    /// Block (`true`) or unblock.
    pub block: bool,
    /// Its ledger action, once recorded.
    pub action: Option<i64>,
    /// Its own reason, when it has one (the batch's otherwise).
    pub reason: Option<String>,
}

impl Item {
    /// The same change undone.
    pub fn inverse(&self) -> Item {
        Item {
            block: !self.block,
            action: None,
            ..self.clone()
        }
    }
}

impl Job {
    /// Whether the worker answers it with one [`super::JobResult`] (the
    /// live feed answers with messages of its own, for as long as it runs).
    pub fn is_answered(&self) -> bool {
        !matches!(self, Job::Live(_))
    }

    /// The block request a ledger write or call is about, when it is one.
    pub fn block_call(&self) -> Option<&BlockCall> {
        match self {
            Job::Api(ApiCall::Block(call)) => Some(call),
            _ => None,
        }
    }
}
