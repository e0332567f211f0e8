//! What every list on screen (contacts, the Live view, the Blocklist
//! view) draws alike: the selected row's highlight, the words that
//! stand in for rows when there are none, and a view's footer.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme;
use crate::app::State;
use crate::keys::Command;
use crate::util::text::width;

/// The symbol before the selected row.
pub(super) const HIGHLIGHT: &str = "▌ ";

/// Marks row `y` of `area` as the selected one: the highlight symbol in
/// its first cells, the selected style across it.
pub(super) fn mark_selected(buf: &mut Buffer, area: Rect, y: u16) {
    buf.set_stringn(area.x, y, HIGHLIGHT, 2, Style::default());
    buf.set_style(
        Rect {
            y,
            height: 1,
            ..area
        },
        theme::selected_row(),
    );
}

/// `text` in place of a list's rows: dim, centred, halfway down `area`.
pub(super) fn placeholder(frame: &mut Frame, area: Rect, text: String) {
    let top = area.height / 2;
    let area = Rect {
        y: area.y + top,
        height: area.height - top,
        ..area
    };
    frame.render_widget(
        Paragraph::new(Line::styled(text, theme::dim())).alignment(Alignment::Center),
        area,
    );
}

/// A view's footer: the filter in force and the key that clears it, then
/// each of `hints` (most useful first) that fits in `room` columns.
pub(super) fn footer(
    state: &State,
    filter: &str,
    hints: &[(Command, &str)],
    room: usize,
) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    if !filter.is_empty() {
        let clear = state.keymap.label_of(Command::ClearFilter);
        spans.push(Span::styled("filter: ", theme::dim()));
        spans.push(Span::styled(filter.to_string(), theme::key()));
        spans.push(Span::styled(format!(" ({clear} clears)   "), theme::dim()));
    }
    let mut left = room.saturating_sub(spans.iter().map(Span::width).sum());
    for &(command, what) in hints {
        let key = state.keymap.label_of(command);
        let needed = width(&key) + width(what) + 3;
        if needed > left {
            continue;
        }
        left -= needed;
        spans.push(Span::styled(key, theme::key()));
        spans.push(Span::raw(format!(" {what}  ")));
    }
    spans
}
