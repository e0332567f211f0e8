//! Whether a block answer is about the person asked for: the one rule,
//! read by the app with what it knows, for a single toggle and a batch
//! alike.
//!
//! The rule: an answer is about the person asked for when it names them
//! as WhatsApp keys them — the number sent (in any form), the JID or
//! `@lid` a lookup gave for it, their known `@lid`, or, for a Brazilian
//! mobile, the old 8-digit ID WhatsApp keeps for it; an `@lid` nobody is
//! known by is taken as theirs when none is known for them; an `@lid` or
//! a number known to be someone else's never is.

use super::number::{self, JidKind};

/// What was asked: the person (JID sent as `number`, `@lid` when known)
/// and the state asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asked<'a> {
    /// The JID sent.
    pub jid: &'a str,
    /// The person's `@lid`, when known.
    pub lid: Option<&'a str>,
    /// The JID and `@lid` a lookup said WhatsApp keys the person by.
    pub keys: &'a [&'a str],
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
    let keyed = asked.keys.contains(&named) || old_brazilian_id(asked.jid, named);
    if named.is_empty() || named == asked.jid || same_number || keyed || asked.lid == Some(named) {
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

/// Whether `named` is the old 8-digit WhatsApp ID of the Brazilian mobile
/// `asked` (`+55 81 98888-7777` is keyed as `558188887777`): WhatsApp
/// kept the IDs of mobiles that had 8 digits before the 9 was prepended
/// (2012–2016), and RyzeAPI acts on that same person. A JID rule, not a
/// numbering one: the number itself must read as a valid Brazilian
/// mobile.
fn old_brazilian_id(asked: &str, named: &str) -> bool {
    let (Some(asked), Some(named)) = (number::phone_digits(asked), number::phone_digits(named))
    else {
        return false;
    };
    let Some(rest) = asked.strip_prefix("55") else {
        return false;
    };
    if rest.len() != 11 || rest.as_bytes()[2] != b'9' {
        return false;
    }
    let old = format!("55{}{}", &rest[..2], &rest[3..]);
    named == old
        && number::phone::read(&format!("+{asked}"), None).is_ok_and(|n| n.kind == "mobile")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANA: &str = "5511911110001@s.whatsapp.net";

    fn asked(lid: Option<&str>) -> Asked<'_> {
        Asked {
            jid: ANA,
            lid,
            keys: &[],
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
    fn the_jid_and_lid_a_lookup_gave_are_the_person() {
        let joana = Asked {
            jid: "5581988887777@s.whatsapp.net",
            lid: None,
            keys: &["558188887777@s.whatsapp.net", "31@lid"],
            block: true,
        };
        assert_eq!(
            judge(joana, said("558188887777@s.whatsapp.net"), nobody),
            Ok(())
        );
        assert_eq!(judge(joana, said("31@lid"), nobody), Ok(()));
        assert!(judge(joana, said("558188887778@s.whatsapp.net"), nobody).is_err());
    }

    #[test]
    fn a_brazilian_mobile_is_its_old_8_digit_id_and_nothing_else_is() {
        let asked = |jid| Asked {
            jid,
            lid: None,
            keys: &[],
            block: true,
        };
        let recife = asked("5581988887777@s.whatsapp.net");
        assert_eq!(
            judge(recife, said("558188887777@s.whatsapp.net"), nobody),
            Ok(())
        );
        // Another line with the same last digits is someone else.
        assert!(judge(recife, said("558198887777@s.whatsapp.net"), nobody).is_err());
        // A landline has no 9 to drop.
        let landline = asked("558133334444@s.whatsapp.net");
        assert!(judge(landline, said("55813334444@s.whatsapp.net"), nobody).is_err());
        // Nor does a number of another country.
        let uk = asked("447912345678@s.whatsapp.net");
        assert!(judge(uk, said("44712345678@s.whatsapp.net"), nobody).is_err());
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
