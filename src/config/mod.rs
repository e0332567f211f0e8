//! What the user configures: the profile, its instances, tokens and keys.

pub mod profile;
pub mod secret_cmd;
