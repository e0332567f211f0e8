//! Every colour and text style of the app, in one place. State is never
//! shown by colour alone: each styled thing also has a word or symbol.

use ratatui::style::{Color, Modifier, Style};

/// Spinner frames for work in flight.
pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The spinner frame for a tick count.
pub fn spinner(ticks: u64) -> &'static str {
    SPINNER[(ticks % SPINNER.len() as u64) as usize]
}

/// The app's name in the tab bar.
pub fn brand() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

/// The shown instance's tab.
pub fn tab_selected() -> Style {
    Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
}

/// Other tabs.
pub fn tab() -> Style {
    Style::new()
}

/// Column headers.
pub fn header() -> Style {
    Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
}

/// The selected row.
pub fn selected_row() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

/// Plain text.
pub fn text() -> Style {
    Style::new()
}

/// Characters the filter matched.
pub fn matched() -> Style {
    Style::new()
        .fg(Color::Yellow)
        .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
}

/// A contact known as blocked.
pub fn blocked() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}

/// A request in flight.
pub fn pending() -> Style {
    Style::new().fg(Color::Yellow)
}

/// Secondary text: numbers, ages, push names, unknowns.
pub fn dim() -> Style {
    Style::new().add_modifier(Modifier::DIM)
}

/// Connected state.
pub fn good() -> Style {
    Style::new().fg(Color::Green)
}

/// Not connected / failed.
pub fn bad() -> Style {
    Style::new().fg(Color::Red)
}

/// The status bar background.
pub fn status_bar() -> Style {
    Style::new().bg(Color::DarkGray).fg(Color::White)
}

/// An error message in the status bar.
pub fn status_error() -> Style {
    Style::new()
        .bg(Color::Red)
        .fg(Color::White)
        .add_modifier(Modifier::BOLD)
}

/// Keys in the footer and help.
pub fn key() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

/// Frames of overlays.
pub fn overlay_border() -> Style {
    Style::new().fg(Color::Cyan)
}

/// The focused button of a dialog.
pub fn button_focused() -> Style {
    Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
}
