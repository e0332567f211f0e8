//! WhatsApp identities as the API writes them: phone JIDs and `@lid`s.

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
    // Digits, not all zeros (`0@lid` is no one).
    let digits = |s: &str| {
        !s.is_empty()
            && s.len() <= 32
            && s.bytes().all(|b| b.is_ascii_digit())
            && s.bytes().any(|b| b != b'0')
    };
    if let Some(user) = jid.strip_suffix(PHONE_SUFFIX) {
        return match user.split_once(':') {
            Some((number, device)) => digits(number) && digits(device),
            None => digits(user),
        };
    }
    jid.strip_suffix(LID_SUFFIX).is_some_and(digits)
}
