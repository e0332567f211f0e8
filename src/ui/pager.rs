//! Draws the overlays that page through text (help, details, the message
//! log, history) over the whole screen but the status bar: the lines the
//! app laid out, the search line at the bottom, the position.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::theme;
use crate::app::State;
use crate::app::log::LineKind;
use crate::app::overlay;
use crate::app::state::{Overlay, Pager};
use crate::keys::{OverlayAction, Table};

/// A line styled by what it is.
fn styled(kind: LineKind, text: String) -> Line<'static> {
    match kind {
        LineKind::ErrorHeading => Line::styled(text, theme::bad()),
        LineKind::InfoHeading => Line::styled(text, theme::header()),
        LineKind::Text => Line::raw(text),
        LineKind::Detail => Line::styled(text, theme::dim()),
    }
}

/// The box's title for `overlay`.
fn title(state: &State, overlay: &Overlay) -> String {
    let name = |i: usize| state.instances.get(i).map_or("", |inst| inst.name.as_str());
    match overlay {
        Overlay::Help(_) => " Keys and symbols ".to_string(),
        Overlay::Messages(_) => " Messages · newest first · times UTC ".to_string(),
        Overlay::History(h) => format!(" History of {} · newest first · UTC ", name(h.instance)),
        Overlay::Details(d) => format!(
            " {} on {} ",
            crate::model::number::shown_jid(&d.jid),
            name(d.instance)
        ),
        _ => String::new(),
    }
}

/// What shows when there are no lines.
fn empty_text(state: &State, overlay: &Overlay, pager: &Pager) -> Option<String> {
    match overlay {
        Overlay::History(h) => match &h.entries {
            None => Some("Reading the ledger…".to_string()),
            Some(Err(e)) => Some(format!("✖ {e}")),
            Some(Ok(entries)) if entries.is_empty() => Some(format!(
                "This app has asked nothing of {} yet.",
                state
                    .instances
                    .get(h.instance)
                    .map_or("", |i| i.name.as_str())
            )),
            Some(Ok(_)) => Some(format!("No action matches \"{}\".", pager.search)),
        },
        Overlay::Messages(_) if pager.search.is_empty() => {
            Some("No message yet in this session.".to_string())
        }
        _ => Some(format!("Nothing matches \"{}\".", pager.search)),
    }
}

/// `/tom▏` while typing, `search: tom (Esc clears)` when kept, else how;
/// keys named as they are in force.
fn search_line(overlay: &Overlay, pager: &Pager, keys: &Table<OverlayAction>) -> Line<'static> {
    let close = keys.label_of(OverlayAction::Close).unwrap_or_default();
    let search = keys.label_of(OverlayAction::Search).unwrap_or_default();
    let what = match overlay {
        Overlay::History(_) => "filters by number, name, action or error",
        _ => "searches",
    };
    if pager.typing {
        Line::from(vec![
            Span::styled("/", theme::key()),
            Span::raw(pager.search.clone()),
            Span::styled("▏", theme::key()),
        ])
    } else if !pager.search.is_empty() {
        Line::from(vec![
            Span::styled("search: ", theme::dim()),
            Span::styled(pager.search.clone(), theme::key()),
            Span::styled(format!(" ({close} clears)"), theme::dim()),
        ])
    } else {
        Line::styled(format!("{search} {what} · {close} closes"), theme::dim())
    }
}

/// Draws `overlay` over `area`.
pub fn draw(frame: &mut Frame, area: Rect, state: &State, overlay: &Overlay) {
    let Some(pager) = overlay.pager() else {
        return;
    };
    frame.render_widget(Clear, area);
    let rows = area
        .height
        .saturating_sub(crate::app::layout::OVERLAY_FRAME) as usize;
    let lines = overlay::lines(state, overlay);
    let total = lines.len();
    let top = pager.scroll.min(total.saturating_sub(rows));
    let mut shown: Vec<Line> = lines
        .into_iter()
        .skip(top)
        .take(rows)
        .map(|(kind, text)| styled(kind, text))
        .collect();
    if total == 0
        && let Some(text) = empty_text(state, overlay, pager)
    {
        shown.push(Line::styled(text, theme::dim()));
    }
    while shown.len() < rows {
        shown.push(Line::raw(""));
    }
    shown.push(search_line(overlay, pager, &state.keymap.overlay));
    let position = if total > rows {
        format!(" {}-{} of {total} ", top + 1, (top + rows).min(total))
    } else {
        String::new()
    };
    frame.render_widget(
        Paragraph::new(shown).block(
            Block::bordered()
                .title(title(state, overlay))
                .title_bottom(Line::from(position).right_aligned())
                .border_style(theme::overlay_border()),
        ),
        area,
    );
}
