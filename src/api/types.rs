//! Response bodies, parsed leniently: unknown fields are ignored, names may
//! be missing or null, and the instance array may be under `instances` or
//! `data` (the contract leaves that open).

use serde::{Deserialize, Deserializer};

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
