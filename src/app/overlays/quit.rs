//! The question before quitting with requests in flight (Cancel has the
//! focus).

use ratatui::crossterm::event::KeyEvent;

use super::after::{Step, close, stay};
use crate::app::confirm::{Answer, answer};
use crate::app::core::Core;
use crate::app::effect::Effect;

/// Whether quitting asks first: block requests are still waiting.
pub(crate) fn asks_first(core: &Core) -> bool {
    core.pending_count() > 0
}

/// Keys of the quit question; its data is whether Quit has the focus.
pub(crate) fn on_key(core: &Core, key: KeyEvent, mut quit_focused: bool) -> Step<bool> {
    match answer(&core.keymap.dialog, &key, &mut quit_focused) {
        Answer::Yes => close(vec![Effect::Quit]),
        Answer::No => close(Vec::new()),
        Answer::Open => stay(quit_focused),
    }
}
