//! Whether a block answer is about the person asked for: the one rule,
//! read by the app with what it knows, for a single toggle and a batch
//! alike.
//!
//! The answer's `contact_jid` may be the number sent, the same number in
//! another form (a device suffix), or an `@lid`: WhatsApp keys
//! blocklists by it. A known `@lid` of the person is theirs; an `@lid`
//! nobody is known by is taken as theirs when none is known for them; an
//! `@lid` or a number known to be someone else's never is.

use super::number::{self, JidKind};

/// What was asked: the person (JID sent as `number`, `@lid` when known)
/// and the state asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asked<'a> {
    /// The JID sent.
    pub jid: &'a str,
    /// The person's `@lid`, when known.
    pub lid: Option<&'a str>,
    /// Block (`true`) or unblock.
    pub block: bool,
}

/// What the server answered: the final state, the JID it acted on, its
/// own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Said<'a> {
    /// `blocked` of the answer.
    pub blocked: bool,
    /// `contact_jid` of the answer.
    pub contact_jid: &'a str,
    /// `message` of the answer.
    pub message: &'a str,
}

/// Accepts an answer only when it names the person asked for and reports
/// the state asked for; else says how it does not match. `owner_of`
/// tells whose an identity is, as far as the app knows (the contact list,
/// the ledger).
pub fn judge<'a>(
    asked: Asked<'_>,
    said: Said<'_>,
    owner_of: impl Fn(&str) -> Option<&'a str>,
) -> Result<(), String> {
    let server = if said.message.is_empty() {
        String::new()
    } else {
        format!(" (server: {})", said.message)
    };
    if said.blocked != asked.block {
        let (verb, now) = if asked.block {
            ("block", "not blocked")
        } else {
            ("unblock", "blocked")
        };
        return Err(format!(
            "asked to {verb}, the server says the contact is {now}{server}"
        ));
    }
    let named = said.contact_jid;
    if named.trim().is_empty() {
        return Err(format!("the answer names no contact{server}"));
    }
    let same_number = number::phone_digits(named).is_some()
        && number::phone_digits(named) == number::phone_digits(asked.jid);
    if named == asked.jid || same_number || asked.lid == Some(named) {
        return Ok(());
    }
    let foreign = || format!("it names {named}, not the contact asked for{server}");
    let unknown_lid = number::is_valid_jid(named)
        && number::jid_kind(named) == JidKind::Lid
        && asked.lid.is_none();
    if !unknown_lid {
        return Err(foreign());
    }
    match owner_of(named) {
        Some(owner) if owner != asked.jid => Err(foreign()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANA: &str = "5511911110001@s.whatsapp.net";

    fn asked(lid: Option<&str>) -> Asked<'_> {
        Asked {
            jid: ANA,
            lid,
            block: true,
        }
    }

    fn said(contact_jid: &str) -> Said<'_> {
        Said {
            blocked: true,
            contact_jid,
            message: "Contact blocked successfully",
        }
    }

    fn nobody(_: &str) -> Option<&'static str> {
        None
    }

    #[test]
    fn the_number_asked_in_any_form_is_the_person() {
        assert_eq!(judge(asked(None), said(ANA), nobody), Ok(()));
        let device = "5511911110001:3@s.whatsapp.net";
        assert_eq!(judge(asked(None), said(device), nobody), Ok(()));
        assert_eq!(judge(asked(Some("9@lid")), said("9@lid"), nobody), Ok(()));
    }

    #[test]
    fn another_number_or_a_known_other_lid_is_refused() {
        let other = judge(asked(None), said("5511900000000@s.whatsapp.net"), nobody);
        assert!(other.unwrap_err().starts_with("it names 5511900000000"));
        assert!(judge(asked(Some("9@lid")), said("8@lid"), nobody).is_err());
        let bruno = |_: &str| Some("5511911110002@s.whatsapp.net");
        assert!(judge(asked(None), said("8@lid"), bruno).is_err());
        assert!(judge(asked(None), said("5@g.us"), nobody).is_err());
        let empty = judge(asked(None), said(""), nobody).unwrap_err();
        assert!(empty.starts_with("the answer names no contact"), "{empty}");
    }

    #[test]
    fn an_unknown_lid_is_the_person_when_none_is_known_for_them() {
        assert_eq!(judge(asked(None), said("8@lid"), nobody), Ok(()));
        let ana = |_: &str| Some(ANA);
        assert_eq!(judge(asked(None), said("8@lid"), ana), Ok(()));
    }

    #[test]
    fn the_opposite_state_is_refused_with_the_servers_words() {
        let mut s = said(ANA);
        s.blocked = false;
        assert_eq!(
            judge(asked(None), s, nobody),
            Err(
                "asked to block, the server says the contact is not blocked (server: Contact blocked successfully)"
                    .into()
            )
        );
    }
}
