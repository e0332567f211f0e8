//! Contacts for the unit tests, made in one place.

use crate::model::contacts::{ContactStore, StoreBuilder};

/// A JID from test text: bare digits make a phone JID, anything with an
/// `@` is taken as it is.
pub fn jid(text: &str) -> String {
    if text.contains('@') {
        text.to_string()
    } else {
        format!("{text}@s.whatsapp.net")
    }
}

/// A contact's fields as a store keeps them; absent names are `None`.
#[derive(Debug, Clone, Default)]
pub struct Contact {
    /// The JID.
    pub jid: String,
    /// The `@lid`, when there is one.
    pub lid: Option<String>,
    /// Full name.
    pub full: Option<String>,
    /// Business name.
    pub business: Option<String>,
    /// Push name.
    pub push: Option<String>,
}

/// A contact without an `@lid`; `jid_text` is read by [`jid`].
pub fn contact(
    jid_text: &str,
    full: Option<&str>,
    business: Option<&str>,
    push: Option<&str>,
) -> Contact {
    Contact {
        jid: jid(jid_text),
        lid: None,
        full: full.map(str::to_string),
        business: business.map(str::to_string),
        push: push.map(str::to_string),
    }
}

/// A store of `contacts`, in their order.
pub fn store(contacts: impl IntoIterator<Item = Contact>) -> ContactStore {
    let mut builder = StoreBuilder::default();
    for c in contacts {
        builder.push_fields(
            &c.jid,
            c.lid.as_deref(),
            [
                c.full.as_deref(),
                None,
                c.business.as_deref(),
                c.push.as_deref(),
            ],
        );
    }
    builder.build()
}
