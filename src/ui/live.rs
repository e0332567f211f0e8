//! The Live view (`L`): a summary and each feed that is not open, then
//! the incoming messages of every instance, newest first: time ·
//! instance · sender (name, and the number as its country writes it, or
//! the `@lid`) · the first line of the text (`⚑` and the reason first
//! when flagged) · on how many of our numbers the sender wrote lately ·
//! what is known of it (blocked where, a contact where). Groups and
//! channels say they cannot be blocked. Only the rows on screen are
//! built.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::theme;
use crate::app::State;
use crate::app::live::feed::{Row, What};
use crate::app::live::{view, words};
use crate::app::overlays::help::MARKED;
use crate::keys::Command;
use crate::model::flags::Flag;
use crate::util::dates::clock;
use crate::util::text::{fit, width};

/// Column widths: (time, instance, sender, reach, known); 0 leaves a
/// column out.
fn widths(total: u16) -> [usize; 5] {
    match total {
        120.. => [8, 10, 30, 4, 16],
        100..=119 => [8, 9, 26, 4, 14],
        70..=99 => [5, 7, 17, 4, 9],
        50..=69 => [0, 6, 17, 4, 0],
        _ => [0, 4, 17, 0, 0],
    }
}

/// How a flag reads on a row: `wave`, `deny +62`, `"pix"`.
fn short(flag: &Flag) -> String {
    match flag {
        Flag::Wave { .. } => "wave".to_string(),
        Flag::Denied(what) => format!("deny {what}"),
        Flag::Keyword(word) => format!("\"{word}\""),
    }
}

/// The sender cell: the name and the number, the number keeping its
/// room; the name only where a few of its letters fit (else the text
/// cell starts with it). Returns the cell and whether the name is in it.
fn sender_cell(row: &Row, room: usize) -> (String, bool) {
    match &row.what {
        What::State(_) => (fit("● instance state", room), true),
        What::Message(m) => {
            let number = words::number(&m.sender);
            match &m.sender.name {
                Some(name) if width(&number) + 8 <= room => {
                    let name = fit(name, room - width(&number) - 1);
                    (format!("{name} {number}"), true)
                }
                Some(_) => (fit(&number, room), false),
                None => (fit(&number, room), true),
            }
        }
    }
}

/// The text cell: `⚑ wave · ` first when flagged; the sender's name when
/// the sender cell had no room for it; a group's or channel's name and
/// `not blockable`; a state's word.
fn text_spans(row: &Row, name_shown: bool) -> Vec<Span<'static>> {
    let Some(m) = row.message() else {
        let What::State(word) = &row.what else {
            return Vec::new();
        };
        return vec![Span::styled(
            format!("connection: {word}"),
            theme::pending(),
        )];
    };
    let mut spans = Vec::new();
    if row.is_flagged() {
        let reasons: Vec<String> = row.flags.iter().map(short).collect();
        spans.push(Span::styled(
            format!("⚑ {} · ", reasons.join(", ")),
            theme::bad(),
        ));
    }
    if !m.chat.is_blockable() {
        let name = m
            .chat_name
            .as_deref()
            .map(|n| format!(" {n}"))
            .unwrap_or_default();
        spans.push(Span::styled(
            format!("[not blockable: {}{name}] ", m.chat.word()),
            theme::dim(),
        ));
    }
    if let (false, Some(name)) = (name_shown, &m.sender.name) {
        spans.push(Span::styled(format!("{name}: "), theme::dim()));
    }
    spans.push(Span::raw(m.first_line().to_string()));
    spans
}

/// The cells of one row, left to right, each (text or spans, width).
fn row_line(state: &State, row: &Row, cols: [usize; 5], text_w: usize) -> Line<'static> {
    let [time_w, inst_w, sender_w, reach_w, known_w] = cols;
    let live = &state.live;
    let marked = row.sender_key().is_some_and(|k| live.marks.contains(k));
    let mut spans = vec![
        Span::styled(if marked { MARKED } else { " " }, theme::key()),
        Span::styled(if row.is_flagged() { "⚑ " } else { "  " }, theme::bad()),
    ];
    if time_w > 0 {
        let time = clock(row.at);
        let time = time.get(..time_w).unwrap_or(&time);
        spans.push(Span::styled(format!("{time:<time_w$} "), theme::dim()));
    }
    let inst = state
        .instances
        .get(row.instance)
        .map_or("", |i| i.name.as_str());
    spans.push(Span::raw(format!("{:<inst_w$} ", fit(inst, inst_w))));
    let (sender, name_shown) = sender_cell(row, sender_w);
    let pad = sender_w.saturating_sub(width(&sender));
    let style = if row.message().is_some() {
        theme::text()
    } else {
        theme::dim()
    };
    spans.push(Span::styled(format!("{sender}{} ", " ".repeat(pad)), style));
    spans.extend(fit_spans(text_spans(row, name_shown), text_w));
    if reach_w > 0 {
        let reach = row
            .sender_key()
            .map(|k| format!("{}/{}", live.reach(k, state.now), state.instances.len()))
            .unwrap_or_default();
        spans.push(Span::styled(format!(" {reach:>reach_w$}"), theme::dim()));
    }
    if known_w > 0 {
        let known = fit(&words::known_short(state, row), known_w);
        let style = if known.starts_with('⊘') {
            theme::blocked()
        } else {
            theme::dim()
        };
        spans.push(Span::raw(" "));
        spans.push(Span::styled(known, style));
    }
    Line::from(spans)
}

/// `spans` cut or padded to exactly `room` columns.
fn fit_spans(spans: Vec<Span<'static>>, room: usize) -> Vec<Span<'static>> {
    let mut used = 0;
    let mut out = Vec::new();
    for span in spans {
        let left = room.saturating_sub(used);
        if left == 0 {
            break;
        }
        let text = fit(&span.content, left);
        used += width(&text);
        out.push(Span::styled(text, span.style));
    }
    out.push(Span::raw(" ".repeat(room.saturating_sub(used))));
    out
}

/// The column header.
fn header(cols: [usize; 5], text_w: usize) -> String {
    let [time_w, inst_w, sender_w, reach_w, known_w] = cols;
    let mut text = "     ".to_string();
    if time_w > 0 {
        text.push_str(&format!("{:<time_w$} ", "UTC"));
    }
    text.push_str(&format!(
        "{:<inst_w$} {:<sender_w$} {:<text_w$}",
        "On", "From", "Message"
    ));
    if reach_w > 0 {
        text.push_str(&format!(" {:>reach_w$}", fit("Ours", reach_w)));
    }
    if known_w > 0 {
        text.push_str(&format!(" {:<known_w$}", "Known"));
    }
    text
}

/// Draws the Live view in the list's area.
pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let (rows_on_screen, health) = view::layout(state);
    let top = draw_health(frame.buffer_mut(), area, &health);
    if top >= area.y + area.height {
        return;
    }
    let cols = widths(area.width);
    // The highlight, the mark and flag, then each column and its space.
    let fixed: usize = 5 + cols
        .iter()
        .map(|w| if *w > 0 { w + 1 } else { 0 })
        .sum::<usize>();
    let text_w = (area.width as usize).saturating_sub(fixed).max(4);
    let head = Rect {
        y: top,
        height: 1,
        ..area
    };
    let buf = frame.buffer_mut();
    buf.set_style(head, theme::header());
    buf.set_stringn(
        area.x,
        top,
        header(cols, text_w),
        area.width as usize,
        theme::header(),
    );
    if view::shown_len(&state.live) == 0 {
        let rest = Rect {
            y: top + 1,
            height: area.height.saturating_sub(health.len() as u16 + 1),
            ..area
        };
        return placeholder(frame, rest, state);
    }
    let rows = Rect {
        y: top + 1,
        height: (area.y + area.height).saturating_sub(top + 1),
        ..area
    };
    draw_rows(frame, rows, state, (cols, text_w), rows_on_screen);
}

/// The feeds' health lines at the top of `area`; the row below them.
fn draw_health(buf: &mut Buffer, area: Rect, health: &[String]) -> u16 {
    for (n, line) in health.iter().enumerate().take(area.height as usize) {
        let style = if n == 0 {
            theme::header()
        } else {
            theme::pending()
        };
        buf.set_stringn(
            area.x,
            area.y + n as u16,
            fit(line, area.width as usize),
            area.width as usize,
            style,
        );
    }
    area.y + health.len() as u16
}

/// The rows of the feed in `area`, scrolled to keep the selection seen.
fn draw_rows(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    (cols, text_w): ([usize; 5], usize),
    rows_on_screen: usize,
) {
    let live = &state.live;
    let len = view::shown_len(live);
    let selected = view::selected_pos(live);
    let offset =
        crate::app::layout::window(selected.unwrap_or(0), live.view.offset, rows_on_screen, len);
    for n in 0..rows_on_screen.min(len - offset.min(len)) {
        let y = area.y + n as u16;
        if y >= area.y + area.height {
            break;
        }
        let Some(row) = view::seq_at(live, offset + n).and_then(|seq| live.row(seq)) else {
            continue;
        };
        let mut line = row_line(state, row, cols, text_w);
        if !row.is_blockable() {
            line = line.patch_style(theme::dim());
        }
        let buf = frame.buffer_mut();
        buf.set_line(area.x + 2, y, &line, area.width.saturating_sub(2));
        if selected == Some(offset + n) {
            super::rows::mark_selected(buf, area, y);
        }
    }
}

/// What stands in for the rows: waiting for the first message, or
/// nothing that matches the filter.
fn placeholder(frame: &mut Frame, area: Rect, state: &State) {
    let live = &state.live;
    let text = if !live.view.filter.is_empty() {
        format!(
            "No live message matches \"{}\". {} clears the filter.",
            live.view.filter,
            state.keymap.label_of(Command::ClearFilter)
        )
    } else if live.health.iter().any(|h| h.status.is_open()) {
        "Waiting for messages: they show here as they come, newest first.".to_string()
    } else {
        "No live feed is open yet: the lines above say why.".to_string()
    };
    super::rows::placeholder(frame, area, text);
}

/// The footer's keys in the Live view, from the keymap in force, most
/// useful first, each one that fits in `room` columns.
pub fn footer_spans(state: &State, room: usize) -> Vec<Span<'static>> {
    let marked = !state.live.marks.is_empty();
    let block = if marked {
        "block marked"
    } else {
        "block sender"
    };
    let mut hints: Vec<(Command, &str)> =
        vec![(Command::BulkBlock, block), (Command::Mark, "mark")];
    if state.live.health.iter().any(|h| h.needs_enabling()) {
        hints.push((Command::EnableLive, "enable feed"));
    }
    hints.extend([
        (Command::Filter, "filter"),
        (Command::Details, "details"),
        (Command::Live, "contacts"),
        (Command::Help, "help"),
        (Command::Quit, "quit"),
        (Command::MarkAll, "mark shown"),
    ]);
    super::rows::footer(state, &state.live.view.filter, &hints, room)
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::KeyCode;

    use crate::api::SocketConfig;
    use crate::app::State;
    use crate::app::testing::update;
    use crate::model::live::{ChatKind, LiveEvent};
    use crate::protocol::{FeedStatus, LiveMsg, Msg};
    use crate::ui::tests::{NOW, demo_state, key, render, text};

    fn arrives(
        s: &mut State,
        instance: usize,
        digits: &str,
        name: Option<&str>,
        text: &str,
        chat: ChatKind,
    ) {
        let m = crate::app::testing::incoming(digits, name, text, chat, NOW);
        let event = LiveEvent::Message(m);
        update(
            s,
            Msg::Live(LiveMsg::Event {
                instance,
                event,
                received: NOW,
            }),
        );
    }

    /// The demo state with every feed open but marketing's (paused), a
    /// wave, a contact, a group, and the Live view shown.
    fn live_state() -> State {
        let mut s = demo_state();
        // Support's and marketing's address books are in (empty): their
        // strangers count.
        for instance in [1, 2] {
            update(
                &mut s,
                Msg::Worker(crate::protocol::JobResult::Contacts {
                    instance,
                    result: Ok(std::sync::Arc::new(crate::api::contacts::store_from(
                        Vec::new(),
                    ))),
                }),
            );
        }
        for instance in 0..3 {
            let status = if instance == 2 {
                FeedStatus::Paused {
                    retry_at: NOW + 8,
                    why: "connection lost (reset)".into(),
                }
            } else {
                FeedStatus::Open
            };
            update(&mut s, Msg::Live(LiveMsg::Feed { instance, status }));
        }
        arrives(
            &mut s,
            0,
            "5511911110001",
            Some("Ana"),
            "Bom dia! Vocês abrem amanhã?",
            ChatKind::Private,
        );
        arrives(
            &mut s,
            1,
            "5511955550000",
            Some("Tio Zé"),
            "Foto do almoço",
            ChatKind::Group,
        );
        for instance in [0, 1, 2] {
            arrives(
                &mut s,
                instance,
                "6281234567890",
                Some("Promoções Top 🔥"),
                "Ganhe R$ 500 por dia!\nClique aqui",
                ChatKind::Private,
            );
        }
        arrives(
            &mut s,
            1,
            "447911123456",
            None,
            "Guaranteed 30% a month",
            ChatKind::Private,
        );
        update(&mut s, key(KeyCode::Char('L')));
        s
    }

    #[test]
    fn the_live_view_at_80x24_120x40_and_40x10() {
        let mut s = live_state();
        let wide = text(&render(&mut s, 120, 40));
        assert!(
            wide.contains("Promoções T… +62 812-3456-7890"),
            "the name cut, the number whole: {wide}"
        );
        assert!(wide.contains("⚑ wave · Ganhe R$ 500 por dia!"), "{wide}");
        assert!(!wide.contains("Clique aqui"), "the first line only");
        assert!(wide.contains("[not blockable: group Família]"), "{wide}");
        assert!(wide.contains("3/3"), "on all three numbers");
        assert!(
            wide.contains("⊘ sales"),
            "the ledger knows Ana blocked on sales"
        );
        assert!(
            wide.contains(
                "live feed of marketing paused: reconnecting in 8 s (connection lost (reset))"
            ),
            "{wide}"
        );
        insta::assert_snapshot!("live_120x40", wide);
        let standard = text(&render(&mut s, 80, 24));
        assert!(standard.contains("+62 812-3456-7890"));
        assert!(
            standard.contains("B block sender"),
            "the footer names the keys in force"
        );
        insta::assert_snapshot!("live_80x24", standard);
        let tiny = text(&render(&mut s, 40, 10));
        assert!(tiny.contains("+44 7911 123456"), "{tiny}");
        assert_eq!(tiny.lines().count(), 10);
        insta::assert_snapshot!("live_40x10", tiny);
        for c in "/wave".chars() {
            update(&mut s, key(KeyCode::Char(c)));
        }
        update(&mut s, key(KeyCode::Enter));
        let filtered = text(&render(&mut s, 80, 24));
        assert!(filtered.contains("filter: wave (Esc clears)"), "{filtered}");
        assert_eq!(
            filtered.matches("⚑ wave ·").count(),
            3,
            "the wave's rows only: {filtered}"
        );
    }

    #[test]
    fn a_marked_sender_wears_the_lists_mark_never_the_connected_dot() {
        let mut s = live_state();
        update(&mut s, key(KeyCode::Char(' ')));
        let shown = text(&render(&mut s, 80, 24));
        let row = shown
            .lines()
            .find(|l| l.contains("+44 7911 123456"))
            .unwrap_or_default()
            .to_string();
        assert!(row.contains('◆'), "{row}");
        assert!(!row.contains('●'), "{row}");
    }

    #[test]
    fn details_say_who_wrote_why_it_is_flagged_and_what_is_known() {
        let mut s = live_state();
        update(&mut s, key(KeyCode::Char('j')));
        update(&mut s, key(KeyCode::Enter));
        let shown = text(&render(&mut s, 80, 40));
        for part in [
            "E.164      +6281234567890",
            "JID        6281234567890@s.whatsapp.net",
            "private: the sender can be blocked",
            "⚑ spam wave: 3 of our numbers in 10 min",
            "wrote to 3 of our numbers in the last 10 min",
            "sales: nothing known",
            "Ganhe R$ 500 por dia!",
            "Clique aqui",
        ] {
            assert!(shown.contains(part), "{part:?} in\n{shown}");
        }
    }

    #[test]
    fn the_offer_to_enable_names_what_changes_with_cancel_focused() {
        let mut s = live_state();
        update(
            &mut s,
            Msg::Worker(crate::protocol::JobResult::SocketConfig {
                instance: 2,
                enabling: false,
                result: Ok(SocketConfig::Enabled {
                    events: vec!["message.status".into()],
                    media_base64: false,
                }),
            }),
        );
        let footer = text(&render(&mut s, 80, 24));
        assert!(footer.contains("E enable feed"), "{footer}");
        update(&mut s, key(KeyCode::Char('E')));
        let shown = text(&render(&mut s, 80, 24));
        assert!(
            shown.contains("marketing: now enabled without message.exchange and"),
            "{shown}"
        );
        assert!(shown.contains("[ Cancel ]"), "{shown}");
        assert!(
            shown.contains("event types another consumer reads stay"),
            "{shown}"
        );
    }
}
