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
use crate::app::tabs;
use crate::protocol::ConnState;

/// Symbol and style of a connection state.
pub fn connection_symbol(connection: &Connection, ticks: u64) -> (&'static str, Style) {
    match connection {
        Connection::Unknown => (theme::spinner(ticks), theme::dim()),
        Connection::State(ConnState::Connected) => ("●", theme::good()),
        Connection::State(ConnState::Connecting) => ("◌", theme::pending()),
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

/// Draws the tab line, laid out by [`tabs::layout`].
pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let layout = tabs::layout(state, area.width);
    let mut spans = Vec::new();
    if layout.brand {
        spans.push(Span::styled(tabs::BRAND, theme::brand()));
    }
    if layout.more_left {
        spans.push(Span::styled(tabs::MORE_LEFT, theme::dim()));
    }
    for tab in &layout.tabs {
        spans.push(Span::raw("│"));
        spans.extend(tab_spans(
            &state.instances[tab.instance],
            tab.instance == state.current,
            tab.with_state,
            state.ticks,
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
