//! The number prompt (`a`): a number typed, previewed as it will be
//! sent, blocked on Enter; a paste of several opens the review.

use ratatui::crossterm::event::KeyEvent;

use super::after::{After, Step, close, stay};
use super::review::NumberReview;
use crate::app::bulk::{Begun, Then, number_batch};
use crate::app::core::Core;
use crate::app::line::{Edit, edit};
use crate::app::lookups;

/// Where the prompt leads: the review of a paste of several numbers, or
/// the question why before the number is sent.
#[derive(Debug)]
pub(crate) enum PromptNext {
    /// Several numbers were pasted.
    Review(NumberReview),
    /// The number is read; its reason is asked.
    Reason(Then),
}

/// `a`: keys while typing a number. A number refused stays typed, to
/// be fixed.
pub(crate) fn on_prompt_key(
    state: &mut Core,
    mut text: String,
    key: KeyEvent,
) -> Step<String, PromptNext> {
    match edit(&mut text, &key, &state.keymap.line) {
        Edit::Cancel => {
            lookups::forget_typed(state);
            close(Vec::new())
        }
        Edit::Submit => {
            let was_running = state.batch.is_some();
            match number_batch(state, &text, true, true) {
                Begun::AsksWhy(then) => (After::Next(PromptNext::Reason(then)), Vec::new()),
                // Refused (or a batch runs): the number stays to be fixed.
                Begun::Sent(effects) if was_running || state.batch.is_none() => {
                    (After::Stay(text), effects)
                }
                Begun::Sent(effects) => close(effects),
            }
        }
        Edit::Changed => {
            // Who it is shows once typing pauses (see `lookups`).
            lookups::typed(state, &text);
            stay(text)
        }
        Edit::Complete | Edit::Unchanged => stay(text),
    }
}

/// The footer's keys while a number is typed (once it reads as a
/// number, the footer previews it instead).
pub(crate) fn hints(keymap: &crate::keys::Keymap) -> Vec<(String, &'static str)> {
    use crate::keys::LineAction;
    keymap.line.hints(&[
        (LineAction::Submit, "block"),
        (LineAction::Cancel, "cancel"),
    ])
}

/// A paste into the prompt: one number is typed; several open the review
/// (each read, one confirmation).
pub(crate) fn on_paste(
    state: &mut Core,
    mut typed: String,
    text: &str,
) -> Step<String, PromptNext> {
    let entries = super::review::paste_entries(text);
    if entries.len() > 1 {
        let review = NumberReview::read(&entries, state.instance().region(), typed);
        (After::Next(PromptNext::Review(review)), Vec::new())
    } else {
        typed.push_str(crate::util::text::one_line(text).trim());
        // As typed: it is looked up once typing pauses.
        lookups::typed(state, &typed);
        stay(typed)
    }
}
