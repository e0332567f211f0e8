//! Small helpers every layer may use: text, sanitising, dates, secrets,
//! logging.

pub mod dates;
pub mod logging;
pub mod sanitize;
pub mod secret;
pub mod text;
