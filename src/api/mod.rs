//! Typed client for the three RyzeAPI endpoints ryze-contacts uses. It
//! knows nothing of the screen.

mod client;
mod error;
mod types;

pub use client::{ApiClient, Endpoint, Reply, Timeouts};
pub use error::{ApiError, RateLimit};
pub use types::{BlockOutcome, ContactLookup, InstanceInfo, RemoteContact};
