//! What every list on screen (contacts, the Live view, the Blocklist
//! view) draws alike: the selected row's highlight, and the words that
//! stand in for rows when there are none.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::theme;

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
