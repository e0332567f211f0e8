//! The history overlay: the ledger's actions on the shown instance,
//! newest first, with the filter line at the bottom.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::dialog::clear_under;
use super::theme;
use crate::app::history::{self, HistoryView};
use crate::app::state::Instance;

/// Draws the history over the whole screen but the status bar.
pub fn draw(frame: &mut Frame, area: Rect, view: &HistoryView, inst: &Instance) {
    clear_under(frame, area);
    let inner_width = area.width.saturating_sub(2) as usize;
    let rows = area.height.saturating_sub(3) as usize;
    let lines = history::lines(view, inst, inner_width);
    let total = lines.len();
    let top = view.scroll.min(total.saturating_sub(rows));
    let mut shown: Vec<Line> = lines
        .into_iter()
        .skip(top)
        .take(rows)
        .map(|(kind, text)| super::messages::styled(kind, text))
        .collect();
    let empty = match &view.entries {
        None => Some("Reading the ledger…".to_string()),
        Some(Err(e)) => Some(format!("✖ {e}")),
        Some(Ok(entries)) if entries.is_empty() => {
            Some(format!("This app has asked nothing of {} yet.", inst.name))
        }
        Some(Ok(_)) if total == 0 => Some(format!("No action matches \"{}\".", view.filter)),
        Some(Ok(_)) => None,
    };
    if let Some(text) = empty {
        shown.push(Line::styled(text, theme::dim()));
    }
    while shown.len() < rows {
        shown.push(Line::raw(""));
    }
    shown.push(filter_line(view));
    let position = if total > rows {
        format!(" {}-{} of {total} ", top + 1, (top + rows).min(total))
    } else {
        String::new()
    };
    frame.render_widget(
        Paragraph::new(shown).block(
            Block::bordered()
                .title(format!(
                    " History of {} · newest first · UTC · Esc closes ",
                    inst.name
                ))
                .title_bottom(Line::from(position).right_aligned())
                .border_style(theme::overlay_border()),
        ),
        area,
    );
}

/// `/tom▏` while typing, `filter: tom` when kept, else how to filter.
fn filter_line(view: &HistoryView) -> Line<'static> {
    if view.typing {
        Line::from(vec![
            Span::styled("/", theme::key()),
            Span::raw(view.filter.clone()),
            Span::styled("▏", theme::key()),
        ])
    } else if !view.filter.is_empty() {
        Line::from(vec![
            Span::styled("filter: ", theme::dim()),
            Span::styled(view.filter.clone(), theme::key()),
            Span::styled(" (Esc clears)", theme::dim()),
        ])
    } else {
        Line::styled("/ filters by number, name, action or error", theme::dim())
    }
}
