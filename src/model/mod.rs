//! The domain: contacts, their filter, phone numbers, and the change an
//! action makes.

pub mod change;
pub mod contacts;
pub mod filter;
#[cfg(test)]
pub mod fixtures;
pub mod number;
