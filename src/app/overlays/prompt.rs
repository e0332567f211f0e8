//! The number prompt (`a`): a number typed, previewed as it will be
//! sent, blocked on Enter; a paste of several opens the review.

use ratatui::crossterm::event::KeyEvent;

use crate::app::bulk::number_batch;
use crate::app::line::{Edit, edit};
use crate::app::msg::Effect;
use crate::app::state::{Overlay, State};

/// `a`: keys while typing a number. A number refused stays typed, to
/// be fixed.
pub(crate) fn on_prompt_key(state: &mut State, mut text: String, key: KeyEvent) -> Vec<Effect> {
    match edit(&mut text, &key, &state.keymap.line) {
        Edit::Cancel => return Vec::new(),
        Edit::Submit => {
            let was_running = state.batch.is_some();
            let effects = number_batch(state, &text, true, true);
            // Refused (or a batch runs): the number stays to be fixed.
            if state.overlay.is_none() && (was_running || state.batch.is_none()) {
                state.overlay = Some(Overlay::Prompt(text));
            }
            return effects;
        }
        Edit::Complete | Edit::Changed | Edit::Unchanged => {}
    }
    state.overlay = Some(Overlay::Prompt(text));
    Vec::new()
}

/// The footer's keys while a number is typed (once it reads as a
/// number, the footer previews it instead).
pub(crate) fn hints(keymap: &crate::keys::Keymap) -> Vec<(String, &'static str)> {
    use crate::keys::LineAction;
    super::keys_of(
        &keymap.line,
        &[
            (LineAction::Submit, "block"),
            (LineAction::Cancel, "cancel"),
        ],
    )
}

/// A paste into the prompt: one number is typed; several open the review
/// (each read, one confirmation).
pub(crate) fn on_paste(state: &mut State, mut typed: String, text: &str) -> Vec<Effect> {
    let entries = super::review::paste_entries(text);
    if entries.len() > 1 {
        let review = super::review::NumberReview::read(&entries, state.instance().region(), typed);
        state.overlay = Some(Overlay::Review(review));
    } else {
        typed.push_str(crate::util::text::one_line(text).trim());
        state.overlay = Some(Overlay::Prompt(typed));
    }
    Vec::new()
}
