//! The app's behaviour as plain data and a pure function: [`State`] (the
//! data beneath, [`core::Core`], and the overlay that covers it), the
//! effects it asks for ([`Effect`]) and [`update`], which takes the
//! messages of `crate::protocol`. No terminal, no network.

mod answers;
pub(crate) mod batch;
pub(crate) mod batch_match;
pub(crate) mod batch_start;
pub(crate) mod blocklist;
pub(crate) mod bulk;
pub(crate) mod clock;
mod confirm;
pub mod core;
pub(crate) mod effect;
pub(crate) mod layout;
mod line;
pub(crate) mod list_state;
pub mod list_view;
pub mod live;
pub(crate) mod lookup_state;
pub(crate) mod lookups;
pub(crate) mod ops;
pub(crate) mod overlays;
pub(crate) mod pager;
pub(crate) mod paste;
pub(crate) mod plan;
mod request;
mod results;
pub(crate) mod settle;
pub mod state;
pub(crate) mod tabs;
pub(crate) mod toggle;
pub(crate) mod update;

pub use batch::{Batch, ItemDone};
pub use effect::Effect;
pub use state::State;
pub use update::update;

#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
