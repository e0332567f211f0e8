//! The live feed between the worker and the app: what the app asks
//! ([`LiveJob`]), what each instance's socket reports ([`LiveMsg`]) and
//! where a socket stands ([`FeedStatus`]).

use super::error::ErrorInfo;
use crate::model::live::LiveEvent;

/// What the app asks of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveJob {
    /// Keep a WebSocket open to the instance (reconnecting with back-off);
    /// when one is already kept, a paused or refused one tries again now.
    Open {
        /// The instance.
        instance: usize,
    },
}

/// What an instance's socket reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveMsg {
    /// A frame, read.
    Event {
        /// The instance whose socket it came on.
        instance: usize,
        /// What it says.
        event: LiveEvent,
        /// Unix time it arrived.
        received: i64,
    },
    /// A frame that could not be read (logged, without the token).
    Unreadable {
        /// The instance whose socket it came on.
        instance: usize,
        /// Why, without quoting the frame.
        why: String,
    },
    /// The socket's state changed.
    Feed {
        /// The instance.
        instance: usize,
        /// Where it stands.
        status: FeedStatus,
    },
}

/// Where an instance's live feed stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedStatus {
    /// Not asked for.
    Off,
    /// The upgrade is on its way.
    Connecting,
    /// Open: frames come as they happen.
    Open,
    /// The socket dropped (or could not be opened): it is tried again at
    /// `retry_at`, after a back-off growing from 1 s to 30 s.
    Paused {
        /// Unix time of the next try.
        retry_at: i64,
        /// What happened, for the screen and the log.
        why: String,
    },
    /// The server refused the upgrade (WebSocket not enabled, a wrong
    /// token, no such instance): not tried again until asked.
    Refused(ErrorInfo),
}

impl FeedStatus {
    /// Whether frames come now.
    pub fn is_open(&self) -> bool {
        *self == FeedStatus::Open
    }
}
