//! The message log (`m`, `:messages`): every message of this session,
//! newest first, in full: time, instance, text, HTTP status and hint.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

use super::dialog::clear_under;
use super::theme;
use crate::app::log::{self, LineKind};
use crate::app::state::Message;

/// A line of the log or the history, styled by what it is.
pub fn styled(kind: LineKind, text: String) -> Line<'static> {
    match kind {
        LineKind::ErrorHeading => Line::styled(text, theme::bad()),
        LineKind::InfoHeading => Line::styled(text, theme::header()),
        LineKind::Text => Line::raw(text),
        LineKind::Detail => Line::styled(text, theme::dim()),
    }
}

/// Draws the log over the whole screen but the status bar.
pub fn draw(frame: &mut Frame, area: Rect, messages: &[Message], scroll: usize) {
    clear_under(frame, area);
    let inner_width = area.width.saturating_sub(2) as usize;
    let rows = area.height.saturating_sub(2) as usize;
    let lines = log::lines(messages, inner_width);
    let total = lines.len();
    let top = scroll.min(total.saturating_sub(rows));
    let mut shown: Vec<Line> = lines
        .into_iter()
        .skip(top)
        .take(rows)
        .map(|(kind, text)| styled(kind, text))
        .collect();
    if total == 0 {
        shown.push(Line::styled(
            "No message yet in this session.",
            theme::dim(),
        ));
    }
    let position = if total > rows {
        format!(" {}-{} of {total} ", top + 1, (top + rows).min(total))
    } else {
        String::new()
    };
    frame.render_widget(
        Paragraph::new(shown).block(
            Block::bordered()
                .title(" Messages · newest first · times UTC · Esc closes ")
                .title_bottom(Line::from(position).right_aligned())
                .border_style(theme::overlay_border()),
        ),
        area,
    );
}
