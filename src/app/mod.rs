//! The app's behaviour as plain data and a pure function: [`State`],
//! the messages that change it ([`Msg`]), the effects it asks for
//! ([`Effect`]) and [`update`]. No terminal, no network.

pub mod batch;
pub mod bulk;
pub mod command_line;
mod confirm;
pub mod details;
pub mod help;
pub mod history;
pub mod layout;
mod line;
pub mod log;
pub mod msg;
pub mod ops;
pub mod overlay;
pub mod pager;
mod paste;
pub mod plan;
pub mod review;
pub mod settle;
pub mod state;
pub mod tabs;
pub mod undo;
pub mod update;

pub use msg::{ApiJob, ApiResult, BlockDone, Effect, ErrorInfo, ErrorKind, InstanceStatus, Msg};
pub use state::State;
pub use update::update;

#[cfg(test)]
mod tests;
