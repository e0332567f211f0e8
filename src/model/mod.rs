//! The domain: contacts, their filter, the JIDs and phone numbers that
//! name them, and the change an action makes.

pub(crate) mod answer;
pub mod blocklist;
pub mod blocklist_file;
pub(crate) mod change;
pub mod contacts;
pub mod filter;
#[cfg(test)]
pub(crate) mod fixtures;
pub(crate) mod identity;
pub(crate) mod jid;
pub mod number;
