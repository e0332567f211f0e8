//! The Blocklist view (`T`): a summary line, then the entries newest
//! first: number (as its country writes it, or the `@lid`), reason,
//! source, when it expires, and on how many of our numbers it is known
//! blocked; or, after `p`, the plan per instance. Columns give way on a
//! narrow terminal and are cut with `…`; only the rows on screen are
//! built. Also the offer of expired blocks.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::dialog::{Offer, draw_offer};
use super::theme;
use crate::app::State;
use crate::app::list_view::plan_view::{self, Tone};
use crate::app::list_view::rows::{coverage, expiry};
use crate::app::overlays::expired::ExpiredOffer;
use crate::keys::Command;
use crate::model::blocklist::{Entry, jid_of};
use crate::model::number::shown_jid;
use crate::util::text::{fit, width};

/// Column widths: (number, source, expiry, coverage); 0 leaves a column
/// out; the reason takes the rest.
fn widths(total: u16) -> [usize; 4] {
    match total {
        110.. => [20, 12, 10, 25],
        80..=109 => [17, 8, 8, 17],
        60..=79 => [17, 0, 8, 6],
        _ => [17, 0, 7, 3],
    }
}

/// The coverage cell in `room` columns: `blocked on 3 of 4 numbers`,
/// `blocked on 3 of 4`, `3 of 4`, `3/4`.
fn coverage_cell(blocked: usize, of: usize, room: usize) -> String {
    [
        format!("blocked on {blocked} of {of} numbers"),
        format!("blocked on {blocked} of {of}"),
        format!("{blocked} of {of}"),
        format!("{blocked}/{of}"),
    ]
    .into_iter()
    .find(|t| width(t) <= room)
    .unwrap_or_else(|| fit(&format!("{blocked}/{of}"), room))
}

/// A cell: `text` cut with `…` and padded to `w` columns, then a space.
fn cell(text: &str, w: usize) -> String {
    let text = fit(text, w);
    let pad = w.saturating_sub(width(&text));
    format!("{text}{} ", " ".repeat(pad))
}

/// One entry's line.
fn row_line(state: &State, e: &Entry, cols: [usize; 4], reason_w: usize) -> Line<'static> {
    let [number_w, source_w, expiry_w, cover_w] = cols;
    let expires = expiry(e, state.now);
    let expired = expires == "expired";
    let mut spans = vec![
        Span::styled(
            cell(&shown_jid(&jid_of(&e.target)), number_w),
            theme::text(),
        ),
        Span::raw(cell(e.reason.as_deref().unwrap_or("-"), reason_w)),
    ];
    if source_w > 0 {
        spans.push(Span::styled(cell(&e.source, source_w), theme::dim()));
    }
    let style = if expired { theme::bad() } else { theme::dim() };
    spans.push(Span::styled(cell(&expires, expiry_w), style));
    let (blocked, of) = coverage(state, e);
    let style = if blocked == of && !expired {
        theme::blocked()
    } else {
        theme::pending()
    };
    spans.push(Span::styled(coverage_cell(blocked, of, cover_w), style));
    let line = Line::from(spans);
    if expired {
        line.patch_style(theme::dim())
    } else {
        line
    }
}

/// The column header.
fn header(cols: [usize; 4], reason_w: usize) -> String {
    let [number_w, source_w, expiry_w, cover_w] = cols;
    let mut text = format!("  {}{}", cell("Number", number_w), cell("Reason", reason_w));
    if source_w > 0 {
        text.push_str(&cell("Source", source_w));
    }
    text.push_str(&cell("Expires", expiry_w));
    text.push_str(&fit("Coverage", cover_w));
    text
}

/// The summary line: how many entries, how many expired, what shows.
fn summary(state: &State) -> String {
    let list = &state.blocklist;
    let Some(entries) = &list.entries else {
        return match &list.error {
            Some(e) => e.clone(),
            None => "Blocklist · reading it from the ledger…".to_string(),
        };
    };
    let kept = entries.iter().filter(|e| e.removed.is_none()).count();
    let expired = entries
        .iter()
        .filter(|e| e.removed.is_none() && !e.is_active(state.now))
        .count();
    let noun = if kept == 1 { "entry" } else { "entries" };
    let mut text = format!("Blocklist · {kept} {noun}");
    if expired > 0 {
        text.push_str(&format!(" · {expired} expired"));
    }
    let view = &state.list_view;
    if !view.filter.is_empty() {
        text.push_str(&format!(" · {} shown", view.rows.len()));
    }
    let plan = state.keymap.label_of(Command::ListPlan);
    text.push_str(&format!(" · {plan} shows the plan"));
    text
}

/// Draws the Blocklist view in the list's area.
pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    if state.list_view.plan_shown {
        return draw_plan(frame, area, state);
    }
    let buf = frame.buffer_mut();
    buf.set_stringn(
        area.x,
        area.y,
        fit(&summary(state), area.width.into()),
        area.width.into(),
        theme::header(),
    );
    if area.height < 2 {
        return;
    }
    let cols = widths(area.width);
    let fixed: usize = 2 + cols
        .iter()
        .map(|w| if *w > 0 { w + 1 } else { 0 })
        .sum::<usize>();
    let reason_w = usize::from(area.width).saturating_sub(fixed).max(4);
    let head = Rect {
        y: area.y + 1,
        height: 1,
        ..area
    };
    buf.set_style(head, theme::header());
    buf.set_stringn(
        area.x,
        head.y,
        header(cols, reason_w),
        area.width.into(),
        theme::header(),
    );
    let rows = Rect {
        y: area.y + 2,
        height: area.height - 2,
        ..area
    };
    if state.list_view.rows.is_empty() {
        return placeholder(frame, rows, state);
    }
    draw_rows(frame, rows, state, (cols, reason_w));
}

/// The entries on screen, from the view's window; the selected one
/// highlighted.
fn draw_rows(frame: &mut Frame, rows: Rect, state: &State, (cols, reason_w): ([usize; 4], usize)) {
    let area = rows;
    let view = &state.list_view;
    let entries = state.blocklist.entries.as_deref().unwrap_or_default();
    for n in 0..usize::from(rows.height) {
        let at = view.offset + n;
        let Some(e) = view.rows.get(at).and_then(|&i| entries.get(i)) else {
            break;
        };
        let y = rows.y + n as u16;
        let line = row_line(state, e, cols, reason_w);
        let buf = frame.buffer_mut();
        buf.set_line(area.x + 2, y, &line, area.width.saturating_sub(2));
        if at == view.selected {
            super::rows::mark_selected(buf, area, y);
        }
    }
}

/// What stands in for the rows: an empty list, or nothing matching.
fn placeholder(frame: &mut Frame, area: Rect, state: &State) {
    let add = state.keymap.label_of(Command::ListAdd);
    let text = if !state.list_view.filter.is_empty() {
        format!(
            "No entry matches \"{}\". {} clears the filter.",
            state.list_view.filter,
            state.keymap.label_of(Command::ClearFilter)
        )
    } else if state.blocklist.entries.is_some() {
        format!("The blocklist is empty: {add} on a contact or a live row adds it.")
    } else {
        String::new()
    };
    super::rows::placeholder(frame, area, text);
}

/// Draws the plan: its head line, then each instance and its steps,
/// scrolled.
fn draw_plan(frame: &mut Frame, area: Rect, state: &State) {
    let lines = plan_view::lines(state);
    let buf = frame.buffer_mut();
    for (n, (tone, text)) in lines
        .iter()
        .skip(state.list_view.plan_offset)
        .take(area.height.into())
        .enumerate()
    {
        let style = match tone {
            Tone::Head => theme::header(),
            Tone::Instance => theme::key(),
            Tone::Send => theme::text(),
            Tone::Held => theme::dim(),
        };
        buf.set_stringn(
            area.x,
            area.y + n as u16,
            fit(text, area.width.into()),
            area.width.into(),
            style,
        );
    }
}

/// The footer's keys in the view, from the keymap in force, most useful
/// first, each one that fits in `room` columns.
pub fn footer_spans(state: &State, room: usize) -> Vec<Span<'static>> {
    let view = &state.list_view;
    let mut hints: Vec<(Command, &str)> = if view.plan_shown {
        let sends = state.blocklist.plan.as_ref().is_some_and(|p| p.sends());
        let mut h = Vec::new();
        if sends {
            h.push((Command::ListApply, "apply"));
        }
        h.push((Command::ListPlan, "entries"));
        h
    } else {
        vec![(Command::ListPlan, "plan"), (Command::Filter, "filter")]
    };
    hints.extend([
        (Command::Blocklist, "contacts"),
        (Command::Help, "help"),
        (Command::Quit, "quit"),
        (Command::Refresh, "refresh"),
    ]);
    super::rows::footer(state, &view.filter, &hints, room)
}

/// Draws the offer to unblock what expired (Later has the focus first).
pub fn draw_expired(frame: &mut Frame, area: Rect, state: &State, offer: &ExpiredOffer) {
    let offered = Offer {
        title: &offer.title(),
        text: &offer.text(state),
        buttons: ("Later", "Show the plan"),
        keys: ("plan", "later"),
        confirm_focused: offer.confirm_focused,
    };
    draw_offer(frame, area, state, offered);
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::KeyCode;

    use crate::app::Effect;
    use crate::app::State;
    use crate::app::testing::update;
    use crate::model::blocklist::Entry;
    use crate::protocol::{Job, JobResult, LedgerRead, Msg};
    use crate::ui::tests::{NOW, demo_state, key, render, text};

    fn entry(target: &str, reason: &str, source: &str, expires: Option<i64>) -> Entry {
        Entry {
            target: target.into(),
            reason: Some(reason.into()),
            source: source.into(),
            operator: Some("desk-1".into()),
            added: NOW - 3_600,
            expires,
            removed: None,
        }
    }

    /// What the ledger answers: the list, and what lookups recall
    /// (nothing).
    fn answer(s: &mut State, effects: Vec<crate::app::Effect>) {
        for effect in effects {
            let result = match effect {
                Effect::Job(Job::Read(LedgerRead::Blocklist)) => JobResult::Blocklist(Ok((
                    vec![
                        entry("5511911110001", "spam wave", "manual", None),
                        entry(
                            "6281234567890",
                            "fraude: pede Pix adiantado para liberar prêmio",
                            "feed-antifraude",
                            Some(NOW + 3 * 86_400),
                        ),
                        entry("123456789012345@lid", "ameaças", "manual", None),
                        entry("447911123456", "golpe", "import", Some(NOW - 60)),
                    ],
                    Vec::new(),
                ))),
                Effect::Job(Job::Read(LedgerRead::Identities { numbers })) => {
                    JobResult::Identities {
                        numbers,
                        result: Ok(Vec::new()),
                    }
                }
                Effect::Job(Job::Api(crate::protocol::ApiCall::LoadInstances)) => {
                    JobResult::Instances {
                        states: Vec::new(),
                        complete: true,
                    }
                }
                _ => continue,
            };
            let next = update(s, Msg::Worker(result));
            answer(s, next);
        }
    }

    /// The demo state on the Blocklist view, its list read.
    fn list_state() -> State {
        let mut s = demo_state();
        s.blocklist.loading = false;
        let effects = update(&mut s, key(KeyCode::Char('T')));
        answer(&mut s, effects);
        s
    }

    #[test]
    fn the_view_at_80x24_and_40x10() {
        let mut s = list_state();
        let standard = text(&render(&mut s, 80, 24));
        assert!(
            standard.contains("Blocklist · 4 entries · 1 expired"),
            "{standard}"
        );
        assert!(
            standard.contains("+55 11 91111-0001 spam wave"),
            "the number as its country writes it: {standard}"
        );
        assert!(
            standard.contains("blocked on 1 of 3"),
            "Ana on sales: {standard}"
        );
        assert!(standard.contains("in 3 d"), "{standard}");
        assert!(standard.contains("expired"), "{standard}");
        assert!(
            standard.contains("fraude: pede Pix adiant…"),
            "cut with …: {standard}"
        );
        insta::assert_snapshot!("blocklist_80x24", standard);
        let tiny = text(&render(&mut s, 40, 10));
        assert_eq!(tiny.lines().count(), 10);
        assert!(tiny.contains("+62 812-3456-7890"), "{tiny}");
        assert!(tiny.contains("1/3"), "{tiny}");
        insta::assert_snapshot!("blocklist_40x10", tiny);
        for c in "/golpe".chars() {
            update(&mut s, key(KeyCode::Char(c)));
        }
        update(&mut s, key(KeyCode::Enter));
        let filtered = text(&render(&mut s, 80, 24));
        assert!(
            filtered.contains("filter: golpe (Esc clears)"),
            "{filtered}"
        );
        assert!(filtered.contains("+44 7911 123456"), "{filtered}");
        assert!(!filtered.contains("+55 11 91111-0001"), "{filtered}");
        assert!(
            filtered.contains("│ blocklist: 1 of 4 │"),
            "the status bar counts entries, not contacts: {filtered}"
        );
    }

    #[test]
    fn w_says_tab_chooses_a_reason_and_enter_adds_once_it_asks_until_when() {
        let mut s = demo_state();
        for c in ['W', 's', 'p', 'a', 'm'] {
            update(&mut s, key(KeyCode::Char(c)));
        }
        let why = text(&render(&mut s, 80, 24));
        assert!(
            why.contains("Why? spam") && why.contains("Tab choose"),
            "{why}"
        );
        update(&mut s, key(KeyCode::Enter));
        let until = text(&render(&mut s, 80, 24));
        assert!(until.contains("Until?"), "{until}");
        assert!(until.contains("Enter add"), "{until}");
        assert!(!until.contains("Tab choose"), "nothing to choose: {until}");
    }

    #[test]
    fn the_plan_at_80x24_and_40x10() {
        let mut s = list_state();
        let effects = update(&mut s, key(KeyCode::Char('p')));
        answer(&mut s, effects);
        let standard = text(&render(&mut s, 80, 24));
        assert!(
            standard.contains("change(s) to send · y applies it"),
            "{standard}"
        );
        assert!(
            standard
                .contains("  block 3: 123456789012345@lid, +55 11 91111-0001, +62 812-3456-7890"),
            "support: three to block, named: {standard}"
        );
        assert!(
            standard.contains("unreachable 3:"),
            "marketing is disconnected: {standard}"
        );
        assert!(standard.contains("y apply"), "the footer: {standard}");
        insta::assert_snapshot!("blocklist_plan_80x24", standard);
        let tiny = text(&render(&mut s, 40, 10));
        assert_eq!(tiny.lines().count(), 10);
        assert!(tiny.contains("Plan "), "{tiny}");
        insta::assert_snapshot!("blocklist_plan_40x10", tiny);
        for _ in 0..20 {
            update(&mut s, key(KeyCode::Char('j')));
        }
        let scrolled = text(&render(&mut s, 40, 10));
        assert!(
            scrolled.contains("marketing"),
            "the plan scrolls: {scrolled}"
        );
    }

    #[test]
    fn the_offer_of_expired_blocks_names_them_with_later_focused() {
        let mut s = demo_state();
        s.blocklist.loading = false;
        s.instances[1].remember(
            "447911123456@s.whatsapp.net",
            None,
            crate::app::state::Known {
                blocked: true,
                at: NOW - 500,
            },
        );
        update(
            &mut s,
            Msg::Worker(JobResult::Blocklist(Ok((
                vec![entry("447911123456", "golpe", "import", Some(NOW - 60))],
                vec![("support".into(), "447911123456@s.whatsapp.net".into())],
            )))),
        );
        let shown = text(&render(&mut s, 80, 24));
        assert!(shown.contains("1 block expired: unblock?"), "{shown}");
        assert!(shown.contains("support: 1 (+44 7911 123456)"), "{shown}");
        assert!(shown.contains("[ Later ]"), "{shown}");
        let tiny = text(&render(&mut s, 40, 10));
        assert!(tiny.contains("unblock?"), "{tiny}");
    }
}
