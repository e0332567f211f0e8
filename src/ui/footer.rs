//! The line above the status bar: the filter being typed, or the few keys
//! that matter now, generated from the keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme;
use crate::app::State;
use crate::app::keymap::BINDINGS;
use crate::app::state::Mode;

fn key_hint<'a>(key: &str, what: &'a str) -> [Span<'a>; 3] {
    [
        Span::styled(key.to_string(), theme::key()),
        Span::raw(format!(" {what}")),
        Span::raw("  "),
    ]
}

/// Draws the footer.
pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let mut spans: Vec<Span> = Vec::new();
    match state.mode {
        Mode::Filter => {
            spans.push(Span::styled("/", theme::key()));
            spans.push(Span::raw(state.filter.clone()));
            spans.push(Span::styled("▏", theme::key()));
            spans.push(Span::raw("   "));
            spans.extend(key_hint("Enter", "keep"));
            spans.extend(key_hint("Esc", "clear"));
            spans.extend(key_hint("↑↓", "move"));
        }
        _ => {
            if !state.filter.is_empty() {
                spans.push(Span::styled("filter: ", theme::dim()));
                spans.push(Span::styled(state.filter.clone(), theme::key()));
                spans.push(Span::styled(" (Esc clears)   ", theme::dim()));
            }
            for binding in BINDINGS {
                if let (Some(hint), Some(key)) = (binding.hint, binding.keys.first()) {
                    spans.extend(key_hint(&key.label(), hint));
                }
            }
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
