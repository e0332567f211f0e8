//! The bulk dialog (`B`/`U`): how many, who (every name, scrolling when
//! they do not all fit), the instance picker, what happens on each chosen
//! instance, and the buttons. The terminal's rows are shared as
//! [`bulk_rows`] says, so the count and the buttons always show.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::dialog::{DIALOG_WIDTH, button, count, framed, keys_line};
use super::theme;
use crate::app::State;
use crate::app::layout::{BulkRows, bulk_rows};
use crate::app::overlays::targets::{BatchDialog, DialogFocus};
use crate::keys::DialogAction;
use crate::util::text::{fit, shorten, width};

/// Draws the bulk dialog.
pub fn draw_batch(frame: &mut Frame, area: Rect, state: &State, d: &BatchDialog) {
    let verb = if d.block { "Block" } else { "Unblock" };
    let what = count(
        d.targets.len(),
        if d.from_live { "sender" } else { "contact" },
    );
    let on = count(d.chosen.iter().filter(|c| **c).count(), "instance");
    // Every line is cut to the box, never wrapped: the box is as tall as
    // its lines, so the buttons stay in it.
    let inner = usize::from(DIALOG_WIDTH.min(area.width).saturating_sub(2));
    let rows = bulk_rows(
        area.height,
        d.names.len(),
        d.chosen.len(),
        d.per_instance.len().max(1),
    );
    let gap = || rows.gaps.then(|| Line::raw(""));
    let mut lines = vec![Line::raw(fit(&format!("{verb} {what} on {on}:"), inner))];
    lines.extend(name_lines(d, rows.names, inner));
    lines.extend(gap());
    lines.extend(picker_lines(state, d, rows.picker, inner));
    lines.extend(plan_lines(d, rows.plan, inner));
    lines.extend(gap());
    lines.push(Line::from(vec![
        button("Cancel".into(), d.focus == DialogFocus::Cancel),
        Span::raw("   "),
        button(format!("{verb} {what}"), d.focus == DialogFocus::Confirm),
    ]));
    if rows.keys {
        lines.push(keys(state, d, &rows, inner));
    }
    framed(frame, area, &format!("{verb}?"), lines, DIALOG_WIDTH);
}

/// The names in the window of `room` rows, each cut to `inner` columns;
/// when some are out of it, the first row says how many are above and
/// the last how many more are below (`↓ 27 more`).
fn name_lines(d: &BatchDialog, room: usize, inner: usize) -> Vec<Line<'static>> {
    let total = d.names.len();
    let top = d.names_top.min(total.saturating_sub(room));
    let shown = room.min(total - top);
    let below = total - top - shown;
    let focused = d.focus == DialogFocus::Names;
    let tag_style = if focused {
        theme::selected_row()
    } else {
        theme::dim()
    };
    (0..shown)
        .map(|n| {
            let mut tags = Vec::new();
            if n == 0 && top > 0 {
                tags.push(format!("↑ {top}"));
            }
            if n + 1 == shown && below > 0 {
                tags.push(format!("↓ {below} more"));
            }
            let tag = tags.join(" ");
            let room = inner.saturating_sub(width(&tag) + 3);
            let name = keeping_number(&d.names[top + n], room);
            let pad = inner.saturating_sub(2 + width(&name) + width(&tag));
            Line::from(vec![
                Span::styled(format!("  {name}"), theme::key()),
                Span::raw(" ".repeat(pad)),
                Span::styled(tag, tag_style),
            ])
        })
        .collect()
}

/// `name (number)` cut to `room` columns: the name gives way first, so
/// the number that tells two people apart stays whole where it fits.
fn keeping_number(text: &str, room: usize) -> String {
    if width(text) <= room {
        return text.to_string();
    }
    match text.rsplit_once(" (") {
        Some((name, number)) if width(number) + 3 < room => {
            let number = format!(" ({number}");
            format!("{}{number}", fit(name, room - width(&number)))
        }
        _ => shorten(text, room),
    }
}

/// The instance picker: `[x] Sales desk (connected)`, a line each in a
/// window of `room` rows around the cursor, the cursor's highlighted.
fn picker_lines(state: &State, d: &BatchDialog, room: usize, inner: usize) -> Vec<Line<'static>> {
    let total = state.instances.len();
    let top = crate::app::layout::window(d.cursor, 0, room, total);
    state
        .instances
        .iter()
        .enumerate()
        .skip(top)
        .take(room)
        .map(|(i, inst)| {
            let mark = if d.chosen[i] { "[x]" } else { "[ ]" };
            let cursor = d.focus == DialogFocus::List && d.cursor == i;
            let text = fit(
                &format!(" {mark} {} ({})", inst.title(), inst.connection.label()),
                inner,
            );
            if cursor {
                Line::styled(text, theme::selected_row())
            } else {
                Line::raw(text)
            }
        })
        .collect()
}

/// What the choice does on each chosen instance (`⚠` where it fails), or
/// that it sends nothing, in `room` rows: when they are too few, the last
/// says how many instances it leaves out.
fn plan_lines(d: &BatchDialog, room: usize, inner: usize) -> Vec<Line<'static>> {
    if d.per_instance.is_empty() {
        return vec![Line::styled(
            fit("nothing to send with this choice", inner),
            theme::bad(),
        )];
    }
    let total = d.per_instance.len();
    let cut = total > room;
    let shown = if cut { room.saturating_sub(1) } else { total };
    let mut lines: Vec<Line<'static>> = d.per_instance[..shown]
        .iter()
        .map(|(failing, line)| {
            if *failing {
                Line::styled(fit(&format!("⚠ {line}"), inner), theme::bad())
            } else {
                Line::raw(fit(&format!("→ {line}"), inner))
            }
        })
        .collect();
    if cut && room > 0 {
        let more = total - shown;
        lines.push(Line::styled(
            fit(
                &format!("… {more} more: a taller terminal shows each"),
                inner,
            ),
            theme::dim(),
        ));
    }
    lines
}

/// The dialog's keys, cut to `inner` columns. When the names do not all
/// show, the way to them leads (`Tab` goes round the buttons and the
/// names; `a`, in the help, gives way); on the names, the keys that
/// scroll them.
fn keys(state: &State, d: &BatchDialog, rows: &BulkRows, inner: usize) -> Line<'static> {
    let parts: &[(DialogAction, &str)] = if d.focus == DialogFocus::Names {
        &[
            (DialogAction::Down, "next names"),
            (DialogAction::Up, "back"),
            (DialogAction::NextFocus, "instances"),
            (DialogAction::Yes, "go"),
            (DialogAction::No, "cancel"),
        ]
    } else if d.names.len() > rows.names {
        &[
            (DialogAction::NextFocus, "buttons, names"),
            (DialogAction::Down, "instance"),
            (DialogAction::Choose, "choose"),
            (DialogAction::Yes, "go"),
            (DialogAction::No, "cancel"),
        ]
    } else {
        &[
            (DialogAction::Down, "instance"),
            (DialogAction::Choose, "choose"),
            (DialogAction::ChooseAll, "all"),
            (DialogAction::NextFocus, "buttons"),
            (DialogAction::Yes, "go"),
            (DialogAction::No, "cancel"),
        ]
    };
    let line = keys_line(&state.keymap.dialog, parts);
    Line::styled(fit(&line.to_string(), inner), theme::dim())
}
