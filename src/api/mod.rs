//! Typed client for the RyzeAPI endpoints ryze-contacts uses (and the
//! live events' WebSocket), and the reading of their bodies into the
//! model's types. It knows nothing of the screen.

mod account;
mod client;
pub mod contacts;
mod error;
#[cfg(test)]
pub(crate) mod fixtures;
mod json_text;
pub mod proxy;
pub mod rate;
mod socket;
mod types;

pub use account::{Account, AccountLookup, NO_ACCOUNT, not_on_whatsapp_message, parse_account};
pub use client::{ApiClient, ClientConfig, Endpoint, Reply, use_ring_for_tls};
pub use error::{ApiError, RateLimit, means_disconnected};
pub use socket::{FEED_EVENTS, Received, SILENT_LIMIT, Socket, SocketConfig, receive, socket_url};
pub use types::{
    BlockOutcome, ContactLookup, InstanceInfo, RawContact, RemoteContact, RowsRead, parse_block,
    parse_contacts, parse_contacts_with, parse_instances, status_error,
};
