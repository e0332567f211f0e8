//! What is kept on disk: the ledger, the contact cache, the view memory
//! and the private files they are written to.

pub mod cache;
pub mod ledger;
pub mod view_memory;
