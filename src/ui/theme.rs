//! Every colour and text style of the app, in one place. State is never
//! shown by colour alone: each styled thing also has a word or symbol.

use std::sync::atomic::{AtomicBool, Ordering};

use ratatui::style::{Color, Modifier, Style};

static MONOCHROME: AtomicBool = AtomicBool::new(false);

/// Turns colours off (`--monochrome`, or `NO_COLOR` set and not empty):
/// bold, reverse and underline stay, and every state keeps its symbol.
pub fn set_monochrome(on: bool) {
    MONOCHROME.store(on, Ordering::Relaxed);
}

/// Whether `NO_COLOR` asks for no colour (<https://no-color.org>).
pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// A style without its colours.
pub fn without_colour(style: Style) -> Style {
    Style {
        fg: None,
        bg: None,
        underline_color: None,
        ..style
    }
}

fn paint(style: Style) -> Style {
    if MONOCHROME.load(Ordering::Relaxed) {
        without_colour(style)
    } else {
        style
    }
}

/// Spinner frames for work in flight.
pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The spinner frame for a tick count.
pub fn spinner(ticks: u64) -> &'static str {
    SPINNER[(ticks % SPINNER.len() as u64) as usize]
}

/// The app's name in the tab bar.
pub fn brand() -> Style {
    paint(Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD))
}

/// The shown instance's tab.
pub fn tab_selected() -> Style {
    paint(Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD))
}

/// Other tabs.
pub fn tab() -> Style {
    paint(Style::new())
}

/// Column headers.
pub fn header() -> Style {
    paint(Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED))
}

/// The selected row.
pub fn selected_row() -> Style {
    paint(Style::new().add_modifier(Modifier::REVERSED))
}

/// Plain text.
pub fn text() -> Style {
    paint(Style::new())
}

/// Characters the filter matched.
pub fn matched() -> Style {
    paint(
        Style::new()
            .fg(Color::Yellow)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
    )
}

/// A contact known as blocked.
pub fn blocked() -> Style {
    paint(Style::new().fg(Color::Red).add_modifier(Modifier::BOLD))
}

/// A request in flight.
pub fn pending() -> Style {
    paint(Style::new().fg(Color::Yellow))
}

/// Secondary text: numbers, ages, push names, unknowns.
pub fn dim() -> Style {
    paint(Style::new().add_modifier(Modifier::DIM))
}

/// Connected state.
pub fn good() -> Style {
    paint(Style::new().fg(Color::Green))
}

/// Not connected / failed.
pub fn bad() -> Style {
    paint(Style::new().fg(Color::Red))
}

/// The status bar background.
pub fn status_bar() -> Style {
    paint(Style::new().bg(Color::DarkGray).fg(Color::White))
}

/// An error message in the status bar.
pub fn status_error() -> Style {
    paint(
        Style::new()
            .bg(Color::Red)
            .fg(Color::White)
            .add_modifier(Modifier::BOLD),
    )
}

/// Keys in the footer and help.
pub fn key() -> Style {
    paint(Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD))
}

/// Frames of overlays.
pub fn overlay_border() -> Style {
    paint(Style::new().fg(Color::Cyan))
}

/// The focused button of a dialog.
pub fn button_focused() -> Style {
    paint(Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monochrome_keeps_emphasis_drops_colour() {
        let s = without_colour(
            Style::new()
                .fg(Color::Red)
                .bg(Color::Blue)
                .add_modifier(Modifier::BOLD),
        );
        assert_eq!(s.fg, None);
        assert_eq!(s.bg, None);
        assert!(s.add_modifier.contains(Modifier::BOLD));
    }
}
