//! `*`: marks every shown contact (again: unmarks them). On what a fuzzy
//! filter found it first says how many it would mark and asks (Cancel
//! has the focus): fuzzy matching finds letters in order, so people
//! nobody meant may be among them.

use ratatui::crossterm::event::KeyEvent;

use super::after::{Step, close, stay};
use crate::app::bulk::plural;
use crate::app::confirm::{Answer, answer};
use crate::app::core::Core;
use crate::app::ops::info;
use crate::keys::{Command, LineAction};
use crate::model::filter::Matching;

/// Marking what a fuzzy filter found, waiting for a yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkAllAsk {
    /// The contacts (JIDs) it marks, as shown when `*` was pressed.
    pub jids: Vec<String>,
    /// The filter that found them.
    pub query: String,
    /// Whether "Mark" (not "Cancel") has the focus.
    pub confirm_focused: bool,
}

impl MarkAllAsk {
    /// What the question says: how many, found how, and the way to find
    /// words as typed.
    pub fn lines(&self, state: &Core) -> Vec<String> {
        let key = state
            .keymap
            .line
            .label_of(LineAction::Matching)
            .map_or(String::new(), |k| format!(" ({k} in the filter)"));
        vec![
            format!(
                "Mark {} found by the fuzzy filter \"{}\"?",
                plural(self.jids.len()),
                crate::util::sanitize::clean(&self.query)
            ),
            format!(
                "Fuzzy matching finds each word's letters in order: people you did not mean may be among them. Check the list, or filter by substring{key}."
            ),
        ]
    }
}

/// `*`: unmarks the shown contacts when all are marked, else marks them;
/// on a fuzzy filter's result, the question to ask first.
pub(crate) fn star(state: &mut Core) -> Option<MarkAllAsk> {
    if state.shown_generation < state.filter_generation {
        // The rows shown are an older query's (or mode's): marking them
        // would mark people the filter now in force leaves out.
        info(
            state,
            "the filter is still running: * marks what it shows once it is done",
        );
        return None;
    }
    let inst = state.instance();
    let shown: Vec<String> = state
        .visible
        .iter()
        .filter_map(|&i| inst.row(i).map(|c| c.jid().to_string()))
        .collect();
    if shown.is_empty() {
        info(state, "nothing shown to mark");
        return None;
    }
    if shown.iter().all(|j| inst.marks.contains(j)) {
        let marks = &mut state.instance_mut().marks;
        for j in &shown {
            marks.remove(j);
        }
        let left = counted(state);
        info(state, format!("unmarked {}{left}", plural(shown.len())));
        return None;
    }
    if state.matching() == Matching::Fuzzy && !state.filter.trim().is_empty() {
        return Some(MarkAllAsk {
            jids: shown,
            query: state.filter.clone(),
            confirm_focused: false,
        });
    }
    mark(state, shown);
    None
}

/// Marks `jids` on the shown instance, and says how many.
fn mark(state: &mut Core, jids: Vec<String>) {
    let n = jids.len();
    let inst = state.instance_mut();
    inst.marks.extend(jids);
    inst.marks_vanished = 0;
    let marked = counted(state);
    info(state, format!("marked {n} shown contacts{marked}"));
}

/// ` · 7 marked in all` when marks beyond those shown count too, ` ·
/// nothing marked` when none is left.
fn counted(state: &Core) -> String {
    let all = state.instance().marks.len();
    let shown = state.visible.len();
    match all {
        0 => {
            let bulk = state.keymap.label_of(Command::BulkBlock);
            format!(" · nothing marked: {bulk} acts on the selected contact")
        }
        n if n > shown => format!(" · {n} marked in all"),
        _ => String::new(),
    }
}

/// Keys of the question: a yes marks them, anything that closes it marks
/// nothing.
pub(crate) fn on_key(state: &mut Core, mut ask: MarkAllAsk, key: KeyEvent) -> Step<MarkAllAsk> {
    match answer(&state.keymap.dialog, &key, &mut ask.confirm_focused) {
        Answer::Yes => {
            mark(state, ask.jids);
            close(Vec::new())
        }
        Answer::No => {
            info(state, "nothing marked");
            close(Vec::new())
        }
        Answer::Open => stay(ask),
    }
}
