//! What a paste does (bracketed paste: the terminal hands the text over
//! whole). It is text, never keys, and never submits: in a line it is
//! typed, with line breaks as spaces; several numbers pasted into the
//! number prompt become a list to review; anywhere else it does nothing
//! and says so.

use super::effect::Effect;
use super::ops::{error, info};
use super::state::State;
use crate::keys::Command;

/// The longest paste a line takes, in bytes.
pub const MAX_PASTE: usize = 4096;

/// Handles a paste in whatever has the keys.
pub(super) fn on_paste(state: &mut State, text: &str) -> Vec<Effect> {
    let takes_text = state
        .overlay
        .as_ref()
        .is_some_and(super::overlays::takes_text);
    if !takes_text {
        let filter = state.keymap.label_of(Command::Filter);
        let number = state.keymap.label_of(Command::AddNumber);
        info(
            state,
            format!(
                "a paste types text only: press {filter} to filter or {number} to type a number, then paste"
            ),
        );
        return Vec::new();
    }
    if text.len() > MAX_PASTE {
        error(
            state,
            format!(
                "the paste was not typed: {} KiB is more than a line takes ({} KiB)",
                text.len().div_ceil(1024),
                MAX_PASTE / 1024
            ),
        );
        return Vec::new();
    }
    match state.overlay.take() {
        Some(overlay) => {
            let (core, slot) = state.parts();
            super::overlays::on_paste(core, slot, overlay, text)
        }
        None => Vec::new(),
    }
}
