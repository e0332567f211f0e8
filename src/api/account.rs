//! `GET /api/profile/getAccount/:instance?number=`: who a number is on
//! WhatsApp. Read leniently: the profile under `profile` (documented), at
//! the top level or under `data`; a JID or `@lid` that is not a person's
//! is dropped; "not on WhatsApp" is a profile without a JID, or an error
//! status about the number rather than the instance or the request.

use reqwest::Method;
use serde_json::Value;

use super::client::{ApiClient, Endpoint, Reply, api_url};
use super::error::ApiError;
use crate::model::number::{JidKind, is_valid_jid, jid_kind};
use crate::util::sanitize::clean;

/// What RyzeAPI says of a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountLookup {
    /// On WhatsApp: its public profile.
    Found(Account),
    /// Not on WhatsApp: the server's words.
    NotOnWhatsApp {
        /// Why, as the server said it.
        message: String,
    },
}

/// A WhatsApp account's public profile, every field sanitised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Its number, digits.
    pub phone_number: Option<String>,
    /// The JID WhatsApp keys it by.
    pub jid: Option<String>,
    /// Its `@lid`.
    pub lid: Option<String>,
    /// The name it shows.
    pub name: Option<String>,
    /// Its About text.
    pub about: Option<String>,
    /// Whether it has a picture.
    pub has_picture: bool,
}

impl ApiClient {
    /// Looks `number` (digits, a JID or an `@lid`) up through `instance`.
    pub async fn account(
        &self,
        ep: Endpoint<'_>,
        instance: &str,
        number: &str,
    ) -> Result<Reply<AccountLookup>, ApiError> {
        let mut url = api_url(ep.base_url, &["profile", "getAccount", instance])?;
        url.query_pairs_mut().append_pair("number", number);
        match self.fetch(ep, Method::GET, url, None).await {
            Ok((bytes, rate)) => Ok(Reply {
                value: read(&bytes)?,
                rate,
            }),
            Err(e) => match not_on_whatsapp(&e) {
                Some(message) => Ok(Reply {
                    value: AccountLookup::NotOnWhatsApp { message },
                    rate: e.rate(),
                }),
                None => Err(e),
            },
        }
    }
}

/// The server's message when an error status says the number is not on
/// WhatsApp (a 404 not about the instance, a 400 about the number).
fn not_on_whatsapp(e: &ApiError) -> Option<String> {
    let ApiError::Status {
        status, message, ..
    } = e
    else {
        return None;
    };
    let message = message.clone().unwrap_or_default();
    let lower = message.to_lowercase();
    let about_the_instance = lower.contains("instance")
        || lower.contains("connected")
        || lower.contains("invalid request");
    match status {
        404 | 400 if !about_the_instance => Some(if message.is_empty() {
            "the server says the number is not on WhatsApp".to_string()
        } else {
            message
        }),
        _ => None,
    }
}

/// A 2xx body, read.
fn read(bytes: &[u8]) -> Result<AccountLookup, ApiError> {
    let body: Value = serde_json::from_slice(bytes).map_err(|e| ApiError::Malformed {
        detail: format!("the account answer is not JSON ({e})"),
    })?;
    let profile = ["profile", "data"]
        .iter()
        .find_map(|k| body.get(k).filter(|v| v.is_object()))
        .unwrap_or(&body);
    let text = |k: &str| {
        profile
            .get(k)
            .and_then(Value::as_str)
            .map(|s| clean(s).trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let person =
        |k: &str, kind: JidKind| text(k).filter(|j| is_valid_jid(j) && jid_kind(j) == kind);
    let account = Account {
        phone_number: text("phoneNumber").filter(|d| d.bytes().all(|b| b.is_ascii_digit())),
        jid: person("jid", JidKind::Phone),
        lid: person("lid", JidKind::Lid),
        name: text("profileName"),
        about: text("profileStatus"),
        has_picture: profile.get("profilePicture").is_some_and(|p| !p.is_null()),
    };
    if account.jid.is_none() {
        let message = body
            .get("message")
            .and_then(Value::as_str)
            .map(|m| clean(m).into_owned())
            .unwrap_or_else(|| "the server knows no WhatsApp account of this number".into());
        return Ok(AccountLookup::NotOnWhatsApp { message });
    }
    Ok(AccountLookup::Found(account))
}
