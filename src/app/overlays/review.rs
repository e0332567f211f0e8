//! Several pasted numbers, reviewed before any is sent: one reading per
//! number, what is refused and why, and one confirmation for the lot
//! (Cancel has the focus).

use ratatui::crossterm::event::KeyEvent;

use super::after::{After, Step, close, stay};
use crate::app::bulk::{Begun, Then};
use crate::app::confirm::{Answer, answer};
use crate::app::core::Core;
use crate::app::lookups;
use crate::keys::DialogAction;
use crate::model::number::{Region, Target, read_typed};

/// The review of a paste of several numbers into the number prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberReview {
    /// Each pasted entry and its reading: the target, or why not.
    pub entries: Vec<(String, Result<Target, String>)>,
    /// Whether the confirm button (not Cancel) has the focus.
    pub confirm_focused: bool,
    /// The first entry shown (the list scrolls).
    pub top: usize,
    /// What the prompt held before the paste, given back on Cancel.
    pub prompt: String,
}

/// The entries of a paste: one per line, comma or tab (spreadsheet
/// cells), blanks dropped.
pub fn paste_entries(text: &str) -> Vec<&str> {
    text.split(['\n', '\r', ',', '\t'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect()
}

impl NumberReview {
    /// Reads each entry in `region`; a number pasted twice is listed once.
    pub fn read(entries: &[&str], region: Option<Region>, prompt: String) -> NumberReview {
        let mut seen = std::collections::HashSet::new();
        let entries = entries
            .iter()
            .filter_map(|&text| {
                let read = read_typed(text, region).map_err(|e| e.brief());
                let new = match &read {
                    Ok(target) => seen.insert(target.jid()),
                    Err(_) => true,
                };
                new.then(|| (text.to_string(), read))
            })
            .collect();
        NumberReview {
            entries,
            confirm_focused: false,
            top: 0,
            prompt,
        }
    }

    /// The numbers that will be sent: those read, but for what a lookup
    /// said is not on WhatsApp.
    pub fn targets(&self, core: &Core) -> Vec<Target> {
        self.entries
            .iter()
            .filter_map(|(_, read)| read.as_ref().ok())
            .filter(|t| !lookups::absent(core, &t.jid()))
            .cloned()
            .collect()
    }

    /// How many are refused: not read, or not on WhatsApp.
    pub fn refused(&self, core: &Core) -> usize {
        self.entries.len() - self.targets(core).len()
    }

    /// The numbers to look up: those read that are no contact of the
    /// shown instance, with that instance.
    pub fn to_look_up(&self, core: &Core) -> Vec<(usize, String)> {
        let contacts = &core.instance().contacts;
        self.entries
            .iter()
            .filter_map(|(_, read)| read.as_ref().ok())
            .map(Target::jid)
            .filter(|jid| contacts.find(jid).is_none())
            .filter_map(|jid| lookups::number_of(&jid).map(str::to_string))
            .map(|number| (core.current, number))
            .collect()
    }

    /// One line per entry: `→ reading · who it is` (see
    /// [`lookups::IdentityLine`]) or `✖ text: why`, and whether it is
    /// sent.
    pub fn lines<'a>(&'a self, core: &'a Core) -> impl Iterator<Item = (bool, String)> + 'a {
        self.entries.iter().map(move |(text, read)| match read {
            Ok(target) => {
                let line =
                    lookups::IdentityLine::of(core, target, lookups::who(core, &target.jid()));
                (!line.absent, line.text())
            }
            Err(why) => (
                false,
                format!("✖ {}: {why}", crate::util::sanitize::clean(text)),
            ),
        })
    }
}

/// Where the review leads: back to the prompt (Cancel), or the question
/// why before the numbers are sent.
#[derive(Debug)]
pub(crate) enum ReviewNext {
    /// Cancel: the prompt as it was before the paste.
    Prompt(String),
    /// Confirmed: the reason is asked.
    Reason(Then),
}

/// Keys of the review: go, cancel, the buttons, and scrolling the list.
pub(crate) fn on_key(
    state: &mut Core,
    mut review: NumberReview,
    key: KeyEvent,
) -> Step<NumberReview, ReviewNext> {
    let confirm = match answer(&state.keymap.dialog, &key, &mut review.confirm_focused) {
        Answer::Yes => true,
        Answer::No => false,
        Answer::Open => {
            match state.keymap.dialog.action_for(&key) {
                Some(DialogAction::Down) => {
                    review.top = (review.top + 1).min(review.entries.len().saturating_sub(1));
                }
                Some(DialogAction::Up) => review.top = review.top.saturating_sub(1),
                _ => {}
            }
            return stay(review);
        }
    };
    if !confirm {
        crate::app::ops::info(
            state,
            "nothing was sent: the pasted numbers were not blocked",
        );
        return (After::Next(ReviewNext::Prompt(review.prompt)), Vec::new());
    }
    let targets = review.targets(state);
    if targets.is_empty() {
        crate::app::ops::info(state, "nothing to send: every pasted entry was refused");
        return stay(review);
    }
    let what = match targets.as_slice() {
        [one] => one.shown(),
        _ => "pasted".to_string(),
    };
    match crate::app::bulk::targets_batch(state, &targets, true, &what, true) {
        Begun::AsksWhy(then) => (After::Next(ReviewNext::Reason(then)), Vec::new()),
        Begun::Sent(effects) => close(effects),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_lines_commas_and_cells() {
        assert_eq!(
            paste_entries("+44 7912 345678\r\n\n 07912 345679 ,x\t+1 650 253 0000\n"),
            ["+44 7912 345678", "07912 345679", "x", "+1 650 253 0000"]
        );
    }

    #[test]
    fn each_entry_is_read_and_a_repeat_listed_once() {
        let gb = Region::from_code("GB");
        let r = NumberReview::read(
            &["+44 7912 345678", "07912 345678", "call me"],
            gb,
            String::new(),
        );
        assert_eq!(r.entries.len(), 2, "the same number twice is listed once");
        let core = crate::app::State::new(&[("sales".into(), None)], &[], 0);
        assert_eq!(r.targets(&core).len(), 1);
        assert_eq!(r.refused(&core), 1);
        let lines: Vec<(bool, String)> = r.lines(&core).collect();
        assert_eq!(
            lines[0],
            (
                true,
                "→ +44 7912 345678 · United Kingdom · mobile".to_string()
            )
        );
        assert_eq!(
            lines[1],
            (false, "✖ call me: not a phone number".to_string())
        );
    }
}
