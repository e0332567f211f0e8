//! The contact filter: fuzzy, case-insensitive matching (nucleo) over every
//! name field and the number's digits, ranked by match quality. Words that
//! look like phone numbers match as digit substrings, so `+55 (11) 9876`
//! finds `551198765…` and `1234` does not match every number holding those
//! digits in order. Pure: runs on any thread.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Arc;

use nucleo_matcher::pattern::{Atom, AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use crate::contacts::{ContactRef, ContactStore, Sort};

thread_local! {
    /// A matcher per thread: it owns scratch memory worth reusing.
    static MATCHER: RefCell<Matcher> = RefCell::new(Matcher::new(Config::DEFAULT));
}

/// Whether a word of the query is a phone number fragment.
fn is_number_word(word: &str) -> bool {
    word.chars().any(|c| c.is_ascii_digit())
        && word
            .chars()
            .all(|c| c.is_ascii_digit() || "+-().".contains(c))
}

/// The query as a nucleo pattern: fuzzy words, and digit-substring words
/// for number fragments.
fn pattern(query: &str) -> Pattern {
    let mut pattern = Pattern::default();
    pattern.atoms = query
        .split_whitespace()
        .map(|word| {
            if is_number_word(word) {
                let digits: String = word.chars().filter(char::is_ascii_digit).collect();
                Atom::new(
                    &digits,
                    CaseMatching::Ignore,
                    Normalization::Smart,
                    AtomKind::Substring,
                    false,
                )
            } else {
                Atom::new(
                    word,
                    CaseMatching::Ignore,
                    Normalization::Smart,
                    AtomKind::Fuzzy,
                    false,
                )
            }
        })
        .collect();
    pattern
}

/// Writes the text a contact is matched against into `hay`: its names,
/// then its digits (or its JID when it has no phone number).
fn haystack(c: &ContactRef<'_>, hay: &mut String) {
    hay.clear();
    for name in c.names() {
        hay.push_str(name);
        hay.push(' ');
    }
    hay.push_str(c.digits().unwrap_or(c.jid()));
}

/// Which contacts a view keeps besides the query.
#[derive(Debug, Clone, Default)]
pub enum Keep {
    /// Every contact.
    #[default]
    All,
    /// Only those whose JID or `@lid` is in the set (the ledger's known
    /// blocked).
    Only(Arc<HashSet<String>>),
}

impl Keep {
    fn keeps(&self, c: &ContactRef<'_>) -> bool {
        match self {
            Keep::All => true,
            Keep::Only(set) => set.contains(c.jid()) || c.lid().is_some_and(|l| set.contains(l)),
        }
    }
}

/// Row numbers of the contacts that match `query` and `keep`: in `sort`
/// order when the query is empty, else best match first (ties in `sort`
/// order).
pub fn filter(store: &ContactStore, query: &str, sort: Sort, keep: &Keep) -> Vec<u32> {
    let order = store.order(sort);
    let pattern = pattern(query);
    if pattern.atoms.is_empty() {
        return order
            .iter()
            .copied()
            .filter(|&i| store.get(i).is_some_and(|c| keep.keeps(&c)))
            .collect();
    }
    MATCHER.with_borrow_mut(|matcher| {
        let mut hay = String::new();
        let mut chars = Vec::new();
        let mut hits: Vec<(u32, u32, u32)> = Vec::new();
        for (position, &i) in order.iter().enumerate() {
            let Some(c) = store.get(i) else { continue };
            if !keep.keeps(&c) {
                continue;
            }
            haystack(&c, &mut hay);
            if let Some(score) = pattern.score(Utf32Str::new(&hay, &mut chars), matcher) {
                hits.push((u32::MAX - score, position as u32, i));
            }
        }
        hits.sort_unstable();
        hits.into_iter().map(|(_, _, i)| i).collect()
    })
}

/// Character positions of `text` that `query` matches, for highlighting.
pub fn highlight(query: &str, text: &str) -> Vec<u32> {
    let pattern = pattern(query);
    if pattern.atoms.is_empty() || text.is_empty() {
        return Vec::new();
    }
    MATCHER.with_borrow_mut(|matcher| {
        let mut chars = Vec::new();
        let mut indices = Vec::new();
        // Words may match elsewhere (another name, the digits): highlight
        // what each word finds in this text.
        for atom in &pattern.atoms {
            atom.indices(Utf32Str::new(text, &mut chars), matcher, &mut indices);
        }
        indices.sort_unstable();
        indices.dedup();
        indices
    })
}

/// A filter to run off the UI path, with what it needs.
#[derive(Debug, Clone)]
pub struct FilterJob {
    /// The instance it is for.
    pub instance: usize,
    /// Newer jobs have higher numbers; older results are dropped.
    pub generation: u64,
    /// The contacts.
    pub store: Arc<ContactStore>,
    /// The typed query.
    pub query: String,
    /// Order without a query.
    pub sort: Sort,
    /// The view.
    pub keep: Keep,
}

impl FilterJob {
    /// Runs the filter.
    pub fn run(&self) -> Vec<u32> {
        filter(&self.store, &self.query, self.sort, &self.keep)
    }
}

impl PartialEq for FilterJob {
    fn eq(&self, other: &Self) -> bool {
        self.instance == other.instance
            && self.generation == other.generation
            && self.query == other.query
            && self.sort == other.sort
    }
}

impl Eq for FilterJob {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::RemoteContact;

    fn store() -> ContactStore {
        let c = |jid: &str, full: Option<&str>, business: Option<&str>, push: Option<&str>| {
            RemoteContact {
                jid: jid.into(),
                lid: None,
                first_name: None,
                full_name: full.map(str::to_string),
                push_name: push.map(str::to_string),
                business_name: business.map(str::to_string),
            }
        };
        ContactStore::from_remote([
            c(
                "5511987650001@s.whatsapp.net",
                Some("Ana Silva"),
                None,
                Some("Aninha"),
            ),
            c(
                "5511912340002@s.whatsapp.net",
                Some("Bruno Santos"),
                None,
                None,
            ),
            c(
                "14155550123@s.whatsapp.net",
                None,
                Some("Padaria Pão Quente"),
                None,
            ),
            c(
                "4479111234567@s.whatsapp.net",
                Some("Anabela Souza"),
                None,
                None,
            ),
            c("123@lid", None, None, Some("Crypto Profits 📈")),
        ])
    }

    fn names(store: &ContactStore, rows: &[u32]) -> Vec<String> {
        rows.iter()
            .map(|&i| store.get(i).unwrap().display_name())
            .collect()
    }

    #[test]
    fn empty_query_follows_the_sort() {
        let s = store();
        assert_eq!(
            filter(&s, "", Sort::Listed, &Keep::All),
            vec![0, 1, 2, 3, 4]
        );
        assert_eq!(
            filter(&s, "  ", Sort::Name, &Keep::All),
            s.order(Sort::Name).to_vec()
        );
    }

    #[test]
    fn fuzzy_over_every_name_field_case_insensitive() {
        let s = store();
        assert_eq!(
            names(&s, &filter(&s, "ANINHA", Sort::Listed, &Keep::All)),
            ["Ana Silva"]
        );
        assert_eq!(
            names(&s, &filter(&s, "pao", Sort::Listed, &Keep::All)),
            ["Padaria Pão Quente"]
        );
        assert_eq!(
            names(&s, &filter(&s, "crpt", Sort::Listed, &Keep::All)),
            ["~Crypto Profits 📈"]
        );
        assert!(filter(&s, "zzz", Sort::Listed, &Keep::All).is_empty());
    }

    #[test]
    fn better_matches_rank_first() {
        let s = store();
        let got = names(&s, &filter(&s, "ana", Sort::Listed, &Keep::All));
        assert_eq!(got[0], "Ana Silva", "{got:?}");
        assert!(got.contains(&"Anabela Souza".to_string()));
    }

    #[test]
    fn number_words_are_digit_substrings() {
        let s = store();
        assert_eq!(
            names(&s, &filter(&s, "+55 (11) 98765", Sort::Listed, &Keep::All)),
            ["Ana Silva"]
        );
        assert_eq!(
            names(&s, &filter(&s, "1234", Sort::Listed, &Keep::All)),
            ["Bruno Santos", "Anabela Souza"]
        );
        assert_eq!(
            names(&s, &filter(&s, "ana 4479", Sort::Listed, &Keep::All)),
            ["Anabela Souza"]
        );
    }

    #[test]
    fn the_blocked_view_keeps_only_known_jids() {
        let s = store();
        let set: HashSet<String> = [
            "123@lid".to_string(),
            "14155550123@s.whatsapp.net".to_string(),
        ]
        .into();
        let keep = Keep::Only(Arc::new(set));
        assert_eq!(filter(&s, "", Sort::Listed, &keep), vec![2, 4]);
        assert_eq!(filter(&s, "pad", Sort::Listed, &keep), vec![2]);
    }

    #[test]
    fn highlights_what_matched() {
        assert_eq!(highlight("ana", "Ana Silva"), vec![0, 1, 2]);
        assert_eq!(highlight("as", "Ana Silva"), vec![0, 4]);
        assert!(highlight("", "Ana").is_empty());
        assert!(
            highlight("5511", "Ana").is_empty(),
            "a number word does not light up a name"
        );
    }
}
