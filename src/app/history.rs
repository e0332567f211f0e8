//! The history overlay (`h`, `:history`): the ledger's actions on the
//! shown instance, newest first, filterable with `/`. Pure: its lines and
//! keys, tested without a terminal.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::keymap;
use super::log::LineKind;
use super::pager;
use super::state::Instance;
use crate::ledger::{HistoryEntry, HistoryResult};
use crate::number::phone_digits;
use crate::text::{fit, wrap};

/// The open history and how it is looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryView {
    /// The instance it is of.
    pub instance: usize,
    /// The actions once read (newest first), or why not; `None` while
    /// the ledger is read.
    pub entries: Option<Result<Vec<HistoryEntry>, String>>,
    /// Lines scrolled past at the top.
    pub scroll: usize,
    /// The filter's text.
    pub filter: String,
    /// Whether keys go to the filter.
    pub typing: bool,
}

impl HistoryView {
    /// A view of `instance`'s history, waiting for the ledger.
    pub fn new(instance: usize) -> HistoryView {
        HistoryView {
            instance,
            entries: None,
            scroll: 0,
            filter: String::new(),
            typing: false,
        }
    }
}

/// The number as shown: its country's format, or "hidden number".
fn number_of(jid: &str) -> String {
    match phone_digits(jid) {
        Some(_) => crate::number::shown_jid(jid),
        None => "hidden number".to_string(),
    }
}

/// Whether `entry` matches every word of `filter`: words with digits
/// against the number's digits, others against the number, name, action,
/// result and error, ignoring case.
fn matches(entry: &HistoryEntry, name: &str, filter: &str) -> bool {
    let digits = phone_digits(&entry.jid).unwrap_or_default();
    let text = format!(
        "{} {} {} {} {}",
        number_of(&entry.jid),
        name,
        if entry.block { "block" } else { "unblock" },
        entry.result.word(),
        match &entry.result {
            HistoryResult::Failed(why) => why.as_str(),
            _ => "",
        }
    )
    .to_lowercase();
    filter.split_whitespace().all(|word| {
        let word_digits: String = word.chars().filter(char::is_ascii_digit).collect();
        text.contains(&word.to_lowercase())
            || (!word_digits.is_empty() && digits.contains(&word_digits))
    })
}

/// The history's lines at `width` columns: per action, a heading (time,
/// block or unblock, result), the number and name, and the error in full.
pub fn lines(view: &HistoryView, inst: &Instance, width: usize) -> Vec<(LineKind, String)> {
    let Some(Ok(entries)) = &view.entries else {
        return Vec::new();
    };
    let room = width.saturating_sub(2).max(1);
    let mut lines = Vec::new();
    for e in entries {
        let name = inst
            .contacts
            .find(&e.jid)
            .map(|c| c.display_name())
            .unwrap_or_else(|| "not in contacts".to_string());
        if !matches(e, &name, &view.filter) {
            continue;
        }
        let verb = if e.block { "block" } else { "unblock" };
        let (kind, mark) = match e.result {
            HistoryResult::Done(_) => (LineKind::InfoHeading, '✓'),
            HistoryResult::Failed(_) => (LineKind::ErrorHeading, '✖'),
            HistoryResult::Unanswered => (LineKind::Text, '?'),
        };
        let heading = format!(
            "{mark} {}  {verb} · {}",
            crate::dates::short(e.requested_at),
            e.result.word()
        );
        lines.push((kind, fit(&heading, width)));
        lines.push((
            LineKind::Text,
            fit(&format!("  {}  {name}", number_of(&e.jid)), width),
        ));
        if let HistoryResult::Failed(why) = &e.result {
            for part in wrap(why, room) {
                lines.push((LineKind::Detail, format!("  {part}")));
            }
        }
    }
    lines
}

/// Rows the history box shows inside a terminal of `height` rows: all
/// but the status bar, the two borders and the filter line.
pub fn rows(height: u16) -> usize {
    height.saturating_sub(4).max(1) as usize
}

/// What a key does in the history: type in the filter, scroll, or close
/// (`false`: close it).
pub fn on_key(
    view: &mut HistoryView,
    inst: &Instance,
    key: &KeyEvent,
    width: u16,
    height: u16,
) -> bool {
    if keymap::is_interrupt(key) {
        return false;
    }
    if view.typing {
        match key.code {
            KeyCode::Esc => {
                view.filter.clear();
                view.typing = false;
            }
            KeyCode::Enter | KeyCode::Down | KeyCode::Up => view.typing = false,
            KeyCode::Backspace => {
                view.filter.pop();
            }
            KeyCode::Char(c) => view.filter.push(c),
            _ => {}
        }
        view.scroll = 0;
        return true;
    }
    let total = lines(view, inst, width.saturating_sub(2) as usize).len();
    let page = rows(height);
    let max = total.saturating_sub(page);
    if let Some(scroll) = pager::scroll_for(key, view.scroll, page, max) {
        view.scroll = scroll;
        return true;
    }
    match key.code {
        KeyCode::Char('/') => {
            view.typing = true;
            true
        }
        KeyCode::Esc if !view.filter.is_empty() => {
            view.filter.clear();
            view.scroll = 0;
            true
        }
        KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') | KeyCode::Char('h') => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::RemoteContact;
    use crate::contacts::ContactStore;
    use ratatui::crossterm::event::KeyModifiers;
    use std::sync::Arc;

    fn entry(id: i64, digits: &str, block: bool, result: HistoryResult) -> HistoryEntry {
        HistoryEntry {
            id,
            instance: "sales".into(),
            jid: format!("{digits}@s.whatsapp.net"),
            lid: None,
            block,
            requested_at: 1_800_000_000 - id * 60,
            result,
        }
    }

    fn view() -> (HistoryView, Instance) {
        let mut inst = Instance::new("sales", None);
        inst.contacts = Arc::new(ContactStore::from_remote([RemoteContact {
            jid: "447912345678@s.whatsapp.net".into(),
            lid: None,
            first_name: None,
            full_name: Some("Tom Jones".into()),
            push_name: None,
            business_name: None,
        }]));
        let mut v = HistoryView::new(0);
        v.entries = Some(Ok(vec![
            entry(1, "447912345678", true, HistoryResult::Done(Some(3))),
            entry(
                2,
                "5511999998888",
                false,
                HistoryResult::Failed("Instance is not connected (HTTP 503)".into()),
            ),
            entry(3, "447912345678", false, HistoryResult::Unanswered),
        ]));
        (v, inst)
    }

    fn texts(v: &HistoryView, inst: &Instance) -> Vec<String> {
        lines(v, inst, 60).into_iter().map(|(_, t)| t).collect()
    }

    #[test]
    fn each_action_shows_time_action_result_number_name_and_error() {
        let (v, inst) = view();
        assert_eq!(
            texts(&v, &inst),
            [
                "✓ 2027-01-15 07:59  block · done",
                "  +44 7912 345678  Tom Jones",
                "✖ 2027-01-15 07:58  unblock · failed",
                "  +55 11 99999-8888  not in contacts",
                "  Instance is not connected (HTTP 503)",
                "? 2027-01-15 07:57  unblock · no answer",
                "  +44 7912 345678  Tom Jones",
            ]
        );
    }

    #[test]
    fn slash_filters_by_name_number_digits_and_result() {
        let (mut v, inst) = view();
        let key = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        assert!(on_key(&mut v, &inst, &key('/'), 60, 20));
        for c in "tom".chars() {
            on_key(&mut v, &inst, &key(c), 60, 20);
        }
        assert_eq!(texts(&v, &inst).len(), 4);
        v.filter = "failed".into();
        assert_eq!(texts(&v, &inst).len(), 3);
        v.filter = "99999 8888".into();
        assert_eq!(texts(&v, &inst).len(), 3);
        v.filter = "07912".into();
        assert!(
            texts(&v, &inst).is_empty(),
            "national forms are not guessed here"
        );
        // Esc clears the filter first, then closes.
        v.typing = false;
        let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
        assert!(on_key(&mut v, &inst, &esc, 60, 20));
        assert!(v.filter.is_empty());
        assert!(!on_key(&mut v, &inst, &esc, 60, 20));
    }
}
