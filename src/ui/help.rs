//! The `?` overlay: every key of the keymap, grouped by purpose.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::dialog::{centered, clear_under};
use super::theme;
use crate::app::keymap::{Group, Keymap};

/// The help text, one line per binding under group headings.
pub fn lines(keymap: &Keymap) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for group in Group::ALL {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(group.title(), theme::header()));
        for b in keymap.entries.iter().filter(|b| b.group == group) {
            let keys: Vec<String> = b.keys.iter().map(|k| k.label()).collect();
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<16}", keys.join(", ")), theme::key()),
                Span::raw(b.help),
            ]));
        }
    }
    lines
}

/// Draws the overlay.
pub fn draw(frame: &mut Frame, area: Rect, keymap: &Keymap) {
    let lines = lines(keymap);
    let width = lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 4;
    let popup = centered(area, width, lines.len() as u16 + 2);
    clear_under(frame, popup);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .title(" Keys · Esc or ? closes ")
                .border_style(theme::overlay_border()),
        ),
        popup,
    );
}
