//! `u`: undoing the last action. A single change on the shown instance is
//! undone at once and said; more than one contact, or another instance,
//! asks first with the counts (Cancel has the focus). An action that
//! changed nothing is still the last action, so `u` never reaches past it
//! to an older one.

use ratatui::crossterm::event::KeyEvent;

use super::after::{Step, close, stay};
use crate::app::batch::{Done, Item};
use crate::app::confirm::{Answer, answer};
use crate::app::core::Core;
use crate::app::effect::Effect;
use crate::app::ops::info;

/// An undo waiting for a yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoOffer {
    /// The action it reverts.
    pub done: Done,
    /// Whether "Undo" (not "Cancel") has the focus.
    pub confirm_focused: bool,
}

impl UndoOffer {
    /// What the undo will send, per instance (`sales: unblock 60`).
    pub fn lines(&self, state: &Core) -> Vec<String> {
        let mut lines = vec![format!("Revert \"{}\"?", self.done.label)];
        let mut instances: Vec<usize> = self.done.items.iter().map(|i| i.instance).collect();
        instances.sort_unstable();
        instances.dedup();
        for instance in instances {
            let here = || self.done.items.iter().filter(|i| i.instance == instance);
            let unblock = here().filter(|i| i.block).count();
            let block = here().filter(|i| !i.block).count();
            let mut parts = Vec::new();
            if unblock > 0 {
                parts.push(format!("unblock {}", crate::app::bulk::plural(unblock)));
            }
            if block > 0 {
                parts.push(format!("block {} again", crate::app::bulk::plural(block)));
            }
            let name = state
                .instances
                .get(instance)
                .map_or("?", |i| i.name.as_str());
            lines.push(format!("  {name}: {}", parts.join(", ")));
        }
        lines
    }
}

/// `u`: reverts the last action, or, when it is more than one contact or
/// not on the shown instance, the question to ask first.
pub(crate) fn undo(state: &mut Core) -> (Option<UndoOffer>, Vec<Effect>) {
    if crate::app::bulk::busy(state) {
        return (None, Vec::new());
    }
    let Some(done) = state.history.pop() else {
        info(state, "nothing to undo");
        return (None, Vec::new());
    };
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
    if let Some(first) = done
        .items
        .iter()
        .find(|i| state.instances[i.instance].read_only)
    {
        let instance = first.instance;
        // Kept: once the profile may send again, it can still be undone.
        state.history.push(done);
        crate::app::ops::read_only(state, instance);
        return (None, Vec::new());
    }
    let elsewhere = done.items.iter().any(|i| i.instance != state.current);
    if done.items.len() > 1 || elsewhere {
        let offer = UndoOffer {
            done,
            confirm_focused: false,
        };
        return (Some(offer), Vec::new());
    }
    (None, revert(state, done))
}

/// Sends the inverse of `done`, named by what it sends
/// (`undo: unblock 2 contacts on sales`).
fn revert(state: &mut Core, done: Done) -> Vec<Effect> {
    let inverse: Vec<Item> = done.items.iter().map(Item::inverse).collect();
    let blocks = inverse.iter().filter(|i| i.block).count();
    let verb = if blocks == inverse.len() {
        "block again"
    } else if blocks == 0 {
        "unblock"
    } else {
        "revert"
    };
    let mut indexes: Vec<usize> = inverse.iter().map(|i| i.instance).collect();
    indexes.sort_unstable();
    indexes.dedup();
    let names: Vec<&str> = indexes
        .iter()
        .filter_map(|&i| state.instances.get(i).map(|inst| inst.name.as_str()))
        .collect();
    let label = format!(
        "undo: {verb} {} on {}",
        crate::app::bulk::plural(inverse.len()),
        names.join(", ")
    );
    crate::app::batch_start::start(state, label, inverse, true, None)
}

/// Keys of the question: a yes reverts, anything that closes it keeps
/// the action (and it can still be undone later).
pub(crate) fn on_key(state: &mut Core, mut offer: UndoOffer, key: KeyEvent) -> Step<UndoOffer> {
    let yes = match answer(&state.keymap.dialog, &key, &mut offer.confirm_focused) {
        Answer::Yes => true,
        Answer::No => false,
        Answer::Open => return stay(offer),
    };
    if yes {
        return close(revert(state, offer.done));
    }
    info(state, format!("not undone: {}", offer.done.label));
    state.history.push(offer.done);
    close(Vec::new())
}
