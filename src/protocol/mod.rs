//! What flows between the layers: the messages the app's `update`
//! takes ([`Msg`]), the jobs it gives the worker ([`Job`]), the worker's
//! results ([`JobResult`]) and errors as the user sees them
//! ([`ErrorInfo`]). Below both the app and the worker, so neither
//! imports the other.

mod error;
mod instance;
mod job;
mod live;
mod msg;
mod result;

pub use error::{ErrorInfo, ErrorKind};
pub use instance::{ConnState, InstanceStatus};
pub use job::{ApiCall, BlockAnswer, BlockCall, Item, Job, LedgerRead, LedgerWrite, ListChange};
pub use live::{FeedStatus, LiveJob, LiveMsg};
pub use msg::{ChangeRequest, Entry, Msg, Request, Source, WatchRequest};
pub use result::{JobResult, ListRead};
