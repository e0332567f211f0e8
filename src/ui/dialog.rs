//! Dialogs over the list: the quit confirmation (Cancel has the focus).

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::theme;

/// A `width` x `height` rectangle in the middle of `area`, clipped to it.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// Draws "quit with N requests pending?".
pub fn draw_quit(frame: &mut Frame, area: Rect, pending: usize, quit_focused: bool) {
    let button = |label: &'static str, focused: bool| {
        if focused {
            Span::styled(format!("[ {label} ]"), theme::button_focused())
        } else {
            Span::raw(format!("  {label}  "))
        }
    };
    let plural = if pending == 1 {
        "request is"
    } else {
        "requests are"
    };
    let lines = vec![
        Line::raw(format!(
            "{pending} block {plural} still waiting for the server."
        )),
        Line::raw("If you quit now, their outcome is not recorded here."),
        Line::raw(""),
        Line::from(vec![
            button("Cancel", !quit_focused),
            Span::raw("   "),
            button("Quit", quit_focused),
        ]),
        Line::styled("y quit · n/Esc stay · ←/→ choose", theme::dim()),
    ];
    let popup = centered(area, 58, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true })
            .block(
                Block::bordered()
                    .title(" Quit? ")
                    .border_style(theme::overlay_border()),
            ),
        popup,
    );
}
