//! Who a number is: the answer of `GET /api/profile/getAccount/:instance`
//! read leniently into an [`AccountLookup`], and the error answers that
//! mean "not on WhatsApp" told apart from those that are failures.
//!
//! The profile's fields are read under `profile` (documented), under
//! `data` (or `data.profile`), or at the top level; any but
//! `profilePicture` may be missing. A `jid` or `lid` that is not a
//! person's identity is dropped. A number is not on WhatsApp when the
//! answer names no one (a profile with neither a valid `jid` nor a valid
//! `@lid`, or `"profile": null`), or when the server refuses it with a
//! 404 or 400 whose message is about the number, not the instance.

use serde_json::{Map, Value};

use super::error::{ApiError, means_disconnected};
use super::types::decode;
use crate::model::jid::{JidKind, PHONE_SUFFIX, is_valid_jid, jid_kind, phone_digits};
use crate::util::sanitize::clean;
use crate::util::text::fit;

/// What RyzeAPI says of a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountLookup {
    /// A WhatsApp account.
    Found(Account),
    /// No WhatsApp account has the number: the server's words when it
    /// refused the number, ours when it answered with no one.
    NotOnWhatsApp {
        /// Why, as it can be shown.
        message: String,
    },
}

/// A WhatsApp account's public profile, every field sanitised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The number WhatsApp keys the person by, in digits (from
    /// `phoneNumber`, else from the `jid`).
    pub phone_number: Option<String>,
    /// `<digits>@s.whatsapp.net`, validated (any device suffix dropped).
    pub jid: Option<String>,
    /// `<digits>@lid`, validated.
    pub lid: Option<String>,
    /// The name the person (or business) set, without controls.
    pub name: Option<String>,
    /// The About text, without controls.
    pub about: Option<String>,
    /// Whether the profile has a picture.
    pub has_picture: bool,
}

/// Our words for an answer that names no one.
pub const NO_ACCOUNT: &str = "no WhatsApp account has this number";

/// The longest name kept, in columns (WhatsApp allows 25 characters).
const NAME_MAX: usize = 100;
/// The longest About text kept, in columns (WhatsApp allows 139).
const ABOUT_MAX: usize = 300;

/// The profile fields, any of which at the top level makes the body the
/// profile itself.
const PROFILE_FIELDS: [&str; 6] = [
    "profilePicture",
    "profileName",
    "profileStatus",
    "phoneNumber",
    "jid",
    "lid",
];

/// Reads the body of a 2xx `getAccount` answer. A body saying `"success":
/// false`, one that is not JSON, or one with no profile anywhere is an
/// error; one whose profile names no one is [`AccountLookup::NotOnWhatsApp`].
pub fn parse_account(bytes: &[u8]) -> Result<AccountLookup, ApiError> {
    let body: Value = decode(200, bytes, None)?;
    let Some(profile) = profile_of(&body)? else {
        return Ok(not_on_whatsapp(NO_ACCOUNT));
    };
    let account = account_of(profile);
    if account.jid.is_none() && account.lid.is_none() {
        return Ok(not_on_whatsapp(NO_ACCOUNT));
    }
    Ok(AccountLookup::Found(account))
}

fn not_on_whatsapp(message: &str) -> AccountLookup {
    AccountLookup::NotOnWhatsApp {
        message: message.to_string(),
    }
}

/// The profile object of a body: `profile`, `data.profile`, `data`, or
/// the body itself when it holds profile fields; `None` for an explicit
/// `null` profile; an error when there is none at all.
fn profile_of(body: &Value) -> Result<Option<&Map<String, Value>>, ApiError> {
    let missing = || ApiError::malformed("the answer holds no profile");
    let Value::Object(top) = body else {
        return Err(ApiError::malformed("the answer is not a JSON object"));
    };
    let nested = top.get("profile").or_else(|| {
        let data = top.get("data")?;
        Some(data.get("profile").unwrap_or(data))
    });
    match nested {
        Some(Value::Object(profile)) => Ok(Some(profile)),
        Some(Value::Null) => Ok(None),
        Some(_) => Err(missing()),
        None if PROFILE_FIELDS.iter().any(|f| top.contains_key(*f)) => Ok(Some(top)),
        None => Err(missing()),
    }
}

/// The account a profile object describes, each field checked.
fn account_of(profile: &Map<String, Value>) -> Account {
    let text = |key: &str| profile.get(key).and_then(Value::as_str);
    let jid = text("jid").and_then(person_jid);
    let lid = text("lid")
        .map(str::trim)
        .filter(|l| jid_kind(l) == JidKind::Lid && is_valid_jid(l))
        .map(str::to_string);
    let phone_number = profile
        .get("phoneNumber")
        .and_then(digits_of)
        .or_else(|| jid.as_deref().and_then(phone_digits).map(str::to_string));
    Account {
        phone_number,
        jid,
        lid,
        name: text("profileName").and_then(|t| shown(t, NAME_MAX)),
        about: text("profileStatus").and_then(|t| shown(t, ABOUT_MAX)),
        has_picture: text("profilePicture").is_some_and(|p| !p.trim().is_empty()),
    }
}

/// A person's phone JID from `jid`: `<digits>@s.whatsapp.net` (device
/// suffix dropped) or bare digits; anything else is no one.
fn person_jid(text: &str) -> Option<String> {
    let text = text.trim();
    let digits = if text.bytes().all(|b| b.is_ascii_digit()) {
        text
    } else if jid_kind(text) == JidKind::Phone && is_valid_jid(text) {
        phone_digits(text)?
    } else {
        return None;
    };
    let jid = format!("{digits}{PHONE_SUFFIX}");
    is_valid_jid(&jid).then_some(jid)
}

/// Digits from `phoneNumber`: a string of digits (a leading `+` allowed)
/// or a JSON integer.
fn digits_of(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(s) => s.trim().trim_start_matches('+').to_string(),
        Value::Number(n) => n.as_u64()?.to_string(),
        _ => return None,
    };
    let valid = !text.is_empty() && text.len() <= 32 && text.bytes().all(|b| b.is_ascii_digit());
    (valid && text.bytes().any(|b| b != b'0')).then_some(text)
}

/// Text from the server as it may be shown: without controls, trimmed,
/// cut to `max` columns; `None` when nothing is left.
fn shown(text: &str, max: usize) -> Option<String> {
    let text = clean(text);
    let text = text.trim();
    (!text.is_empty()).then(|| fit(text, max))
}

/// The server's words when an error answer means the number is not on
/// WhatsApp: a 404 or 400 with a message about the number, not the
/// instance (`Instance not found`, a disconnected instance) nor the
/// request (`Invalid request body`). Anything else stays an error.
pub fn not_on_whatsapp_message(e: &ApiError) -> Option<String> {
    let ApiError::Status {
        status,
        message: Some(message),
        ..
    } = e
    else {
        return None;
    };
    let lower = message.to_lowercase();
    let about_number = matches!(status, 400 | 404)
        && !lower.contains("instance")
        && !lower.contains("token")
        && lower != "invalid request body"
        && !means_disconnected(*status, Some(message));
    about_number.then(|| message.clone())
}

/// An error answer read as a lookup's: "not on WhatsApp" when it says so
/// (see [`not_on_whatsapp_message`]), else the error.
pub(crate) fn from_error(e: ApiError) -> Result<AccountLookup, ApiError> {
    match not_on_whatsapp_message(&e) {
        Some(message) => Ok(AccountLookup::NotOnWhatsApp { message }),
        None => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16, message: &str) -> ApiError {
        ApiError::Status {
            status,
            message: Some(message.to_string()),
            rate: None,
            retry_after: None,
        }
    }

    #[test]
    fn which_error_answers_mean_not_on_whatsapp() {
        for (code, message) in [
            (404, "Number is not on WhatsApp"),
            (400, "Invalid phone number"),
            (400, "Invalid identifier"),
        ] {
            assert_eq!(
                not_on_whatsapp_message(&status(code, message)).as_deref(),
                Some(message)
            );
        }
        for (code, message) in [
            (404, "Instance not found"),
            (400, "Invalid request body"),
            (400, "Instance is not connected to WhatsApp"),
            (400, "instance disconnected"),
            (401, "Invalid token"),
            (403, "Instance token does not match"),
            (429, "Rate limit exceeded. Try again later."),
            (500, "Number is not on WhatsApp"),
            (503, "Instance is not connected to WhatsApp"),
        ] {
            assert_eq!(
                not_on_whatsapp_message(&status(code, message)),
                None,
                "{code} {message}"
            );
        }
        let silent = ApiError::Status {
            status: 404,
            message: None,
            rate: None,
            retry_after: None,
        };
        assert_eq!(
            not_on_whatsapp_message(&silent),
            None,
            "a 404 page says nothing of the number"
        );
        assert_eq!(
            not_on_whatsapp_message(&ApiError::Timeout { seconds: 5 }),
            None
        );
    }

    #[test]
    fn only_a_persons_identity_is_kept() {
        assert_eq!(
            person_jid("5511999999999:7@s.whatsapp.net").as_deref(),
            Some("5511999999999@s.whatsapp.net")
        );
        assert_eq!(
            person_jid(" 5511999999999 ").as_deref(),
            Some("5511999999999@s.whatsapp.net")
        );
        for bad in [
            "",
            "0",
            "abc@s.whatsapp.net",
            "1@g.us",
            "123@lid",
            "=1+1@s.whatsapp.net",
        ] {
            assert_eq!(person_jid(bad), None, "{bad}");
        }
        assert_eq!(
            digits_of(&Value::from("+5511999999999")).as_deref(),
            Some("5511999999999")
        );
        assert_eq!(
            digits_of(&Value::from(5511999999999u64)).as_deref(),
            Some("5511999999999")
        );
        for bad in [
            Value::from("55 11"),
            Value::from("000"),
            Value::from(""),
            Value::Null,
        ] {
            assert_eq!(digits_of(&bad), None, "{bad}");
        }
    }

    #[test]
    fn names_and_about_are_shown_safely() {
        assert_eq!(
            shown(" \u{202e}Joana\u{1b}[2J Promo ", 100).as_deref(),
            Some("Joana[2J Promo")
        );
        assert_eq!(shown(" \u{200f} ", 100), None);
        let long = "x".repeat(1000);
        assert!(shown(&long, 300).is_some_and(|t| t.chars().count() <= 300));
    }
}
