//! Phone numbers as people type and read them, on libphonenumber's rules
//! and metadata (the `rlibphonenumber` crate, a port of the C++ library):
//! no number rule is written here, and the crate is this folder's concern
//! only.
//!
//! What is sent is the library's reading of (input, the instance's region)
//! when that is valid, or nothing: never another number. One departure
//! sends: undecorated digits that are not valid as read but are, with a
//! `+` in front, a valid number of the instance's own region (its own
//! number typed with the country code and no `+`, as RyzeAPI writes
//! numbers) are that number. The others refuse, each saying why:
//! undecorated digits that are also a valid number read with a `+` in
//! front are ambiguous; digits valid only with a `+` in front as another
//! region's number need the `+`; letters, extensions and bidi controls
//! are refused. `tests/reference/numbers.jsonl` holds the reference's
//! answers that [`read`] is checked against.

use std::fmt;

use rlibphonenumber::{
    NumberLengthType, PHONE_NUMBER_UTIL as UTIL, ParseError, PhoneNumber, PhoneNumberFormat,
    PhoneNumberType, Region as Code, ValidationError,
};

use super::regions;
use crate::util::sanitize::{clean, is_bidi_control};
use crate::util::text::fit;

/// A country (ISO 3166-1 alpha-2, as libphonenumber names regions) in
/// which a number without country code is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Region(Code);

impl Region {
    /// The region of a two-letter code (`"BR"`, `"gb"`), when
    /// libphonenumber has numbers for it.
    pub fn from_code(code: &str) -> Option<Region> {
        let code = Code::from_code(code.trim()).ok()?;
        Self::known(code)
    }

    fn known(code: Code) -> Option<Region> {
        (code != Code::World && UTIL.get_country_code_for_region(code).is_some())
            .then_some(Region(code))
    }

    /// The region of an international number's digits (an instance's own
    /// `numberJid`), when it is a valid number.
    pub fn of_digits(digits: &str) -> Option<Region> {
        let number = UTIL.parse(format!("+{digits}"), None).ok()?;
        if !number.is_valid() {
            return None;
        }
        number.get_region_code().and_then(Self::known)
    }

    /// The country's English name (the code where none is known).
    pub fn name(self) -> &'static str {
        let code = self.0.as_region_str();
        regions::name(&code).unwrap_or("a country of no known name")
    }

    /// A mobile number of the country in its international format, for
    /// hints (`+44 7400 123456`), from the metadata's example.
    pub fn example(self) -> Option<String> {
        let number = UTIL
            .get_example_number_for_type_and_region(self.0, PhoneNumberType::Mobile)
            .or_else(|_| UTIL.get_example_number(self.0))
            .ok()?;
        Some(
            number
                .format_as(PhoneNumberFormat::International)
                .into_owned(),
        )
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.as_region_str())
    }
}

/// A typed number as understood: what will be sent, and how to show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Understood {
    /// International digits, as the API takes them (`447912345678`).
    pub digits: String,
    /// The international format of its country (`+44 7912 345678`).
    pub display: String,
    /// The country it belongs to, when libphonenumber names one.
    pub region: Option<Region>,
    /// What kind of line (`mobile`, `landline`...), as the metadata says.
    pub kind: &'static str,
}

impl Understood {
    /// E.164 (`+447912345678`), for machine output.
    pub fn e164(&self) -> String {
        format!("+{}", self.digits)
    }

    /// The country's name, or `international` for numbers of no country.
    pub fn country(&self) -> &'static str {
        self.region.map_or("international", Region::name)
    }

    /// `+44 7912 345678 · United Kingdom · mobile`
    pub fn preview(&self) -> String {
        format!("{} · {} · {}", self.display, self.country(), self.kind)
    }
}

/// Why a number that was read is not valid, from the lengths its
/// country's metadata allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// Shorter than any number of the country.
    TooShort,
    /// Longer than any number of the country.
    TooLong,
    /// A possible length, but no valid number.
    NotValid,
}

/// What is wrong with a typed number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Nothing typed.
    Empty,
    /// Bidi controls, which could make the text read as another number.
    Controls,
    /// Not something libphonenumber reads as a number.
    NotANumber,
    /// A national form, with no country known to read it in.
    NoCountry,
    /// `+` and digits that begin no country calling code.
    UnknownCountryCode,
    /// Too few digits to be read as a number at all.
    TooShort,
    /// Too many digits to be read as a number at all.
    TooLong,
    /// An extension (`x12`, `ext. 12`): WhatsApp numbers have none.
    Extension,
    /// Letters (a vanity number): WhatsApp numbers have none.
    Letters,
    /// Read as `shown`, which is not a valid number of `country`.
    Invalid {
        /// How it was read (`+55 999999999`).
        shown: String,
        /// The country of its calling code.
        country: Option<Region>,
        /// What is wrong with it.
        why: Why,
    },
    /// Undecorated digits valid both as read and with a `+` in front.
    Ambiguous {
        /// The library's reading in the instance's country.
        national: Box<Understood>,
        /// The digits read with a `+` in front.
        international: Box<Understood>,
    },
    /// Not valid as read, but valid with a `+` in front as a number of
    /// another region (or typed with spaces or signs, which say
    /// "national").
    Foreign {
        /// The digits read with a `+` in front.
        international: Box<Understood>,
    },
}

/// Why typed text is not a number to act on. The message says what was
/// understood and how to type it instead, in the instance's own country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneError {
    /// What was typed (trimmed).
    pub input: String,
    /// The instance's country, for hints.
    pub region: Option<Region>,
    /// What is wrong.
    pub refused: Refused,
}

/// The longest echo of typed text in a message.
const ECHO: usize = 40;

impl PhoneError {
    fn new(input: &str, region: Option<Region>, refused: Refused) -> PhoneError {
        PhoneError {
            input: input.to_string(),
            region,
            refused,
        }
    }

    /// The typed text as messages show it: without controls, cut short.
    fn echo(&self) -> String {
        fit(&clean(&self.input), ECHO)
    }

    /// How to type a number instead, with an example of the instance's
    /// country.
    fn how(&self) -> String {
        match self.region.and_then(Region::example) {
            Some(example) => format!("type it with + and the country code, e.g. {example}"),
            None => "type it with + and the country code".to_string(),
        }
    }

    /// `… is not a valid number in Brazil: did you mean +1 415-555-0123
    /// (United States)? type the +`: a number of another country typed
    /// without its `+`.
    fn valid_with_plus(&self, input: &str, international: &Understood) -> String {
        let here = self
            .region
            .map_or(String::new(), |r| format!(" in {}", r.name()));
        format!(
            "{input} is not a valid number{here}: did you mean {} ({})? type the +",
            international.display,
            international.country()
        )
    }

    /// A word for the kind of refusal, stable for tests and machine output.
    pub fn class(&self) -> &'static str {
        match self.refused {
            Refused::Empty => "empty",
            Refused::Controls => "controls",
            Refused::NotANumber => "not-a-number",
            Refused::NoCountry | Refused::UnknownCountryCode => "no-country",
            Refused::TooShort => "too-short",
            Refused::TooLong => "too-long",
            Refused::Extension => "extension",
            Refused::Letters => "letters",
            Refused::Invalid { .. } => "invalid",
            Refused::Ambiguous { .. } => "ambiguous",
            Refused::Foreign { .. } => "foreign",
        }
    }

    /// The reason alone, for a preview beside the typed text (which is
    /// not repeated).
    pub fn brief(&self) -> String {
        match &self.refused {
            Refused::Empty => "type a number".to_string(),
            Refused::Controls => "holds invisible direction marks".to_string(),
            Refused::NotANumber => "not a phone number".to_string(),
            Refused::NoCountry => "needs +CC: this instance's country is not known".to_string(),
            Refused::UnknownCountryCode => "no country has this calling code".to_string(),
            Refused::TooShort => "too short for a phone number".to_string(),
            Refused::TooLong => "too long for a phone number".to_string(),
            Refused::Extension => "an extension: type the number alone".to_string(),
            Refused::Letters => "letters: type the number in digits".to_string(),
            Refused::Invalid {
                shown,
                country,
                why,
            } => format!("{shown}: {}", invalid_reason(*country, *why, true)),
            Refused::Ambiguous {
                national,
                international,
            } => format!(
                "ambiguous: {} ({}) or {} ({})",
                national.display,
                national.country(),
                international.display,
                international.country()
            ),
            Refused::Foreign { international } => format!(
                "did you mean {} ({})? type the +",
                international.display,
                international.country()
            ),
        }
    }
}

/// `too short for Brazil`; `not valid in Brazil` (`brief`) or `not a
/// valid number in Brazil`.
fn invalid_reason(country: Option<Region>, why: Why, brief: bool) -> String {
    let country = country.map_or("any country", Region::name);
    match why {
        Why::TooShort => format!("too short for {country}"),
        Why::TooLong => format!("too long for {country}"),
        Why::NotValid if brief => format!("not valid in {country}"),
        Why::NotValid => format!("not a valid number in {country}"),
    }
}

/// `0791 234 (read as +44 791 234) is too short for United Kingdom`: the
/// typed text, how it was read unless it began with `+`, and why that
/// number is not valid.
fn not_valid_as_read(input: &str, shown: &str, country: Option<Region>, why: Why) -> String {
    let read = if input.starts_with(['+', '\u{ff0b}']) {
        input.to_string()
    } else {
        format!("{input} (read as {shown})")
    };
    format!("{read} is {}", invalid_reason(country, why, false))
}

impl fmt::Display for PhoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let input = self.echo();
        match &self.refused {
            Refused::Empty => write!(f, "no number given: {}", self.how()),
            Refused::Controls => write!(
                f,
                "{input} holds invisible direction marks that could make it read as another number: type it again"
            ),
            Refused::NotANumber => write!(f, "\"{input}\" is not a phone number: {}", self.how()),
            Refused::NoCountry => write!(
                f,
                "{input} has no country code and this instance's country is not known: {}, or set region = \"XX\" in the profile",
                self.how()
            ),
            Refused::UnknownCountryCode => write!(
                f,
                "{input} begins with no country calling code: {}",
                self.how()
            ),
            Refused::TooShort => write!(f, "{input} is too short for a phone number"),
            Refused::TooLong => write!(f, "{input} is too long for a phone number"),
            Refused::Extension => write!(
                f,
                "{input} has an extension, and WhatsApp numbers have none: type the number alone"
            ),
            Refused::Letters => write!(
                f,
                "{input} has letters, and WhatsApp numbers have none: type the number in digits"
            ),
            Refused::Invalid {
                shown,
                country,
                why,
            } => f.write_str(&not_valid_as_read(&input, shown, *country, *why)),
            Refused::Ambiguous {
                national,
                international,
            } => write!(
                f,
                "{input} is ambiguous: {} ({}) or {} ({}); type it with + and the country code",
                national.display,
                national.country(),
                international.display,
                international.country()
            ),
            Refused::Foreign { international } => {
                f.write_str(&self.valid_with_plus(&input, international))
            }
        }
    }
}

impl std::error::Error for PhoneError {}

/// The words for a kind of line.
fn kind_name(kind: PhoneNumberType) -> &'static str {
    match kind {
        PhoneNumberType::Mobile => "mobile",
        PhoneNumberType::FixedLine => "landline",
        PhoneNumberType::FixedLineOrMobile => "landline or mobile",
        PhoneNumberType::TollFree => "toll-free",
        PhoneNumberType::PremiumRate => "premium rate",
        PhoneNumberType::SharedCost => "shared cost",
        PhoneNumberType::PersonalNumber => "personal number",
        PhoneNumberType::VoIP => "VoIP",
        PhoneNumberType::Pager => "pager",
        PhoneNumberType::UAN => "company number",
        PhoneNumberType::VoiceMail => "voicemail",
        PhoneNumberType::Unknown => "number",
    }
}

fn understood(number: &PhoneNumber) -> Understood {
    let e164 = number.format_as(PhoneNumberFormat::E164);
    Understood {
        digits: e164.trim_start_matches('+').to_string(),
        display: number
            .format_as(PhoneNumberFormat::International)
            .into_owned(),
        region: number.get_region_code().and_then(Region::known),
        kind: kind_name(number.get_type()),
    }
}

/// The country of a number's calling code, for one that is not valid
/// (`+1` is the United States).
fn region_of(number: &PhoneNumber) -> Option<Region> {
    number
        .get_region_code()
        .or_else(|| UTIL.get_region_for_country_code(number.country_code))
        .and_then(Region::known)
}

/// Why `number` is not valid, from the lengths its country allows: a
/// local number without its area code is too short.
fn why_invalid(number: &PhoneNumber) -> Why {
    match number.is_possible_with_reason() {
        Err(ValidationError::TooShort) | Ok(NumberLengthType::IsPossibleLocalOnly) => Why::TooShort,
        Err(ValidationError::TooLong) => Why::TooLong,
        _ => Why::NotValid,
    }
}

/// A valid number read from `+digits`, when there is one.
fn valid_international(digits: &str) -> Option<Understood> {
    let number = UTIL.parse(format!("+{digits}"), None).ok()?;
    number.is_valid().then(|| understood(&number))
}

/// Letters in the number itself: a `tel:` scheme and a URI's parameters
/// are not the number.
fn has_letters(text: &str) -> bool {
    let body = match text.get(..4) {
        Some(scheme) if scheme.eq_ignore_ascii_case("tel:") => {
            text[4..].split(';').next().unwrap_or_default()
        }
        _ => text,
    };
    body.chars().any(char::is_alphabetic)
}

/// The plus signs libphonenumber reads as "international".
fn has_plus(text: &str) -> bool {
    text.contains(['+', '\u{ff0b}'])
}

/// Reads a typed phone number (not a JID): the library's reading in
/// `region`, refused unless it is valid, and refused by the departures
/// this module's header lists.
pub fn read(input: &str, region: Option<Region>) -> Result<Understood, PhoneError> {
    let text = input.trim_start_matches('\u{feff}').trim();
    let refuse = |refused| Err(PhoneError::new(text, region, refused));
    if text.is_empty() {
        return refuse(Refused::Empty);
    }
    if text.chars().any(is_bidi_control) {
        return refuse(Refused::Controls);
    }
    let number = match UTIL.parse(text, region.map(|r| r.0)) {
        Ok(number) => number,
        Err(e) => return Err(unreadable(text, region, &e)),
    };
    if number.extension.as_deref().is_some_and(|e| !e.is_empty()) {
        return refuse(Refused::Extension);
    }
    if has_letters(text) {
        return refuse(Refused::Letters);
    }
    let digits = UTIL.normalize_digits_only(text);
    let with_plus = (!has_plus(text))
        .then(|| valid_international(&digits))
        .flatten();
    let undecorated = digits.chars().count() == text.chars().count();
    if number.is_valid() {
        let read = understood(&number);
        return match with_plus {
            Some(international) if undecorated && international.digits != read.digits => {
                refuse(Refused::Ambiguous {
                    national: Box::new(read),
                    international: Box::new(international),
                })
            }
            _ => Ok(read),
        };
    }
    if let Some(international) = with_plus {
        // The instance's own number, typed with its country code and no +.
        if undecorated && region.is_some() && international.region == region {
            return Ok(international);
        }
        return refuse(Refused::Foreign {
            international: Box::new(international),
        });
    }
    refuse(Refused::Invalid {
        shown: number
            .format_as(PhoneNumberFormat::International)
            .into_owned(),
        country: region_of(&number),
        why: why_invalid(&number),
    })
}

/// The refusal for text the library could not read at all. Bare digits
/// with no country to read them in may still be valid with a `+`.
fn unreadable(text: &str, region: Option<Region>, e: &ParseError) -> PhoneError {
    let refused = match e {
        ParseError::InvalidCountryCode if region.is_none() && !has_plus(text) => {
            match valid_international(&UTIL.normalize_digits_only(text)) {
                Some(international) if !has_letters(text) => Refused::Foreign {
                    international: Box::new(international),
                },
                _ => Refused::NoCountry,
            }
        }
        ParseError::InvalidCountryCode => Refused::UnknownCountryCode,
        ParseError::NotANumber(_) => Refused::NotANumber,
        ParseError::TooShortAfterIdd | ParseError::TooShortNsn => Refused::TooShort,
        ParseError::TooLongNsn => Refused::TooLong,
    };
    PhoneError::new(text, region, refused)
}

/// International digits shown for reading, in the international format
/// of their own country (`+44 7912 345678`, `+1 650-253-0000`); `+digits`
/// when libphonenumber cannot place them.
pub fn format_phone(digits: &str) -> String {
    match UTIL.parse(format!("+{digits}"), None) {
        Ok(number) => number
            .format_as(PhoneNumberFormat::International)
            .into_owned(),
        Err(_) => format!("+{digits}"),
    }
}

/// The country calling code that begins international `digits`, and the
/// national number after it: `"5511999998888"` gives `(55,
/// "11999998888")`. Calling codes are prefix-free, so at most one of the
/// first one, two or three digits is one libphonenumber knows; `None`
/// when none is.
pub fn split_calling_code(digits: &str) -> Option<(u16, &str)> {
    static CODES: std::sync::OnceLock<std::collections::HashSet<u16>> = std::sync::OnceLock::new();
    let codes = CODES.get_or_init(|| {
        UTIL.get_supported_calling_codes()
            .filter_map(|code| u16::try_from(code).ok())
            .collect()
    });
    (1..=3.min(digits.len())).find_map(|n| {
        let (head, rest) = digits.split_at_checked(n)?;
        let code: u16 = head.parse().ok()?;
        codes.contains(&code).then_some((code, rest))
    })
}

/// Loads libphonenumber's metadata (a few milliseconds, once), so the
/// first number shown or read does not pay for it.
pub fn warm() {
    let _ = UTIL.parse("+5511999999999", None);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn br() -> Option<Region> {
        Region::from_code("BR")
    }

    #[test]
    fn regions_by_code_and_by_number() {
        assert_eq!(
            Region::from_code("gb").map(Region::name),
            Some("United Kingdom")
        );
        assert_eq!(Region::from_code("XX"), None);
        assert_eq!(Region::from_code("001"), None);
        assert_eq!(Region::of_digits("5511955550101"), br());
        assert_eq!(Region::of_digits("999"), None);
        assert_eq!(br().map(|r| r.to_string()).as_deref(), Some("BR"));
    }

    #[test]
    fn calling_codes_are_split_off_by_libphonenumber_s_list() {
        assert_eq!(split_calling_code("16502530000"), Some((1, "6502530000")));
        assert_eq!(
            split_calling_code("5511999998888"),
            Some((55, "11999998888"))
        );
        assert_eq!(split_calling_code("351912345678"), Some((351, "912345678")));
        assert_eq!(split_calling_code("447912345678"), Some((44, "7912345678")));
        assert_eq!(split_calling_code("999"), None, "no code begins 999");
        assert_eq!(split_calling_code(""), None);
    }

    #[test]
    fn formats_as_each_country_writes() {
        assert_eq!(format_phone("447912345678"), "+44 7912 345678");
        assert_eq!(format_phone("4915123456789"), "+49 1512 3456789");
        assert_eq!(format_phone("919876543210"), "+91 98765 43210");
        assert_eq!(format_phone("16502530000"), "+1 650-253-0000");
        assert_eq!(format_phone("5511999998888"), "+55 11 99999-8888");
        assert_eq!(format_phone("999123"), "+999123");
    }

    #[test]
    fn reads_what_people_type() {
        let read_br = |s: &str| read(s, br()).map(|u| u.e164());
        assert_eq!(read_br("(11) 99999-8888").unwrap(), "+5511999998888");
        assert_eq!(read_br("5511999999999").unwrap(), "+5511999999999");
        assert_eq!(read_br("+44 (0) 7912 345678").unwrap(), "+447912345678");
        assert_eq!(read_br("(+44) 7400 123456").unwrap(), "+447400123456");
        assert_eq!(read_br("tel:+44-7400-123456").unwrap(), "+447400123456");
        assert_eq!(
            read_br("\u{feff}+55 11 99999-8888").unwrap(),
            "+5511999998888"
        );
        let gb = Region::from_code("GB");
        assert_eq!(
            read("0044 7912 345678", gb).unwrap().e164(),
            "+447912345678"
        );
        assert_eq!(
            read("07912 345678", gb).unwrap().preview(),
            "+44 7912 345678 · United Kingdom · mobile"
        );
        let it = Region::from_code("IT");
        assert_eq!(
            read("02 1234 5678", it).unwrap().preview(),
            "+39 02 1234 5678 · Italy · landline"
        );
    }

    #[test]
    fn refusals_say_what_was_understood() {
        let msg = |s: &str, r| read(s, r).unwrap_err().to_string();
        assert_eq!(
            msg("+55 11 9999", None),
            "+55 11 9999 is too short for Brazil"
        );
        assert!(msg("+999 123456789", None).contains("no country calling code"));
        assert_eq!(
            msg("99999-9999", br()),
            "99999-9999 (read as +55 999999999) is not a valid number in Brazil"
        );
        assert!(msg("(11) 99999-8888", None).contains("country is not known"));
        assert!(msg("call me", br()).contains("is not a phone number"));
        assert!(msg("", br()).starts_with("no number given"));
        assert!(msg("+55 11 99999-8888 x12", None).contains("has an extension"));
        assert!(msg("1-800-FLOWERS", Region::from_code("US")).contains("has letters"));
        assert!(msg("\u{202e}+55 11 99999-8888", br()).contains("direction marks"));
    }

    #[test]
    fn hints_name_the_instance_country() {
        let it = Region::from_code("IT");
        let hint = read("call me", it).unwrap_err().to_string();
        assert!(hint.contains("e.g. +39 "), "{hint}");
        let hint = read("call me", br()).unwrap_err().to_string();
        assert!(hint.contains("e.g. +55 "), "{hint}");
    }

    #[test]
    fn a_number_valid_both_ways_is_ambiguous_and_a_foreign_one_needs_the_plus() {
        let de = read("4915123456789", Region::from_code("DE")).unwrap_err();
        assert_eq!(de.class(), "ambiguous");
        assert!(
            de.to_string()
                .contains("+49 491 5123456789 (Germany) or +49 1512 3456789"),
            "{de}"
        );
        let us = read("20155501235", Region::from_code("US")).unwrap_err();
        assert_eq!(us.class(), "foreign");
        assert!(
            us.to_string()
                .ends_with("did you mean +20 15 5501235 (Egypt)? type the +"),
            "{us}"
        );
        let none = read("20155501235", None).unwrap_err();
        assert_eq!(
            none.class(),
            "foreign",
            "no country: the + is suggested too"
        );
    }

    #[test]
    fn the_instances_own_number_with_its_country_code_and_no_plus_is_sent() {
        // Not valid read in Brazil (+55 55800123456), valid with a +: a
        // Brazilian toll-free number, so it is sent as that.
        let own = read("55800123456", br()).unwrap();
        assert_eq!(own.e164(), "+55800123456");
        assert_eq!(own.preview(), "+55 800 12 3456 · Brazil · toll-free");
        // Another country's number keeps the refusal with the hint.
        let uk = read("447912345678", br()).unwrap_err();
        assert_eq!(uk.class(), "foreign");
        assert!(
            uk.to_string()
                .ends_with("did you mean +44 7912 345678 (United Kingdom)? type the +"),
            "{uk}"
        );
        // Spaces say "national": the + is still asked for.
        let spaced = read("55 800 123 456", br()).unwrap_err();
        assert_eq!(spaced.class(), "foreign");
        // With no country known there is no "own" country.
        assert_eq!(read("55800123456", None).unwrap_err().class(), "foreign");
    }

    #[test]
    fn a_long_input_is_echoed_short() {
        let long = "1".repeat(10_000);
        let msg = read(&long, br()).unwrap_err().to_string();
        assert!(msg.chars().count() < 200, "{msg}");
    }
}
