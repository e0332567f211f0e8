//! The line above the status bar: the filter being typed, or the few keys
//! that matter now, generated from the keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Paragraph};

use crate::app::batch::Batch;
use crate::app::overlays;
use crate::app::overlays::command_line::LineCommand;

use super::theme;
use crate::app::State;
use crate::keys::Command;
use crate::util::text::{shorten, width};

/// Hints left out first when the footer is too narrow; block, help and
/// quit stay longest.
/// The list's keys worth a hint now, most useful first: with an error on
/// screen the way to read it whole; with marks, what acts on them; undo
/// once something was done; then the everyday keys.
fn list_hints(state: &State) -> Vec<Command> {
    let marked = !state.instance().marks.is_empty();
    let error_shown = !state.message_lines().is_empty();
    let mut hints = Vec::new();
    if error_shown {
        hints.push(Command::Messages);
    }
    if marked {
        hints.extend([Command::BulkBlock, Command::BulkUnblock, Command::Mark]);
    }
    hints.push(Command::ToggleBlock);
    if !state.live.wave_senders.is_empty() {
        // A spam wave is on: the Live view lists it.
        hints.push(Command::Live);
    }
    if !state.history.is_empty() {
        hints.push(Command::Undo);
    }
    if !state.redo.is_empty() {
        hints.push(Command::Redo);
    }
    hints.extend([Command::Help, Command::Quit, Command::Filter]);
    if !marked {
        hints.push(Command::Mark);
    }
    hints.push(Command::AddNumber);
    if state.instances.len() > 1 {
        hints.push(Command::NextInstance);
    }
    hints.extend([Command::BlockedView, Command::Refresh]);
    if state.live.wave_senders.is_empty() {
        hints.push(Command::Live);
    }
    if !error_shown {
        hints.push(Command::Messages);
    }
    hints.extend([Command::Blocklist, Command::ListAdd]);
    hints
}
use crate::app::overlays::help::MARKED;
use crate::app::state::Overlay;
use crate::model::filter::Matching;
use crate::model::number::{Target, TypedError};

fn key_hint<'a>(key: &str, what: &'a str) -> [Span<'a>; 3] {
    [
        Span::styled(key.to_string(), theme::key()),
        Span::raw(format!(" {what}")),
        Span::raw("  "),
    ]
}

/// What a typed number will be sent as (`→ +44 7912 345678 · United
/// Kingdom · mobile`), or why it is not a number.
fn preview_spans(preview: Result<Target, TypedError>) -> Vec<Span<'static>> {
    match preview {
        Ok(target) => vec![
            Span::styled("→ ", theme::good()),
            Span::styled(target.preview(), theme::good()),
        ],
        Err(e) => vec![Span::styled(format!("✖ {}", e.brief()), theme::bad())],
    }
}

/// The number being typed whose identity line shows: the `a` prompt's,
/// or the one after `:block`.
fn typed_number(state: &State) -> Option<&str> {
    match &state.overlay {
        Some(Overlay::Prompt(text)) => Some(text),
        Some(Overlay::CommandLine(line)) => overlays::command_line::block_number(line),
        _ => None,
    }
}

/// The row above the footer where the identity line of the number being
/// typed goes, and the line; `None` when no number is typed, a batch
/// runs, or the list has no room to give.
pub fn identity_row(
    areas: crate::app::layout::Areas,
    state: &State,
) -> Option<(Rect, crate::app::lookups::IdentityLine)> {
    if areas.list.height < 2 || state.batch.is_some() {
        return None;
    }
    let line = crate::app::lookups::prompt_line(state, typed_number(state)?)?;
    let row = Rect {
        y: areas.footer.y - 1,
        height: 1,
        ..areas.footer
    };
    Some((row, line))
}

/// Draws, on the row above the footer, the identity line of the number
/// being typed: what it will be sent as, and who it is on WhatsApp.
pub fn draw_identity(frame: &mut Frame, row: Rect, line: &crate::app::lookups::IdentityLine) {
    use crate::app::lookups::Tone;
    let tone = |tone| match tone {
        Tone::Good => theme::good(),
        Tone::Bad => theme::bad(),
        Tone::Quiet => theme::dim(),
    };
    let head = if line.absent {
        theme::bad()
    } else {
        theme::good()
    };
    // Who it is matters more than the country's name: on a narrow
    // terminal the number alone leads.
    let who = line
        .who
        .as_ref()
        .map(|(t, words)| (format!(" · {words}"), tone(*t)));
    let room = usize::from(row.width).saturating_sub(1);
    let needed = width(&line.head) + who.as_ref().map_or(0, |(w, _)| width(w));
    let lead = if needed > room && who.is_some() {
        &line.short
    } else {
        &line.head
    };
    let mut spans = vec![Span::raw(" "), Span::styled(lead.clone(), head)];
    if let Some((words, style)) = who {
        spans.push(Span::styled(words, style));
    }
    frame.render_widget(ratatui::widgets::Clear, row);
    frame.render_widget(
        Paragraph::new(Line::from(fit_spans(spans, row.width.into()))),
        row,
    );
}

/// Draws the footer: the batch's progress, the line being typed, or the
/// keys that apply now.
/// `identified`: the identity line of a number being typed shows above
/// (the footer then shows the keys, not the preview).
pub fn draw(frame: &mut Frame, area: Rect, state: &State, identified: bool) {
    if let Some(b) = &state.batch {
        return draw_progress(frame, area, state, b);
    }
    let spans = match &state.overlay {
        Some(Overlay::CommandLine(text)) => command_line_spans(state, text, area.width, identified),
        Some(Overlay::Prompt(text)) => prompt_spans(state, text, area.width, identified),
        Some(Overlay::Reason(ask)) => {
            let mut spans = typing(Span::styled("Why? ", theme::key()), &ask.text, area.width);
            let about = shorten(&ask.about, usize::from(area.width / 3));
            spans.insert(0, Span::styled(format!("{about} · "), theme::dim()));
            spans.extend(hint_spans(overlays::reason::hints(&state.keymap)));
            if !state.reasons.is_empty() {
                spans.push(Span::styled(state.reasons.join("/"), theme::dim()));
            }
            spans
        }
        Some(Overlay::ListAdd(ask)) => list_add_spans(state, ask, area.width),
        Some(overlay @ Overlay::Filter) => {
            // The Live view's and the Blocklist view's filters have no
            // modes: they find as typed.
            let (mut spans, typed) = if state.list_view.shown {
                (Vec::new(), &state.list_view.filter)
            } else if state.live.shown {
                (Vec::new(), &state.live.view.filter)
            } else {
                (vec![matching_span(state.matching())], &state.filter)
            };
            spans.extend(typing(Span::styled("/", theme::key()), typed, area.width));
            spans.extend(hint_spans(overlays::hints(overlay, state)));
            spans
        }
        Some(overlay) => hint_spans(overlays::hints(overlay, state)),
        None if state.list_view.shown => super::blocklist::footer_spans(state, area.width.into()),
        None if state.live.shown => super::live::footer_spans(state, area.width.into()),
        None => list_spans(state, area.width),
    };
    frame.render_widget(
        Paragraph::new(Line::from(fit_spans(spans, area.width.into()))),
        area,
    );
}

/// The filter's mode, before what is typed: `substring ` plainly, `fuzzy `
/// standing out (it finds more than was typed).
fn matching_span(matching: Matching) -> Span<'static> {
    let style = match matching {
        Matching::Substring => theme::dim(),
        Matching::Fuzzy => theme::bad(),
    };
    Span::styled(format!("{} ", matching.word()), style)
}

/// `W`'s questions: what is added, `Why?` or `Until?` being typed, then
/// the keys (and the reasons to choose from) or when the entries expire.
fn list_add_spans(
    state: &State,
    ask: &crate::app::overlays::list_add::ListAsk,
    footer_width: u16,
) -> Vec<Span<'static>> {
    use crate::app::overlays::list_add::until_preview;
    let about = shorten(
        &format!("to blocklist: {}", ask.adding.about()),
        usize::from(footer_width / 2),
    );
    let mut spans = vec![Span::styled(format!("{about} · "), theme::dim())];
    spans.extend(
        typing(
            Span::styled(ask.prompt(), theme::key()),
            &ask.text,
            footer_width,
        )
        .into_iter()
        .map(|s| Span::styled(s.content.into_owned(), s.style)),
    );
    if ask.reason.is_some() && !ask.text.trim().is_empty() {
        spans.push(match until_preview(&ask.text, state.now) {
            Ok(text) => Span::styled(text, theme::good()),
            Err(why) => Span::styled(format!("✖ {why}"), theme::bad()),
        });
        return spans;
    }
    spans.extend(hint_spans(overlays::list_add::hints(&state.keymap, ask)));
    if ask.reason.is_some() {
        spans.push(Span::styled(
            "30d, 12h, a time, or nothing: never",
            theme::dim(),
        ));
    } else if !state.reasons.is_empty() {
        spans.push(Span::styled(state.reasons.join("/"), theme::dim()));
    }
    spans
}

/// The spans of (key, what it does) pairs.
fn hint_spans(hints: Vec<(String, &'static str)>) -> Vec<Span<'static>> {
    hints
        .iter()
        .flat_map(|(key, what)| key_hint(key, what))
        .map(|s| Span::styled(s.content.into_owned(), s.style))
        .collect()
}

/// A line being typed after its `prompt`, with the cursor.
fn typing<'a>(prompt: Span<'a>, text: &str, footer_width: u16) -> Vec<Span<'a>> {
    vec![
        prompt,
        Span::raw(typed(text, footer_width)),
        Span::styled("▏", theme::key()),
        Span::raw("   "),
    ]
}

/// The `:` line: what is typed, then the number's preview after
/// `:block`/`:unblock` (unless its identity line shows above), else the
/// line's keys.
fn command_line_spans<'a>(
    state: &State,
    text: &str,
    footer_width: u16,
    identified: bool,
) -> Vec<Span<'a>> {
    let mut spans = typing(Span::styled(":", theme::key()), text, footer_width);
    let number = text
        .split_once(' ')
        .filter(|(verb, _)| {
            matches!(
                LineCommand::parse(verb),
                Some(LineCommand::Block | LineCommand::Unblock)
            )
        })
        .and_then(|(_, number)| state.number_preview(number))
        .filter(|preview| !(identified && preview.is_ok()));
    match number {
        Some(preview) => spans.extend(preview_spans(preview)),
        None => spans.extend(hint_spans(overlays::command_line::hints(&state.keymap))),
    }
    spans
}

/// The `a` prompt: what is typed, then what would be sent (unless its
/// identity line shows above: then the keys), else its keys and the
/// forms a number may take here.
fn prompt_spans<'a>(
    state: &State,
    text: &str,
    footer_width: u16,
    identified: bool,
) -> Vec<Span<'a>> {
    let mut spans = typing(
        Span::styled("Block number: ", theme::key()),
        text,
        footer_width,
    );
    match state.number_preview(text) {
        Some(Ok(_)) if identified => {
            spans.extend(hint_spans(overlays::prompt::hints(&state.keymap)));
        }
        Some(preview) => spans.extend(preview_spans(preview)),
        None => {
            spans.extend(hint_spans(overlays::prompt::hints(&state.keymap)));
            let example = match state.instance().region() {
                Some(region) => format!("+CC… or a {} number", region.name()),
                None => "+CC and the number".to_string(),
            };
            spans.push(Span::styled(example, theme::dim()));
        }
    }
    spans
}

/// The list's footer: the filter in force, then the keys that apply now,
/// most useful first, each one that fits.
fn list_spans<'a>(state: &State, footer_width: u16) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    let marked = state.instance().marks.len();
    if marked > 0 {
        // What B and U act on, as it changes: Space marks and moves on,
        // so a second Space on the row above unmarks it.
        spans.push(Span::styled(
            format!("{MARKED} {marked} marked   "),
            theme::key(),
        ));
    }
    if !state.filter.is_empty() {
        if state.matching() == Matching::Fuzzy {
            spans.push(matching_span(Matching::Fuzzy));
        }
        spans.push(Span::styled("filter: ", theme::dim()));
        spans.push(Span::styled(state.filter.clone(), theme::key()));
        let clear = state.keymap.label_of(Command::ClearFilter);
        spans.push(Span::styled(format!(" ({clear} clears)   "), theme::dim()));
    }
    let mut room = (footer_width as usize).saturating_sub(spans.iter().map(Span::width).sum());
    for command in list_hints(state) {
        let Some(entry) = state.keymap.entries.iter().find(|e| e.action == command) else {
            continue;
        };
        let (Some(key), Some(hint)) = (entry.keys.first(), entry.hint) else {
            continue;
        };
        let key = key.label();
        let needed = width(&key) + width(hint) + 3;
        if needed <= room {
            room -= needed;
            spans.extend(key_hint(&key, hint));
        }
    }
    spans
}

/// The end of a line being typed, where the cursor is, in at most half
/// the footer: `…` and the last characters when it is longer.
fn typed(text: &str, footer_width: u16) -> String {
    let max = usize::from(footer_width / 2).max(4);
    if width(text) <= max {
        return text.to_string();
    }
    let mut tail: Vec<char> = Vec::new();
    let mut used = 1;
    for c in text.chars().rev() {
        let w = width(c.encode_utf8(&mut [0; 4]));
        if used + w > max {
            break;
        }
        used += w;
        tail.push(c);
    }
    std::iter::once('…').chain(tail.into_iter().rev()).collect()
}

/// The spans that fit in `max` columns: the one that overflows is
/// shortened between words with `…`, the rest dropped.
fn fit_spans(spans: Vec<Span<'_>>, max: usize) -> Vec<Span<'_>> {
    let mut used = 0;
    let mut out = Vec::with_capacity(spans.len());
    for span in spans {
        let w = span.width();
        if used + w <= max {
            used += w;
            out.push(span);
            continue;
        }
        let room = max - used;
        if room > 1 {
            let content = shorten(span.content.trim_end(), room);
            out.push(Span::styled(content, span.style));
        }
        break;
    }
    out
}

/// `45s`, `3m 20s`, `1h 05m`.
fn duration(secs: u64) -> String {
    match secs {
        0..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m {:02}s", secs / 60, secs % 60),
        _ => format!("{}h {:02}m", secs / 3600, secs / 60 % 60),
    }
}

/// A running batch: what, a gauge, done / failed / left, time left.
fn draw_progress(frame: &mut Frame, area: Rect, state: &State, b: &Batch) {
    let (made, steps) = b.steps();
    // The counts lead: the label is what gets cut on a narrow terminal.
    let mut text = if b.awaiting_lookups {
        format!(
            "looking up {} of {} numbers first",
            b.lookups_left, b.lookups
        )
    } else {
        format!("{} done", b.done)
    };
    if b.failed > 0 {
        text.push_str(&format!(" · {} failed", b.failed));
    }
    text.push_str(&format!(" · {} left", b.left()));
    let budget = |i: usize| {
        let inst = state.instances.get(i)?;
        inst.budget
            .map(|(remaining, limit)| (inst.budget_token, remaining, limit))
    };
    if let Some(secs) = b.seconds_left(state.ticks, budget) {
        text.push_str(&format!(" · ~{}", duration(secs)));
    }
    if let Some((remaining, limit)) = state.instance().budget
        && remaining * 5 < limit
    {
        text.push_str(&format!(" · budget {remaining}/{limit}"));
    }
    if b.cancelled > 0 {
        text.push_str(&format!(
            " · {} cancelled, waiting for what is in flight",
            b.cancelled
        ));
    } else {
        let cancel = state.keymap.label_of(Command::ClearFilter);
        text.push_str(&format!(" · {cancel} cancels"));
    }
    text.push_str(&format!(" · {}", b.label));
    let [gauge, label] =
        Layout::horizontal([Constraint::Length(area.width.min(22)), Constraint::Min(0)])
            .areas(area);
    let ratio = if steps == 0 {
        1.0
    } else {
        made as f64 / steps as f64
    };
    frame.render_widget(
        Gauge::default()
            .ratio(ratio.clamp(0.0, 1.0))
            .label(format!("{made}/{steps}"))
            .gauge_style(theme::pending()),
        gauge,
    );
    frame.render_widget(Paragraph::new(format!(" {text}")), label);
}
