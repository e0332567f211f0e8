//! The app's behaviour as plain data and a pure function: [`State`] (the
//! data beneath, [`core::Core`], and the overlay that covers it), the
//! messages that change it ([`Msg`]), the effects it asks for ([`Effect`])
//! and [`update`]. No terminal, no network.

pub(crate) mod batch;
pub(crate) mod bulk;
pub(crate) mod clock;
mod confirm;
pub mod core;
pub(crate) mod jobs;
pub(crate) mod layout;
mod line;
pub(crate) mod msg;
pub(crate) mod ops;
pub(crate) mod overlays;
pub(crate) mod pager;
pub(crate) mod paste;
pub(crate) mod plan;
pub(crate) mod settle;
pub mod state;
pub(crate) mod tabs;
pub(crate) mod update;

pub use msg::{ApiJob, ApiResult, BlockDone, Effect, ErrorInfo, ErrorKind, InstanceStatus, Msg};
pub use state::State;
pub use update::update;

#[cfg(test)]
mod tests;
