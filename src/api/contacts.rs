//! The contacts of an instance as the domain keeps them: a response body
//! read straight into a [`ContactStore`], and parsed contacts made into
//! one. The wire is read here; the store is the model's.

use super::error::ApiError;
use super::types::{RawContact, RemoteContact, parse_contacts_with};
use crate::model::contacts::{ContactStore, StoreBuilder};

/// Parses a contacts response body straight into a store, in one pass.
/// A row that is not a valid contact is skipped and counted (see
/// [`ContactStore::skipped`]). A body with bytes that are not UTF-8
/// (a name cut mid-character) is read with those bytes replaced, so
/// one bad name does not lose the whole list; nor does an escape of
/// half an emoji.
pub fn parse_store(body: &[u8]) -> Result<ContactStore, ApiError> {
    // A lone surrogate escape (a name cut inside an emoji) becomes U+FFFD.
    let body = super::json_text::replace_lone_surrogates(body);
    let body = body.as_ref();
    match parse_utf8(body) {
        Err(ApiError::Malformed { .. }) if std::str::from_utf8(body).is_err() => {
            parse_utf8(String::from_utf8_lossy(body).as_bytes())
        }
        other => other,
    }
}

/// One pass over a body, each row handed to the builder as it is read.
fn parse_utf8(body: &[u8]) -> Result<ContactStore, ApiError> {
    let mut builder = StoreBuilder::with_capacity(body.len() / 160);
    let read = parse_contacts_with(body, |c| push_raw(&mut builder, &c))?;
    builder.count_skipped(read.skipped);
    Ok(builder.build())
}

/// Adds one contact as streamed from a response body.
fn push_raw(builder: &mut StoreBuilder, c: &RawContact<'_>) {
    builder.push_fields(
        &c.jid,
        c.lid.as_deref(),
        [
            c.full_name.as_deref(),
            c.first_name.as_deref(),
            c.business_name.as_deref(),
            c.push_name.as_deref(),
        ],
    );
}

/// A store of parsed contacts, in their order.
pub fn store_from(contacts: impl IntoIterator<Item = RemoteContact>) -> ContactStore {
    let mut builder = StoreBuilder::default();
    for c in contacts {
        builder.push_fields(
            &c.jid,
            c.lid.as_deref(),
            [
                c.full_name.as_deref(),
                c.first_name.as_deref(),
                c.business_name.as_deref(),
                c.push_name.as_deref(),
            ],
        );
    }
    builder.build()
}
