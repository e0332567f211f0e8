//! How a batch starts: what no instance may be sent is left out (a
//! read-only instance, an instance's own number), the numbers that are no
//! contacts are looked up, what is not on WhatsApp is left out (or refuses
//! a strict batch), then the ledger records it and sending begins.

use std::collections::HashSet;

use super::batch::{Batch, Item, Kind};
use super::core::Core;
use super::effect::Effect;
use super::lookups;
use super::ops::read_only;
use super::ops::{error, info};
use super::plan::Hidden;
use crate::protocol::LedgerWrite;

/// What a batch is made of: its changes, and the hidden-number contacts
/// to match on other instances once their `@lid`s are looked up.
#[derive(Debug, Default)]
pub(crate) struct Planned {
    /// The changes.
    pub items: Vec<Item>,
    /// The hidden-number contacts for other instances.
    pub hidden: Vec<Hidden>,
}

/// Starts a batch: its numbers that are no contacts are looked up, the
/// ledger records it, then it is sent. An instance's own number is never
/// sent to it; a number not on WhatsApp is left out.
pub(crate) fn start(
    state: &mut Core,
    label: String,
    items: Vec<Item>,
    kind: Kind,
    reason: Option<String>,
) -> Vec<Effect> {
    let planned = Planned {
        items,
        hidden: Vec::new(),
    };
    start_with(state, label, planned, kind, reason, false)
}

/// As [`start`], with hidden-number contacts to match by lookup;
/// `strict`: a number not on WhatsApp refuses the whole batch (a
/// headless command without `--skip-invalid`).
pub(crate) fn start_with(
    state: &mut Core,
    label: String,
    planned: Planned,
    kind: Kind,
    reason: Option<String>,
    strict: bool,
) -> Vec<Effect> {
    let Planned { mut items, hidden } = planned;
    let hidden: Vec<Hidden> = hidden
        .into_iter()
        .filter(|h| !state.instances[h.instance].read_only)
        .collect();
    if !leave_out_unsendable(state, &label, &mut items, !hidden.is_empty()) {
        return Vec::new();
    }
    let unchanged = unchanged(state, &items);
    let repeats = kind.repeats();
    let mut batch = Batch::new(label, items, kind, state.ticks);
    batch.reason = reason;
    batch.unchanged = unchanged;
    batch.strict = strict;
    batch.hidden = hidden;
    // An undo or a redo sends what was sent before: nothing to look up.
    let wanted = if repeats {
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

/// (instance, JID) of `items` already in the state they ask for.
fn unchanged(state: &Core, items: &[Item]) -> HashSet<(usize, String)> {
    items
        .iter()
        .filter(|item| {
            let known = state.instances[item.instance].known_of_jid(&item.jid, item.lid.as_deref());
            known.is_some_and(|k| k.blocked == item.block)
        })
        .map(|item| (item.instance, item.jid.clone()))
        .collect()
}

/// The numbers of `batch` to look up: those blocked that are no contact
/// of the instance they go to, and the `@lid`s of its hidden-number
/// contacts that are none of theirs; once each, with the instance to ask
/// through.
fn to_look_up(state: &Core, batch: &Batch) -> Vec<(usize, String)> {
    let mut seen = HashSet::new();
    let numbers = batch
        .queued()
        .filter(|item| item.block)
        .filter(|item| {
            state.instances[item.instance]
                .contacts
                .find(&item.jid)
                .is_none()
        })
        .filter_map(|item| Some((item.instance, lookups::number_of(&item.jid)?.to_string())));
    let lids = batch
        .hidden
        .iter()
        .filter(|h| state.instances[h.instance].contacts.find(&h.lid).is_none())
        .map(|h| (h.via, h.lid.clone()));
    numbers
        .chain(lids)
        .filter(|(_, key)| seen.insert(key.clone()))
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
    let lids = b.hidden.iter().map(|h| h.lid.as_str());
    let asked = state
        .lookups
        .asked_among(numbers.iter().map(String::as_str).chain(lids));
    if let Some(b) = state.batch.as_mut() {
        b.lookups_left = asked;
    }
    if asked > 0 {
        return Vec::new();
    }
    let mut effects = unverified(state, &numbers);
    if let Some(text) = super::batch_match::match_hidden(state) {
        if state.batch.as_ref().is_some_and(|b| b.total == 0) {
            // Nothing else to send: nothing is recorded.
            state.batch = None;
            let text = format!("nothing sent: {text}");
            error(state, text.clone());
            effects.push(Effect::Refused { text, usage: false });
            return effects;
        }
        error(state, text.clone());
        effects.push(Effect::Tell(text));
    }
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

/// Leaves out of `items` what no instance may be sent (a read-only
/// instance's, an instance's own number) and says what starts; false
/// when nothing is left (and `more`, hidden numbers still to match, is
/// false), said as an error.
fn leave_out_unsendable(state: &mut Core, label: &str, items: &mut Vec<Item>, more: bool) -> bool {
    let asked = items.len();
    items.retain(|item| !state.instances[item.instance].read_only);
    if items.is_empty() && !more {
        let instance = state.current;
        read_only(state, instance);
        return false;
    }
    let read_only_left = asked - items.len();
    let before = items.len();
    items.retain(|item| !state.instances[item.instance].is_own(&item.jid));
    let own = before - items.len();
    if items.is_empty() && !more {
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
