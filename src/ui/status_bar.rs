//! The status bar: the shown instance, its connection state, the server's
//! `blocked_count` (and what the ledger knows when that differs), how many
//! contacts are shown of the total, and the latest message.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::instances::connection_symbol;
use super::theme;
use crate::app::State;
use crate::app::state::{Instance, Load, View};
use crate::model::contacts::Sort;
use crate::util::dates::age;
use crate::util::text::{shorten, width};

/// `blocked: 7`, `blocked: 7 (3 known here)`, `blocked: ?` or
/// `blocked: ? (2 known here)`; with a team's ledger what it knows is
/// always said: `blocked: 7 (7 known to the team)`.
pub fn blocked_text(server: Option<u64>, known: usize, team: bool) -> String {
    let whose = if team { "to the team" } else { "here" };
    match server {
        Some(n) if n as usize == known && (!team || known == 0) => format!("blocked: {n}"),
        Some(n) => format!("blocked: {n} ({known} known {whose})"),
        None if known == 0 => "blocked: ?".to_string(),
        None => format!("blocked: ? ({known} known {whose})"),
    }
}

/// The instance as the status bar names it: the title its tab shows, so
/// the two agree; with the instance's name in brackets (`Sales desk
/// (sales)`) when a label stands for it and `wide` says there is room.
fn shown_name(inst: &Instance, wide: bool) -> String {
    let title = inst.title();
    if title == inst.name || !wide {
        title.to_string()
    } else {
        format!("{title} ({})", inst.name)
    }
}

/// How many contacts are shown of the total, and what shapes the list:
/// the view, the sort, a cached list's age, marks, a low budget, a
/// refresh in flight.
fn counts_text(state: &State) -> String {
    if state.live.shown {
        return live_counts(state);
    }
    if state.list_view.shown {
        return list_counts(state);
    }
    let inst = state.instance();
    match inst.load {
        Load::Loaded => {}
        Load::Failed(_) => return "no contacts".to_string(),
        Load::NotStarted | Load::Loading => return "loading…".to_string(),
    }
    let mut text = format!("{} of {}", state.visible.len(), inst.contacts.len());
    if state.view == View::Blocked {
        text.push_str(" known blocked");
    }
    if state.sort != Sort::Listed {
        text.push_str(&format!(" · {}", state.sort.label()));
    }
    if let Some(saved) = inst.cached_at {
        text.push_str(&format!(" · cached {}", age(state.now, saved)));
    }
    if !inst.marks.is_empty() {
        text.push_str(&format!(" · {} marked", inst.marks.len()));
    }
    if let Some((remaining, limit)) = inst.budget
        && remaining * 5 < limit
    {
        text.push_str(&format!(" · budget {remaining}/{limit}"));
    }
    if inst.refreshing {
        text.push_str(&format!(" {}", theme::spinner(state.ticks)));
    }
    text
}

/// Draws the status bar. The instance's name joins its label only when
/// the latest message still fits whole beside it: the message counts
/// more.
pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let inst = state.instance();
    let bar = theme::status_bar();
    let (symbol, symbol_style) = connection_symbol(&inst.connection, state.ticks);
    let mut spans = vec![
        Span::styled(format!(" {} ", shown_name(inst, true)), bar),
        Span::styled("│ ", bar),
        Span::styled(symbol, bar.patch(symbol_style)),
        Span::styled(format!(" {} ", inst.connection.label()), bar),
        Span::styled("│ ", bar),
        Span::styled(
            blocked_text(inst.blocked_count, inst.known_blocked(), state.team_ledger),
            bar,
        ),
        Span::styled(" │ ", bar),
        Span::styled(counts_text(state), bar),
        Span::styled(" │ ", bar),
    ];
    if inst.read_only {
        spans.push(Span::styled("read-only", bar.patch(theme::key())));
        spans.push(Span::styled(" │ ", bar));
    }
    // An error has its own lines above (see [`draw_error`]); the bar
    // keeps successes and notices.
    let message = state.status.as_ref().filter(|s| !s.is_error);
    let wanted = message.map_or(0, |m| width(&m.text) + 2);
    let mut used: usize = spans.iter().map(|s| width(&s.content)).sum();
    if used + wanted > area.width as usize {
        spans[0] = Span::styled(format!(" {} ", shown_name(inst, false)), bar);
        used = spans.iter().map(|s| width(&s.content)).sum();
    }
    let room = (area.width as usize).saturating_sub(used);
    if let Some(status) = message {
        let text = shorten(&status.text, room.saturating_sub(2));
        spans.push(Span::styled(format!("› {text}"), bar));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(bar), area);
}

/// The Blocklist view's counts: `blocklist: 3 of 120`, or what it is
/// doing (`plan`, `reading`).
fn list_counts(state: &State) -> String {
    let view = &state.list_view;
    match &state.blocklist.entries {
        None => "blocklist: reading…".to_string(),
        Some(_) if view.plan_shown => "blocklist: plan".to_string(),
        Some(entries) => {
            let kept = entries.iter().filter(|e| e.removed.is_none()).count();
            format!("blocklist: {} of {kept}", view.rows.len())
        }
    }
}

/// The Live view's counts: `live: 120 of 10000 · 3 marked`.
fn live_counts(state: &State) -> String {
    let live = &state.live;
    let mut text = format!(
        "live: {} of {}",
        crate::app::live::view::shown_len(live),
        live.len()
    );
    if !live.marks.is_empty() {
        text.push_str(&format!(" · {} marked", live.marks.len()));
    }
    text
}

/// Draws the error lines above the status bar: the reason, HTTP status,
/// what it was about and the hint, wrapped (see
/// [`State::message_lines`](crate::app::State::message_lines)).
pub fn draw_error(frame: &mut Frame, area: Rect, lines: &[String]) {
    if area.height == 0 {
        return;
    }
    let lines: Vec<Line> = lines
        .iter()
        .map(|l| Line::styled(l.clone(), theme::status_error()))
        .collect();
    frame.render_widget(Paragraph::new(lines).style(theme::status_error()), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocked_text_is_honest() {
        assert_eq!(blocked_text(None, 0, false), "blocked: ?");
        assert_eq!(blocked_text(None, 2, false), "blocked: ? (2 known here)");
        assert_eq!(blocked_text(Some(7), 3, false), "blocked: 7 (3 known here)");
        assert_eq!(blocked_text(Some(3), 3, false), "blocked: 3");
        assert_eq!(
            blocked_text(Some(7), 7, true),
            "blocked: 7 (7 known to the team)"
        );
        assert_eq!(
            blocked_text(None, 2, true),
            "blocked: ? (2 known to the team)"
        );
        assert_eq!(blocked_text(Some(0), 0, true), "blocked: 0");
    }
}
