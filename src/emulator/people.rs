//! Who a number is on the emulated WhatsApp: the identity WhatsApp keys a
//! person by, their public profile, and the numbers that have no account.
//! The lookup route reads it, and the block route acts on the same key.
//!
//! - A Brazilian mobile outside area codes 11–28 is keyed by its old
//!   8-digit ID (`+55 81 98888-7777` is `558188887777@s.whatsapp.net`),
//!   whichever form names it; inside 11–28, by the 9-digit form.
//! - An instance's contacts are who its address book says: their own JID,
//!   `@lid` and name. One person has one identity on every instance: a
//!   contact of another instance is found with its JID and `@lid`, and
//!   only the name they set themselves (an address book is private). A
//!   hidden-number contact has a number too, drawn from its `@lid`.
//! - The demo's spammers ([`super::DEMO_SPAMMERS`]) have their own
//!   profiles.
//! - Not on WhatsApp: a number libphonenumber does not call valid, and
//!   any whose digits end in `404`. When the digit before `404` is even
//!   the lookup answers 404 `Number is not on WhatsApp`; when it is odd, a
//!   200 whose profile has no `jid` ([`super::NOT_ON_WHATSAPP_404`],
//!   [`super::NOT_ON_WHATSAPP_200`]).
//! - Anyone else has a profile drawn from their number, and some an
//!   `@lid`, which a lookup of that `@lid` resolves back to them.

use rlibphonenumber::{PHONE_NUMBER_UTIL as UTIL, PhoneNumberType};

use super::demo_data::{DEMO_SPAMMERS, DemoSpammer, EmuContact, drawn_profile, hidden_number};

/// Suffix of a phone JID.
pub(super) const PHONE: &str = "@s.whatsapp.net";
/// Suffix of an `@lid`.
pub(super) const LID: &str = "@lid";

/// Whom a request's `number` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Named {
    /// Phone digits (from digits, `+` digits, or a phone JID).
    Phone(String),
    /// An `@lid`, whole.
    Lid(String),
}

/// Reads `number` as the server does: `+`, `-`, `(`, `)` and spaces are
/// dropped from digits; a phone JID (device suffix ignored) or an `@lid`
/// is taken whole. Anything else (a group, a channel, letters) is `None`.
pub(super) fn named(number: &str) -> Option<Named> {
    let number = number.trim();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(user) = number.strip_suffix(PHONE) {
        let user = user.split(':').next().unwrap_or(user);
        return digits(user).then(|| Named::Phone(user.to_string()));
    }
    if let Some(user) = number.strip_suffix(LID) {
        return digits(user).then(|| Named::Lid(number.to_string()));
    }
    let stripped: String = number.chars().filter(|c| !" +-()".contains(*c)).collect();
    digits(&stripped).then_some(Named::Phone(stripped))
}

/// A WhatsApp account's public profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Person {
    /// The digits WhatsApp keys the person by.
    pub(super) phone: String,
    /// The person's `@lid`, when they have one.
    pub(super) lid: Option<String>,
    /// The profile name.
    pub(super) name: Option<String>,
    /// The About text.
    pub(super) about: Option<String>,
    /// The picture's URL.
    pub(super) picture: Option<String>,
}

/// How a lookup of a number with no account is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// 404 with `Number is not on WhatsApp`.
    NotFound,
    /// 200 with a profile that has no `jid`.
    NoJid,
}

/// What a lookup finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Looked {
    /// A WhatsApp account.
    Found(Person),
    /// No account, answered in this shape.
    Missing(Shape),
}

/// Whether `digits` are a valid mobile number, as libphonenumber says.
fn is_mobile(digits: &str) -> bool {
    UTIL.parse(format!("+{digits}"), None)
        .is_ok_and(|n| n.is_valid() && n.get_type() == PhoneNumberType::Mobile)
}

/// Whether `digits` are a valid number, as libphonenumber says.
fn is_valid(digits: &str) -> bool {
    UTIL.parse(format!("+{digits}"), None)
        .is_ok_and(|n| n.is_valid())
}

/// A Brazilian mobile in either form (`55 AA 9NNNNNNNN` or the old
/// `55 AA NNNNNNNN`): its area code and last eight digits.
fn brazilian_mobile(digits: &str) -> Option<(u8, &str)> {
    let rest = digits.strip_prefix("55")?;
    let area: u8 = rest.get(..2)?.parse().ok()?;
    let local = rest.get(2..)?;
    let eight = match local.len() {
        9 if local.starts_with('9') => &local[1..],
        8 => local,
        _ => return None,
    };
    is_mobile(&format!("55{area}9{eight}")).then_some((area, eight))
}

/// The digits WhatsApp keys the person of `digits` by: for a Brazilian
/// mobile, the old 8-digit ID outside area codes 11–28 and the 9-digit
/// number inside them; anyone else, the digits themselves.
pub(super) fn key_of(digits: &str) -> String {
    match brazilian_mobile(digits) {
        Some((area, eight)) if (11..=28).contains(&area) => format!("55{area}9{eight}"),
        Some((area, eight)) => format!("55{area}{eight}"),
        None => digits.to_string(),
    }
}

/// Whether `digits` have a WhatsApp account, and if not, how a lookup
/// says so (see the module's header).
fn account(digits: &str) -> Result<(), Shape> {
    if !is_valid(digits) && brazilian_mobile(digits).is_none() {
        return Err(Shape::NotFound);
    }
    match digits.strip_suffix("404").and_then(|d| d.bytes().last()) {
        Some(before) if (before - b'0').is_multiple_of(2) => Err(Shape::NotFound),
        Some(_) => Err(Shape::NoJid),
        None => Ok(()),
    }
}

/// `@lid`s of people known only by number: an invertible map of the
/// number, so a lookup of the `@lid` finds the number again.
const LID_MODULUS: u128 = 1_000_000_000_000_000;
const LID_FACTOR: u128 = 614_889_782_588_491;
const LID_OFFSET: u128 = 271_828_182_845_904;

/// The `@lid` of the person keyed by `key`, when their profile has one.
fn lid_of(key: &str) -> Option<String> {
    let value: u128 = key.parse().ok().filter(|v| *v < LID_MODULUS)?;
    let mixed = (value * LID_FACTOR + LID_OFFSET) % LID_MODULUS;
    drawn_profile(key)
        .has_lid
        .then(|| format!("{}{LID}", LID_MODULUS + mixed))
}

/// The inverse of `a` modulo `m` (extended Euclid), when there is one.
fn inverse(a: u128, m: u128) -> Option<u128> {
    let (mut r0, mut r1) = (m as i128, a as i128);
    let (mut t0, mut t1) = (0i128, 1i128);
    while r1 != 0 {
        let q = r0 / r1;
        (r0, r1) = (r1, r0 - q * r1);
        (t0, t1) = (t1, t0 - q * t1);
    }
    (r0 == 1).then(|| t0.rem_euclid(m as i128) as u128)
}

/// The key of the person an `@lid` of [`lid_of`] names, when it names one.
fn key_of_lid(lid: &str) -> Option<String> {
    let value: u128 = lid.strip_suffix(LID)?.parse().ok()?;
    let mixed = value
        .checked_sub(LID_MODULUS)
        .filter(|m| *m < LID_MODULUS)?;
    let back = inverse(LID_FACTOR, LID_MODULUS)?;
    let unmixed = ((mixed + LID_MODULUS - LID_OFFSET) % LID_MODULUS) * back % LID_MODULUS;
    let key = unmixed.to_string();
    (lid_of(&key).as_deref() == Some(lid) && key_of(&key) == key && account(&key).is_ok())
        .then_some(key)
}

/// The phone digits of a contact: its JID's, or for a hidden-number
/// contact, the number drawn from its `@lid`.
fn contact_phone(c: &EmuContact) -> String {
    match c.jid.strip_suffix(PHONE) {
        Some(digits) => digits.to_string(),
        None => hidden_number(&c.jid),
    }
}

/// Every instance's address book, the asking instance's first.
pub(super) type Books<'a> = [&'a [EmuContact]];

/// A contact found in the address books: whether it is in the first (the
/// asking instance's own), and the contact.
type Found<'a> = (bool, &'a EmuContact);

/// The first contact of `books` that `matches`.
fn find<'a>(books: &Books<'a>, matches: impl Fn(&EmuContact) -> bool) -> Option<Found<'a>> {
    books
        .iter()
        .enumerate()
        .find_map(|(i, book)| book.iter().find(|c| matches(c)).map(|c| (i == 0, c)))
}

/// The contact `digits` name: the same digits, or the same person in
/// another form (a Brazilian mobile with or without its 9th digit).
fn contact_by_phone<'a>(books: &Books<'a>, digits: &str) -> Option<Found<'a>> {
    let tail = &digits[digits.len().saturating_sub(8)..];
    let key = key_of(digits);
    find(books, |c| {
        let phone = contact_phone(c);
        phone == digits || (phone.ends_with(tail) && key_of(&phone) == key)
    })
}

/// The contact an `@lid` names.
fn contact_by_lid<'a>(books: &Books<'a>, lid: &str) -> Option<Found<'a>> {
    find(books, |c| c.jid == lid || c.lid.as_deref() == Some(lid))
}

/// A contact as WhatsApp shows them: the address book's JID and `@lid`,
/// and the name they set (else their business's); to their own instance,
/// else the book's name.
fn contact_person((own, c): Found<'_>) -> Person {
    let phone = contact_phone(c);
    let drawn = drawn_profile(&phone);
    let lid = c
        .lid
        .clone()
        .or_else(|| c.jid.ends_with(LID).then(|| c.jid.clone()));
    let book = if own {
        [&c.full_name, &c.first_name]
    } else {
        [&None, &None]
    };
    let name = [&c.push_name, &c.business_name]
        .into_iter()
        .chain(book)
        .find_map(|n| n.clone().filter(|n| !n.is_empty()));
    Person {
        phone,
        lid,
        name,
        about: drawn.about,
        picture: drawn.picture,
    }
}

/// A spammer of the demo as WhatsApp shows them.
fn spammer_person(s: &DemoSpammer) -> Person {
    Person {
        phone: key_of(s.number),
        lid: s.lid.map(str::to_string),
        name: Some(s.name.to_string()),
        about: Some(s.about.to_string()),
        picture: s.picture.then(|| super::demo_data::picture_url(s.number)),
    }
}

/// Someone known only by number: the profile drawn from their key.
fn drawn_person(key: &str) -> Person {
    let drawn = drawn_profile(key);
    Person {
        phone: key.to_string(),
        lid: lid_of(key),
        name: drawn.name,
        about: drawn.about,
        picture: drawn.picture,
    }
}

/// The instance's own profile: its number, its name, and what its
/// number draws for the rest.
pub(super) fn own_person(name: &str, own_number: &str) -> Person {
    let drawn = drawn_profile(own_number);
    Person {
        phone: own_number.to_string(),
        lid: None,
        name: Some(name.to_string()),
        about: drawn.about,
        picture: drawn.picture,
    }
}

/// Who `named` is, asked on the instance whose address book is the first
/// of `books`.
pub(super) fn look_up(books: &Books<'_>, named: &Named) -> Looked {
    match named {
        Named::Phone(digits) => {
            if let Some(c) = contact_by_phone(books, digits) {
                return Looked::Found(contact_person(c));
            }
            let key = key_of(digits);
            if let Some(s) = DEMO_SPAMMERS.iter().find(|s| key_of(s.number) == key) {
                return Looked::Found(spammer_person(s));
            }
            match account(digits) {
                Ok(()) => Looked::Found(drawn_person(&key)),
                Err(shape) => Looked::Missing(shape),
            }
        }
        Named::Lid(lid) => {
            if let Some(c) = contact_by_lid(books, lid) {
                return Looked::Found(contact_person(c));
            }
            if let Some(s) = DEMO_SPAMMERS.iter().find(|s| s.lid == Some(lid.as_str())) {
                return Looked::Found(spammer_person(s));
            }
            key_of_lid(lid).map_or(Looked::Missing(Shape::NotFound), |key| {
                Looked::Found(drawn_person(&key))
            })
        }
    }
}

/// The identity a block of `named` acts on, which the blocklist holds and
/// the answer's `contact_jid` names: the person's `@lid` when they have
/// one, else the phone JID WhatsApp keys them by (a contact's own JID).
/// A number with no account is acted on as sent.
pub(super) fn block_key(books: &Books<'_>, named: &Named) -> String {
    let contact = match named {
        Named::Phone(digits) => contact_by_phone(books, digits),
        Named::Lid(lid) => contact_by_lid(books, lid),
    };
    if let Some((_, c)) = contact {
        return c.lid.clone().unwrap_or_else(|| c.jid.clone());
    }
    match (named, look_up(books, named)) {
        (_, Looked::Found(p)) => p.lid.unwrap_or_else(|| format!("{}{PHONE}", p.phone)),
        (Named::Phone(digits), Looked::Missing(_)) => format!("{digits}{PHONE}"),
        (Named::Lid(lid), Looked::Missing(_)) => lid.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brazilian_mobiles_outside_11_to_28_are_keyed_by_their_old_id() {
        assert_eq!(key_of("5581988887777"), "558188887777");
        assert_eq!(key_of("558188887777"), "558188887777");
        assert_eq!(key_of("5511988887777"), "5511988887777");
        assert_eq!(key_of("551188887777"), "5511988887777");
        // A landline and another country's number are themselves.
        assert_eq!(key_of("558133334444"), "558133334444");
        assert_eq!(key_of("447911123456"), "447911123456");
    }

    #[test]
    fn a_drawn_lid_leads_back_to_its_number() {
        let with_lid: Vec<String> = (0..200)
            .map(|i| format!("55119{:08}", 70_000_000 + i * 7919))
            .filter(|k| lid_of(k).is_some())
            .collect();
        assert!(with_lid.len() > 40, "{}", with_lid.len());
        assert!(with_lid.len() < 160, "{}", with_lid.len());
        for key in &with_lid {
            let lid = lid_of(key).unwrap_or_default();
            assert_eq!(key_of_lid(&lid).as_deref(), Some(key.as_str()), "{lid}");
        }
        assert_eq!(key_of_lid("1@lid"), None);
        assert_eq!(key_of_lid("123456789012345678@lid"), None);
    }

    #[test]
    fn numbers_ending_in_404_have_no_account_in_two_shapes() {
        assert_eq!(account("5511987650404"), Err(Shape::NotFound));
        assert_eq!(account("5511987651404"), Err(Shape::NoJid));
        assert_eq!(account("123"), Err(Shape::NotFound), "not a number");
        assert_eq!(account("5511987654321"), Ok(()));
    }

    #[test]
    fn what_a_request_names() {
        let phone = |d: &str| Some(Named::Phone(d.to_string()));
        assert_eq!(named("+55 (11) 98765-4321"), phone("5511987654321"));
        assert_eq!(
            named("5511987654321:3@s.whatsapp.net"),
            phone("5511987654321")
        );
        assert_eq!(
            named("52399087550579@lid"),
            Some(Named::Lid("52399087550579@lid".into()))
        );
        assert_eq!(named("120363@g.us"), None);
        assert_eq!(named("call me"), None);
        assert_eq!(named(""), None);
    }
}
