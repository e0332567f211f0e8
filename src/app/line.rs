//! Editing a one-line text field (the filter, the number prompt, the
//! command line): the keys all three share.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

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

/// Applies `key` to `text`: characters are typed (never run as commands),
/// Backspace deletes, Ctrl-U clears.
pub(super) fn edit(text: &mut String, key: &KeyEvent) -> Edit {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => Edit::Cancel,
        KeyCode::Char('c') if ctrl => Edit::Cancel,
        KeyCode::Enter => Edit::Submit,
        KeyCode::Tab => Edit::Complete,
        KeyCode::Backspace if text.pop().is_some() => Edit::Changed,
        KeyCode::Char('u') if ctrl && !text.is_empty() => {
            text.clear();
            Edit::Changed
        }
        KeyCode::Char(c) if !ctrl && !c.is_control() => {
            text.push(c);
            Edit::Changed
        }
        _ => Edit::Unchanged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn edits() {
        let mut t = String::new();
        assert_eq!(
            edit(&mut t, &k(KeyCode::Char('q'), KeyModifiers::NONE)),
            Edit::Changed
        );
        assert_eq!(
            edit(&mut t, &k(KeyCode::Char('Z'), KeyModifiers::SHIFT)),
            Edit::Changed
        );
        assert_eq!(t, "qZ");
        assert_eq!(
            edit(&mut t, &k(KeyCode::Backspace, KeyModifiers::NONE)),
            Edit::Changed
        );
        assert_eq!(
            edit(&mut t, &k(KeyCode::Char('u'), KeyModifiers::CONTROL)),
            Edit::Changed
        );
        assert_eq!(t, "");
        assert_eq!(
            edit(&mut t, &k(KeyCode::Backspace, KeyModifiers::NONE)),
            Edit::Unchanged
        );
        assert_eq!(
            edit(&mut t, &k(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Edit::Cancel
        );
        assert_eq!(
            edit(&mut t, &k(KeyCode::Esc, KeyModifiers::NONE)),
            Edit::Cancel
        );
        assert_eq!(
            edit(&mut t, &k(KeyCode::Enter, KeyModifiers::NONE)),
            Edit::Submit
        );
        assert_eq!(
            edit(&mut t, &k(KeyCode::Tab, KeyModifiers::NONE)),
            Edit::Complete
        );
        assert_eq!(
            edit(&mut t, &k(KeyCode::Left, KeyModifiers::NONE)),
            Edit::Unchanged
        );
    }
}
