//! Draws the state. One module per area; nothing here changes the state.

pub mod contacts;
mod dialog;
mod footer;
mod instances;
mod pager;
mod status_bar;
pub use crate::text;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

use crate::app::State;
use crate::app::state::Overlay;

/// Draws the whole screen: instance tabs, contacts, footer, the error
/// lines (when an error shows), status bar and any overlay.
pub fn draw(frame: &mut Frame, state: &State) {
    let message = state.message_lines();
    let [tabs, list, footer, error, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(message.len() as u16),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    instances::draw(frame, tabs, state);
    contacts::draw(frame, list, state);
    footer::draw(frame, footer, state);
    status_bar::draw_error(frame, error, &message);
    status_bar::draw(frame, status, state);
    match &state.overlay {
        Some(Overlay::ConfirmQuit { quit_focused }) => {
            dialog::draw_quit(frame, frame.area(), state.pending_count(), *quit_focused)
        }
        Some(Overlay::Targets(d)) => dialog::draw_batch(frame, frame.area(), state, d),
        Some(Overlay::Resume {
            offer,
            resume_focused,
        }) => dialog::draw_resume(frame, frame.area(), offer, *resume_focused, state.now),
        Some(
            overlay @ (Overlay::Help(_)
            | Overlay::Messages(_)
            | Overlay::Details(_)
            | Overlay::History(_)),
        ) => pager::draw(frame, above_status(frame), state, overlay),
        Some(Overlay::Filter | Overlay::Prompt(_) | Overlay::CommandLine(_)) | None => {}
    }
}

/// The screen above the status bar, where full-screen overlays go.
fn above_status(frame: &Frame) -> ratatui::layout::Rect {
    let mut area = frame.area();
    area.height = area.height.saturating_sub(1);
    area
}

#[cfg(test)]
mod tests;
