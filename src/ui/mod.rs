//! Draws the state. One module per area; nothing here changes the state.

pub mod contacts;
mod dialog;
mod footer;
mod help;
mod instances;
mod messages;
mod status_bar;
pub use crate::text;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

use crate::app::State;
use crate::app::state::Mode;

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
    match state.mode {
        Mode::Help => help::draw(frame, frame.area(), &state.keymap),
        Mode::ConfirmQuit { quit_focused } => {
            dialog::draw_quit(frame, frame.area(), state.pending_count(), quit_focused)
        }
        Mode::ConfirmBatch => {
            if let Some(d) = &state.dialog {
                dialog::draw_batch(frame, frame.area(), state, d)
            }
        }
        Mode::ConfirmResume { resume_focused } => {
            if let Some(offer) = &state.resume {
                dialog::draw_resume(frame, frame.area(), offer, resume_focused, state.now)
            }
        }
        Mode::Messages { scroll } => {
            let mut above = frame.area();
            above.height = above.height.saturating_sub(1);
            messages::draw(frame, above, &state.messages, scroll)
        }
        Mode::Normal | Mode::Filter | Mode::Prompt | Mode::CommandLine => {}
    }
}

#[cfg(test)]
mod tests;
