//! What the user configures: the profile, its instances, tokens and keys.

pub mod ledger;
pub mod profile;
pub(crate) mod secret_cmd;
