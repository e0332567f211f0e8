//! The top line: the app's name and one tab per instance with its
//! connection state (symbol and word).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme;
use crate::app::State;
use crate::app::state::{Connection, Instance};

/// Symbol and style of a connection state.
pub fn connection_symbol(connection: &Connection, ticks: u64) -> (&'static str, Style) {
    match connection {
        Connection::Unknown => (theme::spinner(ticks), theme::dim()),
        Connection::State(s) if s == "connected" => ("●", theme::good()),
        Connection::State(s) if s == "connecting" => ("◌", theme::pending()),
        Connection::State(_) => ("○", theme::bad()),
        Connection::NotOnServer | Connection::Failed(_) => ("!", theme::bad()),
    }
}

fn tab_spans(inst: &Instance, selected: bool, with_state: bool, ticks: u64) -> Vec<Span<'_>> {
    let base = if selected {
        theme::tab_selected()
    } else {
        theme::tab()
    };
    let (symbol, symbol_style) = connection_symbol(&inst.connection, ticks);
    let mut spans = vec![
        Span::styled(format!(" {} ", inst.title()), base),
        Span::styled(symbol, base.patch(symbol_style)),
    ];
    if with_state {
        spans.push(Span::styled(format!(" {} ", inst.connection.label()), base));
    } else {
        spans.push(Span::styled(" ", base));
    }
    spans
}

/// Draws the tab line.
pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let build = |with_state: bool| {
        let mut spans = vec![Span::styled(" ryze-contacts ", theme::brand())];
        for (i, inst) in state.instances.iter().enumerate() {
            spans.push(Span::raw("│"));
            spans.extend(tab_spans(
                inst,
                i == state.current,
                with_state || i == state.current,
                state.ticks,
            ));
        }
        Line::from(spans)
    };
    let mut line = build(true);
    if line.width() > area.width as usize {
        line = build(false);
    }
    if line.width() > area.width as usize {
        // Still too wide: drop the brand so the tabs keep the room.
        line.spans.remove(0);
    }
    frame.render_widget(Paragraph::new(line), area);
}
