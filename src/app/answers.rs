//! Block answers, from the server's words to the row: the answer is
//! judged with what the app knows (the one rule, `model::answer`), the
//! ledger records it, and then the row, the count, the batch and the
//! message follow. A single toggle and a batch item go the same way; a
//! toggle's intent is recorded before it is sent.

use crate::model::answer::{Asked, Said, judge};
use crate::model::change::Change;

use super::batch::{Item, ItemDone};
use super::bulk;
use super::effect::Effect;
use super::ops::{error, failure, failure_behind, info, load_instances};
use super::overlays;
use super::state::{Connection, Core, Known, Pending, State};
use crate::api::BlockOutcome;
use crate::protocol::{
    ApiCall, BlockAnswer, BlockCall, ConnState, ErrorInfo, ErrorKind, LedgerWrite,
};

/// A successful block call, after the ledger write.
#[derive(Debug, Clone, PartialEq, Eq)]
struct BlockDone {
    /// The server's answer.
    outcome: BlockOutcome,
    /// Unix time the ledger stored.
    recorded_at: i64,
    /// Set when the ledger could not store it.
    ledger_error: Option<String>,
    /// The reason it was sent with, when the operator gave one.
    reason: Option<String>,
}

/// A single toggle's intent is recorded: it is sent now; or it could not
/// be, and nothing is sent.
pub(super) fn on_intent(
    state: &mut State,
    item: Item,
    reason: Option<String>,
    result: Result<i64, ErrorInfo>,
) -> Vec<Effect> {
    match result {
        Ok(action) => vec![Effect::call(ApiCall::Block(BlockCall {
            item: Item {
                action: Some(action),
                ..item
            },
            action,
            batch: None,
            reason,
        }))],
        Err(e) => {
            // Nothing was sent: the toggle ends as a failure.
            let call = BlockCall {
                item,
                action: 0,
                batch: None,
                reason,
            };
            finish(state, &call, Err(e))
        }
    }
}

/// The server answered a block request: the answer is judged, then
/// recorded (one never sent is not: its intent stays pending).
pub(super) fn on_answer(state: &mut State, call: BlockCall, answer: BlockAnswer) -> Vec<Effect> {
    let judged = answer.and_then(|outcome| match judged_against(state, &call, &outcome) {
        Ok(()) => Ok(outcome),
        Err(detail) => Err(ErrorInfo::contrary(&detail)),
    });
    if let Err(e) = &judged
        && e.kind == ErrorKind::NotSent
    {
        // Never sent: nothing to record, the intent stays pending for a
        // resume.
        let e = e.clone();
        let settle = settled(state, &call, None);
        let mut effects = finish(state, &call, Err(e));
        effects.extend(settle);
        return effects;
    }
    // A block an apply of the blocklist sent is the list's own.
    let list_own = call.item.block
        && state
            .batch
            .as_ref()
            .is_some_and(|b| b.via_list && b.id.is_some() && b.id == call.batch);
    vec![Effect::write(LedgerWrite::Outcome {
        call,
        answer: judged,
        list_own,
    })]
}

/// Notes a request's end for the counts that settle (see `settle`),
/// once the row and the count show its answer: the request that settles
/// the count follows every answer it settles. A batch still sending on
/// that instance settles after its last answer, not in every lull
/// between its answers and its next requests.
fn settled(state: &mut Core, call: &BlockCall, confirmed: Option<bool>) -> Option<Effect> {
    let item = &call.item;
    let more = state
        .batch
        .as_ref()
        .is_some_and(|b| b.has_queued(item.instance));
    state
        .settling
        .answered(item.instance, &item.jid, confirmed, more)
        .map(Effect::Job)
}

/// Whether `outcome` answers `call`, by what the app knows of whose an
/// identity is on that instance (its contacts, the ledger).
fn judged_against(state: &Core, call: &BlockCall, outcome: &BlockOutcome) -> Result<(), String> {
    let item = &call.item;
    let inst = &state.instances[item.instance];
    let keys: Vec<&str> = super::lookups::number_of(&item.jid)
        .and_then(|n| state.lookups.fresh(n, state.now))
        .map(|l| l.keys())
        .unwrap_or_default();
    let asked = Asked {
        jid: &item.jid,
        lid: item.lid.as_deref(),
        keys: &keys,
        block: item.block,
    };
    let said = Said {
        blocked: outcome.blocked,
        contact_jid: &outcome.contact_jid,
        message: &outcome.message,
    };
    judge(asked, said, |id| inst.owner_of(id))
}

/// The ledger recorded a judged answer (or could not): the row, the
/// count, the batch and the message follow.
pub(super) fn on_recorded(
    state: &mut State,
    call: BlockCall,
    answer: BlockAnswer,
    at: Result<i64, String>,
) -> Vec<Effect> {
    state.answers += 1;
    let instance = call.item.instance;
    let now = state.now;
    let settle = settled(state, &call, answer.as_ref().ok().map(|o| o.blocked));
    let result = answer.map(|outcome| BlockDone {
        outcome,
        recorded_at: *at.as_ref().unwrap_or(&now),
        ledger_error: at.err(),
        reason: call.reason.clone(),
    });
    let mut effects = finish(state, &call, result);
    effects.extend(settle);
    // An open history of that instance follows what the ledger just
    // recorded.
    if overlays::follows(state.overlay.as_ref(), instance) {
        effects.push(overlays::history_read(instance));
    }
    effects
}

/// What a block answer is about: the request, as the row names it.
struct Answered {
    instance: usize,
    jid: String,
    block: bool,
    batch: Option<i64>,
    /// The single toggle it answers (batch items have none).
    pending: Option<Pending>,
    /// `Name (+55 11 9…)` or the number.
    who: String,
    /// The row's `@lid`, when the list gives one.
    row_lid: Option<String>,
}

/// An answered (or failed, or never sent) request: the row, the count,
/// the message; a batch item counts in its batch.
fn finish(
    state: &mut State,
    call: &BlockCall,
    result: Result<BlockDone, ErrorInfo>,
) -> Vec<Effect> {
    let item = &call.item;
    let Some(inst) = state.instances.get_mut(item.instance) else {
        return Vec::new();
    };
    // A batch item has no per-row toggle state; a single toggle does.
    let pending = call
        .batch
        .is_none()
        .then(|| inst.pending.remove(&item.jid))
        .flatten();
    let contact = inst.contacts.find(&item.jid);
    let who = contact.map_or_else(
        || crate::model::number::shown_jid(&item.jid),
        |c| c.describe(),
    );
    let row_lid = contact.and_then(|c| c.lid()).map(str::to_string);
    let answered = Answered {
        instance: item.instance,
        jid: item.jid.clone(),
        block: item.block,
        batch: call.batch,
        pending,
        who,
        row_lid,
    };
    let mut effects = match &result {
        Ok(done) => on_done(state, &answered, done),
        Err(e) => on_failed(state, &answered, e),
    };
    if let Some(batch) = call.batch {
        let result = result.map(|done| ItemDone {
            outcome: done.outcome,
            ledger_error: done.ledger_error,
        });
        effects.extend(bulk::on_answer(state, batch, item.clone(), result));
    }
    effects
}

/// A confirmed block or unblock: the ledger's state, the count, a queued
/// change sent, the message, the undo step.
fn on_done(state: &mut State, a: &Answered, done: &BlockDone) -> Vec<Effect> {
    let lid = remember_done(state, a, done);
    let effects = queued_after(state, a, done.outcome.blocked, &lid);
    say_done(state, a, done, lid);
    effects.into_iter().collect()
}

/// The row's new known state, who made it and why, and the account's
/// count; returns the contact's `@lid` as now known.
fn remember_done(state: &mut Core, a: &Answered, done: &BlockDone) -> Option<String> {
    let operator = (!state.operator.is_empty()).then(|| state.operator.clone());
    let inst = &mut state.instances[a.instance];
    inst.last_error.remove(&a.jid);
    let outcome = &done.outcome;
    let lid = a.row_lid.clone().or_else(|| {
        (outcome
            .contact_jid
            .ends_with(crate::model::number::LID_SUFFIX)
            && outcome.contact_jid != a.jid)
            .then(|| outcome.contact_jid.clone())
    });
    inst.remember(
        &a.jid,
        lid.as_deref(),
        Known {
            blocked: outcome.blocked,
            at: done.recorded_at,
        },
    );
    inst.remember_why(
        &a.jid,
        crate::app::state::Why {
            operator,
            reason: done.reason.clone(),
        },
    );
    if let Some(count) = outcome.blocked_count {
        inst.blocked_count = Some(count);
    }
    lid
}

/// The change `b` queued on the row while its request was in flight,
/// recorded and then sent, unless the answer already left the row that
/// way.
fn queued_after(
    state: &mut Core,
    a: &Answered,
    final_state: bool,
    lid: &Option<String>,
) -> Option<Effect> {
    let next = a
        .pending
        .and_then(|p| p.queued)
        .filter(|q| *q != final_state)?;
    state.instances[a.instance].pending.insert(
        a.jid.clone(),
        Pending {
            sending: next,
            queued: None,
        },
    );
    Some(Effect::write(LedgerWrite::Intent {
        item: Item {
            instance: a.instance,
            jid: a.jid.clone(),
            lid: lid.clone(),
            block: next,
            action: None,
            reason: None,
        },
        reason: None,
    }))
}

/// What a single answer says (a batch sums its answers up at the end),
/// and the undo history's entry for it.
fn say_done(state: &mut Core, a: &Answered, done: &BlockDone, lid: Option<String>) {
    let name = state.instances[a.instance].name.clone();
    let final_state = done.outcome.blocked;
    let who = &a.who;
    if let Some(why) = &done.ledger_error {
        let hint = bulk::ledger_hint(state.team_ledger);
        error(
            state,
            format!(
                "{who} on {name}: the server answered, but the ledger did not save it: {why} · {hint}"
            ),
        );
    } else if a.batch.is_none() {
        let verb = Change::of(final_state).done_word();
        let mut text = format!("{verb} {who} on {name}");
        if !done.outcome.message.is_empty() {
            text.push_str(&format!(" · server: {}", done.outcome.message));
        }
        if final_state != a.block {
            text.push_str(" · the server reports a different final state");
        }
        info(state, text);
    }
    if a.batch.is_none() {
        let verb = Change::of(final_state).verb();
        state.done(super::batch::Done {
            label: format!("{verb} {who} on {name}"),
            items: vec![Item {
                instance: a.instance,
                jid: a.jid.clone(),
                lid,
                block: final_state,
                action: None,
                reason: None,
            }],
        });
    }
}

/// A failed block or unblock: the row's last error, a 503 marks the
/// instance disconnected, the message (a batch sums its failures up).
fn on_failed(state: &mut State, a: &Answered, e: &ErrorInfo) -> Vec<Effect> {
    let mut effects = Vec::new();
    let inst = &mut state.instances[a.instance];
    let name = inst.name.clone();
    inst.last_error.insert(a.jid.clone(), e.lead_and_hint());
    if e.means_disconnected() {
        inst.connection = Connection::State(ConnState::Disconnected);
        effects.extend(load_instances(state));
    }
    let verb = Change::of(a.block).verb();
    let mut about = format!("{verb} {} on {name}", a.who);
    if a.batch.is_none() {
        if a.pending.and_then(|p| p.queued).is_some() {
            about.push_str(" (the queued change was not sent)");
        }
        failure(state, a.instance, &about, e);
    } else {
        note_batch_failure(state, a.instance, &about, e);
    }
    effects
}

/// Shows a running batch's first failure, without replacing an error
/// already on screen; the batch's summary follows when it ends. Every
/// failure goes to the message log.
fn note_batch_failure(state: &mut State, instance: usize, about: &str, e: &ErrorInfo) {
    if let Some(b) = state.batch.as_mut() {
        b.first_failure
            .get_or_insert_with(|| (e.lead(), e.hint.clone()));
    }
    failure_behind(state, instance, about, e);
}
