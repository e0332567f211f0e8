//! The contact filter: case- and accent-insensitive matching (nucleo) over
//! every name field and the number's digits, ranked by match quality. Each
//! word is found as typed, somewhere in a name ([`Matching::Substring`], the
//! default), or, asked for, by its letters in order ([`Matching::Fuzzy`]:
//! `promo` then finds "Pedro Muñoz" too). Words that
//! look like phone numbers match as digit substrings, so `+55 (11) 9876`
//! finds `551198765…` and `1234` does not match every number holding those
//! digits in order; typed in a national form (`07912 345678`) the leading
//! trunk 0 is dropped, and a word with digits also finds a name that holds
//! it (`Horas 302`). Pure: runs on any thread.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Arc;

use nucleo_matcher::pattern::{Atom, AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use crate::model::contacts::{ContactRef, ContactStore, Sort, char_mask, fold};

thread_local! {
    /// A matcher per thread: it owns scratch memory worth reusing.
    static MATCHER: RefCell<Matcher> = RefCell::new(Matcher::new(Config::DEFAULT));
}

/// How the words of a query find names: each as typed, or by its letters
/// in order. Number words are digit substrings either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Matching {
    /// Each word is somewhere in a name as typed (`promo` finds
    /// "Promoção", never "Pedro Muñoz").
    #[default]
    Substring,
    /// Each word's letters in order, best first (`crpt` finds "Crypto").
    Fuzzy,
}

impl Matching {
    /// Its name, for the filter line and messages.
    pub fn word(self) -> &'static str {
        match self {
            Matching::Substring => "substring",
            Matching::Fuzzy => "fuzzy",
        }
    }

    /// The other mode, for the key that switches.
    pub fn other(self) -> Matching {
        match self {
            Matching::Substring => Matching::Fuzzy,
            Matching::Fuzzy => Matching::Substring,
        }
    }

    fn atom_kind(self) -> AtomKind {
        match self {
            Matching::Substring => AtomKind::Substring,
            Matching::Fuzzy => AtomKind::Fuzzy,
        }
    }
}

/// Whether a word of the query is a phone number fragment.
fn is_number_word(word: &str) -> bool {
    word.chars().any(|c| c.is_ascii_digit())
        && word
            .chars()
            .all(|c| c.is_ascii_digit() || "+-().".contains(c))
}

/// A parsed query: runs of number words become digit strings matched as
/// substrings of the number (`+55 (11) 9` is `55119`); other words are
/// nucleo atoms (substring or fuzzy) over the folded names and digits.
struct Query {
    words: Pattern,
    numbers: Vec<NumberRun>,
    /// Emoji and other symbols typed (the index drops them): each must
    /// be in one of the row's names as typed.
    symbols: Vec<String>,
    /// Characters every match must hold.
    mask: u64,
}

/// Consecutive number words of the query.
#[derive(Default)]
struct NumberRun {
    /// Their digits, as typed (`07912345678`).
    digits: String,
    /// The same without a national trunk `0` (`7912345678`), when typed
    /// without `+`: the country code is then implied by the substring
    /// match.
    national: Option<String>,
    /// The words as typed, folded, for names that hold them (`302`,
    /// `24-7`).
    words: Vec<String>,
    /// Whether the run began with `+`.
    international: bool,
}

impl NumberRun {
    /// The digits the run needs at least (for the character mask).
    fn weakest(&self) -> &str {
        self.national.as_deref().unwrap_or(&self.digits)
    }

    fn finish(&mut self) {
        let stripped = self.digits.trim_start_matches('0');
        if !self.international && stripped.len() < self.digits.len() && !stripped.is_empty() {
            self.national = Some(stripped.to_string());
        }
    }
}

/// Whether `haystack` holds `needle` (ASCII-folded text) as a substring.
fn holds(haystack: Utf32Str<'_>, needle: &str) -> bool {
    match haystack {
        Utf32Str::Ascii(bytes) => bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
        Utf32Str::Unicode(chars) => {
            let needle: Vec<char> = needle.chars().collect();
            chars.windows(needle.len()).any(|w| w == needle.as_slice())
        }
    }
}

impl Query {
    fn parse(text: &str, matching: Matching) -> Query {
        let mut words = Pattern::default();
        let mut numbers: Vec<NumberRun> = Vec::new();
        let mut symbols_typed: Vec<String> = Vec::new();
        let mut in_number = false;
        for word in text.split_whitespace() {
            if is_number_word(word) {
                if !in_number {
                    numbers.push(NumberRun {
                        international: word.starts_with('+'),
                        ..NumberRun::default()
                    });
                }
                if let Some(run) = numbers.last_mut() {
                    run.digits.extend(word.chars().filter(char::is_ascii_digit));
                    run.words.push(fold(word).collect());
                }
                in_number = true;
            } else {
                in_number = false;
                let symbols: String = word
                    .chars()
                    .filter(|c| !c.is_ascii() && !c.is_alphanumeric())
                    .collect();
                if !symbols.is_empty() {
                    symbols_typed.push(symbols);
                }
                // Folded like the index, so `pão` and `PAO` both find Pão.
                let folded: String = fold(word).collect();
                if !folded.is_empty() {
                    words.atoms.push(Atom::new(
                        &folded,
                        CaseMatching::Ignore,
                        Normalization::Smart,
                        matching.atom_kind(),
                        false,
                    ));
                }
            }
        }
        for run in &mut numbers {
            run.finish();
        }
        let mask = char_mask(
            words
                .atoms
                .iter()
                .flat_map(|a| a.needle_text().chars())
                .chain(numbers.iter().flat_map(|n| n.weakest().chars())),
        );
        Query {
            words,
            numbers,
            symbols: symbols_typed,
            mask,
        }
    }

    fn is_empty(&self) -> bool {
        self.words.atoms.is_empty() && self.numbers.is_empty() && self.symbols.is_empty()
    }

    /// The score of row `i`, or `None` when it does not match.
    fn score(&self, store: &ContactStore, i: u32, matcher: &mut Matcher) -> Option<u32> {
        if store.mask(i) & self.mask != self.mask {
            return None;
        }
        let mut score = 0;
        if !self.numbers.is_empty() {
            let digits = store.get(i)?.digits().unwrap_or_default();
            for run in &self.numbers {
                let in_number = std::iter::once(run.digits.as_str())
                    .chain(run.national.as_deref())
                    .find_map(|d| digits.find(d).map(|at| (d.len(), at)));
                score += match in_number {
                    // Whole runs weigh like a good fuzzy match; a prefix more.
                    Some((len, at)) => 16 * len as u32 + if at == 0 { 32 } else { 0 },
                    // A name that holds the words: `Loja 24 Horas 302`.
                    None if run.words.iter().all(|w| holds(store.haystack(i), w)) => {
                        8 * run.digits.len() as u32
                    }
                    None => return None,
                };
            }
        }
        if !self.symbols.is_empty() {
            let contact = store.get(i)?;
            for symbols in &self.symbols {
                if !contact.names().any(|name| name.contains(symbols.as_str())) {
                    return None;
                }
                score += 16;
            }
        }
        if !self.words.atoms.is_empty() {
            score += self.words.score(store.haystack(i), matcher)?;
        }
        Some(score)
    }
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

/// Row numbers of the contacts that match `query` (its words found as
/// `matching` says) and `keep`: in `sort` order when the query is empty,
/// else best match first (ties in `sort` order).
pub fn filter(
    store: &ContactStore,
    query: &str,
    matching: Matching,
    sort: Sort,
    keep: &Keep,
) -> Vec<u32> {
    let order = store.order(sort);
    let query = Query::parse(query, matching);
    if query.is_empty() {
        return order
            .iter()
            .copied()
            .filter(|&i| store.get(i).is_some_and(|c| keep.keeps(&c)))
            .collect();
    }
    // Build the index before splitting the work, not once per thread.
    if let Some(&first) = order.first() {
        store.haystack(first);
    }
    let score_chunk = |offset: usize, chunk: &[u32]| -> Vec<(u32, u32, u32)> {
        MATCHER.with_borrow_mut(|matcher| {
            let mut hits = Vec::new();
            for (n, &i) in chunk.iter().enumerate() {
                if let Keep::Only(_) = keep
                    && !store.get(i).is_some_and(|c| keep.keeps(&c))
                {
                    continue;
                }
                if let Some(score) = query.score(store, i, matcher) {
                    hits.push((u32::MAX - score, (offset + n) as u32, i));
                }
            }
            hits
        })
    };
    let mut hits = if order.len() < PARALLEL_FROM {
        score_chunk(0, &order)
    } else {
        // Two halves on two threads: this machine class has two cores.
        let half = order.len() / 2;
        let (a, b) = order.split_at(half);
        std::thread::scope(|scope| {
            let other = scope.spawn(|| score_chunk(half, b));
            let mut hits = score_chunk(0, a);
            hits.extend(other.join().unwrap_or_default());
            hits
        })
    };
    hits.sort_unstable();
    hits.into_iter().map(|(_, _, i)| i).collect()
}

/// Lists at least this long are scored on two threads.
const PARALLEL_FROM: usize = 20_000;

/// Character positions of `text` that `query` matches (as `matching`
/// finds words), for highlighting.
pub fn highlight(query: &str, matching: Matching, text: &str) -> Vec<u32> {
    let pattern = Query::parse(query, matching).words;
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
    /// How its words find names.
    pub matching: Matching,
    /// Order without a query.
    pub sort: Sort,
    /// The view.
    pub keep: Keep,
}

impl FilterJob {
    /// Runs the filter.
    pub fn run(&self) -> Vec<u32> {
        filter(
            &self.store,
            &self.query,
            self.matching,
            self.sort,
            &self.keep,
        )
    }
}

impl PartialEq for FilterJob {
    fn eq(&self, other: &Self) -> bool {
        self.instance == other.instance
            && self.generation == other.generation
            && self.query == other.query
            && self.matching == other.matching
            && self.sort == other.sort
    }
}

impl Eq for FilterJob {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{self, Contact, contact as c};

    fn store_contacts() -> Vec<Contact> {
        vec![
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
        ]
    }

    fn store() -> ContactStore {
        fixtures::store(store_contacts())
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
            filter(&s, "", Matching::Substring, Sort::Listed, &Keep::All),
            vec![0, 1, 2, 3, 4]
        );
        assert_eq!(
            filter(&s, "  ", Matching::Substring, Sort::Name, &Keep::All),
            s.order(Sort::Name).to_vec()
        );
    }

    #[test]
    fn fuzzy_over_every_name_field_case_insensitive() {
        let s = store();
        assert_eq!(
            names(
                &s,
                &filter(&s, "ANINHA", Matching::Substring, Sort::Listed, &Keep::All)
            ),
            ["Ana Silva"]
        );
        assert_eq!(
            names(
                &s,
                &filter(&s, "PÃO", Matching::Substring, Sort::Listed, &Keep::All)
            ),
            ["Padaria Pão Quente"]
        );
        assert_eq!(
            names(
                &s,
                &filter(&s, "crpt", Matching::Fuzzy, Sort::Listed, &Keep::All)
            ),
            ["~Crypto Profits 📈"]
        );
        assert!(filter(&s, "zzz", Matching::Substring, Sort::Listed, &Keep::All).is_empty());
    }

    #[test]
    fn words_are_substrings_unless_fuzzy_is_asked_for() {
        let mut rows = store_contacts();
        rows.extend([
            c(
                "5527945472109@s.whatsapp.net",
                None,
                None,
                Some("Promoção 🔥🔥"),
            ),
            c(
                "5585950730137@s.whatsapp.net",
                Some("Pedro Muñoz"),
                None,
                None,
            ),
            c(
                "5571934360618@s.whatsapp.net",
                Some("PROMO Relâmpago"),
                None,
                None,
            ),
        ]);
        let s = fixtures::store(rows);
        let find = |q: &str, m: Matching| {
            let mut found = names(&s, &filter(&s, q, m, Sort::Listed, &Keep::All));
            found.sort();
            found
        };
        assert_eq!(
            find("promo", Matching::Substring),
            ["PROMO Relâmpago", "~Promoção 🔥🔥"],
            "the letters p-r-o-m-o in order are not enough"
        );
        assert_eq!(
            find("promo", Matching::Fuzzy),
            ["PROMO Relâmpago", "Pedro Muñoz", "~Promoção 🔥🔥"]
        );
        assert_eq!(
            find("PROMOÇÃO", Matching::Substring),
            ["~Promoção 🔥🔥"],
            "case and accents are ignored"
        );
        assert_eq!(
            find("pao quen", Matching::Substring),
            ["Padaria Pão Quente"],
            "every word, each somewhere"
        );
        assert!(find("pao zzz", Matching::Substring).is_empty());
        assert_eq!(
            find("+55 (85) 95073", Matching::Substring),
            ["Pedro Muñoz"],
            "number formatting is ignored"
        );
    }

    #[test]
    fn better_matches_rank_first() {
        let s = store();
        let got = names(
            &s,
            &filter(&s, "ana", Matching::Substring, Sort::Listed, &Keep::All),
        );
        assert_eq!(got[0], "Ana Silva", "{got:?}");
        assert!(got.contains(&"Anabela Souza".to_string()));
    }

    #[test]
    fn number_words_are_digit_substrings() {
        let s = store();
        assert_eq!(
            names(
                &s,
                &filter(
                    &s,
                    "+55 (11) 98765",
                    Matching::Substring,
                    Sort::Listed,
                    &Keep::All
                )
            ),
            ["Ana Silva"]
        );
        assert_eq!(
            names(
                &s,
                &filter(&s, "1234", Matching::Substring, Sort::Listed, &Keep::All)
            ),
            ["Bruno Santos", "Anabela Souza"]
        );
        assert_eq!(
            names(
                &s,
                &filter(
                    &s,
                    "ana 4479",
                    Matching::Substring,
                    Sort::Listed,
                    &Keep::All
                )
            ),
            ["Anabela Souza"]
        );
    }

    #[test]
    fn a_word_with_digits_finds_names_that_hold_it() {
        let mut rows = store_contacts();
        rows.push(c(
            "5521987650000@s.whatsapp.net",
            Some("Loja 24 Horas 302"),
            None,
            None,
        ));
        rows.push(c(
            "5521987650001@s.whatsapp.net",
            Some("Loja 7-Eleven"),
            None,
            None,
        ));
        let s = fixtures::store(rows);
        assert_eq!(
            names(
                &s,
                &filter(
                    &s,
                    "Horas 302",
                    Matching::Substring,
                    Sort::Listed,
                    &Keep::All
                )
            ),
            ["Loja 24 Horas 302"]
        );
        assert_eq!(
            names(
                &s,
                &filter(&s, "loja 24", Matching::Substring, Sort::Listed, &Keep::All)
            ),
            ["Loja 24 Horas 302"]
        );
        assert_eq!(
            names(
                &s,
                &filter(
                    &s,
                    "7-Eleven",
                    Matching::Substring,
                    Sort::Listed,
                    &Keep::All
                )
            ),
            ["Loja 7-Eleven"]
        );
    }

    #[test]
    fn a_national_form_finds_the_number() {
        let mut rows = store_contacts();
        rows.push(c("447912345678@s.whatsapp.net", Some("Oliver"), None, None));
        rows.push(c("5511999998888@s.whatsapp.net", Some("Caio"), None, None));
        let s = fixtures::store(rows);
        let find = |q: &str| {
            names(
                &s,
                &filter(&s, q, Matching::Substring, Sort::Listed, &Keep::All),
            )
        };
        assert_eq!(
            find("07912 345678"),
            ["Oliver"],
            "trunk 0 dropped, +44 implied"
        );
        assert_eq!(find("07912"), ["Oliver"]);
        assert_eq!(find("(11) 99999-8888"), ["Caio"]);
        assert_eq!(find("0 11 99999-8888"), ["Caio"]);
        assert_eq!(find("+44 7912 345678"), ["Oliver"]);
        assert!(find("+07912").is_empty(), "with +, a 0 is no trunk");
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
        assert_eq!(
            filter(&s, "", Matching::Substring, Sort::Listed, &keep),
            vec![2, 4]
        );
        assert_eq!(
            filter(&s, "pad", Matching::Substring, Sort::Listed, &keep),
            vec![2]
        );
    }

    #[test]
    fn highlights_what_matched() {
        assert_eq!(
            highlight("ana", Matching::Substring, "Ana Silva"),
            vec![0, 1, 2]
        );
        assert_eq!(highlight("as", Matching::Fuzzy, "Ana Silva"), vec![0, 4]);
        assert!(highlight("as", Matching::Substring, "Ana Silva").is_empty());
        assert_eq!(
            highlight("pao", Matching::Substring, "Padaria Pão Quente"),
            vec![8, 9, 10],
            "accents folded"
        );
        assert!(highlight("", Matching::Substring, "Ana").is_empty());
        assert!(
            highlight("5511", Matching::Substring, "Ana").is_empty(),
            "a number word does not light up a name"
        );
    }
}
