//! The Blocklist view's filter line (`/`): the entries narrow as it is
//! typed; Enter keeps it, Esc clears it, the arrows move meanwhile.

use ratatui::crossterm::event::KeyEvent;

use super::{move_by, refilter};
use crate::app::core::Core;
use crate::app::line::{self, Edit};
use crate::app::overlays::after::{Step, close, stay};
use crate::keys::LineAction;

/// Keys while the view's filter is typed: the same line, over the
/// entries.
pub(crate) fn filter_key(core: &mut Core, key: &KeyEvent) -> Step<()> {
    match core.keymap.line.action_for(key) {
        Some(LineAction::Down) => move_by(core, 1),
        Some(LineAction::Up) => move_by(core, -1),
        _ => {}
    }
    match line::edit(&mut core.list_view.filter, key, &core.keymap.line) {
        Edit::Submit => close(Vec::new()),
        Edit::Cancel => {
            core.list_view.filter.clear();
            refilter(core);
            close(Vec::new())
        }
        Edit::Changed => {
            refilter(core);
            stay(())
        }
        Edit::Complete | Edit::Unchanged => stay(()),
    }
}
