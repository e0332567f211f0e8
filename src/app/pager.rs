//! Scrolling keys shared by the overlays that page through text (the
//! message log, the history, help): pure, so each overlay scrolls alike.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The new first line for a scrolling key, or `None` when `key` does not
/// scroll. `page` is the rows shown, `max` the largest useful scroll.
pub fn scroll_for(key: &KeyEvent, scroll: usize, page: usize, max: usize) -> Option<usize> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let page = page.max(1);
    let wanted = match key.code {
        KeyCode::Char('d') if ctrl => scroll + page,
        KeyCode::Char('u') if ctrl => scroll.saturating_sub(page),
        _ if ctrl => return None,
        KeyCode::Down | KeyCode::Char('j') => scroll + 1,
        KeyCode::Up | KeyCode::Char('k') => scroll.saturating_sub(1),
        KeyCode::PageDown | KeyCode::Char(' ') => scroll + page,
        KeyCode::PageUp => scroll.saturating_sub(page),
        KeyCode::Home | KeyCode::Char('g') => 0,
        KeyCode::End | KeyCode::Char('G') => max,
        _ => return None,
    };
    Some(wanted.min(max))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn every_line_is_reachable_and_no_further() {
        assert_eq!(scroll_for(&key(KeyCode::Char('j')), 0, 5, 3), Some(1));
        assert_eq!(scroll_for(&key(KeyCode::Char('j')), 3, 5, 3), Some(3));
        assert_eq!(scroll_for(&key(KeyCode::PageDown), 0, 5, 30), Some(5));
        assert_eq!(scroll_for(&key(KeyCode::Char('G')), 0, 5, 30), Some(30));
        assert_eq!(scroll_for(&key(KeyCode::Char('g')), 9, 5, 30), Some(0));
        assert_eq!(scroll_for(&key(KeyCode::Char('k')), 0, 5, 30), Some(0));
        let ctrl_d = KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL);
        assert_eq!(scroll_for(&ctrl_d, 0, 5, 30), Some(5));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(scroll_for(&ctrl_c, 0, 5, 30), None);
        assert_eq!(scroll_for(&key(KeyCode::Char('x')), 0, 5, 30), None);
    }
}
