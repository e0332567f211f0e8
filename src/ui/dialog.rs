//! Dialogs over the list: quitting, bulk targets, resuming a batch and
//! reviewing pasted numbers (Cancel has the focus in each).

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::theme;
use crate::app::State;
use crate::app::overlays::resume::ResumeOffer;
use crate::app::overlays::review::NumberReview;
use crate::app::overlays::targets::{BatchDialog, DialogFocus};
use crate::app::overlays::undo::UndoOffer;
use crate::keys::{DialogAction, Table};
use crate::util::sanitize::clean;
use crate::util::text::{fit, shorten};

/// Blanks the cells under a popup, and the column left of it: a wide
/// character (CJK, emoji) starting there would otherwise hide the popup's
/// left border.
pub fn clear_under(frame: &mut Frame, popup: Rect) {
    let wider = Rect {
        x: popup.x.saturating_sub(1),
        width: popup.width + u16::from(popup.x > 0),
        ..popup
    };
    frame.render_widget(Clear, wider);
}

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

pub(super) fn button(label: String, focused: bool) -> Span<'static> {
    if focused {
        Span::styled(format!("[ {label} ]"), theme::button_focused())
    } else {
        Span::raw(format!("  {label}  "))
    }
}

pub(super) fn framed(frame: &mut Frame, area: Rect, title: &str, lines: Vec<Line<'_>>, width: u16) {
    let popup = centered(area, width, lines.len() as u16 + 2);
    clear_under(frame, popup);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .title(format!(" {title} "))
                .border_style(theme::overlay_border()),
        ),
        popup,
    );
}

/// `y resume · n discard`: each action's first key in force, and what it
/// does here.
pub(super) fn keys_line(
    table: &Table<DialogAction>,
    parts: &[(DialogAction, &str)],
) -> Line<'static> {
    let text: Vec<String> = parts
        .iter()
        .filter_map(|(action, what)| {
            let key = table.keys_of(*action).first()?;
            Some(format!("{} {what}", key.label()))
        })
        .collect();
    Line::styled(text.join(" · "), theme::dim())
}

/// The bulk dialog's width where the terminal allows.
pub(super) const DIALOG_WIDTH: u16 = 72;

/// Draws the bulk dialog: how many, what, and the instance picker.
pub fn draw_batch(frame: &mut Frame, area: Rect, state: &State, d: &BatchDialog) {
    let verb = if d.block { "Block" } else { "Unblock" };
    let what = count(
        d.targets.len(),
        if d.from_live { "sender" } else { "contact" },
    );
    let on = count(d.chosen.iter().filter(|c| **c).count(), "instance");
    // One line each, so the frame's height is the lines' count.
    let inner = usize::from(DIALOG_WIDTH.min(area.width).saturating_sub(4));
    let mut lines = vec![
        Line::raw(format!("{verb} {what} on {on}:")),
        Line::styled(
            format!("  {}", shorten(&d.named.join(", "), inner)),
            theme::key(),
        ),
        Line::raw(""),
    ];
    lines.extend(picker_lines(state, d));
    lines.extend(plan_lines(d));
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        button("Cancel".into(), d.focus == DialogFocus::Cancel),
        Span::raw("   "),
        button(format!("{verb} {what}"), d.focus == DialogFocus::Confirm),
    ]));
    lines.push(keys_line(
        &state.keymap.dialog,
        &[
            (DialogAction::Down, "instance"),
            (DialogAction::Choose, "choose"),
            (DialogAction::ChooseAll, "all"),
            (DialogAction::NextFocus, "buttons"),
            (DialogAction::Yes, "go"),
            (DialogAction::No, "cancel"),
        ],
    ));
    framed(frame, area, &format!("{verb}?"), lines, DIALOG_WIDTH);
}

/// The bulk dialog's instance picker: `[x] Sales desk (connected)`, a
/// line each, the one under the cursor highlighted.
fn picker_lines<'a>(
    state: &'a State,
    d: &'a BatchDialog,
) -> impl Iterator<Item = Line<'static>> + 'a {
    state.instances.iter().enumerate().map(|(i, inst)| {
        let mark = if d.chosen[i] { "[x]" } else { "[ ]" };
        let cursor = d.focus == DialogFocus::List && d.cursor == i;
        let text = format!(" {mark} {} ({})", inst.title(), inst.connection.label());
        if cursor {
            Line::styled(text, theme::selected_row())
        } else {
            Line::raw(text)
        }
    })
}

/// What the choice does on each chosen instance (`⚠` where it fails), or
/// that it sends nothing.
fn plan_lines(d: &BatchDialog) -> Vec<Line<'static>> {
    if d.per_instance.is_empty() {
        return vec![Line::styled(
            "nothing to send with this choice",
            theme::bad(),
        )];
    }
    d.per_instance
        .iter()
        .map(|(failing, line)| {
            if *failing {
                Line::styled(format!("⚠ {line}"), theme::bad())
            } else {
                Line::raw(format!("→ {line}"))
            }
        })
        .collect()
}

/// Draws the review of pasted numbers: each reading or refusal (the list
/// scrolls within the terminal), the counts, and the buttons.
pub fn draw_review(frame: &mut Frame, area: Rect, state: &State, review: &NumberReview) {
    // As wide as 80 columns allow: a number's identity line fits whole.
    const WIDTH: u16 = 80;
    // Every line is cut to the popup, never wrapped, so the buttons stay
    // on screen.
    let inner = usize::from(WIDTH.min(area.width).saturating_sub(2));
    let send = review.targets(state).len();
    let refused = review.refused(state);
    let heading = format!(
        "Block {} on {}? {refused} refused, not sent.",
        count(send, "number"),
        state.instance().name
    );
    let mut lines = vec![Line::raw(shorten(&heading, inner))];
    // Border, heading, buttons and keys take 5 rows.
    let room = usize::from(area.height.saturating_sub(5)).max(1);
    let top = review.top.min(review.entries.len().saturating_sub(room));
    for (sent, text) in review.lines(state).skip(top).take(room) {
        let text = shorten(&text, inner);
        lines.push(if sent {
            Line::raw(text)
        } else {
            Line::styled(text, theme::bad())
        });
    }
    lines.push(Line::from(vec![
        button("Cancel".into(), !review.confirm_focused),
        Span::raw("   "),
        button(
            format!("Block {}", count(send, "number")),
            review.confirm_focused,
        ),
    ]));
    let keys = keys_line(
        &state.keymap.dialog,
        &[
            (DialogAction::Yes, "block"),
            (DialogAction::No, "cancel"),
            (DialogAction::Down, "scroll"),
            (DialogAction::NextFocus, "buttons"),
        ],
    );
    lines.push(Line::styled(fit(&keys.to_string(), inner), theme::dim()));
    framed(frame, area, "Pasted numbers", lines, WIDTH);
}

/// Draws the question before an undo of several contacts or of another
/// instance: what it reverts, per instance, and the buttons.
pub fn draw_undo(frame: &mut Frame, area: Rect, state: &State, offer: &UndoOffer) {
    let mut lines: Vec<Line> = offer.lines(state).into_iter().map(Line::raw).collect();
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        button("Cancel".into(), !offer.confirm_focused),
        Span::raw("   "),
        button("Undo".into(), offer.confirm_focused),
    ]));
    lines.push(keys_line(
        &state.keymap.dialog,
        &[
            (DialogAction::Yes, "undo"),
            (DialogAction::No, "keep"),
            (DialogAction::NextFocus, "choose"),
        ],
    ));
    framed(frame, area, "Undo?", lines, 72);
}

/// Draws the offer to enable instances' WebSocket for the live feed.
pub fn draw_enable(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    offer: &crate::app::overlays::enable_live::EnableOffer,
) {
    let inner = usize::from(DIALOG_WIDTH.min(area.width).saturating_sub(4)).max(1);
    let mut lines: Vec<Line> = offer
        .lines(state)
        .iter()
        .flat_map(|l| crate::util::text::wrap(l, inner))
        .map(Line::raw)
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        button("Cancel".into(), !offer.confirm_focused),
        Span::raw("   "),
        button("Enable".into(), offer.confirm_focused),
    ]));
    lines.push(keys_line(
        &state.keymap.dialog,
        &[
            (DialogAction::Yes, "enable"),
            (DialogAction::No, "cancel"),
            (DialogAction::NextFocus, "choose"),
        ],
    ));
    framed(frame, area, "Enable the live feed?", lines, DIALOG_WIDTH);
}

/// `1 contact`, `3 contacts`: `n` and the noun, in the plural unless one.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Draws the offer to resume an unfinished batch.
pub fn draw_resume(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    offer: &ResumeOffer,
    resume_focused: bool,
) {
    let now = state.now;
    let mut lines = vec![
        Line::raw("The last run stopped in the middle of a batch:"),
        Line::styled(format!("  {}", clean(&offer.label)), theme::key()),
        Line::raw(format!(
            "  started {}, {} of {} confirmed, {} not confirmed.",
            crate::util::dates::age(now, offer.created_at),
            offer.done,
            offer.total,
            offer.items.len()
        )),
        Line::raw("Resuming sends only those (blocking twice is harmless):"),
    ];
    // Wrapped here, a line each, so the box is as tall as its text and
    // its buttons stay in it.
    let room = usize::from(area.width.min(72)).saturating_sub(4).max(10);
    for part in crate::util::text::wrap(&clean(&offer.sends), room) {
        lines.push(Line::raw(format!("  {part}")));
    }
    for part in offer
        .skipped
        .iter()
        .flat_map(|s| crate::util::text::wrap(&clean(s), room))
    {
        lines.push(Line::styled(format!("  {part}"), theme::bad()));
    }
    lines.extend([
        Line::raw(""),
        Line::from(vec![
            button("Discard".into(), !resume_focused),
            Span::raw("   "),
            button("Resume".into(), resume_focused),
        ]),
        keys_line(
            &state.keymap.dialog,
            &[
                (DialogAction::Yes, "resume"),
                (DialogAction::No, "discard"),
                (DialogAction::NextFocus, "choose"),
            ],
        ),
    ]);
    framed(frame, area, "Unfinished batch", lines, 72);
}

/// Draws "quit with N requests pending?".
pub fn draw_quit(frame: &mut Frame, area: Rect, state: &State, quit_focused: bool) {
    let pending = state.pending_count();
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
        Line::raw("Recorded: the next start offers to resume them."),
        Line::raw(""),
        Line::from(vec![
            button("Cancel", !quit_focused),
            Span::raw("   "),
            button("Quit", quit_focused),
        ]),
        keys_line(
            &state.keymap.dialog,
            &[
                (DialogAction::Yes, "quit"),
                (DialogAction::No, "stay"),
                (DialogAction::NextFocus, "choose"),
            ],
        ),
    ];
    let popup = centered(area, 58, lines.len() as u16 + 2);
    clear_under(frame, popup);
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
