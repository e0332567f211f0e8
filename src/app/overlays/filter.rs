//! The filter line (`/`): the list narrows as it is typed; Enter keeps
//! the filter, Esc clears it, the arrows move the selection meanwhile.

use ratatui::crossterm::event::KeyEvent;

use crate::app::line::{self, Edit};
use crate::app::msg::Effect;
use crate::app::ops::{move_by, refilter, selected_jid};
use crate::app::state::{Overlay, State};
use crate::keys::{Keymap, LineAction};

pub(crate) fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    // Arrows move in the list meanwhile.
    match state.keymap.line.action_for(&key) {
        Some(LineAction::Down) => move_by(state, 1),
        Some(LineAction::Up) => move_by(state, -1),
        _ => {}
    }
    state.overlay = Some(Overlay::Filter);
    match line::edit(&mut state.filter, &key, &state.keymap.line) {
        Edit::Submit => state.overlay = None,
        Edit::Cancel => {
            state.overlay = None;
            state.filter.clear();
            // The selection stays on the contact it was on.
            return refilter(state, selected_jid(state)).into_iter().collect();
        }
        Edit::Changed => return refilter(state, None).into_iter().collect(),
        Edit::Complete | Edit::Unchanged => {}
    }
    Vec::new()
}

/// The footer's keys while the filter is typed.
pub(crate) fn hints(keymap: &Keymap) -> Vec<(String, &'static str)> {
    super::keys_of(
        &keymap.line,
        &[
            (LineAction::Submit, "keep"),
            (LineAction::Cancel, "clear"),
            (LineAction::Down, "move"),
        ],
    )
}

/// A paste typed into the filter.
pub(crate) fn on_paste(state: &mut State, line: &str) -> Vec<Effect> {
    state.filter.push_str(line);
    state.overlay = Some(Overlay::Filter);
    refilter(state, None).into_iter().collect()
}
