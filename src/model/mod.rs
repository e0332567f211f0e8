//! The domain: contacts, their filter, and phone numbers.

pub mod contacts;
pub mod filter;
#[cfg(test)]
pub mod fixtures;
pub mod number;
