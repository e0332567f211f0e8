//! What flows into [`super::update`] and what comes out of it.

use std::sync::Arc;

use ratatui::crossterm::event::{KeyEvent, MouseEvent};

pub use super::jobs::ApiJob;
use crate::api::{ApiError, BlockOutcome};
use crate::model::contacts::ContactStore;
use crate::model::filter::FilterJob;
use crate::store::ledger::UnfinishedBatch;

/// Something that happened: a key, a resize, a timer tick, a worker result.
#[derive(Debug, Clone)]
pub enum Msg {
    /// The first message: asks for the initial loads.
    Start,
    /// A key press (releases are filtered out before).
    Key(KeyEvent),
    /// A mouse event (only with `--mouse`).
    Mouse(MouseEvent),
    /// Text the terminal pasted (bracketed paste): text, never keys.
    Paste(String),
    /// The terminal's new size.
    Resize {
        /// Columns.
        width: u16,
        /// Rows.
        height: u16,
    },
    /// A timer tick (4 per second), with the wall clock in Unix seconds.
    Tick {
        /// Unix time now.
        now: i64,
    },
    /// A worker result.
    Api(ApiResult),
    /// SIGTSTP from outside (`kill -TSTP`): suspend as Ctrl-Z does.
    Suspend,
    /// The contact list saved by the last run, read at start.
    Cached {
        /// The instance.
        instance: usize,
        /// Its contacts.
        store: Arc<ContactStore>,
        /// Unix time it was saved.
        saved_at: i64,
    },
    /// The result of an [`Effect::Filter`].
    Filtered {
        /// The instance it was for.
        instance: usize,
        /// The job's number.
        generation: u64,
        /// Row numbers in display order.
        rows: Vec<u32>,
    },
    /// Batches a previous run left unfinished, found at start.
    Unfinished(Vec<UnfinishedBatch>),
    /// A token's rate budget as last reported, for the instances using it.
    Budget {
        /// Instances sharing the token.
        instances: Vec<usize>,
        /// Requests left in the window.
        remaining: u32,
        /// Requests per window.
        limit: u32,
    },
    /// Something to tell the user that did not come from a request (a
    /// damaged cache file moved aside...).
    Notice(String),
    /// Leave now: a signal that would end the process (SIGTERM, SIGHUP,
    /// SIGINT, SIGQUIT, SIGXFSZ), or the terminal's input failed.
    Terminate,
}

/// Work the app asks the outside world to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Send this job to the API worker.
    Api(ApiJob),
    /// Filter a large list off the UI path; answer with [`Msg::Filtered`].
    Filter(FilterJob),
    /// Draw the screen again (a tick moved something it shows).
    Redraw,
    /// Put text on the clipboard through the terminal (OSC 52).
    Copy(String),
    /// Leave the app.
    Quit,
    /// Give the terminal back and stop until `fg` (Ctrl-Z, SIGTSTP).
    Suspend,
    /// A batch ended (every item answered, cancelled or not sent); the
    /// status bar has its summary. Headless commands report from it.
    BatchEnded(Box<super::batch::Batch>),
}

/// The result of an [`ApiJob`].
#[derive(Debug, Clone)]
pub enum ApiResult {
    /// Connection state per instance index: `Ok(None)` when the server
    /// does not list that instance.
    Instances(Vec<(usize, Result<Option<InstanceStatus>, ErrorInfo>)>),
    /// An instance's contacts.
    Contacts {
        /// The instance.
        instance: usize,
        /// The contacts, or why not.
        result: Result<Arc<ContactStore>, ErrorInfo>,
    },
    /// The answer to [`ApiJob::CreateBatch`].
    BatchCreated(BatchCreated),
    /// A batch was closed (no answer needed beyond logging).
    BatchClosed,
    /// The answer to [`ApiJob::LoadKnown`]: every known state, or why not.
    Known(Result<Option<Vec<crate::store::ledger::KnownState>>, ErrorInfo>),
    /// The answer to [`ApiJob::ClaimBatch`].
    Claimed {
        /// The batch.
        batch: i64,
        /// Granted, held by another run, or why it could not be asked.
        result: Result<crate::store::ledger::Claim, ErrorInfo>,
    },
    /// The answer to [`ApiJob::Settle`]: the settled count, or why not.
    Settled {
        /// The instance.
        instance: usize,
        /// The contact restated.
        jid: String,
        /// `blocked_count` alone on the wire.
        result: Result<Option<u64>, ErrorInfo>,
    },
    /// The answer to [`ApiJob::History`].
    History {
        /// The instance.
        instance: usize,
        /// Its actions, newest first, or why not.
        result: Result<Vec<crate::store::ledger::HistoryEntry>, ErrorInfo>,
    },
    /// The answer to [`ApiJob::Probe`].
    Probe {
        /// The instance.
        instance: usize,
        /// Access works, or why not.
        result: Result<(), ErrorInfo>,
    },
    /// The answer to a [`ApiJob::Block`].
    Block {
        /// The instance.
        instance: usize,
        /// The JID of the job.
        jid: String,
        /// What was asked.
        block: bool,
        /// The batch of the job.
        batch: Option<i64>,
        /// The server's answer, already in the ledger, or why not.
        result: Result<BlockDone, ErrorInfo>,
    },
}

/// Whether [`ApiJob::CreateBatch`] was recorded: batch and action ids.
pub type BatchCreated = Result<(i64, Vec<i64>), ErrorInfo>;

/// An instance's connection state, as the contract words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnState {
    /// `connected`: blocks can be sent.
    Connected,
    /// `connecting`.
    Connecting,
    /// `disconnected`: the phone has no live session.
    Disconnected,
    /// `loggedout`: the session was ended on the phone.
    LoggedOut,
    /// A word the contract does not list, kept (sanitised) as sent.
    Other(String),
}

impl From<&str> for ConnState {
    fn from(word: &str) -> ConnState {
        match word {
            "connected" => ConnState::Connected,
            "connecting" => ConnState::Connecting,
            "disconnected" => ConnState::Disconnected,
            "loggedout" => ConnState::LoggedOut,
            other => ConnState::Other(other.to_string()),
        }
    }
}

impl From<String> for ConnState {
    fn from(word: String) -> ConnState {
        ConnState::from(word.as_str())
    }
}

impl ConnState {
    /// The word shown: `connected`, `logged out`...
    pub fn word(&self) -> &str {
        match self {
            ConnState::Connected => "connected",
            ConnState::Connecting => "connecting",
            ConnState::Disconnected => "disconnected",
            ConnState::LoggedOut => "logged out",
            ConnState::Other(word) => word,
        }
    }

    /// Whether blocks can be sent.
    pub fn is_connected(&self) -> bool {
        *self == ConnState::Connected
    }
}

impl std::fmt::Display for ConnState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.word())
    }
}

/// An instance's connection as the server reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceStatus {
    /// Its state.
    pub state: ConnState,
    /// The country of the instance's own number (`numberJid`), in which
    /// numbers typed without country code are read.
    pub own_region: Option<crate::model::number::Region>,
    /// The instance's own phone JID (`numberJid` without a device), which
    /// it cannot block.
    pub own_jid: Option<String>,
}

/// A successful block call, after the ledger write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockDone {
    /// The server's answer.
    pub outcome: BlockOutcome,
    /// Unix time the ledger stored.
    pub recorded_at: i64,
    /// Set when the ledger could not store it.
    pub ledger_error: Option<String>,
    /// The reason it was sent with, when the operator gave one.
    pub reason: Option<String>,
}

/// What kind of failure an error is, for the decisions (exit codes,
/// verdicts) that must never parse its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The server answered with an error status.
    Refused,
    /// No answer: no connection, a time-out, a proxy's page, a body cut.
    Unreachable,
    /// A well-formed answer that contradicts the request.
    Contrary,
    /// An answer that is not what the contract says.
    Malformed,
    /// Something on this machine: the ledger, the data folder, a request
    /// that could not be built.
    Local,
    /// Not sent at all: the server stopped answering this token; the
    /// intent stays pending for a resume.
    NotSent,
}

/// An error as the user sees it: status, the server's words, a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorInfo {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// HTTP status, when the server answered.
    pub status: Option<u16>,
    /// What failed (the server's `error.message` when it sent one).
    pub message: String,
    /// What to do.
    pub hint: String,
}

impl ErrorInfo {
    /// An error with no HTTP status.
    pub fn local(message: impl Into<String>, hint: impl Into<String>) -> Self {
        ErrorInfo {
            kind: ErrorKind::Local,
            status: None,
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// The reason, then the HTTP status: `Instance is not connected to
    /// WhatsApp (HTTP 503)`.
    pub fn lead(&self) -> String {
        match self.status {
            Some(status) => format!("{} (HTTP {status})", self.message),
            None => self.message.clone(),
        }
    }

    /// `HTTP 503 · Instance is not connected… · connect the phone…`
    pub fn summary(&self) -> String {
        match self.status {
            Some(status) => format!("HTTP {status} · {} · {}", self.message, self.hint),
            None => format!("{} · {}", self.message, self.hint),
        }
    }
}

impl From<&ApiError> for ErrorInfo {
    fn from(e: &ApiError) -> Self {
        let message = match e {
            ApiError::Status {
                message: Some(m), ..
            } => m.clone(),
            ApiError::Status { message: None, .. } => "no message from the server".to_string(),
            ApiError::Unreachable { .. } => {
                "the server is unreachable (a proxy answered instead)".to_string()
            }
            other => other.to_string(),
        };
        let kind = match e {
            ApiError::Status { .. } => ErrorKind::Refused,
            ApiError::Unreachable { .. }
            | ApiError::Timeout { .. }
            | ApiError::Connect { .. }
            | ApiError::Lost { .. }
            | ApiError::Interrupted { .. } => ErrorKind::Unreachable,
            ApiError::Contrary { .. } => ErrorKind::Contrary,
            ApiError::Malformed { .. } | ApiError::TooLarge { .. } => ErrorKind::Malformed,
            ApiError::Request { .. } => ErrorKind::Local,
            ApiError::NotAnswering { .. } => ErrorKind::NotSent,
        };
        ErrorInfo {
            kind,
            status: e.status(),
            message,
            hint: e.hint().to_string(),
        }
    }
}

/// Whether a block answer counts as recorded for [`Batch::answer`]:
/// a success the ledger wrote, or a failure that was sent (one never
/// sent leaves its intent pending, like one the ledger could not
/// write).
pub fn answer_recorded(result: &Result<BlockDone, ErrorInfo>) -> bool {
    match result {
        Ok(done) => done.ledger_error.is_none(),
        Err(e) => e.kind != ErrorKind::NotSent,
    }
}
