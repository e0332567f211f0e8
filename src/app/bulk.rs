//! Marks, bulk and cross-instance changes, typed numbers, undo and resumed
//! batches: the parts of `update` that run a [`Batch`].

use crate::model::change::Change;

use super::batch::{Batch, Done, Item, Kind};
use super::core::{Core, Load, Pending};
use super::effect::Effect;
use super::lookups;
use super::ops::{error, info, move_by};
use crate::keys::Command;
use crate::model::number::{Target, read_typed};
use crate::protocol::{ErrorInfo, LedgerWrite};

/// Space: marks or unmarks the selected contact, moves to the next one,
/// and says what it did and how many are marked now.
pub(super) fn mark(state: &mut Core) {
    let Some((jid, who)) = state
        .selected_contact()
        .map(|c| (c.jid().to_string(), c.describe()))
    else {
        return;
    };
    let inst = state.instance_mut();
    inst.marks_vanished = 0;
    let marked = if inst.marks.remove(&jid) {
        false
    } else {
        inst.marks.insert(jid);
        true
    };
    let count = inst.marks.len();
    let text = match (marked, count) {
        (true, n) => format!("marked {who} · {n} marked"),
        (false, 0) => {
            let bulk = state.keymap.label_of(Command::BulkBlock);
            // What B does now leads: the status bar may cut the rest.
            format!("nothing marked: {bulk} acts on the selected contact · unmarked {who}")
        }
        (false, n) => format!("unmarked {who} · {n} marked"),
    };
    info(state, text);
    move_by(state, 1);
}

/// Refuses (saying so) to start anything while a batch runs.
pub(super) fn busy(state: &mut Core) -> bool {
    if state.batch.is_some() {
        let cancel = state.keymap.label_of(Command::ClearFilter);
        info(
            state,
            format!(
                "a batch is running: wait for it, or press {cancel} to cancel what is not sent"
            ),
        );
        return true;
    }
    false
}

/// `1 marked contact`, `2 marked contacts`.
pub(super) fn marked(n: usize) -> String {
    if n == 1 {
        "1 marked contact".to_string()
    } else {
        format!("{n} marked contacts")
    }
}

pub(super) fn plural(n: usize) -> String {
    if n == 1 {
        "1 contact".to_string()
    } else {
        format!("{n} contacts")
    }
}

/// The ledger recorded the batch (or could not).
pub(super) fn on_created(
    state: &mut Core,
    created: Result<(i64, Vec<i64>), ErrorInfo>,
) -> Vec<Effect> {
    let Some(batch) = state.batch.as_mut().filter(|b| b.id.is_none()) else {
        return Vec::new();
    };
    match created {
        Ok((id, actions)) => {
            batch.recorded(id, &actions);
            let jobs: Vec<Effect> = batch.next_jobs().into_iter().map(Effect::Job).collect();
            // Interrupted before it was recorded: it ends here, open.
            let close = batch.interrupted.then(|| batch.interrupt()).flatten();
            let effects = jobs.into_iter().chain(close.map(Effect::Job)).collect();
            end_if_finished(state, effects)
        }
        Err(e) => {
            state.batch = None;
            error(state, format!("{} · {}", e.lead(), e.hint));
            Vec::new()
        }
    }
}

/// Counts a batch item's answer (kept for the report), sends the next
/// ones, and closes the batch when every item is answered.
pub(super) fn on_answer(
    state: &mut Core,
    batch: i64,
    item: Item,
    result: Result<super::batch::ItemDone, ErrorInfo>,
) -> Vec<Effect> {
    let Some(b) = state.batch.as_mut().filter(|b| b.id == Some(batch)) else {
        return Vec::new();
    };
    let ok = result.is_ok();
    // A success the ledger kept, or a failure that was sent (one never
    // sent leaves its intent pending, like one the ledger could not
    // write).
    let recorded = match &result {
        Ok(done) => done.ledger_error.is_none(),
        Err(e) => e.kind != crate::protocol::ErrorKind::NotSent,
    };
    let (instance, jid) = (item.instance, item.jid.clone());
    b.answers.push((item, result));
    let effects: Vec<Effect> = b
        .answer(instance, &jid, ok, recorded)
        .into_iter()
        .map(Effect::Job)
        .collect();
    end_if_finished(state, effects)
}

/// SIGINT or SIGTERM during a headless batch: nothing more is sent; what
/// is in flight finishes and is recorded; the rest stays open in the
/// ledger for `resume`. The batch ends (and is reported) once nothing is
/// in flight.
pub(crate) fn interrupt(state: &mut Core) -> Vec<Effect> {
    let Some(b) = state.batch.as_mut() else {
        return Vec::new();
    };
    let effects = b.interrupt().map(Effect::Job).into_iter().collect();
    end_if_finished(state, effects)
}

/// Ends the running batch when every item is answered (or left): the
/// summary, the undo step, [`Effect::BatchEnded`] after `effects`.
fn end_if_finished(state: &mut Core, mut effects: Vec<Effect>) -> Vec<Effect> {
    if !state.batch.as_ref().is_some_and(Batch::is_finished) {
        return effects;
    }
    let Some(b) = state.batch.take() else {
        return effects;
    };
    let marked = keep_failures_marked(state, &b);
    let text = ended_text(state, &b, marked);
    remember(state, &b);
    if b.failed > 0 || b.unrecorded > 0 {
        error(state, text);
    } else {
        info(state, text);
    }
    effects.push(Effect::BatchEnded(Box::new(b)));
    effects
}

/// Keeps a finished batch in the undo history: an action (or one done
/// again) to undo, an undo to redo (what it reverted).
fn remember(state: &mut Core, b: &Batch) {
    match &b.kind {
        Kind::Action => state.done(Done {
            label: b.label.clone(),
            items: b.undoable(),
        }),
        Kind::Redo(label) => {
            state.history.push(Done {
                label: label.clone(),
                items: b.undoable(),
            });
            state.history_fresh = true;
        }
        Kind::Undo(label) => {
            let items: Vec<Item> = b.undoable().iter().map(Item::inverse).collect();
            if !items.is_empty() {
                state.redo.push(Done {
                    label: label.clone(),
                    items,
                });
            }
        }
    }
}

/// Leaves a finished batch's failures marked on their instances, so the
/// same key sends exactly those again; returns how many. A typed number
/// that is no row of its instance is not marked (it is typed again); a
/// list not loaded yet shows the mark once it is.
fn keep_failures_marked(state: &mut Core, b: &Batch) -> usize {
    let mut marked = 0;
    for (index, inst) in state.instances.iter_mut().enumerate() {
        let failed: Vec<&str> = b
            .failures
            .iter()
            .filter(|i| i.instance == index)
            .map(|i| i.jid.as_str())
            .collect();
        if failed.is_empty() {
            continue;
        }
        let waiting = matches!(inst.load, Load::NotStarted | Load::Loading);
        let rows = inst.contacts.rows_of(failed.iter().copied());
        let outside = inst.outsiders.rows_of(failed.iter().copied());
        for jid in failed {
            if waiting || rows.contains_key(jid) || outside.contains_key(jid) {
                inst.marks.insert(jid.to_string());
                marked += 1;
            }
        }
    }
    marked
}

/// The status bar's summary of a finished batch, naming the keys in force.
fn ended_text(state: &Core, b: &Batch, marked: usize) -> String {
    let mut text = format!("{}: {} done", b.label, b.done);
    if b.failed > 0 {
        match &b.first_failure {
            // One number, one reason: the reason leads.
            Some((lead, hint)) if b.total == 1 => text = format!("{lead} · {} · {hint}", b.label),
            Some((lead, hint)) => {
                let first = if b.failed > 1 { "the first: " } else { "" };
                text.push_str(&format!(", {} failed ({first}{lead} · {hint})", b.failed));
            }
            None => text.push_str(&format!(", {} failed", b.failed)),
        }
        let again = state.keymap.label_of(match b.failures.first() {
            Some(i) if i.block => Command::BulkBlock,
            _ => Command::BulkUnblock,
        });
        if marked == b.failed {
            text.push_str(&format!(" · still marked: {again} retries them"));
        } else if marked > 0 {
            text.push_str(&format!(" · {marked} still marked: {again} retries them"));
        }
        if b.failed > 1 {
            let m = state.keymap.label_of(Command::Messages);
            text.push_str(&format!(" · {m} shows each"));
        }
    }
    if b.cancelled > 0 {
        text.push_str(&format!(", {} cancelled", b.cancelled));
    }
    if b.unsent > 0 {
        text.push_str(&format!(
            " · {} not sent: the server does not answer; the next start offers to resume them",
            b.unsent
        ));
    }
    if b.unrecorded > 0 {
        let held = if b.held_back > 0 {
            format!(", {} more not sent", b.held_back)
        } else {
            String::new()
        };
        text.push_str(&format!(
            " · {} answered by the server but not recorded{held} (the ledger cannot be written): {}; the next start offers to resume them",
            b.unrecorded,
            ledger_hint(state.team_ledger)
        ));
    }
    match b.kind {
        _ if b.undoable().is_empty() => {}
        Kind::Action | Kind::Redo(_) => {
            let u = state.keymap.label_of(Command::Undo);
            text.push_str(&format!(" · {u} undoes it"));
        }
        Kind::Undo(_) => {
            let redo = state.keymap.label_of(Command::Redo);
            text.push_str(&format!(" · {redo} does it again"));
        }
    }
    text
}

/// Esc while a batch runs: drops what is not sent.
pub(super) fn cancel(state: &mut Core) -> bool {
    if state.batch.as_ref().is_some_and(|b| b.awaiting_lookups) {
        // Still looking its numbers up: nothing was recorded nor sent.
        state.batch = None;
        state.lookups.cancel_queued();
        info(
            state,
            "cancelled while looking up: nothing was recorded nor sent",
        );
        return true;
    }
    let Some(b) = state.batch.as_mut() else {
        return false;
    };
    let dropped = b.cancel();
    let in_flight = b.left();
    info(
        state,
        format!("cancelled {dropped} not sent yet; {in_flight} already sent will finish"),
    );
    true
}

/// An action that waits for its reason (see the reason overlay).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Then {
    /// `b` on one contact.
    Toggle {
        /// The instance.
        instance: usize,
        /// The contact's JID.
        jid: String,
        /// Its `@lid`.
        lid: Option<String>,
        /// Block or unblock.
        block: bool,
        /// The contact as the list names it.
        who: String,
    },
    /// A batch, recorded once the reason is given.
    Batch {
        /// What it does.
        label: String,
        /// Its changes.
        items: Vec<Item>,
        /// Hidden-number contacts for other instances, matched there by
        /// number once looked up.
        hidden: Vec<super::plan::Hidden>,
    },
}

/// What came of a typed batch: started (or refused, said in a message),
/// or waiting for the reason, which the caller asks.
#[derive(Debug)]
pub(crate) enum Begun {
    /// Started, or refused: the effects to carry out.
    Sent(Vec<Effect>),
    /// Nothing sent yet: ask why first.
    AsksWhy(Then),
}

/// Blocks (or unblocks) a typed number on the shown instance, as an
/// undoable batch of one. Groups, channels and garbage are refused before
/// any request. The number is read in the instance's country; the batch
/// waits for its reason when `ask`.
pub(crate) fn number_batch(state: &mut Core, text: &str, block: bool, ask: bool) -> Begun {
    if busy(state) {
        return Begun::Sent(Vec::new());
    }
    let target = match read_typed(text, state.instance().region()) {
        Ok(target) => target,
        Err(e) => {
            error(state, format!("{e} · nothing was sent"));
            return Begun::Sent(Vec::new());
        }
    };
    let shown = target.shown();
    if block && lookups::absent(state, &target.jid()) {
        error(
            state,
            format!("{shown} is not on WhatsApp: nothing to block · nothing was sent"),
        );
        return Begun::Sent(Vec::new());
    }
    targets_batch(state, &[target], block, &shown, ask)
}

/// Blocks (or unblocks) typed `targets` on the shown instance, as one
/// undoable batch; `what` names them in the label (`+44 7912 345678`,
/// `pasted`).
pub(crate) fn targets_batch(
    state: &mut Core,
    targets: &[Target],
    block: bool,
    what: &str,
    ask: bool,
) -> Begun {
    if busy(state) {
        return Begun::Sent(Vec::new());
    }
    let current = state.current;
    let contacts = &state.instance().contacts;
    let items: Vec<Item> = targets
        .iter()
        .map(|target| {
            let jid = target.jid();
            let lid = contacts
                .find(&jid)
                .and_then(|c| c.lid().map(str::to_string));
            Item {
                instance: current,
                jid,
                lid,
                block,
                action: None,
                reason: None,
            }
        })
        .collect();
    let verb = Change::of(block).verb();
    let label = match items.len() {
        1 => format!("{verb} {what} on {}", state.instance().name),
        n => format!("{verb} {n} {what} numbers on {}", state.instance().name),
    };
    if ask {
        return Begun::AsksWhy(Then::Batch {
            label,
            items,
            hidden: Vec::new(),
        });
    }
    Begun::Sent(super::batch_start::start(
        state,
        label,
        items,
        Kind::Action,
        None,
    ))
}

/// Whether every mark the operator made left the address book since the
/// last bulk key (said once, then forgotten): the key that would act on
/// them does nothing, for the selected row is someone else.
pub(crate) fn marks_gone(state: &mut Core) -> bool {
    let vanished = std::mem::take(&mut state.instance_mut().marks_vanished);
    if vanished == 0 || !state.instance().marks.is_empty() {
        return false;
    }
    let who = marked(vanished);
    error(
        state,
        format!("the {who} left the address book: nothing is marked"),
    );
    true
}

/// Sends what is left of recorded batch `batch` (its intents are in the
/// ledger already).
pub(crate) fn resume(state: &mut Core, batch: i64, label: &str, items: Vec<Item>) -> Vec<Effect> {
    // What an apply's resume blocks is the list's own, as the apply's.
    let via_list = super::blocklist::is_apply(label);
    let label = format!("resume: {label}");
    // An own number the server told since the rows were checked is
    // still never sent.
    let (own, items): (Vec<Item>, Vec<Item>) = items
        .into_iter()
        .partition(|i| state.instances[i.instance].is_own(&i.jid));
    let own: Vec<String> = own
        .iter()
        .map(|i| {
            let number = crate::model::number::shown_jid(&i.jid);
            format!("the instance's own number ({number})")
        })
        .collect();
    let skipped = super::batch::skipped_text(&own);
    if items.is_empty() {
        error(
            state,
            format!("{label}: nothing was sent: {}", skipped.unwrap_or_default()),
        );
        return Vec::new();
    }
    match skipped {
        Some(skipped) => info(state, format!("{label}… ({skipped})")),
        None => info(state, format!("{label}…")),
    }
    let mut b = Batch::new(label, items, Kind::Action, state.ticks);
    b.via_list = via_list;
    b.recorded(batch, &[]);
    state.batch = Some(b);
    // Claimed first: a batch another run is resuming is not sent twice.
    vec![Effect::write(LedgerWrite::ClaimBatch { batch })]
}

/// The ledger answered the claim on a batch to resume: sending starts, or
/// the batch is left to the run that holds it.
pub(crate) fn on_claimed(
    state: &mut Core,
    batch: i64,
    result: Result<crate::store::ledger::Claim, ErrorInfo>,
) -> Vec<Effect> {
    use crate::store::ledger::{CLAIM_STALE_SECS, Claim};
    let Some(b) = state.batch.as_mut().filter(|b| b.id == Some(batch)) else {
        return Vec::new();
    };
    match result {
        Ok(Claim::Ours) => b.next_jobs().into_iter().map(Effect::Job).collect(),
        Ok(Claim::Theirs { operator, since }) => {
            let Some(mut b) = state.batch.take() else {
                return Vec::new();
            };
            let ago = crate::util::dates::age(state.now, since);
            // An apply of the blocklist (resumed or not) is the list's.
            let text = if b.via_list {
                super::list_view::held::held_text(state, &operator, &ago)
            } else {
                format!(
                    "{}: {operator} is resuming it (progress {ago}): nothing sent twice · it is offered again after {} min without progress",
                    b.label,
                    CLAIM_STALE_SECS / 60
                )
            };
            info(state, text);
            b.held_by = Some((operator, since));
            vec![Effect::BatchEnded(Box::new(b))]
        }
        Err(e) => {
            let Some(mut b) = state.batch.take() else {
                return Vec::new();
            };
            error(state, format!("{} · {} · {}", e.lead(), b.label, e.hint));
            b.claim_error = Some(e.summary());
            vec![Effect::BatchEnded(Box::new(b))]
        }
    }
}

/// Sends one toggle (`b`), with its reason when one was given: its
/// intent is recorded first, then it is sent.
pub(crate) fn send_toggle(
    state: &mut Core,
    instance: usize,
    jid: String,
    lid: Option<String>,
    block: bool,
    who: &str,
    reason: Option<String>,
) -> Vec<Effect> {
    let inst = &mut state.instances[instance];
    let name = inst.name.clone();
    inst.pending.insert(
        jid.clone(),
        Pending {
            sending: block,
            queued: None,
        },
    );
    let verb = Change::of(block).progressive();
    info(state, format!("{verb} {who} on {name}…"));
    vec![Effect::write(LedgerWrite::Intent {
        item: Item {
            instance,
            jid,
            lid,
            block,
            action: None,
            reason: None,
        },
        reason,
    })]
}

/// What to do when the ledger cannot be written: the data folder's file,
/// or the team's database.
pub(crate) fn ledger_hint(team: bool) -> &'static str {
    if team {
        "check the connection to the team ledger"
    } else {
        "free space in the data folder"
    }
}
