//! The domain: contacts, their filter, the JIDs and phone numbers that
//! name them, the change an action makes, and live messages with the
//! flags they earn.

pub(crate) mod answer;
pub mod blocklist;
pub mod blocklist_file;
pub(crate) mod change;
pub mod contacts;
pub mod filter;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod flags;
pub(crate) mod identity;
pub(crate) mod jid;
pub mod live;
pub mod number;
