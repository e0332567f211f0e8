//! Phone numbers as people type and read them, on libphonenumber's
//! metadata (the `phonenumber` crate): no number rule is written here.
//!
//! A typed number is read in the instance's country when it has no
//! country code; a number that is not valid for its country is refused
//! with what was understood; two valid readings that differ are refused as
//! ambiguous. Numbers are shown in the international format of their own
//! country.

use std::fmt;
use std::str::FromStr;

use phonenumber::country::Id;
use phonenumber::metadata::DATABASE;
use phonenumber::{Mode, PhoneNumber, Type};

use super::regions;

/// A country (ISO 3166-1 alpha-2, as libphonenumber names regions) in
/// which a number without country code is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Region {
    id: Id,
    /// The code as the metadata spells it.
    code: &'static str,
}

impl Region {
    /// The region of a two-letter code (`"BR"`, `"gb"`), when
    /// libphonenumber knows it.
    pub fn from_code(code: &str) -> Option<Region> {
        let id = Id::from_str(&code.trim().to_ascii_uppercase()).ok()?;
        Self::of(id)
    }

    fn of(id: Id) -> Option<Region> {
        let database: &'static phonenumber::metadata::Database = &DATABASE;
        let meta = database.by_id(id.as_ref())?;
        Some(Region {
            id,
            code: meta.id(),
        })
    }

    /// The region of an international number's digits (an instance's own
    /// `numberJid`), when it is a valid number.
    pub fn of_digits(digits: &str) -> Option<Region> {
        let number = phonenumber::parse(None, format!("+{digits}")).ok()?;
        number.country().id().and_then(Self::of)
    }

    /// The two-letter code.
    pub fn code(self) -> &'static str {
        self.code
    }

    /// The country's English name (the code where none is known).
    pub fn name(self) -> &'static str {
        regions::name(self.code()).unwrap_or(self.code())
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
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
    /// What kind of line (`mobile`, `landline`...).
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

/// Why a number was not valid for its country, from the lengths its
/// metadata allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// Shorter than any number of the country.
    TooShort,
    /// Longer than any number of the country.
    TooLong,
    /// A possible length, but no valid number.
    NotValid,
}

/// Why typed text is not a number to act on. Each message says what was
/// understood and how to type it instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneError {
    /// Nothing typed.
    Empty,
    /// Letters or signs a number does not have.
    NotANumber(String),
    /// A national form, with no country known to read it in.
    NoCountry(String),
    /// `+` and digits that begin no country calling code.
    UnknownCountryCode(String),
    /// Understood as `shown`, which is not a valid number of `region`.
    Invalid {
        /// What was typed.
        input: String,
        /// How it was understood (`+55 119999`).
        shown: String,
        /// The country it was read in.
        region: Option<Region>,
        /// What is wrong with it.
        why: Why,
    },
    /// Two valid readings that differ.
    Ambiguous {
        /// What was typed.
        input: String,
        /// Read in the instance's country.
        national: Box<Understood>,
        /// Read as digits that begin with a country code.
        international: Box<Understood>,
    },
}

impl fmt::Display for PhoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const HOW: &str = "type it with + and the country code, e.g. +55 11 99999-9999";
        match self {
            PhoneError::Empty => write!(f, "no number given: {HOW}"),
            PhoneError::NotANumber(input) => {
                write!(f, "\"{input}\" is not a phone number: {HOW}")
            }
            PhoneError::NoCountry(input) => write!(
                f,
                "{input} has no country code and this instance's country is not known: {HOW}, or set region = \"XX\" in the profile"
            ),
            PhoneError::UnknownCountryCode(input) => {
                write!(f, "{input} begins with no country calling code: {HOW}")
            }
            PhoneError::Invalid {
                input,
                shown,
                region,
                why,
            } => {
                let country = region.map_or("any country", Region::name);
                let read = if input.starts_with('+') {
                    input.clone()
                } else {
                    format!("{input} (read as {shown})")
                };
                match why {
                    Why::TooShort => write!(f, "{read} is too short for {country}"),
                    Why::TooLong => write!(f, "{read} is too long for {country}"),
                    Why::NotValid => write!(f, "{read} is not a valid number in {country}"),
                }
            }
            PhoneError::Ambiguous {
                input,
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
        }
    }
}

impl std::error::Error for PhoneError {}

impl PhoneError {
    /// The reason alone, for a preview beside the typed text (which is
    /// not repeated).
    pub fn brief(&self) -> String {
        match self {
            PhoneError::Empty => "type a number".to_string(),
            PhoneError::NotANumber(_) => "not a phone number".to_string(),
            PhoneError::NoCountry(_) => {
                "needs +CC: this instance's country is not known".to_string()
            }
            PhoneError::UnknownCountryCode(_) => "no country has this calling code".to_string(),
            PhoneError::Invalid {
                shown, region, why, ..
            } => {
                let country = region.map_or("any country", Region::name);
                match why {
                    Why::TooShort => format!("{shown}: too short for {country}"),
                    Why::TooLong => format!("{shown}: too long for {country}"),
                    Why::NotValid => format!("{shown}: not valid in {country}"),
                }
            }
            PhoneError::Ambiguous {
                national,
                international,
                ..
            } => format!(
                "ambiguous: {} ({}) or {} ({})",
                national.display,
                national.country(),
                international.display,
                international.country()
            ),
        }
    }
}

/// The words for a kind of line.
fn kind_name(kind: Type) -> &'static str {
    match kind {
        Type::Mobile => "mobile",
        Type::FixedLine => "landline",
        Type::FixedLineOrMobile => "landline or mobile",
        Type::TollFree => "toll-free",
        Type::PremiumRate => "premium rate",
        Type::SharedCost => "shared cost",
        Type::PersonalNumber => "personal number",
        Type::Voip => "VoIP",
        Type::Pager => "pager",
        Type::Uan => "company number",
        Type::Voicemail => "voicemail",
        _ => "number",
    }
}

fn understood(number: &PhoneNumber) -> Understood {
    let e164 = number.format().mode(Mode::E164).to_string();
    Understood {
        digits: e164.trim_start_matches('+').to_string(),
        display: number.format().mode(Mode::International).to_string(),
        region: number.country().id().and_then(Region::of),
        kind: kind_name(number.number_type(&DATABASE)),
    }
}

/// The country a number belongs to; for a number that is not valid, the
/// main country of its calling code (`+1` is the United States).
fn region_of(number: &PhoneNumber) -> Option<Region> {
    number.country().id().and_then(Region::of).or_else(|| {
        let database: &'static phonenumber::metadata::Database = &DATABASE;
        let regions = database.by_code(&number.code().value())?;
        let main = regions
            .iter()
            .find(|m| m.is_main_country_for_code())
            .or(regions.first())?;
        Region::from_code(main.id())
    })
}

/// Why `number` is not valid, from the national lengths its country's
/// metadata allows.
fn why_invalid(number: &PhoneNumber, region: Option<Region>) -> Why {
    let Some(meta) = region.and_then(|r| DATABASE.by_id(r.code())) else {
        return Why::NotValid;
    };
    let d = meta.descriptors();
    let lengths: Vec<u16> = [
        Some(d.general()),
        d.fixed_line(),
        d.mobile(),
        d.toll_free(),
        d.premium_rate(),
        d.shared_cost(),
        d.personal_number(),
        d.voip(),
        d.pager(),
        d.uan(),
        d.voicemail(),
    ]
    .into_iter()
    .flatten()
    .flat_map(|desc| desc.possible_length().iter().copied())
    .collect();
    let length = number.national().to_string().len() as u16;
    match (lengths.iter().min(), lengths.iter().max()) {
        (Some(min), _) if length < *min => Why::TooShort,
        (_, Some(max)) if length > *max => Why::TooLong,
        _ => Why::NotValid,
    }
}

/// Characters a typed number may hold besides digits: spaces and the
/// punctuation people group digits with.
fn is_punctuation(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '-' | '.' | '(' | ')' | '/')
}

/// Reads a typed phone number (not a JID) in `region` when it has no
/// country code. Accepts `+CC …` with any grouping and a trunk `(0)`, the
/// region's international prefix (`00`, `011`…), national forms with their
/// trunk `0`, and bare digits that begin with the country code.
pub fn read(input: &str, region: Option<Region>) -> Result<Understood, PhoneError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(PhoneError::Empty);
    }
    let body = text.strip_prefix('+').unwrap_or(text);
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || is_punctuation(c))
        || !body.chars().any(|c| c.is_ascii_digit())
    {
        return Err(PhoneError::NotANumber(text.to_string()));
    }
    if text.starts_with('+') {
        return match phonenumber::parse(None, text) {
            Ok(number) if number.is_valid() => Ok(understood(&number)),
            Ok(number) => Err(invalid(text, &number)),
            Err(phonenumber::ParseError::InvalidCountryCode) => {
                Err(PhoneError::UnknownCountryCode(text.to_string()))
            }
            Err(_) => Err(PhoneError::NotANumber(text.to_string())),
        };
    }
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    let national = region.map(|r| phonenumber::parse(Some(r.id), text));
    let international = phonenumber::parse(None, format!("+{digits}"))
        .ok()
        .filter(PhoneNumber::is_valid)
        .map(|n| understood(&n));
    let national_valid = national
        .as_ref()
        .and_then(|n| n.as_ref().ok())
        .filter(|n| n.is_valid())
        .map(understood);
    match (national_valid, international) {
        (Some(national), Some(international)) if national.digits != international.digits => {
            Err(PhoneError::Ambiguous {
                input: text.to_string(),
                national: Box::new(national),
                international: Box::new(international),
            })
        }
        (Some(one), _) | (None, Some(one)) => Ok(one),
        (None, None) => match national {
            Some(Ok(number)) => Err(invalid(text, &number)),
            Some(Err(_)) => Err(PhoneError::NotANumber(text.to_string())),
            None => Err(PhoneError::NoCountry(text.to_string())),
        },
    }
}

fn invalid(input: &str, number: &PhoneNumber) -> PhoneError {
    let region = region_of(number);
    PhoneError::Invalid {
        input: input.to_string(),
        shown: format!("+{} {}", number.code().value(), number.national()),
        region,
        why: why_invalid(number, region),
    }
}

/// International digits shown for reading, in the international format
/// of their own country (`+44 7912 345678`, `+1 650-253-0000`); `+digits`
/// when libphonenumber cannot place them.
pub fn format_phone(digits: &str) -> String {
    match phonenumber::parse(None, format!("+{digits}")) {
        Ok(number) => number.format().mode(Mode::International).to_string(),
        Err(_) => format!("+{digits}"),
    }
}

/// Loads libphonenumber's metadata (a few tens of milliseconds, once), so
/// the first number shown or read does not pay for it.
pub fn warm() {
    let _ = phonenumber::parse(None, "+5511999999999");
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
        assert_eq!(Region::of_digits("5511955550101"), br());
        assert_eq!(Region::of_digits("999"), None);
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
        let gb = Region::from_code("GB");
        assert_eq!(
            read("0044 7912 345678", gb).unwrap().e164(),
            "+447912345678"
        );
        assert_eq!(
            read("07912 345678", gb).unwrap().preview(),
            "+44 7912 345678 · United Kingdom · mobile"
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
        assert!(msg("+55 11 99999-8888 x12", None).contains("not a phone number"));
    }
}
