//! Response bodies, parsed leniently: unknown fields are ignored, names may
//! be missing or null, and the instance array may be under `instances` or
//! `data` (the contract leaves that open).

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::error::{ApiError, RateLimit};
use crate::model::jid::{JidKind, PHONE_SUFFIX, is_valid_jid, jid_kind, phone_digits};
use crate::util::sanitize::clean;

/// `null` and a missing field both become the default.
fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// One contact of an instance's address book.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct RemoteContact {
    /// The contact's JID (`digits@s.whatsapp.net`, or `@lid`).
    pub jid: String,
    /// The hidden-number identity, when the contact has one.
    #[serde(default, deserialize_with = "null_as_default")]
    pub lid: Option<String>,
    /// First name from the phone's address book.
    #[serde(default, deserialize_with = "null_as_default")]
    pub first_name: Option<String>,
    /// Full name from the phone's address book.
    #[serde(default, deserialize_with = "null_as_default")]
    pub full_name: Option<String>,
    /// The name the person set for themselves.
    #[serde(default, deserialize_with = "null_as_default")]
    pub push_name: Option<String>,
    /// The business name of a business account.
    #[serde(default, deserialize_with = "null_as_default")]
    pub business_name: Option<String>,
}

/// The answer of `GET /api/chat/contacts/:instance?number=`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct ContactLookup {
    /// Whether the number is in the address book.
    #[serde(default)]
    pub found: bool,
    /// The contact, when found.
    #[serde(flatten)]
    pub contact: Option<RemoteContact>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct LookupBody {
    pub contact: ContactLookup,
}

/// A string from the server, sanitised as it is read: it may be printed
/// to a terminal later. `null` and a missing field become `None`.
fn clean_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.map(|s| clean(&s).into_owned()))
}

/// One instance from `GET /api/instance/list`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct InstanceInfo {
    /// The instance name exactly as the server gave it (it names the
    /// instance in paths); [`InstanceInfo::shown_name`] is for screens.
    pub name: String,
    /// The connection block.
    #[serde(default, deserialize_with = "null_as_default")]
    pub connection: Option<Connection>,
}

/// `connection` of an instance.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// `connected`, `connecting`, `disconnected` or `loggedout`
    /// (sanitised: it is printed as it comes).
    #[serde(default, deserialize_with = "clean_text")]
    pub state: Option<String>,
    /// The instance's own JID, null if it never connected.
    #[serde(default, deserialize_with = "clean_text")]
    pub number_jid: Option<String>,
    /// A label meant for UIs (sanitised).
    #[serde(default, deserialize_with = "clean_text")]
    pub display_status: Option<String>,
}

impl InstanceInfo {
    /// The name as it may be shown: controls and bidi marks removed.
    pub fn shown_name(&self) -> Cow<'_, str> {
        clean(&self.name)
    }

    /// Whether the name holds characters that cannot be shown or written
    /// as they are (controls, bidi marks).
    pub fn name_is_odd(&self) -> bool {
        matches!(self.shown_name(), Cow::Owned(_))
    }

    /// The instance's own phone JID (`<digits>@s.whatsapp.net`, any device
    /// suffix dropped), when it has one.
    pub fn own_jid(&self) -> Option<String> {
        let jid = self.connection.as_ref()?.number_jid.as_deref()?;
        let digits = phone_digits(jid)?;
        Some(format!("{digits}{PHONE_SUFFIX}"))
    }

    /// The connection state word, `unknown` when the server gave none.
    pub fn state(&self) -> &str {
        self.connection
            .as_ref()
            .and_then(|c| c.state.as_deref())
            .unwrap_or("unknown")
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct InstancesBody {
    #[serde(alias = "data", default, deserialize_with = "null_as_default")]
    pub instances: Vec<InstanceInfo>,
}

/// The answer of `POST /api/chat/block/:instance`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct BlockOutcome {
    /// The server's own words, shown verbatim (sanitised), never parsed.
    #[serde(default, deserialize_with = "null_as_default")]
    pub message: String,
    /// The JID the server acted on; may be the `@lid` form. Required:
    /// an answer that names no one is not an answer about the contact.
    pub contact_jid: String,
    /// Blocked contacts of the number after the operation; a value that is
    /// not a non-negative integer (negative, fractional, beyond what the
    /// ledger can store) is ignored, not a failure.
    #[serde(default, deserialize_with = "count")]
    pub blocked_count: Option<u64>,
    /// The contact's final state.
    pub blocked: bool,
    /// The server's clock when it answered (its `Date` header), which
    /// orders the answers of several desks; not in the body.
    #[serde(skip)]
    pub server_at: Option<i64>,
}

/// A count: kept only when it is a non-negative integer the ledger can
/// store (up to `i64::MAX`); anything else becomes `None`. Read from the
/// raw text, so a number no float holds (`1e400`) is ignored too, not a
/// parse failure of the whole answer.
fn count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let raw = Box::<serde_json::value::RawValue>::deserialize(d)?;
    Ok(raw
        .get()
        .parse::<u64>()
        .ok()
        .filter(|n| i64::try_from(*n).is_ok()))
}

/// The body without a UTF-8 byte-order mark, which some servers and
/// proxies put before JSON.
pub(crate) fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// `{"success": false, "error": {"message": "..."}}`.
#[derive(Debug, Deserialize)]
pub(crate) struct ErrorBody {
    pub error: Option<ErrorDetail>,
    pub message: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ErrorDetail {
    pub message: Option<String>,
}

/// The `success` flag every body carries.
#[derive(Debug, Deserialize)]
pub(crate) struct SuccessFlag {
    pub success: Option<bool>,
}

/// Turns an error answer into an [`ApiError`]: the envelope's message when
/// there is one (sanitised), "server unreachable" for a proxy's non-JSON
/// 502/504 page.
pub fn status_error(status: u16, is_json: bool, bytes: &[u8], rate: Option<RateLimit>) -> ApiError {
    let parsed: Option<ErrorBody> = serde_json::from_slice(bytes).ok();
    if parsed.is_none() && !is_json && matches!(status, 502 | 504) {
        return ApiError::Unreachable { status };
    }
    let message = parsed
        .and_then(|b| b.error.and_then(|d| d.message).or(b.message))
        .map(|m| clean(m.trim()).into_owned())
        .filter(|m| !m.is_empty());
    ApiError::Status {
        status,
        message,
        rate,
        retry_after: None,
    }
}

/// The error for a body that did not parse.
fn malformed(bytes: &[u8], e: serde_json::Error) -> ApiError {
    if bytes.is_empty() {
        ApiError::malformed("empty body")
    } else {
        ApiError::malformed(e)
    }
}

/// Parses a 2xx body into `T`; a body saying `"success": false` is an
/// error even with a 2xx status.
pub fn decode<T: DeserializeOwned>(
    status: u16,
    bytes: &[u8],
    rate: Option<RateLimit>,
) -> Result<T, ApiError> {
    let bytes = without_bom(bytes);
    // Lone surrogates become U+FFFD; a key twice is no answer at all.
    let checked = super::json_text::checked(bytes).map_err(|e| malformed(bytes, e))?;
    let bytes = checked.as_ref();
    if let Ok(SuccessFlag {
        success: Some(false),
    }) = serde_json::from_slice(bytes)
    {
        return Err(match status_error(status, true, bytes, rate) {
            ApiError::Status { message: None, .. } => ApiError::Status {
                status,
                message: Some("the server reported a failure without a message".to_string()),
                rate,
                retry_after: None,
            },
            other => other,
        });
    }
    serde_json::from_slice(bytes).map_err(|e| malformed(bytes, e))
}

/// Parses the body of `GET /api/chat/contacts/:instance` into owned
/// contacts.
pub fn parse_contacts(bytes: &[u8]) -> Result<Vec<RemoteContact>, ApiError> {
    let own = |v: Option<Cow<'_, str>>| v.map(Cow::into_owned);
    let mut out = Vec::new();
    let bytes = super::json_text::replace_lone_surrogates(bytes);
    parse_contacts_with(&bytes, |c| {
        out.push(RemoteContact {
            jid: c.jid.into_owned(),
            lid: own(c.lid),
            first_name: own(c.first_name),
            full_name: own(c.full_name),
            push_name: own(c.push_name),
            business_name: own(c.business_name),
        })
    })?;
    Ok(out)
}

/// Parses the body of `GET /api/instance/list`.
pub fn parse_instances(bytes: &[u8]) -> Result<Vec<InstanceInfo>, ApiError> {
    decode::<InstancesBody>(200, bytes, None).map(|b| b.instances)
}

/// Parses the body of `POST /api/chat/block/:instance`.
pub fn parse_block(bytes: &[u8]) -> Result<BlockOutcome, ApiError> {
    decode(200, bytes, None)
}

/// A contact as it sits in the body: strings borrowed from it where they
/// hold no escapes, so streaming a large list allocates little.
#[derive(Debug, Deserialize)]
pub struct RawContact<'a> {
    /// The JID.
    #[serde(borrow)]
    pub jid: Cow<'a, str>,
    /// The `@lid`.
    #[serde(borrow, default)]
    pub lid: Option<Cow<'a, str>>,
    /// First name.
    #[serde(borrow, default)]
    pub first_name: Option<Cow<'a, str>>,
    /// Full name.
    #[serde(borrow, default)]
    pub full_name: Option<Cow<'a, str>>,
    /// Push name.
    #[serde(borrow, default)]
    pub push_name: Option<Cow<'a, str>>,
    /// Business name.
    #[serde(borrow, default)]
    pub business_name: Option<Cow<'a, str>>,
}

/// A string field of a row: `None` for null, a missing field, or a value
/// of another type (a number where a name was expected spoils only that
/// field, not the row or the list).
struct MaybeStr<'a>(Option<Cow<'a, str>>);

impl<'de> Deserialize<'de> for MaybeStr<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MaybeStrVisitor)
    }
}

struct MaybeStrVisitor;

impl<'de> Visitor<'de> for MaybeStrVisitor {
    type Value = MaybeStr<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(MaybeStr(Some(Cow::Borrowed(v))))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(MaybeStr(Some(Cow::Owned(v.to_string()))))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(MaybeStr(Some(Cow::Owned(v))))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(MaybeStr(None))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(MaybeStr(None))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(MaybeStr(None))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(MaybeStr(None))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(MaybeStr(None))
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(MaybeStr(None))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(MaybeStr(None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(MaybeStr(None))
    }
}

/// One element of the `contacts` array: a contact, or `None` when the
/// element is not one (not an object, no valid JID). A `lid` that is not a
/// valid `@lid` is dropped; the row stays.
struct Row<'a>(Option<RawContact<'a>>);

impl<'de> Deserialize<'de> for Row<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RowVisitor)
    }
}

struct RowVisitor;

impl<'de> Visitor<'de> for RowVisitor {
    type Value = Row<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a contact")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Row<'de>, A::Error> {
        let mut jid = None;
        let mut c = RawContact {
            jid: Cow::Borrowed(""),
            lid: None,
            first_name: None,
            full_name: None,
            push_name: None,
            business_name: None,
        };
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            let field = match key.as_ref() {
                "jid" => &mut jid,
                "lid" => &mut c.lid,
                "first_name" => &mut c.first_name,
                "full_name" => &mut c.full_name,
                "push_name" => &mut c.push_name,
                "business_name" => &mut c.business_name,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            *field = map.next_value::<MaybeStr<'de>>()?.0;
        }
        let Some(jid) = jid.filter(|j| is_valid_jid(j)) else {
            return Ok(Row(None));
        };
        c.jid = jid;
        c.lid = c
            .lid
            .filter(|l| jid_kind(l) == JidKind::Lid)
            .filter(|l| is_valid_jid(l));
        Ok(Row(Some(c)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, v: A) -> Result<Row<'de>, A::Error> {
        MaybeStrVisitor.visit_seq(v).map(|_| Row(None))
    }

    fn visit_str<E>(self, _: &str) -> Result<Row<'de>, E> {
        Ok(Row(None))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Row<'de>, E> {
        Ok(Row(None))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Row<'de>, E> {
        Ok(Row(None))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Row<'de>, E> {
        Ok(Row(None))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Row<'de>, E> {
        Ok(Row(None))
    }

    fn visit_unit<E>(self) -> Result<Row<'de>, E> {
        Ok(Row(None))
    }
}

/// How many rows a contacts body held.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowsRead {
    /// Contacts handed on.
    pub contacts: usize,
    /// Rows that were not a valid contact, skipped.
    pub skipped: usize,
}

/// Streams the `contacts` array into a callback.
struct ContactsSeed<'f, F>(&'f mut F, &'f mut RowsRead);

impl<'de, F: FnMut(RawContact<'de>)> DeserializeSeed<'de> for ContactsSeed<'_, F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, F: FnMut(RawContact<'de>)> Visitor<'de> for ContactsSeed<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of contacts")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(Row(row)) = seq.next_element::<Row<'de>>()? {
            match row {
                Some(contact) => {
                    (self.0)(contact);
                    self.1.contacts += 1;
                }
                None => self.1.skipped += 1,
            }
        }
        Ok(())
    }
}

/// What the one pass over a contacts body found besides the contacts.
#[derive(Default)]
struct BodyFacts {
    success: Option<bool>,
    error_message: Option<String>,
    message: Option<String>,
}

struct BodyVisitor<'f, F>(&'f mut F, &'f mut RowsRead);

impl<'de, F: FnMut(RawContact<'de>)> Visitor<'de> for BodyVisitor<'_, F> {
    type Value = BodyFacts;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a contacts answer object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<BodyFacts, A::Error> {
        let mut facts = BodyFacts::default();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "success" => facts.success = map.next_value::<serde_json::Value>()?.as_bool(),
                "contacts" => {
                    map.next_value_seed(ContactsSeed(&mut *self.0, &mut *self.1))?;
                }
                "error" => {
                    let error = map.next_value::<serde_json::Value>()?;
                    facts.error_message = error["message"].as_str().map(str::to_string);
                }
                "message" => {
                    let message = map.next_value::<serde_json::Value>()?;
                    facts.message = message.as_str().map(str::to_string);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(facts)
    }
}

/// Parses a contacts body in one pass, handing each contact to `each` as
/// it is read. A row that is not a valid contact is skipped and counted;
/// the rest of the list loads.
pub fn parse_contacts_with<'de>(
    bytes: &'de [u8],
    mut each: impl FnMut(RawContact<'de>),
) -> Result<RowsRead, ApiError> {
    let bytes = without_bom(bytes);
    let malformed = |e| malformed(bytes, e);
    let mut read = RowsRead::default();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let facts = de
        .deserialize_map(BodyVisitor(&mut each, &mut read))
        .map_err(malformed)?;
    de.end().map_err(malformed)?;
    if facts.success == Some(false) {
        let message = facts
            .error_message
            .or(facts.message)
            .map(|m| clean(m.trim()).into_owned())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "the server reported a failure without a message".to_string());
        return Err(ApiError::Status {
            status: 200,
            message: Some(message),
            rate: None,
            retry_after: None,
        });
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(count: &str) -> String {
        format!(
            r#"{{"success":true,"message":"Contact blocked successfully","contact_jid":"5511999999999@s.whatsapp.net","blocked_count":{count},"blocked":true}}"#
        )
    }

    #[test]
    fn an_unusable_count_is_ignored_and_the_block_stands() {
        for (count, read) in [
            ("7", Some(7)),
            ("1e400", None),
            ("-1", None),
            ("2.5", None),
            ("null", None),
            ("\"7\"", None),
            ("18446744073709551615", None),
        ] {
            let outcome = parse_block(answer(count).as_bytes()).unwrap();
            assert!(outcome.blocked, "{count}");
            assert_eq!(outcome.blocked_count, read, "{count}");
        }
    }

    #[test]
    fn a_byte_order_mark_before_json_is_tolerated() {
        let mut body = b"\xEF\xBB\xBF".to_vec();
        body.extend_from_slice(answer("3").as_bytes());
        assert_eq!(parse_block(&body).unwrap().blocked_count, Some(3));
        let mut list = b"\xEF\xBB\xBF".to_vec();
        list.extend_from_slice(
            br#"{"success":true,"total":1,"contacts":[{"jid":"5511999999999@s.whatsapp.net"}]}"#,
        );
        assert_eq!(parse_contacts(&list).unwrap().len(), 1);
    }
}
