//! For tests of the app and the screens: `update` with a ledger that
//! always works (intents and outcomes are answered as the worker's ledger
//! thread answers them), and block answers as the server gives them.

use crate::api::BlockOutcome;
use crate::protocol::{BlockCall, ErrorInfo, Item, Job, JobResult, LedgerWrite, Msg};

use super::{Effect, State};

/// The action id every recorded intent gets here.
pub(crate) const ACTION: i64 = 1;
/// The time the ledger stores here, unless an answer says otherwise.
pub(crate) const RECORDED_AT: i64 = 1_000;

/// A server's successful answer, and what the ledger made of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BlockDone {
    /// The server's answer.
    pub outcome: BlockOutcome,
    /// Unix time the ledger stores.
    pub recorded_at: i64,
    /// Set when the ledger cannot store it.
    pub ledger_error: Option<String>,
    /// The reason the request was sent with.
    pub reason: Option<String>,
}

/// `update`, with every intent and outcome the app asks the ledger to
/// write answered at once (recorded, at [`RECORDED_AT`]); returns the
/// other effects, those of the answers included.
pub(crate) fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let mut out = Vec::new();
    let mut queue = super::update(state, msg);
    while !queue.is_empty() {
        let mut next = Vec::new();
        for effect in queue {
            let answer = match effect {
                Effect::Job(Job::Write(LedgerWrite::Intent { item, reason })) => {
                    JobResult::IntentRecorded {
                        item,
                        reason,
                        result: Ok(ACTION),
                    }
                }
                Effect::Job(Job::Write(LedgerWrite::Outcome { call, answer, .. })) => {
                    JobResult::Recorded {
                        call,
                        answer,
                        at: Ok(RECORDED_AT),
                    }
                }
                other => {
                    out.push(other);
                    continue;
                }
            };
            next.extend(super::update(state, Msg::Worker(answer)));
        }
        queue = next;
    }
    out
}

/// The request the app sends for `jid` on `instance` (with the `@lid` its
/// list gives), as recorded at [`ACTION`].
pub(crate) fn call_for(
    state: &State,
    instance: usize,
    jid: &str,
    block: bool,
    batch: Option<i64>,
    reason: Option<String>,
) -> BlockCall {
    let lid = state.instances[instance]
        .contacts
        .find(jid)
        .and_then(|c| c.lid().map(str::to_string));
    BlockCall {
        item: Item {
            instance,
            jid: jid.to_string(),
            lid,
            block,
            action: Some(ACTION),
            reason: None,
        },
        action: ACTION,
        batch,
        reason,
    }
}

/// The server's answer to the request for `jid`, then the ledger's record
/// of it (or its refusal, when `result` says the ledger cannot store it).
pub(crate) fn answer_block(
    state: &mut State,
    instance: usize,
    jid: &str,
    block: bool,
    batch: Option<i64>,
    result: Result<BlockDone, ErrorInfo>,
) -> Vec<Effect> {
    let reason = result.as_ref().ok().and_then(|d| d.reason.clone());
    let call = call_for(state, instance, jid, block, batch, reason);
    let (answer, at) = match result {
        Ok(done) => (
            Ok(done.outcome),
            done.ledger_error.map_or(Ok(done.recorded_at), Err),
        ),
        Err(e) => (Err(e), Ok(RECORDED_AT)),
    };
    let mut effects = Vec::new();
    for effect in super::update(state, Msg::Worker(JobResult::Block { call, answer })) {
        match effect {
            Effect::Job(Job::Write(LedgerWrite::Outcome { call, answer, .. })) => {
                let recorded = JobResult::Recorded {
                    call,
                    answer,
                    at: at.clone(),
                };
                effects.extend(update(state, Msg::Worker(recorded)));
            }
            other => effects.push(other),
        }
    }
    effects
}

/// A live message from `digits` at `at`, as the feed reads one: a
/// group's chat is named "Família".
pub(crate) fn incoming(
    digits: &str,
    name: Option<&str>,
    text: &str,
    chat: crate::model::live::ChatKind,
    at: i64,
) -> crate::model::live::Incoming {
    crate::model::live::Incoming {
        id: None,
        at: Some(at),
        chat,
        chat_name: (chat == crate::model::live::ChatKind::Group).then(|| "Família".to_string()),
        sender: crate::model::live::Sender {
            digits: Some(digits.into()),
            lid: None,
            name: name.map(str::to_string),
        },
        text: text.into(),
    }
}
