//! Marks, bulk and cross-instance changes, typed numbers, undo and resumed
//! batches: the parts of `update` that run a [`Batch`].

use crate::model::change::Change;

use super::batch::{Batch, Item};
use super::core::{Core, Load, Pending};
use super::effect::Effect;
use super::lookups;
use super::ops::{error, info, move_by};
use crate::keys::Command;
use crate::model::number::{Target, read_typed};
use crate::protocol::{ErrorInfo, LedgerWrite};
use std::collections::HashSet;

/// Space: marks or unmarks the selected contact and moves on.
pub(super) fn mark(state: &mut Core) {
    let Some(jid) = state.selected_contact().map(|c| c.jid().to_string()) else {
        return;
    };
    let marks = &mut state.instance_mut().marks;
    if !marks.remove(&jid) {
        marks.insert(jid);
    }
    move_by(state, 1);
}

/// `*`: marks every shown contact, or unmarks them all if they all are.
pub(super) fn mark_all(state: &mut Core) {
    let inst = &state.instances[state.current];
    let shown: Vec<String> = state
        .visible
        .iter()
        .filter_map(|&i| inst.row(i).map(|c| c.jid().to_string()))
        .collect();
    let all = shown.iter().all(|j| inst.marks.contains(j));
    let marks = &mut state.instances[state.current].marks;
    if all {
        for j in &shown {
            marks.remove(j);
        }
        info(state, format!("unmarked {} contacts", shown.len()));
    } else {
        let n = shown.len();
        marks.extend(shown);
        info(state, format!("marked {n} shown contacts"));
    }
}

/// Refuses (saying so) a change on a read-only instance.
pub(crate) fn read_only(state: &mut Core, instance: usize) -> bool {
    if !state.instances.get(instance).is_some_and(|i| i.read_only) {
        return false;
    }
    let text = read_only_text(state, &[instance]);
    error(state, text);
    true
}

/// The refusal of a change on read-only `instances`, for the screen and
/// the command line alike.
pub(crate) fn read_only_text(state: &Core, instances: &[usize]) -> String {
    let names: Vec<&str> = instances
        .iter()
        .map(|&i| state.instances[i].name.as_str())
        .collect();
    format!(
        "read-only: no block or unblock is sent to {} (read_only in the profile, or --read-only) · nothing was sent",
        names.join(", ")
    )
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

pub(super) fn plural(n: usize) -> String {
    if n == 1 {
        "1 contact".to_string()
    } else {
        format!("{n} contacts")
    }
}

/// Starts a batch: its numbers that are no contacts are looked up, the
/// ledger records it, then it is sent. An instance's own number is never
/// sent to it; a number not on WhatsApp is left out.
pub(crate) fn start(
    state: &mut Core,
    label: String,
    items: Vec<Item>,
    is_undo: bool,
    reason: Option<String>,
) -> Vec<Effect> {
    start_with(state, label, items, is_undo, reason, false)
}

/// As [`start`]; `strict`: a number not on WhatsApp refuses the whole
/// batch (a headless command without `--skip-invalid`).
pub(crate) fn start_with(
    state: &mut Core,
    label: String,
    mut items: Vec<Item>,
    is_undo: bool,
    reason: Option<String>,
    strict: bool,
) -> Vec<Effect> {
    if !leave_out(state, &label, &mut items) {
        return Vec::new();
    }
    let unchanged = items
        .iter()
        .filter(|item| {
            let known = state.instances[item.instance].known_of_jid(&item.jid, item.lid.as_deref());
            known.is_some_and(|k| k.blocked == item.block)
        })
        .map(|item| (item.instance, item.jid.clone()))
        .collect();
    let mut batch = Batch::new(label, items, is_undo, state.ticks);
    batch.reason = reason;
    batch.unchanged = unchanged;
    batch.strict = strict;
    // An undo sends what was sent before: nothing to look up.
    let wanted = if is_undo {
        Vec::new()
    } else {
        to_look_up(state, &batch)
    };
    batch.lookups = wanted.len();
    batch.awaiting_lookups = true;
    state.batch = Some(batch);
    let mut effects = lookups::ask(state, wanted);
    effects.extend(after_lookups(state));
    effects
}

/// Leaves out what is never sent (items of read-only instances, an
/// instance's own number) and says what starts; `false` (and why) when
/// nothing is left.
fn leave_out(state: &mut Core, label: &str, items: &mut Vec<Item>) -> bool {
    let asked = items.len();
    items.retain(|item| !state.instances[item.instance].read_only);
    if items.is_empty() {
        let instance = state.current;
        read_only(state, instance);
        return false;
    }
    let read_only_left = asked - items.len();
    let before = items.len();
    items.retain(|item| !state.instances[item.instance].is_own(&item.jid));
    let own = before - items.len();
    if own > 0 && items.is_empty() {
        error(
            state,
            "that is the instance's own number: an instance cannot block itself · nothing was sent",
        );
        return false;
    }
    let text = if own > 0 {
        format!("{label}… ({own} left out: an instance's own number)")
    } else if read_only_left > 0 {
        format!("{label}… ({read_only_left} left out: read-only instances)")
    } else {
        format!("{label}…")
    };
    info(state, text);
    true
}

/// The numbers of `batch` to look up: those that are no contact of the
/// instance they go to, once each, with the instance to ask through.
fn to_look_up(state: &Core, batch: &Batch) -> Vec<(usize, String)> {
    let mut seen = HashSet::new();
    batch
        .queued()
        .filter(|item| item.block)
        .filter(|item| {
            state.instances[item.instance]
                .contacts
                .find(&item.jid)
                .is_none()
        })
        .filter_map(|item| Some((item.instance, lookups::number_of(&item.jid)?.to_string())))
        .filter(|(_, number)| seen.insert(number.clone()))
        .collect()
}

/// Lookups came in: a batch waiting for its own goes on once none is
/// left. What is not on WhatsApp is left out (or refuses the batch when
/// it is strict), a number sent without a lookup is noted as unverified,
/// and the rest is recorded, then sent.
pub(crate) fn after_lookups(state: &mut Core) -> Vec<Effect> {
    let Some(b) = state.batch.as_ref().filter(|b| b.awaiting_lookups) else {
        return Vec::new();
    };
    let numbers: Vec<String> = b
        .queued()
        .filter_map(|i| lookups::number_of(&i.jid).map(str::to_string))
        .collect();
    let asked = state
        .lookups
        .asked_among(numbers.iter().map(String::as_str));
    if let Some(b) = state.batch.as_mut() {
        b.lookups_left = asked;
    }
    if asked > 0 {
        return Vec::new();
    }
    let mut effects = unverified(state, &numbers);
    let now = state.now;
    let looked = &state.lookups;
    let Some(b) = state.batch.as_mut() else {
        return effects;
    };
    b.awaiting_lookups = false;
    let left_out = b.leave_out(|item| {
        // Unblocking a number that left WhatsApp is harmless.
        if !item.block {
            return None;
        }
        let number = lookups::number_of(&item.jid)?;
        match &looked.fresh(number, now)?.identity {
            crate::model::identity::Identity::NotOnWhatsApp { message } => Some(message.clone()),
            _ => None,
        }
    });
    if left_out > 0 && (b.strict || b.total == 0) {
        effects.push(refuse_absent(state));
        return effects;
    }
    if left_out > 0 {
        let text = absent_text(b, false);
        error(state, text);
    }
    if let Some(b) = state.batch.as_ref() {
        effects.push(Effect::write(b.create_job()));
    }
    effects
}

/// With lookups off by `--no-lookup`, what the ledger keeps of the
/// numbers no lookup knows: sent unverified.
fn unverified(state: &Core, numbers: &[String]) -> Vec<Effect> {
    if !state.lookups.keep_unverified {
        return Vec::new();
    }
    numbers
        .iter()
        .filter(|n| state.lookups.fresh(n, state.now).is_none())
        .map(|n| {
            Effect::write(LedgerWrite::Identity(crate::model::identity::LookedUp {
                number: n.clone(),
                identity: crate::model::identity::Identity::Unverified,
                at: state.now,
            }))
        })
        .collect()
}

/// A batch whose numbers are all, or some of a strict one, not on
/// WhatsApp: nothing is recorded nor sent, and it says which.
fn refuse_absent(state: &mut Core) -> Effect {
    let Some(b) = state.batch.take() else {
        return Effect::Redraw;
    };
    let text = absent_text(&b, true);
    error(state, text.clone());
    Effect::Refused { text, usage: false }
}

/// `2 number(s) not on WhatsApp: +55 11 9…: Number is not on WhatsApp;
/// …`, then what was done about them.
fn absent_text(b: &Batch, refused: bool) -> String {
    let mut seen = HashSet::new();
    let named: Vec<String> = b
        .not_on_whatsapp
        .iter()
        .filter(|(item, _)| seen.insert(item.jid.clone()))
        .map(|(item, why)| format!("{}: {why}", crate::model::number::shown_jid(&item.jid)))
        .collect();
    let head = format!(
        "{} number(s) not on WhatsApp: {}",
        named.len(),
        named.join("; ")
    );
    if !refused {
        return format!("{head} · left out, the others are sent");
    }
    if b.strict && b.total > 0 {
        format!("nothing sent: {head} (--skip-invalid sends the others)")
    } else {
        format!("nothing sent: {head}")
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
            batch.next_jobs().into_iter().map(Effect::Job).collect()
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
    let mut effects: Vec<Effect> = b
        .answer(instance, &jid, ok, recorded)
        .into_iter()
        .map(Effect::Job)
        .collect();
    if !b.is_finished() {
        return effects;
    }
    let Some(b) = state.batch.take() else {
        return effects;
    };
    let marked = keep_failures_marked(state, &b);
    let text = ended_text(state, &b, marked);
    if !b.is_undo {
        state.history.push(super::batch::Done {
            label: b.label.clone(),
            items: b.undoable(),
        });
    }
    if b.failed > 0 || b.unrecorded > 0 {
        error(state, text);
    } else {
        info(state, text);
    }
    effects.push(Effect::BatchEnded(Box::new(b)));
    effects
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
    if !b.is_undo && !b.undoable().is_empty() {
        let u = state.keymap.label_of(Command::Undo);
        text.push_str(&format!(" · {u} undoes it"));
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
    let absent = lookups::number_of(&target.jid())
        .and_then(|n| state.lookups.fresh(n, state.now))
        .filter(|l| block && l.is_absent());
    if absent.is_some() {
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
            }
        })
        .collect();
    let verb = Change::of(block).verb();
    let label = match items.len() {
        1 => format!("{verb} {what} on {}", state.instance().name),
        n => format!("{verb} {n} {what} numbers on {}", state.instance().name),
    };
    if ask {
        return Begun::AsksWhy(Then::Batch { label, items });
    }
    Begun::Sent(start(state, label, items, false, None))
}

/// Sends what is left of recorded batch `batch` (its intents are in the
/// ledger already).
pub(crate) fn resume(state: &mut Core, batch: i64, label: &str, items: Vec<Item>) -> Vec<Effect> {
    let label = format!("resume: {label}");
    info(state, format!("{label}…"));
    let mut b = Batch::new(label, items, false, state.ticks);
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
            info(
                state,
                format!(
                    "{}: {operator} is resuming it (progress {ago}): nothing sent twice · it is offered again after {} min without progress",
                    b.label,
                    CLAIM_STALE_SECS / 60
                ),
            );
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
