//! What covers the list and takes the keys: one file an overlay, with
//! its data, its keys, its lines and its footer hints. The matches here
//! name every overlay: a new one is a file and a variant, and the
//! compiler points at each place it must be handled.

pub(crate) mod command_line;
pub(crate) mod details;
pub(crate) mod filter;
pub(crate) mod help;
pub(crate) mod history;
pub(crate) mod messages;
pub(crate) mod prompt;
pub(crate) mod quit;
pub(crate) mod reason;
pub(crate) mod resume;
pub(crate) mod review;
pub(crate) mod targets;
pub(crate) mod text;
pub(crate) mod undo;

use ratatui::crossterm::event::KeyEvent;

use crate::app::msg::Effect;
pub use crate::app::pager::Pager;
use crate::app::state::State;
use crate::keys::{Action, DialogAction, Keymap, Table};
use details::DetailsView;
use resume::ResumeOffer;
use targets::BatchDialog;

/// What covers the list and takes the keys. Each owns its data, so no
/// overlay can show with another's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    /// Typing a filter (the text is the view's: [`State::filter`]).
    Filter,
    /// Every key, with a legend; scrolls and searches.
    Help(Pager),
    /// Asking whether to quit with requests pending.
    ConfirmQuit {
        /// Whether "Quit" (not "Cancel") has the focus.
        quit_focused: bool,
    },
    /// Choosing instances for a bulk block/unblock.
    Targets(BatchDialog),
    /// Offering to resume an unfinished batch.
    Resume {
        /// The batch.
        offer: ResumeOffer,
        /// Whether "Resume" (not "Discard") has the focus.
        resume_focused: bool,
    },
    /// Typing a number to block (`a`).
    Prompt(String),
    /// Several pasted numbers, to review before any is sent.
    Review(super::overlays::review::NumberReview),
    /// Asking before an undo of more than one contact or of another
    /// instance.
    Undo(super::overlays::undo::UndoOffer),
    /// Typing a `:` command.
    CommandLine(String),
    /// A contact's details.
    Details(DetailsView),
    /// This session's messages in full, newest first.
    Messages(Pager),
    /// The ledger's actions on an instance.
    History(history::HistoryView),
    /// Why: the reason asked before an action is sent.
    Reason(reason::ReasonAsk),
}

impl Overlay {
    /// The text overlay it is, if it is one.
    pub fn text(&self) -> Option<text::TextView<'_>> {
        use text::TextView;
        match self {
            Overlay::Help(p) => Some(TextView::Help(p)),
            Overlay::Messages(p) => Some(TextView::Messages(p)),
            Overlay::Details(d) => Some(TextView::Details(d)),
            Overlay::History(h) => Some(TextView::History(h)),
            Overlay::Filter
            | Overlay::ConfirmQuit { .. }
            | Overlay::Targets(_)
            | Overlay::Resume { .. }
            | Overlay::Prompt(_)
            | Overlay::Review(_)
            | Overlay::Undo(_)
            | Overlay::CommandLine(_)
            | Overlay::Reason(_) => None,
        }
    }

    /// Its pager, for the overlays that page through text.
    pub fn pager(&self) -> Option<&Pager> {
        text::TextView::of(self).map(text::TextView::pager)
    }

    /// Its pager, to scroll and search.
    pub fn pager_mut(&mut self) -> Option<&mut Pager> {
        match self {
            Overlay::Help(p) | Overlay::Messages(p) => Some(p),
            Overlay::Details(d) => Some(&mut d.pager),
            Overlay::History(h) => Some(&mut h.pager),
            Overlay::Filter
            | Overlay::ConfirmQuit { .. }
            | Overlay::Targets(_)
            | Overlay::Resume { .. }
            | Overlay::Prompt(_)
            | Overlay::Review(_)
            | Overlay::Undo(_)
            | Overlay::CommandLine(_)
            | Overlay::Reason(_) => None,
        }
    }

    /// Which kind it is, to tell when the screen changes wholesale.
    pub fn kind(&self) -> std::mem::Discriminant<Overlay> {
        std::mem::discriminant(self)
    }
}

/// A key for the open `overlay` (taken out of the state; each overlay
/// puts itself back unless the key closes it).
pub(crate) fn on_key(state: &mut State, overlay: Overlay, key: KeyEvent) -> Vec<Effect> {
    match overlay {
        Overlay::Filter => filter::on_key(state, key),
        Overlay::ConfirmQuit { quit_focused } => quit::on_key(state, key, quit_focused),
        Overlay::Targets(dialog) => targets::on_dialog_key(state, dialog, key),
        Overlay::Resume {
            offer,
            resume_focused,
        } => resume::on_resume_key(state, offer, resume_focused, key),
        Overlay::Prompt(text) => prompt::on_prompt_key(state, text, key),
        Overlay::Review(review) => review::on_key(state, review, key),
        Overlay::Undo(offer) => undo::on_key(state, offer, key),
        Overlay::CommandLine(text) => command_line::on_key(state, text, key),
        Overlay::Reason(ask) => reason::on_key(state, ask, key),
        overlay @ (Overlay::Help(_)
        | Overlay::Messages(_)
        | Overlay::Details(_)
        | Overlay::History(_)) => text::on_key(state, overlay, key),
    }
}

/// Whether a paste is typed into `overlay` (a line, or a search being
/// typed); dialogs take no text.
pub(crate) fn takes_text(overlay: &Overlay) -> bool {
    match overlay {
        Overlay::Filter | Overlay::Prompt(_) | Overlay::CommandLine(_) | Overlay::Reason(_) => true,
        Overlay::Help(_) | Overlay::Messages(_) | Overlay::Details(_) | Overlay::History(_) => {
            overlay.pager().is_some_and(|p| p.typing)
        }
        Overlay::ConfirmQuit { .. }
        | Overlay::Targets(_)
        | Overlay::Resume { .. }
        | Overlay::Review(_)
        | Overlay::Undo(_) => false,
    }
}

/// A paste (one line of text, see [`crate::app::paste`]) typed into the
/// open `overlay`.
pub(crate) fn on_paste(state: &mut State, mut overlay: Overlay, text: &str) -> Vec<Effect> {
    let line = crate::util::text::one_line(text);
    match &mut overlay {
        Overlay::Filter => return filter::on_paste(state, &line),
        Overlay::Prompt(typed) => return prompt::on_paste(state, std::mem::take(typed), text),
        Overlay::CommandLine(typed) => typed.push_str(&line),
        Overlay::Reason(ask) => ask.text.push_str(&line),
        Overlay::Help(_) | Overlay::Messages(_) | Overlay::Details(_) | Overlay::History(_) => {
            if let Some(pager) = overlay.pager_mut() {
                pager.search.push_str(&line);
            }
        }
        // Dialogs take no text (refused before); they stay as they are.
        Overlay::ConfirmQuit { .. }
        | Overlay::Targets(_)
        | Overlay::Resume { .. }
        | Overlay::Review(_)
        | Overlay::Undo(_) => {}
    }
    state.overlay = Some(overlay);
    Vec::new()
}

/// The footer's keys while `overlay` is open, as (key, what it does),
/// from the keymap in force.
pub(crate) fn hints(overlay: &Overlay, keymap: &Keymap) -> Vec<(String, &'static str)> {
    match overlay {
        Overlay::Filter => filter::hints(keymap),
        Overlay::CommandLine(_) => command_line::hints(keymap),
        Overlay::Prompt(_) => prompt::hints(keymap),
        Overlay::Reason(_) => reason::hints(keymap),
        Overlay::Help(_) | Overlay::Messages(_) | Overlay::History(_) => text::hints(keymap, false),
        Overlay::Details(_) => text::hints(keymap, true),
        Overlay::Targets(_) => targets::hints(keymap),
        Overlay::ConfirmQuit { .. }
        | Overlay::Resume { .. }
        | Overlay::Review(_)
        | Overlay::Undo(_) => dialog_hints(keymap),
    }
}

/// The keys every dialog takes: go, move between buttons, cancel.
pub(crate) fn dialog_hints(keymap: &Keymap) -> Vec<(String, &'static str)> {
    keys_of(
        &keymap.dialog,
        &[
            (DialogAction::Yes, "go"),
            (DialogAction::NextFocus, "buttons"),
            (DialogAction::No, "cancel"),
        ],
    )
}

/// The first key of each action of `table` that has one, with its word.
pub(crate) fn keys_of<A: Action>(
    table: &Table<A>,
    wanted: &[(A, &'static str)],
) -> Vec<(String, &'static str)> {
    wanted
        .iter()
        .filter_map(|(action, word)| Some((table.label_of(*action)?, *word)))
        .collect()
}
