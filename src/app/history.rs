//! The history overlay (`h`, `:history`): the ledger's actions on the
//! shown instance, newest first, filterable with `/`. Pure: its lines and
//! keys, tested without a terminal.

use super::log::LineKind;
use crate::model::change::Change;
use std::collections::HashMap;

use super::state::{Instance, Pager};
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
    /// The contacts' names of the actions' numbers, found once when the
    /// actions arrive.
    pub names: HashMap<String, String>,
    /// Scrolling, and the filter (`/`).
    pub pager: Pager,
}

impl HistoryView {
    /// A view of `instance`'s history, waiting for the ledger.
    pub fn new(instance: usize) -> HistoryView {
        HistoryView {
            instance,
            entries: None,
            names: HashMap::new(),
            pager: Pager::default(),
        }
    }
}

/// The number as shown: its country's format, or "hidden number".
fn number_of(jid: &str) -> String {
    match phone_digits(jid) {
        Some(_) => crate::model::number::shown_jid(jid),
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
        Change::of(entry.block).verb(),
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

/// The names of `entries`' numbers among `inst`'s contacts, in one pass
/// over them (the lines are laid out at every frame and key).
pub fn names(entries: &[HistoryEntry], inst: &Instance) -> HashMap<String, String> {
    inst.contacts
        .names_of(entries.iter().map(|e| e.jid.as_str()))
}

/// The history's lines at `width` columns: per action matching
/// `filter`, a heading (time, block or unblock, result), the number and
/// name (from `names`, see [`names`]), and the error in full.
pub fn lines(
    entries: &[HistoryEntry],
    names: &HashMap<String, String>,
    filter: &str,
    width: usize,
) -> Vec<(LineKind, String)> {
    let room = width.saturating_sub(2).max(1);
    let mut lines = Vec::new();
    for e in entries {
        let name = names.get(&e.jid).map_or("not in contacts", String::as_str);
        if !matches(e, name, filter) {
            continue;
        }
        let verb = Change::of(e.block).verb();
        let (kind, mark) = match e.result {
            HistoryResult::Done(_) => (LineKind::InfoHeading, '✓'),
            HistoryResult::Failed(_) => (LineKind::ErrorHeading, '✖'),
            HistoryResult::Unanswered => (LineKind::Text, '?'),
        };
        let heading = format!(
            "{mark} {}  {verb} · {}",
            crate::util::dates::short(e.requested_at),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::contacts::ContactStore;
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

    fn view() -> (Vec<HistoryEntry>, Instance) {
        let mut inst = Instance::new("sales", None);
        inst.contacts = Arc::new(ContactStore::from_remote([crate::model::fixtures::remote(
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
        lines(entries, &names(entries, inst), filter, 60)
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
}
