//! Draws the overlays that page through text (help, details, the message
//! log, history) over the whole screen but the status bar: the lines the
//! app laid out, the search line at the bottom, the position.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::theme;
use crate::app::State;
use crate::app::overlays::text::{self, TextView};
use crate::app::pager::LineKind;
use crate::app::state::{Overlay, Pager};
use crate::keys::{Command, Keymap, OverlayAction};

/// A line styled by what it is.
fn styled(kind: LineKind, text: String) -> Line<'static> {
    match kind {
        LineKind::ErrorHeading => Line::styled(text, theme::bad()),
        LineKind::InfoHeading => Line::styled(text, theme::header()),
        LineKind::Text => Line::raw(text),
        LineKind::Detail => Line::styled(text, theme::dim()),
    }
}

/// The box's title for `view`.
fn title(state: &State, view: TextView<'_>) -> String {
    let name = |i: usize| state.instances.get(i).map_or("", |inst| inst.name.as_str());
    match view {
        TextView::Help(_) => " Keys and symbols ".to_string(),
        TextView::Messages(_) => " Messages · newest first · times UTC ".to_string(),
        TextView::History(h) => format!(" History of {} · newest first · UTC ", name(h.instance)),
        TextView::Details(d) => format!(
            " {} on {} ",
            crate::model::number::shown_jid(&d.jid),
            name(d.instance)
        ),
        TextView::Live(d) => match state.live.row(d.seq) {
            Some(row) => format!(" Live message on {} · UTC ", name(row.instance)),
            None => " Live message ".to_string(),
        },
    }
}

/// What shows when there are no lines.
fn empty_text(state: &State, view: TextView<'_>, pager: &Pager) -> Option<String> {
    match view {
        TextView::History(h) => match &h.entries {
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
        TextView::Messages(_) if pager.search.is_empty() => {
            Some("No message yet in this session.".to_string())
        }
        TextView::Help(_) | TextView::Messages(_) | TextView::Details(_) | TextView::Live(_) => {
            Some(format!("Nothing matches \"{}\".", pager.search))
        }
    }
}

/// `/tom▏` while typing, `search: tom (Esc clears)` when kept, else how;
/// keys named as they are in force.
fn search_line(view: TextView<'_>, pager: &Pager, keymap: &Keymap) -> Line<'static> {
    let keys = &keymap.overlay;
    let close = keys.label_of(OverlayAction::Close).unwrap_or_default();
    let search = keys.label_of(OverlayAction::Search).unwrap_or_default();
    let what = match view {
        TextView::History(_) => "filters by number, name, action or error",
        TextView::Help(_) | TextView::Messages(_) | TextView::Live(_) => "searches",
        // The details act on their contact as its row does; closing
        // leads, as the line may be cut.
        TextView::Details(_) => {
            let copy = keys.label_of(OverlayAction::Copy).unwrap_or_default();
            let block = keymap.label_of(Command::ToggleBlock);
            let text = format!(
                "{close} closes · {block} blocks/unblocks · {copy} copies · {search} searches"
            );
            return search_state(pager, &close).unwrap_or_else(|| Line::styled(text, theme::dim()));
        }
    };
    search_state(pager, &close)
        .unwrap_or_else(|| Line::styled(format!("{search} {what} · {close} closes"), theme::dim()))
}

/// `/tom▏` while a search is typed, `search: tom (Esc clears)` while one
/// is kept, else nothing.
fn search_state(pager: &Pager, close: &str) -> Option<Line<'static>> {
    if pager.typing {
        Some(Line::from(vec![
            Span::styled("/", theme::key()),
            Span::raw(pager.search.clone()),
            Span::styled("▏", theme::key()),
        ]))
    } else if !pager.search.is_empty() {
        Some(Line::from(vec![
            Span::styled("search: ", theme::dim()),
            Span::styled(pager.search.clone(), theme::key()),
            Span::styled(format!(" ({close} clears)"), theme::dim()),
        ]))
    } else {
        None
    }
}

/// Draws `overlay` over `area`.
pub fn draw(frame: &mut Frame, area: Rect, state: &State, overlay: &Overlay) {
    let Some(view) = overlay.text() else {
        return;
    };
    let pager = view.pager();
    frame.render_widget(Clear, area);
    let rows = area
        .height
        .saturating_sub(crate::app::layout::OVERLAY_FRAME) as usize;
    // Laid out once a frame; again only when the scroll is past the end
    // (the lines became fewer), from the last page.
    let (total, lines) = text::window(state, view, pager.scroll, rows);
    let top = pager.scroll.min(total.saturating_sub(rows));
    let lines = if top == pager.scroll {
        lines
    } else {
        text::window(state, view, top, rows).1
    };
    let mut shown: Vec<Line> = lines
        .into_iter()
        .map(|(kind, text)| styled(kind, text))
        .collect();
    if total == 0
        && let Some(text) = empty_text(state, view, pager)
    {
        shown.push(Line::styled(text, theme::dim()));
    }
    while shown.len() < rows {
        shown.push(Line::raw(""));
    }
    shown.push(search_line(view, pager, &state.keymap));
    let position = if total > rows {
        format!(" {}-{} of {total} ", top + 1, (top + rows).min(total))
    } else {
        String::new()
    };
    frame.render_widget(
        Paragraph::new(shown).block(
            Block::bordered()
                .title(title(state, view))
                .title_bottom(Line::from(position).right_aligned())
                .border_style(theme::overlay_border()),
        ),
        area,
    );
}
