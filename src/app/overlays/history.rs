//! The history overlay (`h`, `:history`): the ledger's actions on the
//! shown instance, newest first, filterable with `/`. Pure: its lines and
//! keys, tested without a terminal.

use crate::app::pager::LineKind;
use crate::model::change::Change;
use std::collections::HashMap;

use crate::app::pager::Pager;
use crate::model::contacts::ContactStore;
use crate::model::number::phone_digits;
use crate::store::ledger::{HistoryEntry, HistoryResult};
use crate::util::text::{fit, wrap};

/// The open history and how it is looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryView {
    /// The instance it is of.
    pub instance: usize,
    /// The actions once read (newest first), or why not; `None` while
    /// the ledger is read.
    pub entries: Option<Result<Vec<HistoryEntry>, String>>,
    /// Each action made readable once, when the actions arrive: no frame
    /// or key formats a number again (up to 5,000 of them).
    pub rows: Vec<HistoryRow>,
    /// Scrolling, and the filter (`/`).
    pub pager: Pager,
}

impl HistoryView {
    /// A view of `instance`'s history, waiting for the ledger.
    pub fn new(instance: usize) -> HistoryView {
        HistoryView {
            instance,
            entries: None,
            rows: Vec::new(),
            pager: Pager::default(),
        }
    }

    /// The actions arrived (or could not be read): each is made readable
    /// once, with its contact's name from `contacts`, and what the
    /// ledger says of a contact two desks' answers contest
    /// (`contest_of`).
    pub fn arrived<'a>(
        &mut self,
        result: Result<Vec<HistoryEntry>, String>,
        contacts: Option<&ContactStore>,
        contest_of: impl Fn(&str) -> Option<&'a str>,
    ) {
        self.rows = match (&result, contacts) {
            (Ok(entries), Some(contacts)) => {
                let mut names = names(entries, contacts);
                let mut said = std::collections::HashSet::new();
                for e in entries {
                    if !said.insert(e.jid.as_str()) {
                        continue;
                    }
                    if let Some(contest) = contest_of(&e.jid) {
                        let name = names.get(&e.jid).map_or("not in contacts", String::as_str);
                        let named = format!("{name} · contested: {contest}");
                        names.insert(e.jid.clone(), named);
                    }
                }
                rows(entries, &names)
            }
            _ => Vec::new(),
        };
        self.entries = Some(result);
    }
}

/// One action, ready to show and to filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    kind: LineKind,
    /// `✓ 2027-01-15 07:59  block · done`
    heading: String,
    /// `  +44 7912 345678  Tom Jones`
    number: String,
    /// The error in full, for a failure.
    error: Option<String>,
    /// What the filter looks in, lower case.
    searched: String,
    /// The number's digits, for a filter word with digits.
    digits: String,
}

impl HistoryRow {
    /// Whether the row holds every word of `filter`: words with digits
    /// also against the number's digits, ignoring case.
    fn matches(&self, filter: &str) -> bool {
        filter.split_whitespace().all(|word| {
            let word_digits: String = word.chars().filter(char::is_ascii_digit).collect();
            self.searched.contains(&word.to_lowercase())
                || (!word_digits.is_empty() && self.digits.contains(&word_digits))
        })
    }

    /// Lines it takes at `width` columns.
    fn height(&self, width: usize) -> usize {
        2 + self
            .error
            .as_ref()
            .map_or(0, |e| wrap(e, error_room(width)).len())
    }

    /// Its lines at `width` columns.
    fn lines(&self, width: usize) -> Vec<(LineKind, String)> {
        let mut lines = vec![
            (self.kind, fit(&self.heading, width)),
            (LineKind::Text, fit(&self.number, width)),
        ];
        if let Some(why) = &self.error {
            for part in wrap(why, error_room(width)) {
                lines.push((LineKind::Detail, format!("  {part}")));
            }
        }
        lines
    }
}

/// Columns an error wraps in, under its action.
fn error_room(width: usize) -> usize {
    width.saturating_sub(2).max(1)
}

/// The number as shown: its country's format, or "hidden number".
fn number_of(jid: &str) -> String {
    match phone_digits(jid) {
        Some(_) => crate::model::number::shown_jid(jid),
        None => "hidden number".to_string(),
    }
}

/// The names of `entries`' numbers among `contacts`, in one pass over
/// them.
pub fn names(entries: &[HistoryEntry], contacts: &ContactStore) -> HashMap<String, String> {
    contacts.names_of(entries.iter().map(|e| e.jid.as_str()))
}

/// Each entry made readable: heading (time, block or unblock, result), the
/// number and name (from `names`), the error in full, and what the filter
/// searches (number, name, action, result, error).
pub fn rows(entries: &[HistoryEntry], names: &HashMap<String, String>) -> Vec<HistoryRow> {
    entries
        .iter()
        .map(|e| {
            let name = names.get(&e.jid).map_or("not in contacts", String::as_str);
            let verb = Change::of(e.block).verb();
            let (kind, mark) = match e.result {
                HistoryResult::Done(_) => (LineKind::InfoHeading, '✓'),
                HistoryResult::Failed(_) => (LineKind::ErrorHeading, '✖'),
                HistoryResult::Unanswered => (LineKind::Text, '?'),
            };
            let number = number_of(&e.jid);
            let error = match &e.result {
                HistoryResult::Failed(why) => Some(why.clone()),
                _ => None,
            };
            let why = crate::app::core::Why {
                operator: e.operator.clone(),
                reason: e.reason.clone(),
            }
            .words();
            let searched = format!(
                "{number} {name} {verb} {} {} {why}",
                e.result.word(),
                error.as_deref().unwrap_or_default()
            )
            .to_lowercase();
            let why = if why.is_empty() {
                why
            } else {
                format!(" · {why}")
            };
            HistoryRow {
                kind,
                heading: format!(
                    "{mark} {}  {verb} · {}{why}",
                    crate::util::dates::short(e.requested_at),
                    e.result.word()
                ),
                number: format!("  {number}  {name}"),
                error,
                searched,
                digits: phone_digits(&e.jid).unwrap_or_default().to_string(),
            }
        })
        .collect()
}

/// The lines of the rows matching `filter` at `width` columns, from line
/// `top`, at most `count`, and how many lines there are in all: only the
/// rows in the window are laid out.
pub fn window(
    rows: &[HistoryRow],
    filter: &str,
    width: usize,
    top: usize,
    count: usize,
) -> (usize, Vec<(LineKind, String)>) {
    let mut total = 0;
    let mut shown = Vec::new();
    for row in rows.iter().filter(|r| r.matches(filter)) {
        let height = row.height(width);
        if total + height > top && shown.len() < count {
            let skip = top.saturating_sub(total);
            shown.extend(row.lines(width).into_iter().skip(skip));
            shown.truncate(count);
        }
        total += height;
    }
    (total, shown)
}

/// Every line of `entries` (a contact's, in its details).
pub fn lines(
    entries: &[HistoryEntry],
    names: &HashMap<String, String>,
    filter: &str,
    width: usize,
) -> Vec<(LineKind, String)> {
    window(&rows(entries, names), filter, width, 0, usize::MAX).1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::contacts::store_from;
    use crate::app::core::Instance;
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
            operator: None,
            reason: None,
        }
    }

    fn view() -> (Vec<HistoryEntry>, Instance) {
        let mut inst = Instance::new("sales", None);
        inst.contacts = Arc::new(store_from([crate::api::fixtures::remote(
            "447912345678",
            Some("Tom Jones"),
            None,
            None,
        )]));
        let entries = vec![
            entry(1, "447912345678", true, HistoryResult::Done(Some(3))),
            entry(
                2,
                "5511999998888",
                false,
                HistoryResult::Failed("Instance is not connected (HTTP 503)".into()),
            ),
            entry(3, "447912345678", false, HistoryResult::Unanswered),
        ];
        (entries, inst)
    }

    fn texts(entries: &[HistoryEntry], inst: &Instance, filter: &str) -> Vec<String> {
        lines(entries, &names(entries, &inst.contacts), filter, 60)
            .into_iter()
            .map(|(_, t)| t)
            .collect()
    }

    #[test]
    fn each_action_shows_time_action_result_number_name_and_error() {
        let (entries, inst) = view();
        assert_eq!(
            texts(&entries, &inst, ""),
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
    fn filters_by_name_number_digits_and_result() {
        let (entries, inst) = view();
        assert_eq!(texts(&entries, &inst, "tom").len(), 4);
        assert_eq!(texts(&entries, &inst, "failed").len(), 3);
        assert_eq!(texts(&entries, &inst, "99999 8888").len(), 3);
        assert!(texts(&entries, &inst, "nobody").is_empty());
    }

    #[test]
    fn a_window_is_the_same_lines_as_the_whole_laid_out() {
        let (_, inst) = view();
        let entries: Vec<HistoryEntry> = (0..40)
            .map(|i| {
                let result = match i % 3 {
                    0 => HistoryResult::Failed(format!("error {i} ").repeat(i as usize % 7 + 1)),
                    1 => HistoryResult::Done(Some(i)),
                    _ => HistoryResult::Unanswered,
                };
                entry(i, "447912345678", i % 2 == 0, result)
            })
            .collect();
        let rows = rows(&entries, &names(&entries, &inst.contacts));
        for filter in ["", "failed", "tom"] {
            let (total, all) = window(&rows, filter, 30, 0, usize::MAX);
            assert_eq!(total, all.len());
            for top in 0..=total {
                let (n, shown) = window(&rows, filter, 30, top, 7);
                assert_eq!(n, total);
                let expected: Vec<_> = all.iter().skip(top).take(7).cloned().collect();
                assert_eq!(shown, expected, "{filter:?} from {top}");
            }
        }
    }
}
