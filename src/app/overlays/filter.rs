//! The filter line (`/`): the list narrows as it is typed; Enter keeps
//! the filter, Esc clears it, the arrows move the selection meanwhile.

use ratatui::crossterm::event::KeyEvent;

use super::after::{After, Step, close, stay};
use crate::app::core::Core;
use crate::app::line::{self, Edit};
use crate::app::ops::{move_by, refilter, selected_jid};
use crate::keys::{Keymap, LineAction};

/// Keys while the filter is typed (the text is the view's:
/// [`Core::filter`]).
pub(crate) fn on_key(state: &mut Core, key: KeyEvent) -> Step<()> {
    if state.list_view.shown {
        return crate::app::list_view::filter::filter_key(state, &key);
    }
    if state.live.shown {
        return live_key(state, key);
    }
    // Arrows move in the list meanwhile.
    match state.keymap.line.action_for(&key) {
        Some(LineAction::Down) => move_by(state, 1),
        Some(LineAction::Up) => move_by(state, -1),
        _ => {}
    }
    match line::edit(&mut state.filter, &key, &state.keymap.line) {
        Edit::Submit => close(Vec::new()),
        Edit::Cancel => {
            state.filter.clear();
            // The selection stays on the contact it was on.
            let keep = selected_jid(state);
            close(refilter(state, keep).into_iter().collect())
        }
        Edit::Changed => (After::Stay(()), refilter(state, None).into_iter().collect()),
        Edit::Complete | Edit::Unchanged => stay(()),
    }
}

/// The footer's keys while the filter is typed.
pub(crate) fn hints(keymap: &Keymap) -> Vec<(String, &'static str)> {
    keymap.line.hints(&[
        (LineAction::Submit, "keep"),
        (LineAction::Cancel, "clear"),
        (LineAction::Down, "move"),
    ])
}

/// Keys while the Live view's filter is typed: the same line, over the
/// feed's rows.
fn live_key(state: &mut Core, key: KeyEvent) -> Step<()> {
    use crate::app::live::view;
    match state.keymap.line.action_for(&key) {
        Some(LineAction::Down) => view::move_by(&mut state.live, 1),
        Some(LineAction::Up) => view::move_by(&mut state.live, -1),
        _ => {}
    }
    let names: Vec<String> = state.instances.iter().map(|i| i.name.clone()).collect();
    match line::edit(&mut state.live.view.filter, &key, &state.keymap.line) {
        Edit::Submit => close(Vec::new()),
        Edit::Cancel => {
            state.live.view.filter.clear();
            view::refilter(&mut state.live, &names);
            close(Vec::new())
        }
        Edit::Changed => {
            view::refilter(&mut state.live, &names);
            stay(())
        }
        Edit::Complete | Edit::Unchanged => stay(()),
    }
}

/// A paste typed into the filter.
pub(crate) fn on_paste(state: &mut Core, line: &str) -> Step<()> {
    if state.list_view.shown {
        state.list_view.filter.push_str(line);
        crate::app::list_view::refilter(state);
        return stay(());
    }
    if state.live.shown {
        state.live.view.filter.push_str(line);
        let names: Vec<String> = state.instances.iter().map(|i| i.name.clone()).collect();
        crate::app::live::view::refilter(&mut state.live, &names);
        return stay(());
    }
    state.filter.push_str(line);
    (After::Stay(()), refilter(state, None).into_iter().collect())
}
