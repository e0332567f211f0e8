//! Contacts as the server lists them, for the unit tests.

use super::RemoteContact;
use crate::model::fixtures::jid;

/// A contact as the server lists it. `jid_text` may be bare digits (a
/// phone JID is made of them) or a full JID; absent names are `None`.
pub fn remote(
    jid_text: &str,
    full: Option<&str>,
    business: Option<&str>,
    push: Option<&str>,
) -> RemoteContact {
    RemoteContact {
        jid: jid(jid_text),
        lid: None,
        first_name: None,
        full_name: full.map(str::to_string),
        push_name: push.map(str::to_string),
        business_name: business.map(str::to_string),
    }
}
