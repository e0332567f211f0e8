//! A compact, immutable store of one instance's contacts.
//!
//! Every string of every contact lives in one arena; a row is a handful of
//! offsets into it. Nothing is copied per row for the filter or per view:
//! views are lists of row numbers. Built once per load (off the UI path)
//! and shared behind an `Arc`.

use crate::api::RemoteContact;
use crate::number::{LID_SUFFIX, format_phone, phone_digits};
use crate::sanitize::clean;

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

/// One contact: offsets into the arena. Names are in the order full,
/// first, business, push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Row {
    pub(crate) jid: Span,
    pub(crate) lid: Span,
    pub(crate) names: [Span; 4],
    pub(crate) shown: Shown,
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

/// The contacts of one instance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactStore {
    pub(crate) text: String,
    pub(crate) rows: Vec<Row>,
    pub(crate) by_name: Vec<u32>,
    pub(crate) by_number: Vec<u32>,
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
        self.get(self.row.jid)
    }

    /// The contact's `@lid`, when known.
    pub fn lid(&self) -> Option<&'a str> {
        Some(self.get(self.row.lid)).filter(|l| !l.is_empty())
    }

    /// The best name (full, first, business, push), sanitised; empty when
    /// the contact has none.
    pub fn name(&self) -> &'a str {
        match self.row.shown {
            Shown::None => "",
            shown => self.get(self.row.names[shown as usize]),
        }
    }

    /// Whether [`ContactRef::name`] is the self-chosen push name (shown as
    /// `~name`).
    pub fn name_is_push(&self) -> bool {
        self.row.shown == Shown::Push
    }

    /// Every non-empty name field.
    pub fn names(&self) -> impl Iterator<Item = &'a str> + 'a {
        let store = self.store;
        self.row
            .names
            .into_iter()
            .map(move |span| store.str(span))
            .filter(|n| !n.is_empty())
    }

    /// The phone digits, when the JID is a phone JID.
    pub fn digits(&self) -> Option<&'a str> {
        phone_digits(self.jid())
    }

    /// The number formatted for reading, or `hidden number`.
    pub fn number(&self) -> String {
        match self.digits() {
            Some(d) => format_phone(d),
            None if self.jid().ends_with(LID_SUFFIX) => "hidden number".to_string(),
            None => self.jid().to_string(),
        }
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
            self.number()
        } else {
            format!("{} ({})", self.display_name(), self.number())
        }
    }
}

impl ContactStore {
    pub(crate) fn str(&self, span: Span) -> &str {
        &self.text[span.start as usize..(span.start + span.len) as usize]
    }

    /// Builds a store from parsed contacts.
    pub fn from_remote(contacts: impl IntoIterator<Item = RemoteContact>) -> ContactStore {
        let mut b = StoreBuilder::default();
        for c in contacts {
            b.push(&c);
        }
        b.build()
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
            Sort::Name => self.by_name.as_slice().into(),
            Sort::Number => self.by_number.as_slice().into(),
        }
    }

    /// The row whose JID or `@lid` is `jid`.
    pub fn find(&self, jid: &str) -> Option<ContactRef<'_>> {
        self.iter().find(|c| c.jid() == jid || c.lid() == Some(jid))
    }

    /// Bytes held, for the memory goal.
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity()
            + self.rows.capacity() * std::mem::size_of::<Row>()
            + (self.by_name.capacity() + self.by_number.capacity()) * 4
    }
}

/// Fills a store one contact at a time, so a response can be streamed into
/// it without a list of parsed contacts in between.
#[derive(Debug, Default)]
pub struct StoreBuilder {
    text: String,
    rows: Vec<Row>,
}

impl StoreBuilder {
    /// A builder sized for `n` contacts.
    pub fn with_capacity(n: usize) -> StoreBuilder {
        StoreBuilder {
            text: String::with_capacity(n * 48),
            rows: Vec::with_capacity(n),
        }
    }

    fn intern(&mut self, text: &str) -> Span {
        let text = clean(text);
        let text = text.trim();
        let start = self.text.len() as u32;
        self.text.push_str(text);
        Span {
            start,
            len: text.len() as u32,
        }
    }

    /// Adds one contact from its fields.
    pub fn push_fields(&mut self, jid: &str, lid: Option<&str>, names: [Option<&str>; 4]) {
        let jid = self.intern(jid);
        let lid = lid.map_or(Span::default(), |l| self.intern(l));
        let names = names.map(|n| n.map_or(Span::default(), |n| self.intern(n)));
        let shown = match names.iter().position(|s| s.len > 0) {
            Some(0) => Shown::Full,
            Some(1) => Shown::First,
            Some(2) => Shown::Business,
            Some(3) => Shown::Push,
            _ => Shown::None,
        };
        self.rows.push(Row {
            jid,
            lid,
            names,
            shown,
        });
    }

    /// Adds one parsed contact.
    pub fn push(&mut self, c: &RemoteContact) {
        self.push_fields(
            &c.jid,
            c.lid.as_deref(),
            [
                c.full_name.as_deref(),
                c.first_name.as_deref(),
                c.business_name.as_deref(),
                c.push_name.as_deref(),
            ],
        );
    }

    /// Finishes the store and its sort orders.
    pub fn build(mut self) -> ContactStore {
        self.text.shrink_to_fit();
        self.rows.shrink_to_fit();
        let mut store = ContactStore {
            text: self.text,
            rows: self.rows,
            by_name: Vec::new(),
            by_number: Vec::new(),
        };
        let mut by_name: Vec<u32> = (0..store.rows.len() as u32).collect();
        let name_key = |i: &u32| {
            let c = store.get(*i).expect("row in range");
            let name = c.name();
            (name.is_empty(), name.to_lowercase())
        };
        by_name.sort_by_cached_key(name_key);
        let mut by_number: Vec<u32> = (0..store.rows.len() as u32).collect();
        by_number.sort_by_key(|i| {
            let c = store.get(*i).expect("row in range");
            let digits = c.digits().unwrap_or("");
            (digits.is_empty(), digits.len(), digits)
        });
        store.by_name = by_name;
        store.by_number = by_number;
        store
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(jid: &str, full: Option<&str>, push: Option<&str>) -> RemoteContact {
        RemoteContact {
            jid: jid.into(),
            lid: None,
            first_name: None,
            full_name: full.map(str::to_string),
            push_name: push.map(str::to_string),
            business_name: None,
        }
    }

    fn store() -> ContactStore {
        ContactStore::from_remote([
            remote("5511911110003@s.whatsapp.net", Some("carla"), None),
            remote("14155550123@s.whatsapp.net", None, Some("Bob 🚀")),
            remote("123@lid", None, None),
            remote("5511911110001@s.whatsapp.net", Some("  Ana\x1b[2J "), None),
        ])
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
        assert_eq!(bob.describe(), "~Bob 🚀 (+1 415 555-0123)");
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
    fn find_by_jid_or_lid() {
        let mut c = remote("5511@s.whatsapp.net", Some("X"), None);
        c.lid = Some("99@lid".into());
        let s = ContactStore::from_remote([c]);
        assert_eq!(s.find("99@lid").unwrap().jid(), "5511@s.whatsapp.net");
        assert_eq!(s.find("5511@s.whatsapp.net").unwrap().lid(), Some("99@lid"));
        assert!(s.find("nope").is_none());
    }
}
