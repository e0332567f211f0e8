//! The domain: contacts, their filter, phone numbers, and the change an
//! action makes.

pub(crate) mod answer;
pub(crate) mod change;
pub mod contacts;
pub mod filter;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod number;
