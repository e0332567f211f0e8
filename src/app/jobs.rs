//! What the app asks of the API worker: the jobs, and the batch items
//! they carry.

/// A job for the API worker. Instances are indexes into the profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiJob {
    /// Connection state of every instance of the profile.
    LoadInstances,
    /// Every contact of one instance.
    LoadContacts {
        /// The instance.
        instance: usize,
    },
    /// Block or unblock one contact, recorded in the ledger.
    Block {
        /// The instance.
        instance: usize,
        /// The contact's JID as listed; sent as `number`.
        jid: String,
        /// Its `@lid`, when known.
        lid: Option<String>,
        /// `true` blocks, `false` unblocks.
        block: bool,
        /// Its ledger action when already recorded (batches); otherwise
        /// the worker records the intent before sending.
        action: Option<i64>,
        /// The batch it belongs to.
        batch: Option<i64>,
        /// Why, when the operator gave a reason (recorded with the intent).
        reason: Option<String>,
    },
    /// Restate a contact's state to learn the settled `blocked_count`
    /// after answers raced (see [`super::settle`]). Not recorded in the
    /// ledger: it changes nothing.
    Settle {
        /// The instance.
        instance: usize,
        /// The contact's JID as listed.
        jid: String,
        /// The state it is known to have.
        block: bool,
    },
    /// Record a batch and all its intents in the ledger before sending.
    CreateBatch {
        /// What it does.
        label: String,
        /// The changes, in order (none recorded yet).
        items: Vec<Item>,
        /// Why, when the operator gave a reason.
        reason: Option<String>,
    },
    /// Read what the ledger knows again (other runs may have changed it).
    LoadKnown,
    /// Claim an unfinished batch before resuming it, so that two runs
    /// never send it twice.
    ClaimBatch {
        /// The batch.
        batch: i64,
    },
    /// Mark a batch finished or given up.
    CloseBatch {
        /// The batch.
        batch: i64,
        /// How it ended.
        status: crate::store::ledger::BatchStatus,
    },
    /// The ledger's recorded actions on one instance, newest first.
    History {
        /// The instance.
        instance: usize,
    },
    /// Check that the instance's token may read it (a one-number lookup,
    /// no WhatsApp traffic): 401, 403 and 404 tell a wrong token, another
    /// instance's token and an unknown instance apart.
    Probe {
        /// The instance.
        instance: usize,
    },
}

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
