//! The keys every two-button question shares (Cancel and a button that
//! acts; Cancel has the focus first): the dialog only says what its
//! answer does.

use ratatui::crossterm::event::KeyEvent;

use crate::keys::{DialogAction, Table};

/// What a key did to a two-button question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Answer {
    /// Yes, or the acting button pressed.
    Yes,
    /// No, or Cancel pressed.
    No,
    /// Still asking: the focus may have moved (see `confirm_focused`).
    Open,
}

/// Applies `key` to a question whose acting button has the focus when
/// `confirm_focused`; focus keys switch it. Other keys leave it open (the
/// caller may give them a meaning of its own, such as scrolling).
pub(super) fn answer(
    keys: &Table<DialogAction>,
    key: &KeyEvent,
    confirm_focused: &mut bool,
) -> Answer {
    match keys.action_for(key) {
        Some(DialogAction::Yes) => Answer::Yes,
        Some(DialogAction::Press) if *confirm_focused => Answer::Yes,
        Some(DialogAction::Press | DialogAction::No) => Answer::No,
        Some(DialogAction::NextFocus | DialogAction::PrevFocus) => {
            *confirm_focused = !*confirm_focused;
            Answer::Open
        }
        _ => Answer::Open,
    }
}

/// The keys every dialog takes, for the footer: go, move between the
/// buttons, cancel.
pub(crate) fn hints(table: &Table<DialogAction>, yes: &'static str) -> Vec<(String, &'static str)> {
    table.hints(&[
        (DialogAction::Yes, yes),
        (DialogAction::NextFocus, "buttons"),
        (DialogAction::No, "cancel"),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    #[test]
    fn cancel_has_the_focus_until_moved() {
        let keys = crate::keys::Keymap::default().dialog;
        let k = |c| KeyEvent::new(c, KeyModifiers::NONE);
        let mut focused = false;
        assert_eq!(answer(&keys, &k(KeyCode::Enter), &mut focused), Answer::No);
        assert_eq!(answer(&keys, &k(KeyCode::Tab), &mut focused), Answer::Open);
        assert!(focused);
        assert_eq!(answer(&keys, &k(KeyCode::Enter), &mut focused), Answer::Yes);
        assert_eq!(
            answer(&keys, &k(KeyCode::Char('y')), &mut false),
            Answer::Yes
        );
        assert_eq!(
            answer(&keys, &k(KeyCode::Char('z')), &mut focused),
            Answer::Open
        );
    }
}
