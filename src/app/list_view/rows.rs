//! The Blocklist view's rows: the entries the list keeps (ended by hand
//! or retracted ones left out; expired ones kept, and said so), newest
//! first, narrowed by the filter (every word, case and accents ignored,
//! in the reason, the source, the operator or the `@lid`; number
//! fragments in the number), and what each row says: when it expires and
//! on how many of our numbers it is known blocked.

use crate::app::core::Core;
use crate::model::blocklist::{Entry, jid_of};
use crate::model::flags::{QueryWord as Word, fold, query_words as words_of};

/// Whether `e` matches every word.
fn matches(e: &Entry, words: &[Word]) -> bool {
    let text = || {
        fold(&format!(
            "{} {} {} {}",
            e.reason.as_deref().unwrap_or_default(),
            e.source,
            e.operator.as_deref().unwrap_or_default(),
            e.target
        ))
    };
    words.iter().all(|w| match w {
        Word::Text(t) => text().contains(t.as_str()),
        Word::Flag => text().contains('⚑'),
        Word::Digits(d) => {
            e.target.contains(d.as_str())
                || (d.starts_with('0') && e.target.contains(d.trim_start_matches('0')))
        }
    })
}

/// The entries shown for `filter`, as indexes into `entries`, newest
/// first: every entry not removed.
pub fn matching(entries: &[Entry], filter: &str) -> Vec<usize> {
    let words = words_of(filter);
    let mut rows: Vec<usize> = (0..entries.len())
        .filter(|&i| entries[i].removed.is_none() && matches(&entries[i], &words))
        .collect();
    rows.sort_by_key(|&i| std::cmp::Reverse((entries[i].added, i)));
    rows
}

/// When an entry stops listing its number: `never`, `expired`, `in 3 d`,
/// `in 5 h`, `in 12 min`, `in 40 s`.
pub fn expiry(e: &Entry, now: i64) -> String {
    let Some(at) = e.expires else {
        return "never".to_string();
    };
    let left = at - now;
    match left {
        ..=0 => "expired".to_string(),
        1..=59 => format!("in {left} s"),
        60..=3_599 => format!("in {} min", (left + 59) / 60),
        3_600..=86_399 => format!("in {} h", (left + 3_599) / 3_600),
        _ => format!("in {} d", (left + 86_399) / 86_400),
    }
}

/// On how many instances the entry's number is known blocked, of how
/// many.
pub fn coverage(core: &Core, e: &Entry) -> (usize, usize) {
    let jid = jid_of(&e.target);
    let lid = jid
        .ends_with(crate::model::number::LID_SUFFIX)
        .then_some(jid.as_str());
    let blocked = core
        .instances
        .iter()
        .filter(|i| i.known_of_jid(&jid, lid).is_some_and(|k| k.blocked))
        .count();
    (blocked, core.instances.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(target: &str, reason: &str, added: i64) -> Entry {
        Entry {
            target: target.into(),
            reason: Some(reason.into()),
            source: "manual".into(),
            operator: Some("desk-1".into()),
            added,
            expires: None,
            removed: None,
        }
    }

    #[test]
    fn newest_first_without_removed_ones_and_filtered_by_words_and_digits() {
        let mut gone = entry("5511911110003", "spam", 3);
        gone.removed = Some(4);
        let entries = vec![
            entry("5511911110001", "spam wave", 1),
            entry("6281234567890", "Fraude", 2),
            gone,
        ];
        assert_eq!(matching(&entries, ""), [1, 0]);
        assert_eq!(matching(&entries, "fraude"), [1]);
        assert_eq!(matching(&entries, "+55 11 9111"), [0]);
        assert_eq!(matching(&entries, "desk-1 wave"), [0]);
        assert!(matching(&entries, "nobody").is_empty());
    }

    #[test]
    fn expiry_reads_as_a_person_says_it() {
        let mut e = entry("1", "x", 0);
        assert_eq!(expiry(&e, 100), "never");
        e.expires = Some(100);
        assert_eq!(expiry(&e, 100), "expired");
        e.expires = Some(100 + 3 * 86_400 - 5);
        assert_eq!(expiry(&e, 100), "in 3 d");
        e.expires = Some(100 + 5 * 3_600);
        assert_eq!(expiry(&e, 100), "in 5 h");
        e.expires = Some(100 + 40);
        assert_eq!(expiry(&e, 100), "in 40 s");
    }
}
