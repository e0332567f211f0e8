//! A compact, immutable store of one instance's contacts.
//!
//! Every string of every contact lives in one arena; a row is a handful of
//! offsets into it. Nothing is copied per row for the filter or per view:
//! views are lists of row numbers. Built once per load (off the UI path)
//! and shared behind an `Arc`.

use std::sync::OnceLock;

use nucleo_matcher::Utf32Str;
use nucleo_matcher::chars::{normalize, to_lower_case};

use crate::model::number::{LID_SUFFIX, format_phone, phone_digits};
use crate::util::sanitize::clean;

/// Which contacts the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum View {
    /// Every contact.
    #[default]
    All,
    /// Only those the ledger knows as blocked.
    Blocked,
}

/// A piece of the arena.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) len: u32,
}

/// Which name a row shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Shown {
    Full = 0,
    First = 1,
    Business = 2,
    Push = 3,
    None = 4,
}

/// One contact: where its fields lie in the arena, one after the other
/// (the JID, the `@lid`, then the names full, first, business, push), and
/// which name it shows. 20 bytes a contact, where six (start, length)
/// pairs took 52.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Row {
    /// Where the JID starts.
    pub(crate) start: u32,
    /// The length of each field, in the order above (0: absent).
    pub(crate) lens: [u16; FIELDS],
    pub(crate) shown: Shown,
}

/// Fields of a row: JID, `@lid`, four names.
pub(crate) const FIELDS: usize = 6;

impl Row {
    /// Field `n` (0 the JID, 1 the `@lid`, 2… the names).
    fn field(&self, n: usize) -> Span {
        let before: u32 = self.lens[..n].iter().map(|&l| u32::from(l)).sum();
        Span {
            start: self.start + before,
            len: u32::from(self.lens[n]),
        }
    }

    /// The JID.
    pub(crate) fn jid(&self) -> Span {
        self.field(0)
    }

    /// The `@lid` (empty when none).
    pub(crate) fn lid(&self) -> Span {
        self.field(1)
    }

    /// Name `n`: full, first, business, push.
    pub(crate) fn name(&self, n: usize) -> Span {
        self.field(2 + n)
    }
}

/// How a view is ordered when no filter ranks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// As the server listed them.
    #[default]
    Listed,
    /// By the shown name (contacts without a name last).
    Name,
    /// By phone number (hidden numbers last).
    Number,
}

impl Sort {
    /// The next order, for the key that cycles them.
    pub fn next(self) -> Sort {
        match self {
            Sort::Listed => Sort::Name,
            Sort::Name => Sort::Number,
            Sort::Number => Sort::Listed,
        }
    }

    /// A word for the status bar.
    pub fn label(self) -> &'static str {
        match self {
            Sort::Listed => "as listed",
            Sort::Name => "by name",
            Sort::Number => "by number",
        }
    }
}

/// The contacts of one instance. Sort orders and the search index are
/// built on first use (off the UI path) and kept.
#[derive(Debug, Clone, Default)]
pub struct ContactStore {
    pub(crate) text: String,
    pub(crate) rows: Vec<Row>,
    /// Rows of the server's answer that were not valid contacts.
    skipped: usize,
    by_name: OnceLock<Vec<u32>>,
    by_number: OnceLock<Vec<u32>>,
    search: OnceLock<SearchIndex>,
    numbers: ShownNumbers,
}

/// Rows whose shown numbers are formatted together.
const NUMBER_CHUNK: usize = 64;

/// Each row's number as shown (`+44 7912 345678`), formatted on first
/// sight a chunk of rows at a time and kept: no frame formats a number,
/// and a list that is never scrolled through never formats most of them.
#[derive(Debug, Clone, Default)]
struct ShownNumbers(Box<[OnceLock<NumberChunk>]>);

/// The shown numbers of [`NUMBER_CHUNK`] rows.
type NumberChunk = Box<[Box<str>]>;

impl ShownNumbers {
    fn for_rows(rows: usize) -> ShownNumbers {
        ShownNumbers(
            (0..rows.div_ceil(NUMBER_CHUNK))
                .map(|_| OnceLock::new())
                .collect(),
        )
    }

    fn heap_bytes(&self) -> usize {
        self.0.len() * std::mem::size_of::<OnceLock<NumberChunk>>()
            + self
                .0
                .iter()
                .filter_map(OnceLock::get)
                .map(|chunk| {
                    chunk.len() * std::mem::size_of::<Box<str>>()
                        + chunk.iter().map(|n| n.len()).sum::<usize>()
                })
                .sum::<usize>()
    }
}

/// A row's number formatted for reading, or `hidden number`.
fn shown_number(jid: &str) -> Box<str> {
    match phone_digits(jid) {
        Some(d) => format_phone(d).into(),
        None if jid.ends_with(LID_SUFFIX) => "hidden number".into(),
        None => jid.into(),
    }
}

impl PartialEq for ContactStore {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text && self.rows == other.rows
    }
}

impl Eq for ContactStore {}

/// What the filter matches each row against: its names and digits,
/// already case-folded and accent-normalised the way the matcher compares,
/// as bytes when ASCII (the matcher's fast path) or as characters.
#[derive(Debug, Clone, Default)]
struct SearchIndex {
    ascii: Vec<u8>,
    wide: Vec<char>,
    /// Per row: start, and length with the top bit set for `wide`.
    spans: Vec<(u32, u32)>,
    /// Per row: which letters and digits it holds (see [`char_mask`]), so
    /// the filter skips rows that cannot match without scoring them.
    masks: Vec<u64>,
}

/// A bit per ASCII letter and digit, and one for any other character:
/// a row can only match a query whose mask is inside its own.
pub fn char_mask(chars: impl IntoIterator<Item = char>) -> u64 {
    chars.into_iter().fold(0, |mask, c| {
        mask | match c {
            'a'..='z' => 1 << (c as u32 - 'a' as u32),
            '0'..='9' => 1 << (26 + c as u32 - '0' as u32),
            ' ' => 0,
            c if c.is_ascii() => 1 << 36,
            _ => 1 << 37,
        }
    })
}

const WIDE: u32 = 1 << 31;

/// Text as the filter compares it: accents folded and lower case (as the
/// matcher folds them), emoji and other symbols dropped (nobody types
/// them into a filter, and they would keep a row off the fast ASCII path).
pub fn fold(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .filter(|c| c.is_ascii() || c.is_alphanumeric())
        .map(|c| to_lower_case(normalize(c)))
}

impl SearchIndex {
    fn build(store: &ContactStore) -> SearchIndex {
        let mut index = SearchIndex {
            ascii: Vec::with_capacity(store.text.len()),
            wide: Vec::new(),
            spans: Vec::with_capacity(store.rows.len()),
            masks: Vec::with_capacity(store.rows.len()),
        };
        let mut chars: Vec<char> = Vec::new();
        for c in store.iter() {
            chars.clear();
            for part in c
                .names()
                .chain(std::iter::once(c.digits().unwrap_or(c.jid())))
            {
                if !chars.is_empty() {
                    chars.push(' ');
                }
                chars.extend(fold(part));
            }
            index.masks.push(char_mask(chars.iter().copied()));
            if chars.iter().all(char::is_ascii) {
                let start = index.ascii.len() as u32;
                index.ascii.extend(chars.iter().map(|&ch| ch as u8));
                index.spans.push((start, chars.len() as u32));
            } else {
                let start = index.wide.len() as u32;
                index.wide.extend_from_slice(&chars);
                index.spans.push((start, chars.len() as u32 | WIDE));
            }
        }
        index.ascii.shrink_to_fit();
        index.wide.shrink_to_fit();
        index
    }

    fn get(&self, row: u32) -> Utf32Str<'_> {
        let (start, len) = self.spans[row as usize];
        let start = start as usize;
        if len & WIDE != 0 {
            Utf32Str::Unicode(&self.wide[start..start + (len & !WIDE) as usize])
        } else {
            Utf32Str::Ascii(&self.ascii[start..start + len as usize])
        }
    }

    fn heap_bytes(&self) -> usize {
        self.ascii.capacity()
            + self.wide.capacity() * 4
            + self.spans.capacity() * 8
            + self.masks.capacity() * 8
    }
}

/// One contact of a store, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct ContactRef<'a> {
    store: &'a ContactStore,
    row: &'a Row,
    /// Its row number in the store.
    pub index: u32,
}

impl<'a> ContactRef<'a> {
    fn get(&self, span: Span) -> &'a str {
        self.store.str(span)
    }

    /// The JID as listed (phone or `@lid`).
    pub fn jid(&self) -> &'a str {
        self.get(self.row.jid())
    }

    /// The contact's `@lid`, when known.
    pub fn lid(&self) -> Option<&'a str> {
        Some(self.get(self.row.lid())).filter(|l| !l.is_empty())
    }

    /// The best name (full, first, business, push), sanitised; empty when
    /// the contact has none.
    pub fn name(&self) -> &'a str {
        match self.row.shown {
            Shown::None => "",
            shown => self.get(self.row.name(shown as usize)),
        }
    }

    /// Whether [`ContactRef::name`] is the self-chosen push name (shown as
    /// `~name`).
    pub fn name_is_push(&self) -> bool {
        self.row.shown == Shown::Push
    }

    /// Every non-empty name field.
    pub fn names(&self) -> impl Iterator<Item = &'a str> + 'a {
        let (store, row) = (self.store, *self.row);
        (0..4)
            .map(move |n| store.str(row.name(n)))
            .filter(|n| !n.is_empty())
    }

    /// Each name field by its label (full, first, business, push),
    /// empty where the contact has none.
    pub fn name_fields(&self) -> [(&'static str, &'a str); 4] {
        let [full, first, business, push] = [0, 1, 2, 3].map(|n| self.store.str(self.row.name(n)));
        [
            ("full name", full),
            ("first name", first),
            ("business name", business),
            ("push name", push),
        ]
    }

    /// The phone digits, when the JID is a phone JID.
    pub fn digits(&self) -> Option<&'a str> {
        phone_digits(self.jid())
    }

    /// The number formatted for reading, or `hidden number` (formatted
    /// once per contact, on first use).
    pub fn number(&self) -> &'a str {
        self.store.shown_number(self.index)
    }

    /// The name as shown in lists: `~push name` for push names.
    pub fn display_name(&self) -> String {
        if self.name_is_push() {
            format!("~{}", self.name())
        } else {
            self.name().to_string()
        }
    }

    /// `Name (+55 11 9…)` or the number alone, for messages.
    pub fn describe(&self) -> String {
        if self.name().is_empty() {
            self.number().to_string()
        } else {
            format!("{} ({})", self.display_name(), self.number())
        }
    }
}

impl ContactStore {
    pub(crate) fn str(&self, span: Span) -> &str {
        &self.text[span.start as usize..(span.start + span.len) as usize]
    }

    /// How many contacts.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Contact number `index`.
    pub fn get(&self, index: u32) -> Option<ContactRef<'_>> {
        self.rows.get(index as usize).map(|row| ContactRef {
            store: self,
            row,
            index,
        })
    }

    /// Every contact, in server order.
    pub fn iter(&self) -> impl Iterator<Item = ContactRef<'_>> {
        self.rows.iter().enumerate().map(|(i, row)| ContactRef {
            store: self,
            row,
            index: i as u32,
        })
    }

    /// Row numbers in the given order.
    pub fn order(&self, sort: Sort) -> std::borrow::Cow<'_, [u32]> {
        match sort {
            Sort::Listed => (0..self.rows.len() as u32).collect::<Vec<_>>().into(),
            Sort::Name => self
                .by_name
                .get_or_init(|| self.sort_by_name())
                .as_slice()
                .into(),
            Sort::Number => self
                .by_number
                .get_or_init(|| self.sort_by_number())
                .as_slice()
                .into(),
        }
    }

    fn sort_by_name(&self) -> Vec<u32> {
        let mut keyed: Vec<(bool, String, u32)> = self
            .iter()
            .map(|c| (c.name().is_empty(), c.name().to_lowercase(), c.index))
            .collect();
        keyed.sort_unstable();
        keyed.into_iter().map(|(_, _, i)| i).collect()
    }

    /// By country calling code, numerically (+1, +34, +44, +49, +55, +91,
    /// +351), then by national number, numerically; digits no calling
    /// code begins after those, hidden numbers last.
    fn sort_by_number(&self) -> Vec<u32> {
        // Up to 15 digits fit a u64.
        let number = |d: &str| d.parse::<u64>().unwrap_or(u64::MAX);
        let mut keyed: Vec<(u8, u16, u64, usize, u32)> = self
            .iter()
            .map(|c| match c.digits() {
                Some(d) => match crate::model::number::split_calling_code(d) {
                    Some((code, national)) => (0, code, number(national), national.len(), c.index),
                    None => (1, 0, number(d), d.len(), c.index),
                },
                None => (2, 0, 0, 0, c.index),
            })
            .collect();
        keyed.sort_unstable();
        keyed.into_iter().map(|(.., i)| i).collect()
    }

    /// What the filter matches row `index` against (built on first use).
    pub fn haystack(&self, index: u32) -> Utf32Str<'_> {
        self.search_index().get(index)
    }

    /// The [`char_mask`] of row `index`'s haystack.
    pub fn mask(&self, index: u32) -> u64 {
        self.search_index().masks[index as usize]
    }

    fn search_index(&self) -> &SearchIndex {
        self.search.get_or_init(|| SearchIndex::build(self))
    }

    /// Builds the sort orders and the search index now, so the first key
    /// press does not wait for them.
    pub fn warm(&self) {
        self.order(Sort::Name);
        self.order(Sort::Number);
        self.search.get_or_init(|| SearchIndex::build(self));
    }

    /// The row whose JID or `@lid` is `jid`.
    pub fn find(&self, jid: &str) -> Option<ContactRef<'_>> {
        self.iter().find(|c| c.jid() == jid || c.lid() == Some(jid))
    }

    /// The shown names of the rows whose JID or `@lid` is one of `ids`,
    /// keyed by that id, found in one pass (where [`ContactStore::find`]
    /// per id would scan the list once each). Rows without a name are
    /// left out.
    pub fn names_of<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a str>,
    ) -> std::collections::HashMap<String, String> {
        self.rows_of(ids)
            .into_iter()
            .filter_map(|(id, row)| {
                let name = self.get(row)?.display_name();
                (!name.is_empty()).then_some((id, name))
            })
            .collect()
    }

    /// The row of each of `ids` that a row holds as its JID or `@lid`,
    /// found in one pass.
    pub fn rows_of<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a str>,
    ) -> std::collections::HashMap<String, u32> {
        let wanted: std::collections::HashSet<&str> = ids.into_iter().collect();
        let mut rows = std::collections::HashMap::new();
        if wanted.is_empty() {
            return rows;
        }
        for c in self.iter() {
            for id in std::iter::once(c.jid()).chain(c.lid()) {
                if wanted.contains(id) {
                    rows.insert(id.to_string(), c.index);
                }
            }
        }
        rows
    }

    /// Bytes held, for the memory goal.
    pub fn heap_bytes(&self) -> usize {
        let order = |o: &OnceLock<Vec<u32>>| o.get().map_or(0, |v| v.capacity() * 4);
        self.text.capacity()
            + self.rows.capacity() * std::mem::size_of::<Row>()
            + order(&self.by_name)
            + order(&self.by_number)
            + self.search.get().map_or(0, SearchIndex::heap_bytes)
            + self.numbers.heap_bytes()
    }

    /// How many rows of the server's answer were skipped as not valid
    /// contacts (no valid JID, not an object).
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// A store from its parts (the cache reads them back).
    pub(crate) fn from_parts(text: String, rows: Vec<Row>) -> ContactStore {
        ContactStore {
            numbers: ShownNumbers::for_rows(rows.len()),
            text,
            rows,
            ..ContactStore::default()
        }
    }

    /// Row `index`'s shown number, formatting its chunk on first use.
    fn shown_number(&self, index: u32) -> &str {
        let index = index as usize;
        let Some(slot) = self.numbers.0.get(index / NUMBER_CHUNK) else {
            return "";
        };
        let chunk = slot.get_or_init(|| {
            let start = index / NUMBER_CHUNK * NUMBER_CHUNK;
            let end = (start + NUMBER_CHUNK).min(self.rows.len());
            self.rows[start..end]
                .iter()
                .map(|row| shown_number(self.str(row.jid())))
                .collect()
        });
        chunk.get(index % NUMBER_CHUNK).map_or("", |n| n)
    }
}

/// Fills a store one contact at a time, so a response can be streamed into
/// it without a list of parsed contacts in between.
#[derive(Debug, Default)]
pub struct StoreBuilder {
    text: String,
    rows: Vec<Row>,
    skipped: usize,
}

impl StoreBuilder {
    /// A builder sized for `n` contacts.
    pub fn with_capacity(n: usize) -> StoreBuilder {
        StoreBuilder {
            text: String::with_capacity(n * 48),
            rows: Vec::with_capacity(n),
            skipped: 0,
        }
    }

    /// Appends a field to the arena; returns its length. A field longer
    /// than a row can hold (64 KiB: no name or JID is) is cut at a
    /// character boundary.
    fn intern(&mut self, text: &str) -> u16 {
        let text = clean(text);
        let mut text = text.trim();
        if text.len() > usize::from(u16::MAX) {
            let mut end = usize::from(u16::MAX);
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text = &text[..end];
        }
        self.text.push_str(text);
        text.len() as u16
    }

    /// Adds one contact from its fields.
    pub fn push_fields(&mut self, jid: &str, lid: Option<&str>, names: [Option<&str>; 4]) {
        let start = self.text.len() as u32;
        let jid = self.intern(jid);
        let lid = lid.map_or(0, |l| self.intern(l));
        let names = names.map(|n| n.map_or(0, |n| self.intern(n)));
        let shown = match names.iter().position(|&len| len > 0) {
            Some(0) => Shown::Full,
            Some(1) => Shown::First,
            Some(2) => Shown::Business,
            Some(3) => Shown::Push,
            _ => Shown::None,
        };
        let [full, first, business, push] = names;
        self.rows.push(Row {
            start,
            lens: [jid, lid, full, first, business, push],
            shown,
        });
    }

    /// Counts `n` rows of the server's answer that were not valid contacts
    /// (see [`ContactStore::skipped`]).
    pub fn count_skipped(&mut self, n: usize) {
        self.skipped += n;
    }

    /// Finishes the store.
    pub fn build(mut self) -> ContactStore {
        self.text.shrink_to_fit();
        self.rows.shrink_to_fit();
        ContactStore {
            skipped: self.skipped,
            ..ContactStore::from_parts(self.text, self.rows)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{self, Contact};

    #[test]
    fn a_name_past_64_kib_is_cut_at_a_character_and_the_rest_still_reads() {
        let huge = "é".repeat(40_000); // 80,000 bytes
        let mut b = StoreBuilder::default();
        b.push_fields(
            "5511911110001@s.whatsapp.net",
            Some("77@lid"),
            [Some(&huge), None, None, Some("Ana")],
        );
        let store = b.build();
        let c = store.get(0).unwrap();
        assert_eq!(c.jid(), "5511911110001@s.whatsapp.net");
        assert_eq!(c.lid(), Some("77@lid"));
        let [(_, full), _, _, (_, push)] = c.name_fields();
        assert_eq!(full.len(), 65_534, "cut at the last whole character");
        assert!(full.chars().all(|ch| ch == 'é'));
        assert_eq!(push, "Ana");
        assert_eq!(std::mem::size_of::<Row>(), 20);
    }

    fn contact(jid: &str, full: Option<&str>, push: Option<&str>) -> Contact {
        fixtures::contact(jid, full, None, push)
    }

    fn store() -> ContactStore {
        fixtures::store([
            contact("5511911110003@s.whatsapp.net", Some("carla"), None),
            contact("14155550123@s.whatsapp.net", None, Some("Bob 🚀")),
            contact("123@lid", None, None),
            contact("5511911110001@s.whatsapp.net", Some("  Ana\x1b[2J "), None),
        ])
    }

    #[test]
    fn rows_and_names_of_many_ids_in_one_pass() {
        let s = store();
        let rows = s.rows_of(["123@lid", "5511911110001@s.whatsapp.net", "nobody@lid"]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows["123@lid"], 2);
        assert_eq!(rows["5511911110001@s.whatsapp.net"], 3);
        let names = s.names_of(["123@lid", "14155550123@s.whatsapp.net"]);
        assert_eq!(names.len(), 1, "a row without a name gives none");
        assert_eq!(names["14155550123@s.whatsapp.net"], "~Bob 🚀");
    }

    #[test]
    fn rows_read_back_clean() {
        let s = store();
        assert_eq!(s.len(), 4);
        let ana = s.get(3).unwrap();
        assert_eq!(ana.name(), "Ana[2J");
        assert_eq!(ana.number(), "+55 11 91111-0001");
        let bob = s.get(1).unwrap();
        assert!(bob.name_is_push());
        assert_eq!(bob.display_name(), "~Bob 🚀");
        assert_eq!(bob.describe(), "~Bob 🚀 (+1 415-555-0123)");
        let hidden = s.get(2).unwrap();
        assert_eq!(hidden.name(), "");
        assert_eq!(hidden.number(), "hidden number");
        assert_eq!(hidden.describe(), "hidden number");
    }

    #[test]
    fn sort_orders() {
        let s = store();
        assert_eq!(s.order(Sort::Listed).as_ref(), &[0, 1, 2, 3]);
        assert_eq!(
            s.order(Sort::Name).as_ref(),
            &[3, 1, 0, 2],
            "case-insensitive, unnamed last"
        );
        assert_eq!(
            s.order(Sort::Number).as_ref(),
            &[1, 3, 0, 2],
            "hidden numbers last"
        );
    }

    #[test]
    fn sort_by_number_goes_by_calling_code_then_national_number() {
        let digits = [
            "351912345678",
            "5541989790060",
            "919876543210",
            "4915123456789",
            "447912345678",
            "34612345678",
            "16502530000",
            "5511999998888",
        ];
        let s = fixtures::store(
            digits
                .iter()
                .map(|d| contact(&format!("{d}@s.whatsapp.net"), None, None)),
        );
        let sorted: Vec<String> = s
            .order(Sort::Number)
            .iter()
            .map(|&i| s.get(i).unwrap().digits().unwrap_or_default().to_string())
            .collect();
        assert_eq!(
            sorted,
            [
                "16502530000",
                "34612345678",
                "447912345678",
                "4915123456789",
                "5511999998888",
                "5541989790060",
                "919876543210",
                "351912345678",
            ]
        );
    }

    #[test]
    fn find_by_jid_or_lid() {
        let mut c = contact("5511@s.whatsapp.net", Some("X"), None);
        c.lid = Some("99@lid".into());
        let s = fixtures::store([c]);
        assert_eq!(s.find("99@lid").unwrap().jid(), "5511@s.whatsapp.net");
        assert_eq!(s.find("5511@s.whatsapp.net").unwrap().lid(), Some("99@lid"));
        assert!(s.find("nope").is_none());
    }
}
