//! Lookups as a ledger keeps them, in any backend: a row of columns
//! (`state`, `jid`, `lid`, `name`, `about`, `message`), and the row read
//! back as input, not truth: a JID or `@lid` that is not a person's is
//! dropped with its row.

use crate::model::identity::{Identity, LookedUp};
use crate::model::number::{JidKind, is_valid_jid, jid_kind};

/// The columns of a lookup, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Columns<'a> {
    /// `on`, `not_on` or `unverified`.
    pub state: &'a str,
    /// The JID WhatsApp keys the person by.
    pub jid: Option<&'a str>,
    /// Their `@lid`.
    pub lid: Option<&'a str>,
    /// The name they show.
    pub name: Option<&'a str>,
    /// Their About text.
    pub about: Option<&'a str>,
    /// Why not on WhatsApp, as the server said.
    pub message: Option<&'a str>,
}

/// The columns that keep `identity`.
pub(super) fn columns(identity: &Identity) -> Columns<'_> {
    match identity {
        Identity::OnWhatsApp {
            jid,
            lid,
            name,
            about,
        } => Columns {
            state: "on",
            jid: Some(jid),
            lid: lid.as_deref(),
            name: name.as_deref(),
            about: about.as_deref(),
            message: None,
        },
        Identity::NotOnWhatsApp { message } => Columns {
            state: "not_on",
            message: Some(message),
            ..Columns::default()
        },
        Identity::Unverified => Columns {
            state: "unverified",
            ..Columns::default()
        },
    }
}

/// A stored lookup of `number` at `at`, when its row holds one: an
/// unknown state, or an `on` row without a person's JID, is no lookup
/// (and is asked again).
pub(super) fn looked_up(number: String, at: i64, c: Columns<'_>) -> Option<LookedUp> {
    let person = |jid: &str| is_valid_jid(jid) && jid_kind(jid) == JidKind::Phone;
    let identity = match c.state {
        "on" => Identity::OnWhatsApp {
            jid: c.jid.filter(|j| person(j))?.to_string(),
            lid: c
                .lid
                .filter(|l| is_valid_jid(l) && jid_kind(l) == JidKind::Lid)
                .map(str::to_string),
            name: c.name.map(str::to_string),
            about: c.about.map(str::to_string),
        },
        "not_on" => Identity::NotOnWhatsApp {
            message: c.message.unwrap_or("not on WhatsApp").to_string(),
        },
        "unverified" => Identity::Unverified,
        _ => return None,
    };
    Some(LookedUp {
        number,
        identity,
        at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_that_names_no_person_is_no_lookup() {
        let on = |jid| Columns {
            state: "on",
            jid: Some(jid),
            ..Columns::default()
        };
        assert!(looked_up("1".into(), 0, on("status@broadcast")).is_none());
        assert!(looked_up("1".into(), 0, on("1203@g.us")).is_none());
        assert!(looked_up("1".into(), 0, Columns::default()).is_none());
        let ok = looked_up("5511".into(), 3, on("5511912345678@s.whatsapp.net")).unwrap();
        assert_eq!(columns(&ok.identity).state, "on");
    }
}
