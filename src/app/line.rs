//! Editing a one-line text field (the filter, the number prompt, the
//! command line): the keys all three share.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::keys::{LineAction, Table};

/// What a key did to the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Edit {
    /// Esc or Ctrl-C: leave the field.
    Cancel,
    /// Enter.
    Submit,
    /// Tab.
    Complete,
    /// The text changed.
    Changed,
    /// Nothing happened.
    Unchanged,
}

/// Applies `key` to `text` with the line keys in force: printable
/// characters are typed (never run as commands), emoji included.
pub(super) fn edit(text: &mut String, key: &KeyEvent, keys: &Table<LineAction>) -> Edit {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match keys.action_for(key) {
        Some(LineAction::Cancel) => Edit::Cancel,
        Some(LineAction::Submit) => Edit::Submit,
        Some(LineAction::Complete) => Edit::Complete,
        Some(LineAction::DeleteBack) if text.pop().is_some() => Edit::Changed,
        Some(LineAction::Clear) if !text.is_empty() => {
            text.clear();
            Edit::Changed
        }
        Some(_) => Edit::Unchanged,
        None => match key.code {
            KeyCode::Char(c) if !ctrl && !c.is_control() => {
                text.push(c);
                Edit::Changed
            }
            _ => Edit::Unchanged,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit_with(keys: &Table<LineAction>, text: &mut String, key: &KeyEvent) -> Edit {
        edit(text, key, keys)
    }

    fn k(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn edits() {
        let map = crate::keys::Keymap::default();
        let keys = &map.line;
        let mut t = String::new();
        assert_eq!(
            edit_with(keys, &mut t, &k(KeyCode::Char('q'), KeyModifiers::NONE)),
            Edit::Changed
        );
        assert_eq!(
            edit_with(keys, &mut t, &k(KeyCode::Char('Z'), KeyModifiers::SHIFT)),
            Edit::Changed
        );
        assert_eq!(t, "qZ");
        assert_eq!(
            edit_with(keys, &mut t, &k(KeyCode::Backspace, KeyModifiers::NONE)),
            Edit::Changed
        );
        assert_eq!(
            edit_with(keys, &mut t, &k(KeyCode::Char('u'), KeyModifiers::CONTROL)),
            Edit::Changed
        );
        assert_eq!(t, "");
        assert_eq!(
            edit_with(keys, &mut t, &k(KeyCode::Backspace, KeyModifiers::NONE)),
            Edit::Unchanged
        );
        assert_eq!(
            edit_with(keys, &mut t, &k(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Edit::Cancel
        );
        assert_eq!(
            edit_with(keys, &mut t, &k(KeyCode::Esc, KeyModifiers::NONE)),
            Edit::Cancel
        );
        assert_eq!(
            edit_with(keys, &mut t, &k(KeyCode::Enter, KeyModifiers::NONE)),
            Edit::Submit
        );
        assert_eq!(
            edit_with(keys, &mut t, &k(KeyCode::Tab, KeyModifiers::NONE)),
            Edit::Complete
        );
        assert_eq!(
            edit_with(keys, &mut t, &k(KeyCode::Left, KeyModifiers::NONE)),
            Edit::Unchanged
        );
        // An emoji is typed like any character.
        assert_eq!(
            edit_with(keys, &mut t, &k(KeyCode::Char('🚀'), KeyModifiers::NONE)),
            Edit::Changed
        );
        assert_eq!(t, "🚀");
    }
}
