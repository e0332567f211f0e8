//! The live feed in the app: the rows it keeps and the flags they earn
//! ([`feed`]), the Live view's filter and selection ([`view`]), what the
//! app does with each frame and socket state ([`on`]), the list's keys
//! in the Live view ([`keys`]) and how a sender and what is known of it
//! are said ([`words`]).

pub mod feed;
pub(crate) mod keys;
pub(crate) mod on;
pub mod view;
pub mod words;
