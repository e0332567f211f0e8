//! Keys of the overlays that page through text (help, details, the
//! message log, history): scroll, search as you type, close. Pure, so
//! each overlay scrolls alike and every line can be reached.

use ratatui::crossterm::event::KeyEvent;

use super::line::{self, Edit};
use crate::keys::{Keymap, LineAction, OverlayAction};

/// What a line of the log is, for its style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// `✖ 12:04:05  sales`: an error's heading.
    ErrorHeading,
    /// `› 12:04:05  sales`: a success's or notice's heading.
    InfoHeading,
    /// The message's text.
    Text,
    /// Its HTTP status and hint.
    Detail,
}

/// Scrolling and searching in an overlay that pages through text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pager {
    /// Lines scrolled past at the top.
    pub scroll: usize,
    /// The search (help, messages, details) or filter (history).
    pub search: String,
    /// Whether keys go to the search.
    pub typing: bool,
}

/// What a key asks of the overlay beyond scrolling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It stays open.
    Stay,
    /// Close it.
    Close,
    /// Copy (the details' number).
    Copy,
}

/// Applies `key` to `pager` over `total` lines shown `page` at a time.
pub fn on_key(
    pager: &mut Pager,
    keys: &Keymap,
    key: &KeyEvent,
    total: usize,
    page: usize,
) -> Outcome {
    if pager.typing {
        // The search is edited as every line is; the arrows leave it too.
        match line::edit(&mut pager.search, key, &keys.line) {
            Edit::Submit => pager.typing = false,
            Edit::Cancel => {
                pager.search.clear();
                pager.typing = false;
            }
            Edit::Unchanged
                if matches!(
                    keys.line.action_for(key),
                    Some(LineAction::Down | LineAction::Up)
                ) =>
            {
                pager.typing = false
            }
            Edit::Changed | Edit::Complete | Edit::Unchanged => {}
        }
        pager.scroll = 0;
        return Outcome::Stay;
    }
    let page = page.max(1);
    let max = total.saturating_sub(page);
    let scroll = pager.scroll.min(max);
    pager.scroll = match keys.overlay.action_for(key) {
        Some(OverlayAction::Close) if !pager.search.is_empty() => {
            pager.search.clear();
            0
        }
        Some(OverlayAction::Close) => return Outcome::Close,
        Some(OverlayAction::Copy) => return Outcome::Copy,
        Some(OverlayAction::Search) => {
            pager.typing = true;
            scroll
        }
        Some(OverlayAction::Down) => (scroll + 1).min(max),
        Some(OverlayAction::Up) => scroll.saturating_sub(1),
        Some(OverlayAction::PageDown) => (scroll + page).min(max),
        Some(OverlayAction::PageUp) => scroll.saturating_sub(page),
        Some(OverlayAction::Top) => 0,
        Some(OverlayAction::Bottom) => max,
        None => scroll,
    };
    Outcome::Stay
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn every_line_is_reachable_and_no_further() {
        let keys = Keymap::default();
        let mut p = Pager::default();
        let press = |p: &mut Pager, code| on_key(p, &keys, &key(code), 30, 5);
        press(&mut p, KeyCode::Char('j'));
        assert_eq!(p.scroll, 1);
        press(&mut p, KeyCode::PageDown);
        assert_eq!(p.scroll, 6);
        press(&mut p, KeyCode::Char('G'));
        assert_eq!(p.scroll, 25);
        press(&mut p, KeyCode::Char('j'));
        assert_eq!(p.scroll, 25, "no further than the last page");
        press(&mut p, KeyCode::Char('g'));
        assert_eq!(p.scroll, 0);
        press(&mut p, KeyCode::Char('k'));
        assert_eq!(p.scroll, 0);
        let ctrl_d = KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL);
        on_key(&mut p, &keys, &ctrl_d, 30, 5);
        assert_eq!(p.scroll, 5);
    }

    #[test]
    fn slash_types_a_search_and_esc_clears_it_before_closing() {
        let keys = Keymap::default();
        let mut p = Pager::default();
        for c in "/und".chars() {
            assert_eq!(
                on_key(&mut p, &keys, &key(KeyCode::Char(c)), 30, 5),
                Outcome::Stay
            );
        }
        assert_eq!(p.search, "und");
        assert!(p.typing, "q is typed, not a close");
        on_key(&mut p, &keys, &key(KeyCode::Char('q')), 30, 5);
        assert_eq!(p.search, "undq");
        on_key(&mut p, &keys, &key(KeyCode::Backspace), 30, 5);
        on_key(&mut p, &keys, &key(KeyCode::Enter), 30, 5);
        assert!(!p.typing);
        assert_eq!(
            on_key(&mut p, &keys, &key(KeyCode::Esc), 30, 5),
            Outcome::Stay
        );
        assert!(p.search.is_empty());
        assert_eq!(
            on_key(&mut p, &keys, &key(KeyCode::Esc), 30, 5),
            Outcome::Close
        );
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(
            on_key(&mut p, &keys, &ctrl_c, 30, 5),
            Outcome::Close,
            "one Ctrl-C rule"
        );
    }
}
