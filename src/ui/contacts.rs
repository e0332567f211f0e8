//! The contact table. Only the rows in the visible window are built, so a
//! frame costs the same with 100 or 100,000 contacts.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::theme;
use crate::app::State;
use crate::app::overlays::help::MARKED;
use crate::app::state::{Instance, Load, View};
use crate::keys::Command;
use crate::model::change::Change;
use crate::model::contacts::ContactRef;
use crate::model::filter::{Matching, highlight};
use crate::util::dates::age;
use crate::util::text::fit;

/// The block-state cell: pending, known state with age, or nothing.
fn block_cell<'a>(inst: &Instance, contact: &ContactRef<'_>, state: &State) -> Line<'a> {
    // The row's own toggle, or an item of the running batch.
    if let Some((sending, queued)) = state.sending_for(state.current, contact.jid()) {
        let mut text = format!(
            "{} {}…",
            theme::spinner(state.ticks),
            Change::of(sending).progressive()
        );
        if let Some(next) = queued {
            text.push_str(&format!(" then {}", Change::of(next).verb()));
        }
        return Line::styled(text, theme::pending());
    }
    // Two desks' answers that could not be ordered: said before any age.
    let contested = inst.contest_of(contact.jid(), contact.lid()).is_some();
    match inst.known_of(contact) {
        Some(k) if contested => Line::from(vec![
            Span::styled(Change::of(k.blocked).done_word(), theme::blocked()),
            Span::styled(" · contested", theme::bad()),
        ]),
        // The blocked view: who and why, where the word "blocked" is implied.
        Some(k) if k.blocked && state.view == View::Blocked => {
            let why = inst
                .why_of(contact.jid(), contact.lid())
                .map(|w| format!(" {}", w.words()))
                .unwrap_or_default();
            Line::from(vec![
                Span::styled("⊘", theme::blocked()),
                Span::styled(format!(" {}{why}", age(state.now, k.at)), theme::dim()),
            ])
        }
        Some(k) if k.blocked => Line::from(vec![
            Span::styled("⊘ blocked", theme::blocked()),
            Span::styled(format!(" {}", age(state.now, k.at)), theme::dim()),
        ]),
        Some(k) => Line::from(vec![
            Span::raw("unblocked"),
            Span::styled(format!(" {}", age(state.now, k.at)), theme::dim()),
        ]),
        None => Line::default(),
    }
}

/// The name cell: `~push name` dimmed, `(no name)` when there is none,
/// the characters the filter matched highlighted, cut to `width`.
fn name_cell<'a>(c: &ContactRef<'_>, width: usize, filter: &str, matching: Matching) -> Line<'a> {
    if c.name().is_empty() {
        return Line::styled("(no name)", theme::dim());
    }
    let base = if c.name_is_push() {
        theme::dim()
    } else {
        theme::text()
    };
    let shown = fit(&c.display_name(), width);
    let offset = usize::from(c.name_is_push());
    let hits = highlight(filter, matching, c.name());
    if hits.is_empty() && !filter.trim().is_empty() {
        // The match is in a name not shown (push, business…): say which,
        // highlighted, after the shown one.
        if let Some((other, other_hits)) = c
            .names()
            .filter(|n| *n != c.name())
            .map(|n| (n, highlight(filter, matching, n)))
            .find(|(_, h)| !h.is_empty())
        {
            let head = fit(&c.display_name(), width / 2);
            let room = width.saturating_sub(crate::util::text::width(&head) + 3);
            let mut spans = vec![Span::styled(head, base), Span::styled(" · ", theme::dim())];
            spans.extend(highlighted(&fit(other, room), &other_hits, 0, theme::dim()));
            return Line::from(spans);
        }
    }
    if hits.is_empty() {
        return Line::styled(shown, base);
    }
    Line::from(highlighted(&shown, &hits, offset, base))
}

/// `text` with the characters at `hits` (shifted by `offset`) marked.
fn highlighted<'a>(
    text: &str,
    hits: &[u32],
    offset: usize,
    base: ratatui::style::Style,
) -> Vec<Span<'a>> {
    text.chars()
        .enumerate()
        .map(|(i, ch)| {
            let hit = i >= offset && hits.binary_search(&((i - offset) as u32)).is_ok();
            let style = if hit {
                base.patch(theme::matched())
            } else {
                base
            };
            Span::styled(ch.to_string(), style)
        })
        .collect()
}

/// A centred message in the list area (loading, error, empty).
fn message(frame: &mut Frame, area: Rect, lines: Vec<Line<'_>>) {
    let top = area.height.saturating_sub(lines.len() as u16) / 2;
    let area = Rect {
        y: area.y + top,
        height: area.height - top,
        ..area
    };
    frame.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        area,
    );
}

/// What stands in for the table while there is no row to show: the
/// list loading, why it failed, or why nothing matches.
fn placeholder(state: &State) -> Option<Vec<Line<'static>>> {
    let inst = state.instance();
    match &inst.load {
        Load::NotStarted | Load::Loading => {
            let text = format!(
                "{} loading contacts of {}…",
                theme::spinner(state.ticks),
                inst.title()
            );
            return Some(vec![Line::styled(text, theme::dim())]);
        }
        Load::Failed(e) => {
            let mut lines = vec![
                Line::styled(
                    format!("The contacts of {} could not be loaded.", inst.title()),
                    theme::bad(),
                ),
                Line::raw(""),
                Line::raw(e.message.clone()),
            ];
            if let Some(status) = e.status {
                lines.push(Line::styled(format!("HTTP {status}"), theme::dim()));
            }
            lines.push(Line::raw(""));
            let refresh = state.keymap.label_of(Command::Refresh);
            lines.push(Line::raw(format!(
                "What to do: {}. Then press {refresh}.",
                e.hint
            )));
            return Some(lines);
        }
        Load::Loaded => {}
    }
    if !state.visible.is_empty() {
        return None;
    }
    let text = if inst.contacts.is_empty() {
        format!("{} has no synced contacts.", inst.title())
    } else if state.shown_generation < state.filter_generation {
        format!("{} filtering…", theme::spinner(state.ticks))
    } else if !state.filter.is_empty() {
        format!(
            "No contact matches \"{}\". {} clears the filter.",
            state.filter,
            state.keymap.label_of(Command::ClearFilter)
        )
    } else if state.view == View::Blocked {
        format!(
            "Nothing is known blocked here. Press {} to see every contact.",
            state.keymap.label_of(Command::BlockedView)
        )
    } else {
        "No contact to show.".to_string()
    };
    Some(vec![Line::styled(text, theme::dim())])
}

/// The widths of the number and state columns: narrower below 70
/// columns, where the state shows without its age.
fn column_widths(width: u16) -> (u16, u16, bool) {
    let wide = width >= 70;
    let (number_w, state_w) = if wide { (19, 24) } else { (17, 11) };
    (number_w, state_w, wide)
}

/// The cells of one row: mark and name, number, block state.
fn row_cells<'a>(
    state: &'a State,
    index: u32,
    name_w: usize,
    state_w: u16,
    wide: bool,
) -> Option<[Line<'a>; 3]> {
    let inst = state.instance();
    let c = inst.row(index)?;
    let mut name = if inst.is_outsider(index) {
        Line::styled(
            fit("not in contacts", name_w.saturating_sub(2)),
            theme::dim(),
        )
    } else {
        name_cell(
            &c,
            name_w.saturating_sub(2),
            &state.filter,
            state.matching(),
        )
    };
    let mark = if inst.marks.contains(c.jid()) {
        Span::styled(format!("{MARKED} "), theme::key())
    } else {
        Span::raw("  ")
    };
    name.spans.insert(0, mark);
    let mut block = block_cell(inst, &c, state);
    if !wide && state.view == View::Blocked {
        // Narrow, in the blocked view: as much of age, who and why as fits.
        let text: String = block.spans.iter().map(|s| s.content.as_ref()).collect();
        block = Line::styled(fit(&text, state_w as usize), theme::blocked());
    } else if !wide {
        // Narrow: the state word only, without its age.
        block.spans.truncate(1);
        if let Some(first) = block.spans.first_mut() {
            first.content = fit(&first.content, state_w as usize).into();
        }
    }
    Some([
        name,
        Line::from(Span::styled(c.number(), theme::dim())),
        block,
    ])
}

/// Where the columns go: the highlight symbol (when a row is selected),
/// then name, number and state, one column apart.
fn columns(area: Rect, number_w: u16, state_w: u16, selected: bool) -> [Rect; 3] {
    let symbol_w = if selected {
        super::rows::HIGHLIGHT.chars().count() as u16
    } else {
        0
    };
    let rest = Rect {
        x: area.x + symbol_w.min(area.width),
        width: area.width.saturating_sub(symbol_w),
        ..area
    };
    Layout::horizontal([
        Constraint::Min(8),
        Constraint::Length(number_w),
        Constraint::Length(state_w),
    ])
    .spacing(1)
    .areas(rest)
}

/// Draws the table, or what stands in for it. Rows are written straight
/// into the buffer, a line per cell: a table widget styles every cell
/// of every row, which costs more than the text itself.
pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    if let Some(lines) = placeholder(state) {
        return message(frame, area, lines);
    }
    let (number_w, state_w, wide) = column_widths(area.width);
    let name_w = area.width.saturating_sub(number_w + state_w + 3 + 2) as usize;
    let rows_on_screen = area.height.saturating_sub(1) as usize;
    let offset = crate::app::layout::window(
        state.selected,
        state.offset,
        rows_on_screen,
        state.visible.len(),
    );
    let end = (offset + rows_on_screen).min(state.visible.len());
    // No highlight when no row is selected.
    let selected = (state.selected < state.visible.len()).then_some(state.selected);
    let cols = columns(area, number_w, state_w, selected.is_some());
    let buf = frame.buffer_mut();
    if area.height == 0 {
        return;
    }
    let header_row = Rect { height: 1, ..area };
    buf.set_style(header_row, theme::header());
    for (col, title) in cols.iter().zip(["  Name", "Number", "Block state"]) {
        buf.set_stringn(col.x, area.y, title, col.width as usize, theme::header());
    }
    for (n, &index) in state.visible[offset.min(end)..end].iter().enumerate() {
        let y = area.y + 1 + n as u16;
        let Some(cells) = row_cells(state, index, name_w, state_w, wide) else {
            continue;
        };
        for (col, line) in cols.iter().zip(&cells) {
            buf.set_line(col.x, y, line, col.width);
        }
        if selected == Some(offset + n) {
            super::rows::mark_selected(buf, area, y);
        }
    }
}
