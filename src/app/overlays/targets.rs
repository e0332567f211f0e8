//! The bulk dialog (`B`, `U` with marks): what is changed, on which
//! instances, and what will happen on each before anything is sent.

use ratatui::crossterm::event::KeyEvent;

use std::collections::HashSet;

use super::after::{After, Step, close, stay};
use super::reason::ReasonAsk;
use crate::app::bulk::{busy, plural};
use crate::app::core::{Connection, Core, Instance};
use crate::app::ops::info;
use crate::keys::{Command, DialogAction, Keymap};
use crate::model::change::Change;

/// Where the focus is in the bulk dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogFocus {
    /// The names of the targets, when they do not all fit: the keys
    /// that move scroll them.
    Names,
    /// The instance list.
    List,
    /// The Cancel button (where it starts).
    Cancel,
    /// The Block/Unblock button.
    Confirm,
}

/// The bulk block/unblock dialog: what, and on which instances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchDialog {
    /// Block (`true`) or unblock.
    pub block: bool,
    /// The contacts: (JID, `@lid`), from the shown instance, once each.
    pub targets: Vec<(String, Option<String>)>,
    /// Every one of them as the list shows them, in the same order.
    pub names: Vec<String>,
    /// The first name shown: the names scroll when they do not fit.
    pub names_top: usize,
    /// What happens on each chosen instance (see
    /// [`per_instance`]).
    pub per_instance: Vec<(bool, String)>,
    /// Per instance: whether it is chosen.
    pub chosen: Vec<bool>,
    /// The instance under the cursor.
    pub cursor: usize,
    /// The focused part.
    pub focus: DialogFocus,
    /// Where `@lid` targets apply (an `@lid` cannot be matched on another
    /// instance): the list's instance; for the Live view, the instance a
    /// lone sender wrote to.
    pub home: Option<usize>,
    /// What `Why?` starts with (`spam wave` from the Live view).
    pub why: String,
    /// Opened from the Live view: its targets are the marked senders.
    pub from_live: bool,
}

/// `B` / `U`: the dialog for the marked contacts (only those, once
/// each), or the selected one when nothing is marked; `None` (and a
/// message) when there is nothing to act on or a batch runs.
pub(crate) fn open_dialog(state: &mut Core, block: bool) -> Option<BatchDialog> {
    if busy(state) {
        return None;
    }
    if crate::app::bulk::marks_gone(state) {
        return None;
    }
    let inst = state.instance();
    let mut seen = HashSet::new();
    let mut targets: Vec<(String, Option<String>)> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    if inst.marks.is_empty() {
        if let Some(c) = state.selected_contact() {
            targets.push((c.jid().to_string(), c.lid().map(str::to_string)));
            names.push(c.describe());
        }
    } else {
        for c in inst.contacts.iter().chain(inst.outsiders.iter()) {
            if inst.marks.contains(c.jid()) && seen.insert(c.jid()) {
                targets.push((c.jid().to_string(), c.lid().map(str::to_string)));
                names.push(c.describe());
            }
        }
    }
    if targets.is_empty() {
        let mark = state.keymap.label_of(Command::Mark);
        info(
            state,
            format!("nothing to act on: mark contacts with {mark} first"),
        );
        return None;
    }
    let current = state.current;
    let mut dialog = BatchDialog {
        block,
        targets,
        names,
        names_top: 0,
        chosen: (0..state.instances.len()).map(|i| i == current).collect(),
        per_instance: Vec::new(),
        cursor: current,
        focus: DialogFocus::Cancel,
        home: Some(current),
        why: String::new(),
        from_live: false,
    };
    dialog.per_instance = per_instance(state, &dialog);
    Some(dialog)
}

/// What the dialog's choice does on each chosen instance, a line each:
/// `sales: 2 contacts`, `support: 2 numbers that are not contacts there`,
/// `marketing: disconnected: its requests will fail (503)`. Made when
/// the choice changes, not at every frame (one pass over each list).
pub(crate) fn per_instance(state: &Core, dialog: &BatchDialog) -> Vec<(bool, String)> {
    let plan = dialog_plan(state, dialog);
    let mut lines = Vec::new();
    for (index, inst) in state.instances.iter().enumerate() {
        if !dialog.chosen[index] {
            continue;
        }
        if let Some(why) = unreachable(inst) {
            lines.push((true, format!("{}: {why}", inst.name)));
            continue;
        }
        let jids: Vec<&str> = plan
            .items
            .iter()
            .filter(|i| i.instance == index)
            .map(|i| i.jid.as_str())
            .collect();
        lines.push(summary(inst, &jids, dialog.targets.len()));
    }
    lines
}

/// Why requests to `inst` will fail, when its state says they will.
fn unreachable(inst: &Instance) -> Option<String> {
    match &inst.connection {
        Connection::State(s) if !s.is_connected() => Some(format!(
            "{}: its requests will fail (503)",
            inst.connection.label()
        )),
        Connection::NotOnServer => {
            Some("not on the server: its requests will fail (404)".to_string())
        }
        _ => None,
    }
}

/// `sales: 2 contacts · 1 number that is not a contact there`: what the
/// plan sends to `inst` (`jids`, out of `targets` chosen), and whether
/// that is nothing.
fn summary(inst: &Instance, jids: &[&str], targets: usize) -> (bool, String) {
    let own = jids.iter().filter(|j| inst.is_own(j)).count();
    let rows = inst.contacts.rows_of(jids.iter().copied());
    // The own number is counted apart, even when it is a contact too.
    let listed = jids
        .iter()
        .filter(|j| !inst.is_own(j) && rows.contains_key(**j))
        .count();
    let mut parts = Vec::new();
    if listed > 0 {
        parts.push(plural(listed));
    }
    let others = jids.len() - listed - own;
    if others > 0 {
        parts.push(format!(
            "{others} {} not {} there",
            if others == 1 {
                "number that is"
            } else {
                "numbers that are"
            },
            if others == 1 { "a contact" } else { "contacts" }
        ));
    }
    if own > 0 {
        parts.push("its own number left out".to_string());
    }
    // The others are hidden numbers, matched by the number a lookup of
    // their @lid gives when the batch starts.
    let hidden = targets - jids.len();
    if hidden > 0 {
        parts.push(format!("{hidden} hidden number(s) matched by lookup"));
    }
    let nothing = jids.len() == own && hidden == 0;
    if nothing {
        parts.push("nothing to send".to_string());
    }
    (nothing, format!("{}: {}", inst.name, parts.join(" · ")))
}

/// Keys of the bulk dialog; confirmed, it leads to the question why.
pub(crate) fn on_dialog_key(
    state: &mut Core,
    mut dialog: BatchDialog,
    key: KeyEvent,
) -> Step<BatchDialog, ReasonAsk> {
    let chosen_before = dialog.chosen.clone();
    let max_top = dialog
        .names
        .len()
        .saturating_sub(names_room(state, &dialog));
    dialog.names_top = dialog.names_top.min(max_top);
    match state.keymap.dialog.action_for(&key) {
        Some(DialogAction::No) => return close(Vec::new()),
        Some(DialogAction::Yes) => return start_from_dialog(state, dialog),
        Some(DialogAction::Down) => down(&mut dialog, max_top),
        Some(DialogAction::Up) => up(&mut dialog, max_top),
        Some(DialogAction::Choose) => {
            dialog.focus = DialogFocus::List;
            dialog.chosen[dialog.cursor] = !dialog.chosen[dialog.cursor];
        }
        Some(DialogAction::ChooseAll) => {
            let all = dialog.chosen.iter().all(|c| *c);
            let current = state.current;
            for (i, c) in dialog.chosen.iter_mut().enumerate() {
                *c = !all || i == current;
            }
        }
        Some(DialogAction::NextFocus) => {
            dialog.focus = match dialog.focus {
                DialogFocus::Names => DialogFocus::List,
                DialogFocus::List => DialogFocus::Cancel,
                DialogFocus::Cancel => DialogFocus::Confirm,
                DialogFocus::Confirm if max_top > 0 => DialogFocus::Names,
                DialogFocus::Confirm => DialogFocus::List,
            }
        }
        Some(DialogAction::PrevFocus) => {
            dialog.focus = match dialog.focus {
                DialogFocus::List if max_top > 0 => DialogFocus::Names,
                DialogFocus::Names | DialogFocus::List => DialogFocus::Confirm,
                DialogFocus::Cancel => DialogFocus::List,
                DialogFocus::Confirm => DialogFocus::Cancel,
            }
        }
        Some(DialogAction::Press) => match dialog.focus {
            DialogFocus::Confirm => return start_from_dialog(state, dialog),
            DialogFocus::Cancel => return close(Vec::new()),
            DialogFocus::List => dialog.chosen[dialog.cursor] = !dialog.chosen[dialog.cursor],
            DialogFocus::Names => {}
        },
        None => {}
    }
    if dialog.chosen != chosen_before {
        dialog.per_instance = per_instance(state, &dialog);
    }
    stay(dialog)
}

/// Rows the dialog's names get on this terminal (see
/// [`crate::app::layout::bulk_rows`]).
pub(crate) fn names_room(state: &Core, dialog: &BatchDialog) -> usize {
    crate::app::layout::bulk_rows(
        state.height,
        dialog.names.len(),
        dialog.chosen.len(),
        dialog.per_instance.len().max(1),
    )
    .names
}

/// Down (`j`): the instance cursor moves, from a button too (as it
/// always has, however many names there are); on the names (reached by
/// `Tab`, or `k` above the first instance) they scroll, and past the last
/// one the instances have the focus again.
fn down(dialog: &mut BatchDialog, max_top: usize) {
    let last = dialog.chosen.len().saturating_sub(1);
    match dialog.focus {
        DialogFocus::Names if dialog.names_top < max_top => dialog.names_top += 1,
        DialogFocus::Names => dialog.focus = DialogFocus::List,
        DialogFocus::List | DialogFocus::Cancel | DialogFocus::Confirm => {
            dialog.focus = DialogFocus::List;
            dialog.cursor = (dialog.cursor + 1).min(last);
        }
    }
}

/// Up (`k`): the instance cursor moves; above the first instance the
/// names have the focus (when they do not all show), and scroll back.
fn up(dialog: &mut BatchDialog, max_top: usize) {
    match dialog.focus {
        DialogFocus::Names => dialog.names_top = dialog.names_top.saturating_sub(1),
        DialogFocus::List if dialog.cursor == 0 && max_top > 0 => {
            dialog.focus = DialogFocus::Names;
        }
        DialogFocus::List | DialogFocus::Cancel | DialogFocus::Confirm => {
            dialog.focus = DialogFocus::List;
            dialog.cursor = dialog.cursor.saturating_sub(1);
        }
    }
}

/// The plan of the bulk dialog as it stands.
pub(crate) fn dialog_plan(state: &Core, dialog: &BatchDialog) -> crate::app::plan::Plan {
    let chosen: Vec<usize> = (0..dialog.chosen.len())
        .filter(|&i| dialog.chosen[i])
        .collect();
    crate::app::plan::plan(
        &dialog.targets,
        dialog.home,
        &chosen,
        |i| state.instances[i].connection.is_connected(),
        dialog.block,
        false,
    )
}

fn start_from_dialog(state: &mut Core, dialog: BatchDialog) -> Step<BatchDialog, ReasonAsk> {
    let plan = dialog_plan(state, &dialog);
    if plan.items.is_empty() && plan.hidden.is_empty() {
        // Nothing to send: the dialog stays, and says why.
        info(
            state,
            "nothing to send: choose an instance these contacts can be matched on",
        );
        return stay(dialog);
    }
    let current = state.current;
    let names: Vec<String> = (0..dialog.chosen.len())
        .filter(|&i| dialog.chosen[i])
        .map(|i| state.instances[i].name.clone())
        .collect();
    if dialog.from_live {
        state.live.marks.clear();
    } else {
        state.instances[current].marks.clear();
    }
    let verb = Change::of(dialog.block).verb();
    let what = match (dialog.from_live, dialog.targets.len()) {
        (true, 1) => "1 sender".to_string(),
        (true, n) => format!("{n} senders"),
        (false, n) => plural(n),
    };
    let label = format!("{verb} {what} on {}", names.join(", "));
    let mut ask = super::reason::ask(
        state,
        super::reason::Then::Batch {
            label,
            items: plan.items,
            hidden: plan.hidden,
        },
    );
    ask.text = dialog.why;
    (After::Next(ask), Vec::new())
}

/// The footer's keys while the dialog is open.
pub(crate) fn hints(keymap: &Keymap) -> Vec<(String, &'static str)> {
    crate::app::confirm::hints(&keymap.dialog, "go")
}
