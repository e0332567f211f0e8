//! The question before quitting with requests in flight (Cancel has the
//! focus).

use ratatui::crossterm::event::KeyEvent;

use crate::app::confirm::{Answer, answer};
use crate::app::msg::Effect;
use crate::app::state::{Overlay, State};

/// Keys of the quit question (Cancel has the focus).
pub(crate) fn on_key(state: &mut State, key: KeyEvent, mut quit_focused: bool) -> Vec<Effect> {
    match answer(&state.keymap.dialog, &key, &mut quit_focused) {
        Answer::Yes => vec![Effect::Quit],
        Answer::No => Vec::new(),
        Answer::Open => {
            state.overlay = Some(Overlay::ConfirmQuit { quit_focused });
            Vec::new()
        }
    }
}
