//! `u`: undoing the last action; `Ctrl-Y`: doing again what was undone.
//! A single change on the shown instance is undone (or redone) at once
//! and said; more than one contact, another instance, or an undo that
//! reaches past the last action to an older one asks first with the
//! counts (Cancel has the focus). An action that changed nothing is
//! still the last action, so `u` never reaches past it silently.

use ratatui::crossterm::event::KeyEvent;

use super::after::{Step, close, stay};
use crate::app::batch::{Done, Item, Kind};
use crate::app::bulk::plural;
use crate::app::confirm::{Answer, answer};
use crate::app::core::Core;
use crate::app::effect::Effect;
use crate::app::ops::info;
use crate::keys::Command;

/// An undo (or a redo) waiting for a yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoOffer {
    /// The action it reverts (or does again).
    pub done: Done,
    /// Whether "Undo" (not "Cancel") has the focus.
    pub confirm_focused: bool,
    /// A redo: the action is sent again, not reverted.
    pub redo: bool,
    /// An undo of an action older than the last one done.
    pub older: bool,
}

impl UndoOffer {
    /// What it will send, per instance (`sales: unblock 60 contacts`),
    /// after the question; then why it asks, when the action is older
    /// than the last.
    pub fn lines(&self, state: &Core) -> Vec<String> {
        let mut lines = if self.redo {
            vec![format!("Do again \"{}\"?", self.done.label)]
        } else {
            vec![format!("Revert \"{}\"?", self.done.label)]
        };
        let sent = self.sent();
        let mut instances: Vec<usize> = sent.iter().map(|i| i.instance).collect();
        instances.sort_unstable();
        instances.dedup();
        for instance in instances {
            let here = || sent.iter().filter(|i| i.instance == instance);
            let unblock = here().filter(|i| !i.block).count();
            let block = here().filter(|i| i.block).count();
            let again = if self.redo { " again" } else { "" };
            let mut parts = Vec::new();
            if unblock > 0 {
                parts.push(format!("unblock {}{again}", plural(unblock)));
            }
            if block > 0 {
                parts.push(format!("block {} again", plural(block)));
            }
            let name = state
                .instances
                .get(instance)
                .map_or("?", |i| i.name.as_str());
            lines.push(format!("  {name}: {}", parts.join(", ")));
        }
        // Why it asks, last: a short terminal cuts it before what is sent.
        if self.older {
            let redo = state.keymap.label_of(Command::Redo);
            lines.push(format!(
                "It is older than the last action, which was undone already ({redo} does that again)."
            ));
        }
        lines
    }

    /// What is sent: the inverse of the action for an undo, the action
    /// itself for a redo.
    fn sent(&self) -> Vec<Item> {
        if self.redo {
            self.done.items.clone()
        } else {
            self.done.items.iter().map(Item::inverse).collect()
        }
    }
}

/// `u`: reverts the last action, or, when it is more than one contact,
/// not on the shown instance, or older than the last action done, the
/// question to ask first.
pub(crate) fn undo(state: &mut Core) -> (Option<UndoOffer>, Vec<Effect>) {
    if crate::app::bulk::busy(state) {
        return (None, Vec::new());
    }
    let Some(done) = state.history.pop() else {
        info(state, "nothing to undo");
        return (None, Vec::new());
    };
    let older = !std::mem::replace(&mut state.history_fresh, false);
    if done.items.is_empty() {
        info(
            state,
            format!(
                "nothing to undo: the last action ({}) changed nothing",
                done.label
            ),
        );
        return (None, Vec::new());
    }
    if refused_read_only(state, &done) {
        // Kept: once the profile may send again, it can still be undone.
        state.history.push(done);
        state.history_fresh = !older;
        return (None, Vec::new());
    }
    let offer = UndoOffer {
        done,
        confirm_focused: false,
        redo: false,
        older,
    };
    if older || asks(state, &offer.done) {
        return (Some(offer), Vec::new());
    }
    (None, send(state, offer))
}

/// `Ctrl-Y`: does again the last action undone, asking first as `u`
/// does for more than one contact or another instance.
pub(crate) fn redo(state: &mut Core) -> (Option<UndoOffer>, Vec<Effect>) {
    if crate::app::bulk::busy(state) {
        return (None, Vec::new());
    }
    let Some(done) = state.redo.pop() else {
        let u = state.keymap.label_of(Command::Undo);
        info(
            state,
            format!("nothing to redo: {u} reverts an action, and this does it again"),
        );
        return (None, Vec::new());
    };
    if refused_read_only(state, &done) {
        state.redo.push(done);
        return (None, Vec::new());
    }
    let offer = UndoOffer {
        done,
        confirm_focused: false,
        redo: true,
        older: false,
    };
    if asks(state, &offer.done) {
        return (Some(offer), Vec::new());
    }
    (None, send(state, offer))
}

/// Whether `done` touches a read-only instance: refused, and said.
fn refused_read_only(state: &mut Core, done: &Done) -> bool {
    let Some(first) = done
        .items
        .iter()
        .find(|i| state.instances[i.instance].read_only)
    else {
        return false;
    };
    let instance = first.instance;
    crate::app::ops::read_only(state, instance);
    true
}

/// Whether reverting (or redoing) `done` asks first: more than one
/// contact, or another instance than the shown one.
fn asks(state: &Core, done: &Done) -> bool {
    done.items.len() > 1 || done.items.iter().any(|i| i.instance != state.current)
}

/// Sends the inverse of the offer's action (or the action again for a
/// redo), named by what it sends (`undo: unblock 2 contacts on sales`,
/// `redo: block 1 contact on sales`).
fn send(state: &mut Core, offer: UndoOffer) -> Vec<Effect> {
    let items: Vec<Item> = offer
        .sent()
        .into_iter()
        .map(|i| Item { action: None, ..i })
        .collect();
    let blocks = items.iter().filter(|i| i.block).count();
    let verb = if blocks == items.len() {
        if offer.redo { "block" } else { "block again" }
    } else if blocks == 0 {
        "unblock"
    } else {
        "revert"
    };
    let mut indexes: Vec<usize> = items.iter().map(|i| i.instance).collect();
    indexes.sort_unstable();
    indexes.dedup();
    let names: Vec<&str> = indexes
        .iter()
        .filter_map(|&i| state.instances.get(i).map(|inst| inst.name.as_str()))
        .collect();
    let (word, kind) = if offer.redo {
        ("redo", Kind::Redo(offer.done.label))
    } else {
        ("undo", Kind::Undo(offer.done.label))
    };
    let label = format!(
        "{word}: {verb} {} on {}",
        plural(items.len()),
        names.join(", ")
    );
    crate::app::batch_start::start(state, label, items, kind, None)
}

/// Keys of the question: a yes sends, anything that closes it keeps the
/// action where it was (to undo, or redo, later).
pub(crate) fn on_key(state: &mut Core, mut offer: UndoOffer, key: KeyEvent) -> Step<UndoOffer> {
    let yes = match answer(&state.keymap.dialog, &key, &mut offer.confirm_focused) {
        Answer::Yes => true,
        Answer::No => false,
        Answer::Open => return stay(offer),
    };
    if yes {
        return close(send(state, offer));
    }
    if offer.redo {
        info(state, format!("not done again: {}", offer.done.label));
        state.redo.push(offer.done);
    } else {
        info(state, format!("not undone: {}", offer.done.label));
        state.history.push(offer.done);
        state.history_fresh = !offer.older;
    }
    close(Vec::new())
}
