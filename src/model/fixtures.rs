//! Contacts for the unit tests, made in one place.

use crate::api::RemoteContact;

/// A contact as the server lists it. `jid` may be bare digits (a phone
/// JID is made of them) or a full JID; absent names are `None`.
pub fn remote(
    jid: &str,
    full: Option<&str>,
    business: Option<&str>,
    push: Option<&str>,
) -> RemoteContact {
    let jid = if jid.contains('@') {
        jid.to_string()
    } else {
        format!("{jid}@s.whatsapp.net")
    };
    RemoteContact {
        jid,
        lid: None,
        first_name: None,
        full_name: full.map(str::to_string),
        push_name: push.map(str::to_string),
        business_name: business.map(str::to_string),
    }
}
