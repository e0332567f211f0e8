//! What the user configures: the profile (and its tokens) and `init`,
//! which writes one.

pub mod init;
pub mod profile;
