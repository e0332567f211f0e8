//! Small helpers every layer may use: text, sanitising, dates, secrets,
//! logging, private files.

pub(crate) mod app_dir;
pub(crate) mod dates;
pub(crate) mod files;
pub mod logging;
pub mod print;
pub mod sanitize;
pub mod secret;
pub mod text;
