//! Draws the state. One module per area; nothing here changes the state.

mod blocklist;
mod bulk;
pub(crate) mod contacts;
mod dialog;
mod footer;
mod instances;
mod live;
mod pager;
mod rows;
mod status_bar;
pub mod theme;

use ratatui::Frame;

use crate::app::State;
use crate::app::state::Overlay;

/// Draws the whole screen: instance tabs, contacts, footer, the error
/// lines (when an error shows), status bar and any overlay.
pub fn draw(frame: &mut Frame, state: &State) {
    let message = state.message_lines();
    let areas = crate::app::layout::areas(frame.area(), message.len() as u16);
    instances::draw(frame, areas.tabs, state);
    if state.list_view.shown {
        blocklist::draw(frame, areas.list, state);
    } else if state.live.shown {
        live::draw(frame, areas.list, state);
    } else {
        contacts::draw(frame, areas.list, state);
    }
    let identity = footer::identity_row(areas, state);
    footer::draw(frame, areas.footer, state, identity.is_some());
    status_bar::draw_error(frame, areas.error, &message);
    status_bar::draw(frame, areas.status, state);
    match &state.overlay {
        Some(Overlay::ConfirmQuit { quit_focused }) => {
            dialog::draw_quit(frame, frame.area(), state, *quit_focused)
        }
        Some(Overlay::Targets(d)) => bulk::draw_batch(frame, frame.area(), state, d),
        Some(Overlay::Resume {
            offer,
            resume_focused,
        }) => dialog::draw_resume(frame, frame.area(), state, offer, *resume_focused),
        Some(Overlay::Review(review)) => dialog::draw_review(frame, frame.area(), state, review),
        Some(Overlay::Undo(offer)) => dialog::draw_undo(frame, frame.area(), state, offer),
        Some(Overlay::MarkAll(ask)) => dialog::draw_mark_all(frame, frame.area(), state, ask),
        Some(Overlay::EnableLive(offer)) => dialog::draw_enable(frame, frame.area(), state, offer),
        Some(Overlay::ExpiredOffer(offer)) => {
            blocklist::draw_expired(frame, frame.area(), state, offer)
        }
        Some(
            overlay @ (Overlay::Help(_)
            | Overlay::Messages(_)
            | Overlay::Details(_)
            | Overlay::History(_)
            | Overlay::LiveDetails(_)),
        ) => pager::draw(frame, areas.overlay, state, overlay),
        Some(
            Overlay::Prompt(_)
            | Overlay::Filter
            | Overlay::CommandLine(_)
            | Overlay::Reason(_)
            | Overlay::ListAdd(_),
        )
        | None => {}
    }
    if let Some((row, line)) = identity {
        footer::draw_identity(frame, row, &line);
    }
}

#[cfg(test)]
mod batch_tests;
#[cfg(test)]
mod hostile_screens;
#[cfg(test)]
mod marking;
#[cfg(test)]
mod remapped;
#[cfg(test)]
mod tests;
