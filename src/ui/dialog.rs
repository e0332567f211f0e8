//! Dialogs over the list: quitting, resuming a batch, reviewing pasted
//! numbers, an undo or redo, marking a fuzzy result (Cancel has the focus
//! in each); the parts they share. The bulk dialog is in `bulk`.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::theme;
use crate::app::State;
use crate::app::overlays::mark_all::MarkAllAsk;
use crate::app::overlays::resume::ResumeOffer;
use crate::app::overlays::review::NumberReview;
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

/// A button: `[ label ]` when it has the focus.
pub(super) fn button(label: String, focused: bool) -> Span<'static> {
    if focused {
        Span::styled(format!("[ {label} ]"), theme::button_focused())
    } else {
        Span::raw(format!("  {label}  "))
    }
}

/// `lines` in a bordered box titled `title`, `width` wide at most, as
/// tall as its lines, in the middle of `area`.
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

/// The width of a dialog where the terminal allows.
pub(super) const DIALOG_WIDTH: u16 = 72;

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

/// A question with Cancel and a button that acts (Cancel has the focus
/// first): its text, a paragraph a line, and its buttons and keys.
struct Question<'a> {
    title: &'a str,
    /// Each paragraph with its style.
    text: Vec<(String, ratatui::style::Style)>,
    /// The acting button.
    go: String,
    /// What `y` and `n` do, for the line of keys.
    yes: &'static str,
    no: &'static str,
    confirm_focused: bool,
}

/// Draws `q` in a box at most `width` wide: the text wrapped to it, cut
/// from the end when the terminal is short, so the buttons and the keys
/// always show.
fn draw_question(frame: &mut Frame, area: Rect, state: &State, width: u16, q: Question<'_>) {
    let inner = usize::from(width.min(area.width).saturating_sub(2)).max(10);
    let mut lines: Vec<Line> = q
        .text
        .iter()
        .flat_map(|(text, style)| {
            // An indented paragraph keeps its indent on every line.
            let body = text.trim_start();
            let indent = " ".repeat(text.len() - body.len());
            crate::util::text::wrap(body, inner.saturating_sub(indent.len()))
                .into_iter()
                .map(move |l| Line::styled(format!("{indent}{l}"), *style))
        })
        .collect();
    // Borders, buttons and keys take four rows; a blank line before the
    // buttons where there is room, else the text is cut from its end.
    let room = usize::from(area.height.saturating_sub(4)).max(1);
    lines.truncate(room);
    if lines.len() < room {
        lines.push(Line::raw(""));
    }
    lines.push(Line::from(vec![
        button("Cancel".into(), !q.confirm_focused),
        Span::raw("   "),
        button(q.go, q.confirm_focused),
    ]));
    let keys = keys_line(
        &state.keymap.dialog,
        &[
            (DialogAction::Yes, q.yes),
            (DialogAction::No, q.no),
            (DialogAction::NextFocus, "choose"),
        ],
    );
    lines.push(Line::styled(fit(&keys.to_string(), inner), theme::dim()));
    framed(frame, area, q.title, lines, width);
}

/// Draws the question before an undo (or a redo) of several contacts,
/// of another instance, or of an action older than the last: what it
/// sends, per instance, and the buttons.
pub fn draw_undo(frame: &mut Frame, area: Rect, state: &State, offer: &UndoOffer) {
    let (title, go, yes) = if offer.redo {
        ("Redo?", "Redo", "redo")
    } else {
        ("Undo?", "Undo", "undo")
    };
    let text = offer
        .lines(state)
        .into_iter()
        .map(|l| (l, theme::text()))
        .collect();
    let question = Question {
        title,
        text,
        go: go.into(),
        yes,
        no: "keep",
        confirm_focused: offer.confirm_focused,
    };
    draw_question(frame, area, state, 72, question);
}

/// Draws the question before `*` marks what a fuzzy filter found: how
/// many, why it asks (dimmed: it gives way first), and the buttons.
pub fn draw_mark_all(frame: &mut Frame, area: Rect, state: &State, ask: &MarkAllAsk) {
    let text = ask
        .lines(state)
        .into_iter()
        .enumerate()
        .map(|(n, l)| (l, if n == 0 { theme::text() } else { theme::dim() }))
        .collect();
    let question = Question {
        title: "Mark?",
        text,
        go: format!("Mark {}", count(ask.jids.len(), "contact")),
        yes: "mark",
        no: "cancel",
        confirm_focused: ask.confirm_focused,
    };
    draw_question(frame, area, state, 64, question);
}

/// Draws the offer to enable instances' WebSocket for the live feed.
pub fn draw_enable(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    offer: &crate::app::overlays::enable_live::EnableOffer,
) {
    let offered = Offer {
        title: "Enable the live feed?",
        text: &offer.lines(state),
        buttons: ("Cancel", "Enable"),
        keys: ("enable", "cancel"),
        confirm_focused: offer.confirm_focused,
    };
    draw_offer(frame, area, state, offered);
}

/// An offer: its text, its two buttons (stay, act) and what `y` and `n`
/// do there.
pub(super) struct Offer<'a> {
    /// The box's title.
    pub(super) title: &'a str,
    /// Its paragraphs, wrapped to the box.
    pub(super) text: &'a [String],
    /// The button that leaves things as they are, and the acting one.
    pub(super) buttons: (&'a str, &'a str),
    /// What `y` and `n` do, for the line of keys.
    pub(super) keys: (&'static str, &'static str),
    /// Whether the acting button has the focus.
    pub(super) confirm_focused: bool,
}

/// Draws an offer in a box of the dialogs' width.
pub(super) fn draw_offer(frame: &mut Frame, area: Rect, state: &State, offer: Offer<'_>) {
    let inner = usize::from(DIALOG_WIDTH.min(area.width).saturating_sub(4)).max(1);
    let mut lines: Vec<Line> = offer
        .text
        .iter()
        .flat_map(|l| crate::util::text::wrap(l, inner))
        .map(Line::raw)
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        button(offer.buttons.0.into(), !offer.confirm_focused),
        Span::raw("   "),
        button(offer.buttons.1.into(), offer.confirm_focused),
    ]));
    lines.push(keys_line(
        &state.keymap.dialog,
        &[
            (DialogAction::Yes, offer.keys.0),
            (DialogAction::No, offer.keys.1),
            (DialogAction::NextFocus, "choose"),
        ],
    ));
    framed(frame, area, offer.title, lines, DIALOG_WIDTH);
}

/// `1 contact`, `3 contacts`: `n` and the noun, in the plural unless one.
pub(super) fn count(n: usize, noun: &str) -> String {
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
