//! Response bodies, parsed leniently: unknown fields are ignored, names may
//! be missing or null, and the instance array may be under `instances` or
//! `data` (the contract leaves that open).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use super::error::{ApiError, RateLimit};
use crate::sanitize::clean;

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

#[derive(Debug, Deserialize)]
pub(crate) struct ContactsBody {
    #[serde(default, deserialize_with = "null_as_default")]
    pub contacts: Vec<RemoteContact>,
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

/// One instance from `GET /api/instance/list`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct InstanceInfo {
    /// The instance name.
    pub name: String,
    /// The connection block.
    #[serde(default, deserialize_with = "null_as_default")]
    pub connection: Option<Connection>,
}

/// `connection` of an instance.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// `connected`, `connecting`, `disconnected` or `loggedout`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub state: Option<String>,
    /// The instance's own JID, null if it never connected.
    #[serde(default, deserialize_with = "null_as_default")]
    pub number_jid: Option<String>,
    /// A label meant for UIs.
    #[serde(default, deserialize_with = "null_as_default")]
    pub display_status: Option<String>,
}

impl InstanceInfo {
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
    /// The JID the server acted on; may be the `@lid` form.
    #[serde(default, deserialize_with = "null_as_default")]
    pub contact_jid: String,
    /// Blocked contacts of the number after the operation.
    #[serde(default, deserialize_with = "null_as_default")]
    pub blocked_count: Option<u64>,
    /// The contact's final state.
    pub blocked: bool,
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
    }
}

/// Parses a 2xx body into `T`; a body saying `"success": false` is an
/// error even with a 2xx status.
pub fn decode<T: DeserializeOwned>(
    status: u16,
    bytes: &[u8],
    rate: Option<RateLimit>,
) -> Result<T, ApiError> {
    if let Ok(SuccessFlag {
        success: Some(false),
    }) = serde_json::from_slice(bytes)
    {
        return Err(match status_error(status, true, bytes, rate) {
            ApiError::Status { message: None, .. } => ApiError::Status {
                status,
                message: Some("the server reported a failure without a message".to_string()),
                rate,
            },
            other => other,
        });
    }
    serde_json::from_slice(bytes).map_err(|e| ApiError::Malformed {
        detail: if bytes.is_empty() {
            "empty body".to_string()
        } else {
            e.to_string()
        },
    })
}

/// Parses the body of `GET /api/chat/contacts/:instance` in one pass.
pub fn parse_contacts(bytes: &[u8]) -> Result<Vec<RemoteContact>, ApiError> {
    decode::<ContactsBody>(200, bytes, None).map(|b| b.contacts)
}

/// Parses the body of `GET /api/instance/list`.
pub fn parse_instances(bytes: &[u8]) -> Result<Vec<InstanceInfo>, ApiError> {
    decode::<InstancesBody>(200, bytes, None).map(|b| b.instances)
}

/// Parses the body of `POST /api/chat/block/:instance`.
pub fn parse_block(bytes: &[u8]) -> Result<BlockOutcome, ApiError> {
    decode(200, bytes, None)
}
